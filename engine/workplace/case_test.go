package workplace

import (
	"errors"
	"testing"

	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
)

func TestCase(t *testing.T) {
	w := desk(t)
	if _, err := w.Case("5566778899-1"); !errors.Is(err, review.ErrNotFound) {
		t.Fatalf("an unknown alert: %v, want review.ErrNotFound", err)
	}
	sc, err := screening.NewScreener(w.Store, nil, screening.Config{}, w.Desk.OnSave)
	if err != nil {
		t.Fatal(err)
	}
	check := func(orgnr string, at int) {
		t.Helper()
		a := &screening.Assessment{Orgnr: orgnr, Name: "Kontroll AB", At: day(at), Purpose: screening.Award, Step: ladder.L0,
			Verdict: ladder.Clear, Ruleset: "default@1", Missing: []screening.Missing{}, NotChecked: []string{}}
		if err := sc.Save(a); err != nil {
			t.Fatal(err)
		}
	}
	check("5560000001", 6) // newer than the follow-up, but not the current one
	decide := func(kind ladder.DecisionKind, ground string) *review.Decision {
		t.Helper()
		d, err := w.Desk.Decide(review.DecisionRequest{AlertID: "5560000001-1", Kind: kind, DecidedBy: "anna", Justification: "skäl",
			Ground: ground, Evidence: review.Evidence{AssessmentAt: day(3), Ruleset: "default@1"}}, day(7))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	halt := decide(ladder.Avropsstopp, review.GroundLOU133)
	term := decide(ladder.Havning, review.GroundLOU131)

	c, err := w.Case("5560000001-1")
	if err != nil {
		t.Fatal(err)
	}
	if c.Alert.ID != "5560000001-1" || len(c.Decisions) != 2 || len(c.Comments) != 0 {
		t.Errorf("alert %s, decisions %d, comments %d", c.Alert.ID, len(c.Decisions), len(c.Comments))
	}
	if c.Halt == nil || c.Halt.ID != halt.ID {
		t.Errorf("halt %v, want %s", c.Halt, halt.ID)
	}
	if p := c.Pending(); p == nil || p.ID != term.ID {
		t.Errorf("pending %v, want %s", p, term.ID)
	}
	if c.Current == nil || !c.Current.At.Equal(day(3)) || c.Current.Purpose != screening.Monitor {
		t.Errorf("current %+v, want the follow-up of day 3", c.Current)
	}

	if c, err := w.Case("5560000002-1"); err != nil || c.Pending() != nil || c.Halt != nil || len(c.Decisions) != 0 {
		t.Errorf("an alert without decisions: %+v, %v", c, err)
	}

	// Only checked: the newest check is the current assessment.
	check("5560000009", 6)
	if a, err := w.Current("5560000009"); err != nil || a == nil || a.Purpose != screening.Award {
		t.Errorf("only checked: %+v, %v; want the check", a, err)
	}
	if a, err := w.Current("5566778899"); err != nil || a != nil {
		t.Errorf("never screened: %+v, %v; want nil", a, err)
	}
}
