package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/connectors/bolagsverket"
	"github.com/vaksam/vaksam/connectors/bulkfile"
	"github.com/vaksam/vaksam/connectors/filedrop"
	"github.com/vaksam/vaksam/connectors/scb"
	"github.com/vaksam/vaksam/connectors/schedule"
	"github.com/vaksam/vaksam/engine"
	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/service"
	"github.com/vaksam/vaksam/engine/settings"
)

// dropSources are the sources that arrive as files.
var dropSources = []string{record.Kronofogden, record.IVO, record.IVOBeslut, record.Roles, record.Huvudman,
	record.Naringsforbud, record.Arbetsmiljoverket, record.Contracts, record.Invoices}

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
	persons, err := pseudonymizer(*data)
	if err != nil {
		return exitFailure, err
	}
	f := &fetcher{a: a, sc: sc, scr: service.NewScreening(sc, a.log), persons: persons, clock: a.clock, src: cfg.Sources, data: *data, http: a.http}
	if err := f.setup(); err != nil {
		return exitFailure, err
	}
	if *once {
		return exitOK, f.once(ctx)
	}
	return exitOK, f.run(ctx)
}

// fetcher wires the connectors to the store and the screener.
type fetcher struct {
	a       *app
	sc      *engine.Screener
	scr     *service.Screening // shared with serve: one screening at a time
	persons record.Pseudonymizer
	clock   connectors.Clock
	src     settings.Sources
	data    string
	http    *http.Client // nil: the default
	quiet   bool         // log re-screenings instead of printing them (serve)
	// observe and ingested, if set, are told of every HTTP attempt to an
	// authority and every ingest (serve's metrics).
	observe  func(connectors.Attempt)
	ingested func(source string, c ingest.Counts)

	runner *schedule.Runner
	drops  *filedrop.Watcher
	bulk   *bulkfile.Fetcher

	mu      sync.Mutex
	changed []record.Item
}

func (f *fetcher) setup() error {
	src := f.src
	windows := map[string]time.Duration{}
	fetchers := map[string]connectors.Fetcher{}
	batchers := map[string]connectors.BatchFetcher{}
	if b := src.Bolagsverket; b != nil {
		id, err := b.ClientID.Value("sources.bolagsverket.client_id")
		if err != nil {
			return err
		}
		sec, err := b.ClientSecret.Value("sources.bolagsverket.client_secret")
		if err != nil {
			return err
		}
		c, err := bolagsverket.New(bolagsverket.Config{BaseURL: b.BaseURL, TokenURL: b.TokenURL, ClientID: id, ClientSecret: sec, HTTP: f.http, Clock: f.clock, Log: f.a.log})
		if err != nil {
			return err
		}
		c.HTTP().Observe = f.observe
		fetchers[record.Bolagsverket] = c.Organisations()
		fetchers[record.BolagsverketDokument] = c.Documents()
		windows[record.Bolagsverket] = f.sc.Settings().Freshness[record.Bolagsverket].Duration()
		days := src.DocumentDays
		if days <= 0 {
			days = 31
		}
		windows[record.BolagsverketDokument] = time.Duration(days) * 24 * time.Hour
	}
	if s := src.SCB; s != nil {
		cfg := scb.Config{BaseURL: s.BaseURL, CertFile: s.CertFile, KeyFile: s.KeyFile, PKCS12File: s.PKCS12File, CAFile: s.CAFile,
			BatchSize: s.BatchSize, Clock: f.clock, Log: f.a.log}
		if s.PKCS12Password.IsSet() {
			pw, err := s.PKCS12Password.Value("sources.scb.pkcs12_password")
			if err != nil {
				return err
			}
			cfg.PKCS12Password = pw
		}
		c, err := scb.New(cfg)
		if err != nil {
			return err
		}
		c.HTTP().Observe = f.observe
		batchers[record.SCB] = c
		windows[record.SCB] = f.sc.Settings().Freshness[record.SCB].Duration()
	}
	f.runner = &schedule.Runner{Store: f.sc.Store, Clock: f.clock, Persons: f.persons, Log: f.a.log,
		Planner: schedule.NewPlanner(schedule.Config{Windows: windows}), Fetchers: fetchers, Batchers: batchers,
		OnChange: f.rescreen, ObserveIngest: f.ingested, Limits: src.FormatLimits()}
	if src.Inbox != "" {
		for _, s := range dropSources {
			if err := os.MkdirAll(filepath.Join(src.Inbox, s), 0o700); err != nil { // as filedrop makes them
				return err
			}
		}
		f.drops = &filedrop.Watcher{Config: filedrop.Config{Root: src.Inbox, Sources: dropSources},
			Ingester: f.ingester(), Persons: f.persons, Clock: f.clock, Log: f.a.log}
	}
	if b := src.BolagsverketBulk; b != nil && b.URL != "" {
		f.bulk = &bulkfile.Fetcher{URL: b.URL, Dir: filepath.Join(f.data, "bulk"),
			Client: &connectors.Client{Source: record.BolagsverketBulk, HTTP: f.httpClient(), Clock: f.clock, Log: f.a.log, Timeout: 5 * time.Minute, Observe: f.observe}}
		if err := os.MkdirAll(f.bulk.Dir, 0o750); err != nil {
			return err
		}
	}
	return nil
}

