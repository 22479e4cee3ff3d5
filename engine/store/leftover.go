//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package store

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// removeEmptyLogs removes the empty write-ahead files (memory tables,
// *.mem, and value logs, *.vlog) that a process killed at the wrong
// moment leaves in a Badger directory, which Badger v4 cannot open.
//
// Badger creates such a file by opening it and then growing it and
// writing its 20-byte header, and deletes one (a memory table flushed to
// a table file, an emptied value log) by truncating it to nothing and then
// removing it. A kill between the two steps leaves a file of 0 bytes. The
// next badger.Open takes it for a file it has just created and fails with
// "while opening memtables: while opening fid: N: Create a new file" (or,
// for a value log, "Open existing file: ...: Create a new file"), leaving
// the file grown and headed, so that the open after that succeeds
// (dgraph-io/badger#2207, still open for v4.9.6).
//
// A file of 0 bytes holds no entry, not even its header: nothing in the
// store can point into it, and removing it is what Badger's own second
// open amounts to. Files are removed only while this process holds the
// directory lock Badger takes (flock on the directory), so never under a
// process that has the store open and is creating one.
func removeEmptyLogs(dir string, log *slog.Logger) error {
	d, err := os.Open(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // a new store
	}
	if err != nil {
		return err
	}
	defer d.Close() // releases the lock
	if err := syscall.Flock(int(d.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		// Another process has the store open: badger.Open says so.
		return nil
	}
	entries, err := d.ReadDir(-1)
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !(strings.HasSuffix(name, ".mem") || strings.HasSuffix(name, ".vlog")) {
			continue
		}
		info, err := e.Info()
		if err != nil || info.Size() != 0 {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("remove the empty %s an interrupted process left: %w", name, err)
		}
		log.Warn("store: removed an empty write-ahead file an interrupted process left (Badger could not open it)", "file", name)
	}
	return nil
}
