package review

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/store"
)

// actions maps the decision kinds that command something to their action.
var actions = map[ladder.DecisionKind]string{
	Avropsstopp:    event.Halt,
	HavAvropsstopp: event.Resume,
	Havning:        event.Terminate,
	Uteslutning:    event.Exclude,
}

// Decide records a decision on an alert.
//
// The alert must be ny or utreds; hav_avropsstopp may also be decided on a
// beslutad alert. While a decision awaits approval the alert takes no other
// decision except avropsstopp and hav_avropsstopp.
//
//   - avropsstopp takes effect at once (bekraftad): the alert is beslutad,
//     the halt is in force for the organisation (a second one is refused),
//     events alert "decided" and action halt.
//   - hav_avropsstopp lifts the halt in force (refused when there is none)
//     and supersedes it: as avropsstopp, with action resume.
//   - havning and uteslutning await approval (vantar_godkannande): the alert
//     records the pending decision and nothing is published until Approve.
//   - ingen_atgard takes effect at once and closes the alert, snoozed when
//     asked: events alert "decided" then "closed". It is refused while an
//     avropsstopp is in force.
//
// An alert nobody has is assigned to the decider by the decision (see
// handler): whoever decides on it is its handler. One that has a handler
// keeps it.
func (d *Desk) Decide(r DecisionRequest, at time.Time) (*Decision, error) {
	r.AlertID, r.Kind, r.DecidedBy = strings.TrimSpace(r.AlertID), ladder.DecisionKind(strings.TrimSpace(string(r.Kind))), strings.TrimSpace(r.DecidedBy)
	if r.DecidedByPerson = strings.TrimSpace(r.DecidedByPerson); r.DecidedByPerson == r.DecidedBy {
		r.DecidedByPerson = ""
	}
	r.Ground = strings.TrimSpace(r.Ground)
	if err := validate(r, at); err != nil {
		return nil, err
	}
	var dec *Decision
	err := d.Store.Update(func(tx *store.Tx) error {
		al, err := get[Alert](tx, alertKind, r.AlertID)
		if err != nil {
			return err
		}
		org, err := getOrg(tx, al.Orgnr)
		if err != nil {
			return err
		}
		op := "decide " + string(r.Kind)
		switch {
		case al.State == Beslutad && r.Kind == HavAvropsstopp:
		case al.State == Beslutad && r.Kind.FourEyes() && org.Halt != "":
			// Call-offs are halted while the case goes on: termination
			// or exclusion is the next step.
		case al.State != Ny && al.State != Utreds:
			return stateErr(op, al.State)
		}
		if al.Pending != "" && r.Kind != Avropsstopp && r.Kind != HavAvropsstopp {
			return refused(ErrState, CodeAwaitsApproval, "%s: decision %s awaits approval", op, redactID(al.Pending))
		}
		dec = newDecision(al, r, at)
		al.Decisions = append(al.Decisions, dec.ID)
		switch r.Kind {
		case Avropsstopp:
			if org.Halt != "" {
				return refused(ErrState, CodeHaltInForce, "%s: avropsstopp %s is already in force", op, redactID(org.Halt))
			}
			org.Halt = dec.ID
		case HavAvropsstopp:
			if org.Halt == "" {
				return refused(ErrState, CodeNoHalt, "%s: no avropsstopp is in force", op)
			}
			halt, err := get[Decision](tx, decisionKind, org.Halt)
			if err != nil {
				return fmt.Errorf("avropsstopp %s: %w", redactID(org.Halt), err)
			}
			halt.LiftedBy, halt.LiftedAt = dec.ID, at
			if err := put(tx, decisionKind, halt.ID, halt); err != nil {
				return err
			}
			dec.Supersedes, org.Halt = halt.ID, ""
		case IngenAtgard:
			if err := closable(al, org, op); err != nil {
				return err
			}
		}
		assigned := handler(al, dec)
		if r.Kind.FourEyes() {
			dec.Status = VantarGodkannande
			al.Pending = dec.ID
			if err := record(tx, al, Entry{At: at, By: dec.DecidedBy, What: Pending, Decision: dec.ID, Assignee: assigned}, ""); err != nil {
				return err
			}
		} else if err := take(tx, al, dec, dec.DecidedBy, assigned, at); err != nil {
			return err
		}
		if err := put(tx, decisionKind, dec.ID, dec); err != nil {
			return err
		}
		if err := audited(tx, at, dec.DecidedBy, audit.DecisionCreate, dec.ID,
			decisionDetail(dec, al, "supersedes", localID(dec.Supersedes, dec.Orgnr), "person", dec.DecidedByPerson,
				"assigned", assigned)); err != nil {
			return err
		}
		return put(tx, orgKind, al.Orgnr, org)
	})
	if err != nil {
		return nil, wrap("alert", r.AlertID, err)
	}
	d.log().Info("review: decision", "decision", redactID(dec.ID), "kind", dec.Kind, "status", dec.Status, "by", dec.DecidedBy)
	return dec, nil
}

