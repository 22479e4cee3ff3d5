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
	// they need was missing, stale or failing.
	NotChecked []string
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

// Eval evaluates every rule on p as of now. usable reports whether a
// source's data is present and fresh; a rule whose needs are not all
// usable is not evaluated and is listed in NotChecked.
func (e *Evaluator) Eval(p *profile.Profile, now time.Time, usable func(source string) bool) (Result, error) {
	var res Result
	wall := SwedishWall(now)
	for _, r := range e.set.Rules {
		ok := true
		for _, n := range r.Needs {
			ok = ok && usable(n)
		}
		if !ok {
			res.NotChecked = append(res.NotChecked, r.ID)
			continue
		}
		e.env = Env{Org: p, Now: wall, Params: r.params, Lists: r.lists}
		out, err := e.vm.Run(r.when, &e.env)
		if err != nil {
			return res, fmt.Errorf("rule %s (%s:%d): %w", r.ID, r.File, r.Line, err)
		}
		if fired, _ := out.(bool); !fired {
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
