package bulkfile

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/vaksam/vaksam/connectors/formats"
	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/record"
)

// BenchmarkImport measures Import of a bulk file in the real format
// (writeBulk) over HTTP into a real store, against its floor measured in
// the same run: the same fetch, unzip and parse with the records dropped.
// Each iteration runs the floor, a first import into an empty store and a
// second import of a new version with the same rows (the weekly case:
// nearly every row unchanged). It reports the ratios import ÷ floor, in
// time on the wall and in processor time, the peak heap in use and
// resident set (VmHWM) of each import, and the store's size on disk.
//
// Sizes are 50 000 and 200 000 rows, or BULKFILE_BENCH_ROWS
// (comma-separated), e.g.
//
//	go test ./connectors/bulkfile -run '^$' -bench Import -benchtime 1x
func BenchmarkImport(b *testing.B) {
	sizes := []int{50_000, 200_000}
	if v := os.Getenv("BULKFILE_BENCH_ROWS"); v != "" {
		sizes = sizes[:0]
		for _, s := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || n <= 0 {
				b.Fatalf("BULKFILE_BENCH_ROWS: %q", s)
			}
			sizes = append(sizes, n)
		}
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) { benchImport(b, n) })
	}
}

func benchImport(b *testing.B, n int) {
	zipPath := makeZip(b, b.TempDir(), n)
	srv := newFakeServer(b, zipPath, `"v1"`, time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC))
	parse, err := formats.Lookup(record.BolagsverketBulk)
	if err != nil {
		b.Fatal(err)
	}
	var floor, first, second time.Duration
	var floorCPU, firstCPU, secondCPU time.Duration
	var storeSize int64
	var firstMem, secondMem memPeak
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Floor: fetch, unzip, parse; records dropped.
		start, cpu := time.Now(), cpuTime()
		f := newFetcher(srv.URL, b.TempDir())
		bl, err := f.FetchBulk(context.Background(), "")
		if err != nil {
			b.Fatal(err)
		}
		var sink countSink
		err = parse(context.Background(), bl.Body, formats.Options{Name: bl.Name, Persons: persons(b)}, &sink)
		bl.Body.Close()
		if err != nil || sink.records != n-n/badEvery {
			b.Fatalf("floor: %d records, %v", sink.records, err)
		}
		floor += time.Since(start)
		floorCPU += cpuTime() - cpu

		work := b.TempDir()
		s := openStore(b, filepath.Join(work, "store"))
		in := &ingest.Ingester{Store: s}
		state := filepath.Join(work, "state.json")
		run := func(version string, at time.Time, wantNew int, mem *memPeak, cpuUsed *time.Duration) time.Duration {
			srv.mu.Lock()
			srv.etag = version
			srv.mu.Unlock()
			m := startPeak()
			start, cpu := time.Now(), cpuTime()
			res, err := Import(context.Background(), newFetcher(srv.URL, b.TempDir()), in, state, at, Options{Persons: persons(b)})
			d := time.Since(start)
			*cpuUsed += cpuTime() - cpu
			mem.max(m.end())
			if err != nil {
				b.Fatal(err)
			}
			if res.Counts.New != wantNew || res.Counts.Records() != n {
				b.Fatalf("import %s: %+v", version, res.Counts)
			}
			return d
		}
		first += run(`"v1"`, t1, n-n/badEvery, &firstMem, &firstCPU)
		storeSize += dirSize(b, filepath.Join(work, "store"))
		second += run(`"v2"`, t2, 0, &secondMem, &secondCPU)
		s.Close()
		os.RemoveAll(work)
	}
	b.StopTimer()
	b.ReportMetric(float64(floor.Milliseconds())/float64(b.N), "floor-ms")
	b.ReportMetric(float64(first.Milliseconds())/float64(b.N), "import-ms")
	b.ReportMetric(float64(second.Milliseconds())/float64(b.N), "reimport-ms")
	b.ReportMetric(first.Seconds()/floor.Seconds(), "import/floor")
	b.ReportMetric(second.Seconds()/floor.Seconds(), "reimport/floor")
	b.ReportMetric(firstCPU.Seconds()/floorCPU.Seconds(), "import/floor-cpu")
	b.ReportMetric(secondCPU.Seconds()/floorCPU.Seconds(), "reimport/floor-cpu")
	b.ReportMetric(float64(storeSize>>20)/float64(b.N), "store-MiB")
	b.ReportMetric(float64(firstMem.heap>>20), "import-heap-MiB")
	b.ReportMetric(float64(firstMem.rss>>20), "import-rss-MiB")
	b.ReportMetric(float64(firstMem.anon>>20), "import-anon-MiB")
	b.ReportMetric(float64(secondMem.heap>>20), "reimport-heap-MiB")
	b.ReportMetric(float64(secondMem.rss>>20), "reimport-rss-MiB")
	b.ReportMetric(float64(secondMem.anon>>20), "reimport-anon-MiB")
}

// cpuTime is the processor time the process has used, Badger's
// goroutines included: on a shared machine it varies less than the time
// on the wall.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// memPeak is a high-water mark of the heap in use, of the resident set,
// and of its anonymous part (the resident set less the pages of mapped
// files: Badger maps its tables and logs, and the kernel may drop those
// pages at will).
type memPeak struct{ heap, rss, anon uint64 }

func (m *memPeak) max(o memPeak) {
	m.heap = max(m.heap, o.heap)
	m.rss = max(m.rss, o.rss)
	m.anon = max(m.anon, o.anon)
}

// peakRun samples the heap and the anonymous resident set while it runs;
// the resident set's high-water mark is the kernel's (VmHWM), reset when
// it starts.
type peakRun struct {
	heap       *memSampler
	anon       atomic.Uint64
	stop, done chan struct{}
}

func startPeak() *peakRun {
	debug.FreeOSMemory()
	// Writing 5 to clear_refs resets VmHWM to the current resident set.
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	p := &peakRun{heap: sampleMemory(10 * time.Millisecond), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			// statm: size resident shared … in pages; shared are file pages.
			if b, err := os.ReadFile("/proc/self/statm"); err == nil {
				var size, res, shared uint64
				if _, err := fmt.Sscan(string(b), &size, &res, &shared); err == nil && res > shared {
					if a := (res - shared) * uint64(os.Getpagesize()); a > p.anon.Load() {
						p.anon.Store(a)
					}
				}
			}
			select {
			case <-p.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return p
}

func (p *peakRun) end() memPeak {
	p.heap.Stop()
	close(p.stop)
	<-p.done
	m := memPeak{heap: p.heap.peakHeap.Load(), anon: p.anon.Load()}
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				m.rss = kb << 10
			}
		}
	}
	runtime.GC()
	return m
}

// dirSize is the disk space the files under dir take (Badger's log files
// are sparse: their length is not what they hold).
func dirSize(b *testing.B, dir string) int64 {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			n += st.Blocks * 512
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}
