package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/vaksam/vaksam/engine/record"
)

// networkOf lists what Network passes as of at, one line per record.
func networkOf(t *testing.T, s *Store, at time.Time) ([]string, error) {
	t.Helper()
	var out []string
	err := s.Network(at, func(r NetworkRecord) error {
		out = append(out, networkLine(r))
		return nil
	})
	return out, err
}

func networkLine(r NetworkRecord) string {
	line := fmt.Sprintf("%s v%d %s", r.ID, r.Version, r.LastSuccess.Format(time.RFC3339Nano))
	switch {
	case r.Company != nil:
		c := r.Company
		line += fmt.Sprintf(" company %q %v %v %q %q %q %v seen %v", c.Name, c.Registered, c.Deregistered, c.DeregisteredReason,
			c.Address.Street, c.Address.PostalCode, c.Proceedings, r.BankruptcySeen)
		if c.Owner != nil {
			line += " owner " + c.Owner.ID
		}
	case r.Role != nil:
		line += fmt.Sprintf(" role %+v", *r.Role)
	case r.Ban != nil:
		line += fmt.Sprintf(" ban %+v", *r.Ban)
	}
	return line
}

// decodedNetwork lists the same from the records as of at, read with
// their history and decoded whole.
func decodedNetwork(t *testing.T, s *Store, subjects []string, at time.Time) []string {
	t.Helper()
	var out []string
	for _, subject := range subjects {
		recs, err := s.Subject(subject, ScanOptions{At: at, History: map[string]bool{record.Bolagsverket: true, record.SCBBulk: true}})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if r.Current == nil || !isNetworkSource(r.ID.Source) {
				continue
			}
			nr := NetworkRecord{ID: r.ID, Version: r.Current.N, LastSuccess: r.LastSuccess}
			var err error
			switch {
			case isRegistrySource(r.ID.Source):
				var c record.Company
				err = json.Unmarshal(r.Current.Parsed, &c)
				nr.Company = &record.Company{Name: c.Name, Registered: c.Registered, Deregistered: c.Deregistered, DeregisteredReason: c.DeregisteredReason,
					Address: record.Address{Street: c.Address.Street, PostalCode: c.Address.PostalCode}}
				for _, p := range c.Proceedings {
					nr.Company.Proceedings = append(nr.Company.Proceedings, record.Proceeding{Code: p.Code, From: p.From, Ended: p.Ended})
				}
				if c.Owner != nil {
					nr.Company.Owner = &record.PersonRef{ID: c.Owner.ID}
				}
				for _, v := range r.History {
					var h record.Company
					if err := json.Unmarshal(v.Parsed, &h); err != nil {
						t.Fatal(err)
					}
					if slices.ContainsFunc(h.Proceedings, func(p record.Proceeding) bool { return p.Code == "KK" }) {
						nr.BankruptcySeen = v.FirstObserved
						break
					}
				}
			case r.ID.Source == record.Roles:
				var v record.Role
				err = json.Unmarshal(r.Current.Parsed, &v)
				nr.Role = &record.Role{Orgnr: v.Orgnr, Person: record.PersonRef{ID: v.Person.ID}, Role: v.Role, From: v.From, To: v.To}
			default:
				nr.Ban = &record.Ban{}
				err = json.Unmarshal(r.Current.Parsed, nr.Ban)
			}
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, networkLine(nr))
		}
	}
	return out
}

