package service

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/vaksam/vaksam/engine/store"
)

// PseudonymKeyFile is the name of the pseudonym key in a backup's files.
const PseudonymKeyFile = "pseudonym.key"

// WriteFileAtomic writes path through fn under a temporary name beside it
// (mode 0600), syncs it and renames it into place; on failure nothing is
// left and an existing file is kept.
func WriteFileAtomic(path string, fn func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	if err := fn(f); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", f.Name(), err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// present reports whether a store directory exists and holds anything.
func present(dir string) (bool, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return len(entries) > 0, nil
}

// keyConflict names why the key in place may not be replaced by the
// backup's, or is "".
func keyConflict(old, backup []byte, fromEnv bool) string {
	if old == nil || backup == nil || bytes.Equal(old, backup) || fromEnv {
		return ""
	}
	return "the pseudonym key in place differs from the backup's"
}

// restoreKey puts the backup's pseudonym key where Vaksam reads it,
// and says what it did. A key named by $VAKSAM_PSEUDONYM_KEY_FILE is never
// written: when it is not the backup's, the backup's is written beside
// the data directory's for the operator to install, and that is an error.
func restoreKey(dataDir, path string, fromEnv bool, old, backup []byte, stamp string) (string, error) {
	switch {
	case backup == nil && old == nil:
		return "none in the backup, none in place", nil
	case backup == nil:
		return "none in the backup; the one in " + path + " is kept", nil
	case bytes.Equal(old, backup):
		return "the one in " + path + " is the backup's", nil
	}
	writeKey := func(w io.Writer) error { _, err := w.Write(backup); return err }
	if fromEnv {
		spare := filepath.Join(dataDir, PseudonymKeyFile+".from-backup")
		if err := WriteFileAtomic(spare, writeKey); err != nil {
			return "", err
		}
		return "", fmt.Errorf("$VAKSAM_PSEUDONYM_KEY_FILE (%s) is not the backup's key, so new records' persons would not match the restored ones: install the backup's, written to %s", path, spare)
	}
	note := "restored to " + path
	if old != nil {
		aside := path + ".replaced-" + stamp
		if err := os.Rename(path, aside); err != nil {
			return "", fmt.Errorf("move the old key aside: %w", err)
		}
		note += "; the old one moved to " + aside
	}
	if err := WriteFileAtomic(path, writeKey); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return note, nil
}

// RestoreOptions say what Restore restores, and where.
type RestoreOptions struct {
	DataDir string
	// Name is the backup file's name, or "-" for In (standard input),
	// which is read once. A named file is read whole and checked before
	// anything is touched, and then again to restore it.
	Name string
	In   io.Reader
	// Force moves an existing store and a different pseudonym key aside
	// instead of refusing.
	Force bool
	// KeyPath is where the pseudonym key is read; KeyFromEnv says that
	// $VAKSAM_PSEUDONYM_KEY_FILE names it, and it is never written.
	KeyPath    string
	KeyFromEnv bool
	// Stamp names what is moved aside (store.replaced-STAMP).
	Stamp string
	Log   *slog.Logger
}

// Restored is what Restore did.
type Restored struct {
	Info     store.BackupInfo
	SHA256   string // of the backup as read
	Target   string // the restored store's directory
	OldStore string // where the store that was there was moved, or ""
	// KeyNote says what became of the pseudonym key; KeyErr is set when
	// it could not be put in place (the store is restored all the same).
	KeyNote string
	KeyErr  error
}

// Restore restores a backup made by vaksam backup into DataDir/store: it
// refuses, before anything is touched, a store in use, an existing store
// and a different pseudonym key unless Force; restores into a staging
// directory beside the store; moves the store in place aside and the
// restored one into place; and puts the backup's pseudonym key in place.
// A damaged backup leaves nothing behind. The checks of the restored
// store (the audit trail, the assessments) are the caller's.
func Restore(o RestoreOptions) (Restored, error) {
	target := filepath.Join(o.DataDir, "store")
	r := Restored{Target: target}
	var refuse []string
	oldStore, err := present(target)
	if err != nil {
		return r, err
	}
	if oldStore {
		if st, err := store.Open(target, store.Options{Logger: slog.New(slog.DiscardHandler)}); store.IsLocked(err) {
			return r, fmt.Errorf("%s is in use by a running vaksam serve: stop it first", target)
		} else if err == nil {
			st.Close()
		}
		if !o.Force {
			refuse = append(refuse, target+" exists")
		}
	}
	oldKey, err := os.ReadFile(o.KeyPath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return r, fmt.Errorf("pseudonym key: %w", err)
	}
	in := o.In
	if o.Name != "-" {
		f, err := os.Open(o.Name)
		if err != nil {
			return r, fmt.Errorf("restore: %w", err)
		}
		defer f.Close()
		info, err := store.ReadBackup(f)
		if err != nil {
			return r, fmt.Errorf("restore %s: %w", o.Name, err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return r, fmt.Errorf("restore %s: %w", o.Name, err)
		}
		if c := keyConflict(oldKey, info.Files[PseudonymKeyFile], o.KeyFromEnv); c != "" && !o.Force {
			refuse = append(refuse, c)
		}
		in = f
	}
	if len(refuse) > 0 {
		return r, fmt.Errorf("refusing to restore: %s (--force moves what is in the way aside)", strings.Join(refuse, "; "))
	}

	if err := os.MkdirAll(o.DataDir, 0o750); err != nil {
		return r, err
	}
	staged := target
	if oldStore {
		staged = target + ".restoring-" + o.Stamp
	}
	h := sha256.New()
	info, err := store.Restore(staged, io.TeeReader(in, h), store.RestoreOptions{Logger: o.Log})
	if err != nil {
		return r, fmt.Errorf("restore %s: %w", o.Name, err)
	}
	r.Info, r.SHA256 = info, hex.EncodeToString(h.Sum(nil))
	backupKey := info.Files[PseudonymKeyFile]
	if o.Name == "-" {
		if c := keyConflict(oldKey, backupKey, o.KeyFromEnv); c != "" && !o.Force {
			os.RemoveAll(staged)
			return r, fmt.Errorf("refusing to restore: %s (--force moves it aside)", c)
		}
	}
	if oldStore {
		aside := target + ".replaced-" + o.Stamp
		if err := os.Rename(target, aside); err != nil {
			return r, fmt.Errorf("move the old store aside: %w (the restored store is in %s)", err, staged)
		}
		if err := os.Rename(staged, target); err != nil {
			return r, fmt.Errorf("put the restored store in place: %w (it is in %s, the old one in %s)", err, staged, aside)
		}
		r.OldStore = aside
	}
	r.KeyNote, r.KeyErr = restoreKey(o.DataDir, o.KeyPath, o.KeyFromEnv, oldKey, backupKey, o.Stamp)
	return r, nil
}
