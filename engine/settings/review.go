package settings

import (
	"gopkg.in/yaml.v3"

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

// checkReview finds the problems of the review section: hearing_days,
// when given (in the file or the environment), must be at least 1; left
// out, it is the default.
func checkReview(c *Config, src *Source) Problems {
	n, given := src.nodes[hearingDaysKey]
	if !given || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" || c.Review.HearingDays >= 1 {
		return nil
	}
	return Problems{src.at(hearingDaysKey, "want at least 1 day (the least time a supplier is given to answer), got %d",
		c.Review.HearingDays)}
}
