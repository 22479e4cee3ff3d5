package workplace

import (
	"errors"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/rules"
)

// precisionScenario makes a desk's alerts closed with each outcome in the
// period [day 10, day 20), around alerts and assessments outside it;
// precisionWant is what Precision answers for it.
//
//	A 5560000011 day 10 S01 S04  → closed day 12 bekräftad risk
//	B 5560000012 day 11 S04      → assigned day 11, closed day 14 befogat larm
//	C 5560000013 day 11 S04 K02  → closed day 13 falsklarm, wrong K02
//	D 5560000014 day 12 K02      → closed day 15 falsklarm, wrong K02
//	E 5560000015 day 5  S01      → screened again day 15 (same result), closed day 20 (the period's end: outside)
//	F 5560000016 day 16 P01 (L1: no alert)
//	G 5560000017 day 13 S04      → no action, snoozed, day 17 (closed without an outcome)
//	H 5560000018 day 14 X01 as a pre-award check (not counted)
func precisionScenario(t *testing.T, d *review.Desk, sc *screening.Screener) {
	t.Helper()
	save := func(orgnr string, at int, step ladder.Step, purpose string, hits ...string) {
		t.Helper()
		a := &screening.Assessment{Orgnr: orgnr, Name: "Org " + orgnr[len(orgnr)-2:], At: day(at), Step: step, Score: 40,
			Verdict: screening.Review, Purpose: purpose, Ruleset: "default@1", Missing: []screening.Missing{}, NotChecked: []string{},
			Records: []profile.Ref{{Source: "bolagsverket", Key: orgnr, Version: 1, Observed: day(at)}}}
		for _, h := range hits {
			a.Hits = append(a.Hits, screening.Hit{ID: h, Severity: rules.High, Category: h[:1], Confidence: 1})
		}
		if err := sc.Save(a); err != nil {
			t.Fatal(err)
		}
	}
	closeAs := func(id string, at int, outcome string, wrong ...string) {
		t.Helper()
		if _, err := d.Close(id, "anna", "utrett", review.Finding{Outcome: outcome, WrongHits: wrong}, day(at)); err != nil {
			t.Fatal(err)
		}
	}
	save("5560000015", 5, ladder.L3, screening.Monitor, "S01")
	save("5560000011", 10, ladder.L3, screening.Monitor, "S01", "S04")
	save("5560000012", 11, ladder.L2, screening.Monitor, "S04")
	save("5560000013", 11, ladder.L2, screening.Monitor, "S04", "K02")
	save("5560000014", 12, ladder.L2, screening.Monitor, "K02")
	save("5560000017", 13, ladder.L2, screening.Monitor, "S04")
	save("5560000018", 14, ladder.L2, screening.Award, "X01")
	save("5560000015", 15, ladder.L3, screening.Monitor, "S01")
	save("5560000016", 16, ladder.L1, screening.Monitor, "P01")
	if _, err := d.Assign("5560000012-1", "anna", "anna", day(11)); err != nil {
		t.Fatal(err)
	}
	closeAs("5560000011-1", 12, review.OutcomeConfirmed)
	closeAs("5560000013-1", 13, review.OutcomeFalseAlarm, "K02")
	closeAs("5560000012-1", 14, review.OutcomeJustified)
	closeAs("5560000014-1", 15, review.OutcomeFalseAlarm, "K02")
	if _, err := d.Decide(review.DecisionRequest{AlertID: "5560000017-1", Kind: review.IngenAtgard, DecidedBy: "anna",
		Justification: "Känt sedan tidigare", Snooze: true, Evidence: review.Evidence{AssessmentAt: day(13), Ruleset: "default@1"}}, day(17)); err != nil {
		t.Fatal(err)
	}
	closeAs("5560000015-1", 20, review.OutcomeConfirmed)
}

func ptr[T any](v T) *T { return &v }

