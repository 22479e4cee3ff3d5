package watchlist_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/sanctions"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/watchlist"
)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{Small: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func put(t *testing.T, st *store.Store, at time.Time, items ...record.Item) {
	t.Helper()
	obs := make([]store.Observation, len(items))
	for i, it := range items {
		obs[i] = store.Observation{Item: it, Observed: at}
	}
	if _, err := st.Put(obs); err != nil {
		t.Fatal(err)
	}
}

// rep is a representative of an organisation.
type rep struct {
	id, name, role string
	born           int
	to             time.Time // zero while current
}

// putOrg stores an organisation's registry record and its roles.
func putOrg(t *testing.T, st *store.Store, at time.Time, orgnr, name string, reps ...rep) {
	t.Helper()
	items := []record.Item{{Source: record.Bolagsverket, Subject: orgnr, Parsed: record.Company{Orgnr: orgnr, Name: name}}}
	for _, r := range reps {
		role := record.Role{Orgnr: orgnr, Person: record.PersonRef{ID: r.id, Name: r.name, BirthYear: r.born}, Role: r.role,
			From: time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC), To: r.to}
		items = append(items, record.Item{Source: record.Roles, Subject: orgnr, Key: r.id + "/" + r.role, Parsed: role,
			Links: record.Links{Persons: []string{r.id}}})
	}
	put(t, st, at, items...)
}

// importFtM stores one import of an FtM list, as its parser would: every
// entity, then the version record; it returns the items that got a new
// version, as ingest's OnVersion hands them on.
func importFtM(t *testing.T, st *store.Store, at time.Time, ents ...sanctions.Entity) []record.Item {
	t.Helper()
	for i := range ents {
		ents[i].List = sanctions.FtM
	}
	obs := watchlist.Snapshot(record.SanctionsFtM, record.ListVersion{SHA256: fmt.Sprintf("%064x", at.Unix())}, ents, at)
	outs, err := st.Put(obs)
	if err != nil {
		t.Fatal(err)
	}
	var changed []record.Item
	for i, o := range outs {
		if o == store.NewVersion {
			changed = append(changed, obs[i].Item)
		}
	}
	return changed
}

func person(id, name string, born int, ids ...sanctions.Identifier) sanctions.Entity {
	return sanctions.Entity{ID: id, Kind: sanctions.Person, Names: []sanctions.Name{{Full: name}},
		BirthDates: []string{fmt.Sprint(born)}, Identifiers: ids}
}

func ids(es []sanctions.Entity) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

// affected runs Changes and Affected as the service does.
func affected(t *testing.T, st *store.Store, items []record.Item, at time.Time) ([]watchlist.Change, []string) {
	t.Helper()
	cs, err := watchlist.Changes(st, items, at)
	if err != nil {
		t.Fatal(err)
	}
	orgs, err := watchlist.Affected(context.Background(), st, cs, at, watchlist.RescreenFloor)
	if err != nil {
		t.Fatal(err)
	}
	return cs, orgs
}

