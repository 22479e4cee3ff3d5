package main

import (
	"context"
	"time"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/screening"
)

func runScreen(ctx context.Context, a *app, args []string) (int, error) {
	fs := a.newFlags("screen", "screen --data DIR [--at TIME] [--json] ORGNR...\n       vaksam screen --data DIR --all [--at TIME] [--limit N] [--json]",
		"Screens organisations as of a time and stores the assessments. Without --json it\n"+
			"prints a summary per organisation; with --json one assessment object per line.\n"+
			"--all screens every organisation in the store and prints a ranked table.")
	data := fs.String("data", "", "data directory")
	atFlag := fs.String("at", "", "screen as of: RFC 3339, or YYYY-MM-DD for the end of that day in Swedish time (default: now)")
	asJSON := fs.Bool("json", false, "print one JSON assessment per line")
	all := fs.Bool("all", false, "screen every organisation in the store")
	limit := fs.Int("limit", 50, "with --all: rows of the ranked table (0: all)")
	purpose := fs.String("purpose", "", "award, calloff or direct for a pre-award check (default: follow-up)")
	cfgPath := fs.String("config", "", "configuration file (rule overrides, thresholds)")
	rulePath := fs.String("rules", "", "rule pack file or directory (default: the built-in pack)")
	noSave := fs.Bool("no-save", false, "do not store the assessments")
	if err := a.parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	switch *purpose {
	case screening.Monitor, screening.Award, screening.Calloff, screening.Direct:
	default:
		return exitUsage, usagef("--purpose %q: want award, calloff or direct", *purpose)
	}
	if *all == (fs.NArg() > 0) {
		return exitUsage, usagef("give ORGNR arguments or --all")
	}
	now := a.now()
	orgs, err := orgArgs(fs.Args(), now)
	if err != nil {
		return exitUsage, err
	}
	at, err := a.instant("--at", *atFlag)
	if err != nil {
		return exitUsage, err
	}
	sc, _, err := a.screener(*data, *cfgPath, *rulePath)
	if err != nil {
		return failure(err)
	}
	defer sc.Store.Close()
	opt := screening.Options{At: at, Purpose: *purpose, Save: !*noSave}
	if *all {
		// Keep a small row per organisation for the ranking; with --json,
		// stream each assessment as it is made.
		var rows []*screening.Assessment
		if _, err := sc.ScreenAll(ctx, opt, 0, func(x *screening.Assessment) error {
			if *asJSON {
				return screening.WriteJSON(a.stdout, x)
			}
			rows = append(rows, screening.RankingRow(x))
			return nil
		}); err != nil {
			return exitFailure, err
		}
		if !*asJSON {
			screening.Rank(rows)
			screening.WriteRanking(a.stdout, rows, *limit, now)
		}
		return exitOK, nil
	}
	as, err := sc.Screen(ctx, orgs, opt)
	if err != nil {
		return exitFailure, err
	}
	if *asJSON {
		return exitOK, screening.WriteJSON(a.stdout, as...)
	}
	for _, x := range as {
		screening.WriteAssessment(a.stdout, x, now, orgs...)
	}
	return exitOK, nil
}

// orgArgs parses organisation numbers given as arguments, as of now.
func orgArgs(args []string, now time.Time) ([]ident.Org, error) {
	var orgs []ident.Org
	for _, s := range args {
		o, err := ident.ParseOrgAt(s, now.In(record.Stockholm))
		if err != nil {
			return nil, usagef("organisation number %v", err)
		}
		orgs = append(orgs, o)
	}
	return orgs, nil
}
