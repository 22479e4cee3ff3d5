package workplace

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/rules"
)

// Precision is how well each indicator (rule id) served the coordinators
// over a period [From, To) (issue 17): what it fired on, the alerts it
// took part in and what the coordinators found when they closed them.
//
// The terms, per indicator:
//
//   - Hits: the organisations with at least one follow-up assessment
//     (purpose monitor, the ones alerts follow) made or confirmed in the
//     period in which the indicator fired. Organisations, not
//     assessments: an organisation screened every night would otherwise
//     count once a night. Pre-award checks are left out: they are their
//     caller's answer and move no alert.
//   - An alert's hits are those of its latest revision: for a closed alert,
//     the hits the coordinator judged when closing it (its wrong hits are
//     among them).
//   - Alerts: the alerts opened in the period or closed in it whose hits
//     include the indicator.
//   - Outcomes: of those, the ones closed in the period, by outcome:
//     Confirmed (bekräftad risk), Justified (befogat larm), FalseAlarm
//     (falsklarm with the indicator among the wrong hits: counted against
//     it), NotWrong (falsklarm whose wrong hits were others: the
//     indicator's fact held), and Unknown (closed without an outcome: a
//     no-action decision, or a close before outcomes were recorded).
//   - Precision: (Confirmed + Justified) / (Confirmed + Justified +
//     FalseAlarm); NotWrong and Unknown are in neither. Nil when nothing
//     was judged.
//   - MedianDecision: over Alerts, the median time from the alert's
//     opening to the first decision on it (taken, or awaiting approval)
//     or its close, whichever came first, for those that had one by To;
//     nil when none had.
//   - Only: the Alerts whose hits were this indicator alone.
type Precision struct {
	From       time.Time        `json:"from"`
	To         time.Time        `json:"to"`
	Ruleset    string           `json:"ruleset,omitempty"` // the running rule set, which names the indicators
	Alerts     int              `json:"alerts"`            // alerts opened or closed in the period
	Closed     int              `json:"closed"`            // of those, closed in the period
	Indicators []IndicatorStats `json:"indicators"`
}

// IndicatorStats is one indicator's row of a Precision.
type IndicatorStats struct {
	ID         string     `json:"id"`
	Title      rules.Text `json:"title"`              // the running rule set's; empty for a rule it no longer has
	Severity   string     `json:"severity,omitempty"` // likewise
	Hits       int        `json:"hits"`
	Alerts     int        `json:"alerts"`
	Confirmed  int        `json:"bekraftad_risk"`
	Justified  int        `json:"befogat_larm"`
	FalseAlarm int        `json:"falsklarm"`
	NotWrong   int        `json:"falsklarm_not_wrong"`
	Unknown    int        `json:"closed_without_outcome"`
	Precision  *float64   `json:"precision"`
	// MedianDecision is in seconds in JSON (median_decision_seconds).
	MedianDecision *time.Duration `json:"-"`
	MedianSeconds  *float64       `json:"median_decision_seconds"`
	Decided        int            `json:"decided"` // the alerts the median is over
	Only           int            `json:"only_reason"`
}

// Judged is the closes the precision is over.
func (s IndicatorStats) Judged() int { return s.Confirmed + s.Justified + s.FalseAlarm }

// PeriodError is a period that cannot be reported on.
type PeriodError struct{ Field, Problem string }

func (e *PeriodError) Error() string { return "workplace: precision: " + e.Field + ": " + e.Problem }

