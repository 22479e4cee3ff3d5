package screening_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
)

// The Population a whole-store screening builds from its first scan (only
// the network's records, DecodeNetwork) answers every network question as
// one built from every subject fully decoded does.
func TestNetworkScanAnswersAsTheFullDecode(t *testing.T) {
	f, man := syntheticFixture(t, 300)
	at := man.Now
	subjects, err := screening.ScanSubjects(context.Background(), f.st, at, 2)
	if err != nil {
		t.Fatal(err)
	}
	samePopulation(t, subjects, profile.NewPopulation(subjects, at, profile.Config{}), scannedPopulation(t, f.st, at))
	// The bare decode the benchmarks measure against decodes the same
	// subjects, holding none.
	if n, err := screening.DecodeSubjects(context.Background(), f.st, at, 2); err != nil || n != len(subjects) {
		t.Errorf("DecodeSubjects decoded %d subjects (%v), ScanSubjects %d", n, err, len(subjects))
	}
}

// scannedPopulation is the Population a first scan builds as of at.
func scannedPopulation(t *testing.T, st *store.Store, at time.Time) *profile.Population {
	t.Helper()
	b := profile.NewPopulationBuilder(at, profile.Config{})
	err := st.Scan(store.ScanOptions{At: at, History: profile.HistorySources, Only: profile.NetworkReads}, func(id string, recs []store.Resolved) error {
		s, err := profile.DecodeNetwork(id, recs)
		if err == nil {
			b.Add(s)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.Population()
}

// subjectPersons returns the persons with roles or bans among subjects.
func subjectPersons(subjects []*profile.Subject) map[string]bool {
	persons := map[string]bool{}
	for _, s := range subjects {
		for _, r := range s.Roles {
			persons[r.Person.ID] = true
		}
		for _, ban := range s.Bans {
			persons[ban.Person.ID] = true
		}
	}
	return persons
}

// samePopulation checks that got answers every network question about
// subjects (organisations, their addresses, persons with roles or bans,
// the market) as want does, on a population with bankruptcies.
func samePopulation(t *testing.T, subjects []*profile.Subject, full, streamed *profile.Population) {
	t.Helper()
	persons, orgs, bankrupt := subjectPersons(subjects), 0, 0
	for _, s := range subjects {
		if s.Company == nil {
			continue
		}
		orgs++
		want, got := full.Org(s.ID), streamed.Org(s.ID)
		if !reflect.DeepEqual(want, got) {
			t.Errorf("Org(%s) = %+v, want %+v", s.ID, got, want)
		}
		if want != nil && !want.Bankruptcy.IsZero() {
			bankrupt++
		}
		if addr := s.Company.Address.Normalized(); full.OrgsAt(addr) != streamed.OrgsAt(addr) {
			t.Errorf("OrgsAt(%q) = %d, want %d", addr, streamed.OrgsAt(addr), full.OrgsAt(addr))
		}
	}
	if orgs < 100 || bankrupt == 0 || len(persons) == 0 {
		t.Fatalf("%d organisations (%d bankrupt), %d persons: the population lacks what this test compares", orgs, bankrupt, len(persons))
	}
	for p := range persons {
		want, got := full.PersonRoles(p), streamed.PersonRoles(p)
		if len(want) != len(got) {
			t.Errorf("PersonRoles(%s): %d roles, want %d", p, len(got), len(want))
			continue
		}
		for i := range want {
			// What Build reads of a role.
			w, g := want[i], got[i]
			if w.Orgnr != g.Orgnr || w.Person.ID != g.Person.ID || w.Role != g.Role || !w.From.Equal(g.From) || !w.To.Equal(g.To) {
				t.Errorf("PersonRoles(%s)[%d] = %+v, want %+v", p, i, g, w)
			}
		}
		wb, wr := full.Bans(p)
		gb, gr := streamed.Bans(p)
		var real []record.Ban
		for _, ban := range wb {
			if ban.Type != record.NoBan {
				real = append(real, ban)
			}
		}
		if !reflect.DeepEqual(real, gb) || !reflect.DeepEqual(wr, gr) {
			t.Errorf("Bans(%s) = %+v %+v, want %+v %+v", p, gb, gr, real, wr)
		}
	}
	if !reflect.DeepEqual(full.Market(nil), streamed.Market(nil)) {
		t.Errorf("Market() = %+v, want %+v", streamed.Market(nil), full.Market(nil))
	}
}
