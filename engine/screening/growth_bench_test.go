package screening_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/rules"
	defaultpack "github.com/vaksam/vaksam/rules/default"
)

// dirSize is the size of a closed store's files.
func dirSize(b *testing.B, dir string) int64 {
	b.Helper()
	n, err := store.Size(dir)
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkStoreGrowth measures how much a whole-store screening that
// saves grows the store when nothing changed since the one before: the
// store is closed (its memory tables written) before each measure. It
// reports the first screening's growth and the second's, each in MB per
// 100 000 organisations (-bench.orgs sets the store's size).
func BenchmarkStoreGrowth(b *testing.B) {
	st, at := populationStore(b, *benchOrgs)
	dir := st.DB().Opts().Dir
	st.Close() // reopened for each screening
	set, _ := defaultpack.Load(rules.Overrides{})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// screenSaved screens and saves as of at, returning how many
		// organisations it screened and how many events it published.
		screenSaved := func(at time.Time) (int, int) {
			b.Helper()
			st, err := store.Open(dir, store.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			desk := &review.Desk{Store: st}
			sc, err := screening.NewScreener(st, func() *rules.Set { return set }, screening.DefaultConfig(), desk.OnSave)
			if err != nil {
				b.Fatal(err)
			}
			depth := st.OutboxDepth()
			stats, err := sc.ScreenAll(context.Background(), screening.Options{At: at, Save: true}, 0, func(*screening.Assessment) error { return nil })
			if err != nil {
				b.Fatal(err)
			}
			return stats.Screened, st.OutboxDepth() - depth
		}
		base := dirSize(b, dir)
		// at is the end of a day: both screenings are of that day, six
		// hours apart as serve's schedule, so that nothing changes.
		t0 := at.Add(-18 * time.Hour).Add(time.Duration(i) * time.Minute)
		orgs, _ := screenSaved(t0)
		first := dirSize(b, dir)
		_, changed := screenSaved(t0.Add(6 * time.Hour))
		second := dirSize(b, dir)
		if testing.Verbose() {
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				info, _ := e.Info()
				b.Logf("%s %d", e.Name(), info.Size())
			}
		}
		per100k := func(n int64) float64 { return float64(n) / 1e6 * 100_000 / float64(orgs) }
		b.ReportMetric(float64(orgs), "orgs")
		b.ReportMetric(float64(base)/1e6, "store-MB")
		b.ReportMetric(per100k(first-base), "first-MB/100k")
		b.ReportMetric(per100k(second-first), "unchanged-MB/100k")
		b.ReportMetric(float64(changed), "changed-events")
	}
}
