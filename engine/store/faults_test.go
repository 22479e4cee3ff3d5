package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/record"
)

// moveAway moves dir away until the returned function moves it back, or
// the test ends (before the stores close: Badger's Close waits until it
// can write its memory table).
func moveAway(t *testing.T, dir string) (back func()) {
	t.Helper()
	if err := os.Rename(dir, dir+".away"); err != nil {
		t.Fatal(err)
	}
	moved := true
	back = func() {
		if moved {
			if err := os.Rename(dir+".away", dir); err != nil {
				t.Fatal(err)
			}
			moved = false
		}
	}
	t.Cleanup(back)
	return back
}

// bulky is a record of its own whose version (100 KiB) goes to Badger's
// value log.
func bulky(i int) record.Item {
	it := company(fmt.Sprintf("Storgatan %d", i))
	it.Key = fmt.Sprintf("k%04d", i)
	it.Raw = bytes.Repeat([]byte{'x'}, 100<<10)
	return it
}

func hasRecord(t *testing.T, s *Store, key string) bool {
	t.Helper()
	recs, err := s.Subject("5591234561", ScanOptions{At: day("2026-12-31")})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.ID.Key == key {
			return true
		}
	}
	return false
}

const (
	failing = "store: writes failing (logged once until they succeed again)"
	succeed = "store: writes succeed again"
)

