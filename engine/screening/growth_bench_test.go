package screening_test

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
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
			st, sc := openSaving(b, dir, set)
			defer st.Close()
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

var benchSavedDir = flag.String("bench.saved", "", "a `vaksam bench` directory (its store never screened) that BenchmarkServeSaved and BenchmarkSaveAssessments copy and screen")

// benchSaved is -bench.saved's population time, and a function that
// copies its store to a new directory (the timer stopped) and returns it.
func benchSaved(b *testing.B) (time.Time, func() string) {
	b.Helper()
	if *benchSavedDir == "" {
		b.Skip("-bench.saved names a `vaksam bench` directory")
	}
	var pop struct {
		At time.Time `json:"at"`
	}
	raw, err := os.ReadFile(filepath.Join(*benchSavedDir, "bench-population.json"))
	if err != nil {
		b.Fatal(err)
	}
	if err := json.Unmarshal(raw, &pop); err != nil {
		b.Fatal(err)
	}
	return pop.At, func() string {
		b.Helper()
		b.StopTimer()
		defer b.StartTimer()
		dir := filepath.Join(b.TempDir(), "store")
		if out, err := exec.Command("cp", "-a", filepath.Join(*benchSavedDir, "store"), dir).CombinedOutput(); err != nil {
			b.Fatalf("copy the store: %v: %s", err, out)
		}
		return dir
	}
}

// openSaving opens the store in dir with a Screener that saves through
// the review desk, as serve's.
func openSaving(b *testing.B, dir string, set *rules.Set) (*store.Store, *screening.Screener) {
	b.Helper()
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	desk := &review.Desk{Store: st}
	sc, err := screening.NewScreener(st, func() *rules.Set { return set }, screening.DefaultConfig(), desk.OnSave)
	if err != nil {
		st.Close()
		b.Fatal(err)
	}
	return st, sc
}

// timed adds fn's wall and processor time to wall and cpu.
func timed(b *testing.B, wall, cpu *time.Duration, fn func() error) {
	b.Helper()
	start, cpu0 := time.Now(), processorTime()
	if err := fn(); err != nil {
		b.Fatal(err)
	}
	*wall += time.Since(start)
	*cpu += processorTime() - cpu0
}

// BenchmarkServeSaved is serve's screening with saving, as `vaksam bench`
// measures it, without the rest of the bench: in each iteration a copy of
// the bench directory's store (-bench.saved, left as it is) is screened
// with saving through the review desk twice, six hours apart on the
// population's day (the first publishes every organisation's first
// result, the second finds every result unchanged), each on the store
// opened for it. It reports each screening's wall and processor time
// (first-s, first-cpu-s, unchanged-s, unchanged-cpu-s), and, measured
// before them on the same store, the bare scan and decode (scan-s,
// scan-cpu-s) and the same screening without saving (nosave-s,
// nosave-cpu-s).
func BenchmarkServeSaved(b *testing.B) {
	popAt, fresh := benchSaved(b)
	set, _ := defaultpack.Load(rules.Overrides{})
	ctx := context.Background()
	var scan, scanCPU, nosave, nosaveCPU, first, firstCPU, again, againCPU time.Duration
	for i := 0; i < b.N; i++ {
		dir := fresh()
		screen := func(run string, at time.Time, wall, cpu *time.Duration, scanFirst bool) {
			st, sc := openSaving(b, dir, set)
			defer st.Close()
			if scanFirst {
				timed(b, &scan, &scanCPU, func() error {
					_, err := screening.DecodeSubjects(ctx, st, popAt, runtime.GOMAXPROCS(0))
					return err
				})
				bare := &screening.Screener{Store: st, Rules: func() *rules.Set { return set }, Config: screening.DefaultConfig()}
				timed(b, &nosave, &nosaveCPU, func() error {
					_, err := bare.ScreenAll(ctx, screening.Options{At: at}, 0, func(*screening.Assessment) error { return nil })
					return err
				})
			}
			// Labelled for -cpuprofile: pprof -tagfocus run=first (or
			// unchanged) shows one screening's goroutines.
			pprof.Do(ctx, pprof.Labels("run", run), func(ctx context.Context) {
				timed(b, wall, cpu, func() error {
					_, err := sc.ScreenAll(ctx, screening.Options{At: at, Save: true, Trigger: screening.TriggerSchedule}, 0,
						func(*screening.Assessment) error { return nil })
					return err
				})
			})
		}
		screen("first", popAt.Add(-18*time.Hour), &first, &firstCPU, true)
		screen("unchanged", popAt.Add(-12*time.Hour), &again, &againCPU, false)
	}
	n := float64(b.N)
	b.ReportMetric(scan.Seconds()/n, "scan-s")
	b.ReportMetric(scanCPU.Seconds()/n, "scan-cpu-s")
	b.ReportMetric(nosave.Seconds()/n, "nosave-s")
	b.ReportMetric(nosaveCPU.Seconds()/n, "nosave-cpu-s")
	b.ReportMetric(first.Seconds()/n, "first-s")
	b.ReportMetric(firstCPU.Seconds()/n, "first-cpu-s")
	b.ReportMetric(again.Seconds()/n, "unchanged-s")
	b.ReportMetric(againCPU.Seconds()/n, "unchanged-cpu-s")
}

// BenchmarkSaveAssessments is the saving alone: the assessments of a
// whole-store screening of a copy of the bench directory's store
// (-bench.saved), made once and held, are saved as serve saves them (in
// batches, through the review desk) as the first results, then again six
// hours later, every one unchanged. It reports each saving's processor
// time (first-cpu-s, unchanged-cpu-s) and wall time per organisation
// (first-µs/org, unchanged-µs/org).
func BenchmarkSaveAssessments(b *testing.B) {
	popAt, fresh := benchSaved(b)
	set, _ := defaultpack.Load(rules.Overrides{})
	var first, firstCPU, again, againCPU time.Duration
	var n int
	for i := 0; i < b.N; i++ {
		st, sc := openSaving(b, fresh(), set)
		b.StopTimer()
		var as []*screening.Assessment
		if _, err := sc.ScreenAll(context.Background(), screening.Options{At: popAt.Add(-18 * time.Hour)}, 0, func(a *screening.Assessment) error {
			as = append(as, a)
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		n = len(as)
		b.StartTimer()
		timed(b, &first, &firstCPU, func() error { return sc.SaveAll(as) })
		for _, a := range as {
			a.At = a.At.Add(6 * time.Hour)
		}
		timed(b, &again, &againCPU, func() error { return sc.SaveAll(as) })
		b.StopTimer()
		if err := st.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	per := float64(b.N)
	b.ReportMetric(firstCPU.Seconds()/per, "first-cpu-s")
	b.ReportMetric(againCPU.Seconds()/per, "unchanged-cpu-s")
	b.ReportMetric(float64(first.Microseconds())/per/float64(n), "first-µs/org")
	b.ReportMetric(float64(again.Microseconds())/per/float64(n), "unchanged-µs/org")
}