// Precision answers for the period [from, to): every indicator of the
// running rule set, and any other that fired or took part in an alert in
// it, by id.
func (w *Workplace) Precision(from, to time.Time) (*Precision, error) {
	switch {
	case from.IsZero():
		return nil, &PeriodError{"from", "required"}
	case to.IsZero():
		return nil, &PeriodError{"to", "required"}
	case !from.Before(to):
		return nil, &PeriodError{"to", "not after from"}
	}
	in := func(t time.Time) bool { return !t.IsZero() && !t.Before(from) && t.Before(to) }
	out := &Precision{From: from, To: to, Indicators: []IndicatorStats{}}
	rows := map[string]*IndicatorStats{}
	row := func(id string) *IndicatorStats {
		if r, ok := rows[id]; ok {
			return r
		}
		r := &IndicatorStats{ID: id}
		rows[id] = r
		return r
	}
	if w.Screener != nil && w.Screener.Rules != nil {
		if set := w.Screener.Rules(); set != nil {
			out.Ruleset = set.Version()
			for _, r := range set.Rules {
				row(r.ID)
			}
		}
	}
	if err := w.precisionHits(in, row); err != nil {
		return nil, err
	}
	alerts, err := w.Desk.Alerts(func(a *review.Alert) bool { return in(a.OpenedAt) || (!a.Open() && in(a.ClosedAt)) })
	if err != nil {
		return nil, fmt.Errorf("workplace: precision: %w", err)
	}
	waits := map[string][]time.Duration{}
	for _, a := range alerts {
		out.Alerts++
		closed := !a.Open() && in(a.ClosedAt)
		if closed {
			out.Closed++
		}
		wait, decided := firstDecision(a, to)
		for _, id := range a.Hits {
			r := row(id)
			r.Alerts++
			if len(a.Hits) == 1 {
				r.Only++
			}
			if decided {
				waits[id] = append(waits[id], wait)
			}
			if !closed {
				continue
			}
			switch a.Outcome {
			case review.OutcomeConfirmed:
				r.Confirmed++
			case review.OutcomeJustified:
				r.Justified++
			case review.OutcomeFalseAlarm:
				if slices.Contains(a.WrongHits, id) {
					r.FalseAlarm++
				} else {
					r.NotWrong++
				}
			default:
				r.Unknown++
			}
		}
	}
	for id, r := range rows {
		if n := r.Judged(); n > 0 {
			p := float64(r.Confirmed+r.Justified) / float64(n)
			r.Precision = &p
		}
		if ws := waits[id]; len(ws) > 0 {
			m := median(ws)
			s := m.Seconds()
			r.MedianDecision, r.MedianSeconds, r.Decided = &m, &s, len(ws)
		}
		if rule := w.Rule(id); rule != nil {
			r.Title, r.Severity = rule.Title, rule.Severity
		}
		out.Indicators = append(out.Indicators, *r)
	}
	slices.SortFunc(out.Indicators, func(a, b IndicatorStats) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// precisionHits counts, for each indicator, the organisations with a
// follow-up assessment in the period in which it fired.
func (w *Workplace) precisionHits(in func(time.Time) bool, row func(string) *IndicatorStats) error {
	subjects, err := w.Store.AssessedSubjects()
	if err != nil {
		return fmt.Errorf("workplace: precision: %w", err)
	}
	for _, org := range subjects {
		fired := map[string]bool{}
		err := w.Store.Assessments(org, func(at time.Time, data []byte) error {
			if !in(at) {
				return nil
			}
			var a struct {
				Purpose string `json:"purpose"`
				Hits    []struct {
					ID string `json:"id"`
				} `json:"hits"`
			}
			if err := json.Unmarshal(data, &a); err != nil {
				return fmt.Errorf("assessment at %s: %w", at.Format(time.RFC3339), err)
			}
			if a.Purpose != screening.Monitor {
				return nil
			}
			for _, h := range a.Hits {
				fired[h.ID] = true
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("workplace: precision: assessments of %s: %w", redacted(org), err)
		}
		for id := range fired {
			row(id).Hits++
		}
	}
	return nil
}

// firstDecision is the time from the alert's opening to the first
// decision on it (taken or awaiting approval) or its close, whichever
// came first before to; false when neither had happened by then.
func firstDecision(a *review.Alert, to time.Time) (time.Duration, bool) {
	for _, e := range a.History {
		if !e.At.Before(to) {
			break
		}
		switch e.What {
		case event.AlertDecided, review.Pending, event.AlertClosed:
			return e.At.Sub(a.OpenedAt), true
		}
	}
	return 0, false
}

// median of durations (not empty): the middle one, or the mean of the
// two middle ones.
func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// redacted masks a sole trader's personnummer, for errors.
func redacted(orgnr string) string {
	if o, err := ident.ParseOrg(orgnr); err == nil && o.Personal() {
		return o.Redacted()
	}
	return orgnr
}
