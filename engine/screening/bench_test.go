package screening_test

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/synthetic"
	"github.com/vaksam/vaksam/rules"
	defaultpack "github.com/vaksam/vaksam/rules/default"
)

var (
	benchOrgs  = flag.Int("bench.orgs", 100_000, "organisations in the end-to-end benchmark's store")
	benchStore = flag.String("bench.dir", "", "keep the benchmark's generated store here and reuse it across runs")
)

// sampleStore is a store holding every sample, and the time to screen at.
func sampleStore(b *testing.B) (*fixture, time.Time) {
	b.Helper()
	f := newFixture(b)
	f.ingestSamples(b, mustInstant("2026-11-20"))
	return f, mustInstant("2026-11-21")
}

// decodeSample reads and decodes the sample supplier as of at.
func decodeSample(b *testing.B, f *fixture, at time.Time) *profile.Subject {
	recs, err := f.st.Subject("5591234561", store.ScanOptions{At: at, History: profile.HistorySources})
	if err != nil {
		b.Fatal(err)
	}
	sub, err := profile.Decode("5591234561", recs)
	if err != nil {
		b.Fatal(err)
	}
	return sub
}

func mustInstant(s string) time.Time {
	t, err := record.ParseInstant(s)
	if err != nil {
		panic(err)
	}
	return t
}

// BenchmarkEvaluate is the rule pack on one profile (the sample supplier,
// eight hits rendered).
func BenchmarkEvaluate(b *testing.B) {
	f, at := sampleStore(b)
	net := profile.NewStoreNetwork(f.st, at, profile.Config{})
	p := profile.Build(decodeSample(b, f, at), net, at)
	set, _ := defaultpack.Load(rules.Overrides{})
	ev := set.NewEvaluator()
	all := func(string) rules.Usability { return rules.Usable }
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ev.Eval(p, at, all); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildProfile reads, decodes and builds the sample supplier's
// profile from the store (network from the indexes, cached after the first).
func BenchmarkBuildProfile(b *testing.B) {
	f, at := sampleStore(b)
	net := profile.NewStoreNetwork(f.st, at, profile.Config{})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		profile.Build(decodeSample(b, f, at), net, at)
	}
}

