package settings

import (
	"slices"

	"gopkg.in/yaml.v3"

	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
)

// Review is the configuration file's review section: the rules of
// the review desk (engine/review).
type Review struct {
	// HearingDays is the least time, in whole days, between the time a
	// supplier is informed of an intended termination or exclusion
	// (kontradiktion) and its deadline to answer. Not given: the default,
	// review.DefaultHearingDays; given: at least 1.
	HearingDays screening.Days `yaml:"hearing_days"`
	// SLADays is how many working days (Monday to Friday, Sweden's public
	// holidays off) the work on an alert may take at a step, from when it
	// reached the step until a decision (review.SLA): a step, L0 to L9,
	// to at least 1 day. Not given: review.DefaultSLA; given, it replaces
	// it, and a step it leaves out has no deadline.
	SLADays map[string]screening.Days `yaml:"sla_days"`
}

// hearingDaysKey is the key path of reviewConfig.HearingDays.
const hearingDaysKey = "review.hearing_days"

// HearingDaysInForce is the minimum in force.
func (r Review) HearingDaysInForce() int {
	if r.HearingDays <= 0 {
		return review.DefaultHearingDays
	}
	return int(r.HearingDays)
}

// SLAInForce is the SLA in force: SLADays, or review.DefaultSLA when it
// is not given. Load has checked its steps.
func (r Review) SLAInForce() review.SLA {
	if r.SLADays == nil {
		return review.DefaultSLA
	}
	out := review.SLA{}
	for k, n := range r.SLADays {
		if st, err := ladder.ParseStep(k); err == nil {
			out[st] = int(n)
		}
	}
	return out
}

// checkReview finds the problems of the review section: hearing_days,
// when given (in the file or the environment), must be at least 1; left
// out, it is the default. Each of sla_days is a step to at least 1 day.
func checkReview(c *Config, src *Source) Problems {
	var ps Problems
	n, given := src.nodes[hearingDaysKey]
	if given && !(n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null") && c.Review.HearingDays < 1 {
		ps = append(ps, src.at(hearingDaysKey, "want at least 1 day (the least time a supplier is given to answer), got %d",
			c.Review.HearingDays))
	}
	keys := make([]string, 0, len(c.Review.SLADays))
	for k := range c.Review.SLADays {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		path := slaDaysKey + "." + k
		if _, err := ladder.ParseStep(k); err != nil {
			ps = append(ps, src.at(path, "%q is not a step: want L0 to L9", k))
		} else if d := c.Review.SLADays[k]; d < 1 {
			ps = append(ps, src.at(path, "want at least 1 working day (the time the work at %s may take), got %d", k, d))
		}
	}
	return ps
}

// slaDaysKey is the key path of Review.SLADays.
const slaDaysKey = "review.sla_days"
