package store

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A process killed while Badger creates or deletes a memory table or a
// value-log file leaves it empty; the store opens at the first try, with
// its records, and says which file it removed.
func TestEmptyFilesOfAKilledProcess(t *testing.T) {
	for _, c := range []struct {
		name  string
		files []string
	}{
		{"memory table", []string{"00009.mem"}},
		{"value log", []string{"000009.vlog"}},
		{"both", []string{"00009.mem", "000009.vlog"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			s, _ := openLogged(t, dir)
			put(t, s, company("Storgatan 12"), day("2026-01-10"))
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			for _, name := range c.files {
				if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			s, logs := openLogged(t, dir)
			if recs, err := s.Subject("5591234561", ScanOptions{At: day("2026-02-01")}); err != nil || len(recs) != 1 {
				t.Fatalf("after the open: %d records, %v", len(recs), err)
			}
			for _, name := range c.files {
				if n := logs.count("store: removed an empty write-ahead file", "file="+name); n != 1 {
					t.Errorf("%s: removal logged %d times", name, n)
				}
			}
		})
	}
}

// Nothing is removed while another process (here another store) has the
// store open: it may be creating the file.
func TestEmptyFilesOfALiveStoreStay(t *testing.T) {
	dir := t.TempDir()
	s, _ := openLogged(t, dir)
	empty := filepath.Join(dir, "00009.mem")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, Options{Small: true}); err == nil || !strings.Contains(err.Error(), "Another process is using this Badger database") {
		t.Fatalf("a second open of a store in use: %v", err)
	}
	if info, err := os.Stat(empty); err != nil || info.Size() != 0 {
		t.Fatalf("the empty file of the store in use: %v, %v", info, err)
	}
	// Once that store has closed, the next open removes it.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	openLogged(t, dir)
	if _, err := os.Stat(empty); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the empty file after the store in use closed: %v", err)
	}
}
