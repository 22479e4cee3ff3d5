package schedule

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/connectors/formats"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/logging"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
)

// Runner keeps the watch list fresh with real fetchers.
type Runner struct {
	Store   *store.Store
	Clock   connectors.Clock
	Persons record.Pseudonymizer
	Planner *Planner
	// Fetchers fetch one organisation per call; Batchers several.
	Fetchers map[string]connectors.Fetcher
	Batchers map[string]connectors.BatchFetcher
	// OnChange is told of the new record versions a fetch stored, for
	// change-driven re-screening (which finds the organisations they
	// concern).
	OnChange func(ctx context.Context, changed []record.Item)
	// Idle bounds how long a worker sleeps before looking at its queue
	// again (default 1 hour); Watch and Refresh wake the workers at once.
	Idle time.Duration
	Log  *slog.Logger
	// ObserveIngest, if set, is told the counts of every fetched file
	// stored (metrics).
	ObserveIngest func(source string, c ingest.Counts)
	// Limits bound the records of the fetched answers per source (see
	// ingest.Ingester.Limits).
	Limits map[string]formats.Limits

	mu      sync.Mutex
	wake    map[string]chan struct{}
	waiters map[Key][]waiter
}

// waiter is a Refresh waiting for a fetch that started after its request.
type waiter struct {
	seq uint64
	ch  chan error
	rid string // the request id of the Refresh's context, if any
}

func (r *Runner) log() *slog.Logger {
	if r.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Log
}

