package bolagsverket

import (
	"context"
	"testing"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/synthetic"
)

// The fake serves a synthetic population, and what it serves ingests as
// cleanly as the files do.
func TestFakeServesASyntheticPopulation(t *testing.T) {
	dir := t.TempDir()
	if _, err := synthetic.Generate(dir, synthetic.Config{Seed: 7, Orgs: 150, Now: t0}); err != nil {
		t.Fatal(err)
	}
	data, err := LoadFakeData(dir)
	if err != nil {
		t.Fatal(err)
	}
	held := data.Orgs()
	if len(held) < 100 || len(data.docs) == 0 {
		t.Fatalf("%d organisations, %d document lists", len(held), len(data.docs))
	}
	clock := connectors.NewManualClock(t0)
	t.Cleanup(clock.AutoAdvance())
	f := NewFake(FakeConfig{Clock: clock, Data: data})
	defer f.Close()
	c, err := New(Config{BaseURL: f.URL, TokenURL: f.TokenURL, ClientID: f.ClientID(), ClientSecret: f.ClientSecret(), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	st := newStore(t)
	fetched := 0
	for _, k := range held[:20] {
		org, err := ident.ParseOrg(k)
		if err != nil {
			t.Fatalf("held %q: %v", k, err)
		}
		for _, fe := range []connectors.Fetcher{c.Organisations(), c.Documents()} {
			got, err := fe.Fetch(context.Background(), org)
			if err != nil {
				t.Fatal(err)
			}
			if n := st.ingest(got, t0); n.Quarantined != 0 || n.New+n.SourceErrors == 0 {
				t.Errorf("%s %s: %+v", fe.Source(), org.Redacted(), n)
			}
			fetched++
		}
	}
	if q := st.quarantined(""); len(q) != 0 {
		t.Errorf("quarantined %+v", q)
	}
	if s := f.Stats(); s.OK != fetched || s.RateLimited != 0 {
		t.Errorf("stats %+v", s)
	}
}