// indexDump lists the network index's keys and values.
func indexDump(t *testing.T, s *Store) []string {
	t.Helper()
	var out []string
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{'n'}})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			out = append(out, fmt.Sprintf("%q=%x", it.Item().Key(), v))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The network index gives, as of any time at or after the newest success
// of its records, exactly what the records decoded with their history
// give: through new versions, content that comes back, bankruptcies
// appearing and going, late imports of older files, source errors, and an
// observation replacing another of the same time. For an earlier time it
// says it does not answer. Built for a store written without it, it is
// the same, byte for byte, as the one kept current as records arrived.
func TestNetworkIndexAgreesWithTheRecords(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{Small: true})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	rng := rand.New(rand.NewPCG(14, 4))
	orgs := []string{"5591234561", "5560000001", "5560000002"}
	subjects := append(slices.Clone(orgs), record.PersonSubjectPrefix+"P1", record.PersonSubjectPrefix+"P2")
	slices.Sort(subjects) // the key order
	base := day("2026-01-01")
	stockholm := base.In(record.Stockholm)
	item := func() record.Item {
		var it record.Item
		switch rng.IntN(4) {
		case 0, 1:
			subject := orgs[rng.IntN(len(orgs))]
			it = record.Item{Subject: subject, Source: []string{record.Bolagsverket, record.SCBBulk}[rng.IntN(2)], Pos: "t:1"}
			c := record.Company{Orgnr: subject, Name: fmt.Sprintf("Bolag %d AB", rng.IntN(2)), Registered: base.AddDate(-2, 0, 0),
				Address: record.Address{Street: fmt.Sprintf("Storgatan %d", rng.IntN(2)), PostalCode: "21111", City: "Malmö"}, SNI: []string{"87901"}}
			switch rng.IntN(4) {
			case 0:
				c.Proceedings = []record.Proceeding{{Code: "KK"}} // undated
			case 1:
				c.Proceedings = []record.Proceeding{{Code: "KK", From: stockholm.AddDate(0, 1, 0), Ended: true}, {Code: "LI"}}
				c.Deregistered, c.DeregisteredReason = base.AddDate(0, 2, 0), "KKAV"
			}
			if rng.IntN(3) == 0 {
				c.Owner = &record.PersonRef{ID: "P1", Name: "Anna", BirthYear: 1970}
			}
			it.Parsed = c
		case 2:
			subject := orgs[rng.IntN(len(orgs))]
			key := fmt.Sprintf("P%d-vd", 1+rng.IntN(2))
			it = record.Item{Subject: subject, Source: record.Roles, Key: key, Pos: "t:1",
				Parsed: record.Role{Orgnr: subject, Person: record.PersonRef{ID: key[:2], Name: "X"}, Role: "vd", From: base.AddDate(0, -rng.IntN(3), 0)}}
		default:
			person := fmt.Sprintf("P%d", 1+rng.IntN(2))
			ban := record.Ban{Person: record.PersonRef{ID: person, Name: "Bo", BirthYear: 1960, Coordination: rng.IntN(2) == 0}, Type: record.NoBan}
			if rng.IntN(2) == 0 {
				ban.Type, ban.From, ban.DecidedBy = "naringsforbud", stockholm.AddDate(0, rng.IntN(3), 0), "Malmö tingsrätt"
			}
			it = record.Item{Subject: record.PersonSubjectPrefix + person, Source: record.Naringsforbud, Key: "", Pos: "t:1", Parsed: ban}
		}
		if rng.IntN(8) == 0 {
			it.SourceError = "TIMEOUT"
		}
		return it
	}
	var newest time.Time
	compare := func(when string) {
		t.Helper()
		newest = checkNetwork(t, s, subjects, when)
	}
	for i := 0; i < 400; i++ {
		if _, err := s.Put([]Observation{{Item: item(), Observed: observationTime(rng, base, i)}}); err != nil {
			t.Fatal(err)
		}
		if i%40 == 39 {
			compare(fmt.Sprintf("after %d observations", i+1))
		}
	}
	compare("after every observation")
	kept := indexDump(t, s)

	// A store written before the index: it is built when opened.
	s = reopenWithout(t, s, dir, 'n', func(s *Store) {
		if err := s.Network(newest, func(NetworkRecord) error { return nil }); !errors.Is(err, ErrNoNetworkIndex) {
			t.Errorf("read-only store without the index: Network says %v, want ErrNoNetworkIndex", err)
		}
		if _, err := s.NetworkOf(orgs[0], newest); !errors.Is(err, ErrNoNetworkIndex) {
			t.Errorf("read-only store without the index: NetworkOf says %v, want ErrNoNetworkIndex", err)
		}
	})
	compare("rebuilt when opened")
	if rebuilt := indexDump(t, s); !slices.Equal(rebuilt, kept) {
		t.Errorf("the index built when opened differs from the one kept as records arrived:\nbuilt %q\nkept  %q", rebuilt, kept)
	}
}

// checkNetwork compares what the network index says with the records as
// of the newest success of every network record, and after it, and checks
// that it says it does not answer before it. It returns that time.
func checkNetwork(t *testing.T, s *Store, subjects []string, when string) time.Time {
	t.Helper()
	var newest time.Time
	for _, subject := range subjects {
		recs, err := s.Subject(subject, ScanOptions{At: latestTime})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if r.Current != nil && r.LastSuccess.After(newest) {
				newest = r.LastSuccess
			}
		}
	}
	for _, at := range []time.Time{newest, newest.Add(time.Nanosecond), newest.AddDate(1, 0, 0)} {
		got, err := networkOf(t, s, at)
		if err != nil {
			t.Fatalf("%s, as of %s: %v", when, at, err)
		}
		if want := decodedNetwork(t, s, subjects, at); !slices.Equal(got, want) {
			t.Fatalf("%s, as of %s:\nindex   %q\nrecords %q", when, at, got, want)
		}
	}
	if _, err := networkOf(t, s, newest.Add(-time.Nanosecond)); !errors.Is(err, ErrNetworkNotCurrent) {
		t.Fatalf("%s: before the newest success the index says %v, want ErrNetworkNotCurrent", when, err)
	}
	checkNetworkOf(t, s, subjects, when)
	return newest
}