// A store whose directory refuses new files (here: moved away, which
// stops root as well, where a read-only mode would not) fails Check at
// once, through the directory probe, and again for the commits that fail
// when Badger must start a new value-log file; each kind is logged once
// however often it fails. When the directory is back, Check recovers
// without any other write, and the store writes again.
func TestWriteFaultsFailCheckUntilWritesSucceed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	s, logs := openLogged(t, dir)
	if _, err := s.Put([]Observation{{Item: bulky(0), Observed: day("2026-01-10")}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(); err != nil {
		t.Fatalf("a store that writes: %v", err)
	}

	back := moveAway(t, dir)
	for range 3 {
		err := s.Check()
		if err == nil || !strings.Contains(err.Error(), "directory: open "+filepath.Join(dir, probeFile)+": no such file or directory") {
			t.Fatalf("Check with the directory gone: %v", err)
		}
	}
	// Commits go on into the files Badger has open until its value log
	// (16 MiB in a Small store) is full and it must make a new one.
	first := 0
	for i := 1; i <= 400 && first == 0; i++ {
		_, err := s.Put([]Observation{{Item: bulky(i), Observed: day("2026-01-11")}})
		if err != nil {
			if !strings.Contains(err.Error(), "no such file or directory") {
				t.Fatalf("put %d: %v", i, err)
			}
			first = i
		}
	}
	if first == 0 {
		t.Fatal("400 puts of 100 KiB succeeded with the store's directory gone")
	}
	for i := first + 1; i <= first+3; i++ {
		if _, err := s.Put([]Observation{{Item: bulky(i), Observed: day("2026-01-11")}}); err == nil {
			t.Fatalf("put %d succeeded with the directory gone", i)
		}
	}
	err := s.Check()
	if err == nil || !regexp.MustCompile(`records: [^;]*no such file or directory[^;]* \(4 times\)`).MatchString(err.Error()) {
		t.Fatalf("Check after 4 failed puts: %v", err)
	}
	if n := logs.count(failing, "kind=records"); n != 1 {
		t.Errorf("failed puts logged %d times, want once", n)
	}
	if n := logs.count(failing, "kind=directory"); n != 1 {
		t.Errorf("the directory logged %d times, want once", n)
	}

	back()
	// No put: Check's probe commit shows writes work again.
	if err := s.Check(); err != nil {
		t.Fatalf("Check with the directory back: %v", err)
	}
	for _, kind := range []string{"kind=records", "kind=directory"} {
		if n := logs.count(succeed, kind); n != 1 {
			t.Errorf("recovery of %s logged %d times, want once", kind, n)
		}
	}
	last := first + 4
	if _, err := s.Put([]Observation{{Item: bulky(last), Observed: day("2026-01-12")}}); err != nil {
		t.Fatalf("put with the directory back: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, _ = openLogged(t, dir)
	for _, c := range []struct {
		i    int
		want bool
	}{{0, true}, {first - 1, true}, {first, false}, {first + 3, false}, {last, true}} {
		if got := hasRecord(t, s, bulky(c.i).Key); got != c.want {
			t.Errorf("record %d stored: %v, want %v", c.i, got, c.want)
		}
	}
}

// What fails in the caller's hands is not a fault of the store: a
// transaction whose function fails, a record that is not valid.
func TestCallerErrorsAreNotWriteFaults(t *testing.T) {
	for _, c := range []struct {
		name  string
		write func(s *Store) error
	}{
		{"update function fails", func(s *Store) error {
			return s.Update(func(tx *Tx) error { return errors.New("the caller changed its mind") })
		}},
		{"invalid record", func(s *Store) error {
			it := company("Storgatan 1")
			it.Subject = ""
			_, err := s.Put([]Observation{{Item: it, Observed: day("2026-01-10")}})
			return err
		}},
		{"observation without a time", func(s *Store) error {
			_, err := s.Put([]Observation{{Item: company("Storgatan 1")}})
			return err
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, logs := openLogged(t, t.TempDir())
			if err := c.write(s); err == nil {
				t.Fatal("the write succeeded")
			}
			if err := s.Check(); err != nil {
				t.Errorf("Check: %v", err)
			}
			if n := logs.count(failing); n != 0 {
				t.Errorf("%d write faults logged", n)
			}
		})
	}
}

// An error Badger logs from its own goroutines (here as Badger calls its
// logger) fails Check and is logged once however often it repeats; it
// ends at the first Check after one that saw it, with none since.
func TestBadgerErrorsAreWriteFaults(t *testing.T) {
	s, logs := openLogged(t, t.TempDir())
	badgerLog := s.db.Opts().Logger
	for range 3 {
		badgerLog.Errorf("error flushing memtable to disk: %v, retrying", errors.New("open 000007.sst: no space left on device"))
	}
	for i, want := range []string{
		"badger: error flushing memtable to disk: error flushing memtable to disk: open 000007.sst: no space left on device, retrying (3 times)",
		"badger: error flushing memtable to disk: error flushing memtable to disk: open 000007.sst: no space left on device, retrying (4 times)",
		"",
	} {
		if i == 1 {
			badgerLog.Errorf("error flushing memtable to disk: %v, retrying", errors.New("open 000007.sst: no space left on device"))
		}
		err := s.Check()
		if want == "" && err != nil || want != "" && (err == nil || !strings.HasSuffix(err.Error(), want)) {
			t.Errorf("Check %d: %v, want %q", i+1, err, want)
		}
	}
	if err := s.Check(); err != nil {
		t.Errorf("Check after the fault ended: %v", err)
	}
	if n := logs.count(failing, `kind="badger: error flushing memtable to disk"`); n != 1 {
		t.Errorf("the badger error logged %d times, want once", n)
	}
	if n := logs.count(succeed, `kind="badger: error flushing memtable to disk"`); n != 1 {
		t.Errorf("its end logged %d times, want once", n)
	}
}

// Once Badger has failed to create a memory table it has none to write
// to and ends the process at its next write: Check says a restart is
// needed and commits no probe, so that it is not what ends the process.
// Badger's flusher, which cannot write the full memory table either,
// reports from its goroutine.
func TestMemoryTableFaultNeedsARestart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	s, logs := openLogged(t, dir)
	back := moveAway(t, dir)
	// Small records fill the 4 MiB memory table before the value log.
	failed := false
	for i := 0; i < 20000 && !failed; i++ {
		it := company(fmt.Sprintf("Storgatan %d", i))
		it.Key = fmt.Sprintf("m%05d", i)
		it.Raw = bytes.Repeat([]byte{'y'}, 1000)
		_, err := s.Put([]Observation{{Item: it, Observed: day("2026-01-10")}})
		failed = err != nil
	}
	if !failed {
		t.Fatal("20 000 puts of 1 KiB succeeded with the store's directory gone")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := s.Check()
		if err == nil || !strings.Contains(err.Error(), "restart it once the directory is writable") {
			t.Fatalf("Check after Badger lost its memory table: %v", err)
		}
		if strings.Contains(err.Error(), "badger: error flushing memtable to disk") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the flusher's failure not reported within 10s: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := logs.count(failing, "kind=records"); n != 1 {
		t.Errorf("the failed put logged %d times, want once", n)
	}
	// With the directory back the flusher writes the full memory table and
	// the store closes; it opens with what was committed.
	back()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, _ = openLogged(t, dir)
	if !hasRecord(t, s, "m00000") {
		t.Error("the first record is not in the reopened store")
	}
}
