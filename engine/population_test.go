package engine_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/vaksam/vaksam/engine"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/synthetic"
)

// syntheticFixture generates a small population and ingests it through
// the importers.
func syntheticFixture(t *testing.T, orgs int) (*fixture, *synthetic.Manifest) {
	t.Helper()
	f := newFixture(t)
	dir := t.TempDir()
	man, err := synthetic.Generate(dir, synthetic.Config{Seed: 7, Orgs: orgs, Now: instant(t, "2026-11-21")})
	if err != nil {
		t.Fatal(err)
	}
	c, err := man.Ingest(context.Background(), f.in, dir, f.persons)
	if err != nil || c.Quarantined > 0 {
		q, _ := f.st.Quarantined("")
		t.Fatalf("ingest: %v, %d quarantined: %v", err, c.Quarantined, q)
	}
	return f, man
}

// Screening one organisation (network from the indexes) and screening the
// whole store (network from one scan) must agree on every organisation.
func TestScreenAllAgreesWithScreen(t *testing.T) {
	f, _ := syntheticFixture(t, 300)
	at := instant(t, "2026-11-21")
	all := map[string]*engine.Assessment{}
	stats, err := f.sc.ScreenAll(context.Background(), engine.Options{At: at}, 2, func(a *engine.Assessment) error {
		all[a.Orgnr] = a
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Screened < 300 || len(all) != stats.Screened {
		t.Fatalf("screened %d (%d distinct), want at least 300", stats.Screened, len(all))
	}
	var orgs []ident.Org
	for orgnr := range all {
		orgs = append(orgs, ident.MustOrg(orgnr))
	}
	one, err := f.sc.Screen(context.Background(), orgs, engine.Options{At: at})
	if err != nil {
		t.Fatal(err)
	}
	diffs := 0
	for _, a := range one {
		x, _ := json.Marshal(a)
		y, _ := json.Marshal(all[a.Orgnr])
		if string(x) != string(y) && diffs < 5 {
			diffs++
			t.Errorf("%s differs:\nScreen    %s\nScreenAll %s", a.Orgnr, x, y)
		}
	}
}

// Every organisation planted to trigger an indicator triggers it, and the
// clean ones trigger nothing and are complete.
func TestPlantedCasesFire(t *testing.T) {
	f, man := syntheticFixture(t, 500)
	at := instant(t, "2026-11-21")
	byOrg := map[string]*engine.Assessment{}
	if _, err := f.sc.ScreenAll(context.Background(), engine.Options{At: at}, 2, func(a *engine.Assessment) error {
		byOrg[a.Orgnr] = a
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, p := range man.Planted {
		a := byOrg[p.Orgnr]
		if a == nil {
			t.Errorf("planted %s (%v) was not screened", p.Orgnr, p.Indicators)
			continue
		}
		fired := map[string]bool{}
		for _, h := range a.Hits {
			fired[h.ID] = true
		}
		for _, id := range p.Indicators {
			if !fired[id] {
				t.Errorf("%s %s: planted %s did not fire (hits %s, missing %v, not checked %v)", p.Orgnr, p.Name, id, hitIDs(a), a.Missing, a.NotChecked)
			}
		}
	}
	for _, orgnr := range man.Clean {
		if a := byOrg[orgnr]; a == nil || len(a.Hits) > 0 || a.Incomplete || a.Verdict != engine.Clear {
			t.Errorf("clean %s: %+v", orgnr, a)
		}
	}
}
