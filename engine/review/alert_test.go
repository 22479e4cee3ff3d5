package review

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
)

func TestOpensAtL2AndAbove(t *testing.T) {
	for _, tc := range []struct {
		step  ladder.Step
		score float64
		hits  []string
		open  bool
	}{
		{screening.L0, 0, nil, false},
		{screening.L1, 15, []string{"S08"}, false},
		{screening.L2, 40, []string{"S04"}, true},
		{screening.L3, 0, []string{"S01"}, true},
		{screening.L5, 0, []string{"S01"}, true},
	} {
		t.Run(string(tc.step), func(t *testing.T) {
			e := newEnv(t)
			a := assessment(org1, day(2), tc.step, tc.score, tc.hits...)
			e.save(a)
			evs := e.events()
			// The assessment's event comes first, in the same transaction.
			if len(evs) == 0 || evs[0].Subject != event.AssessmentRoot+"."+string(tc.step)+"."+org1 || evs[0].OrgSeq != 1 {
				t.Fatalf("events %q", subjects(evs))
			}
			al, err := e.desk.OpenAlert(org1)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.open {
				if al != nil || len(evs) != 1 {
					t.Fatalf("opened %+v, events %q", al, subjects(evs))
				}
				return
			}
			e.wantSubjects(evs[1:], "vaksam.alert.opened."+org1)
			if evs[1].MsgID != "alert."+org1+"-1.1" || evs[1].OrgSeq != 2 {
				t.Errorf("msg id %s org seq %d", evs[1].MsgID, evs[1].OrgSeq)
			}
			p := alertEvent(t, evs[1])
			want := event.Alert{Event: event.AlertOpened, AlertID: org1 + "-1", Revision: 1, Orgnr: org1, Name: a.Name,
				At: a.At, State: Ny, Step: tc.step, Score: tc.score, Hits: tc.hits}
			if p.Event != want.Event || p.AlertID != want.AlertID || p.Revision != 1 || p.Orgnr != org1 || p.Name != want.Name ||
				!p.At.Equal(a.At) || p.State != Ny || p.Step != tc.step || p.Score != tc.score || !slices.Equal(p.Hits, tc.hits) || p.By != "" {
				t.Errorf("payload %+v, want %+v", p, want)
			}
			if al == nil || al.ID != org1+"-1" || al.Seq != 1 || al.State != Ny || al.Revision != 1 || al.Step != tc.step ||
				!al.AssessedAt.Equal(a.At) || al.Ruleset != a.Ruleset || al.Name != a.Name || !al.OpenedAt.Equal(a.At) {
				t.Fatalf("alert %+v", al)
			}
			h := al.History
			if len(h) != 1 || h[0].What != event.AlertOpened || h[0].By != System || h[0].Revision != 1 ||
				!slices.Equal(h[0].HitsAdded, tc.hits) || h[0].State != Ny {
				t.Errorf("history %+v", h)
			}
		})
	}
}

func TestBelowL2NeverOpens(t *testing.T) {
	e := newEnv(t)
	e.save(assessment(org1, day(1), screening.L1, 15, "S08"))
	e.save(assessment(org1, day(2), screening.L1, 20, "S08", "S11"))
	e.save(assessment(org1, day(3), screening.L0, 0))
	if evs := e.reviewEvents(); len(evs) != 0 {
		t.Fatalf("events %q", subjects(evs))
	}
	if as, err := e.desk.Alerts(nil); err != nil || len(as) != 0 {
		t.Fatalf("alerts %v %v", as, err)
	}
}

