package review

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
)

// Closing records the outcome, and for a false alarm the wrong hits, on
// the alert, in its history entry, in the audit detail and in the closed
// event.
func TestCloseRecordsTheOutcome(t *testing.T) {
	for _, c := range []struct {
		name      string
		f         Finding
		outcome   string   // recorded
		wantWrong []string // recorded
		wrong     string   // audit detail wrong_hits, "" for none
	}{
		{"bekräftad risk", Finding{Outcome: OutcomeConfirmed}, OutcomeConfirmed, nil, ""},
		{"befogat larm", Finding{Outcome: " " + OutcomeJustified + " "}, OutcomeJustified, nil, ""},
		{"falsklarm, both hits", Finding{Outcome: OutcomeFalseAlarm, WrongHits: []string{"S04", "S01", "S04"}}, OutcomeFalseAlarm,
			[]string{"S01", "S04"}, "S01,S04"},
		{"falsklarm, one hit", Finding{Outcome: OutcomeFalseAlarm, WrongHits: []string{"S04"}}, OutcomeFalseAlarm, []string{"S04"}, "S04"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			al := e.opened(org1)
			e.trail()
			got, err := e.desk.Close(al.ID, "anna", "utrett", c.f, day(3))
			if err != nil {
				t.Fatal(err)
			}
			outcome, wantWrong := c.outcome, c.wantWrong
			stored := e.alert(al.ID)
			for _, a := range []*Alert{got, stored} {
				if a.Outcome != outcome || !slices.Equal(a.WrongHits, wantWrong) {
					t.Errorf("alert outcome %q wrong %v, want %q %v", a.Outcome, a.WrongHits, outcome, wantWrong)
				}
			}
			h := stored.History[len(stored.History)-1]
			if h.Outcome != outcome || !slices.Equal(h.WrongHits, wantWrong) {
				t.Errorf("history entry %+v", h)
			}
			evs := e.reviewEvents()
			e.wantSubjects(evs, "vaksam.alert.closed."+org1)
			if p := alertEvent(t, evs[0]); p.Outcome != outcome || !slices.Equal(p.WrongHits, wantWrong) {
				t.Errorf("event payload %+v", p)
			}
			x := e.wantTrail("alert.close anna " + al.ID)
			wantDetail(t, x[0], "outcome", outcome)
			if got := x[0].Detail["wrong_hits"]; got != c.wrong {
				t.Errorf("audit wrong_hits %q, want %q", got, c.wrong)
			}
		})
	}
}

// A close without a valid finding is refused with the field named, and
// changes nothing.
func TestCloseRefusesABadFinding(t *testing.T) {
	e := newEnv(t)
	al := e.opened(org1) // hits S01, S04
	e.trail()
	for _, c := range []struct {
		name        string
		f           Finding
		field, code string
	}{
		{"no outcome", Finding{}, "outcome", CodeRequired},
		{"an unknown outcome", Finding{Outcome: "kanske"}, "outcome", CodeInvalid},
		{"falsklarm without wrong hits", Finding{Outcome: OutcomeFalseAlarm}, "wrong_hits", CodeRequired},
		{"falsklarm with blank wrong hits", Finding{Outcome: OutcomeFalseAlarm, WrongHits: []string{" "}}, "wrong_hits", CodeRequired},
		{"a wrong hit the alert has not", Finding{Outcome: OutcomeFalseAlarm, WrongHits: []string{"S04", "S18"}}, "wrong_hits", CodeNotAHit},
		{"wrong hits on befogat larm", Finding{Outcome: OutcomeJustified, WrongHits: []string{"S04"}}, "wrong_hits", CodeInvalid},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.desk.Close(al.ID, "anna", "utrett", c.f, day(3))
			var fe *FieldError
			if !errors.As(err, &fe) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("%v: want a field error", err)
			}
			if fe.Op != "close" || fe.Field != c.field || fe.Code != c.code {
				t.Errorf("field %q code %q (%s), want %q %q", fe.Field, fe.Code, fe.Problem, c.field, c.code)
			}
		})
	}
	if got := e.alert(al.ID); got.State == Stangd || got.Revision != al.Revision {
		t.Errorf("alert changed by refused closes: %+v", got)
	}
	if evs := e.reviewEvents(); len(evs) != 0 {
		t.Errorf("events %q", subjects(evs))
	}
	if x := e.trail(); len(x) != 0 {
		t.Errorf("audit entries %v", x)
	}
}

// An alert stored before outcomes were recorded reads with outcome ""
// (unknown), and a no-action decision closes (and snoozes) without one.
func TestOutcomeOfOldAndSnoozedAlerts(t *testing.T) {
	var old Alert
	if err := json.Unmarshal([]byte(`{"id":"5591234561-1","seq":1,"orgnr":"5591234561","state":"stangd","hits":["S04"],"closed_by":"anna","close_reason":"klart","history":[]}`), &old); err != nil {
		t.Fatal(err)
	}
	if old.Outcome != "" || old.WrongHits != nil || old.Open() {
		t.Errorf("old alert %+v", old)
	}
	e := newEnv(t)
	al := e.opened(org1)
	r := request(al.ID, IngenAtgard, "anna")
	r.Snooze = true
	e.decide(r, day(3))
	got := e.alert(al.ID)
	if got.State != Stangd || !got.Snoozed || got.Outcome != "" {
		t.Errorf("snoozed alert %+v", got)
	}
	evs := e.reviewEvents()
	if p := alertEvent(t, evs[len(evs)-1]); p.Event != "closed" || p.Outcome != "" || p.WrongHits != nil {
		t.Errorf("closed event of a snooze %+v", p)
	}
}
