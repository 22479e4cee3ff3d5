package defaultpack

import (
	"testing"

	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/rules"
)

// TestSourcesNeeded reads which rules of the default pack need each
// source: every source a rule needs is in the registry, and every source
// the registry requires by default is needed by a rule (else requiring it
// would only make assessments incomplete).
func TestSourcesNeeded(t *testing.T) {
	set, err := Load(rules.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	needed := set.NeededBy()
	for src, ids := range needed {
		if !record.KnownSource(src) {
			t.Errorf("rules %v need %q, which is not in the source registry", ids, src)
		}
	}
	for _, s := range record.Registry {
		t.Logf("%-22s required=%-5v rules %v", s.Name, s.Required, needed[s.Name])
		if s.Required && len(needed[s.Name]) == 0 {
			t.Errorf("%s: required by default, but no rule of the default pack needs it", s.Name)
		}
	}
}
