package store

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/vaksam/vaksam/engine/record"
)

// marketOf lists what Market passes as of at, one line per record.
func marketOf(t *testing.T, s *Store, at time.Time) []string {
	t.Helper()
	return marketLines(t, func(fn MarketFacts) error { return s.Market(at, fn) })
}

// bookOf lists what MarketOf passes as of at for the categories.
func bookOf(t *testing.T, s *Store, at time.Time, cats []string) []string {
	t.Helper()
	return marketLines(t, func(fn MarketFacts) error { return s.MarketOf(at, cats, fn) })
}

// marketLines lists what read passes, one line per record, sorted.
func marketLines(t *testing.T, read func(MarketFacts) error) []string {
	t.Helper()
	var out []string
	err := read(MarketFacts{
		Contract: func(subject string, c record.Contract) {
			out = append(out, fmt.Sprintf("c %s %s %s %s %d", subject, c.Category, c.Start.Format(time.DateOnly), c.End.Format(time.DateOnly), c.DailyPrice))
		},
		Invoice: func(subject string, inv record.Invoice) {
			out = append(out, fmt.Sprintf("i %s %s %s %d", subject, inv.Category, inv.Date.Format(time.DateOnly), inv.AmountSEK))
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// decodedMarket lists the same from every subject's records as of at.
func decodedMarket(t *testing.T, s *Store, subjects []string, at time.Time) []string {
	t.Helper()
	var out []string
	for _, subject := range subjects {
		recs, err := s.Subject(subject, ScanOptions{At: at})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if r.Current == nil {
				continue
			}
			switch r.ID.Source {
			case record.Contracts:
				var c record.Contract
				if err := json.Unmarshal(r.Current.Parsed, &c); err != nil {
					t.Fatal(err)
				}
				out = append(out, fmt.Sprintf("c %s %s %s %s %d", subject, c.Category, c.Start.Format(time.DateOnly), c.End.Format(time.DateOnly), c.DailyPrice))
			case record.Invoices:
				var inv record.Invoice
				if err := json.Unmarshal(r.Current.Parsed, &inv); err != nil {
					t.Fatal(err)
				}
				out = append(out, fmt.Sprintf("i %s %s %s %d", subject, inv.Category, inv.Date.Format(time.DateOnly), inv.AmountSEK))
			}
		}
	}
	slices.Sort(out)
	return out
}

// The market index gives, as of any time, exactly the contracts and
// invoices a decode of every subject gives: through new versions, content
// that comes back, late imports of older files, source errors, and an
// observation replacing another of the same time; and so again when it is
// rebuilt for a store written without it.
func TestMarketIndexAgreesWithTheRecords(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{Small: true})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	rng := rand.New(rand.NewPCG(14, 3))
	subjects := []string{"5591234561", "5560000001", "5560000002"}
	cats := []string{"hvb_barn", "hvb_vuxna", "", "ovrigt"}
	base := day("2026-01-01")
	item := func() record.Item {
		subject := subjects[rng.IntN(len(subjects))]
		key := fmt.Sprintf("K%d", rng.IntN(3))
		it := record.Item{Subject: subject, Key: key, Pos: "t:1"}
		if rng.IntN(2) == 0 {
			it.Source = record.Contracts
			c := record.Contract{ID: key, Orgnr: subject, Category: cats[rng.IntN(len(cats))], Start: base.AddDate(0, rng.IntN(4), 0).Truncate(24 * time.Hour),
				DailyPrice: int64(rng.IntN(3) * 1000)}
			if rng.IntN(3) > 0 {
				c.End = c.Start.AddDate(0, 1+rng.IntN(6), 0)
			}
			it.Parsed = c
		} else {
			it.Source = record.Invoices
			it.Parsed = record.Invoice{ID: key, Orgnr: subject, Category: cats[rng.IntN(len(cats))], Date: base.AddDate(0, 0, rng.IntN(200)).Truncate(24 * time.Hour),
				AmountSEK: int64(rng.IntN(3) * 500)}
		}
		if rng.IntN(8) == 0 {
			it.SourceError = "TIMEOUT"
		}
		return it
	}
	times := func() []time.Time {
		var out []time.Time
		for d := -1; d <= 200; d += 7 {
			out = append(out, base.AddDate(0, 0, d))
		}
		return out
	}()
	compare := func(when string) {
		t.Helper()
		for _, at := range times {
			got, want := marketOf(t, s, at), decodedMarket(t, s, subjects, at)
			if !slices.Equal(got, want) {
				t.Fatalf("%s, as of %s:\nindex   %q\nrecords %q", when, at.Format(time.DateOnly), got, want)
			}
			// The book held in memory, kept current through the writes,
			// agrees: for every category, and for each one alone.
			if got := bookOf(t, s, at, cats); !slices.Equal(got, want) {
				t.Fatalf("%s, as of %s:\nbook    %q\nrecords %q", when, at.Format(time.DateOnly), got, want)
			}
			for _, cat := range cats {
				wantCat := slices.DeleteFunc(slices.Clone(want), func(l string) bool { return strings.Split(l, " ")[2] != cat })
				if got := bookOf(t, s, at, []string{cat, cat}); !slices.Equal(got, wantCat) {
					t.Fatalf("%s, as of %s, category %q:\nbook    %q\nrecords %q", when, at.Format(time.DateOnly), cat, got, wantCat)
				}
			}
		}
	}
	for i := 0; i < 300; i++ {
		if _, err := s.Put([]Observation{{Item: item(), Observed: observationTime(rng, base, i)}}); err != nil {
			t.Fatal(err)
		}
		if i%25 == 0 {
			compare(fmt.Sprintf("after %d observations", i+1))
		}
	}
	compare("after every observation")

	// A store written before the index: it is built when opened.
	s = reopenWithout(t, s, dir, 'm', func(s *Store) {
		if err := s.Market(base, MarketFacts{}); err != ErrNoMarketIndex {
			t.Errorf("read-only store without the index: Market says %v, want ErrNoMarketIndex", err)
		}
	})
	compare("rebuilt when opened")
}

// reopenWithout removes the keys of an index (every key beginning with
// kind, its mark included), as a store written before the index has
// none; passes the store opened read-only to readOnly, then opens it for
// writing, which builds the index, and returns it.
func reopenWithout(t *testing.T, s *Store, dir string, kind byte, readOnly func(*Store)) *Store {
	t.Helper()
	if err := s.db.Update(func(txn *badger.Txn) error { return deletePrefix(txn, []byte{kind}) }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err := Open(dir, Options{Small: true, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	readOnly(s)
	s.Close()
	if s, err = Open(dir, Options{Small: true}); err != nil {
		t.Fatal(err)
	}
	return s
}

// observationTime is the time of a test's i-th observation from base:
// mostly forward in time, sometimes a late import or one at the very time
// of an earlier observation.
func observationTime(rng *rand.Rand, base time.Time, i int) time.Time {
	switch rng.IntN(6) {
	case 0:
		return base.AddDate(0, 0, rng.IntN(i/2+1))
	case 1:
		return base.AddDate(0, 0, rng.IntN(i/2+1)).Add(time.Duration(rng.IntN(2)) * time.Hour)
	}
	return base.AddDate(0, 0, i/2)
}

// The market generation changes with contracts and invoices only.
func TestMarketGeneration(t *testing.T) {
	s := openTest(t)
	gen := s.MarketGeneration()
	put(t, s, company("Storgatan 12"), day("2026-01-10"))
	if s.MarketGeneration() != gen {
		t.Error("a registry record changed the market generation")
	}
	put(t, s, record.Item{Source: record.Invoices, Subject: "5591234561", Key: "F1", Parsed: record.Invoice{ID: "F1", Category: "hvb_barn", AmountSEK: 10}}, day("2026-01-10"))
	if s.MarketGeneration() == gen {
		t.Error("an invoice did not change the market generation")
	}
}
