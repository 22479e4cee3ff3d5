package service_test

import (
	"path/filepath"
	"testing"

	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/service"
	"github.com/vaksam/vaksam/engine/settings"
	"github.com/vaksam/vaksam/engine/store"
)

// OpenScreener opens no store for a configuration whose rules do not
// load, and otherwise returns the screener with its desk on the store,
// the desk with the configured hearing minimum.
func TestOpenScreener(t *testing.T) {
	opened := 0
	open := func() (*store.Store, error) {
		opened++
		st, err := store.Open(t.TempDir(), store.Options{})
		if err == nil {
			t.Cleanup(func() { st.Close() })
		}
		return st, err
	}
	bad := &settings.Config{RulePath: filepath.Join(t.TempDir(), "no-such-pack")}
	if _, _, _, err := service.OpenScreener(bad, "", open, nil); err == nil || opened != 0 {
		t.Fatalf("a rule pack that does not load: error %v, %d stores opened", err, opened)
	}
	for _, tc := range []struct {
		days, want int
	}{{0, review.DefaultHearingDays}, {21, 21}} {
		cfg := &settings.Config{}
		cfg.Review.HearingDays = screening.Days(tc.days)
		sc, desk, set, err := service.OpenScreener(cfg, "", open, nil)
		if err != nil {
			t.Fatal(err)
		}
		if desk.Store != sc.Store || set == nil || len(set.Rules) == 0 {
			t.Errorf("desk on %p, screener on %p, %v rules", desk.Store, sc.Store, set)
		}
		if got := desk.HearingMinimum(); got != tc.want {
			t.Errorf("hearing minimum %d, want %d", got, tc.want)
		}
	}
}