func TestFollowsAssessments(t *testing.T) {
	e := newEnv(t)
	id := org1 + "-1"
	e.save(assessment(org1, day(2), screening.L2, 40, "S04"))
	e.events()

	steps := []struct {
		name    string
		a       *screening.Assessment
		changed bool
		added   []string
		removed []string
	}{
		{"worse", assessment(org1, day(3), screening.L3, 55, "S01", "S04", "S08"), true, []string{"S01", "S08"}, nil},
		{"same result", assessment(org1, day(4), screening.L3, 55, "S01", "S04", "S08"), false, nil, nil},
		{"a past screening", assessment(org1, day(1), screening.L0, 0), false, nil, nil},
		{"better, below L2", assessment(org1, day(5), screening.L1, 15, "S08"), true, nil, []string{"S01", "S04"}},
	}
	rev := 1
	for _, s := range steps {
		e.save(s.a)
		evs := e.reviewEvents()
		al := e.alert(id)
		if !s.changed {
			if len(evs) != 0 || al.Revision != rev {
				t.Fatalf("%s: events %q, revision %d", s.name, subjects(evs), al.Revision)
			}
			continue
		}
		rev++
		e.wantSubjects(evs, "vaksam.alert.updated."+org1)
		p := alertEvent(t, evs[0])
		if p.Revision != rev || p.Step != s.a.Step || p.Score != s.a.Score || p.State != Ny || p.Reason != "" || !p.At.Equal(s.a.At) {
			t.Errorf("%s: payload %+v", s.name, p)
		}
		last := al.History[len(al.History)-1]
		if al.Revision != rev || al.Step != s.a.Step || !al.AssessedAt.Equal(s.a.At) || al.State != Ny ||
			last.What != event.AlertUpdated || last.Revision != rev || last.By != System ||
			!slices.Equal(last.HitsAdded, s.added) || !slices.Equal(last.HitsRemoved, s.removed) {
			t.Errorf("%s: alert %+v, last entry %+v", s.name, al, last)
		}
	}
	// Still one alert: an update never opens a second one.
	if as, _ := e.desk.Alerts(nil); len(as) != 1 {
		t.Errorf("%d alerts", len(as))
	}
}

func TestSnoozeUntilNewEvidence(t *testing.T) {
	e := newEnv(t)
	al := e.opened(org1) // S01, S04 at day 2
	r := request(al.ID, IngenAtgard, "anna")
	r.Justification = "Skulden är betald, kvitto från Kronofogden"
	r.Snooze = true
	dec := e.decide(r, day(3))
	if dec.Status != Bekraftad || !dec.Snooze || !dec.SnoozeUntil.IsZero() {
		t.Fatalf("decision %+v", dec)
	}
	evs := e.reviewEvents()
	e.wantSubjects(evs, "vaksam.alert.decided."+org1, "vaksam.alert.closed."+org1)
	decided, closed := alertEvent(t, evs[0]), alertEvent(t, evs[1])
	if decided.Revision != 2 || decided.State != Beslutad || decided.Decision != dec.ID || decided.By != "anna" || decided.Reason != string(IngenAtgard) ||
		closed.Revision != 3 || closed.State != Stangd || closed.Decision != dec.ID || closed.Reason != string(IngenAtgard) {
		t.Errorf("decided %+v\nclosed %+v", decided, closed)
	}
	al = e.alert(al.ID)
	if al.State != Stangd || !al.Snoozed || !slices.Equal(al.SnoozedHits, []string{"S01", "S04"}) || al.CloseReason != r.Justification {
		t.Fatalf("alert %+v", al)
	}
	if open, _ := e.desk.OpenAlert(org1); open != nil {
		t.Fatalf("open alert %+v", open)
	}

	// Fewer hits, another score: still snoozed, nothing written.
	e.save(assessment(org1, day(4), screening.L2, 40, "S04"))
	if evs := e.reviewEvents(); len(evs) != 0 {
		t.Fatalf("events %q", subjects(evs))
	}
	if got := e.alert(al.ID); got.Revision != 3 || got.State != Stangd {
		t.Fatalf("alert %+v", got)
	}
	// A hit it had when snoozed comes back: still snoozed.
	e.save(assessment(org1, day(5), screening.L3, 40, "S01", "S04"))
	if evs := e.reviewEvents(); len(evs) != 0 {
		t.Fatalf("events %q", subjects(evs))
	}
	// A new hit below L2: still snoozed.
	e.save(assessment(org1, day(6), screening.L1, 15, "S08"))
	if evs := e.reviewEvents(); len(evs) != 0 {
		t.Fatalf("events %q", subjects(evs))
	}
	// A new hit at L2: reopened, the same alert.
	a := assessment(org1, day(7), screening.L3, 55, "S01", "S04", "S08")
	e.save(a)
	evs = e.reviewEvents()
	e.wantSubjects(evs, "vaksam.alert.updated."+org1)
	p := alertEvent(t, evs[0])
	if p.AlertID != al.ID || p.Revision != 4 || p.State != Ny || p.Reason != Reopened || p.By != "" || p.Decision != dec.ID || p.Step != screening.L3 || !slices.Equal(p.Hits, []string{"S01", "S04", "S08"}) {
		t.Errorf("payload %+v", p)
	}
	al = e.alert(al.ID)
	last := al.History[len(al.History)-1]
	if al.State != Ny || al.Snoozed || al.SnoozedHits != nil || !al.ClosedAt.IsZero() || last.What != Reopened ||
		last.Reason != "new hits S08" || !slices.Equal(last.HitsAdded, []string{"S08"}) {
		t.Fatalf("alert %+v", al)
	}
	if open, _ := e.desk.OpenAlert(org1); open == nil || open.ID != al.ID {
		t.Fatalf("open alert %+v", open)
	}
}

