package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/screening"
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
	fmt.Fprintf(a.stdout, "%d watched organisations as of %s\n\n", len(watch), at.In(record.Stockholm).Format("2006-01-02 15:04"))
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tWINDOW\tFRESH\tSTALE\tERRORING\tMISSING\tLAST SUCCESS\tOLDEST\tLAST ERROR")
	for _, r := range reports {
		fmt.Fprintf(tw, "%s\t%dd\t%d\t%d\t%d\t%d\t%s\t%s\t%s\n", r.Source, int(r.Window/(24*time.Hour)), r.Fresh, r.Stale, r.Erroring, r.Missing,
			when(r.LastSuccess), when(r.Oldest), errorLine(r))
	}
	return exitOK, tw.Flush()
}

func when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.In(record.Stockholm).Format("2006-01-02 15:04")
}

func errorLine(r screening.SourceReport) string {
	if r.LastError.IsZero() {
		return "-"
	}
	msg := r.LastErrorMsg
	if len(msg) > 60 {
		msg = msg[:59] + "…"
	}
	return when(r.LastError) + " " + msg
}