// handler makes the decider the handler of an alert nobody has: it is
// assigned to the decider (Decision.Decider, the person), and a ny alert
// becomes utreds, as part of the decision's change: its history entry and
// event ("decided", or the pending entry) carry the assignee, and the
// decision's audit entry names it ("assigned"). It returns who was
// assigned, "" when the alert has a handler: that one keeps it, whoever
// decides (the handler runs the case, the decision names its decider,
// and reassigning stays a choice someone makes with Assign).
func handler(al *Alert, dec *Decision) string {
	if al.Assignee != "" {
		return ""
	}
	al.Assignee = dec.Decider()
	if al.State == Ny {
		al.State = Utreds
	}
	return al.Assignee
}

// newDecision builds the decision a request asks for on an alert.
func newDecision(al *Alert, r DecisionRequest, at time.Time) *Decision {
	seq := len(al.Decisions) + 1
	dec := &Decision{ID: fmt.Sprintf("%s-d%d", al.ID, seq), Seq: seq, AlertID: al.ID, Orgnr: al.Orgnr, Name: al.Name,
		Kind: r.Kind, DecidedBy: r.DecidedBy, DecidedByPerson: r.DecidedByPerson, DecidedAt: at, Justification: r.Justification, Ground: r.Ground,
		Diarienummer: strings.TrimSpace(r.Diarienummer),
		Contracts:    make([]string, 0, len(r.Contracts)), Evidence: r.Evidence, Status: Bekraftad}
	switch r.Ground {
	case GroundAvtalsvillkor:
		dec.ContractClause = strings.TrimSpace(r.ContractClause)
	case GroundAnnat:
		dec.GroundOther = strings.TrimSpace(r.GroundOther)
	}
	for _, c := range r.Contracts {
		dec.Contracts = append(dec.Contracts, strings.TrimSpace(c))
	}
	if dec.Evidence.Records == nil {
		dec.Evidence.Records = []profile.Ref{}
	}
	if r.Kind == IngenAtgard {
		dec.Snooze = r.Snooze || !r.SnoozeUntil.IsZero()
		dec.SnoozeUntil = r.SnoozeUntil
	}
	return dec
}