func TestSnoozeUntilDate(t *testing.T) {
	e := newEnv(t)
	al := e.opened(org1)
	r := request(al.ID, IngenAtgard, "anna")
	r.SnoozeUntil = day(10)
	dec := e.decide(r, day(3))
	if !dec.Snooze || !dec.SnoozeUntil.Equal(day(10)) {
		t.Fatalf("decision %+v", dec)
	}
	e.events()

	// Before the date, the same hits: snoozed.
	e.save(assessment(org1, day(9), screening.L3, 0, "S01", "S04"))
	if evs := e.reviewEvents(); len(evs) != 0 {
		t.Fatalf("events %q", subjects(evs))
	}
	// A screening as of the date itself, with the same result as before:
	// the assessment is not published again, but the snooze is over.
	e.save(assessment(org1, day(10), screening.L3, 0, "S01", "S04"))
	evs := e.events()
	e.wantSubjects(evs, "vaksam.alert.updated."+org1)
	if p := alertEvent(t, evs[0]); p.Reason != Reopened || p.State != Ny || p.Revision != 4 {
		t.Errorf("payload %+v", p)
	}
	if got := e.alert(al.ID); got.State != Ny || got.History[len(got.History)-1].Reason != "snooze ended 2026-11-10T12:00:00Z" {
		t.Fatalf("alert %+v", got)
	}
}

func TestSnoozeDateNeedsTheNewestAssessmentAtL2(t *testing.T) {
	e := newEnv(t)
	al := e.opened(org1)
	r := request(al.ID, IngenAtgard, "anna")
	r.SnoozeUntil = day(10)
	e.decide(r, day(3))
	e.events()
	// After the date but below L2: snoozed.
	e.save(assessment(org1, day(12), screening.L1, 15, "S04"))
	// A reproduction as of a time between: no change downstream.
	e.save(assessment(org1, day(11), screening.L3, 0, "S01", "S04"))
	if evs := e.reviewEvents(); len(evs) != 0 {
		t.Fatalf("events %q", subjects(evs))
	}
	if got := e.alert(al.ID); got.State != Stangd || !got.Snoozed {
		t.Fatalf("alert %+v", got)
	}
	// The newest, at L2: reopened.
	e.save(assessment(org1, day(13), screening.L2, 40, "S04"))
	e.wantSubjects(e.reviewEvents(), "vaksam.alert.updated."+org1)
}

func TestClosedWithoutSnoozeOpensANewAlert(t *testing.T) {
	e := newEnv(t)
	al := e.opened(org1)
	if _, err := e.desk.Close(al.ID, "anna", "Felaktig träff, annan organisation", Finding{Outcome: OutcomeJustified}, day(3)); err != nil {
		t.Fatal(err)
	}
	evs := e.reviewEvents()
	e.wantSubjects(evs, "vaksam.alert.closed."+org1)
	if p := alertEvent(t, evs[0]); p.State != Stangd || p.By != "anna" || p.Revision != 2 || p.Reason != "" {
		t.Errorf("payload %+v", p)
	}
	got := e.alert(al.ID)
	if got.State != Stangd || got.Snoozed || got.ClosedBy != "anna" || got.CloseReason != "Felaktig träff, annan organisation" || !got.ClosedAt.Equal(day(3)) {
		t.Fatalf("alert %+v", got)
	}
	// The same result again changes nothing; a changed one opens alert 2.
	e.save(assessment(org1, day(4), screening.L3, 40, "S01", "S04"))
	if evs := e.reviewEvents(); len(evs) != 0 {
		t.Fatalf("events %q", subjects(evs))
	}
	e.save(assessment(org1, day(5), screening.L3, 55, "S01", "S04", "S08"))
	evs = e.reviewEvents()
	e.wantSubjects(evs, "vaksam.alert.opened."+org1)
	if p := alertEvent(t, evs[0]); p.AlertID != org1+"-2" || p.Revision != 1 {
		t.Errorf("payload %+v", p)
	}
	as, err := e.desk.Alerts(nil)
	if err != nil || len(as) != 2 || as[0].ID != org1+"-1" || as[1].ID != org1+"-2" {
		t.Fatalf("alerts %v %v", as, err)
	}
	open, err := e.desk.Alerts(func(a *Alert) bool { return a.Open() })
	if err != nil || len(open) != 1 || open[0].ID != org1+"-2" {
		t.Fatalf("open alerts %v %v", open, err)
	}
}

