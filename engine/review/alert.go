package review

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
)

var _ screening.SaveHook = (*Desk)(nil).OnSave

// OnSave is the engine's save hook: it runs in the transaction that stores
// an assessment and opens, updates or reopens the organisation's alert.
// Only assessments of the continuous follow-up (purpose screening.Monitor)
// move alerts: a pre-award check's verdict is its caller's answer, and its
// assessment, stored as evidence, leaves the alert as it is.
//
//   - An open alert (ny, utreds, beslutad) follows every assessment whose
//     result changed, whatever its step (event "updated").
//   - A snoozed alert is reopened (state ny, event "updated", reason
//     "reopened") by the organisation's newest assessment when it is at L2
//     or higher, later than the one the alert last followed, and has a hit
//     the alert did not have when it was snoozed or is at or after the
//     snooze date. Otherwise it stays closed and nothing is written.
//   - Otherwise a changed result at L2 or higher opens a new alert (event
//     "opened").
//
// Changes are made by System at the assessment's time.
func (d *Desk) OnSave(tx *store.Tx, a *screening.Assessment, ch screening.Change) error {
	if a.Purpose != screening.Monitor {
		return nil // a pre-award check
	}
	if !ch.Changed && stepRank(ch.Result.Step) < 2 {
		return nil // neither follows, reopens nor opens anything: spare the read
	}
	org, err := getOrg(tx, a.Orgnr)
	if err != nil {
		return fmt.Errorf("review: organisation %s: %w", redactID(a.Orgnr), err)
	}
	var cur *Alert
	if org.Alert != "" {
		if cur, err = get[Alert](tx, alertKind, org.Alert); err != nil {
			return fmt.Errorf("review: alert %s: %w", redactID(org.Alert), err)
		}
	}
	switch {
	case cur != nil && cur.Open():
		if !ch.Changed {
			return nil
		}
		return wrap("alert", cur.ID, d.follow(tx, cur, a, ch, ""))
	case cur != nil && cur.Snoozed:
		why, err := reopens(tx, cur, a, ch)
		if err != nil || why == "" {
			return err
		}
		return wrap("alert", cur.ID, d.follow(tx, cur, a, ch, why))
	}
	if !ch.Changed || stepRank(ch.Result.Step) < 2 {
		return nil
	}
	org.Alerts++
	al := &Alert{ID: fmt.Sprintf("%s-%d", a.Orgnr, org.Alerts), Seq: org.Alerts, Orgnr: a.Orgnr, Name: a.Name,
		State: Ny, OpenedAt: a.At}
	setResult(al, a, ch)
	if err := record(tx, al, Entry{At: a.At, By: System, What: event.AlertOpened, Event: event.AlertOpened,
		HitsAdded: al.Hits}, ""); err != nil {
		return wrap("alert", al.ID, err)
	}
	if err := audited(tx, a.At, System, audit.AlertOpen, al.ID, alertDetail(al, "hits_added", strings.Join(al.Hits, ","))); err != nil {
		return wrap("alert", al.ID, err)
	}
	org.Alert = al.ID
	if err := put(tx, orgKind, a.Orgnr, org); err != nil {
		return fmt.Errorf("review: organisation %s: %w", redactID(a.Orgnr), err)
	}
	d.log().Debug("review: alert opened", "alert", redactID(al.ID), "step", al.Step)
	return nil
}

// reopens says why a snoozed alert is reopened by an assessment, or ""
// when it is not.
func reopens(tx *store.Tx, al *Alert, a *screening.Assessment, ch screening.Change) (string, error) {
	if stepRank(ch.Result.Step) < 2 || !a.At.After(al.AssessedAt) {
		return "", nil
	}
	var added []string
	for _, h := range ch.Result.Hits {
		if !slices.Contains(al.SnoozedHits, h) {
			added = append(added, h)
		}
	}
	due := !al.SnoozeUntil.IsZero() && !a.At.Before(al.SnoozeUntil)
	if len(added) == 0 && !due {
		return "", nil
	}
	// Only the organisation's newest assessment counts: a screening as of
	// a past time reproduces, it does not reopen. A changed result is the
	// newest; an unchanged one is when the save recorded its time.
	if !ch.Changed {
		last, ok, err := tx.LastResult(a.Orgnr)
		if err != nil {
			return "", fmt.Errorf("review: organisation %s: %w", redactID(a.Orgnr), err)
		}
		if !ok || !last.At.Equal(a.At) {
			return "", nil
		}
	}
	if len(added) > 0 {
		return "new hits " + strings.Join(added, ", "), nil
	}
	return "snooze ended " + al.SnoozeUntil.Format(time.RFC3339), nil
}

