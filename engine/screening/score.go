package screening

import (
	"math"
	"slices"
	"sort"

	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/rules"
)

// score computes min(max, Σ per category of min(cap, Σ weight × confidence))
// over the non-critical hits.
func (s Scoring) score(hits []Hit) float64 {
	perCat := map[string]float64{}
	for _, h := range hits {
		if h.Severity == rules.Critical || h.Suppressed != "" {
			continue
		}
		perCat[h.Category] += s.Weights[h.Severity] * h.Confidence
	}
	total := 0.0
	for _, v := range perCat {
		total += math.Min(v, s.CategoryCap)
	}
	return math.Round(math.Min(total, s.MaxScore)*10) / 10
}

// place puts an assessment on the action ladder and gives its verdict.
func (s Scoring) place(a *Assessment) {
	a.Score = s.score(a.Hits)
	high, counted := false, 0
	for _, h := range a.Hits {
		if h.Suppressed != "" {
			continue // suppress.go: shown, not counted
		}
		high = high || h.Severity == rules.High
		counted++
	}
	critical := a.Critical()
	switch {
	case critical && a.Purpose != Monitor:
		a.Step = L5
	case critical:
		a.Step = L3
	case high || a.Score >= s.L2Score:
		a.Step = L2
	case counted > 0:
		a.Step = L1
	default:
		a.Step = L0
	}
	switch a.Step {
	case L3, L5:
		a.Verdict = Block
		a.Reasons = append(a.Reasons, "critical")
	case L2:
		a.Verdict = Review
		if high {
			a.Reasons = append(a.Reasons, "high")
		}
		if a.Score >= s.L2Score {
			a.Reasons = append(a.Reasons, "score")
		}
	default:
		a.Verdict = Clear
	}
	if a.Incomplete || len(a.CriticalNotChecked) > 0 {
		// Never clear on missing data, nor with a critical rule unchecked.
		if a.Verdict == Clear {
			a.Verdict = Review
		}
	}
	if a.Incomplete {
		a.Reasons = append(a.Reasons, "incomplete")
	}
	if len(a.CriticalNotChecked) > 0 {
		a.Reasons = append(a.Reasons, "critical_not_checked")
	}
	sort.SliceStable(a.Hits, func(i, j int) bool {
		ri, rj := severityRank(a.Hits[i].Severity), severityRank(a.Hits[j].Severity)
		if ri != rj {
			return ri < rj
		}
		return a.Hits[i].ID < a.Hits[j].ID
	})
}

// scoringReasons are the reasons place gives.
var scoringReasons = []string{"critical", "high", "score", "incomplete", "critical_not_checked"}

// replace places an assessment again (its hits changed: suppress.go),
// keeping the reasons place did not give.
func (s Scoring) replace(a *Assessment) {
	var kept []string
	for _, r := range a.Reasons {
		if !slices.Contains(scoringReasons, r) {
			kept = append(kept, r)
		}
	}
	a.Reasons = nil
	s.place(a)
	a.Reasons = append(a.Reasons, kept...)
}

// severityRank orders severities, the gravest first (low and what is not
// a severity alike: the rule set admits only the four).
func severityRank(s string) int { return min(ladder.Severity(s).Rank(), 3) }
