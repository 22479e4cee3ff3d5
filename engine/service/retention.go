package service

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/settings"
	"github.com/vaksam/vaksam/engine/store"
)

// Evidence returns, by organisation, the times of the assessments that
// retention must keep whatever their age: the assessment each decision
// rested on (its basis, beslutsunderlag) and the one each open alert
// follows.
func Evidence(desk *review.Desk) (map[string][]time.Time, error) {
	keep := map[string][]time.Time{}
	decisions, err := desk.AllDecisions(nil)
	if err != nil {
		return nil, err
	}
	for _, d := range decisions {
		if !d.Evidence.AssessmentAt.IsZero() {
			keep[d.Orgnr] = append(keep[d.Orgnr], d.Evidence.AssessmentAt)
		}
	}
	open, err := desk.Alerts(func(a *review.Alert) bool { return a.Open() })
	if err != nil {
		return nil, err
	}
	for _, a := range open {
		if !a.AssessedAt.IsZero() {
			keep[a.Orgnr] = append(keep[a.Orgnr], a.AssessedAt)
		}
	}
	return keep, nil
}

// Prune applies the retention policy r as of now to the desk's store:
// superseded confirmations and old assessments go, the evidence of
// decisions and open alerts stays (Evidence, store.Store.Prune). With
// dryRun it only counts.
func Prune(ctx context.Context, desk *review.Desk, r settings.Retention, now time.Time, dryRun bool) (store.Pruned, error) {
	keep, err := Evidence(desk)
	if err != nil {
		return store.Pruned{}, fmt.Errorf("retention: %w", err)
	}
	conf, old := r.Cutoffs(now)
	p, err := desk.Store.Prune(ctx, store.Retention{ConfirmationsBefore: conf, AssessmentsBefore: old, Keep: keep, DryRun: dryRun})
	if err != nil {
		return p, fmt.Errorf("retention: %w", err)
	}
	return p, nil
}

// RunRetention prunes the desk's store as r says every r.Every (default
// settings.DefaultRetentionEvery), first after one interval, until ctx
// ends; clock gives the time and the waits. A failed pass is logged and
// tried again at the next. The space pruned comes back as Badger compacts
// and the value-log collection (serve's gc_every) rewrites.
func RunRetention(ctx context.Context, desk *review.Desk, r settings.Retention, clock connectors.Clock, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	for clock.Sleep(ctx, r.WithDefaults().Every) == nil {
		p, err := Prune(ctx, desk, r, clock.Now(), false)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			log.Error("retention: prune failed", "err", err)
			continue
		}
		log.Info("retention: pruned", "subjects", p.Subjects, "assessments", p.Assessments,
			"confirmations", p.Confirmations, "bytes", p.Bytes)
	}
	return nil
}

// GCReport is what GC did to a stopped store: what Prune removed, the live
// data (the sizes of the keys and values the store holds) and the size on
// disk before and after.
type GCReport struct {
	store.Pruned
	LiveBefore, LiveAfter int64
	DiskBefore, DiskAfter int64
}

// GC applies the retention policy r as of now to the stopped store of the
// data directory dir, with the evidence review's configuration keeps
// (`vaksam gc`): it prunes, closes the store (Prune's deletions sit in
// Badger's memory table until then: compacted before, the tables would
// keep what was pruned and the deletions would land on top of them),
// reopens and compacts it. With dryRun it only counts.
func GC(ctx context.Context, dir string, rc settings.Review, r settings.Retention, now time.Time, dryRun bool, log *slog.Logger) (GCReport, error) {
	var g GCReport
	storeDir := filepath.Join(dir, "store")
	var err error
	if g.DiskBefore, err = store.Size(storeDir); err != nil { // closed: no file preallocated
		return g, err
	}
	st, err := openGCStore(storeDir, log)
	if err != nil {
		return g, err
	}
	defer func() {
		if st != nil {
			st.Close()
		}
	}()
	if g.LiveBefore, err = st.LiveSize(ctx); err != nil {
		return g, err
	}
	if g.Pruned, err = Prune(ctx, NewDesk(rc, st, log), r, now, dryRun); err != nil || dryRun {
		return g, err
	}
	err = st.Close()
	if st = nil; err != nil {
		return g, fmt.Errorf("gc: close the store: %w", err)
	}
	if st, err = openGCStore(storeDir, log); err != nil {
		return g, err
	}
	if g.LiveAfter, err = st.LiveSize(ctx); err != nil {
		return g, err
	}
	if err := st.Compact(2); err != nil {
		return g, err
	}
	err = st.Close()
	if st = nil; err != nil {
		return g, fmt.Errorf("gc: close the store: %w", err)
	}
	g.DiskAfter, err = store.Size(storeDir)
	return g, err
}

// openGCStore opens the store of gc, saying so when a running serve
// holds it.
func openGCStore(dir string, log *slog.Logger) (*store.Store, error) {
	st, err := store.Open(dir, store.Options{Logger: log})
	if store.IsLocked(err) {
		return nil, fmt.Errorf("gc: the store is in use (a running vaksam serve prunes on its own schedule): %w", err)
	}
	return st, err
}
