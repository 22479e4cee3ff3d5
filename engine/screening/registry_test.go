package screening

import (
	"maps"
	"reflect"
	"testing"

	"github.com/vaksam/vaksam/engine/record"
)

// TestDefaultConfigSources checks the windows DefaultConfig derives from
// the source registry: every source but the own registers has one, and
// the defaults are those of shared/INDICATORS.md.
func TestDefaultConfigSources(t *testing.T) {
	c := DefaultConfig()
	if errs := c.Validate(); len(errs) > 0 {
		t.Fatalf("DefaultConfig: %v", errs)
	}
	for _, s := range record.Registry {
		d, ok := c.window(s.Name)
		switch {
		case s.Own && ok:
			t.Errorf("%s: own register with a window of %d days", s.Name, d)
		case !s.Own && (!ok || int(d) != s.Window):
			t.Errorf("%s: window %d days (set: %v), registry says %d", s.Name, d, ok, s.Window)
		}
	}
	wantFresh := map[string]Days{"bolagsverket": 7, "scb": 31, "roles": 31, "kronofogden": 92, "ivo": 92}
	wantWin := map[string]Days{"naringsforbud": 31, "huvudman": 92, "arbetsmiljoverket": 92, "ivo-beslut": 92,
		"bolagsverket-dokument": 31, "bolagsverket-bulk": 7, "scb-bulk": 31, "sanctions-eu": 2, "sanctions-un": 2, "sanctions-ftm": 2}
	if !maps.Equal(c.Freshness, wantFresh) {
		t.Errorf("Freshness = %v, want %v", c.Freshness, wantFresh)
	}
	if !maps.Equal(c.Windows, wantWin) {
		t.Errorf("Windows = %v, want %v", c.Windows, wantWin)
	}
	wantCond := map[string][]string{"ivo": {"hvb_barn", "hvb_vuxna", "stodboende", "skyddat_boende", "familjehem_konsulent"}}
	if !reflect.DeepEqual(c.ConditionalSources, wantCond) || !reflect.DeepEqual(c.PersonalExempt, []string{"roles"}) {
		t.Errorf("ConditionalSources = %v, PersonalExempt = %v", c.ConditionalSources, c.PersonalExempt)
	}
	// A source the registry gains without a window fails Validate.
	delete(c.Windows, record.Huvudman)
	if errs := c.Validate(); len(errs) == 0 {
		t.Error("a source without a window: Validate passes")
	}
}
