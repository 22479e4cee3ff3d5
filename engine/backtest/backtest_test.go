package backtest_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/backtest"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/synthetic"
	"github.com/vaksam/vaksam/engine/watchlist"
	"github.com/vaksam/vaksam/rules"
	defaultpack "github.com/vaksam/vaksam/rules/default"
)

func instant(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := record.ParseInstant(s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// population ingests a synthetic population of n organisations through
// the importers, with a sanctions list that names nobody (S18 checked).
func population(t *testing.T, n int) (*store.Store, *synthetic.Manifest) {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{Small: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	dir := t.TempDir()
	man, err := synthetic.Generate(dir, synthetic.Config{Seed: 7, Orgs: n, Now: instant(t, "2026-11-21")})
	if err != nil {
		t.Fatal(err)
	}
	persons, _ := record.NewHMACPseudonymizer([]byte("backtest tests: not a deployment secret"))
	if c, err := man.Ingest(context.Background(), &ingest.Ingester{Store: st}, dir, persons); err != nil || c.Quarantined > 0 {
		t.Fatalf("ingest: %v, %d quarantined", err, c.Quarantined)
	}
	if _, err := st.Put(watchlist.Snapshot(record.SanctionsFtM, record.ListVersion{SHA256: "e0"}, nil, instant(t, "2026-01-01"))); err != nil {
		t.Fatal(err)
	}
	return st, man
}

// candidatePack writes the built-in pack with one line changed to a
// directory and compiles it.
func candidatePack(t *testing.T, file, old, new string) *rules.Set {
	t.Helper()
	dir := t.TempDir()
	changed := false
	err := fs.WalkDir(defaultpack.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") || rules.IsTestFile(p) {
			return err
		}
		data, err := fs.ReadFile(defaultpack.FS(), p)
		if err != nil {
			return err
		}
		if p == file {
			if !bytes.Contains(data, []byte(old)) {
				t.Fatalf("%s has no %q", p, old)
			}
			data, changed = bytes.Replace(data, []byte(old), []byte(new), 1), true
		}
		return os.WriteFile(filepath.Join(dir, filepath.Base(p)), data, 0o600)
	})
	if err != nil || !changed {
		t.Fatalf("candidate: %v (changed %v)", err, changed)
	}
	set, err := rules.LoadPath(dir, rules.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// change is what the test expects of one organisation as of a date.
type change struct {
	newly, stopped []string
	from, to       ladder.Step
}

// expected screens each organisation alone (Screen, the network from the
// indexes) with both sets and compares them: an independent computation
// of what the backtest must report.
func expected(t *testing.T, st *store.Store, running, candidate *rules.Set, orgs []ident.Org, at time.Time) map[string]change {
	t.Helper()
	screen := func(set *rules.Set) map[string]*screening.Assessment {
		sc := &screening.Screener{Store: st, Rules: func() *rules.Set { return set }, Config: screening.DefaultConfig(), Lists: &watchlist.Cache{}}
		out := map[string]*screening.Assessment{}
		for _, o := range orgs {
			as, err := sc.Screen(context.Background(), []ident.Org{o}, screening.Options{At: at})
			if err != nil {
				t.Fatal(err)
			}
			out[o.String()] = as[0]
		}
		return out
	}
	ids := func(a *screening.Assessment) map[string]bool {
		m := map[string]bool{}
		for _, h := range a.Hits {
			m[h.ID] = true
		}
		return m
	}
	before, after := screen(running), screen(candidate)
	out := map[string]change{}
	for orgnr, b := range before {
		a := after[orgnr]
		var c change
		hb, ha := ids(b), ids(a)
		for id := range ha {
			if !hb[id] {
				c.newly = append(c.newly, id)
			}
		}
		for id := range hb {
			if !ha[id] {
				c.stopped = append(c.stopped, id)
			}
		}
		if b.Step != a.Step {
			c.from, c.to = b.Step, a.Step
		}
		if len(c.newly)+len(c.stopped) > 0 || c.from != c.to {
			slices.Sort(c.newly)
			slices.Sort(c.stopped)
			out[orgnr] = c
		}
	}
	return out
}

// reported turns a date's report back into changes per organisation.
func reported(d *backtest.DateReport) map[string]change {
	out := map[string]change{}
	for _, c := range d.Indicators {
		for _, o := range c.Newly {
			ch := out[o.Orgnr]
			ch.newly = append(ch.newly, c.ID)
			out[o.Orgnr] = ch
		}
		for _, o := range c.Stopped {
			ch := out[o.Orgnr]
			ch.stopped = append(ch.stopped, c.ID)
			out[o.Orgnr] = ch
		}
	}
	for _, s := range d.Steps {
		for _, o := range s.Orgs {
			ch := out[o.Orgnr]
			ch.from, ch.to = s.From, s.To
			out[o.Orgnr] = ch
		}
	}
	return out
}

// closeWith opens an alert for orgnr as of at (an assessment at L2 with
// the hit S11, saved through the desk) and closes it with outcome, or
// when outcome is "" halts call-offs (avropsstopp) and leaves it open.
func closeWith(t *testing.T, st *store.Store, orgnr string, at time.Time, outcome string) {
	t.Helper()
	desk := &review.Desk{Store: st}
	sc, err := screening.NewScreener(st, nil, screening.Config{}, desk.OnSave)
	if err != nil {
		t.Fatal(err)
	}
	ref := profile.Ref{Source: "bolagsverket", Key: orgnr, Version: 1, Observed: at.Add(-time.Hour)}
	a := &screening.Assessment{Orgnr: orgnr, Name: "x", At: at, Step: screening.L2, Score: 40, Verdict: screening.Review,
		Ruleset: "default@test", Missing: []screening.Missing{}, NotChecked: []string{}, Records: []profile.Ref{ref},
		Hits: []screening.Hit{{ID: "S11", Severity: rules.Medium, Category: "S", Confidence: 1, Evidence: []profile.Ref{ref}}}}
	if err := sc.Save(a); err != nil {
		t.Fatal(err)
	}
	al, err := desk.OpenAlert(orgnr)
	if err != nil || al == nil {
		t.Fatalf("no alert opened for %s: %v", orgnr, err)
	}
	if outcome == "" { // a halt of call-offs instead
		if _, err := desk.Decide(review.DecisionRequest{AlertID: al.ID, Kind: review.Avropsstopp, DecidedBy: "hanna",
			Justification: "adressbyten utreds", Ground: review.GroundLOU133,
			Evidence: review.Evidence{AssessmentAt: at, Ruleset: a.Ruleset, Records: a.Records}}, at.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		return
	}
	f := review.Finding{Outcome: outcome}
	if outcome == review.OutcomeFalseAlarm {
		f.WrongHits = al.Hits
	}
	if _, err := desk.Close(al.ID, "hanna", "utrett", f, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
}

// A candidate that lowers S11's address_change_max (firing on any change
// of address within the window instead of more than two) lists exactly the organisations
// whose indicators or step change, as of each date, with the outcomes of
// their alerts; a second run gives the same JSON byte for byte.
func TestDiffListsExactlyTheOrganisationsThatChange(t *testing.T) {
	st, man := population(t, 300)
	running, err := defaultpack.Load(rules.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	candidate := candidatePack(t, "supplier.yaml", "address_change_max: 2 ", "address_change_max: 0 ")
	dates, err := backtest.Dates(instant(t, "2026-09-22"), man.Now, 30*24*time.Hour, 26)
	if err != nil {
		t.Fatal(err)
	}
	if len(dates) != 3 || !dates[2].Equal(man.Now) {
		t.Fatalf("dates %v, want 3", dates)
	}
	var orgs []ident.Org
	sc := &screening.Screener{Store: st, Rules: func() *rules.Set { return running }, Config: screening.DefaultConfig(), Lists: &watchlist.Cache{}}
	if _, err := sc.ScreenAll(context.Background(), screening.Options{At: man.Now}, 2, func(a *screening.Assessment) error {
		orgs = append(orgs, ident.MustOrg(a.Orgnr))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := make([]map[string]change, len(dates))
	for i, at := range dates {
		want[i] = expected(t, st, running, candidate, orgs, at)
	}
	// Alerts on three of the last date's newly firing organisations, opened
	// before it: one confirmed, one a false alarm, one still open with
	// call-offs halted. (The
	// synthetic population's address changes come in with its newest
	// records: the earlier dates see none of them, and must report none.)
	last := dates[2]
	var newly []string
	for orgnr, c := range want[2] {
		if len(c.newly) > 0 {
			newly = append(newly, orgnr)
		}
	}
	slices.Sort(newly)
	if len(newly) < 4 {
		t.Fatalf("only %d organisations newly fire as of %s: the test needs 4", len(newly), last)
	}
	closeWith(t, st, newly[0], last.Add(-48*time.Hour), review.OutcomeConfirmed)
	closeWith(t, st, newly[1], last.Add(-48*time.Hour), review.OutcomeFalseAlarm)
	closeWith(t, st, newly[2], last.Add(-48*time.Hour), "")
	// An alert opened after the date does not count for it.
	closeWith(t, st, newly[3], last.Add(time.Hour), review.OutcomeConfirmed)

	params := backtest.Params{Store: st, Running: running, Candidate: candidate, Config: screening.DefaultConfig(), Dates: dates, Workers: 2}
	rep, err := backtest.Run(context.Background(), params)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for i, d := range rep.Dates {
		if !d.At.Equal(dates[i]) {
			t.Fatalf("date %d is %s, want %s", i, d.At, dates[i])
		}
		got := reported(d)
		for orgnr, w := range want[i] {
			if g := got[orgnr]; !slices.Equal(g.newly, w.newly) || !slices.Equal(g.stopped, w.stopped) || g.from != w.from || g.to != w.to {
				t.Errorf("as of %s, %s: reported %+v, want %+v", d.At, orgnr, g, w)
			}
		}
		for orgnr, g := range got {
			if _, ok := want[i][orgnr]; !ok {
				t.Errorf("as of %s, %s reported %+v, which does not change", d.At, orgnr, g)
			}
		}
		for _, c := range d.Indicators {
			if c.ID != "S11" || len(c.Stopped) > 0 {
				t.Errorf("as of %s: %s changes (%d stop firing): only S11 may, and only newly", d.At, c.ID, len(c.Stopped))
			}
		}
		total += len(got)
	}
	if total == 0 {
		t.Fatal("no organisation changes on any date: the candidate tests nothing")
	}
	final := rep.Dates[2]
	p := final.Precision
	if p.Confirmed != 1 || p.FalseAlarm != 1 || p.Justified != 0 || p.NoOutcome != len(newly)-2 || p.Estimate == nil || *p.Estimate != 0.5 {
		t.Errorf("precision as of %s: %+v, want 1 confirmed, 1 false alarm, %d without outcome, estimate 0.5", final.At, p, len(newly)-2)
	}
	for _, c := range final.Indicators {
		for _, o := range c.Newly {
			wantAlerts := 0
			if o.Orgnr == newly[0] || o.Orgnr == newly[1] || o.Orgnr == newly[2] {
				wantAlerts = 1
			}
			if len(o.Alerts) != wantAlerts {
				t.Errorf("%s: %d alerts, want %d (opened by %s)", o.Orgnr, len(o.Alerts), wantAlerts, final.At)
			}
			if o.Orgnr == newly[2] && (len(o.Alerts) != 1 || !slices.Equal(o.Alerts[0].Decisions, []ladder.DecisionKind{review.Avropsstopp}) ||
				o.Alerts[0].State != review.Beslutad || o.Outcome != "") {
				t.Errorf("%s: %+v, want its open alert, beslutad with an avropsstopp, and no outcome", o.Orgnr, o.Alerts)
			}
		}
	}

	var first, second bytes.Buffer
	if err := rep.WriteJSON(&first); err != nil {
		t.Fatal(err)
	}
	again, err := backtest.Run(context.Background(), params)
	if err != nil {
		t.Fatal(err)
	}
	if err := again.WriteJSON(&second); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Fatal("a second run gave another JSON report")
	}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"as of 2026-11-21", "S11: ", "+ " + newly[0], "[bekraftad_risk]", "precision of the newly firing: 1 of 2 (50 %)"} {
		if !strings.Contains(text.String(), w) {
			t.Errorf("text report lacks %q:\n%s", w, text.String())
		}
	}
}

func TestDates(t *testing.T) {
	from := instant(t, "2026-01-01")
	got, err := backtest.Dates(from, from.AddDate(0, 0, 14), 7*24*time.Hour, 3)
	if err != nil || len(got) != 3 || !got[2].Equal(from.AddDate(0, 0, 14)) {
		t.Fatalf("Dates = %v, %v; want 3 dates a week apart", got, err)
	}
	if _, err := backtest.Dates(from, from.AddDate(0, 0, 21), 7*24*time.Hour, 3); err == nil {
		t.Error("4 dates accepted with a limit of 3")
	}
	if _, err := backtest.Dates(from, from.AddDate(0, 0, -1), 7*24*time.Hour, 0); err == nil {
		t.Error("--to before --from accepted")
	}
	if got, err := backtest.Dates(from, from, 0, 0); err != nil || len(got) != 1 {
		t.Errorf("one date: %v, %v", got, err)
	}
}

func TestParseRange(t *testing.T) {
	now := instant(t, "2026-11-21")
	if got, err := backtest.ParseRange("", "", "", now, 26); err != nil || len(got) != 1 || !got[0].Equal(now) {
		t.Errorf("defaults: %v, %v; want now alone", got, err)
	}
	if got, err := backtest.ParseRange("2026-11-07", "", "", now, 26); err != nil || len(got) != 3 {
		t.Errorf("two weeks by the default 7d: %v, %v", got, err)
	}
	for _, tc := range []struct{ from, to, every, field string }{
		{"igår", "", "", "from"}, {"", "2026-13-01", "", "to"}, {"", "", "0d", "every"}, {"", "", "sju", "every"},
		{"2026-11-22", "2026-11-21", "", "to"}, {"2026-01-01", "", "1d", "every"},
	} {
		_, err := backtest.ParseRange(tc.from, tc.to, tc.every, now, 26)
		var pe *watchlist.ParamError
		if !errors.As(err, &pe) || pe.Field != tc.field {
			t.Errorf("%+v: %v, want a problem of %s", tc, err, tc.field)
		}
	}
}