// follow brings an alert up to an assessment, reopening it when reopen
// says why.
func (d *Desk) follow(tx *store.Tx, al *Alert, a *screening.Assessment, ch screening.Change, reopen string) error {
	added, removed := hitsDiff(al.Hits, ch.Result.Hits)
	setResult(al, a, ch)
	e := Entry{At: a.At, By: System, What: event.AlertUpdated, Event: event.AlertUpdated, HitsAdded: added, HitsRemoved: removed}
	reason, action := "", audit.AlertUpdate
	if reopen != "" {
		al.State, al.Assignee = Ny, ""
		al.ClosedAt, al.ClosedBy, al.CloseReason, al.Outcome, al.WrongHits = time.Time{}, "", "", "", nil
		al.Snoozed, al.SnoozeUntil, al.SnoozedHits = false, time.Time{}, nil
		e.What, e.Reason, reason, action = Reopened, reopen, Reopened, audit.AlertReopen
		d.log().Debug("review: alert reopened", "alert", redactID(al.ID), "why", reopen)
	}
	if err := record(tx, al, e, reason); err != nil {
		return err
	}
	return audited(tx, a.At, System, action, al.ID, alertDetail(al, "hits_added", strings.Join(added, ","),
		"hits_removed", strings.Join(removed, ","), "reason", reopen))
}

// setResult copies what the alert shows of an assessment.
func setResult(al *Alert, a *screening.Assessment, ch screening.Change) {
	if a.Name != "" {
		al.Name = a.Name
	}
	al.Step, al.Score = ch.Result.Step, ch.Result.Score
	al.Hits = append([]string{}, ch.Result.Hits...)
	al.AssessedAt, al.Ruleset = a.At, a.Ruleset
}

// record makes a change of an alert: a new revision with its history
// entry, the alert event (when e.Event is set; reason is the event's
// reason) and the stored alert.
func record(tx *store.Tx, al *Alert, e Entry, reason string) error {
	al.Revision++
	al.UpdatedAt = e.At
	e.Revision, e.State, e.Step, e.Score = al.Revision, al.State, al.Step, al.Score
	al.History = append(al.History, e)
	if e.Event != "" {
		// The event names a person only when one caused it, and the
		// decision in effect when the change is not about another one.
		by, dec := e.By, e.Decision
		if by == System {
			by = ""
		}
		if dec == "" {
			dec = al.Decision
		}
		ev, err := event.NewAlert(event.Alert{Event: e.Event, AlertID: al.ID, Revision: al.Revision, Orgnr: al.Orgnr,
			Name: al.Name, At: e.At, State: al.State, Step: al.Step, Score: al.Score, Hits: al.Hits,
			Assignee: al.Assignee, By: by, Decision: dec, Reason: reason, Outcome: e.Outcome, WrongHits: e.WrongHits})
		if err != nil {
			return err
		}
		if err := tx.Emit(ev); err != nil {
			return err
		}
	}
	return put(tx, alertKind, al.ID, al)
}

// Assign gives an alert to a coordinator: it is then being investigated
// (utreds). A decided alert may be assigned again to go on with it (to
// terminate after a halt, say); assigning it to whom it is already
// assigned changes nothing.
func (d *Desk) Assign(alertID, assignee, by string, at time.Time) (*Alert, error) {
	return d.AssignBecause(alertID, assignee, by, "", at)
}

