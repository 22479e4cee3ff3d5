package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/health"
	"github.com/vaksam/vaksam/engine/metrics"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/service"
	"github.com/vaksam/vaksam/engine/settings"
	"github.com/vaksam/vaksam/rules"
)

// ops is what serve runs for its operators: metrics, readiness, the
// source status behind both, value-log GC and reloads.
type ops struct {
	s       *server
	metrics *metrics.Metrics
	rules   *rules.Manager
	ready   *health.Checker

	mu      sync.Mutex
	at      time.Time // when reports were computed; zero: not yet
	reports []screening.SourceReport
	statErr error
}

// newOps creates the metrics and readiness of a server whose screener runs
// the manager's rules.
func newOps(s *server, man *rules.Manager) *ops {
	o := &ops{s: s, rules: man}
	o.metrics = metrics.New(thisBuild().Metrics(), &metrics.State{
		Outbox: func() (bus.OutboxStatus, error) {
			if s.pub == nil {
				return bus.OutboxStatus{Depth: s.sc.Store.OutboxDepth()}, nil
			}
			return s.outbox()
		},
		NATS: func() (bool, uint64) {
			if s.conn == nil {
				return false, 0
			}
			return s.conn.IsConnected(), s.conn.Stats().Reconnects
		},
		Desk: s.desk,
	})
	o.ready = &health.Checker{Checks: []health.Check{
		{Name: "store", Fn: s.sc.Store.Check},
		{Name: "rules", Fn: o.checkRules},
		{Name: "nats", Fn: o.checkNATS},
		{Name: "sources", Fn: o.checkSources},
	}}
	s.sc.Observe = o.metrics.Screened
	return o
}

// handle adds the operators' endpoints to mux.
func (o *ops) handle(mux *http.ServeMux) {
	mux.Handle("GET /metrics", o.metrics.Handler())
	mux.HandleFunc("GET /healthz", health.Live)
	mux.Handle("GET /readyz", o.ready)
}

func (o *ops) checkRules() error {
	if o.rules.Set() == nil {
		return errors.New("no rule pack loaded")
	}
	return nil
}

func (o *ops) checkNATS() error {
	c := o.s.conn
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

// status computes the sources' state for the watch list as of now, for
// the metrics and readiness.
func (o *ops) status(at time.Time) {
	sc := o.s.sc
	reports, err := func() ([]screening.SourceReport, error) {
		watch, err := screening.WatchList(sc.Store, at, o.s.preAwardDays())
		if err != nil {
			return nil, err
		}
		return screening.SourceStatus(sc.Store, at, watch, sc.Settings())
	}()
	o.mu.Lock()
	defer o.mu.Unlock()
	if err != nil {
		o.statErr = fmt.Errorf("source status: %w", err)
		o.s.a.log.Error("source status", "err", err)
		return
	}
	o.at, o.reports, o.statErr = at, reports, nil
	o.metrics.Sources(at, reports)
}

// statusLoop recomputes the source status every interval.
func (o *ops) statusLoop(ctx context.Context, every time.Duration) error {
	for {
		o.status(o.s.a.now())
		if o.s.a.clock.Sleep(ctx, every) != nil {
			return nil
		}
	}
}

// gcLoop collects the store's value-log garbage every interval.
func (o *ops) gcLoop(ctx context.Context, every time.Duration) error {
	for o.s.a.clock.Sleep(ctx, every) == nil {
		n, err := o.s.sc.Store.CollectGarbage(0.5)
		if err != nil {
			o.s.a.log.Error("value-log gc", "err", err)
			continue
		}
		if n > 0 {
			o.s.a.log.Info("value-log gc", "files_rewritten", n)
		}
	}
	return nil
}

// reload loads the configuration file's rule pack and thresholds again.
// When either fails the running ones stay and the failure is logged and
// counted; when they load, they replace the running ones together, the
// change is written to the audit trail, and the store is screened again.
func (o *ops) reload(ctx context.Context) error {
	s := o.s
	now := s.a.now()
	var ec screening.Config
	err := o.rules.Reload(func() (*rules.Set, error) {
		cfg, err := settings.Load(s.cfgPath)
		if err != nil {
			return nil, err
		}
		var set *rules.Set
		ec, set, err = cfg.ScreeningRules("")
		return set, err
	}, now)
	o.metrics.RulesLoaded(o.rules.Set(), err, now)
	if err != nil {
		return err
	}
	s.sc.SetConfig(ec)
	if err := service.AuditRules(s.sc, s.a.now()); err != nil {
		return err
	}
	s.screenAll(ctx, screening.TriggerReload)
	return nil
}

// preAwardDays is how long a pre-award screening keeps an organisation
// watched.
func (s *server) preAwardDays() int {
	if d := s.cfg.Sources.PreAwardDays; d > 0 {
		return d
	}
	return 90
}

// reloadOnHangup reloads the rule pack and thresholds on every SIGHUP.
func (s *server) reloadOnHangup(ctx context.Context) error {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-hup:
			if err := s.ops.reload(ctx); err != nil {
				s.a.log.Error("reload failed; the previous rules and thresholds keep running", "err", err)
				continue
			}
			s.a.log.Info("reloaded rules and thresholds", "ruleset", s.sc.Rules().Version())
		}
	}
}
