package review

import (
	"slices"
	"strings"
)

// Finding is what a coordinator found when closing an alert (issue 17):
// the outcome (one of Outcomes) and, for OutcomeFalseAlarm, the hits that
// were wrong, a non-empty subset of the alert's hits. Other outcomes take
// no wrong hits.
type Finding struct {
	Outcome   string   `json:"outcome"`
	WrongHits []string `json:"wrong_hits,omitempty"`
}

// checked returns the finding as recorded (trimmed, wrong hits sorted
// and without duplicates) and its problems that need no alert: a missing
// or unknown outcome, wrong hits missing for a false alarm or given for
// another outcome.
func (f Finding) checked() (Finding, []*problem) {
	f.Outcome = strings.TrimSpace(f.Outcome)
	var wrong []string
	for _, h := range f.WrongHits {
		if h = strings.TrimSpace(h); h != "" && !slices.Contains(wrong, h) {
			wrong = append(wrong, h)
		}
	}
	slices.Sort(wrong)
	f.WrongHits = wrong
	switch {
	case f.Outcome == "":
		return f, []*problem{{"outcome", "required", CodeRequired, nil}}
	case !slices.Contains(Outcomes, f.Outcome):
		return f, []*problem{{"outcome", "not one of " + strings.Join(Outcomes, ", "), CodeInvalid, nil}}
	case f.Outcome != OutcomeFalseAlarm && len(wrong) > 0:
		return f, []*problem{{"wrong_hits", "only for " + OutcomeFalseAlarm, CodeInvalid, nil}}
	case f.Outcome == OutcomeFalseAlarm && len(wrong) == 0:
		return f, []*problem{{"wrong_hits", "required for " + OutcomeFalseAlarm + ": the hits that were wrong", CodeRequired, nil}}
	}
	return f, nil
}

// notHits returns a problem for each wrong hit that is not among the
// alert's hits.
func (f Finding) notHits(hits []string) []*problem {
	var ps []*problem
	for _, h := range f.WrongHits {
		if !slices.Contains(hits, h) {
			ps = append(ps, &problem{"wrong_hits", h + " is not one of the alert's hits", CodeNotAHit, []any{h}})
		}
	}
	return ps
}
