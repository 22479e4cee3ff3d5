package perf

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/synthetic"
)

// readyFile, in a bench directory, says its store holds a complete
// population and describes it; written after the store is closed.
const readyFile = "bench-population.json"

// population is a bench directory's synthetic store.
type population struct {
	Orgs int       `json:"orgs"`
	At   time.Time `json:"at"` // the population's "now"
	// Clean are suppliers with contracts built to trigger nothing;
	// Planted, suppliers built to trigger indicators.
	Clean   []string `json:"clean"`
	Planted []string `json:"planted"`
	Records int      `json:"records"`
	Reused  bool     `json:"-"`
}

// benchPersons pseudonymises the synthetic person numbers.
func benchPersons() (record.Pseudonymizer, error) {
	return record.NewHMACPseudonymizer([]byte("vaksam bench: not a deployment secret"))
}

// ensurePopulation reuses dir's population of orgs organisations, or
// generates one as of at (engine/synthetic, as the demo does) and ingests
// it into dir/store through the importers.
func ensurePopulation(ctx context.Context, dir string, orgs int, at time.Time) (*population, error) {
	ready := filepath.Join(dir, readyFile)
	switch b, err := os.ReadFile(ready); {
	case err == nil:
		var p population
		if err := json.Unmarshal(b, &p); err != nil {
			return nil, fmt.Errorf("bench: %s: %w", ready, err)
		}
		if p.Orgs != orgs {
			return nil, fmt.Errorf("bench: %s holds %d organisations, not %d: give another --dir", dir, p.Orgs, orgs)
		}
		p.Reused = true
		return &p, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("bench: %w", err)
	}
	storeDir, files := filepath.Join(dir, "store"), filepath.Join(dir, "files")
	if _, err := os.Stat(storeDir); err == nil {
		return nil, fmt.Errorf("bench: %s holds a store but no %s (an interrupted build or not a bench directory): give a new or empty --dir", dir, readyFile)
	}
	man, err := synthetic.Generate(files, synthetic.Config{Seed: 1, Orgs: orgs, Now: at})
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	st, err := store.Open(storeDir, store.Options{})
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	persons, err := benchPersons()
	if err != nil {
		st.Close()
		return nil, err
	}
	c, err := man.Ingest(ctx, &ingest.Ingester{Store: st, BatchSize: 2048}, files, persons)
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("bench: ingest the population: %w", err)
	}
	if err := os.RemoveAll(files); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	p := &population{Orgs: orgs, At: at, Clean: man.Clean, Records: c.Records()}
	for _, pl := range man.Planted {
		p.Planted = append(p.Planted, pl.Orgnr)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(ready, b, 0o644); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	return p, nil
}