// take makes a confirmed decision take effect on its alert at a time, by
// the decider or the approver: the alert is beslutad ("decided"), then,
// for ingen_atgard, stangd ("closed"); the action is published. assigned
// is who the decision made the alert's handler, "" for nobody.
func take(tx *store.Tx, al *Alert, dec *Decision, by, assigned string, at time.Time) error {
	al.State, al.Decision = Beslutad, dec.ID
	if err := record(tx, al, Entry{At: at, By: by, What: event.AlertDecided, Event: event.AlertDecided,
		Decision: dec.ID, Reason: string(dec.Kind), Assignee: assigned}, string(dec.Kind)); err != nil {
		return err
	}
	if dec.Kind == IngenAtgard {
		closeAlert(al, by, dec.Justification, at)
		al.Snoozed, al.SnoozeUntil = dec.Snooze, dec.SnoozeUntil
		if al.Snoozed {
			al.SnoozedHits = append([]string{}, al.Hits...)
		}
		return record(tx, al, Entry{At: at, By: by, What: event.AlertClosed, Event: event.AlertClosed,
			Decision: dec.ID, Reason: dec.Justification}, string(IngenAtgard))
	}
	kind, ok := actions[dec.Kind]
	if !ok {
		return fmt.Errorf("decision %s: kind %q has no action", redactID(dec.ID), dec.Kind)
	}
	ev, err := event.NewAction(event.Action{ActionID: dec.ID, Kind: kind, Orgnr: dec.Orgnr, Name: dec.Name,
		At: dec.EffectiveAt(), DecidedBy: dec.DecidedBy, ApprovedBy: dec.ApprovedBy, Ground: dec.GroundText(),
		Contracts: dec.Contracts, Supersedes: dec.Supersedes})
	if err != nil {
		return fmt.Errorf("decision %s: %w", redactID(dec.ID), err)
	}
	if err := tx.Emit(ev); err != nil {
		return fmt.Errorf("decision %s: %w", redactID(dec.ID), err)
	}
	return nil
}

// Approve is ApproveAs by a person acting under their own id.
func (d *Desk) Approve(decisionID, approver string, at time.Time) (*Decision, error) {
	return d.ApproveAs(decisionID, Actor{ID: approver}, at)
}

// ApproveAs is the second person's yes to a decision awaiting approval:
// it takes effect (bekraftad), the alert is beslutad and the action is
// published with ApprovedBy (by.ID). Nobody approves their own decision
// (ErrForbidden): not under another id either, such as a token the
// person holds (by.Person is compared with the decision's Decider). And
// no termination or exclusion is approved before the supplier was heard
// (Desk.Heard at the time of approval: by a notice valid under the
// desk's rules now; else ErrState): see Inform and Respond.
func (d *Desk) ApproveAs(decisionID string, by Actor, at time.Time) (*Decision, error) {
	approver := strings.TrimSpace(by.ID)
	if err := check("approve", req("decision_id", decisionID), req("approver", approver), reqTime("at", at)); err != nil {
		return nil, err
	}
	var out *Decision
	err := d.Store.Update(func(tx *store.Tx) error {
		dec, al, err := pending(tx, decisionID, by, at, "approve")
		if err != nil {
			return err
		}
		if err := d.heard(dec, at); err != nil {
			return err
		}
		dec.Status, dec.ApprovedBy, dec.ApprovedAt = Bekraftad, approver, at
		al.Pending = ""
		if err := take(tx, al, dec, approver, "", at); err != nil {
			return err
		}
		out = dec
		if err := audited(tx, at, approver, audit.DecisionApprove, dec.ID, decisionDetail(dec, al, "person", otherPerson(by))); err != nil {
			return err
		}
		return put(tx, decisionKind, dec.ID, dec)
	})
	if err != nil {
		return nil, wrap("decision", decisionID, err)
	}
	d.log().Info("review: decision approved", "decision", redactID(out.ID), "kind", out.Kind, "by", approver)
	return out, nil
}

// Reject is RejectAs by a person acting under their own id.
func (d *Desk) Reject(decisionID, approver, reason string, at time.Time) (*Decision, error) {
	return d.RejectAs(decisionID, Actor{ID: approver}, reason, at)
}