func TestAssign(t *testing.T) {
	e := newEnv(t)
	al := e.opened(org1)
	got, err := e.desk.Assign(al.ID, "bertil", "anna", day(3))
	if err != nil {
		t.Fatal(err)
	}
	if got.State != Utreds || got.Assignee != "bertil" || got.Revision != 2 {
		t.Fatalf("alert %+v", got)
	}
	evs := e.reviewEvents()
	e.wantSubjects(evs, "vaksam.alert.assigned."+org1)
	if p := alertEvent(t, evs[0]); p.Assignee != "bertil" || p.By != "anna" || p.State != Utreds || !p.At.Equal(day(3)) {
		t.Errorf("payload %+v", p)
	}
	// The same again changes nothing; someone else is a new revision.
	if got, err = e.desk.Assign(al.ID, "bertil", "anna", day(3)); err != nil || got.Revision != 2 {
		t.Fatalf("alert %+v, %v", got, err)
	}
	if evs := e.reviewEvents(); len(evs) != 0 {
		t.Fatalf("events %q", subjects(evs))
	}
	if got, err = e.desk.Assign(al.ID, "cecilia", "anna", day(4)); err != nil || got.Revision != 3 || got.Assignee != "cecilia" {
		t.Fatalf("alert %+v, %v", got, err)
	}
	if h := got.History[len(got.History)-1]; h.What != event.AlertAssigned || h.Assignee != "cecilia" || h.By != "anna" {
		t.Errorf("entry %+v", h)
	}
}

func TestAlertRefusals(t *testing.T) {
	e := newEnv(t)
	al := e.opened(org1)
	if _, err := e.desk.Close(al.ID, "anna", "klart", Finding{Outcome: OutcomeJustified}, day(3)); err != nil {
		t.Fatal(err)
	}
	e.events()
	for _, tc := range []struct {
		name   string
		op     func() error
		target error
		msg    string
	}{
		{"assign without assignee", func() error { _, err := e.desk.Assign(al.ID, " ", "anna", day(4)); return err },
			ErrInvalid, "review: assign: assignee: required"},
		{"assign without time", func() error { _, err := e.desk.Assign(al.ID, "bertil", "anna", time.Time{}); return err },
			ErrInvalid, "review: assign: at: required"},
		{"close without reason", func() error {
			_, err := e.desk.Close(al.ID, "anna", "", Finding{Outcome: OutcomeJustified}, day(4))
			return err
		},
			ErrInvalid, "review: close: reason: required"},
		{"close without anyone", func() error {
			_, err := e.desk.Close(al.ID, "", "x", Finding{Outcome: OutcomeJustified}, day(4))
			return err
		},
			ErrInvalid, "review: close: by: required"},
		{"assign a closed alert", func() error { _, err := e.desk.Assign(al.ID, "bertil", "anna", day(4)); return err },
			ErrState, "review: alert 5591234561-1: assign: alert is stangd: not allowed in this state"},
		{"close a closed alert", func() error {
			_, err := e.desk.Close(al.ID, "anna", "igen", Finding{Outcome: OutcomeJustified}, day(4))
			return err
		},
			ErrState, ""},
		{"an unknown alert", func() error { _, err := e.desk.Assign(org1+"-9", "bertil", "anna", day(4)); return err },
			ErrNotFound, "review: alert 5591234561-9: not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.op()
			wantErr(t, err, tc.target)
			if tc.msg != "" && err.Error() != tc.msg {
				t.Errorf("message %q, want %q", err, tc.msg)
			}
			if evs := e.reviewEvents(); len(evs) != 0 {
				t.Errorf("events %q", subjects(evs))
			}
			if got := e.alert(al.ID); got.Revision != 2 || got.State != Stangd {
				t.Errorf("alert %+v", got)
			}
		})
	}
	wantErr(t, mustErr(e.desk.Alert("nope")), store.ErrNotFound)
	wantErr(t, mustErr(e.desk.Decision("nope")), ErrNotFound)
	wantErr(t, mustErr(e.desk.Decisions("nope")), ErrNotFound)
}

