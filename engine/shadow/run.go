package shadow

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
)

// batch is how many results one transaction stores.
const batch = 500

// MaxOrganisations bounds the organisations a Report lists (by
// organisation number); Differing counts them all.
const MaxOrganisations = 1000

// Screen repeats, with the candidate, a live screening with the options
// opt (its time, trigger, purpose; it never saves) of the organisations
// orgs (nil: the whole store), whose live results are live (by
// organisation number), and stores each organisation's comparison.
// Organisations without a live result are not compared. It does nothing
// when no candidate runs. It returns how many organisations it compared.
func (r *Runner) Screen(ctx context.Context, opt screening.Options, orgs []ident.Org, live map[string]event.Result) (int, error) {
	r.mu.Lock()
	cur := r.cur
	r.mu.Unlock()
	if cur == nil || len(live) == 0 {
		return 0, nil
	}
	cur.sc.SetConfig(r.Live.Settings())
	liveSet := r.Rules.Set().Version()
	opt.Save, opt.Current = false, true // a screening of the present that stores nothing
	at, trigger := opt.At, opt.Trigger
	var out []Result
	fn := func(a *screening.Assessment) error {
		l, ok := live[a.Orgnr]
		if !ok {
			return nil
		}
		sh := a.Result()
		x := Result{Orgnr: a.Orgnr, At: at, Trigger: trigger, Ruleset: cur.set.Version(), LiveRuleset: liveSet, Live: l, Shadow: sh}
		x.Added, x.Removed = compare(l, sh)
		out = append(out, x)
		return nil
	}
	var err error
	if orgs == nil {
		_, err = cur.sc.ScreenAll(ctx, opt, 0, fn)
	} else {
		_, err = cur.sc.ScreenOrgs(ctx, orgs, opt, 0, fn)
	}
	if err != nil {
		return 0, fmt.Errorf("shadow screening (%s, %s): %w", trigger, cur.set.Version(), err)
	}
	for chunk := range slices.Chunk(out, batch) {
		if err := r.Store.Update(func(tx *store.Tx) error {
			for _, x := range chunk {
				b, err := json.Marshal(x)
				if err != nil {
					return err
				}
				if err := tx.Put(ResultKind, x.Ruleset+"|"+x.Orgnr, b); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return 0, fmt.Errorf("storing the shadow's results (%s): %w", cur.set.Version(), err)
		}
	}
	return len(out), nil
}

// Report is the comparison of the candidate that runs with the live set:
// GET /api/v1/rules/shadow and the admin page.
type Report struct {
	Active  bool      `json:"active"`
	Ruleset string    `json:"ruleset,omitempty"` // the candidate's
	Path    string    `json:"path,omitempty"`
	SetBy   string    `json:"set_by,omitempty"`
	Since   time.Time `json:"since,omitzero"`
	Live    string    `json:"live"` // the live set's version
	// Screened is how many organisations the candidate has a result for;
	// Differing, for how many it differs from the live set.
	Screened   int              `json:"screened"`
	Differing  int              `json:"differing"`
	Indicators []IndicatorCount `json:"indicators"`
	Steps      []StepCount      `json:"steps"`
	// Organisations are those whose result differs, by organisation
	// number: the first MaxOrganisations.
	Organisations []Result   `json:"organisations"`
	Promotion     *Promotion `json:"promotion,omitempty"`
}

// IndicatorCount is how many organisations an indicator newly fires for
// (Added) or stops firing for (Removed) under the candidate.
type IndicatorCount struct {
	Indicator string `json:"indicator"`
	Added     int    `json:"added"`
	Removed   int    `json:"removed"`
}

// StepCount is how many organisations move from a live step to another
// under the candidate.
type StepCount struct {
	Live          ladder.Step `json:"live"`
	Shadow        ladder.Step `json:"shadow"`
	Organisations int         `json:"organisations"`
}

// Report compares the stored results of the candidate that runs.
func (r *Runner) Report() (Report, error) {
	r.mu.Lock()
	cur := r.cur
	var rep Report
	rep.Live = r.Rules.Set().Version()
	if cur != nil {
		rep.Active, rep.Ruleset, rep.Path, rep.SetBy, rep.Since = true, cur.set.Version(), cur.path, cur.by, cur.since
		if cur.request != nil {
			p := *cur.request
			rep.Promotion = &p
		}
	}
	r.mu.Unlock()
	rep.Indicators, rep.Steps, rep.Organisations = []IndicatorCount{}, []StepCount{}, []Result{}
	if cur == nil {
		return rep, nil
	}
	inds := map[string]*IndicatorCount{}
	steps := map[[2]ladder.Step]int{}
	err := r.Store.Docs(ResultKind, rep.Ruleset+"|", func(_ string, b []byte) error {
		var x Result
		if err := json.Unmarshal(b, &x); err != nil {
			return err
		}
		rep.Screened++
		if !x.Differs() {
			return nil
		}
		rep.Differing++
		if len(rep.Organisations) < MaxOrganisations {
			rep.Organisations = append(rep.Organisations, x)
		}
		count := func(ids []string, add bool) {
			for _, id := range ids {
				c := inds[id]
				if c == nil {
					c = &IndicatorCount{Indicator: id}
					inds[id] = c
				}
				if add {
					c.Added++
				} else {
					c.Removed++
				}
			}
		}
		count(x.Added, true)
		count(x.Removed, false)
		if x.Live.Step != x.Shadow.Step {
			steps[[2]ladder.Step{x.Live.Step, x.Shadow.Step}]++
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("the shadow's results (%s): %w", rep.Ruleset, err)
	}
	for _, c := range inds {
		rep.Indicators = append(rep.Indicators, *c)
	}
	slices.SortFunc(rep.Indicators, func(a, b IndicatorCount) int { return strings.Compare(a.Indicator, b.Indicator) })
	for k, n := range steps {
		rep.Steps = append(rep.Steps, StepCount{Live: k[0], Shadow: k[1], Organisations: n})
	}
	slices.SortFunc(rep.Steps, func(a, b StepCount) int {
		return cmp.Or(strings.Compare(string(a.Live), string(b.Live)), strings.Compare(string(a.Shadow), string(b.Shadow)))
	})
	return rep, nil
}
