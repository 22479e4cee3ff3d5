package store

import (
	"fmt"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/record"
)

// TestPutReadsHeadsInKeyOrder stores batches in key order, as a sorted
// bulk file comes, over records of another source that lie between the
// heads (more keys than the head reader walks over, so it seeks) and over
// none (it walks), with records that appear twice in one batch (read back
// from the transaction's own writes) and a batch out of order: every
// outcome is what a point read of each head gives.
func TestPutReadsHeadsInKeyOrder(t *testing.T) {
	s := openTest(t)
	subject := func(i int) string { return fmt.Sprintf("55%08d", i) }
	bulk := func(i int, content string) Observation {
		return Observation{Item: record.Item{Source: record.BolagsverketBulk, Subject: subject(i), Key: "1",
			Raw: []byte(content), Parsed: map[string]string{"c": content}, Pos: fmt.Sprintf("bulk.txt:%d", i+2)}}
	}
	// Every third subject, and every one from 20 to 29 (more than
	// headMisses in a row), has another source's record with many
	// observations before its bulk record.
	for d := 0; d < 2*headWalk; d++ {
		var obs []Observation
		for i := 0; i < 40; i++ {
			if i%3 != 0 && (i < 20 || i >= 30) {
				continue
			}
			obs = append(obs, Observation{Item: record.Item{Source: record.Bolagsverket, Subject: subject(i), Raw: []byte("x"),
				Parsed: map[string]int{"day": d}, Pos: "f.json:1"}, Observed: day("2026-01-01").AddDate(0, 0, d)})
		}
		if _, err := s.Put(obs); err != nil {
			t.Fatal(err)
		}
	}
	check := func(name string, obs []Observation, want []Outcome) {
		t.Helper()
		got, err := s.Put(obs)
		if err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s: %s (%s): %v, want %v", name, obs[i].Item.Subject, obs[i].Item.Raw, got[i], want[i])
			}
		}
	}

	var obs []Observation
	var want []Outcome
	for i := 0; i < 40; i++ {
		obs, want = append(obs, bulk(i, "a")), append(want, NewVersion)
	}
	// Twice in the batch: the same content, then a change.
	obs, want = append(obs, bulk(5, "a"), bulk(7, "b"), bulk(7, "b")), append(want, Unchanged, NewVersion, Unchanged)
	for i := range obs {
		obs[i].Observed = day("2026-03-01")
	}
	check("first import", obs, want)

	// A week later: in key order, some rows gone, a new one at the end,
	// some changed (7 back to "a").
	obs, want = obs[:0], want[:0]
	for i := 0; i < 41; i++ {
		switch {
		case i%4 == 1:
			continue
		case i == 40:
			obs, want = append(obs, bulk(i, "a")), append(want, NewVersion)
		case i == 7 || i == 12 || i == 30:
			obs, want = append(obs, bulk(i, "a2")), append(want, NewVersion)
		default:
			obs, want = append(obs, bulk(i, "a")), append(want, Unchanged)
		}
	}
	for i := range obs {
		obs[i].Observed = day("2026-03-08")
	}
	check("re-import in key order", obs, want)

	// Out of key order: each head is read with a point read.
	obs, want = obs[:0], want[:0]
	for _, i := range []int{30, 2, 12, 41, 0, 40, 7} {
		o, w := bulk(i, "a2"), NewVersion
		if i == 30 || i == 12 || i == 7 {
			w = Unchanged
		}
		o.Observed = day("2026-03-15")
		obs, want = append(obs, o), append(want, w)
	}
	check("re-import out of order", obs, want)

	recs, err := s.Subject(subject(7), ScanOptions{At: day("2026-03-20"), History: map[string]bool{record.BolagsverketBulk: true}})
	if err != nil || len(recs) != 1 {
		t.Fatalf("subject 7: %d records, %v", len(recs), err)
	}
	// b (which replaced a's observation of the same time), then a2 as
	// version 3.
	if r := recs[0]; len(r.History) != 2 || r.Current.N != 3 || string(r.Current.Parsed) != `{"c":"a2"}` || string(r.History[0].Parsed) != `{"c":"b"}` {
		t.Errorf("subject 7: %d versions, current %d %s; want b, then a2 as version 3", len(r.History), r.Current.N, r.Current.Parsed)
	}
}

// BenchmarkPutSorted stores, in key order and in batches of 512, a bulk
// record of each of 20 000 subjects that also have another source's
// record with 60 observations (a year of weekly fetches) lying between two
// heads: the import of a sorted bulk file into a store that has run for a
// while, of new records ("new") and of the same records again ("again",
// the weekly case).
func BenchmarkPutSorted(b *testing.B) {
	const subjects, weeks = 20_000, 60
	s, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	putAll := func(source, key string, at time.Time) {
		obs := make([]Observation, 0, 512)
		for i := 0; i < subjects; i++ {
			it := record.Item{Source: source, Subject: fmt.Sprintf("55%08d", i), Key: key, Raw: []byte("row"), Parsed: map[string]int{"i": i}, Pos: "bulk.txt:1"}
			obs = append(obs, Observation{Item: it, Observed: at})
			if len(obs) == cap(obs) || i == subjects-1 {
				if _, err := s.Put(obs); err != nil {
					b.Fatal(err)
				}
				obs = obs[:0]
			}
		}
	}
	// scb-bulk sorts after bolagsverket-bulk: its records lie between two
	// subjects' bulk heads.
	for w := 0; w < weeks; w++ {
		putAll(record.SCBBulk, "1", day("2025-01-01").AddDate(0, 0, 7*w))
	}
	b.Run("new", func(b *testing.B) {
		for n := 0; n < b.N; n++ {
			putAll(record.BolagsverketBulk, fmt.Sprint(n), day("2026-03-01"))
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/subjects, "ns/row")
	})
	b.Run("again", func(b *testing.B) {
		for n := 0; n < b.N; n++ {
			putAll(record.BolagsverketBulk, "0", day("2026-03-02").Add(time.Duration(n)*time.Minute))
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/subjects, "ns/row")
	})
}
