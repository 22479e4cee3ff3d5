package screening_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
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

// A representative's other organisation whose bankruptcy has no start
// date is dated by when its registry record first showed it (the first
// version of its history with one): a screening of a few organisations
// (the watched, a pre-award check), whose network is read from the
// store's indexes, dates it as a screening of the whole store does, both
// as of a time the network index answers for and as of one it does not
// (an earlier time, where the records are read and decoded).
func TestUndatedBankruptcySameInScreenOrgsAndScreenAll(t *testing.T) {
	f, man := syntheticFixture(t, 300)
	at := man.Now
	// An organisation with S13 and a bankrupt organisation its evidence
	// names.
	var org ident.Org
	var bankrupt string
	if _, err := f.sc.ScreenAll(context.Background(), screening.Options{At: at}, 2, func(a *screening.Assessment) error {
		for _, h := range a.Hits {
			if h.ID != "S13" || bankrupt != "" {
				continue
			}
			for _, r := range h.Evidence {
				if r.Source == record.Bolagsverket && !strings.HasPrefix(r.Key, a.Orgnr) {
					org, bankrupt = ident.MustOrg(a.Orgnr), strings.SplitN(r.Key, "/", 2)[0]
					break
				}
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if bankrupt == "" {
		t.Fatal("no S13 hit names a bankrupt organisation's registry record")
	}
	recs, err := f.st.Subject(bankrupt, store.ScanOptions{At: at, Only: func(id store.RecordID) bool { return id.Source == record.Bolagsverket }})
	if err != nil || len(recs) != 1 || recs[0].Current == nil {
		t.Fatalf("%s's registry record: %d records, %v", bankrupt, len(recs), err)
	}
	var c record.Company
	if err := json.Unmarshal(recs[0].Current.Parsed, &c); err != nil {
		t.Fatal(err)
	}
	// The registry shows a bankruptcy without a date one day, then the
	// same with another name the next: the current version is not the
	// first with a bankruptcy, which dates it.
	c.Proceedings = []record.Proceeding{{Code: "KK"}}
	c.Deregistered, c.DeregisteredReason = time.Time{}, ""
	first, second := at.Add(24*time.Hour), at.Add(48*time.Hour)
	for i, when := range []time.Time{first, second} {
		if i == 1 {
			c.Name += " i konkurs"
		}
		if _, err := f.st.Put([]store.Observation{{Item: record.Item{Source: record.Bolagsverket, Subject: bankrupt, Key: recs[0].ID.Key, Pos: "test:1", Parsed: c}, Observed: when}}); err != nil {
			t.Fatal(err)
		}
	}
	for name, when := range map[string]time.Time{"indexed": second.Add(24 * time.Hour), "before the index's time": first.Add(time.Hour)} {
		var all *screening.Assessment
		if _, err := f.sc.ScreenAll(context.Background(), screening.Options{At: when}, 2, func(a *screening.Assessment) error {
			if a.Orgnr == org.String() {
				all = a
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		var orgs *screening.Assessment
		if _, err := f.sc.ScreenOrgs(context.Background(), []ident.Org{org}, screening.Options{At: when}, 1, func(a *screening.Assessment) error {
			orgs = a
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		pre, err := f.sc.Screen(context.Background(), []ident.Org{org}, screening.Options{At: when, Purpose: screening.Award, Current: true})
		if err != nil {
			t.Fatal(err)
		}
		x, _ := json.Marshal(all)
		if !strings.Contains(string(x), `"id":"S13"`) || strings.Contains(string(x), "konkurs "+second.Format("2006-01-02")) {
			t.Errorf("%s: ScreenAll has no S13 or dates the bankruptcy by the current version (%s): %s", name, second.Format("2006-01-02"), x)
		}
		if y, _ := json.Marshal(orgs); string(x) != string(y) {
			t.Errorf("%s: ScreenOrgs\n%s\nScreenAll\n%s", name, y, x)
		}
		s13 := func(a *screening.Assessment) string {
			for _, h := range a.Hits {
				if h.ID == "S13" {
					b, _ := json.Marshal(h)
					return string(b)
				}
			}
			return ""
		}
		if got, want := s13(pre[0]), s13(all); got != want {
			t.Errorf("%s: the pre-award check's S13\n%s\nScreenAll's\n%s", name, got, want)
		}
	}
}
