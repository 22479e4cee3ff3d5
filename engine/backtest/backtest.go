// Package backtest compares two rule sets on the stored population as of
// past dates (issue 17, `vaksam rules diff` and the admin page
// Regeltest): it screens every organisation as of each date with the
// running set and with a candidate, through the real screening and
// saving nothing, and reports per indicator which organisations would
// newly fire or stop firing, whose step would change, and what the
// coordinators decided about those organisations' alerts (the estimated
// precision of the change).
//
// It streams the population: per date it keeps one small line per
// organisation (its step and indicators under the running set) while
// the candidate's screening is compared with it, never the assessments.
package backtest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/excerpt"
	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/watchlist"
	"github.com/vaksam/vaksam/rules"
)

// Params are what a backtest compares.
type Params struct {
	Store     *store.Store
	Running   *rules.Set // the configuration's rule set, as serve uses it
	Candidate *rules.Set
	Config    screening.Config // the thresholds both are screened with
	Dates     []time.Time      // the dates screened, in order (Dates)
	Workers   int              // 0: GOMAXPROCS
}

// Report is a backtest's result: the same store and params give the same
// report, and the same JSON byte for byte.
type Report struct {
	Running   string        `json:"running"`   // the running set's version
	Candidate string        `json:"candidate"` // the candidate's version
	Dates     []*DateReport `json:"dates"`
}

// DateReport is what changes as of one date.
type DateReport struct {
	At       time.Time `json:"at"`
	Screened int       `json:"screened"` // organisations screened
	// Indicators are the indicators (rule ids) some organisation newly
	// fires or stops firing, by id.
	Indicators []*IndicatorChange `json:"indicators"`
	// Steps are the organisations whose step changes, by from → to.
	Steps []*StepChange `json:"steps"`
	// Precision is the estimate over every organisation that newly fires
	// some indicator.
	Precision Precision `json:"precision"`
}

// IndicatorChange is one indicator's change as of a date.
type IndicatorChange struct {
	ID        string    `json:"id"`
	Newly     []*Org    `json:"newly_firing"`
	Stopped   []*Org    `json:"stopped_firing"`
	Precision Precision `json:"precision"` // of the newly firing
}

// StepChange are the organisations whose step goes From → To.
type StepChange struct {
	From ladder.Step `json:"from"`
	To   ladder.Step `json:"to"`
	Orgs []*Org      `json:"orgs"`
}

// Org is an organisation that changes, with what coordinators decided
// about its alerts opened up to the date.
type Org struct {
	Orgnr string `json:"orgnr"`
	Name  string `json:"name"`
	// Outcome is the outcome of its newest alert opened by the date that
	// was closed with one; "" when none was.
	Outcome string      `json:"outcome,omitempty"`
	Alerts  []AlertNote `json:"alerts,omitempty"`
}

// AlertNote is one of an organisation's alerts and its decisions.
type AlertNote struct {
	ID        string                `json:"id"`
	OpenedAt  time.Time             `json:"opened_at"`
	State     ladder.AlertState     `json:"state"`
	Outcome   string                `json:"outcome,omitempty"`
	WrongHits []string              `json:"wrong_hits,omitempty"`
	Decisions []ladder.DecisionKind `json:"decisions,omitempty"` // the kinds that took effect, oldest first
}

// Precision counts the outcomes of a set of organisations: Estimate is
// (confirmed + justified) / (confirmed + justified + false alarms), nil
// when none had an outcome.
type Precision struct {
	Confirmed  int      `json:"bekraftad_risk"`
	Justified  int      `json:"befogat_larm"`
	FalseAlarm int      `json:"falsklarm"`
	NoOutcome  int      `json:"no_outcome"`
	Estimate   *float64 `json:"estimate"`
}

// Errors of Dates: a range it refuses, and one with too many dates.
var (
	ErrDates        = errors.New("backtest: bad dates")
	ErrTooManyDates = errors.New("backtest: too many dates")
)

// Dates lists from, from+every, … up to to; at most max dates (0: no
// limit). A zero every is one date, from. An every of whole days steps by
// days of Sweden's calendar (the same time of day across a change of
// daylight saving time).
func Dates(from, to time.Time, every time.Duration, max int) ([]time.Time, error) {
	switch {
	case to.Before(from):
		return nil, fmt.Errorf("%w: the last date %s is before the first %s", ErrDates, to.Format(time.RFC3339), from.Format(time.RFC3339))
	case every < 0:
		return nil, fmt.Errorf("%w: a negative interval", ErrDates)
	case every == 0 && !to.Equal(from):
		return nil, fmt.Errorf("%w: an interval is needed between two dates", ErrDates)
	}
	out := []time.Time{from}
	for every > 0 {
		next := out[len(out)-1].Add(every)
		if every%(24*time.Hour) == 0 {
			next = out[len(out)-1].In(record.Stockholm).AddDate(0, 0, int(every/(24*time.Hour)))
		}
		if next.After(to) {
			break
		}
		if max > 0 && len(out) == max {
			return nil, fmt.Errorf("%w: more than %d; a longer interval or a shorter range", ErrTooManyDates, max)
		}
		out = append(out, next)
	}
	return out, nil
}

