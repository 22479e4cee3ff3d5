package bulkfile

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/connectors/formats"
	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/record"
)

const bulkRows = 100_000

var (
	t1 = time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)
	t2 = time.Date(2026, 3, 9, 6, 0, 0, 0, time.UTC)
)

// rowsForTest is bulkRows, 10 000 with -short, 20 000 with -race, or
// BULKFILE_ROWS.
func rowsForTest(t *testing.T) int {
	if v, err := strconv.Atoi(os.Getenv("BULKFILE_ROWS")); err == nil && v > 0 {
		return v
	}
	if raceEnabled {
		return 20_000
	}
	if testing.Short() {
		return 10_000
	}
	return bulkRows
}

// memSampler records the peak heap in use while it runs.
type memSampler struct {
	stop     chan struct{}
	done     chan struct{}
	peakHeap atomic.Uint64
	peakSys  atomic.Uint64
}

func sampleMemory(every time.Duration) *memSampler {
	m := &memSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(m.done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > m.peakHeap.Load() {
				m.peakHeap.Store(ms.HeapInuse)
			}
			if ms.Sys > m.peakSys.Load() {
				m.peakSys.Store(ms.Sys)
			}
			select {
			case <-m.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return m
}

func (m *memSampler) Stop() { close(m.stop); <-m.done }

// TestImportLargeThenNotModified imports a 100 000-row bulk file over HTTP
// into a real store, reporting the peak heap, then fetches again: the
// server sees If-None-Match and If-Modified-Since, answers 304, and
// nothing is ingested.
func TestImportLargeThenNotModified(t *testing.T) {
	n := rowsForTest(t)
	zipPath := makeZip(t, t.TempDir(), n)
	zi, _ := os.Stat(zipPath)
	modified := time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC)
	srv := newFakeServer(t, zipPath, `"bulk-v1"`, modified)

	work := t.TempDir()
	s := openStore(t, filepath.Join(work, "store"))
	defer s.Close()
	in := &ingest.Ingester{Store: s}
	f := newFetcher(srv.URL+"/bolagsverket_bulkfil.zip", filepath.Join(work, "tmp"))
	os.MkdirAll(f.Dir, 0o755)
	statePath := filepath.Join(work, "state", "bulk.json")

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	mem := sampleMemory(20 * time.Millisecond)
	start := time.Now()
	res, err := Import(context.Background(), f, in, statePath, t1, Options{Persons: persons(t)})
	elapsed := time.Since(start)
	mem.Stop()
	if err != nil {
		t.Fatal(err)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	t.Logf("rows %d, zip %d bytes, import %v; heap in use before %d MiB, peak %d MiB; Sys peak %d MiB; TotalAlloc during import %d MiB",
		n, zi.Size(), elapsed.Round(time.Millisecond), before.HeapInuse>>20, mem.peakHeap.Load()>>20, mem.peakSys.Load()>>20, (after.TotalAlloc-before.TotalAlloc)>>20)

	bad := n / badEvery
	if res.Counts.New != n-bad || res.Counts.Quarantined != bad || res.Counts.Unchanged != 0 {
		t.Fatalf("counts %+v, want %d new and %d quarantined", res.Counts, n-bad, bad)
	}
	if res.Rows != int64(n+1) || res.Version != `"bulk-v1"` || !res.Observed.Equal(t1) || res.Resumed || res.NotModified {
		t.Fatalf("result %+v", res)
	}
	if left, _ := filepath.Glob(filepath.Join(f.Dir, "*")); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
	q, err := s.Quarantined(record.BolagsverketBulk)
	if err != nil || len(q) != bad {
		t.Fatalf("quarantined %d (%v), want %d", len(q), err, bad)
	}
	if len(q) > 0 && !strings.HasPrefix(q[0].Pos, "bolagsverket-bulkfil.txt:") {
		t.Fatalf("position %q", q[0].Pos)
	}
	st, err := LoadState(statePath)
	if err != nil || st.Version != `"bulk-v1"` || !st.Observed.Equal(t1) || st.Pending != nil || st.Validators.LastModified != modified.Format(http.TimeFormat) {
		t.Fatalf("state %+v, %v", st, err)
	}
	digest, keys := kvDigest(t, s)

	// Unchanged: skipped.
	res, err = Import(context.Background(), f, in, statePath, t2, Options{Persons: persons(t)})
	if err != nil {
		t.Fatal(err)
	}
	if !res.NotModified || res.Counts.Records() != 0 {
		t.Fatalf("second import %+v, want not modified", res)
	}
	hdrs, statuses := srv.log()
	if len(hdrs) != 2 || statuses[0] != 200 || statuses[1] != http.StatusNotModified {
		t.Fatalf("statuses %v", statuses)
	}
	if hdrs[0].Get("If-None-Match") != "" || hdrs[1].Get("If-None-Match") != `"bulk-v1"` || hdrs[1].Get("If-Modified-Since") != modified.Format(http.TimeFormat) {
		t.Fatalf("conditional headers: %v / %v", hdrs[0], hdrs[1])
	}
	if d2, k2 := kvDigest(t, s); d2 != digest || k2 != keys {
		t.Fatal("store changed by a not-modified fetch")
	}
	if left, _ := filepath.Glob(filepath.Join(f.Dir, "*")); len(left) != 0 {
		t.Fatalf("temporary files left after 304: %v", left)
	}
}

// TestIfModifiedSinceOnly: a server without ETags is asked with
// If-Modified-Since, and the version is the Last-Modified date; a newer
// file is imported as a new version.
func TestIfModifiedSinceOnly(t *testing.T) {
	dir := t.TempDir()
	zipPath := makeZip(t, dir, 50)
	mod := time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC)
	srv := newFakeServer(t, zipPath, "", mod)
	f := newFetcher(srv.URL, t.TempDir())
	b, err := f.FetchBulk(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	b.Body.Close()
	if b.Version != mod.Format(http.TimeFormat) {
		t.Fatalf("version %q", b.Version)
	}
	if _, err := f.FetchBulk(context.Background(), b.Version); !errors.Is(err, connectors.ErrNotModified) {
		t.Fatalf("want ErrNotModified, got %v", err)
	}
	hdrs, _ := srv.log()
	if hdrs[1].Get("If-Modified-Since") != b.Version || hdrs[1].Get("If-None-Match") != "" {
		t.Fatalf("headers %v", hdrs[1])
	}
	srv.mu.Lock()
	srv.modified = mod.Add(7 * 24 * time.Hour)
	srv.mu.Unlock()
	b, err = f.FetchBulk(context.Background(), b.Version)
	if err != nil {
		t.Fatal(err)
	}
	b.Body.Close()
}

// TestRetriesThen200: a 503 is retried through the client's backoff; a 404
// is not.
func TestRetries(t *testing.T) {
	zipPath := makeZip(t, t.TempDir(), 10)
	srv := newFakeServer(t, zipPath, `"v"`, time.Now())
	srv.fail = 2
	f := newFetcher(srv.URL, t.TempDir())
	var attempts []int
	f.Client.Observe = func(a connectors.Attempt) { attempts = append(attempts, a.Status) }
	b, err := f.FetchBulk(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	b.Body.Close()
	if fmt.Sprint(attempts) != "[503 503 200]" {
		t.Fatalf("attempts %v", attempts)
	}
	f.URL = srv.URL + "/missing"
	srv.path = filepath.Join(t.TempDir(), "nope")
	_, err = f.FetchBulk(context.Background(), "")
	var he *connectors.HTTPError
	if !errors.As(err, &he) || he.Status != 500 {
		// ServeContent is never reached: the handler answers 500 for a
		// missing file, retried, then given up on.
		t.Fatalf("err %v", err)
	}
}

// TestStreamMemory downloads and parses the bulk file without a store
// (records are counted and dropped), to show that the download, the zip
// and the parser stream: the peak heap does not grow with the file.
func TestStreamMemory(t *testing.T) {
	n := rowsForTest(t)
	zipPath := makeZip(t, t.TempDir(), n)
	srv := newFakeServer(t, zipPath, `"v"`, time.Now())
	f := newFetcher(srv.URL, t.TempDir())
	parse, err := formats.Lookup(record.BolagsverketBulk)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	mem := sampleMemory(5 * time.Millisecond)
	b, err := f.FetchBulk(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	var sink countSink
	err = parse(context.Background(), b.Body, formats.Options{Name: b.Name, Persons: persons(t)}, &sink)
	b.Body.Close()
	mem.Stop()
	if err != nil {
		t.Fatal(err)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	t.Logf("rows %d: %d records, %d quarantined; heap in use before %d KiB, peak %d KiB; TotalAlloc %d MiB",
		n, sink.records, sink.bad, before.HeapInuse>>10, mem.peakHeap.Load()>>10, (after.TotalAlloc-before.TotalAlloc)>>20)
	if sink.records != n-n/badEvery {
		t.Fatalf("%d records", sink.records)
	}
}

type countSink struct{ records, bad int }

func (s *countSink) Record(record.Item) error            { s.records++; return nil }
func (s *countSink) Quarantine(record.Quarantined) error { s.bad++; return nil }

// TestHelperImport is the child of TestCrashResume: it imports and prints
// its progress until the parent kills it.
func TestHelperImport(t *testing.T) {
	if os.Getenv("BULKFILE_HELPER") == "" {
		t.Skip("helper process for TestCrashResume")
	}
	observed, err := time.Parse(time.RFC3339Nano, os.Getenv("BULKFILE_OBSERVED"))
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t, os.Getenv("BULKFILE_STORE"))
	var versions atomic.Int64
	in := &ingest.Ingester{Store: s, BatchSize: 256, OnVersion: func(record.Item) {
		if v := versions.Add(1); v%1000 == 0 {
			fmt.Printf("imported %d\n", v)
		}
	}}
	f := newFetcher(os.Getenv("BULKFILE_URL"), os.Getenv("BULKFILE_TMP"))
	if _, err := Import(context.Background(), f, in, os.Getenv("BULKFILE_STATE"), observed, Options{Persons: persons(t)}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	fmt.Println("finished")
}

// TestCrashResume kills an import with SIGKILL part-way, runs it again to
// completion and compares the store with one from an uninterrupted import:
// every key and value must be identical.
func TestCrashResume(t *testing.T) {
	n := rowsForTest(t)
	zipPath := makeZip(t, t.TempDir(), n)
	srv := newFakeServer(t, zipPath, `"bulk-v1"`, time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC))
	work := t.TempDir()
	storeDir := filepath.Join(work, "store")
	tmpDir := filepath.Join(work, "tmp")
	statePath := filepath.Join(work, "state.json")
	os.MkdirAll(tmpDir, 0o755)

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperImport$", "-test.v")
	cmd.Env = append(os.Environ(),
		"BULKFILE_HELPER=1",
		"BULKFILE_URL="+srv.URL,
		"BULKFILE_STORE="+storeDir,
		"BULKFILE_TMP="+tmpDir,
		"BULKFILE_STATE="+statePath,
		"BULKFILE_OBSERVED="+t1.Format(time.RFC3339Nano),
	)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killAt := n / 4
	sc := bufio.NewScanner(out)
	killed := false
	var seen []string
	for sc.Scan() {
		line := sc.Text()
		seen = append(seen, line)
		if v, ok := strings.CutPrefix(line, "imported "); ok {
			if k, _ := strconv.Atoi(v); k >= killAt {
				if err := cmd.Process.Kill(); err != nil { // SIGKILL
					t.Fatal(err)
				}
				killed = true
				break
			}
		}
	}
	go func() { // drain, so the child never blocks on a full pipe
		for sc.Scan() {
		}
	}()
	werr := cmd.Wait()
	if !killed {
		t.Fatalf("child was not killed mid-import (exit %v); output:\n%s", werr, strings.Join(seen, "\n"))
	}
	st, err := LoadState(statePath)
	if err != nil || st.Pending == nil || !st.Pending.Observed.Equal(t1) || st.Version != "" {
		t.Fatalf("state after the kill: %+v (%v), want a pending import at %v", st, err, t1)
	}

	// Resume in-process, later, with another observation time: the pending
	// one must win.
	s := openStore(t, storeDir)
	_, partial := kvDigest(t, s)
	res, err := Import(context.Background(), newFetcher(srv.URL, tmpDir), &ingest.Ingester{Store: s, BatchSize: 256}, statePath, t2, Options{Persons: persons(t)})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Resumed || !res.Observed.Equal(t1) {
		t.Fatalf("resumed import %+v, want resumed at %v", res, t1)
	}
	if left, _ := filepath.Glob(filepath.Join(tmpDir, "*")); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
	gotKV, gotKeys := kvDigest(t, s)
	gotScan, gotRecs := scanDigest(t, s)
	s.Close()

	// Reference: uninterrupted.
	ref := openStore(t, filepath.Join(t.TempDir(), "store"))
	defer ref.Close()
	if _, err := Import(context.Background(), newFetcher(srv.URL, t.TempDir()), &ingest.Ingester{Store: ref, BatchSize: 256}, filepath.Join(t.TempDir(), "state.json"), t1, Options{Persons: persons(t)}); err != nil {
		t.Fatal(err)
	}
	wantKV, wantKeys := kvDigest(t, ref)
	wantScan, wantRecs := scanDigest(t, ref)
	t.Logf("killed after ≥%d records (%d keys stored); final %d keys, %d records", killAt, partial, gotKeys, gotRecs)
	if partial >= wantKeys {
		t.Fatalf("the killed import had stored everything (%d keys): not a crash test", partial)
	}
	if gotRecs != n-n/badEvery || gotRecs != wantRecs {
		t.Fatalf("records: resumed %d, reference %d", gotRecs, wantRecs)
	}
	if gotScan != wantScan {
		t.Fatal("resumed store differs from the uninterrupted one (Scan digest)")
	}
	if gotKV != wantKV || gotKeys != wantKeys {
		t.Fatalf("resumed store differs from the uninterrupted one (key/value digest, %d vs %d keys)", gotKeys, wantKeys)
	}
}

// TestZipEntries: the entry is the only one, the only *.txt, or the named
// one; otherwise an error, and the temp zip is removed.
func TestStateAtomicAndSchedule(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s", "state.json")
	want := State{Version: `"x"`, Observed: t1, Pending: &Pending{Version: `"y"`, Observed: t2}}
	if err := SaveState(p, want); err != nil {
		t.Fatal(err)
	}
	got, err := LoadState(p)
	if err != nil || got.Version != want.Version || !got.Observed.Equal(t1) || got.Pending == nil || !got.Pending.Observed.Equal(t2) {
		t.Fatalf("%+v %v", got, err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(p), ".*")); len(left) != 0 {
		t.Fatalf("temp files left: %v", left)
	}

	sthlm, _ := time.LoadLocation("Europe/Stockholm")
	cases := []struct {
		s          Schedule
		last, want time.Time
	}{
		// Wednesday → next Monday 06:00.
		{DefaultSchedule, time.Date(2026, 3, 4, 12, 0, 0, 0, sthlm), time.Date(2026, 3, 9, 6, 0, 0, 0, sthlm)},
		// Monday 06:00 exactly → a week later.
		{DefaultSchedule, time.Date(2026, 3, 9, 6, 0, 0, 0, sthlm), time.Date(2026, 3, 16, 6, 0, 0, 0, sthlm)},
		// Monday 05:00 → same day 06:00.
		{DefaultSchedule, time.Date(2026, 3, 9, 5, 0, 0, 0, sthlm), time.Date(2026, 3, 9, 6, 0, 0, 0, sthlm)},
		// Across the spring DST change (29 March 2026) it stays 06:00 local.
		{DefaultSchedule, time.Date(2026, 3, 23, 6, 30, 0, 0, sthlm), time.Date(2026, 3, 30, 6, 0, 0, 0, sthlm)},
		// Every second Friday 22:15.
		{Schedule{Weekday: time.Friday, Hour: 22, Minute: 15, Weeks: 2}, time.Date(2026, 3, 4, 0, 0, 0, 0, sthlm), time.Date(2026, 3, 13, 22, 15, 0, 0, sthlm)},
	}
	for _, c := range cases {
		if got := c.s.NextRun(c.last); !got.Equal(c.want) {
			t.Errorf("NextRun(%v) = %v, want %v", c.last, got, c.want)
		}
	}
	if !NextRun(time.Time{}).IsZero() {
		t.Error("never run should be due now")
	}
}

func TestZipEntries(t *testing.T) {
	dir := t.TempDir()
	var mu sync.Mutex
	_ = &mu
	// Several entries, one .txt: that one is read.
	p := filepath.Join(dir, "multi.zip")
	writeZip(t, p, map[string]string{"LASMIG.pdf": "pdf", "bulk.txt": bulkHeader + "\n"})
	rc, name, _, err := openEntry(p, "")
	if err != nil || name != "bulk.txt" {
		t.Fatalf("%q %v", name, err)
	}
	rc.Close()
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatal("zip not removed on Close")
	}
	writeZip(t, p, map[string]string{"a.txt": "a", "b.txt": "b"})
	if _, _, _, err := openEntry(p, ""); err == nil {
		t.Fatal("two .txt entries accepted")
	}
	rc, name, _, err = openEntry(p, "b.txt")
	if err != nil || name != "b.txt" {
		t.Fatalf("%q %v", name, err)
	}
	rc.Close()
}
