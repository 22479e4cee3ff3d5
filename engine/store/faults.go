package store

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/dgraph-io/badger/v4"
)

// Write faults
//
// A store that cannot write (its directory read-only or gone, the disk
// full) must say so where an operator looks: Check, behind /readyz, fails
// with the reason, and each kind of fault is logged once when it begins
// and once when it ends, not at every failed write. Three things are
// faults:
//
//   - a commit the store could not make (kinds: records, quarantine,
//     updates, outbox, watch list). A conflict, a transaction too big or a
//     closed store is the caller's to handle, not a fault. Any commit that
//     succeeds ends these.
//   - the store directory refusing a file: Check creates, writes and
//     removes a small file in it, as Badger must to rotate its logs and
//     write its tables. Badger writes through memory maps of files it has
//     already made, so a read-only directory fails no commit until a log
//     rotates, perhaps hours later; the probe finds it at once.
//   - an error Badger logs from its own goroutines (a memory table it
//     cannot flush, retried every second): kind "badger: " and the message.
//     It ends when Check sees no new one since the previous Check and a
//     probe commit succeeds.
//
// While a commit fault lasts, Check commits a probe (a deletion of a key
// nothing uses), so readiness recovers when writes work again even when
// nothing else writes. One fault is not probed: once Badger has failed to
// create a memory table it has none to write to, and its next write ends
// the process (Badger asserts one exists); Check then says a restart is
// needed and writes nothing.

// probeFile is created and removed in the store directory by Check.
const probeFile = ".vaksam-write-probe"

// probeKey is deleted by Check's probe commit; nothing stores it.
var probeKey = []byte{'x', sep, 'p', 'r', 'o', 'b', 'e'}

type faultClass int

const (
	commitFault faultClass = iota
	directoryFault
	backgroundFault
)

type fault struct {
	class   faultClass
	err     string // the newest error
	count   int    // how many times it happened
	checked int    // count at the previous Check (background faults)
	fatal   bool   // Badger cannot write again in this process
}

// faults are the store's current write faults by kind.
type faults struct {
	log *slog.Logger
	mu  sync.Mutex
	now map[string]*fault
}

// wrote records the outcome of a commit of a kind and returns err: a
// fault begins or goes on, or, when err is nil, every commit fault ends.
func (f *faults) wrote(kind string, err error) error {
	switch {
	case err == nil:
		f.end(func(x *fault) bool { return x.class == commitFault })
	case errors.Is(err, badger.ErrConflict), errors.Is(err, badger.ErrTxnTooBig),
		errors.Is(err, badger.ErrDBClosed), errors.Is(err, badger.ErrBlockedWrites):
		// The caller retries, splits or is stopping: not a fault of the store.
	default:
		f.add(kind, commitFault, err.Error())
	}
	return err
}

// add records one occurrence of a fault, logging it when it begins.
func (f *faults) add(kind string, class faultClass, msg string) {
	msg = strings.ReplaceAll(strings.TrimSpace(msg), "\n", " ")
	f.mu.Lock()
	defer f.mu.Unlock()
	x, ok := f.now[kind]
	if !ok {
		x = &fault{class: class}
		f.now[kind] = x
		f.log.Error("store: writes failing (logged once until they succeed again)", "kind", kind, "err", msg)
	}
	x.err, x.count = msg, x.count+1
	// Badger assigns the memory table it failed to create to the one it
	// writes to: it has none left.
	x.fatal = x.fatal || class == commitFault && strings.Contains(msg, "cannot create new mem table")
}

// end ends the faults that match, logging each.
func (f *faults) end(match func(*fault) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for kind, x := range f.now {
		if match(x) {
			delete(f.now, kind)
			f.log.Warn("store: writes succeed again", "kind", kind, "failed", x.count)
		}
	}
}

// state reports whether commit or background faults last (to probe) and
// whether one is fatal.
func (f *faults) state() (probe, fatal bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, x := range f.now {
		probe = probe || x.class != directoryFault
		fatal = fatal || x.fatal
	}
	return probe, fatal
}

// settle ends the background faults that did not happen again since the
// previous Check, when a probe commit succeeded, and remembers the count
// of the others.
func (f *faults) settle(committed bool) {
	f.end(func(x *fault) bool { return committed && x.class == backgroundFault && x.count == x.checked })
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, x := range f.now {
		x.checked = x.count
	}
}

// err describes the faults that last, nil when none.
func (f *faults) err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.now) == 0 {
		return nil
	}
	kinds := make([]string, 0, len(f.now))
	for k := range f.now {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	var b strings.Builder
	b.WriteString("store: writes failing: ")
	fatal := false
	for i, k := range kinds {
		x := f.now[k]
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s: %s", k, x.err)
		if x.count > 1 {
			fmt.Fprintf(&b, " (%d times)", x.count)
		}
		fatal = fatal || x.fatal
	}
	if fatal {
		b.WriteString("; Badger cannot write again in this process: restart it once the directory is writable")
	}
	return errors.New(b.String())
}

// probeDir creates, writes and removes a small file in dir.
func probeDir(dir string) error {
	path := filepath.Join(dir, probeFile)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(make([]byte, 4096))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if rerr := os.Remove(path); err == nil {
		err = rerr
	}
	return err
}
