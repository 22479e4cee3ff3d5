package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/connectors/bolagsverket"
	"github.com/vaksam/vaksam/connectors/bulkfile"
	"github.com/vaksam/vaksam/connectors/filedrop"
	"github.com/vaksam/vaksam/connectors/listfetch"
	"github.com/vaksam/vaksam/connectors/scb"
	"github.com/vaksam/vaksam/connectors/schedule"
	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/settings"
)

// DropSources are the sources that arrive as files: the inbox sources
// (record.ByInbox) and the downloaded lists (record.ByDownload), whose file
// may be dropped in the source's inbox until their download fetcher is set
// up here.
var DropSources = record.SourcesWhere(func(s record.Source) bool {
	return s.Arrival == record.ByInbox || s.Arrival == record.ByDownload
})

// Fetcher wires the connectors to the store and the screening: the
// scheduled fetches of the watched organisations (Bolagsverket, SCB), the
// inboxes of the sources that arrive as files, the weekly bulk file and
// the sanctions lists' downloads (lists.go).
// Every new record version goes through the Screening's Rescreen.
type Fetcher struct {
	Screening *Screening // shared with serve: one screening at a time
	Persons   record.Pseudonymizer
	Clock     connectors.Clock
	Sources   settings.Sources
	Data      string       // the data directory (the bulk file's and the lists' state)
	HTTP      *http.Client // nil: the default
	Log       *slog.Logger
	// Out is told what Once and the bulk import did; Progress (standard
	// error) shows a bulk import's progress.
	Out      io.Writer
	Progress *os.File
	// Rescreened, if set, is told of every assessment a change saved.
	Rescreened func(*screening.Assessment)
	// Observe and Ingested, if set, are told of every HTTP attempt to an
	// authority and every ingest (serve's metrics).
	Observe  func(connectors.Attempt)
	Ingested func(source string, c ingest.Counts)

	runner *schedule.Runner
	drops  *filedrop.Watcher
	bulk   *bulkfile.Fetcher
	lists  []*listfetch.Downloader

	mu      sync.Mutex
	changed []record.Item
}

func (f *Fetcher) Setup() error {
	src := f.Sources
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
		c, err := bolagsverket.New(bolagsverket.Config{BaseURL: b.BaseURL, TokenURL: b.TokenURL, ClientID: id, ClientSecret: sec, HTTP: f.HTTP, Clock: f.Clock, Log: f.Log})
		if err != nil {
			return err
		}
		c.HTTP().Observe = f.Observe
		fetchers[record.Bolagsverket] = c.Organisations()
		fetchers[record.BolagsverketDokument] = c.Documents()
		windows[record.Bolagsverket] = f.Screening.Screener.Settings().Freshness[record.Bolagsverket].Duration()
		days := src.DocumentDays
		if days <= 0 {
			days = 31
		}
		windows[record.BolagsverketDokument] = time.Duration(days) * 24 * time.Hour
	}
	if s := src.SCB; s != nil {
		cfg := scb.Config{BaseURL: s.BaseURL, CertFile: s.CertFile, KeyFile: s.KeyFile, PKCS12File: s.PKCS12File, CAFile: s.CAFile,
			BatchSize: s.BatchSize, Clock: f.Clock, Log: f.Log}
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
		c.HTTP().Observe = f.Observe
		batchers[record.SCB] = c
		windows[record.SCB] = f.Screening.Screener.Settings().Freshness[record.SCB].Duration()
	}
	f.runner = &schedule.Runner{Store: f.Screening.Screener.Store, Clock: f.Clock, Persons: f.Persons, Log: f.Log,
		Planner: schedule.NewPlanner(schedule.Config{Windows: windows}), Fetchers: fetchers, Batchers: batchers,
		OnChange: f.rescreen, ObserveIngest: f.Ingested, Limits: src.FormatLimits()}
	if src.Inbox != "" {
		for _, s := range DropSources {
			if err := os.MkdirAll(filepath.Join(src.Inbox, s), 0o700); err != nil { // as filedrop makes them
				return err
			}
		}
		f.drops = &filedrop.Watcher{Config: filedrop.Config{Root: src.Inbox, Sources: DropSources},
			Ingester: f.ingester(), Persons: f.Persons, Clock: f.Clock, Log: f.Log}
	}
	if b := src.BolagsverketBulk; b != nil && b.URL != "" {
		f.bulk = &bulkfile.Fetcher{URL: b.URL, Dir: filepath.Join(f.Data, "bulk"),
			Client: &connectors.Client{Source: record.BolagsverketBulk, HTTP: f.httpClient(), Clock: f.Clock, Log: f.Log, Timeout: 5 * time.Minute, Observe: f.Observe}}
		if err := os.MkdirAll(f.bulk.Dir, 0o750); err != nil {
			return err
		}
	}
	return f.setupLists()
}

func (f *Fetcher) httpClient() *http.Client {
	if f.HTTP != nil {
		return f.HTTP
	}
	return &http.Client{}
}

// ingester collects new versions for re-screening.
func (f *Fetcher) ingester() *ingest.Ingester {
	return &ingest.Ingester{Store: f.Screening.Screener.Store, BatchSize: 2048, Log: f.Log, Observe: f.Ingested, Limits: f.Sources.FormatLimits(), OnVersion: func(it record.Item) {
		f.mu.Lock()
		f.changed = append(f.changed, affects(it))
		f.mu.Unlock()
	}}
}

