package main

import (
	"context"
	"encoding/json"

	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/service"
)

func runSources(ctx context.Context, a *app, args []string) (int, error) {
	fs := a.newFlags("sources", "sources --data DIR [--at TIME] [--pre-award-days N] [--json]",
		"Shows, per source with a freshness window, how the watched organisations' data\n"+
			"stands: when it last succeeded and failed, how many organisations are fresh,\n"+
			"stale, erroring or missing, and the oldest observation. The watch list is the\n"+
			"organisations with an active contract plus those screened before award in the\n"+
			"last N days.")
	data := fs.String("data", "", "data directory")
	atFlag := fs.String("at", "", "as of (default: now)")
	days := fs.Int("pre-award-days", 90, "days a pre-award screening keeps an organisation watched")
	asJSON := fs.Bool("json", false, "print JSON")
	cfgPath := fs.String("config", "", "configuration file (freshness windows)")
	if err := a.parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	at, err := a.instant("--at", *atFlag)
	if err != nil {
		return exitUsage, err
	}
	sc, _, err := a.screener(*data, *cfgPath, "")
	if err != nil {
		return failure(err)
	}
	defer sc.Store.Close()
	watch, err := screening.WatchList(sc.Store, at, *days)
	if err != nil {
		return exitFailure, err
	}
	reports, err := screening.SourceStatus(sc.Store, at, watch, sc.Settings())
	if err != nil {
		return exitFailure, err
	}
	if *asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetEscapeHTML(false)
		return exitOK, enc.Encode(reports)
	}
	return exitOK, screening.WriteSourceReports(a.stdout, reports, len(watch), at)
}

func runSanctions(ctx context.Context, a *app, args []string) (int, error) {
	return a.subcommand(args, map[string]func([]string) (int, error){"search": func(args []string) (int, error) {
		return a.runEngine(service.SanctionsSearch, args, "sanctions search", service.SanctionsSearchUsage, service.SanctionsSearchAbout)
	}}, "Usage: vaksam "+service.SanctionsSearchUsage, "want 'sanctions search [flags] NAME'")
}
