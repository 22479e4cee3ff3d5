package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/settings"
)

// Watched returns the organisations serve's schedule screens under
// settings.ScopeWatched as of at: screening.Watched's (the municipality's
// suppliers and those screened before award in the last preAwardDays
// days), and every organisation whose alert is open or snoozed, so that
// its alert goes on following its assessments. Sorted.
func Watched(sc *screening.Screener, desk *review.Desk, at time.Time, preAwardDays int) ([]ident.Org, error) {
	orgs, err := screening.Watched(sc.Store, at, preAwardDays)
	if err != nil {
		return nil, err
	}
	alerts, err := desk.Alerts(func(a *review.Alert) bool { return a.Open() || a.Snoozed })
	if err != nil {
		return nil, fmt.Errorf("watched organisations: %w", err)
	}
	ids := make([]string, 0, len(orgs)+len(alerts))
	for _, o := range orgs {
		ids = append(ids, o.String())
	}
	for _, a := range alerts {
		ids = append(ids, a.Orgnr)
	}
	return screening.Orgs(ids), nil
}

// screenScheduled screens, for trigger (the schedule, a reload), what
// serve.screen_scope says: the watched organisations against the whole
// store, or the whole store.
func (v *Vaksam) screenScheduled(ctx context.Context, trigger string) {
	at := v.now()
	var orgs []ident.Org
	if v.cfg.Serve.Scope(true) == settings.ScopeWatched {
		var err error
		if orgs, err = Watched(v.sc, v.desk, at, preAwardDays(v.cfg.Sources)); err != nil {
			v.log.Error("screening", "trigger", trigger, "err", err)
			return
		}
	}
	scope := v.cfg.Serve.Scope(len(orgs) > 0)
	var (
		n    int
		took time.Duration
		err  error
	)
	if scope == settings.ScopeAll {
		n, took, err = v.scr.ScreenAll(ctx, trigger, at)
	} else {
		n, took, err = v.scr.ScreenOrgs(ctx, trigger, at, orgs)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		v.log.Error("screening", "trigger", trigger, "scope", scope, "err", err)
		return
	}
	if err == nil {
		v.ops.metrics.ScreenedAll(took)
	}
	v.log.Info("screened the store", "trigger", trigger, "scope", scope, "organisations", n, "took", took, "outbox", v.sc.Store.OutboxDepth())
}
