package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/vaksam/vaksam/engine/service"
	"github.com/vaksam/vaksam/engine/settings"
)

func runGC(ctx context.Context, a *app, args []string) (int, error) {
	fs := a.newFlags("gc", "gc --data DIR [--config FILE] [--dry-run]",
		"Applies the retention policy (the configuration's retention section) to a\n"+
			"stopped store: removes superseded confirmations of unchanged results and old\n"+
			"assessments, never the evidence of a decision, the assessment an open alert\n"+
			"follows, an organisation's newest assessment or follow-up result, or what an\n"+
			"event waiting to be published refers to; then compacts the store so that the\n"+
			"space comes back. With --dry-run it counts what it would remove and changes\n"+
			"nothing. A running serve prunes on its own schedule (retention.every).")
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
	p, err := service.GC(ctx, filepath.Join(dir, "store"), cfg, a.now(), *dryRun, a.log)
	if err != nil {
		return exitFailure, err
	}
	r := cfg.Retention.WithDefaults()
	if *dryRun {
		fmt.Fprintf(a.stdout, "gc --dry-run: %d organisations: would remove %d assessments and %d confirmations (about %s); confirmations kept %d days, assessments %d days\n",
			p.Subjects, p.Assessments, p.Confirmations, megabytes(p.Bytes), r.ConfirmationDays, r.AssessmentDays)
		return exitOK, nil
	}
	fmt.Fprintf(a.stdout, "gc: %d organisations: removed %d assessments and %d confirmations (about %s); store %s → %s\n",
		p.Subjects, p.Assessments, p.Confirmations, megabytes(p.Bytes), megabytes(p.Before), megabytes(p.After))
	return exitOK, nil
}

func megabytes(n int64) string { return fmt.Sprintf("%.3f MB", float64(n)/1e6) }
