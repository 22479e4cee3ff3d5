package service

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/shadow"
	"github.com/vaksam/vaksam/engine/watchlist"
)

// Screening screens a store and saves the assessments, one screening at a
// time: a re-screening waits while the whole store is screened, so that
// no trigger saves an assessment older than one saved before it.
type Screening struct {
	Screener *screening.Screener
	Log      *slog.Logger
	// Shadow, if set, repeats every screening with the candidate rule pack
	// that runs in shadow, after the live one, and stores the comparison;
	// its failures are logged, never the live screening's.
	Shadow *shadow.Runner

	mu sync.Mutex // one screening of the store at a time
}

// NewScreening returns the screening of sc; log may be nil.
func NewScreening(sc *screening.Screener, log *slog.Logger) *Screening {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Screening{Screener: sc, Log: log}
}

// Rescreen screens the organisations whose assessment the changed record
// versions may change (screening.Affected; for a sanctions list's records,
// those matching what its import added, changed or removed:
// watchlist.Affected), as a screening of the present at at, and saves
// their assessments; numbers that do not parse (person subjects) are
// skipped. It returns the assessments saved.
func (s *Screening) Rescreen(ctx context.Context, changed []record.Item, at time.Time) ([]*screening.Assessment, error) {
	if len(changed) == 0 {
		return nil, nil
	}
	orgs, err := s.affected(ctx, changed, at)
	if err != nil {
		return nil, fmt.Errorf("change-driven re-screening: %w", err)
	}
	ids := make([]ident.Org, 0, len(orgs))
	for _, o := range orgs {
		if id, err := ident.ParseOrg(o); err == nil {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	as, err := s.Screener.Screen(ctx, ids, screening.Options{At: at, Save: true, Current: true, Trigger: screening.TriggerChange})
	if err != nil {
		return as, fmt.Errorf("re-screening %d organisations: %w", len(ids), err)
	}
	if s.Shadow.Set() != nil {
		live := s.live()
		for _, a := range as {
			live.add(a)
		}
		s.shadow(ctx, screening.Options{At: at, Trigger: screening.TriggerChange}, ids, live)
	}
	return as, nil
}

// liveResults are the live results of a screening the shadow repeats;
// nil when no candidate runs in shadow.
type liveResults map[string]event.Result

// live returns a map to collect the live results in, nil when no
// candidate runs in shadow.
func (s *Screening) live() liveResults {
	if s.Shadow.Set() == nil {
		return nil
	}
	return liveResults{}
}

func (l liveResults) add(a *screening.Assessment) {
	if l != nil {
		l[a.Orgnr] = a.Result()
	}
}

// shadow repeats a screening with the candidate (shadow.Runner.Screen).
func (s *Screening) shadow(ctx context.Context, opt screening.Options, orgs []ident.Org, live liveResults) {
	set := s.Shadow.Set()
	if live == nil || set == nil {
		return
	}
	n, err := s.Shadow.Screen(ctx, opt, orgs, live)
	if err != nil {
		if ctx.Err() == nil {
			s.Log.Error("shadow screening", "trigger", opt.Trigger, "err", err)
		}
		return
	}
	s.Log.Info("shadow screening", "trigger", opt.Trigger, "ruleset", set.Version(), "organisations", n)
}

// affected returns the organisations to re-screen, sorted: those the
// changed records of organisations and persons may change
// (screening.Affected), and those whose name or representatives match
// what a new version of a sanctions list added, changed or removed
// (watchlist.Affected).
func (s *Screening) affected(ctx context.Context, changed []record.Item, at time.Time) ([]string, error) {
	st := s.Screener.Store
	var records []record.Item
	for _, it := range changed {
		if !record.IsListSubject(it.Subject) {
			records = append(records, it)
		}
	}
	orgs, err := screening.Affected(st, records, at)
	if err != nil || len(records) == len(changed) {
		return orgs, err
	}
	lists, err := watchlist.Changes(st, changed, at)
	if err != nil {
		return nil, err
	}
	listed, err := watchlist.Affected(ctx, st, lists, at, watchlist.RescreenFloor)
	if err != nil {
		return nil, err
	}
	for _, c := range lists {
		s.Log.Info("sanctions list changed", "source", c.Source, "imported", c.After, "added", len(c.Added),
			"changed", len(c.Changed), "removed", len(c.Removed), "organisations", len(listed))
	}
	orgs = append(orgs, listed...)
	slices.Sort(orgs)
	return slices.Compact(orgs), nil
}

// ScreenOrgs screens the organisations orgs at at and saves, for trigger
// (the schedule or a reload under settings.ScopeWatched), reading their
// network from the whole store's indexes (screening.Screener.ScreenOrgs);
// it returns how many organisations it screened and how long the
// screening took.
func (s *Screening) ScreenOrgs(ctx context.Context, trigger string, at time.Time, orgs []ident.Org) (int, time.Duration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	live := s.live()
	st, err := s.Screener.ScreenOrgs(ctx, orgs, screening.Options{At: at, Save: true, Current: true, Trigger: trigger}, 0,
		func(a *screening.Assessment) error { live.add(a); return nil })
	if err == nil {
		s.shadow(ctx, screening.Options{At: at, Trigger: trigger}, orgs, live)
	}
	return st.Screened, st.Evaluate, err
}

// ScreenAll screens the whole store at at and saves, for trigger
// (screening.TriggerSchedule, screening.TriggerReload); it returns how many
// organisations it screened and how long the screening took.
func (s *Screening) ScreenAll(ctx context.Context, trigger string, at time.Time) (int, time.Duration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int
	live := s.live()
	st, err := s.Screener.ScreenAll(ctx, screening.Options{At: at, Save: true, Trigger: trigger}, 0,
		func(a *screening.Assessment) error { n++; live.add(a); return nil })
	if err == nil {
		s.shadow(ctx, screening.Options{At: at, Trigger: trigger}, nil, live)
	}
	return n, st.ScanDecode + st.Evaluate, err
}
