package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/vaksam/vaksam/engine/service"
	"github.com/vaksam/vaksam/engine/settings"
	"github.com/vaksam/vaksam/engine/store"
)

func runGC(ctx context.Context, a *app, args []string) (int, error) {
	fs := a.newFlags("gc", "gc --data DIR [--config FILE] [--dry-run]",
		"Applies the retention policy (the configuration's retention section) to a\n"+
			"stopped store: removes superseded confirmations of unchanged results and old\n"+
			"assessments, never the evidence of a decision, the assessment an open alert\n"+
			"follows, an organisation's newest assessment or follow-up result, or what an\n"+
			"event waiting to be published refers to; then compacts the store so that the\n"+
			"space comes back. It reports the live data (the sizes of the keys and values\n"+
			"the store holds) and the size on disk before and after. With --dry-run it\n"+
			"counts what it would remove and changes nothing. A running serve prunes on its own schedule (retention.every).")
	data := fs.String("data", "", "data directory")
	cfgPath := fs.String("config", "", "configuration file (its retention section)")
	dryRun := fs.Bool("dry-run", false, "count what would be removed, remove nothing")
	if err := a.parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	if fs.NArg() > 0 {
		return exitUsage, usagef("unexpected argument %q", fs.Arg(0))
	}
	cfg, err := settings.Load(*cfgPath)
	if err != nil {
		return failure(err)
	}
	dir := cfg.DataDirOr(*data)
	if err := existingDataDir(dir); err != nil {
		return failure(err)
	}
	storeDir := filepath.Join(dir, "store")
	before, err := store.Size(storeDir) // closed: no file preallocated
	if err != nil {
		return exitFailure, err
	}
	st, err := openGCStore(storeDir, a)
	if err != nil {
		return exitFailure, err
	}
	defer func() {
		if st != nil {
			st.Close()
		}
	}()
	liveBefore, err := st.LiveSize(ctx)
	if err != nil {
		return exitFailure, err
	}
	desk := service.NewDesk(cfg.Review, st, a.log)
	p, err := service.Prune(ctx, desk, cfg.Retention, a.now(), *dryRun)
	if err != nil {
		return exitFailure, err
	}
	r := cfg.Retention.WithDefaults()
	if *dryRun {
		fmt.Fprintf(a.stdout, "gc --dry-run: %d organisations: would remove %d assessments and %d confirmations (about %s, %d bytes of %d bytes of live data); confirmations kept %d days, assessments %d days\n",
			p.Subjects, p.Assessments, p.Confirmations, megabytes(p.Bytes), p.Bytes, liveBefore, r.ConfirmationDays, r.AssessmentDays)
		return exitOK, nil
	}
	// Prune's deletions sit in Badger's memory table until the store
	// closes; compacted before that, the tables would keep what was
	// pruned and the deletions would land on top of them.
	err = st.Close()
	st = nil
	if err != nil {
		return exitFailure, fmt.Errorf("gc: close the store: %w", err)
	}
	if st, err = openGCStore(storeDir, a); err != nil {
		return exitFailure, err
	}
	liveAfter, err := st.LiveSize(ctx)
	if err != nil {
		return exitFailure, err
	}
	if err := st.Compact(2); err != nil {
		return exitFailure, err
	}
	err = st.Close()
	st = nil
	if err != nil {
		return exitFailure, fmt.Errorf("gc: close the store: %w", err)
	}
	after, err := store.Size(storeDir)
	if err != nil {
		return exitFailure, err
	}
	fmt.Fprintf(a.stdout, "gc: %d organisations: removed %d assessments and %d confirmations (about %s, %d bytes); live data %d → %d bytes; store %s → %s\n",
		p.Subjects, p.Assessments, p.Confirmations, megabytes(p.Bytes), p.Bytes, liveBefore, liveAfter, megabytes(before), megabytes(after))
	return exitOK, nil
}

// openGCStore opens the store of gc, saying so when a running serve
// holds it.
func openGCStore(dir string, a *app) (*store.Store, error) {
	st, err := store.Open(dir, store.Options{Logger: a.log})
	if store.IsLocked(err) {
		return nil, fmt.Errorf("gc: the store is in use (a running vaksam serve prunes on its own schedule): %w", err)
	}
	return st, err
}

func megabytes(n int64) string { return fmt.Sprintf("%.3f MB", float64(n)/1e6) }
