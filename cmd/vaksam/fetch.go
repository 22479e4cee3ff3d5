package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/service"
	"github.com/vaksam/vaksam/engine/settings"
)

// wallClock is the real time; only cmd/ reads it.
type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

func (wallClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func runFetch(ctx context.Context, a *app, args []string) (int, error) {
	fs := a.newFlags("fetch", "fetch --data DIR --config FILE [--once]",
		"Keeps the watched organisations' data fresh from the sources configured in the\n"+
			"configuration file's sources section: Bolagsverket's API and weekly bulk file,\n"+
			"SCB's company register, and inbox directories for the sources that arrive as\n"+
			"files. Every new record version re-screens the organisations it concerns and\n"+
			"those linked to them. Runs until interrupted; --once does what is due now and\n"+
			"exits. Credentials are read from files or environment variables named in the\n"+
			"configuration, never given on the command line, and never logged.")
	data := fs.String("data", "", "data directory")
	cfgPath := fs.String("config", "", "configuration file with a sources section")
	once := fs.Bool("once", false, "do what is due now, then exit")
	if err := a.parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	if settings.Path(*cfgPath) == "" {
		return exitUsage, usagef("--config FILE is required (it names the sources and their credentials)")
	}
	cfg, err := settings.Load(*cfgPath)
	if err != nil {
		return exitFailure, err
	}
	*data = cfg.DataDirOr(*data)
	sc, _, err := a.openScreener(cfg, *data, "")
	if err != nil {
		return failure(err)
	}
	defer sc.Store.Close()
	persons, err := service.DataPseudonymizer(*data)
	if err != nil {
		return exitFailure, err
	}
	f := a.fetcher(service.NewScreening(sc, a.log), persons, cfg.Sources, *data)
	f.Rescreened = func(x *screening.Assessment) {
		fmt.Fprintf(a.stdout, "re-screened %s: step %s, verdict %s, score %g\n", screening.DisplayOrg(x.Orgnr, a.clock.Now()), x.Step, x.Verdict, x.Score)
	}
	if err := f.Setup(); err != nil {
		return exitFailure, err
	}
	if *once {
		return exitOK, f.Once(ctx)
	}
	return exitOK, f.Run(ctx)
}

// fetcher is the service's Fetcher with this process's clock, HTTP
// client, log and output.
func (a *app) fetcher(scr *service.Screening, persons record.Pseudonymizer, src settings.Sources, data string) *service.Fetcher {
	return &service.Fetcher{Screening: scr, Persons: persons, Clock: a.clock, Sources: src, Data: data, HTTP: a.http,
		Log: a.log, Out: a.stdout, Progress: os.Stderr}
}