func (f *fetcher) httpClient() *http.Client {
	if f.http != nil {
		return f.http
	}
	return &http.Client{}
}

// ingester collects new versions for re-screening.
func (f *fetcher) ingester() *ingest.Ingester {
	return &ingest.Ingester{Store: f.sc.Store, BatchSize: 2048, Log: f.a.log, Observe: f.ingested, Limits: f.src.FormatLimits(), OnVersion: func(it record.Item) {
		f.mu.Lock()
		f.changed = append(f.changed, it)
		f.mu.Unlock()
	}}
}

// flushChanges re-screens what file drops and bulk imports changed.
func (f *fetcher) flushChanges(ctx context.Context) {
	f.mu.Lock()
	items := f.changed
	f.changed = nil
	f.mu.Unlock()
	f.rescreen(ctx, items)
}

// rescreen screens the organisations new record versions concern, and
// stores the assessments.
func (f *fetcher) rescreen(ctx context.Context, changed []record.Item) {
	as, err := f.scr.Rescreen(ctx, changed, f.clock.Now())
	if err != nil {
		f.a.log.Error("re-screening", "err", err)
		return
	}
	for _, x := range as {
		if f.quiet {
			f.a.log.Info("re-screened", "orgnr", displayOrg(x.Orgnr, f.clock.Now()), "step", x.Step, "verdict", x.Verdict, "score", x.Score)
			continue
		}
		fmt.Fprintf(f.a.stdout, "re-screened %s: step %s, verdict %s, score %g\n", displayOrg(x.Orgnr, f.clock.Now()), x.Step, x.Verdict, x.Score)
	}
}

// watch sets the runner's watch list from the store.
func (f *fetcher) watch() (int, error) {
	days := f.src.PreAwardDays
	if days <= 0 {
		days = 90
	}
	orgs, err := engine.WatchList(f.sc.Store, f.clock.Now(), days)
	if err != nil {
		return 0, err
	}
	return len(orgs), f.runner.Watch(orgs)
}

// importBulk imports the bulk file when its weekly run is due.
func (f *fetcher) importBulk(ctx context.Context) error {
	if f.bulk == nil {
		return nil
	}
	statePath := filepath.Join(f.data, "bulk", "state.json")
	st, err := bulkfile.LoadState(statePath)
	if err != nil {
		return err
	}
	now := f.clock.Now()
	if !st.Observed.IsZero() && bulkfile.NextRun(st.Observed).After(now) && st.Pending == nil {
		return nil
	}
	f.bulk.Progress = bulkfile.NewProgress(os.Stderr)
	res, err := bulkfile.Import(ctx, f.bulk, f.ingester(), statePath, now, bulkfile.Options{Persons: f.persons, Progress: f.bulk.Progress})
	if err != nil {
		return err
	}
	if res.NotModified {
		fmt.Fprintln(f.a.stdout, "bolagsverket-bulk: unchanged since the last import")
	} else {
		c := res.Counts
		fmt.Fprintf(f.a.stdout, "bolagsverket-bulk: %d new, %d unchanged, %d quarantined\n", c.New, c.Unchanged, c.Quarantined)
	}
	f.flushChanges(ctx)
	return nil
}

// once does what is due now: file drops, the bulk file, and every fetch
// due for the watch list.
func (f *fetcher) once(ctx context.Context) error {
	var errs []error
	if f.drops != nil {
		// A file counts as complete when two polls see it unchanged: poll,
		// wait, poll again.
		for pass := 0; pass < 2; pass++ {
			if pass > 0 {
				f.clock.Sleep(ctx, 2*time.Second)
			}
			res, err := f.drops.RunOnce(ctx)
			errs = append(errs, err)
			for _, r := range res {
				if r.Outcome != "" {
					fmt.Fprintf(f.a.stdout, "inbox %s/%s: %s\n", r.Source, r.Name, r.Outcome)
				}
			}
		}
		f.flushChanges(ctx)
	}
	errs = append(errs, f.importBulk(ctx))
	n, err := f.watch()
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	fmt.Fprintf(f.a.stdout, "%d watched organisations\n", n)
	errs = append(errs, f.runner.RunOnce(ctx))
	return errors.Join(errs...)
}

// run works until ctx ends: the scheduler, the inboxes, the weekly bulk
// file, and the watch list refreshed every hour.
func (f *fetcher) run(ctx context.Context) error {
	if _, err := f.watch(); err != nil {
		return err
	}
	var wg sync.WaitGroup
	start := func(fn func()) { wg.Add(1); go func() { defer wg.Done(); fn() }() }
	start(func() { f.runner.Run(ctx) })
	if f.drops != nil {
		start(func() {
			for ctx.Err() == nil {
				if _, err := f.drops.RunOnce(ctx); err != nil {
					f.a.log.Error("inbox", "err", err)
				}
				f.flushChanges(ctx)
				f.clock.Sleep(ctx, time.Minute)
			}
		})
	}
	start(func() {
		for ctx.Err() == nil {
			if err := f.importBulk(ctx); err != nil {
				f.a.log.Error("bulk file", "err", err)
			}
			if _, err := f.watch(); err != nil {
				f.a.log.Error("watch list", "err", err)
			}
			f.clock.Sleep(ctx, time.Hour)
		}
	})
	wg.Wait()
	return nil
}