// precisionWant is the scenario's answer for [day 10, day 20), by id.
var precisionWant = map[string]IndicatorStats{
	// A, B, C, G; judged A (bekräftad) and B (befogat): C's false alarm
	// was K02's; G closed without an outcome. Waits 2, 3, 2, 4 days.
	"S04": {ID: "S04", Hits: 4, Alerts: 4, Confirmed: 1, Justified: 1, NotWrong: 1, Unknown: 1, Precision: ptr(1.0),
		MedianDecision: ptr(60 * time.Hour), Decided: 4, Only: 2},
	"K02": {ID: "K02", Hits: 2, Alerts: 2, FalseAlarm: 2, Precision: ptr(0.0), MedianDecision: ptr(60 * time.Hour), Decided: 2, Only: 1},
	// A and E fired; E's alert was neither opened nor closed in the period.
	"S01": {ID: "S01", Hits: 2, Alerts: 1, Confirmed: 1, Precision: ptr(1.0), MedianDecision: ptr(48 * time.Hour), Decided: 1},
	"P01": {ID: "P01", Hits: 1},
}

func precisionDesk(t *testing.T) *Workplace {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{Small: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	d := &review.Desk{Store: st}
	sc, err := screening.NewScreener(st, nil, screening.Config{}, d.OnSave)
	if err != nil {
		t.Fatal(err)
	}
	precisionScenario(t, d, sc)
	return &Workplace{Desk: d, Store: st}
}

func TestPrecision(t *testing.T) {
	w := precisionDesk(t)
	p, err := w.Precision(day(10), day(20))
	if err != nil {
		t.Fatal(err)
	}
	// A B C D G opened in the period; A B C D G closed in it (E at its end).
	if p.Alerts != 5 || p.Closed != 5 {
		t.Errorf("alerts %d closed %d, want 5 5", p.Alerts, p.Closed)
	}
	if len(p.Indicators) != len(precisionWant) {
		t.Errorf("indicators %+v, want %d", p.Indicators, len(precisionWant))
	}
	for _, got := range p.Indicators {
		want, ok := precisionWant[got.ID]
		if !ok {
			t.Errorf("indicator %s not expected: %+v", got.ID, got)
			continue
		}
		wantStats(t, got, want)
	}
	// A later period: E's close and the snooze's were the only changes.
	p, err = w.Precision(day(17), day(21))
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range p.Indicators {
		switch got.ID {
		case "S01": // E closed day 20: bekräftad; opened day 5, first decided day 20
			wantStats(t, got, IndicatorStats{ID: "S01", Alerts: 1, Confirmed: 1, Precision: ptr(1.0), MedianDecision: ptr(15 * 24 * time.Hour),
				Decided: 1, Only: 1})
		case "S04": // G's snooze, day 17
			wantStats(t, got, IndicatorStats{ID: "S04", Alerts: 1, Unknown: 1, MedianDecision: ptr(4 * 24 * time.Hour), Decided: 1, Only: 1})
		default:
			t.Errorf("indicator %+v", got)
		}
	}
}

func wantStats(t *testing.T, got, want IndicatorStats) {
	t.Helper()
	eq := func(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
	eqd := func(a, b *time.Duration) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
	if got.Hits != want.Hits || got.Alerts != want.Alerts || got.Confirmed != want.Confirmed || got.Justified != want.Justified ||
		got.FalseAlarm != want.FalseAlarm || got.NotWrong != want.NotWrong || got.Unknown != want.Unknown || got.Only != want.Only ||
		got.Decided != want.Decided || !eq(got.Precision, want.Precision) || !eqd(got.MedianDecision, want.MedianDecision) {
		t.Errorf("%s:\n got %+v (precision %v, median %v)\nwant %+v (precision %v, median %v)", got.ID, got, deref(got.Precision),
			derefD(got.MedianDecision), want, deref(want.Precision), derefD(want.MedianDecision))
	}
	if want.MedianDecision != nil && (got.MedianSeconds == nil || *got.MedianSeconds != want.MedianDecision.Seconds()) {
		t.Errorf("%s: median seconds %v", got.ID, got.MedianSeconds)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func derefD(p *time.Duration) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestPrecisionPeriod(t *testing.T) {
	w := precisionDesk(t)
	for _, c := range []struct {
		from, to time.Time
		field    string
	}{
		{time.Time{}, day(20), "from"},
		{day(10), time.Time{}, "to"},
		{day(10), day(10), "to"},
		{day(20), day(10), "to"},
	} {
		_, err := w.Precision(c.from, c.to)
		var pe *PeriodError
		if !errors.As(err, &pe) || pe.Field != c.field {
			t.Errorf("%v – %v: %v, want a period error naming %s", c.from, c.to, err, c.field)
		}
	}
}
