package service

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/health"
	"github.com/vaksam/vaksam/engine/metrics"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/settings"
	"github.com/vaksam/vaksam/engine/shadow"
	"github.com/vaksam/vaksam/rules"
)

// ops is what a running Vaksam keeps for its operators: metrics,
// readiness, the source status behind both, value-log GC and reloads.
type ops struct {
	v       *Vaksam
	metrics *metrics.Metrics
	ready   *health.Checker

	mu      sync.Mutex
	at      time.Time // when reports were computed; zero: not yet
	reports []screening.SourceReport
	statErr error
}

// newOps creates the metrics and readiness of v, whose screener runs the
// rules manager's rules.
func newOps(v *Vaksam) *ops {
	o := &ops{v: v}
	o.metrics = metrics.New(v.opts.Build, &metrics.State{
		Outbox: func() (bus.OutboxStatus, error) {
			if v.pub == nil {
				return bus.OutboxStatus{Depth: v.sc.Store.OutboxDepth()}, nil
			}
			return v.outbox()
		},
		NATS: func() (bool, uint64) {
			if v.conn == nil {
				return false, 0
			}
			return v.conn.IsConnected(), v.conn.Stats().Reconnects
		},
		Desk: v.desk,
		Now:  v.now,
	})
	o.ready = &health.Checker{Checks: []health.Check{
		{Name: "store", Fn: v.sc.Store.Check},
		{Name: "rules", Fn: o.checkRules},
		{Name: "nats", Fn: o.checkNATS},
		{Name: "sources", Fn: o.checkSources},
	}}
	v.sc.Observe = o.metrics.Screened
	return o
}

// handle adds the operators' endpoints to mux.
func (o *ops) handle(mux *http.ServeMux) {
	mux.Handle("GET /metrics", o.metrics.Handler())
	mux.HandleFunc("GET /healthz", health.Live)
	mux.Handle("GET /readyz", o.ready)
}

func (o *ops) checkRules() error {
	if o.v.rules.Set() == nil {
		return errors.New("no rule pack loaded")
	}
	return nil
}

func (o *ops) checkNATS() error {
	c := o.v.conn
	switch {
	case c == nil:
		return errors.New("not connected yet")
	case !c.IsConnected():
		return fmt.Errorf("not connected (%s)", strings.ToLower(c.Status().String()))
	}
	return nil
}

// checkSources fails while a required source has delivered nothing within
// its freshness window: every assessment needing it is incomplete.
func (o *ops) checkSources() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.statErr != nil {
		return o.statErr
	}
	if o.at.IsZero() {
		return errors.New("source status not computed yet")
	}
	var down []string
	for _, r := range o.reports {
		if r.Down(o.at) {
			last := "never"
			if !r.LastSuccess.IsZero() {
				last = "last " + r.LastSuccess.UTC().Format(time.RFC3339)
			}
			down = append(down, fmt.Sprintf("%s: nothing within its %d-day window (%s)", r.Source, int(r.Window/(24*time.Hour)), last))
		}
	}
	if len(down) > 0 {
		return errors.New(strings.Join(down, "; "))
	}
	return nil
}

// status computes the sources' state for the watch list as of at, for
// the metrics and readiness.
func (o *ops) status(at time.Time) {
	sc := o.v.sc
	reports, err := func() ([]screening.SourceReport, error) {
		watch, err := screening.WatchList(sc.Store, at, preAwardDays(o.v.cfg.Sources))
		if err != nil {
			return nil, err
		}
		return screening.SourceStatus(sc.Store, at, watch, sc.Settings())
	}()
	o.mu.Lock()
	defer o.mu.Unlock()
	if err != nil {
		o.statErr = fmt.Errorf("source status: %w", err)
		o.v.log.Error("source status", "err", err)
		return
	}
	o.at, o.reports, o.statErr = at, reports, nil
	o.metrics.Sources(at, reports)
}

// statusLoop recomputes the source status every interval.
func (o *ops) statusLoop(ctx context.Context, every time.Duration) error {
	for {
		o.status(o.v.now())
		if o.v.opts.Clock.Sleep(ctx, every) != nil {
			return nil
		}
	}
}

// gcLoop collects the store's value-log garbage every interval.
func (o *ops) gcLoop(ctx context.Context, every time.Duration) error {
	for o.v.opts.Clock.Sleep(ctx, every) == nil {
		n, err := o.v.sc.Store.CollectGarbage(0.5)
		if err != nil {
			o.v.log.Error("value-log gc", "err", err)
			continue
		}
		if n > 0 {
			o.v.log.Info("value-log gc", "files_rewritten", n)
		}
	}
	return nil
}

// Reload loads the configuration file's rule pack and thresholds again.
// When either fails the running ones stay and the failure is logged and
// counted; when they load, they replace the running ones together, the
// change is written to the audit trail, and the store is screened again.
func (v *Vaksam) Reload(ctx context.Context) error {
	now := v.now()
	var ec screening.Config
	err := v.rules.Reload(func() (*rules.Set, error) {
		cfg, err := settings.Load(v.opts.ConfigPath)
		if err != nil {
			return nil, err
		}
		var set *rules.Set
		ec, set, err = cfg.ScreeningRules(shadow.PromotedPath(v.opts.Data))
		return set, err
	}, now)
	v.ops.metrics.RulesLoaded(v.rules.Set(), err, now)
	if err != nil {
		return err
	}
	v.sc.SetConfig(ec)
	if err := AuditRules(v.sc, v.now()); err != nil {
		return err
	}
	v.screenScheduled(ctx, screening.TriggerReload)
	return nil
}

// reloadOn reloads the rule pack and thresholds every time Options.Reload
// delivers.
func (v *Vaksam) reloadOn(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-v.opts.Reload:
			if err := v.Reload(ctx); err != nil {
				v.log.Error("reload failed; the previous rules and thresholds keep running", "err", err)
				continue
			}
			v.log.Info("reloaded rules and thresholds", "ruleset", v.sc.Rules().Version())
		}
	}
}

// preAwardDays is how long a pre-award screening keeps an organisation
// watched: sources.pre_award_days, 90 when unset.
func preAwardDays(s settings.Sources) int {
	if s.PreAwardDays > 0 {
		return s.PreAwardDays
	}
	return 90
}
