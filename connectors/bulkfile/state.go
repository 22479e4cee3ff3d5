package bulkfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// State is what the state file remembers between imports.
type State struct {
	// The last version imported to the end, its validators and the
	// observation time its records were stored with.
	Version    string     `json:"version,omitempty"`
	Validators Validators `json:"validators"`
	Observed   time.Time  `json:"observed,omitzero"`
	// Pending is an import that started and has not finished: a restart
	// that finds the same version again imports it with the same
	// observation time, so the store ends up as if it had never stopped.
	Pending *Pending `json:"pending,omitempty"`
}

// Pending is an import under way.
type Pending struct {
	Version    string     `json:"version"`
	Validators Validators `json:"validators"`
	Observed   time.Time  `json:"observed"`
}

// LoadState reads the state file; a missing file is the zero State.
func LoadState(path string) (State, error) {
	var st State
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("bulkfile: state: %w", err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, fmt.Errorf("bulkfile: state %s: %w", path, err)
	}
	return st, nil
}

// SaveState writes the state file atomically: a temporary file in the
// same directory, synced, then renamed over the old one.
func SaveState(path string, st State) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, append(b, '\n'))
}

// WriteFileAtomic writes data to path atomically: a temporary file in the
// same directory, synced, then renamed over the old one.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("bulkfile: state: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("bulkfile: state: %w", err)
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("bulkfile: state: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
