package workplace

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/rules"
)

func day(n int) time.Time { return time.Date(2026, 11, n, 12, 0, 0, 0, time.UTC) }

// desk is a real desk in a real store, its alerts opened by saving
// assessments through a screener: a (L3, 40, day 3), b (L2, 70, day 1),
// c (L2, 70, day 2, assigned to anna), d (L2, 10, day 4, closed).
func desk(t *testing.T) *Workplace {
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
	for _, o := range []struct {
		orgnr, name string
		step        ladder.Step
		score       float64
		at          int
		hits        []string
	}{
		{"5560000001", "Alfa Omsorg AB", "L3", 40, 3, []string{"S06", "C02"}},
		{"5560000002", "Beta Vård AB", "L2", 70, 1, []string{"C01", "C02", "P01"}},
		{"5560000003", "Gamma Assistans AB", "L2", 70, 2, []string{"P02"}},
		{"5560000004", "Delta Hemtjänst AB", "L2", 10, 4, []string{"C03"}},
	} {
		a := &screening.Assessment{Orgnr: o.orgnr, Name: o.name, At: day(o.at), Step: o.step, Score: o.score, Verdict: screening.Review,
			Ruleset: "default@1", Missing: []screening.Missing{}, NotChecked: []string{},
			Records: []profile.Ref{{Source: "bolagsverket", Key: o.orgnr, Version: 1, Observed: day(o.at)}}}
		for _, h := range o.hits {
			a.Hits = append(a.Hits, screening.Hit{ID: h, Severity: rules.High, Category: h[:1], Confidence: 1})
		}
		if err := sc.Save(a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.Assign("5560000003-1", "anna", "anna", day(5)); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Close("5560000004-1", "anna", "dubblett", review.Finding{Outcome: review.OutcomeJustified}, day(5)); err != nil {
		t.Fatal(err)
	}
	return &Workplace{Desk: d, Store: st}
}

func TestAlerts(t *testing.T) {
	w := desk(t)
	const a, b, c, d = "5560000001-1", "5560000002-1", "5560000003-1", "5560000004-1"
	for _, tc := range []struct {
		name string
		q    AlertQuery
		want []string
	}{
		{"open by priority: step, then score, then the longest waiting", AlertQuery{}, []string{a, b, c}},
		{"priority ascending", AlertQuery{Asc: true}, []string{c, b, a}},
		{"every state", AlertQuery{States: ladder.AlertStates}, []string{a, b, c, d}},
		{"closed only", AlertQuery{States: []ladder.AlertState{ladder.Stangd}}, []string{d}},
		{"by score, ties by id", AlertQuery{Sort: ByScore}, []string{b, c, a}},
		{"by opened, newest first", AlertQuery{Sort: ByOpened, States: ladder.AlertStates}, []string{d, a, c, b}},
		{"by updated (the assignment and the close are newest)", AlertQuery{Sort: ByUpdated, Asc: true, States: ladder.AlertStates}, []string{b, a, c, d}},
		{"steps are an OR list", AlertQuery{Steps: []ladder.Step{ladder.L2, ladder.L4}}, []string{b, c}},
		{"a step nobody is at", AlertQuery{Steps: []ladder.Step{"L9"}}, nil},
		{"categories without case, any of them", AlertQuery{Categories: []string{"s", "P"}}, []string{a, b, c}},
		{"a category", AlertQuery{Categories: []string{"C"}}, []string{a, b}},
		{"assigned to anna", AlertQuery{Assignee: "anna"}, []string{c}},
		{"unassigned", AlertQuery{Assignee: None}, []string{a, b}},
		{"filters combine with AND", AlertQuery{Categories: []string{"C"}, Steps: []ladder.Step{ladder.L2}}, []string{b}},
		{"the search", AlertQuery{Match: func(al *review.Alert) bool { return strings.Contains(al.Name, "Gamma") }}, []string{c}},
		{"the search after the other filters", AlertQuery{Assignee: None, Match: func(al *review.Alert) bool { return strings.Contains(al.Name, "Gamma") }}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := w.Alerts(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, al := range res.Alerts {
				got = append(got, al.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			if res.Steps != nil {
				t.Errorf("facets without asking: %v", res.Steps)
			}
		})
	}
}

func TestFacets(t *testing.T) {
	w := desk(t)
	res, err := w.Alerts(AlertQuery{Facets: true, Steps: []ladder.Step{ladder.L3}, At: day(6)})
	if err != nil {
		t.Fatal(err)
	}
	// Over every open alert, before the step filter; the closed one (C03) is not counted.
	if res.All != 3 || res.Steps[ladder.L2] != 2 || res.Steps[ladder.L3] != 1 || len(res.Steps) != 2 {
		t.Errorf("all %d, steps %v; want 3, L2 2, L3 1", res.All, res.Steps)
	}
	if want := []string{"C", "P", "S"}; !slices.Equal(res.Categories, want) {
		t.Errorf("categories %q, want %q", res.Categories, want)
	}
	if len(res.Alerts) != 1 || res.Owners != nil {
		t.Errorf("%d alerts, owners %q; want 1 and none (no contracts stored)", len(res.Alerts), res.Owners)
	}
}

func TestPage(t *testing.T) {
	for _, c := range []struct{ total, page, per, lo, hi, pages int }{
		{0, 1, 50, 0, 0, 1},
		{120, 1, 50, 0, 50, 3},
		{120, 3, 50, 100, 120, 3},
		{120, 4, 50, 120, 120, 3}, // past the last: empty
		{100, 2, 50, 50, 100, 2},
	} {
		lo, hi, pages := Page(c.total, c.page, c.per)
		if lo != c.lo || hi != c.hi || pages != c.pages {
			t.Errorf("Page(%d, %d, %d) = %d, %d, %d; want %d, %d, %d", c.total, c.page, c.per, lo, hi, pages, c.lo, c.hi, c.pages)
		}
	}
}

func TestHitsAndCategories(t *testing.T) {
	const pack = `pack: t
version: 1
rules:
  - id: X1
    title: {sv: Lätt, en: Light}
    category: S
    severity: low
    needs: [kronofogden]
    when: org.enforcement.public_sek > 0
    message: {sv: 'x', en: 'x'}
  - id: X2
    title: {sv: Grav, en: Grave}
    category: P
    severity: critical
    needs: [kronofogden]
    when: org.enforcement.public_sek > 0
    message: {sv: 'y', en: 'y'}
`
	set, err := rules.Load(map[string][]byte{"t.yaml": []byte(pack)}, rules.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	w := &Workplace{Screener: &screening.Screener{Rules: func() *rules.Set { return set }}}
	var ids []string
	for _, h := range w.Hits([]string{"C9", "X1", "X2"}) {
		ids = append(ids, h.ID+":"+h.Severity)
	}
	if want := []string{"X2:critical", "X1:low", "C9:"}; !slices.Equal(ids, want) {
		t.Errorf("hits %q, want %q (the gravest first, an unknown rule last)", ids, want)
	}
	if got, want := w.Categories([]string{"X1", "C9", "X2"}), []string{"C", "P", "S"}; !slices.Equal(got, want) {
		t.Errorf("categories %q, want %q", got, want)
	}
}