// ParseRange reads a backtest's dates as a command or a form gives them
// (empty: the default): from and to are dates (YYYY-MM-DD, the day's
// end) or RFC 3339 instants, to defaults to now and from to to; every is
// a whole number of days ("7d", the default) or a Go duration. More than max dates (0:
// no limit) is refused. A value it cannot read is a
// *watchlist.ParamError naming from, to or every.
func ParseRange(from, to, every string, now time.Time, max int) ([]time.Time, error) {
	end := now
	if to = strings.TrimSpace(to); to != "" {
		t, err := record.ParseInstant(to)
		if err != nil {
			return nil, &watchlist.ParamError{Field: "to", Problem: err.Error()}
		}
		end = t
	}
	start := end
	if from = strings.TrimSpace(from); from != "" {
		t, err := record.ParseInstant(from)
		if err != nil {
			return nil, &watchlist.ParamError{Field: "from", Problem: err.Error()}
		}
		start = t
	}
	every = cmp.Or(strings.TrimSpace(every), "7d")
	step, err := time.ParseDuration(every)
	if n, ok := strings.CutSuffix(every, "d"); ok {
		var days int
		days, err = strconv.Atoi(n)
		step = time.Duration(days) * 24 * time.Hour
	}
	if err != nil || step <= 0 {
		return nil, &watchlist.ParamError{Field: "every", Problem: fmt.Sprintf("%s: want a positive number of days (7d) or a duration (36h)", excerpt.Quote(every))}
	}
	dates, err := Dates(start, end, step, max)
	switch {
	case errors.Is(err, ErrTooManyDates):
		return nil, &watchlist.ParamError{Field: "every", Problem: strings.TrimPrefix(err.Error(), "backtest: ")}
	case errors.Is(err, ErrDates):
		return nil, &watchlist.ParamError{Field: "to", Problem: strings.TrimPrefix(err.Error(), ErrDates.Error()+": ")}
	}
	return dates, err
}

// line is what a date's first pass keeps of one organisation.
type line struct {
	name string
	step ladder.Step
	hits []string // sorted
}

func lineOf(a *screening.Assessment) line {
	l := line{name: a.Name, step: a.Step}
	for _, h := range a.Hits {
		l.hits = append(l.hits, h.ID)
	}
	slices.Sort(l.hits)
	l.hits = slices.Compact(l.hits)
	return l
}

// Run screens the population as of each date with both sets and reports
// what changes. Nothing is stored.
func Run(ctx context.Context, p Params) (*Report, error) {
	if p.Store == nil || p.Running == nil || p.Candidate == nil {
		return nil, errors.New("backtest: a store and two rule sets are needed")
	}
	lists := &watchlist.Cache{}
	screener := func(set *rules.Set) *screening.Screener {
		return &screening.Screener{Store: p.Store, Rules: func() *rules.Set { return set }, Config: p.Config, Lists: lists}
	}
	running, candidate := screener(p.Running), screener(p.Candidate)
	rep := &Report{Running: p.Running.Version(), Candidate: p.Candidate.Version(), Dates: []*DateReport{}}
	changed := map[string]bool{}
	for _, at := range p.Dates {
		dr, err := compare(ctx, running, candidate, at, p.Workers)
		if err != nil {
			return nil, fmt.Errorf("backtest: as of %s: %w", at.Format(time.RFC3339), err)
		}
		for _, o := range dr.orgs() {
			changed[o.Orgnr] = true
		}
		rep.Dates = append(rep.Dates, dr)
	}
	if err := outcomes(&review.Desk{Store: p.Store}, rep, changed); err != nil {
		return nil, err
	}
	return rep, nil
}

