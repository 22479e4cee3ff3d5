package review

import (
	"testing"
)

// TestStatusFollowsTheWork walks an alert through the work and checks the
// status after each step, with who has it.
func TestStatusFollowsTheWork(t *testing.T) {
	e := newEnv(t)
	al := e.opened(org1)
	step := func(what string, want Status, assignee string) {
		t.Helper()
		got := e.alert(al.ID)
		if got.Status() != want || got.Assignee != assignee {
			t.Fatalf("%s: status %q assignee %q, want %q %q", what, got.Status(), got.Assignee, want, assignee)
		}
	}
	ok := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	term := request(al.ID, Havning, "anna")
	term.Ground = GroundLOU131
	var dec *Decision
	for _, tc := range []struct {
		what     string
		do       func()
		want     Status
		assignee string
	}{
		{"opened", func() {}, StatusNy, ""},
		{"assigned", func() { ok(e.desk.Assign(al.ID, "bertil", "anna", day(3))) }, StatusUtreds, "bertil"},
		// Anna halts: the handler stays bertil.
		{"halted", func() { e.decide(request(al.ID, Avropsstopp, "anna"), day(3)) }, StatusAvropsstopp, "bertil"},
		{"halted, assigned again", func() { ok(e.desk.Assign(al.ID, "anna", "anna", day(4))) }, StatusAvropsstopp, "anna"},
		{"termination waits", func() { dec = e.decide(term, day(4)) }, StatusVantarGodkannande, "anna"},
		{"terminated while halted", func() { e.hear(dec.ID, "anna", day(4)); ok(e.desk.Approve(dec.ID, "bertil", day(20))) },
			StatusAvropsstopp, "anna"},
		{"halt lifted", func() { e.decide(request(al.ID, HavAvropsstopp, "anna"), day(21)) }, StatusBeslutad, "anna"},
		{"closed", func() { ok(e.desk.Close(al.ID, "anna", "Avtalet hävt", Finding{Outcome: OutcomeJustified}, day(22))) }, StatusStangd, "anna"},
	} {
		tc.do()
		step(tc.what, tc.want, tc.assignee)
	}
}

// TestDeciderBecomesHandler: a decision on an alert nobody has makes the
// decider (the person behind a token) its handler; one with a handler
// keeps it.
func TestDeciderBecomesHandler(t *testing.T) {
	for _, tc := range []struct {
		name, before, by, person, want string
	}{
		{"nobody has it", "", "anna", "", "anna"},
		{"a token's person", "", "tok-1", "anna", "anna"},
		{"someone else has it", "bertil", "anna", "", "bertil"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			al := e.opened(org1)
			if tc.before != "" {
				if _, err := e.desk.Assign(al.ID, tc.before, "anna", day(3)); err != nil {
					t.Fatal(err)
				}
			}
			r := request(al.ID, Avropsstopp, tc.by)
			r.DecidedByPerson = tc.person
			e.reviewEvents()
			e.trail()
			dec := e.decide(r, day(3))
			got := e.alert(al.ID)
			if got.Assignee != tc.want {
				t.Fatalf("assignee %q, want %q", got.Assignee, tc.want)
			}
			evs := e.reviewEvents()
			if p := alertEvent(t, evs[0]); p.Assignee != tc.want {
				t.Errorf("event assignee %q, want %q", p.Assignee, tc.want)
			}
			assigned := ""
			if tc.before == "" {
				assigned = tc.want
			}
			if h := got.History[len(got.History)-1]; h.Assignee != assigned || h.Decision != dec.ID {
				t.Errorf("history %+v, want assignee %q", h, assigned)
			}
			found := false
			for _, en := range e.trail() {
				if en.Object == dec.ID {
					found = true
					if en.Detail["assigned"] != assigned {
						t.Errorf("audit detail %v, want assigned %q", en.Detail, assigned)
					}
				}
			}
			if !found {
				t.Error("no audit entry for the decision")
			}
		})
	}
}
