package workplace

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/synthetic"
)

// syntheticPopulation ingests a synthetic population of orgs
// organisations, as the demo does.
func syntheticPopulation(t *testing.T, orgs int) (*Workplace, *synthetic.Manifest) {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{Small: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	dir := t.TempDir()
	man, err := synthetic.Generate(dir, synthetic.Config{Seed: 7, Orgs: orgs, Now: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	persons, _ := record.NewHMACPseudonymizer([]byte("workplace tests: not a deployment secret"))
	if c, err := man.Ingest(context.Background(), &ingest.Ingester{Store: st}, dir, persons); err != nil || c.Quarantined > 0 {
		t.Fatalf("ingest: %v, %d quarantined", err, c.Quarantined)
	}
	return &Workplace{Store: st}, man
}

// The demo's population, small as it is, has a supplier planted to
// trigger S13 whose network drawn to depth 2 has an organisation not yet
// expanded, and expanding it walks on along the front men's chain to
// organisations further away.
func TestSyntheticNetworkHasAChainToExpand(t *testing.T) {
	w, man := syntheticPopulation(t, 300)
	opt := NetworkOptions{Depth: 2}
	for _, p := range man.Planted {
		if !slices.Contains(p.Indicators, "S13") {
			continue
		}
		g, err := w.Network(p.Orgnr, man.Now, opt)
		if err != nil {
			t.Fatal(err)
		}
		in := map[string]bool{}
		var edge []string
		for _, n := range g.Nodes {
			in[n.Org] = n.Org != ""
			if n.Org != "" && !n.Expanded {
				if n.Hop != 2 {
					t.Errorf("%s: organisation %s not expanded at hop %d, want 2", p.Orgnr, n.Org, n.Hop)
				}
				edge = append(edge, n.Org)
			}
		}
		if len(edge) == 0 {
			continue
		}
		// Expanding the edge, as the dossier does, finds organisations
		// not in the graph yet: the chain goes on.
		further := map[string]bool{}
		for _, o := range edge {
			x, err := w.Network(o, man.Now, NetworkOptions{Depth: 1})
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range x.Nodes {
				if n.Org != "" && !in[n.Org] {
					further[n.Org] = true
				}
			}
		}
		if len(further) == 0 {
			t.Errorf("%s: expanding %v finds no organisation beyond hop 2", p.Orgnr, edge)
		}
		return
	}
	t.Fatalf("no supplier planted to trigger S13 has an organisation at hop 2 among %d planted", len(man.Planted))
}