// Each import of a list re-screens exactly the organisations whose name
// or current representatives match what it added, changed or removed:
// not those matching entities it left alone, not former representatives,
// not auditors; identifiers (organisation number, the personnummer's
// pseudonym) reach the organisation whatever the name.
func TestAffectedByListImports(t *testing.T) {
	st := openStore(t)
	day := func(d int) time.Time { return time.Date(2026, 11, d, 6, 0, 0, 0, time.UTC) }
	ended := time.Date(2020, 6, 30, 0, 0, 0, 0, time.UTC)
	putOrg(t, st, day(1), "5560000001", "Alfa Omsorg AB",
		rep{id: "pAnna", name: "Anna Berg", role: "vd", born: 1970},
		rep{id: "pViktor", name: "Viktor Petrov", role: "styrelseledamot", born: 1965})
	putOrg(t, st, day(1), "5560000002", "Beta Bygg AB", rep{id: "pErik", name: "Erik Lund", role: "ordforande", born: 1980})
	putOrg(t, st, day(1), "5560000003", "Gamma Vård AB", rep{id: "pOlga", name: "Olga Ivanova", role: "vd", born: 1975})
	// A former board member and an auditor of the same names as listed
	// people: neither is screened.
	putOrg(t, st, day(1), "5560000004", "Delta Städ AB",
		rep{id: "pViktor2", name: "Viktor Petrov", role: "styrelseledamot", born: 1965, to: ended},
		rep{id: "pOlga2", name: "Olga Ivanova", role: "revisor", born: 1975})
	putOrg(t, st, day(1), "5560000005", "Epsilon Transport AB", rep{id: "pKarin", name: "Karin Ek", role: "vd", born: 1990})
	// A supplier known from its contract only.
	put(t, st, day(1), record.Item{Source: record.Contracts, Subject: "5560000068", Key: "AVT-1",
		Parsed: record.Contract{ID: "AVT-1", Orgnr: "5560000068", Supplier: "Zeta Omsorg AB", Category: "hvb_barn"}})

	sidorov := person("NK-1", "Ivan SIDOROV", 1960)
	ivanova := person("NK-2", "Olga IVANOVA", 1975)
	petrov := person("NK-3", "Viktor PETROV", 1965)

	t.Run("first import", func(t *testing.T) {
		items := importFtM(t, st, day(2), sidorov, ivanova)
		cs, orgs := affected(t, st, items, day(2).Add(time.Minute))
		if len(cs) != 1 || !cs[0].Before.IsZero() || !cs[0].After.Equal(day(2)) || !slices.Equal(ids(cs[0].Added), []string{"NK-1", "NK-2"}) {
			t.Fatalf("changes %+v, want NK-1 and NK-2 added by a first import", cs)
		}
		if !slices.Equal(orgs, []string{"5560000003"}) {
			t.Errorf("affected %v, want [5560000003] (Olga Ivanova, vd)", orgs)
		}
	})
	t.Run("added", func(t *testing.T) {
		items := importFtM(t, st, day(3), sidorov, ivanova, petrov)
		cs, orgs := affected(t, st, items, day(3).Add(time.Minute))
		if len(cs) != 1 || !cs[0].Before.Equal(day(2)) || !slices.Equal(ids(cs[0].Added), []string{"NK-3"}) || len(cs[0].Changed)+len(cs[0].Removed) != 0 {
			t.Fatalf("changes %+v, want NK-3 added only", cs)
		}
		if !slices.Equal(orgs, []string{"5560000001"}) {
			t.Errorf("affected %v, want [5560000001] (Viktor Petrov, current board member)", orgs)
		}
	})
	t.Run("removed and changed", func(t *testing.T) {
		// Olga Ivanova leaves the list; Ivan Sidorov's entry changes in a
		// way that matches nobody.
		moved := sidorov
		moved.BirthDates = []string{"1961"}
		items := importFtM(t, st, day(4), moved, petrov)
		cs, orgs := affected(t, st, items, day(4).Add(time.Minute))
		if len(cs) != 1 || !slices.Equal(ids(cs[0].Removed), []string{"NK-2"}) || !slices.Equal(ids(cs[0].Changed), []string{"NK-1"}) ||
			len(cs[0].Added) != 0 || cs[0].Was[0].BirthDates[0] != "1960" {
			t.Fatalf("changes %+v, want NK-2 removed and NK-1 changed (was born 1960)", cs)
		}
		if !slices.Equal(orgs, []string{"5560000003"}) {
			t.Errorf("affected %v, want [5560000003], who matched the entity that left", orgs)
		}
	})
	t.Run("back on the list", func(t *testing.T) {
		// The same entry as before: no new version of it, yet it is added.
		items := importFtM(t, st, day(5), sidorov, ivanova, petrov)
		cs, orgs := affected(t, st, items, day(5).Add(time.Minute))
		if len(cs) != 1 || !slices.Equal(ids(cs[0].Added), []string{"NK-2"}) {
			t.Fatalf("changes %+v, want NK-2 added again", cs)
		}
		if !slices.Equal(orgs, []string{"5560000003"}) {
			t.Errorf("affected %v, want [5560000003]", orgs)
		}
	})
	t.Run("identifiers", func(t *testing.T) {
		// Names that match nobody, identifiers that do: the organisation
		// number of Beta Bygg AB, the pseudonym of Karin Ek.
		firm := sanctions.Entity{ID: "NK-4", Kind: sanctions.Organisation, Names: []sanctions.Name{{Full: "Xylo Trading LLC"}},
			Identifiers: []sanctions.Identifier{{Type: "registration", Value: "5560000002", Country: "SE"}}}
		pnr := person("NK-5", "Juan PEREZ", 1950, sanctions.Identifier{Type: record.PseudonymIdentifier, Value: "pKarin", Country: "SE"})
		contractor := sanctions.Entity{ID: "NK-6", Kind: sanctions.Organisation, Names: []sanctions.Name{{Full: "Quorra Holdings Ltd"}},
			Identifiers: []sanctions.Identifier{{Type: "registration", Value: "5560000068", Country: "SE"}}}
		unknown := sanctions.Entity{ID: "NK-7", Kind: sanctions.Organisation, Names: []sanctions.Name{{Full: "Vantablack Shipping Ltd"}},
			Identifiers: []sanctions.Identifier{{Type: "registration", Value: "5560000076", Country: "SE"}}}
		items := importFtM(t, st, day(6), sidorov, ivanova, petrov, firm, pnr, contractor, unknown)
		_, orgs := affected(t, st, items, day(6).Add(time.Minute))
		if !slices.Equal(orgs, []string{"5560000002", "5560000005", "5560000068"}) {
			t.Errorf("affected %v, want [5560000002 5560000005 5560000068] by organisation number (stored ones only) and pseudonym", orgs)
		}
	})
	t.Run("nothing changed", func(t *testing.T) {
		if cs, orgs := affected(t, st, nil, day(7)); len(cs) != 0 || len(orgs) != 0 {
			t.Errorf("no items: changes %v, affected %v", cs, orgs)
		}
		// Items of organisations only: no list is compared.
		items := []record.Item{{Source: record.Roles, Subject: "5560000001", Key: "pAnna/vd"}}
		if cs, orgs := affected(t, st, items, day(7)); len(cs) != 0 || len(orgs) != 0 {
			t.Errorf("organisation items: changes %v, affected %v", cs, orgs)
		}
	})
}

