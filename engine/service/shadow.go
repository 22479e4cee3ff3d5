package service

import (
	"context"
	"time"

	"github.com/vaksam/vaksam/engine/event"
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
	v.preAward = make(chan preAwardCheck, preAwardQueue)
	observe := v.sc.Observe
	v.sc.Observe = func(a *screening.Assessment, trigger string, took time.Duration) {
		if observe != nil {
			observe(a, trigger, took)
		}
		set := v.shadow.Set()
		if trigger != screening.TriggerPreAward || set == nil {
			return
		}
		select {
		case v.preAward <- preAwardCheck{orgnr: a.Orgnr, opt: screening.Options{At: a.At, Purpose: a.Purpose, Trigger: trigger}, result: a.Result()}:
		default:
			v.log.Warn("shadow: a pre-award check is not repeated; the queue is full", "ruleset", set.Version())
		}
	}
	return nil
}

// preAwardCheck is what the shadow repeats of a pre-award check: the
// organisation, the check's time and purpose, and its live result (the
// caller's max_age is not repeated).
type preAwardCheck struct {
	orgnr  string
	opt    screening.Options
	result event.Result
}

// shadowPreAward repeats each pre-award check with the candidate that
// runs in shadow, after the check was answered.
func (v *Vaksam) shadowPreAward(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case c := <-v.preAward:
			o, err := ident.ParseOrg(c.orgnr)
			if err != nil {
				continue
			}
			v.scr.shadow(ctx, c.opt, []ident.Org{o}, liveResults{c.orgnr: c.result})
		}
	}
}

// RulesVersion is the version of the live rule set.
func (v *Vaksam) RulesVersion() string { return v.rules.Set().Version() }