// RejectAs is the second person's no to a decision awaiting approval: it
// is avslagen, nothing is published but the alert's "updated" event
// (reason "rejected"), and the alert may take another decision. Nobody
// rejects their own decision either, under any id (ErrForbidden).
func (d *Desk) RejectAs(decisionID string, by Actor, reason string, at time.Time) (*Decision, error) {
	approver := strings.TrimSpace(by.ID)
	if err := check("reject", req("decision_id", decisionID), req("approver", approver), req("reason", reason),
		reqTime("at", at)); err != nil {
		return nil, err
	}
	var out *Decision
	err := d.Store.Update(func(tx *store.Tx) error {
		dec, al, err := pending(tx, decisionID, by, at, "reject")
		if err != nil {
			return err
		}
		dec.Status, dec.RejectedBy, dec.RejectedAt, dec.RejectionReason = Avslagen, approver, at, reason
		al.Pending = ""
		if err := record(tx, al, Entry{At: at, By: approver, What: Rejected, Event: event.AlertUpdated,
			Decision: dec.ID, Reason: reason}, Rejected); err != nil {
			return err
		}
		out = dec
		if err := audited(tx, at, approver, audit.DecisionReject, dec.ID, decisionDetail(dec, al, "person", otherPerson(by))); err != nil {
			return err
		}
		return put(tx, decisionKind, dec.ID, dec)
	})
	if err != nil {
		return nil, wrap("decision", decisionID, err)
	}
	d.log().Info("review: decision rejected", "decision", redactID(out.ID), "kind", out.Kind, "by", approver)
	return out, nil
}

// otherPerson is the actor's person when it is not the actor's id, for
// the audit trail.
func otherPerson(a Actor) string {
	if p := a.PersonID(); p != strings.TrimSpace(a.ID) {
		return p
	}
	return ""
}

// pending reads a decision awaiting approval and its alert, for a second
// person to approve or reject at a time.
func pending(tx *store.Tx, id string, by Actor, at time.Time, op string) (*Decision, *Alert, error) {
	dec, err := get[Decision](tx, decisionKind, id)
	if err != nil {
		return nil, nil, err
	}
	if dec.Status != VantarGodkannande {
		return nil, nil, refused(ErrState, CodeInvalidState, "%s: decision is %s", op, dec.Status)
	}
	if p := by.PersonID(); p == dec.Decider() || strings.TrimSpace(by.ID) == dec.DecidedBy {
		return nil, nil, refused(ErrForbidden, CodeFourEyes, "%s: %s decided it: four eyes", op, p)
	}
	if at.Before(dec.DecidedAt) {
		return nil, nil, check(op, &problem{"at", "before the decision", CodeBeforeDecision, nil})
	}
	al, err := get[Alert](tx, alertKind, dec.AlertID)
	if err != nil {
		return nil, nil, fmt.Errorf("alert %s: %w", redactID(dec.AlertID), err)
	}
	if al.Pending != dec.ID || al.State == Stangd {
		return nil, nil, refused(ErrState, CodeInvalidState, "%s: alert %s does not await it", op, redactID(al.ID))
	}
	return dec, al, nil
}

