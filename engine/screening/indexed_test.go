package screening_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/synthetic"
)

// The Population built from the store's network and market indexes
// answers every network question as the one a first scan builds, on a
// population whose screening has mass addresses (S12), bankrupt
// predecessors (S13) and trading bans (S14); for a time before the newest
// records the indexes do not answer and the screening scans.
func TestIndexedPopulationAnswersAsTheScan(t *testing.T) {
	f, man := syntheticFixture(t, 300)
	at := man.Now
	subjects, err := screening.ScanSubjects(context.Background(), f.st, at, 2)
	if err != nil {
		t.Fatal(err)
	}
	indexed, _, ok, err := profile.IndexedPopulation(f.st, at, profile.Config{})
	if err != nil || !ok {
		t.Fatalf("IndexedPopulation as of the ingest's time: ok %v, %v", ok, err)
	}
	samePopulation(t, subjects, scannedPopulation(t, f.st, at), indexed)

	indexedJSON := screenAllJSON(t, f.sc, at)
	hits := map[string]int{}
	for _, js := range indexedJSON {
		var a screening.Assessment
		if err := json.Unmarshal([]byte(js), &a); err != nil {
			t.Fatal(err)
		}
		for _, h := range a.Hits {
			hits[h.ID]++
		}
	}
	for _, id := range []string{"S12", "S13", "S14"} {
		if hits[id] == 0 {
			t.Errorf("no %s hit in the screening (hits %v): the population lacks what this test compares", id, hits)
		}
	}
	// The whole screening, network from the scan: the same bytes.
	scanned := &screening.Screener{Store: f.st, Rules: f.sc.Rules, Config: f.sc.Settings(), Lists: f.sc.Lists}
	screening.ScanNetwork(scanned)
	scannedJSON := screenAllJSON(t, scanned, at)
	if len(scannedJSON) != len(indexedJSON) {
		t.Fatalf("%d assessments from the scan's network, %d from the indexes'", len(scannedJSON), len(indexedJSON))
	}
	for org, js := range scannedJSON {
		if indexedJSON[org] != js {
			t.Errorf("%s: the indexes' network gives\n%s\nthe scan's\n%s", org, indexedJSON[org], js)
		}
	}
	if _, _, ok, err := profile.IndexedPopulation(f.st, at.AddDate(-1, 0, 0), profile.Config{}); ok || err != nil {
		t.Errorf("IndexedPopulation a year before the records: ok %v, %v; want not ok", ok, err)
	}
}

// A store written before the network index (no index keys, no mark) gets
// it when opened, and screens every organisation to the same bytes as
// before.
func TestStoreWithoutNetworkIndexScreensTheSame(t *testing.T) {
	dir := t.TempDir()
	f := newFixtureIn(t, dir)
	dir2 := t.TempDir()
	man, err := synthetic.Generate(dir2, synthetic.Config{Seed: 7, Orgs: 200, Now: instant(t, "2026-11-21")})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := man.Ingest(context.Background(), f.in, dir2, f.persons); err != nil || c.Quarantined > 0 {
		t.Fatalf("ingest: %v, %+v", err, c)
	}
	before := screenAllJSON(t, f.sc, man.Now)
	err = f.st.DB().Update(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{'n'}})
		var keys [][]byte
		for it.Rewind(); it.Valid(); it.Next() {
			keys = append(keys, it.Item().KeyCopy(nil))
		}
		it.Close()
		if len(keys) < 200 {
			t.Fatalf("%d network index keys: the store has no index to remove", len(keys))
		}
		for _, k := range keys {
			if err := txn.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f.st.Close()
	f = newFixtureIn(t, dir)
	if _, _, ok, err := profile.IndexedPopulation(f.st, man.Now, profile.Config{}); !ok || err != nil {
		t.Fatalf("after reopening, IndexedPopulation: ok %v, %v", ok, err)
	}
	after := screenAllJSON(t, f.sc, man.Now)
	if len(after) != len(before) || len(before) < 200 {
		t.Fatalf("%d assessments after, %d before", len(after), len(before))
	}
	for org, b := range before {
		if after[org] != b {
			t.Errorf("%s screens differently once the index is built:\n%s\nbefore:\n%s", org, after[org], b)
		}
	}
}

