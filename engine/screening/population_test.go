package screening_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/synthetic"
	"github.com/vaksam/vaksam/engine/watchlist"
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
	// An OpenSanctions import (standing in for the EU list) that names
	// nobody: S18 checked.
	if _, err := f.st.Put(watchlist.Snapshot(record.SanctionsFtM, record.ListVersion{SHA256: "e0"}, nil, man.Now.Add(-time.Hour))); err != nil {
		t.Fatal(err)
	}
	return f, man
}

// screenedPopulation ingests a synthetic population of orgs
// organisations and screens every organisation as of its Now.
func screenedPopulation(t *testing.T, orgs int) (*fixture, *synthetic.Manifest, map[string]*screening.Assessment) {
	t.Helper()
	f, man := syntheticFixture(t, orgs)
	byOrg := map[string]*screening.Assessment{}
	if _, err := f.sc.ScreenAll(context.Background(), screening.Options{At: man.Now}, 2, func(a *screening.Assessment) error {
		byOrg[a.Orgnr] = a
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return f, man, byOrg
}

// Screening one organisation (network from the indexes) and screening the
// whole store (network from one scan) must agree on every organisation.
func TestScreenAllAgreesWithScreen(t *testing.T) {
	f, _ := syntheticFixture(t, 300)
	at := instant(t, "2026-11-21")
	all := map[string]*screening.Assessment{}
	stats, err := f.sc.ScreenAll(context.Background(), screening.Options{At: at}, 2, func(a *screening.Assessment) error {
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
	one, err := f.sc.Screen(context.Background(), orgs, screening.Options{At: at})
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
	_, man, byOrg := screenedPopulation(t, 500)
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
		if a := byOrg[orgnr]; a == nil || len(a.Hits) > 0 || a.Incomplete || a.Verdict != screening.Clear {
			t.Errorf("clean %s: %+v", orgnr, a)
		}
	}
}

// Current screenings reuse the market statistics of an earlier one the
// same day while no record was written: one organisation at a time, later
// in the day, they give exactly what a fresh computation gives; a new
// record makes them computed again.
func TestCurrentScreeningsReuseTheMarketSafely(t *testing.T) {
	f, man := syntheticFixture(t, 200)
	at := instant(t, "2026-11-21")
	var orgs []ident.Org
	for _, p := range man.Planted {
		if slices.Contains(p.Indicators, "C05") || slices.Contains(p.Indicators, "P03") {
			orgs = append(orgs, ident.MustOrg(p.Orgnr))
		}
	}
	if len(orgs) == 0 {
		t.Fatal("no planted market indicators (C05, P03) in the population")
	}
	want, err := f.sc.Screen(context.Background(), orgs, screening.Options{At: at})
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range orgs {
		// One check at a time, each a little later the same day.
		got, err := f.sc.Screen(context.Background(), []ident.Org{o}, screening.Options{At: at.Add(time.Duration(i) * time.Minute), Current: true})
		if err != nil {
			t.Fatal(err)
		}
		g, w := hitIDs(got[0]), hitIDs(want[i])
		if g != w {
			t.Errorf("%s: current screening hits %s, fresh %s", o, g, w)
		}
	}
	// A contract written now changes the market: the cache is not used.
	gen := f.st.Generation()
	f.ingestString(t, "contracts", "avtal_id;orgnr;leverantor;kategori;avtalsagare;startdatum;slutdatum;uppskattat_varde_sek;platser;dygnspris_sek;adress\nASN-X-1;"+orgs[0].String()+";Test AB;hvb_barn;skanes_kommuner;2026-01-01;2027-12-31;1000000;4;99999;Storgatan 1, 21111 Malmö\n", at)
	if f.st.Generation() == gen {
		t.Fatal("writing a record did not change the store's generation")
	}
	later := at.Add(time.Hour)
	fresh, err := f.sc.Screen(context.Background(), orgs, screening.Options{At: later})
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range orgs {
		got, err := f.sc.Screen(context.Background(), []ident.Org{o}, screening.Options{At: later, Current: true})
		if err != nil {
			t.Fatal(err)
		}
		if g, w := hitIDs(got[0]), hitIDs(fresh[i]); g != w {
			t.Errorf("%s after a new contract: current screening hits %s, fresh %s", o, g, w)
		}
	}
}