// Watch sets the watch list, reading from the store when each source last
// observed each newly watched organisation: a restart refetches nothing
// still fresh.
func (r *Runner) Watch(orgs []string) error {
	now := r.Clock.Now()
	last := map[Key]time.Time{}
	r.mu.Lock()
	var added []string
	for _, o := range orgs {
		if !r.Planner.Planned(o) {
			added = append(added, o) // only these need the store's memory
		}
	}
	r.mu.Unlock()
	for _, o := range added {
		recs, err := r.Store.Subject(o, store.ScanOptions{At: now})
		if err != nil {
			return fmt.Errorf("schedule: %s: %w", redact(o), err)
		}
		for _, rec := range recs {
			if rec.LastSuccess.After(last[Key{rec.ID.Source, o}]) {
				last[Key{rec.ID.Source, o}] = rec.LastSuccess
			}
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Planner.Watch(orgs, func(k Key) time.Time { return last[k] })
	r.wakeAll()
	return nil
}

// Refresh fetches an organisation's data from the given sources now,
// ahead of everything else, and waits until each fetch is done or ctx
// ends. It returns the fetch errors joined.
func (r *Runner) Refresh(ctx context.Context, org ident.Org, sources ...string) error {
	chans := make([]chan error, 0, len(sources))
	r.mu.Lock()
	if r.waiters == nil {
		r.waiters = map[Key][]waiter{}
	}
	for _, src := range sources {
		if _, ok := r.Planner.queues[src]; !ok {
			r.mu.Unlock()
			return fmt.Errorf("schedule: no fetcher plans source %q", src)
		}
		k := Key{src, org.String()}
		ch := make(chan error, 1)
		seq := r.Planner.Want(k, r.Clock.Now())
		r.waiters[k] = append(r.waiters[k], waiter{seq: seq, ch: ch, rid: logging.RequestID(ctx)})
		chans = append(chans, ch)
	}
	r.wakeAll()
	r.mu.Unlock()
	var errs []error
	for _, ch := range chans {
		select {
		case err := <-ch:
			errs = append(errs, err)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return errors.Join(errs...)
}

// waitingRequest returns the request id of a Refresh waiting for one of
// the organisations' fetch from src, or "".
func (r *Runner) waitingRequest(src string, orgs []string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, o := range orgs {
		for _, w := range r.waiters[Key{src, o}] {
			if w.rid != "" {
				return w.rid
			}
		}
	}
	return ""
}

func (r *Runner) wakeAll() {
	for _, ch := range r.wake {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// Run works every planned source until ctx ends.
func (r *Runner) Run(ctx context.Context) error {
	r.mu.Lock()
	if r.wake == nil {
		r.wake = map[string]chan struct{}{}
	}
	sources := r.Planner.Sources()
	for _, src := range sources {
		r.wake[src] = make(chan struct{}, 1)
	}
	r.mu.Unlock()
	var wg sync.WaitGroup
	for _, src := range sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.work(ctx, src)
		}()
	}
	wg.Wait()
	return ctx.Err()
}

func (r *Runner) work(ctx context.Context, src string) {
	batch := 1
	if b, ok := r.Batchers[src]; ok {
		batch = b.MaxBatch()
	}
	idle := r.Idle
	if idle <= 0 {
		idle = time.Hour
	}
	for ctx.Err() == nil {
		r.mu.Lock()
		orgs, next := r.Planner.Next(src, r.Clock.Now(), batch)
		wake := r.wake[src]
		r.mu.Unlock()
		if len(orgs) == 0 {
			wait := idle
			if !next.IsZero() {
				wait = min(wait, next.Sub(r.Clock.Now()))
			}
			r.sleep(ctx, wake, wait)
			continue
		}
		r.fetch(ctx, src, orgs)
	}
}

// sleep waits on the clock for d, or until woken or ctx ends.
func (r *Runner) sleep(ctx context.Context, wake chan struct{}, d time.Duration) {
	if d <= 0 {
		return
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-wake:
			cancel()
		case <-sctx.Done():
		}
	}()
	r.Clock.Sleep(sctx, d)
}

// fetch fetches, ingests and reports one call's organisations. When a
// Refresh waits for one of them, the fetch carries its request id, so
// that the authority's logs and ours tie the call to the request.
func (r *Runner) fetch(ctx context.Context, src string, orgs []string) {
	if id := r.waitingRequest(src, orgs); id != "" {
		ctx = logging.WithRequestID(ctx, id)
	}
	ids := make([]ident.Org, 0, len(orgs))
	for _, o := range orgs {
		id, err := ident.ParseOrg(o)
		if err != nil {
			r.done(src, []string{o}, fmt.Errorf("schedule: %w", err))
			continue
		}
		ids = append(ids, id)
	}
	var (
		got []connectors.Fetched
		err error
	)
	if b, ok := r.Batchers[src]; ok && len(ids) > 0 {
		var f connectors.Fetched
		if f, err = b.FetchBatch(ctx, ids); err == nil {
			got = append(got, f)
		}
	} else if f, ok := r.Fetchers[src]; ok {
		for _, id := range ids {
			one, ferr := f.Fetch(ctx, id)
			if ferr != nil {
				err = errors.Join(err, ferr)
				continue
			}
			got = append(got, one)
		}
	} else {
		err = fmt.Errorf("schedule: no fetcher for %s", src)
	}
	now := r.Clock.Now()
	if err != nil {
		if ctx.Err() != nil {
			r.done(src, orgs, ctx.Err())
			return
		}
		r.log().Warn("fetch failed", "source", src, "organisations", len(orgs), "err", err)
		r.recordErrors(src, orgs, err, now)
		r.done(src, orgs, err)
		return
	}
	var changed []record.Item
	in := &ingest.Ingester{Store: r.Store, OnVersion: func(it record.Item) { changed = append(changed, it) }, Observe: r.ObserveIngest, Limits: r.Limits}
	for _, f := range got {
		job := ingest.Job{Source: f.Source, Name: f.Name, Observed: now, Orgnr: f.Orgnr, Persons: r.Persons}
		c, ierr := in.Reader(ctx, bytes.NewReader(f.Body), job)
		if ierr != nil {
			err = errors.Join(err, ierr)
		} else if c.Quarantined > 0 {
			r.log().Warn("fetched records quarantined", "source", f.Source, "request_id", f.Name, "quarantined", c.Quarantined)
		}
	}
	r.done(src, orgs, err)
	if len(changed) > 0 && r.OnChange != nil {
		r.OnChange(ctx, changed)
	}
}

// recordErrors stores a failed fetch as a source-error observation of each
// organisation, so that its assessment shows D02 rather than old data as
// if it were current.
func (r *Runner) recordErrors(src string, orgs []string, err error, now time.Time) {
	obs := make([]store.Observation, 0, len(orgs))
	for _, o := range orgs {
		obs = append(obs, store.Observation{Item: record.Item{Source: src, Subject: o, SourceError: "fetch failed: " + err.Error()}, Observed: now})
	}
	if _, perr := r.Store.Put(obs); perr != nil {
		r.log().Error("recording fetch errors", "source", src, "err", perr)
	}
}

func (r *Runner) done(src string, orgs []string, err error) {
	now := r.Clock.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, o := range orgs {
		k := Key{src, o}
		started := r.Planner.Started(k)
		r.Planner.Done(k, now, err == nil)
		kept := r.waiters[k][:0]
		for _, w := range r.waiters[k] {
			if w.seq < started {
				w.ch <- err
			} else {
				kept = append(kept, w)
			}
		}
		if len(kept) == 0 {
			delete(r.waiters, k)
		} else {
			r.waiters[k] = kept
		}
	}
}

func redact(orgnr string) string {
	if o, err := ident.ParseOrg(orgnr); err == nil {
		return o.Redacted()
	}
	return orgnr
}

// RunOnce fetches everything due now, source by source, and returns: for
// a command run from cron, and for tests.
func (r *Runner) RunOnce(ctx context.Context) error {
	for _, src := range r.Planner.Sources() {
		batch := 1
		if b, ok := r.Batchers[src]; ok {
			batch = b.MaxBatch()
		}
		for ctx.Err() == nil {
			r.mu.Lock()
			orgs, _ := r.Planner.Next(src, r.Clock.Now(), batch)
			r.mu.Unlock()
			if len(orgs) == 0 {
				break
			}
			r.fetch(ctx, src, orgs)
		}
	}
	return ctx.Err()
}

// Sources lists the sources the runner fetches, for callers of Refresh.
func (r *Runner) Sources() []string { return r.Planner.Sources() }
