package filedrop

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/vaksam/vaksam/engine/ingest"
)

// ledgerEntry is one imported file.
type ledgerEntry struct {
	Source   string        `json:"source"`
	Name     string        `json:"name"`
	Size     int64         `json:"size"`
	SHA256   string        `json:"sha256"`
	Imported time.Time     `json:"imported"`
	Outcome  string        `json:"outcome"`
	Counts   ingest.Counts `json:"counts"`
}

// ledger remembers every imported file, so that one whose move out of the
// inbox failed is recognised and not imported again. It is rewritten
// whole, atomically, after each import.
type ledger struct {
	path    string
	Entries []ledgerEntry `json:"entries"`
}

func loadLedger(path string) (*ledger, error) {
	l := &ledger{path: path}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return nil, fmt.Errorf("filedrop: ledger: %w", err)
	}
	if err := json.Unmarshal(b, l); err != nil {
		return nil, fmt.Errorf("filedrop: ledger %s: %w", path, err)
	}
	return l, nil
}

// find returns the newest entry for a source's file name and size.
func (l *ledger) find(source, name string, size int64) (ledgerEntry, bool) {
	for i := len(l.Entries) - 1; i >= 0; i-- {
		e := l.Entries[i]
		if e.Source == source && e.Name == name && e.Size == size {
			return e, true
		}
	}
	return ledgerEntry{}, false
}

func (l *ledger) add(e ledgerEntry) error {
	l.Entries = append(l.Entries, e)
	if err := l.save(); err != nil {
		l.Entries = l.Entries[:len(l.Entries)-1]
		return err
	}
	return nil
}

func (l *ledger) save() error {
	b, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(l.path)
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return fmt.Errorf("filedrop: ledger: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(l.path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("filedrop: ledger: %w", err)
	}
	_, err = tmp.Write(append(b, '\n'))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), l.path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("filedrop: ledger: %w", err)
	}
	return nil
}