// Population reads every organisation's name and current representatives
// (one entry per person, with all their current roles), and nothing of
// the lists' or persons' subjects.
func TestPopulation(t *testing.T) {
	st := openStore(t)
	at := time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC)
	putOrg(t, st, at, "5560000001", "Alfa Omsorg AB",
		rep{id: "pAnna", name: "Anna Berg", role: "vd", born: 1970},
		rep{id: "pAnna", name: "Anna Berg", role: "styrelseledamot", born: 1970},
		rep{id: "pOld", name: "Per Gammal", role: "ordforande", born: 1940, to: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)},
		rep{id: "pRev", name: "Rut Revisor", role: "revisor", born: 1960})
	importFtM(t, st, at, person("NK-1", "Ivan SIDOROV", 1960))
	put(t, st, at, record.Item{Source: record.Naringsforbud, Subject: record.PersonSubjectPrefix + "pAnna", Parsed: record.Ban{Type: record.NoBan}})
	var got []*watchlist.Screened
	if err := watchlist.Population(context.Background(), st, at.Add(time.Hour), func(s *watchlist.Screened) error {
		got = append(got, s)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Orgnr != "5560000001" || got[0].Name != "Alfa Omsorg AB" {
		t.Fatalf("population %+v, want Alfa Omsorg AB only", got)
	}
	p := got[0].People
	if len(p) != 1 || p[0].ID != "pAnna" || p[0].BirthYear != 1970 || !slices.Equal(p[0].Roles, []string{"styrelseledamot", "vd"}) {
		t.Errorf("people %+v, want Anna Berg with both roles only", p)
	}
	// A scan whose context has ended stops.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := watchlist.Population(ctx, st, at, func(*watchlist.Screened) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("population with an ended context: %v, want context.Canceled", err)
	}
	qs := got[0].Queries()
	if len(qs) != 2 || qs[0].Kind != sanctions.Organisation || qs[0].Identifiers[0] != "5560000001" ||
		qs[1].Kind != sanctions.Person || qs[1].BirthYear != 1970 || qs[1].Identifiers[0] != "pAnna" {
		t.Errorf("queries %+v", qs)
	}
}