// populationStore generates and ingests a synthetic population once.
func populationStore(b *testing.B, orgs int) (*store.Store, time.Time) {
	b.Helper()
	now := mustInstant("2026-11-21")
	dir := *benchStore
	if dir == "" {
		dir = filepath.Join(os.TempDir(), fmt.Sprintf("vaksam-bench-%d", orgs))
		b.Cleanup(func() { os.RemoveAll(dir) })
	}
	ready := filepath.Join(dir, "ready")
	if _, err := os.Stat(ready); err == nil {
		st, err := store.Open(filepath.Join(dir, "store"), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		return st, now
	}
	os.RemoveAll(dir)
	start := time.Now()
	man, err := synthetic.Generate(filepath.Join(dir, "files"), synthetic.Config{Seed: 1, Orgs: orgs, Now: now})
	if err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(filepath.Join(dir, "store"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	persons, _ := record.NewHMACPseudonymizer([]byte("benchmark: not a deployment secret"))
	total, err := man.Ingest(context.Background(), &ingest.Ingester{Store: st, BatchSize: 2048}, filepath.Join(dir, "files"), persons)
	if err != nil {
		b.Fatal(err)
	}
	os.RemoveAll(filepath.Join(dir, "files"))
	os.WriteFile(ready, nil, 0o644)
	b.Logf("generated and ingested %d organisations (%d records) in %s", orgs, total.Records(), time.Since(start).Round(time.Millisecond))
	return st, now
}

// peakMemory reports, when the benchmark ends, the highest Go heap it saw
// (sampled every 10 ms) as peak-heap-MB, the process's resident set
// high-water mark (the kernel's VmHWM, reset when it starts) as
// peak-rss-MB, the highest resident memory that is not a mapped file
// (RssAnon, sampled with the heap) as peak-anon-MB, and the processor
// time the process used per iteration (user and system, every
// goroutine's: steadier than wall time on a shared machine) as cpu-s.
// Run one benchmark per process for a clean RSS figure.
func peakMemory(b *testing.B) {
	b.Helper()
	debug.FreeOSMemory()
	cpu0 := processorTime()
	// Writing 5 to clear_refs resets VmHWM to the current resident set.
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	var peak, anon atomic.Uint64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			metrics.Read(sample)
			peak.Store(max(peak.Load(), sample[0].Value.Uint64()))
			anon.Store(max(anon.Load(), procStatus("RssAnon:")))
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	b.Cleanup(func() {
		close(stop)
		<-done
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
		b.ReportMetric(float64(procStatus("VmHWM:"))/(1<<20), "peak-rss-MB")
		b.ReportMetric(float64(anon.Load())/(1<<20), "peak-anon-MB")
		b.ReportMetric((processorTime()-cpu0).Seconds()/float64(b.N), "cpu-s")
	})
}

// processorTime is the user and system time the process has used.
func processorTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procStatus is a size field of /proc/self/status in bytes: VmHWM: the
// resident set's high-water mark, RssAnon: the resident memory that is
// not a mapped file (Badger's tables and value log are; the kernel can
// drop their pages).
func procStatus(field string) uint64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		if v, ok := bytes.CutPrefix(sc.Bytes(), []byte(field)); ok {
			kb, _ := strconv.ParseUint(string(bytes.TrimSpace(bytes.TrimSuffix(v, []byte("kB")))), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkScanDecode is the baseline: one ordered scan of the whole store
// decoding every subject as of a time and dropping it, nothing else.
func BenchmarkScanDecode(b *testing.B) {
	st, at := populationStore(b, *benchOrgs)
	peakMemory(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n, err := screening.DecodeSubjects(context.Background(), st, at, runtime.GOMAXPROCS(0))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "subjects")
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(*benchOrgs), "ns/org")
}

// BenchmarkScreenAll screens every organisation of the store end to end:
// scan, decode, network, profiles, rules, scoring (assessments not stored).
func BenchmarkScreenAll(b *testing.B) {
	st, at := populationStore(b, *benchOrgs)
	set, _ := defaultpack.Load(rules.Overrides{})
	sc := &screening.Screener{Store: st, Rules: func() *rules.Set { return set }, Config: screening.DefaultConfig()}
	peakMemory(b)
	b.ResetTimer()
	var stats screening.Stats
	for i := 0; i < b.N; i++ {
		var err error
		stats, err = sc.ScreenAll(context.Background(), screening.Options{At: at}, 0, func(*screening.Assessment) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(stats.Screened), "orgs")
	b.ReportMetric(stats.ScanDecode.Seconds(), "scan-s")
	if stats.Indexed {
		b.ReportMetric(1, "indexed")
	}
	b.ReportMetric(stats.Evaluate.Seconds(), "eval-s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(stats.Screened), "ns/org")
}

// BenchmarkScreenAllSaved screens the whole store and saves every
// assessment with its events (the outbox) and alerts, as serve does. The
// first iteration publishes every organisation's first result; later ones,
// an hour apart, find the results unchanged.
func BenchmarkScreenAllSaved(b *testing.B) {
	st, at := populationStore(b, *benchOrgs)
	set, _ := defaultpack.Load(rules.Overrides{})
	desk := &review.Desk{Store: st}
	sc, err := screening.NewScreener(st, func() *rules.Set { return set }, screening.DefaultConfig(), desk.OnSave)
	if err != nil {
		b.Fatal(err)
	}
	depth := st.OutboxDepth()
	b.ResetTimer()
	var stats screening.Stats
	for i := 0; i < b.N; i++ {
		var err error
		stats, err = sc.ScreenAll(context.Background(), screening.Options{At: at.Add(time.Duration(i) * time.Hour), Save: true}, 0,
			func(*screening.Assessment) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(stats.Screened), "orgs")
	b.ReportMetric(float64(st.OutboxDepth()-depth), "events")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(stats.Screened), "ns/org")
}

// BenchmarkIndexedPopulation builds the whole store's Population from the
// network and market indexes: what a whole-store screening does before its
// one scan.
func BenchmarkIndexedPopulation(b *testing.B) {
	st, at := populationStore(b, *benchOrgs)
	peakMemory(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		before := liveHeap()
		pop, persons, ok, err := profile.IndexedPopulation(st, at, screening.DefaultConfig().Profile)
		if err != nil || !ok {
			b.Fatalf("ok %v, %v", ok, err)
		}
		b.ReportMetric(float64(persons), "persons")
		// What the Population keeps: the live heap after a collection,
		// with it, less the live heap before it was built.
		after := liveHeap()
		b.ReportMetric(float64(after-min(before, after))/(1<<20), "live-pop-MB")
		runtime.KeepAlive(pop)
	}
}

// liveHeap is the Go heap's live objects after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
