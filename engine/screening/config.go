package screening

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/record"
)

// Days is a duration written in whole days in configuration.
type Days int

// Duration returns d as a time.Duration.
func (d Days) Duration() time.Duration { return time.Duration(d) * 24 * time.Hour }

// Config holds every threshold of screening; DefaultConfig gives the values
// of shared/INDICATORS.md.
type Config struct {
	// Required sources and their freshness windows. A missing or stale
	// required source makes an assessment incomplete (D01).
	Freshness map[string]Days `yaml:"freshness"`
	// Windows are the freshness windows of the sources used when present:
	// older data than this does not count, so the rules that need it are
	// not checked (and a critical one makes the verdict review). Every
	// source has a window, in Freshness or here, except the municipality's
	// own registers (record.OwnSources), which are complete by nature.
	Windows map[string]Days `yaml:"windows"`
	// ConditionalSources are required only when the organisation has an
	// active contract in one of the listed categories (IVO for permit
	// categories).
	ConditionalSources map[string][]string `yaml:"conditional_sources"`
	// PersonalExempt lists required sources that do not apply to sole
	// traders (they have no board: roles).
	PersonalExempt []string       `yaml:"personal_exempt"`
	Scoring        Scoring        `yaml:"scoring"`
	Profile        profile.Config `yaml:"profile"`
}

// Scoring holds the weights, cap and bands of the action ladder.
type Scoring struct {
	Weights     map[string]float64 `yaml:"weights"`      // per severity: high 40, medium 15, low 5
	CategoryCap float64            `yaml:"category_cap"` // 70
	MaxScore    float64            `yaml:"max_score"`    // 100
	L2Score     float64            `yaml:"l2_score"`     // 30: score at which an in-depth control starts
}

// DefaultConfig returns the defaults of shared/INDICATORS.md. The
// sources' windows and which are required come from the source registry
// (record.Registry).
func DefaultConfig() Config {
	c := Config{
		Freshness:          map[string]Days{},
		Windows:            map[string]Days{},
		ConditionalSources: map[string][]string{},
		Scoring: Scoring{
			Weights:     map[string]float64{"high": 40, "medium": 15, "low": 5},
			CategoryCap: 70, MaxScore: 100, L2Score: 30,
		},
	}
	for _, s := range record.Registry {
		switch {
		case s.Own:
		case s.Required:
			c.Freshness[s.Name] = Days(s.Window)
		default:
			c.Windows[s.Name] = Days(s.Window)
		}
		if len(s.RequiredFor) > 0 {
			c.ConditionalSources[s.Name] = slices.Clone(s.RequiredFor)
		}
		if s.PersonalExempt {
			c.PersonalExempt = append(c.PersonalExempt, s.Name)
		}
	}
	return c
}

// window returns a source's freshness window: its required window, else
// the window it has when used when present.
func (c Config) window(src string) (Days, bool) {
	if d, ok := c.Freshness[src]; ok {
		return d, true
	}
	d, ok := c.Windows[src]
	return d, ok
}

// Validate reports every problem of a configuration.
func (c Config) Validate() []error {
	var errs []error
	for src, d := range c.Freshness {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("freshness.%s: %d days, want at least 1", src, d))
		}
	}
	for src, d := range c.Windows {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("windows.%s: %d days, want at least 1", src, d))
		}
		if !record.KnownSource(src) || slices.Contains(record.OwnSources, src) {
			errs = append(errs, fmt.Errorf("windows.%s: not a source with a window (sources: %s; own registers have none)", src, strings.Join(record.Sources, ", ")))
		}
	}
	for _, src := range record.Sources {
		if _, ok := c.window(src); !ok && !slices.Contains(record.OwnSources, src) {
			errs = append(errs, fmt.Errorf("windows.%s: the source has no freshness window (set one in freshness or windows)", src))
		}
	}
	for src := range c.ConditionalSources {
		if _, ok := c.Freshness[src]; !ok {
			errs = append(errs, fmt.Errorf("conditional_sources.%s: the source has no freshness window", src))
		}
	}
	for _, sev := range []string{"high", "medium", "low"} {
		if w, ok := c.Scoring.Weights[sev]; !ok || w < 0 {
			errs = append(errs, fmt.Errorf("scoring.weights.%s: missing or negative", sev))
		}
	}
	if c.Scoring.CategoryCap <= 0 || c.Scoring.MaxScore <= 0 || c.Scoring.L2Score <= 0 {
		errs = append(errs, fmt.Errorf("scoring: category_cap, max_score and l2_score must be positive"))
	}
	return errs
}
