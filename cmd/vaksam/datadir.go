package main

import (
	"log/slog"

	"github.com/vaksam/vaksam/engine/service"
	"github.com/vaksam/vaksam/engine/store"
)

// A data directory named by --data must exist for every command but
// those that make a store: ingest, serve --demo and restore. A mistyped
// --data must not silently become an empty store, which a command that
// reads it then reports as holding nothing. The configuration's data_dir
// is the deployment's directory: made when missing, as config check
// allows (it checks that it can be made).

// Where a data directory was named, for errors.
const (
	fromFlag   = "--data"
	fromConfig = "data_dir"
)

// errNoDataDir is the usage error of a command given no data directory.
func errNoDataDir() error { return usagef("--data DIR is required (or data_dir in the configuration)") }

// dataDirFrom names where a command's data directory dir came from: the
// --data flag, or the configuration's data_dir (the file's, or
// $VAKSAM_DATA_DIR) when no flag named another.
func dataDirFrom(dir, configured string) string {
	if dir == "" || dir == configured {
		return fromConfig
	}
	return fromFlag
}

// existingDataDir refuses a data directory that is not given, does not
// exist or is not a directory (service.ExistingDataDir).
func existingDataDir(dir string) error {
	if dir == "" {
		return errNoDataDir()
	}
	return service.ExistingDataDir(dir)
}

// createStore opens the data directory's store, making the directory
// when it does not exist: for the commands that make a store.
func createStore(dir string) (*store.Store, error) { return createLoggedStore(dir, nil) }

// createLoggedStore is createStore with a store that logs to log (its
// write faults, Badger's errors).
func createLoggedStore(dir string, log *slog.Logger) (*store.Store, error) {
	if dir == "" {
		return nil, errNoDataDir()
	}
	return service.CreateStore(dir, log)
}
