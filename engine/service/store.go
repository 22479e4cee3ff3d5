package service

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
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

// EnvPseudonymKeyFile names the environment variable that puts the
// pseudonym key outside the data directory.
const EnvPseudonymKeyFile = "VAKSAM_PSEUDONYM_KEY_FILE"

// PseudonymKeyPath is where the pseudonym key of dataDir is read:
// $VAKSAM_PSEUDONYM_KEY_FILE, else DATA/pseudonym.key.
func PseudonymKeyPath(dataDir string) (path string, fromEnv bool) {
	if p := os.Getenv(EnvPseudonymKeyFile); p != "" {
		return p, true
	}
	return filepath.Join(dataDir, PseudonymKeyFile), false
}

// DataPseudonymizer returns the deployment's person pseudonymizer for
// dataDir (PseudonymKeyPath): the data directory's key is created on
// first use, one named by the environment never.
func DataPseudonymizer(dataDir string) (record.Pseudonymizer, error) {
	path, fromEnv := PseudonymKeyPath(dataDir)
	return Pseudonymizer(path, !fromEnv)
}

// BackupFiles are the files a backup of dataDir carries beside the
// store: the pseudonym key, when there is one.
func BackupFiles(dataDir string) (map[string][]byte, error) {
	path, fromEnv := PseudonymKeyPath(dataDir)
	key, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !fromEnv:
		return nil, nil // nothing pseudonymised yet
	case err != nil:
		return nil, fmt.Errorf("backup: pseudonym key: %w", err)
	}
	return map[string][]byte{PseudonymKeyFile: key}, nil
}

// ExistingDataDir refuses a data directory, named by the --data flag,
// that does not exist or is not a directory, naming the flag and the
// path: a mistyped --data must not silently become an empty store.
func ExistingDataDir(dir string) error {
	const makers = "ingest, serve --demo and restore" // the commands that make one
	info, err := os.Stat(dir)
	var pe *fs.PathError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("--data %s: no such directory (only %s make one)", dir, makers)
	case errors.As(err, &pe):
		return fmt.Errorf("--data %s: %w", dir, pe.Err)
	case err != nil:
		return fmt.Errorf("--data %s: %w", dir, err)
	case !info.IsDir():
		return fmt.Errorf("--data %s: not a directory", dir)
	}
	return nil
}