// AssignBecause is Assign with why (may be empty): kept in the alert's
// history entry and the audit entry ("reason"), never in the event.
func (d *Desk) AssignBecause(alertID, assignee, by, why string, at time.Time) (*Alert, error) {
	assignee, by, why = strings.TrimSpace(assignee), strings.TrimSpace(by), strings.TrimSpace(why)
	if err := check("assign", req("alert_id", alertID), req("assignee", assignee), req("by", by), reqTime("at", at)); err != nil {
		return nil, err
	}
	var out *Alert
	err := d.Store.Update(func(tx *store.Tx) error {
		al, err := get[Alert](tx, alertKind, alertID)
		if err != nil {
			return err
		}
		if al.State == Stangd {
			return stateErr("assign", al.State)
		}
		if al.State == Utreds && al.Assignee == assignee {
			out = al
			return nil
		}
		al.State, al.Assignee = Utreds, assignee
		out = al
		if err := record(tx, al, Entry{At: at, By: by, What: event.AlertAssigned, Event: event.AlertAssigned, Assignee: assignee,
			Reason: why}, ""); err != nil {
			return err
		}
		return audited(tx, at, by, audit.AlertAssign, al.ID, alertDetail(al, "assignee", assignee, "reason", why))
	})
	if err != nil {
		return nil, wrap("alert", alertID, err)
	}
	return out, nil
}

// Close closes an alert without a decision (or after one took effect),
// recording what the coordinator found (Finding: the outcome is required,
// and for a false alarm the hits that were wrong, among the alert's hits).
// It is refused while a decision awaits approval or an avropsstopp is in
// force for the organisation: lift it first (hav_avropsstopp).
func (d *Desk) Close(alertID, by, reason string, f Finding, at time.Time) (*Alert, error) {
	by = strings.TrimSpace(by)
	f, fps := f.checked()
	if err := check("close", append([]*problem{req("alert_id", alertID), req("by", by), req("reason", reason), reqTime("at", at)}, fps...)...); err != nil {
		return nil, err
	}
	var out *Alert
	err := d.Store.Update(func(tx *store.Tx) error {
		al, err := get[Alert](tx, alertKind, alertID)
		if err != nil {
			return err
		}
		if err := check("close", f.notHits(al.Hits)...); err != nil {
			return err
		}
		org, err := getOrg(tx, al.Orgnr)
		if err != nil {
			return err
		}
		if err := closable(al, org, "close"); err != nil {
			return err
		}
		closeAlert(al, by, reason, at)
		al.Outcome, al.WrongHits = f.Outcome, f.WrongHits
		out = al
		if err := record(tx, al, Entry{At: at, By: by, What: event.AlertClosed, Event: event.AlertClosed, Reason: reason,
			Outcome: f.Outcome, WrongHits: f.WrongHits}, ""); err != nil {
			return err
		}
		return audited(tx, at, by, audit.AlertClose, al.ID, alertDetail(al, "outcome", f.Outcome,
			"wrong_hits", strings.Join(f.WrongHits, ",")))
	})
	if err != nil {
		return nil, wrap("alert", alertID, err)
	}
	d.log().Info("review: alert closed", "alert", redactID(alertID), "by", by, "outcome", f.Outcome)
	return out, nil
}

// closable refuses to close an alert that is closed, has a decision
// awaiting approval, or whose organisation has a halt in force.
func closable(al *Alert, org *orgDoc, op string) error {
	switch {
	case al.State == Stangd:
		return stateErr(op, al.State)
	case al.Pending != "":
		return refused(ErrState, CodeAwaitsApproval, "%s: decision %s awaits approval", op, redactID(al.Pending))
	case org.Halt != "":
		return refused(ErrState, CodeHaltInForce, "%s: avropsstopp %s is in force", op, redactID(org.Halt))
	}
	return nil
}

func closeAlert(al *Alert, by, reason string, at time.Time) {
	al.State = Stangd
	al.ClosedAt, al.ClosedBy, al.CloseReason = at, by, reason
	al.Snoozed, al.SnoozeUntil, al.SnoozedHits = false, time.Time{}, nil
}

// wrap names the alert or decision an operation failed on; nil stays nil,
// and a *FieldError, which already says what is wrong, is returned as it
// is.
func wrap(what, id string, err error) error {
	var fe *FieldError
	if err == nil || errors.As(err, &fe) {
		return err
	}
	return fmt.Errorf("review: %s %s: %w", what, redactID(id), err)
}

func stateErr(op string, state ladder.AlertState) error {
	return refused(ErrState, CodeInvalidState, "%s: alert is %s", op, state)
}