// flushChanges re-screens what file drops and bulk imports changed.
func (f *Fetcher) flushChanges(ctx context.Context) {
	f.mu.Lock()
	items := f.changed
	f.changed = nil
	f.mu.Unlock()
	f.rescreen(ctx, items)
}

// rescreen screens the organisations new record versions concern, and
// stores the assessments.
func (f *Fetcher) rescreen(ctx context.Context, changed []record.Item) {
	as, err := f.Screening.Rescreen(ctx, changed, f.Clock.Now())
	if err != nil {
		f.Log.Error("re-screening", "err", err)
		return
	}
	if f.Rescreened != nil {
		for _, x := range as {
			f.Rescreened(x)
		}
	}
}

// watch sets the runner's watch list from the store.
func (f *Fetcher) watch() (int, error) {
	orgs, err := screening.WatchList(f.Screening.Screener.Store, f.Clock.Now(), preAwardDays(f.Sources))
	if err != nil {
		return 0, err
	}
	return len(orgs), f.runner.Watch(orgs)
}

// importBulk imports the bulk file when its weekly run is due.
func (f *Fetcher) importBulk(ctx context.Context) error {
	if f.bulk == nil {
		return nil
	}
	statePath := filepath.Join(f.Data, "bulk", "state.json")
	st, err := bulkfile.LoadState(statePath)
	if err != nil {
		return err
	}
	now := f.Clock.Now()
	if !st.Observed.IsZero() && bulkfile.NextRun(st.Observed).After(now) && st.Pending == nil {
		return nil
	}
	f.bulk.Progress = bulkfile.NewProgress(f.Progress)
	res, err := bulkfile.Import(ctx, f.bulk, f.ingester(), statePath, now, bulkfile.Options{Persons: f.Persons, Progress: f.bulk.Progress})
	if err != nil {
		return err
	}
	if res.NotModified {
		fmt.Fprintln(f.Out, "bolagsverket-bulk: unchanged since the last import")
	} else {
		c := res.Counts
		fmt.Fprintf(f.Out, "bolagsverket-bulk: %d new, %d unchanged, %d quarantined\n", c.New, c.Unchanged, c.Quarantined)
	}
	f.flushChanges(ctx)
	return nil
}

// Once does what is due now: file drops, the bulk file, the sanctions
// lists due, and every fetch due for the watch list.
func (f *Fetcher) Once(ctx context.Context) error {
	var errs []error
	if f.drops != nil {
		// A file counts as complete when two polls see it unchanged: poll,
		// wait, poll again.
		for pass := 0; pass < 2; pass++ {
			if pass > 0 {
				f.Clock.Sleep(ctx, 2*time.Second)
			}
			res, err := f.drops.RunOnce(ctx)
			errs = append(errs, err)
			for _, r := range res {
				if r.Outcome != "" {
					fmt.Fprintf(f.Out, "inbox %s/%s: %s\n", r.Source, r.Name, r.Outcome)
				}
			}
		}
		f.flushChanges(ctx)
	}
	errs = append(errs, f.importBulk(ctx), f.importLists(ctx))
	n, err := f.watch()
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	fmt.Fprintf(f.Out, "%d watched organisations\n", n)
	errs = append(errs, f.runner.RunOnce(ctx))
	return errors.Join(errs...)
}

// Run works until ctx ends: the scheduler, the inboxes, the weekly bulk
// file, and the watch list refreshed every hour.
func (f *Fetcher) Run(ctx context.Context) error {
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
					f.Log.Error("inbox", "err", err)
				}
				f.flushChanges(ctx)
				f.Clock.Sleep(ctx, time.Minute)
			}
		})
	}
	if len(f.lists) > 0 {
		start(func() {
			for ctx.Err() == nil {
				f.importLists(ctx) // logged per list
				f.Clock.Sleep(ctx, listsEvery)
			}
		})
	}
	start(func() {
		for ctx.Err() == nil {
			if err := f.importBulk(ctx); err != nil {
				f.Log.Error("bulk file", "err", err)
			}
			if _, err := f.watch(); err != nil {
				f.Log.Error("watch list", "err", err)
			}
			f.Clock.Sleep(ctx, time.Hour)
		}
	})
	wg.Wait()
	return nil
}

// Arrivals says, for every source Setup set up a fetcher or an inbox for,
// how its records arrive; a test checks it against the source registry.
func (f *Fetcher) Arrivals() map[string]record.Arrival {
	out := map[string]record.Arrival{}
	for src := range f.runner.Fetchers {
		out[src] = record.ByAPI
	}
	for src := range f.runner.Batchers {
		out[src] = record.ByBatch
	}
	if f.bulk != nil {
		out[f.bulk.Source()] = record.ByBulkFile
	}
	if f.drops != nil {
		for _, src := range f.drops.Config.Sources {
			s, _ := record.LookupSource(src)
			out[src] = s.Arrival // ByInbox, or ByDownload dropped as a file
		}
	}
	for _, d := range f.lists {
		out[d.Source] = record.ByDownload // downloaded, and droppable in its inbox too
	}
	return out
}

// Runner is the scheduler Setup made: the pre-award service's refresher.
func (f *Fetcher) Runner() *schedule.Runner { return f.runner }
