package perf

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"time"

	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/service"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/rules"
	defaultpack "github.com/vaksam/vaksam/rules/default"
)

// screener is the default rule pack's saving Screener on st, alerts kept
// by a review desk, as serve screens.
func screener(st *store.Store) (*screening.Screener, error) {
	set, err := defaultpack.Load(rules.Overrides{})
	if err != nil {
		return nil, err
	}
	desk := &review.Desk{Store: st}
	return screening.NewScreener(st, func() *rules.Set { return set }, screening.DefaultConfig(), desk.OnSave)
}

// withStore opens the store in dir, runs fn and closes it.
func withStore(dir string, fn func(*store.Store) error) error {
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	err = fn(st)
	if cerr := st.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("bench: close the store: %w", cerr)
	}
	return err
}

// serveScreening is serve's scheduled screening of the whole store at at,
// saving.
func serveScreening(ctx context.Context, sc *screening.Screener, at time.Time, log *slog.Logger) func() error {
	return func() error {
		_, _, err := service.NewScreening(sc, log).ScreenAll(ctx, screening.TriggerSchedule, at)
		return err
	}
}

// measureScreening times the bare scan and decode (before and after, the
// faster is the floor), the whole-store screening, and serve's screening
// with saving twice, six hours apart on the population's day (the second
// finds every result unchanged); the store's size is measured closed
// before and between them. The savings run on scratch, a copy of the
// store that the caller removes (after the pre-award checks, which write
// too), so that the store of a reused directory holds no assessment and
// every run's first saving screening is a first one.
func measureScreening(ctx context.Context, storeDir, scratch string, pop *population, log *slog.Logger) ([]Measure, error) {
	at, n := pop.At, float64(pop.Orgs)
	var scan, scan2, all, saved, again time.Duration
	var scanRSS, allRSS peakRSS
	err := withStore(storeDir, func(st *store.Store) error {
		sc, err := screener(st)
		if err != nil {
			return err
		}
		bare := func() error {
			_, err := screening.DecodeSubjects(ctx, st, at, runtime.GOMAXPROCS(0))
			return err
		}
		if scan, scanRSS, err = timed(bare); err != nil {
			return fmt.Errorf("bench: scan and decode: %w", err)
		}
		all, allRSS, err = timed(func() error {
			_, err := sc.ScreenAll(ctx, screening.Options{At: at}, 0, func(*screening.Assessment) error { return nil })
			return err
		})
		if err != nil {
			return fmt.Errorf("bench: whole-store screening: %w", err)
		}
		if scan2, _, err = timed(bare); err != nil {
			return fmt.Errorf("bench: scan and decode: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := os.RemoveAll(scratch); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	log.Info("bench: copying the store for serve's screenings", "to", scratch)
	if err := os.CopyFS(scratch, os.DirFS(storeDir)); err != nil {
		return nil, fmt.Errorf("bench: copy the store: %w", err)
	}
	// The store's size before the first saving screening and after each.
	var size [3]int64
	if size[0], err = store.Size(scratch); err != nil {
		return nil, err
	}
	for i, run := range []struct {
		at   time.Time
		took *time.Duration
	}{{at.Add(-18 * time.Hour), &saved}, {at.Add(-12 * time.Hour), &again}} {
		err = withStore(scratch, func(st *store.Store) error {
			sc, err := screener(st)
			if err != nil {
				return err
			}
			log.Info("bench: serve's screening", "at", run.at)
			*run.took, _, err = timed(serveScreening(ctx, sc, run.at, log))
			return err
		})
		if err != nil {
			return nil, err
		}
		if size[i+1], err = store.Size(scratch); err != nil {
			return nil, err
		}
	}
	base, first, second := size[0], size[1], size[2]
	floor := min(scan, scan2).Seconds()
	return []Measure{
		measure("screen_all", "s", all.Seconds(), floor, goalScreenRatio, OnRatio,
			"whole-store screening (no saving) ÷ bare scan+decode of the same store"),
		measure("screen_all_per_org", "µs/org", all.Seconds()*1e6/n, floor*1e6/n, goalScreenPerOrg, OnValue,
			"whole-store screening per organisation (20 µs: 20 s at 1 M) ÷ scan+decode"),
		measure("screen_saved", "s", saved.Seconds(), floor, goalScreenRatio, OnRatio,
			"serve's screening with saving (first of the run) ÷ bare scan+decode"),
		measure("screen_saved_unchanged", "s", again.Seconds(), floor, goalScreenRatio, OnRatio,
			"serve's screening with saving, every result unchanged ÷ bare scan+decode"),
		measure("screen_rss", "B/org", float64(allRSS.Anon)/n, float64(scanRSS.Anon)/n, goalRSSPerOrg, OnValue,
			"peak anonymous resident set (heap, stacks; not mapped files) while screening per organisation (2 GiB at 1 M) ÷ the scan+decode's"),
		measure("screen_rss_with_files", "B/org", float64(allRSS.All)/n, float64(scanRSS.All)/n, goalRSSPerOrg, OnValue,
			"peak resident set with the pages of Badger's mapped files while screening per organisation ÷ the scan+decode's"),
		measure("store_growth_unchanged", "MB/100k", per100k(second-first, pop.Orgs), per100k(base, pop.Orgs), goalGrowth, OnValue,
			"store growth from a screening whose results did not change ÷ the store's size before the run"),
	}, nil
}
