package settings

import (
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vaksam/vaksam/engine/screening"
)

// Retention is the configuration file's retention section: what
// `vaksam gc` and serve's retention schedule remove from the store. They
// never remove the evidence of a decision, the assessment an open alert
// follows, an organisation's newest assessment or its follow-up result,
// or what an event waiting to be published refers to.
type Retention struct {
	// ConfirmationDays: a confirmation (an unchanged follow-up result,
	// recorded instead of storing the assessment again) older than this
	// is removed once a later one of the same assessment supersedes it.
	// Not given: DefaultConfirmationDays; given: at least 1.
	ConfirmationDays screening.Days `yaml:"confirmation_days"`
	// AssessmentDays: a stored assessment whose result last held longer
	// ago than this is removed with its confirmations. Not given:
	// DefaultAssessmentDays; given: at least 1.
	AssessmentDays screening.Days `yaml:"assessment_days"`
	// Every is how often serve prunes (0: DefaultRetentionEvery).
	Every time.Duration `yaml:"every"`
}

// Defaults of the retention section.
const (
	DefaultConfirmationDays = 30
	DefaultAssessmentDays   = 400
	DefaultRetentionEvery   = 24 * time.Hour
)

// WithDefaults returns r with the defaults in place of zero values.
func (r Retention) WithDefaults() Retention {
	if r.ConfirmationDays <= 0 {
		r.ConfirmationDays = DefaultConfirmationDays
	}
	if r.AssessmentDays <= 0 {
		r.AssessmentDays = DefaultAssessmentDays
	}
	if r.Every <= 0 {
		r.Every = DefaultRetentionEvery
	}
	return r
}

// Cutoffs returns, as of now, the times before which superseded
// confirmations and old assessments are removed: now less the days in
// force.
func (r Retention) Cutoffs(now time.Time) (confirmations, assessments time.Time) {
	r = r.WithDefaults()
	return now.Add(-r.ConfirmationDays.Duration()), now.Add(-r.AssessmentDays.Duration())
}

// checkRetention finds the problems of the retention section: the days,
// when given, must be at least 1; every must not be negative.
func checkRetention(c *Config, src *Source) Problems {
	var ps Problems
	for _, d := range []struct {
		key string
		v   screening.Days
	}{{"retention.confirmation_days", c.Retention.ConfirmationDays}, {"retention.assessment_days", c.Retention.AssessmentDays}} {
		n, given := src.nodes[d.key]
		if !given || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" || d.v >= 1 {
			continue
		}
		ps = append(ps, src.at(d.key, "want at least 1 day, got %d", d.v))
	}
	if c.Retention.Every < 0 {
		ps = append(ps, src.at("retention.every", "must not be negative, got %s", c.Retention.Every))
	}
	return ps
}