func mustErr[T any](_ T, err error) error { return err }

// A save whose transaction fails leaves neither the alert nor its events.
func TestFailedSaveLeavesNothing(t *testing.T) {
	e := newEnv(t)
	boom := errors.New("boom")
	e.hook(func(tx *store.Tx, a *screening.Assessment, ch screening.Change) error {
		if err := e.desk.OnSave(tx, a, ch); err != nil {
			return err
		}
		return boom
	})
	if err := e.sc.Save(assessment(org1, day(2), screening.L3, 0, "S01")); !errors.Is(err, boom) {
		t.Fatalf("save: %v", err)
	}
	if evs := e.events(); len(evs) != 0 {
		t.Fatalf("events %q", subjects(evs))
	}
	if al, err := e.desk.OpenAlert(org1); al != nil || err != nil {
		t.Fatalf("alert %+v %v", al, err)
	}
	// The next save numbers the alert and the events from the start.
	e.hook(e.desk.OnSave)
	e.save(assessment(org1, day(2), screening.L3, 0, "S01"))
	evs := e.events()
	if len(evs) != 2 || evs[0].OrgSeq != 1 || evs[1].OrgSeq != 2 || evs[1].MsgID != "alert."+org1+"-1.1" {
		t.Fatalf("events %+v", evs)
	}
}

func TestSoleTraderRedactedInErrors(t *testing.T) {
	e := newEnv(t)
	_, err := e.desk.Alert("8001011231-1")
	if err == nil || err.Error() != "review: alert 80XXXX-XXXX-1: not found" {
		t.Fatalf("error %v", err)
	}
}

// A pre-award check's assessment is its caller's answer: stored, and
// published when it says something else than the follow-up, but it
// neither opens, follows nor reopens an alert, and the next follow-up
// assessment is compared with the follow-up before it.
func TestPreAwardCheckMovesNoAlert(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(e *env) string // the alert to look at afterwards ("" for none)
	}{
		{"no alert", func(*env) string { return "" }},
		{"open alert", func(e *env) string { return e.opened(org1).ID }},
		{"snoozed alert", func(e *env) string {
			al := e.opened(org1)
			r := request(al.ID, IngenAtgard, "anna")
			r.Snooze = true
			e.decide(r, day(3))
			e.events()
			return al.ID
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			id := tc.setup(e)
			var before *Alert
			if id != "" {
				before = e.alert(id)
			}
			// A critical hit the alert never had, before award, as of a
			// later day than the follow-up: L5.
			check := assessment(org1, day(8), screening.L5, 70, "S01", "S04", "S08")
			check.Purpose, check.Verdict = screening.Award, screening.Block
			e.save(check)
			evs := e.events()
			e.wantSubjects(evs, "vaksam.assessment.L5."+org1)
			if id == "" {
				if as, err := e.desk.Alerts(nil); err != nil || len(as) != 0 {
					t.Fatalf("alerts %v %v", as, err)
				}
			} else if after := e.alert(id); after.Revision != before.Revision || after.State != before.State ||
				after.Step != before.Step || !slices.Equal(after.Hits, before.Hits) || !after.AssessedAt.Equal(before.AssessedAt) {
				t.Fatalf("the check moved the alert:\n%+v\nbefore\n%+v", after, before)
			}
			// The next follow-up, as the last one: nothing changed.
			e.save(assessment(org1, day(9), screening.L3, 40, "S01", "S04"))
			if id == "" {
				// The first follow-up result: published as the first,
				// and it opens the alert.
				evs := e.events()
				e.wantSubjects(evs, "vaksam.assessment.L3."+org1, "vaksam.alert.opened."+org1)
				var p event.Assessment
				if err := json.Unmarshal(evs[0].Data, &p); err != nil || p.Previous != nil {
					t.Fatalf("the first follow-up's previous %+v (%v), want null", p.Previous, err)
				}
				return
			}
			if evs := e.events(); len(evs) != 0 {
				t.Fatalf("a follow-up as the one before the check published %q", subjects(evs))
			}
			if after := e.alert(id); after.Revision != before.Revision {
				t.Fatalf("alert revision %d, want %d", after.Revision, before.Revision)
			}
		})
	}
}