// screenAllJSON screens the whole store as of at, each assessment as JSON.
func screenAllJSON(t *testing.T, sc *screening.Screener, at time.Time) map[string]string {
	t.Helper()
	out := map[string]string{}
	if _, err := sc.ScreenAll(context.Background(), screening.Options{At: at}, 2, func(a *screening.Assessment) error {
		b, err := json.Marshal(a)
		out[a.Orgnr] = string(b)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// A StoreNetwork, which reads each neighbour from the network index (or,
// for a time the index does not answer for the neighbour, from its
// records), answers every question about every organisation and person
// as the whole store's Population does: as of the ingest's time (all from
// the index) and as of three days before, when the registry's newest
// imports are later (the organisations they cover read from the records,
// the others from the index).
func TestStoreNetworkAnswersAsThePopulation(t *testing.T) {
	f, man := syntheticFixture(t, 300)
	for _, at := range []time.Time{man.Now, man.Now.AddDate(0, 0, -3)} {
		subjects, err := screening.ScanSubjects(context.Background(), f.st, at, 2)
		if err != nil {
			t.Fatal(err)
		}
		pop := scannedPopulation(t, f.st, at)
		rd := f.st.Reader(context.Background())
		net := profile.NewReaderNetwork(rd, at, profile.Config{})
		persons, bankrupt, banned := subjectPersons(subjects), 0, 0
		for _, s := range subjects {
			want, got := pop.Org(s.ID), net.Org(s.ID)
			if !reflect.DeepEqual(want, got) {
				t.Errorf("%s: Org(%s) = %+v, want %+v", at, s.ID, got, want)
			}
			if want != nil && !want.Bankruptcy.IsZero() {
				bankrupt++
			}
			if want != nil && pop.OrgsAt(want.Address) != net.OrgsAt(want.Address) {
				t.Errorf("%s: OrgsAt(%q) = %d, want %d", at, want.Address, net.OrgsAt(want.Address), pop.OrgsAt(want.Address))
			}
		}
		roleLines := func(roles []record.Role) []string {
			var out []string
			for _, r := range roles { // what Build reads of a role
				out = append(out, fmt.Sprintf("%s %s %s %s %s", r.Orgnr, r.Person.ID, r.Role, r.From.Format(time.RFC3339Nano), r.To.Format(time.RFC3339Nano)))
			}
			slices.Sort(out)
			return out
		}
		for p := range persons {
			if want, got := roleLines(pop.PersonRoles(p)), roleLines(net.PersonRoles(p)); !slices.Equal(want, got) {
				t.Errorf("%s: PersonRoles(%s) = %q, want %q", at, p, got, want)
			}
			wb, wr := pop.Bans(p)
			gb, gr := net.Bans(p)
			gb = slices.DeleteFunc(slices.Clone(gb), func(b record.Ban) bool { return b.Type == record.NoBan })
			if len(gb) == 0 {
				gb = nil // the Population keeps no ban as none
			}
			if len(wb) > 0 {
				banned++
			}
			if !reflect.DeepEqual(wb, gb) || !reflect.DeepEqual(wr, gr) {
				t.Errorf("%s: Bans(%s) = %+v %+v, want %+v %+v", at, p, gb, gr, wb, wr)
			}
		}
		if err := net.Err(); err != nil {
			t.Fatal(err)
		}
		rd.Close()
		if bankrupt == 0 || banned == 0 || len(persons) < 100 {
			t.Fatalf("%s: %d bankrupt organisations, %d banned of %d persons: the population lacks what this test compares", at, bankrupt, banned, len(persons))
		}
	}
}
