package perf

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/vaksam/vaksam/engine/record"
)

// Options of a bench run.
type Options struct {
	Orgs int // organisations in the synthetic store, and rows in the bulk file
	// Dir keeps the generated store and reuses it in later runs of the
	// same Orgs; "": a temporary directory, removed after the run.
	Dir string
	// Now is the wall clock: a new population is generated as of the end
	// of its day.
	Now func() time.Time
	// Requests is how many pre-award checks (and echoes) are timed (500);
	// FirstChecks how many first checks after a write (20).
	Requests, FirstChecks int
	Log                   *slog.Logger
}

// Goals of issue 14's table.
const (
	goalScreenRatio  = 1.5                  // whole-store screening ÷ scan+decode
	goalScreenPerOrg = 20                   // µs per organisation (20 s at 1 M on 2 cores)
	goalRSSPerOrg    = float64(2<<30) / 1e6 // B per organisation (2 GiB at 1 M)
	goalGrowth       = 5                    // MB per 100 000 organisations per unchanged screening
	goalCheckRatio   = 2                    // pre-award p50 ÷ bare echo p50
	goalCheckP99     = 2                    // ms
	goalFirstRatio   = 1.5                  // first check after a write ÷ warm ("same as warm")
	goalImportRatio  = 2                    // bulk import ÷ parse floor
	goalImportMiB    = 1024                 // bulk import peak resident set
	day              = 24 * time.Hour
)

// Run measures every line of the table and returns them in its order.
func Run(ctx context.Context, o Options) ([]Measure, error) {
	if o.Orgs < 100 {
		return nil, fmt.Errorf("bench: --orgs %d: at least 100", o.Orgs)
	}
	if o.Requests <= 0 {
		o.Requests = 500
	}
	if o.FirstChecks <= 0 {
		o.FirstChecks = 20
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	dir := o.Dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "vaksam-bench-")
		if err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	// The end of the clock's day: the population's "now", so that the
	// screenings of the run, hours before it, are of the same day.
	at, err := record.ParseInstant(o.Now().Format(time.DateOnly))
	if err != nil {
		return nil, err
	}
	o.Log.Info("bench: population", "orgs", o.Orgs, "dir", dir)
	pop, err := ensurePopulation(ctx, dir, o.Orgs, at)
	if err != nil {
		return nil, err
	}
	o.Log.Info("bench: screening", "reused", pop.Reused, "records", pop.Records)
	// What writes (serve's screenings, the pre-award checks) works on a
	// copy of the store, so that a reused directory's store stays as made.
	scratch := filepath.Join(dir, "store.scratch")
	defer os.RemoveAll(scratch)
	ms, err := measureScreening(ctx, filepath.Join(dir, "store"), scratch, pop, o.Log)
	if err != nil {
		return nil, err
	}
	o.Log.Info("bench: pre-award checks")
	pa, err := measurePreAward(ctx, dir, scratch, pop, o)
	if err != nil {
		return nil, err
	}
	ms = append(ms, pa...)
	o.Log.Info("bench: bulk import")
	bi, err := measureImport(ctx, dir, pop, o)
	if err != nil {
		return nil, err
	}
	return append(ms, bi...), nil
}
