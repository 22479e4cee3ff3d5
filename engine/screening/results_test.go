package screening_test

import (
	"testing"

	"github.com/vaksam/vaksam/engine/store"
)

// Saving an assessment keeps the organisation's name with its newest
// result, so that organisations can be found by name.
func TestSaveKeepsNameWithResult(t *testing.T) {
	f := newFixture(t)
	f.ingestSamples(t, instant(t, "2026-11-20"))
	f.screen(t, "5591234561", instant(t, "2026-11-21"), true)
	f.screen(t, "5591234561", instant(t, "2026-11-01"), true) // as of an earlier time: not the newest
	names := map[string]store.Result{}
	if err := f.st.Results(func(subject string, r store.Result) error { names[subject] = r; return nil }); err != nil {
		t.Fatal(err)
	}
	r, ok := names["5591234561"]
	if !ok || r.Name != "Omsorgshuset Norr AB" || !r.At.Equal(instant(t, "2026-11-21")) {
		t.Fatalf("result %+v (found %v), want the name and the time of the newest assessment", r, ok)
	}
	if len(names) != 1 {
		t.Errorf("%d results, want 1", len(names))
	}
}
