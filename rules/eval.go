package rules

import (
	"fmt"
	"time"

	"github.com/expr-lang/expr/vm"

	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/record"
)

// Hit is a rule that fired.
type Hit struct {
	Rule       *Rule
	Confidence float64
	Message    Text
}

// Result is the outcome of evaluating a Set on one profile.
type Result struct {
	Hits []Hit
	// NotChecked lists rules that could not be evaluated because a source
	// they need was missing, stale or failing, or a fact they read is
	// unknown.
	NotChecked []string
	// Blocked says, for each rule of NotChecked, why.
	Blocked []Blocked
}

// Blocked is why a rule was not checked.
type Blocked struct {
	Rule *Rule
	// Sources are the needed sources that were not usable.
	Sources []string
	// Unknown are the facts it reads that the profile holds as unknown
	// (keys of profile.Profile.Unknown).
	Unknown []string
}

// Evaluator evaluates a Set. It owns one expr VM and is not safe for
// concurrent use: give each worker goroutine its own.
type Evaluator struct {
	set *Set
	vm  vm.VM
	env Env
}

// NewEvaluator returns an Evaluator for set.
func (s *Set) NewEvaluator() *Evaluator { return &Evaluator{set: s} }

// Usability is how far a source's data for a profile can be used.
type Usability int

const (
	// Unusable: missing, stale or failing.
	Unusable Usability = iota
	// Partial: present for some of what it covers only (the trading-ban
	// register looked up for some representatives): what it says is
	// true, what it does not say is unknown. A rule that fires on it
	// fires; one that does not is not checked.
	Partial
	// Usable: present and fresh.
	Usable
)

// Eval evaluates every rule on p as of now. usable says how far a
// source's data can be used; a rule whose needs are not all usable, or
// that reads a fact p holds as unknown, is not evaluated and is listed in
// NotChecked (with Partial needs it is evaluated, and not checked unless
// it fires).
func (e *Evaluator) Eval(p *profile.Profile, now time.Time, usable func(source string) Usability) (Result, error) {
	var res Result
	wall := SwedishWall(now)
	for _, r := range e.set.Rules {
		b := Blocked{Rule: r}
		partial := false
		for _, n := range r.Needs {
			switch usable(n) {
			case Unusable:
				b.Sources = append(b.Sources, n)
			case Partial:
				partial = true
				b.Sources = append(b.Sources, n)
			}
		}
		b.Unknown = blockedBy(r.Reads, p.Unknown)
		notChecked := func() {
			res.NotChecked = append(res.NotChecked, r.ID)
			res.Blocked = append(res.Blocked, b)
		}
		if len(b.Unknown) > 0 || len(b.Sources) > 0 && !partial {
			notChecked()
			continue
		}
		if partial {
			// Every blocked source is partial: evaluate on what is known.
			for _, n := range b.Sources {
				if usable(n) != Partial {
					partial = false
				}
			}
			if !partial {
				notChecked()
				continue
			}
		}
		e.env = Env{Org: p, Now: wall, Params: r.params, Lists: r.lists}
		out, err := e.vm.Run(r.when, &e.env)
		if err != nil {
			return res, fmt.Errorf("rule %s (%s:%d): %w", r.ID, r.File, r.Line, err)
		}
		if fired, _ := out.(bool); !fired {
			if len(b.Sources) > 0 {
				notChecked() // quiet on partial data proves nothing
			}
			continue
		}
		h := Hit{Rule: r, Confidence: 1}
		if r.confidence != nil {
			c, err := e.vm.Run(r.confidence, &e.env)
			if err != nil {
				return res, fmt.Errorf("rule %s: confidence: %w", r.ID, err)
			}
			switch x := c.(type) {
			case float64:
				h.Confidence = x
			case int:
				h.Confidence = float64(x)
			}
		}
		if h.Message.SV, err = r.message[0].render(&e.vm, &e.env); err != nil {
			return res, fmt.Errorf("rule %s: message.sv: %w", r.ID, err)
		}
		if h.Message.EN, err = r.message[1].render(&e.vm, &e.env); err != nil {
			return res, fmt.Errorf("rule %s: message.en: %w", r.ID, err)
		}
		res.Hits = append(res.Hits, h)
	}
	return res, nil
}

// SwedishWall returns the Swedish wall-clock time of t written as UTC, the
// way records write calendar dates (midnight UTC): rules compare now with
// dates, and a date is Swedish. 23:30 UTC on 21 November is already the
// 22nd in Sweden, and rules see it so.
func SwedishWall(t time.Time) time.Time {
	w := t.In(record.Stockholm)
	return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), time.UTC)
}
