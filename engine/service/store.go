package service

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
)

// CreateStore opens the store of the data directory dir (dir/store),
// making the directory when it does not exist; the store logs to log
// (its write faults, Badger's errors), which may be nil.
func CreateStore(dir string, log *slog.Logger) (*store.Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	return store.Open(filepath.Join(dir, "store"), store.Options{Logger: log})
}

// Pseudonymizer returns the person pseudonymizer whose secret is the file
// at path; create: a missing file is made (32 random bytes, mode 0600),
// as the data directory's pseudonym.key is on first use.
func Pseudonymizer(path string, create bool) (record.Pseudonymizer, error) {
	if create {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			key := make([]byte, 32)
			if _, err := rand.Read(key); err != nil {
				return nil, err
			}
			if err := os.WriteFile(path, key, 0o600); err != nil {
				return nil, fmt.Errorf("pseudonym key: %w", err)
			}
		}
	}
	key, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("pseudonym key: %w", err)
	}
	return record.NewHMACPseudonymizer(key)
}