// validate checks every field of a decision request.
func validate(r DecisionRequest, at time.Time) error {
	ps := []*problem{req("alert_id", r.AlertID), req("decided_by", r.DecidedBy), req("justification", r.Justification),
		reqTime("at", at)}
	switch {
	case r.Kind == "":
		ps = append(ps, &problem{"kind", "required", CodeRequired, nil})
	case !slices.Contains(Kinds, r.Kind):
		ps = append(ps, &problem{"kind", fmt.Sprintf("%q is not one of %s", r.Kind, ladder.List(Kinds)), CodeInvalid, nil})
	}
	switch {
	case r.Ground == "" && r.Kind == IngenAtgard:
	case r.Ground == "":
		ps = append(ps, &problem{"ground", "required", CodeRequired, nil})
	case !slices.Contains(Grounds, r.Ground):
		ps = append(ps, &problem{"ground", fmt.Sprintf("%q is not one of %s", r.Ground, strings.Join(Grounds, ", ")), CodeInvalid, nil})
	case r.Ground == GroundAvtalsvillkor:
		ps = append(ps, req("contract_clause", r.ContractClause))
	case r.Ground == GroundAnnat:
		ps = append(ps, req("ground_other", r.GroundOther))
	}
	if r.Ground != GroundAvtalsvillkor && !blank(r.ContractClause) {
		ps = append(ps, &problem{"contract_clause", "only with ground " + GroundAvtalsvillkor, CodeOnlyClauseGround, nil})
	}
	if r.Ground != GroundAnnat && !blank(r.GroundOther) {
		ps = append(ps, &problem{"ground_other", "only with ground " + GroundAnnat, CodeOnlyOtherGround, nil})
	}
	ps = append(ps, diarienummer(r.Diarienummer))
	seen := map[string]bool{}
	for i, c := range r.Contracts {
		c = strings.TrimSpace(c)
		switch {
		case c == "":
			ps = append(ps, &problem{fmt.Sprintf("contracts[%d]", i), "blank", CodeBlank, nil})
		case seen[c]:
			ps = append(ps, &problem{fmt.Sprintf("contracts[%d]", i), fmt.Sprintf("%q twice", c), CodeTwice, nil})
		}
		seen[c] = true
	}
	ps = append(ps, reqTime("evidence.assessment_at", r.Evidence.AssessmentAt), req("evidence.ruleset", r.Evidence.Ruleset))
	if !at.IsZero() && r.Evidence.AssessmentAt.After(at) {
		ps = append(ps, &problem{"evidence.assessment_at", "after the decision", CodeAfterDecision, nil})
	}
	if r.Kind != IngenAtgard && r.Kind != "" {
		if r.Snooze {
			ps = append(ps, &problem{"snooze", "only for " + string(IngenAtgard), CodeOnlyIngenAtgard, nil})
		}
		if !r.SnoozeUntil.IsZero() {
			ps = append(ps, &problem{"snooze_until", "only for " + string(IngenAtgard), CodeOnlyIngenAtgard, nil})
		}
	} else if !r.SnoozeUntil.IsZero() && !at.IsZero() && !r.SnoozeUntil.After(at) {
		ps = append(ps, &problem{"snooze_until", "not after the decision", CodeNotAfterDecision, nil})
	}
	return check("decision", ps...)
}

// problem is what is wrong with one field: in English, and as a code
// with its arguments (FieldError).
type problem struct {
	field, text, code string
	args              []any
}

// diarienummer is the problem of a decision's diarienummer, if any:
// optional, but not longer than MaxDiarienummer, UTF-8, and on one line.
func diarienummer(v string) *problem {
	v = strings.TrimSpace(v)
	switch {
	case !utf8.ValidString(v):
		return &problem{"diarienummer", "not UTF-8", CodeNotUTF8, nil}
	case utf8.RuneCountInString(v) > MaxDiarienummer:
		return &problem{"diarienummer", fmt.Sprintf("%d characters, at most %d", utf8.RuneCountInString(v), MaxDiarienummer), CodeTooLong, nil}
	case strings.ContainsFunc(v, unicode.IsControl):
		return &problem{"diarienummer", "a control character (e.g. a line break)", CodeInvalid, nil}
	}
	return nil
}

func req(field, v string) *problem {
	if blank(v) {
		return &problem{field, "required", CodeRequired, nil}
	}
	return nil
}

func reqTime(field string, t time.Time) *problem {
	if t.IsZero() {
		return &problem{field, "required", CodeRequired, nil}
	}
	return nil
}

// check joins the problems found (nils are none) into one error, each a
// *FieldError of op.
func check(op string, ps ...*problem) error {
	var errs []error
	for _, p := range ps {
		if p != nil {
			errs = append(errs, &FieldError{Op: op, Field: p.field, Problem: p.text, Code: p.code, Args: p.args})
		}
	}
	return errors.Join(errs...)
}
