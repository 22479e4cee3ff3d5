package settings

import (
	"testing"
	"time"
)

// The retention section: defaults, strict decoding, and each problem at
// its FILE:LINE:COL.
func TestRetention(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		conf, ass  int
		every      time.Duration
		problem    string
	}{
		{"absent", "", 30, 400, 24 * time.Hour, ""},
		{"given", "retention:\n  confirmation_days: 7\n  assessment_days: 90\n  every: 6h\n", 7, 90, 6 * time.Hour, ""},
		{"null", "retention:\n  confirmation_days:\n", 30, 400, 24 * time.Hour, ""},
		{"zero", "retention:\n  confirmation_days: 0\n", 0, 0, 0, ":2:22: retention.confirmation_days: want at least 1 day, got 0"},
		{"negative", "retention:\n  assessment_days: -5\n", 0, 0, 0, ":2:20: retention.assessment_days: want at least 1 day, got -5"},
		{"not days", "retention:\n  assessment_days: 1y\n", 0, 0, 0, ":2:20: retention.assessment_days:"},
		{"negative every", "retention:\n  every: -1h\n", 0, 0, 0, ":2:10: retention.every: must not be negative"},
		{"unknown key", "retention:\n  keep_days: 3\n", 0, 0, 0, ":2:3: retention.keep_days:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := checked(t, tc.yaml, tc.problem)
			if c == nil {
				return
			}
			r := c.Retention.WithDefaults()
			if int(r.ConfirmationDays) != tc.conf || int(r.AssessmentDays) != tc.ass || r.Every != tc.every {
				t.Errorf("retention %+v", r)
			}
			now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
			conf, ass := c.Retention.Cutoffs(now)
			if !conf.Equal(now.AddDate(0, 0, -tc.conf)) || !ass.Equal(now.AddDate(0, 0, -tc.ass)) {
				t.Errorf("cutoffs %s %s", conf, ass)
			}
		})
	}
}
