package main

import (
	"context"

	"github.com/vaksam/vaksam/engine/perf"
)

func runBench(ctx context.Context, a *app, args []string) (int, error) {
	fs := a.newFlags("bench", "bench --orgs N [--dir DIR] [--json]",
		"Measures issue 14's table on a synthetic store of N organisations (kept in\n"+
			"DIR and reused), each figure against its floor measured in the same run.")
	orgs := fs.Int("orgs", 100_000, "organisations in the synthetic store (and rows in the bulk file)")
	dir := fs.String("dir", "", "keep the store here and reuse it (default: a temporary directory)")
	asJSON := fs.Bool("json", false, "print one JSON object per measure per line")
	if err := a.parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	ms, err := perf.Run(ctx, perf.Options{Orgs: *orgs, Dir: *dir, Now: a.now, Log: a.log})
	if err != nil {
		return exitFailure, err
	}
	return exitOK, perf.Write(a.stdout, ms, *asJSON)
}
