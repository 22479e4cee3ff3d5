package metrics

import (
	"fmt"
	"io"
	"net/http/httptest"
	"testing"

	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
)

// BenchmarkScrape measures one scrape of /metrics with the given number
// of open alerts in the store (they are read at every scrape).
func BenchmarkScrape(b *testing.B) {
	for _, n := range []int{100, 10000} {
		b.Run(fmt.Sprintf("alerts=%d", n), func(b *testing.B) {
			st, err := store.Open(b.TempDir(), store.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			desk := &review.Desk{Store: st}
			sc, err := screening.NewScreener(st, nil, screening.Config{}, desk.OnSave)
			if err != nil {
				b.Fatal(err)
			}
			for i := range n {
				a := &screening.Assessment{Orgnr: fmt.Sprintf("559%07d", i), Name: "AB", At: day(2), Step: screening.L2, Score: 35,
					Verdict: screening.Review, Ruleset: "default@1", Missing: []screening.Missing{}, NotChecked: []string{},
					Hits: []screening.Hit{{ID: "S03", Severity: "high", Category: "S", Confidence: 1}}}
				if err := sc.Save(a); err != nil {
					b.Fatal(err)
				}
			}
			m := New(Build{}, &State{Desk: desk, Outbox: func() (bus.OutboxStatus, error) { return bus.OutboxStatus{}, nil },
				NATS: func() (bool, uint64) { return true, 0 }})
			srv := httptest.NewServer(m.Handler())
			defer srv.Close()
			b.ResetTimer()
			for b.Loop() {
				resp, err := srv.Client().Get(srv.URL)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
}