// compare screens the population as of at with the running set, keeping
// a line per organisation, then with the candidate, comparing each
// organisation with its line as it comes.
func compare(ctx context.Context, running, candidate *screening.Screener, at time.Time, workers int) (*DateReport, error) {
	opt := screening.Options{At: at, Trigger: screening.TriggerCommand}
	before := map[string]line{}
	st, err := running.ScreenAll(ctx, opt, workers, func(a *screening.Assessment) error {
		before[a.Orgnr] = lineOf(a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("running set: %w", err)
	}
	dr := &DateReport{At: at, Screened: st.Screened}
	ind := map[string]*IndicatorChange{}
	steps := map[[2]ladder.Step]*StepChange{}
	diff := func(orgnr string, was, now line) {
		org := &Org{Orgnr: orgnr, Name: cmp.Or(now.name, was.name)}
		for _, id := range minus(now.hits, was.hits) {
			c := indicator(ind, id)
			c.Newly = append(c.Newly, org)
		}
		for _, id := range minus(was.hits, now.hits) {
			c := indicator(ind, id)
			c.Stopped = append(c.Stopped, org)
		}
		if was.step != now.step {
			k := [2]ladder.Step{was.step, now.step}
			if steps[k] == nil {
				steps[k] = &StepChange{From: was.step, To: now.step}
			}
			steps[k].Orgs = append(steps[k].Orgs, org)
		}
	}
	_, err = candidate.ScreenAll(ctx, opt, workers, func(a *screening.Assessment) error {
		was, ok := before[a.Orgnr]
		if ok {
			delete(before, a.Orgnr)
		}
		diff(a.Orgnr, was, lineOf(a))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("candidate: %w", err)
	}
	for orgnr, was := range before { // screened by the running set alone
		diff(orgnr, was, line{name: was.name})
	}
	byOrgnr := func(a, b *Org) int { return cmp.Compare(a.Orgnr, b.Orgnr) }
	dr.Indicators = []*IndicatorChange{}
	for _, c := range ind {
		slices.SortFunc(c.Newly, byOrgnr)
		slices.SortFunc(c.Stopped, byOrgnr)
		dr.Indicators = append(dr.Indicators, c)
	}
	slices.SortFunc(dr.Indicators, func(a, b *IndicatorChange) int { return cmp.Compare(a.ID, b.ID) })
	dr.Steps = []*StepChange{}
	for _, c := range steps {
		slices.SortFunc(c.Orgs, byOrgnr)
		dr.Steps = append(dr.Steps, c)
	}
	slices.SortFunc(dr.Steps, func(a, b *StepChange) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
	})
	return dr, nil
}

func indicator(m map[string]*IndicatorChange, id string) *IndicatorChange {
	if m[id] == nil {
		m[id] = &IndicatorChange{ID: id, Newly: []*Org{}, Stopped: []*Org{}}
	}
	return m[id]
}

// minus is the sorted a without the elements of sorted b.
func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if _, found := slices.BinarySearch(b, x); !found {
			out = append(out, x)
		}
	}
	return out
}

// orgs lists the Orgs of the date (one organisation's Org appears once
// per indicator and step it changes under).
func (d *DateReport) orgs() []*Org {
	var out []*Org
	for _, c := range d.Indicators {
		out = append(out, c.Newly...)
		out = append(out, c.Stopped...)
	}
	for _, c := range d.Steps {
		out = append(out, c.Orgs...)
	}
	return out
}

// outcomes fills in the alerts and outcomes of the organisations that
// change and counts the precision of each date and indicator. The alerts
// read are those of the changed organisations only.
func outcomes(desk *review.Desk, rep *Report, changed map[string]bool) error {
	alerts := map[string][]*review.Alert{}
	if len(changed) > 0 {
		all, err := desk.Alerts(func(a *review.Alert) bool { return changed[a.Orgnr] })
		if err != nil {
			return fmt.Errorf("backtest: %w", err)
		}
		for _, a := range all { // by organisation, oldest first
			alerts[a.Orgnr] = append(alerts[a.Orgnr], a)
		}
	}
	kinds := map[string][]ladder.DecisionKind{}
	decisions := func(a *review.Alert) ([]ladder.DecisionKind, error) {
		if k, ok := kinds[a.ID]; ok || len(a.Decisions) == 0 {
			return k, nil
		}
		ds, err := desk.Decisions(a.ID)
		if err != nil {
			return nil, fmt.Errorf("backtest: %w", err)
		}
		var k []ladder.DecisionKind
		for _, d := range ds {
			if d.Status == review.Bekraftad {
				k = append(k, d.Kind)
			}
		}
		kinds[a.ID] = k
		return k, nil
	}
	for _, dr := range rep.Dates {
		filled := map[*Org]bool{}
		for _, o := range dr.orgs() {
			if filled[o] {
				continue
			}
			filled[o] = true
			for _, a := range alerts[o.Orgnr] {
				if a.OpenedAt.After(dr.At) {
					continue
				}
				k, err := decisions(a)
				if err != nil {
					return err
				}
				o.Alerts = append(o.Alerts, AlertNote{ID: a.ID, OpenedAt: a.OpenedAt.UTC(), State: a.State, Outcome: a.Outcome, WrongHits: a.WrongHits, Decisions: k})
				if a.Outcome != "" {
					o.Outcome = a.Outcome
				}
			}
		}
		seen := map[string]bool{}
		for _, c := range dr.Indicators {
			for _, o := range c.Newly {
				c.Precision.count(o.Outcome)
				if !seen[o.Orgnr] {
					seen[o.Orgnr] = true
					dr.Precision.count(o.Outcome)
				}
			}
			c.Precision.estimate()
		}
		dr.Precision.estimate()
	}
	return nil
}

func (p *Precision) count(outcome string) {
	switch outcome {
	case review.OutcomeConfirmed:
		p.Confirmed++
	case review.OutcomeJustified:
		p.Justified++
	case review.OutcomeFalseAlarm:
		p.FalseAlarm++
	default:
		p.NoOutcome++
	}
}

func (p *Precision) estimate() {
	right := p.Confirmed + p.Justified
	if n := right + p.FalseAlarm; n > 0 {
		e := float64(right) / float64(n)
		p.Estimate = &e
	}
}
