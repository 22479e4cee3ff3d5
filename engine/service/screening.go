package service

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/watchlist"
)

// Screening screens a store and saves the assessments, one screening at a
// time: a re-screening waits while the whole store is screened, so that
// no trigger saves an assessment older than one saved before it.
type Screening struct {
	Screener *screening.Screener
	Log      *slog.Logger

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
	return as, nil
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
	st, err := s.Screener.ScreenOrgs(ctx, orgs, screening.Options{At: at, Save: true, Current: true, Trigger: trigger}, 0,
		func(*screening.Assessment) error { return nil })
	return st.Screened, st.Evaluate, err
}

// ScreenAll screens the whole store at at and saves, for trigger
// (screening.TriggerSchedule, screening.TriggerReload); it returns how many
// organisations it screened and how long the screening took.
func (s *Screening) ScreenAll(ctx context.Context, trigger string, at time.Time) (int, time.Duration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int
	st, err := s.Screener.ScreenAll(ctx, screening.Options{At: at, Save: true, Trigger: trigger}, 0,
		func(*screening.Assessment) error { n++; return nil })
	return n, st.ScanDecode + st.Evaluate, err
}
