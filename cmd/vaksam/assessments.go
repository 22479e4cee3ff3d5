package main

import (
	"context"
	"fmt"

	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/screening"
)

func runAssessments(ctx context.Context, a *app, args []string) (int, error) {
	fs := a.newFlags("assessments", "assessments --data DIR [--json] [--verify] ORGNR...",
		"Shows the stored assessments of organisations, oldest first. With --verify each\n"+
			"is screened again as of its own time, with the rules it names (the built-in\n"+
			"pack or --rules, with --config), and compared with what was stored: a past\n"+
			"screening must give the result it gave then. Exit status 1 if any differs.")
	data := fs.String("data", "", "data directory")
	asJSON := fs.Bool("json", false, "print the stored assessments as JSON, one per line")
	verify := fs.Bool("verify", false, "screen each again as of its time and compare")
	cfgPath := fs.String("config", "", "configuration file (rule overrides, thresholds)")
	rulePath := fs.String("rules", "", "rule pack file or directory (default: the built-in pack)")
	if err := a.parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	if fs.NArg() == 0 {
		return exitUsage, usagef("no ORGNR given")
	}
	now := a.now()
	orgs, err := orgArgs(fs.Args(), now)
	if err != nil {
		return exitUsage, err
	}
	sc, _, err := a.screener(*data, *cfgPath, *rulePath)
	if err != nil {
		return failure(err)
	}
	defer sc.Store.Close()
	differ := 0
	for _, o := range orgs {
		stored, err := sc.Assessments(o.String())
		if err != nil {
			return exitFailure, err
		}
		if len(stored) == 0 {
			fmt.Fprintf(a.stderr, "%s: no stored assessment\n", o.Separated(now.In(record.Stockholm)))
		}
		for _, x := range stored {
			if *asJSON {
				if err := screening.WriteJSON(a.stdout, x); err != nil {
					return exitFailure, err
				}
			} else {
				fmt.Fprintln(a.stdout, screening.Line(o, x, now))
			}
			if !*verify {
				continue
			}
			r, err := sc.Reverify(ctx, o, x)
			if err != nil {
				return exitFailure, err
			}
			fmt.Fprintln(a.stdout, r.Line)
			if r.Outcome == screening.Differs {
				differ++
			}
		}
	}
	if differ > 0 {
		return exitFailure, fmt.Errorf("%d assessment(s) differ when screened again", differ)
	}
	return exitOK, nil
}
