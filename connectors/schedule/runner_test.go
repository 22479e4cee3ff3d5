package schedule

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/logging"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
)

// fakeFetcher answers with the sample organisation, renumbered, in
// Bolagsverket's real format.
type fakeFetcher struct {
	template string
	calls    atomic.Int32
	fail     atomic.Bool
	street   atomic.Value // string
	rid      atomic.Value // string: the request id of the last fetch's context
}

func (f *fakeFetcher) Source() string { return record.Bolagsverket }

func (f *fakeFetcher) Fetch(ctx context.Context, org ident.Org) (connectors.Fetched, error) {
	n := f.calls.Add(1)
	f.rid.Store(logging.RequestID(ctx))
	if f.fail.Load() {
		return connectors.Fetched{}, errors.New("HTTP 503")
	}
	body := strings.ReplaceAll(f.template, "5591234561", org.String())
	if s, ok := f.street.Load().(string); ok && s != "" {
		body = strings.ReplaceAll(body, "Storgatan 12", s)
	}
	return connectors.Fetched{Source: record.Bolagsverket, Name: fmt.Sprintf("req-%d", n), Body: []byte(body)}, nil
}

type harness struct {
	st      *store.Store
	clock   *connectors.ManualClock
	fetcher *fakeFetcher
	changed chan []string
}

func newHarness(t *testing.T, dir string, f *fakeFetcher, start time.Time) (*harness, *Runner) {
	t.Helper()
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	persons, _ := record.NewHMACPseudonymizer([]byte("schedule tests: not a secret"))
	h := &harness{st: st, clock: connectors.NewManualClock(start), fetcher: f, changed: make(chan []string, 16)}
	r := &Runner{Store: st, Clock: h.clock, Persons: persons,
		Planner:  NewPlanner(Config{Windows: map[string]time.Duration{record.Bolagsverket: 7 * 24 * time.Hour}}),
		Fetchers: map[string]connectors.Fetcher{record.Bolagsverket: f},
		OnChange: func(_ context.Context, changed []record.Item) {
			orgs, err := screening.Affected(st, changed, h.clock.Now())
			if err != nil {
				t.Error(err)
			}
			h.changed <- orgs
		}}
	return h, r
}

func sample(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../formats/testdata/bolagsverket-organisationer.json")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func lastSuccess(t *testing.T, st *store.Store, org string, at time.Time) (time.Time, string) {
	t.Helper()
	recs, err := st.Subject(org, store.ScanOptions{At: at})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.ID.Source == record.Bolagsverket {
			return r.LastSuccess, r.Error
		}
	}
	return time.Time{}, ""
}

func TestRunnerKeepsWatchedOrganisationsFresh(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	f := &fakeFetcher{template: sample(t)}
	h, r := newHarness(t, dir, f, start)
	orgs := []string{"5591234561", "5560021361"}
	if err := r.Watch(orgs); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	for _, o := range orgs {
		eventually(t, "first fetch of "+o, func() bool { ls, _ := lastSuccess(t, h.st, o, h.clock.Now()); return !ls.IsZero() })
	}
	// Each first fetch is a change of its organisation.
	seen := map[string]bool{}
	for len(seen) < len(orgs) {
		select {
		case got := <-h.changed:
			for _, o := range got {
				seen[o] = true
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("changes reported for %v only", seen)
		}
	}
	// Five and a half days later (past 75 % of the 7-day window) both are
	// fetched again; unchanged, so no change is reported.
	before := f.calls.Load()
	stop := h.clock.AutoAdvance()
	eventually(t, "refetch", func() bool { return f.calls.Load() >= before+2 && h.clock.Now().Sub(start) > 5*24*time.Hour })
	stop()
	select {
	case got := <-h.changed:
		if len(got) > 0 && f.calls.Load() <= before+2 {
			t.Errorf("an unchanged refetch reported changes: %v", got)
		}
	default:
	}
	// A failed fetch is recorded as a source error (D02 in an assessment).
	f.fail.Store(true)
	k := ident.MustOrg("5591234561")
	rctx, rcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer rcancel()
	if err := r.Refresh(rctx, k, record.Bolagsverket); err == nil || !strings.Contains(err.Error(), "503") {
		t.Errorf("Refresh with a failing source: %v", err)
	}
	if _, e := lastSuccess(t, h.st, "5591234561", h.clock.Now()); !strings.Contains(e, "fetch failed: HTTP 503") {
		t.Errorf("source error %q, want the fetch failure", e)
	}
	// A change is reported with the organisations it affects.
	f.fail.Store(false)
	f.street.Store("Nygatan 1")
	// The fetch carries the request id of the Refresh waiting for it.
	if err := r.Refresh(logging.WithRequestID(rctx, "pre-award-42"), k, record.Bolagsverket); err != nil {
		t.Fatal(err)
	}
	if got := f.rid.Load(); got != "pre-award-42" {
		t.Errorf("the fetch's request id is %q, want the Refresh's", got)
	}
	select {
	case got := <-h.changed:
		if len(got) == 0 || got[0] != "5591234561" {
			t.Errorf("changed %v", got)
		}
	case <-time.After(5 * time.Second):
		t.Error("no change reported after the address changed")
	}
	cancel()
	<-done
}

func TestRestartDoesNotRefetchFreshData(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	f := &fakeFetcher{template: sample(t)}
	{
		h, r := newHarness(t, dir, f, start)
		r.OnChange = nil
		if err := r.Watch([]string{"5591234561"}); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); r.Run(ctx) }()
		eventually(t, "first fetch", func() bool { ls, _ := lastSuccess(t, h.st, "5591234561", h.clock.Now()); return !ls.IsZero() })
		cancel()
		wg.Wait()
		h.st.Close()
	}
	calls := f.calls.Load()
	// Restarted a day later: the data is a day old, fresh for six more.
	h, r := newHarness(t, dir, f, start.Add(24*time.Hour))
	if err := r.Watch([]string{"5591234561"}); err != nil {
		t.Fatal(err)
	}
	st, ok := r.Planner.State(Key{record.Bolagsverket, "5591234561"})
	if !ok || st.LastSuccess.IsZero() || !st.Due.After(h.clock.Now()) {
		t.Fatalf("after restart: %+v", st)
	}
	if due, _ := r.Planner.Next(record.Bolagsverket, h.clock.Now(), 10); len(due) != 0 || f.calls.Load() != calls {
		t.Errorf("fresh data refetched after a restart: %v", due)
	}
}
