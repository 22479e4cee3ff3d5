package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vaksam/vaksam/connectors/formats"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/service"
	"github.com/vaksam/vaksam/engine/settings"
)

func runIngest(ctx context.Context, a *app, args []string) (int, error) {
	fs := a.newFlags("ingest", "ingest --data DIR --source NAME [--observed TIME] [--orgnr N] FILE...",
		"Imports files in a source's format into the record store. Each record becomes an\n"+
			"observation: a new version when its content changed, otherwise only a new\n"+
			"observation. Bad records are quarantined with file:line and reason; the rest\n"+
			"are stored.\n\nSources: "+strings.Join(formats.Names(), ", ")+"\n\n"+
			"Exit status: 0 every record accepted, 3 some quarantined (the rest stored),\n"+
			"1 failure, 2 usage error.")
	data := fs.String("data", "", "data directory (created if missing)")
	source := fs.String("source", "", "source name of the files")
	observed := fs.String("observed", "", "observation time: RFC 3339, or YYYY-MM-DD for the end of that day in Swedish time (default: now)")
	orgnr := fs.String("orgnr", "", "organisation number the input is about, for formats that do not carry it (bolagsverket-dokument) or answers that may lack it (bolagsverket: organisationsidentitet null)")
	if err := a.parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	if *source == "" {
		return exitUsage, usagef("--source is required (one of %s)", strings.Join(formats.Names(), ", "))
	}
	if _, err := formats.Lookup(*source); err != nil {
		return exitUsage, usagef("--source: %v", err)
	}
	if fs.NArg() == 0 {
		return exitUsage, usagef("no FILE given")
	}
	at, err := a.instant("--observed", *observed)
	if err != nil {
		return exitUsage, err
	}
	var org ident.Org
	if *orgnr != "" {
		o, err := ident.ParseOrg(*orgnr)
		if err != nil {
			return exitUsage, usagef("--orgnr: %v", err)
		}
		org = o
	}
	if *source == record.BolagsverketDokument && org.IsZero() {
		return exitUsage, usagef("--orgnr is required for %s (the format does not carry it)", *source)
	}
	cfg, err := settings.Load("")
	if err != nil {
		return exitFailure, err
	}
	*data = cfg.DataDirOr(*data)
	st, err := createStore(*data)
	if err != nil {
		return exitFailure, err
	}
	defer st.Close()
	persons, err := service.DataPseudonymizer(*data)
	if err != nil {
		return exitFailure, err
	}
	in := &ingest.Ingester{Store: st, Log: a.log, Limits: cfg.Sources.FormatLimits()}
	start := time.Now()
	total, err := in.Files(ctx, fs.Args(), ingest.Job{Source: *source, Observed: at, Orgnr: org, Persons: persons},
		func(file string, c ingest.Counts) { fmt.Fprintf(a.stdout, "%s: %s\n", file, c) })
	if err != nil {
		return exitFailure, err
	}
	if fs.NArg() > 1 {
		fmt.Fprintf(a.stdout, "total: %s\n", total)
	}
	a.log.Info("ingest done", "source", *source, "records", total.Records(), "took", time.Since(start))
	if total.Quarantined > 0 {
		qs, _ := st.Quarantined(*source)
		for _, q := range qs {
			if q.Pos != "" {
				fmt.Fprintf(a.stderr, "quarantined %s: %s\n", q.Pos, q.Reason)
			}
		}
		return exitQuarantined, nil
	}
	return exitOK, nil
}
