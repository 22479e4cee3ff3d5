package bus

import (
	"context"
	"flag"
	"fmt"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
)

var preAwardOrgs = flag.Int("bench.preaward.orgs", 20_000, "organisations in BenchmarkPreAwardFirstCheck's store")

// BenchmarkPreAwardFirstCheck is the pre-award check (called in process,
// as the HTTP API calls it, and recorded in the store) of a clean supplier
// with contracts, on a synthetic store of -bench.preaward.orgs
// organisations: warm (the same check again), and the first check after
// what used to make the market statistics be computed again from every
// supplier's records: an invoice written, a registry record written (a
// pre-award refresh), a new day. Each reports its p50 and p99 and, but
// for warm, its p50 over warm's ("p50-ratio"):
//
//	go test -run '^$' -bench PreAwardFirstCheck -benchtime 20x ./engine/bus/ -bench.preaward.orgs 100000
//
// Only the check is timed, not the write before it.
func BenchmarkPreAwardFirstCheck(b *testing.B) {
	st, err := store.Open(b.TempDir(), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	pop := populate(b, st, *preAwardOrgs)
	clk := newShiftedClock(testNow)
	ss := &ScreenService{Screener: pop.sc, Signer: testSigner, Now: clk.Now, Version: "1.0.0"}
	if len(pop.manifest.Clean) < 2 {
		b.Fatal("fewer than two clean suppliers")
	}
	req := event.ScreenRequest{Orgnr: pop.manifest.Clean[0], Purpose: "award", Category: "hvb_barn", ValueSEK: 1_200_000, Timeout: "30s"}
	other := pop.manifest.Clean[1]
	check := func(int) error {
		_, err := ss.Check(context.Background(), req)
		return err
	}
	put := func(it record.Item) error {
		_, err := st.Put([]store.Observation{{Item: it, Observed: clk.Now()}})
		return err
	}
	var warm Latency
	b.Run("warm", func(b *testing.B) { warm = benchLatencies(b, check) })
	first := func(name string, before func(i int) error) {
		b.Run(name, func(b *testing.B) {
			l := benchFirstLatencies(b, before, check)
			if warm.P50 > 0 {
				b.ReportMetric(float64(l.P50)/float64(warm.P50), "p50-ratio")
			}
		})
	}
	first("after-invoice", func(i int) error {
		d := clk.Now().UTC().Truncate(24 * time.Hour)
		id := fmt.Sprintf("BENCH-%d-%d", time.Now().UnixNano(), i)
		return put(record.Item{Source: record.Invoices, Subject: other, Key: id, Pos: "bench:1",
			Parsed: record.Invoice{ID: id, Orgnr: other, Category: "hvb_barn", Date: d, AmountSEK: 1000}})
	})
	first("after-registry-record", func(i int) error {
		return put(record.Item{Source: record.Kronofogden, Subject: other, Pos: "bench:1",
			Parsed: record.Enforcement{AsOf: clk.Now().UTC().Truncate(time.Second), PaymentOrders12m: i % 2}})
	})
	first("new-day", func(int) error {
		clk.Advance(24 * time.Hour)
		return nil
	})
}

// benchFirstLatencies runs before (untimed, unless nil) and then do
// (timed) b.N times, and reports do's median and 99th percentile latency.
func benchFirstLatencies(b *testing.B, before, do func(i int) error) Latency {
	b.Helper()
	if before != nil {
		untimed := before
		before = func(i int) error {
			b.StopTimer()
			defer b.StartTimer()
			return untimed(i)
		}
	}
	b.ResetTimer()
	lat, err := Timed(b.N, before, do)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	l := Latencies(lat)
	b.ReportMetric(float64(l.P50)/float64(time.Microsecond), "p50-µs")
	b.ReportMetric(float64(l.P99)/float64(time.Microsecond), "p99-µs")
	return l
}
