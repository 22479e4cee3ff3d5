package screening_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/screening"
)

// The watched organisations, screened on their own with the network read
// from the store's indexes, get exactly the assessments a screening of the
// whole store gives them, network hits (S12 mass address, S13 bankrupt
// predecessors, S14 straw man) included; only they are saved.
func TestScreenOrgsAgreesWithScreenAll(t *testing.T) {
	f, man := syntheticFixture(t, 300)
	at := instant(t, "2026-11-21")
	// The planted network cases are watched whether or not they have a
	// contract: a pre-award check within the window puts them on the list.
	network := map[string]bool{}
	for _, p := range man.Planted {
		if slices.ContainsFunc(p.Indicators, func(id string) bool { return id == "S12" || id == "S13" || id == "S14" }) {
			network[p.Orgnr] = true
			if err := f.st.MarkPreAward(p.Orgnr, at.AddDate(0, 0, -30)); err != nil {
				t.Fatal(err)
			}
		}
	}
	watched, err := screening.Watched(f.st, at, 90)
	if err != nil {
		t.Fatal(err)
	}
	isWatched := map[string]bool{}
	for _, o := range watched {
		isWatched[o.String()] = true
	}
	for orgnr := range network {
		if !isWatched[orgnr] {
			t.Errorf("%s, screened before award 30 days ago, is not watched", orgnr)
		}
	}

	all := map[string]*screening.Assessment{}
	if _, err := f.sc.ScreenAll(context.Background(), screening.Options{At: at}, 2, func(a *screening.Assessment) error {
		all[a.Orgnr] = a
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(watched) == 0 || len(watched) >= len(all) {
		t.Fatalf("%d watched of %d organisations: want some, not all", len(watched), len(all))
	}

	got := map[string]*screening.Assessment{}
	st, err := f.sc.ScreenOrgs(context.Background(), watched, screening.Options{At: at, Save: true, Trigger: screening.TriggerSchedule}, 2,
		func(a *screening.Assessment) error {
			if got[a.Orgnr] != nil {
				t.Errorf("%s screened twice", a.Orgnr)
			}
			got[a.Orgnr] = a
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if st.Screened != len(watched) || len(got) != len(watched) {
		t.Fatalf("screened %d (%d distinct), want the %d watched", st.Screened, len(got), len(watched))
	}
	fired := map[string]int{}
	diffs := 0
	for orgnr, a := range got {
		for _, h := range a.Hits {
			if network[orgnr] {
				fired[h.ID]++
			}
		}
		x, _ := json.Marshal(a)
		y, _ := json.Marshal(all[orgnr])
		if string(x) != string(y) && diffs < 5 {
			diffs++
			t.Errorf("%s differs:\nScreenOrgs %s\nScreenAll  %s", orgnr, x, y)
		}
	}
	for _, id := range []string{"S12", "S13", "S14"} {
		if fired[id] == 0 {
			t.Errorf("no watched network case fired %s (%v)", id, fired)
		}
	}

	// Saved: one assessment for each watched organisation, none for the
	// others.
	unwatched := 0
	for orgnr := range all {
		as, err := f.sc.Assessments(orgnr)
		if err != nil {
			t.Fatal(err)
		}
		switch want := isWatched[orgnr]; {
		case want && len(as) != 1:
			t.Errorf("watched %s: %d assessments stored, want 1", orgnr, len(as))
		case !want && len(as) != 0:
			t.Errorf("unwatched %s: %d assessments stored, want none", orgnr, len(as))
		case !want:
			unwatched++
		}
	}
	if unwatched == 0 {
		t.Error("every organisation was watched")
	}
}

// Orgs keeps organisation numbers, sorted and each once.
func TestOrgs(t *testing.T) {
	got := screening.Orgs([]string{"5591234561", "p:abc", "5560160680", "5591234561", "not a number"})
	want := []ident.Org{ident.MustOrg("5560160680"), ident.MustOrg("5591234561")}
	if !slices.Equal(got, want) {
		t.Errorf("Orgs = %v, want %v", got, want)
	}
}
