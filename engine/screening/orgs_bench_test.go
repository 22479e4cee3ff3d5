package screening_test

import (
	"context"
	"flag"
	"testing"

	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/rules"
	defaultpack "github.com/vaksam/vaksam/rules/default"
)

var benchWatched = flag.Int("bench.watched", 2_000, "watched organisations screened by BenchmarkScreenWatched (at most those the store has)")

// BenchmarkScreenWatched is serve's scheduled screening under
// serve.screen_scope watched: bench.watched of the store's watched
// organisations screened with the network read from the indexes of the
// whole store of bench.orgs (assessments not stored), beside
// BenchmarkScreenAll on the same store.
func BenchmarkScreenWatched(b *testing.B) {
	st, at := populationStore(b, *benchOrgs)
	set, _ := defaultpack.Load(rules.Overrides{})
	sc := &screening.Screener{Store: st, Rules: func() *rules.Set { return set }, Config: screening.DefaultConfig()}
	watched, err := screening.Watched(st, at, 90)
	if err != nil {
		b.Fatal(err)
	}
	if len(watched) > *benchWatched {
		// Spread over the store, not its first numbers.
		step := len(watched) / *benchWatched
		picked := watched[:0:0]
		for i := 0; i < len(watched) && len(picked) < *benchWatched; i += step {
			picked = append(picked, watched[i])
		}
		watched = picked
	}
	b.ResetTimer()
	var stats screening.Stats
	for i := 0; i < b.N; i++ {
		stats, err = sc.ScreenOrgs(context.Background(), watched, screening.Options{At: at}, 0, func(*screening.Assessment) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(stats.Screened), "orgs")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(stats.Screened), "ns/org")
}
