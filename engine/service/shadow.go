package service

import (
	"context"
	"time"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/shadow"
)

// preAwardQueue bounds the pre-award checks waiting for the shadow; more
// are not repeated (and logged): the shadow never slows a check.
const preAwardQueue = 256

// openShadow makes the shadow runner over the live screener, and runs
// the configuration's rules.shadow in it (a pack that does not load fails
// the start, as the live pack does), or else the candidate that ran
// before the restart (shadow.Runner.Restore). A promotion keeps the pack in the
// data directory and writes the change of the running rules to the audit
// trail. The live screener's pre-award checks are handed to the shadow.
func (v *Vaksam) openShadow() error {
	v.shadow = &shadow.Runner{Store: v.sc.Store, Live: v.sc, Rules: v.rules, Overrides: v.cfg.Rules,
		Dir: shadow.PromotedDir(v.opts.Data), Log: v.log}
	v.shadow.Promoted = func(at time.Time) error {
		v.ops.metrics.RulesLoaded(v.rules.Set(), nil, at)
		return AuditRules(v.sc, at)
	}
	v.scr.Shadow = v.shadow
	set, err := v.cfg.ShadowSet()
	if err != nil {
		return err
	}
	if err := v.shadow.Restore(set, v.cfg.Rules.Shadow, v.now()); err != nil {
		return err
	}
	v.preAward = make(chan *screening.Assessment, preAwardQueue)
	observe := v.sc.Observe
	v.sc.Observe = func(a *screening.Assessment, trigger string, took time.Duration) {
		if observe != nil {
			observe(a, trigger, took)
		}
		if trigger != screening.TriggerPreAward || v.shadow.Set() == nil {
			return
		}
		select {
		case v.preAward <- a:
		default:
			v.log.Warn("shadow: a pre-award check is not repeated; the queue is full", "ruleset", v.shadow.Set().Version())
		}
	}
	return nil
}

// shadowPreAward repeats each pre-award check with the candidate that
// runs in shadow, after the check was answered.
func (v *Vaksam) shadowPreAward(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case a := <-v.preAward:
			o, err := ident.ParseOrg(a.Orgnr)
			if err != nil {
				continue
			}
			v.scr.shadow(ctx, screening.TriggerPreAward, a.At, []ident.Org{o}, liveResults{a.Orgnr: a.Result()})
		}
	}
}

// RulesVersion is the version of the live rule set.
func (v *Vaksam) RulesVersion() string { return v.rules.Set().Version() }
