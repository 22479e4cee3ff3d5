package service

import (
	"log/slog"
	"os"
	"path/filepath"

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