// checkNetworkOf compares what NetworkOf says of each subject, from the
// store and through a Reader, with the records as of the newest success
// of the subject's own network records, and after it, and checks that it
// says it does not answer before it.
func checkNetworkOf(t *testing.T, s *Store, subjects []string, when string) {
	t.Helper()
	rd := s.Reader(context.Background())
	defer rd.Close()
	for _, subject := range subjects {
		recs, err := s.Subject(subject, ScanOptions{At: latestTime})
		if err != nil {
			t.Fatal(err)
		}
		var newest time.Time
		for _, r := range recs {
			if r.Current != nil && isNetworkSource(r.ID.Source) && r.LastSuccess.After(newest) {
				newest = r.LastSuccess
			}
		}
		if newest.IsZero() {
			continue
		}
		for _, at := range []time.Time{newest, newest.AddDate(1, 0, 0)} {
			want := decodedNetwork(t, s, []string{subject}, at)
			for name, read := range map[string]func(string, time.Time) ([]NetworkRecord, error){"store": s.NetworkOf, "reader": rd.NetworkOf} {
				nrs, err := read(subject, at)
				if err != nil {
					t.Fatalf("%s, %s's NetworkOf(%s, %s): %v", when, name, subject, at, err)
				}
				var got []string
				for _, nr := range nrs {
					got = append(got, networkLine(nr))
				}
				if !slices.Equal(got, want) {
					t.Fatalf("%s, %s's NetworkOf(%s, %s):\nindex   %q\nrecords %q", when, name, subject, at, got, want)
				}
			}
		}
		if _, err := s.NetworkOf(subject, newest.Add(-time.Nanosecond)); !errors.Is(err, ErrNetworkNotCurrent) {
			t.Fatalf("%s: NetworkOf(%s) before its newest success says %v, want ErrNetworkNotCurrent", when, subject, err)
		}
	}
}

// A Reader's NetworkOf stops at the Reader's context and says why.
func TestReaderNetworkOfStopsAtItsContext(t *testing.T) {
	s := openTest(t)
	subject := "5591234561"
	put(t, s, record.Item{Subject: subject, Source: record.Bolagsverket, Pos: "t:1", Parsed: record.Company{Orgnr: subject, Name: "Bolag AB"}}, day("2026-01-10"))
	ctx, cancel := context.WithCancel(context.Background())
	rd := s.Reader(ctx)
	defer rd.Close()
	if nrs, err := rd.NetworkOf(subject, day("2026-01-11")); err != nil || len(nrs) != 1 || nrs[0].Company == nil || nrs[0].Company.Name != "Bolag AB" {
		t.Fatalf("NetworkOf before the context ends: %v, %v", nrs, err)
	}
	cancel()
	if nrs, err := rd.NetworkOf(subject, day("2026-01-11")); !errors.Is(err, context.Canceled) || nrs != nil {
		t.Fatalf("NetworkOf once the context ended: %v, %v; want context.Canceled", nrs, err)
	}
}

// An observation at the very time of a record's newest success replaces
// it: a source error there brings back the success before, a version
// without a bankruptcy there takes back when one was first seen.
func TestNetworkIndexObservationReplacingTheNewest(t *testing.T) {
	s := openTest(t)
	subject := "5591234561"
	reg := func(kk bool) record.Item {
		c := record.Company{Orgnr: subject, Name: "Bolag AB", Address: record.Address{Street: "Storgatan 1", PostalCode: "21111"}}
		if kk {
			c.Proceedings = []record.Proceeding{{Code: "KK"}}
		}
		return record.Item{Subject: subject, Source: record.Bolagsverket, Pos: "t:1", Parsed: c}
	}
	put(t, s, reg(false), day("2026-01-10"))
	put(t, s, reg(true), day("2026-01-20"))
	checkNetwork(t, s, []string{subject}, "a bankruptcy seen")
	put(t, s, reg(false), day("2026-01-20"))
	checkNetwork(t, s, []string{subject}, "the bankruptcy replaced at the same time")
	put(t, s, reg(true), day("2026-01-30"))
	failed := reg(false)
	failed.SourceError = "TIMEOUT"
	put(t, s, failed, day("2026-01-30"))
	if newest := checkNetwork(t, s, []string{subject}, "the newest success replaced by an error"); !newest.Equal(day("2026-01-20")) {
		t.Errorf("newest success %s, want the one before the error", newest)
	}
}
