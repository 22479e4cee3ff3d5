package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/store"
)

// pseudonymKeyFile is the name of the pseudonym key in a backup's files.
const pseudonymKeyFile = "pseudonym.key"

const backupAbout = "A backup is one consistent snapshot of the store: records, assessments,\n" +
	"alerts, decisions, the audit trail, the outbox of events not yet published and\n" +
	"the event counters. It also holds the pseudonym key (DATA/pseudonym.key, or\n" +
	"$VAKSAM_PSEUDONYM_KEY_FILE), without which persons in new records would get\n" +
	"other pseudonyms than the restored ones: the file is as sensitive as the data\n" +
	"directory, and is created with mode 0600. The embedded NATS server's files\n" +
	"(DATA/nats) and the configuration are not in it."

func runBackup(ctx context.Context, a *app, args []string) (int, error) {
	fl := a.newFlags("backup", "backup --data DIR FILE|-",
		"Writes a backup of the store in DIR to FILE (or standard output for -) while\n"+
			"Vaksam runs or not. When a vaksam serve holds the store, the backup is asked of\n"+
			"it over its control socket, DIR/control.sock; else the store is read directly.\n"+
			"FILE is written under a temporary name, checked as a whole, synced and then\n"+
			"renamed, so it is never half a backup. Prints the keys, bytes and SHA-256 of\n"+
			"what was written. Restore it with 'vaksam restore'.\n\n"+backupAbout)
	data := fl.String("data", "", "data directory")
	if err := a.parseFlags(fl, args); err != nil {
		return exitUsage, err
	}
	if *data == "" {
		return exitUsage, usagef("--data DIR is required")
	}
	if fl.NArg() != 1 {
		return exitUsage, usagef("want one FILE (or - for standard output)")
	}
	file := fl.Arg(0)
	var (
		from string
		src  func(w io.Writer) error
	)
	st, err := openExistingStore(*data)
	switch {
	case err == nil:
		defer st.Close()
		files, err := backupFiles(*data)
		if err != nil {
			return exitFailure, err
		}
		from = "the store in " + *data + " (no vaksam serve running)"
		src = func(w io.Writer) error {
			_, err := st.Backup(w, store.BackupOptions{Created: a.now(), Files: files})
			return err
		}
	case store.IsLocked(err):
		from = "the running vaksam serve (" + controlSocketPath(*data) + ")"
		src = func(w io.Writer) error { return controlBackup(ctx, *data, w) }
	default:
		return failure(err)
	}

	var info store.BackupInfo
	var sum string
	if file == "-" {
		info, sum, err = copyBackup(a.stdout, src)
	} else {
		err = writeFileAtomic(file, func(w io.Writer) error {
			var err error
			info, sum, err = copyBackup(w, src)
			return err
		})
	}
	if err != nil {
		return exitFailure, fmt.Errorf("backup to %s: %w", file, err)
	}
	out := a.stdout
	name := file
	if file == "-" {
		out, name = a.stderr, "standard output"
	}
	key := "not included: none in " + *data
	if _, ok := info.Files[pseudonymKeyFile]; ok {
		key = "included: keep the backup as safe as the data directory"
	}
	fmt.Fprintf(out, "backup written to %s\n  from:           %s\n  created:        %s\n  keys:           %d\n  bytes:          %d\n  sha256:         %s\n  snapshot:       %s\n  pseudonym key:  %s\n",
		name, from, info.Created.Format(time.RFC3339), info.Keys, info.Bytes, sum, info.Digest, key)
	return exitOK, nil
}

// copyBackup copies the backup src writes to w and checks it as it
// passes (ReadBackup, which reads to the end and so also refuses bytes
// after the backup): it returns what the backup says of itself and the
// SHA-256 of its bytes.
func copyBackup(w io.Writer, src func(w io.Writer) error) (store.BackupInfo, string, error) {
	pr, pw := io.Pipe()
	checked := make(chan error, 1)
	var info store.BackupInfo
	go func() {
		var err error
		info, err = store.ReadBackup(pr)
		if err != nil {
			// The writer stops at its next write.
			pr.CloseWithError(checkError{err})
		}
		checked <- err
	}()
	h := sha256.New()
	bw := bufio.NewWriterSize(w, 256<<10)
	err := src(io.MultiWriter(bw, h, pw))
	if err == nil {
		err = bw.Flush()
	}
	pw.CloseWithError(err)
	cerr := <-checked
	var ce checkError
	switch {
	case err != nil && !errors.As(err, &ce):
		return info, "", err
	case cerr != nil:
		return info, "", fmt.Errorf("the backup read back is not whole: %w", cerr)
	}
	return info, hex.EncodeToString(h.Sum(nil)), nil
}

// checkError marks the check of a backup in copyBackup failing, as the
// writer sees it.
type checkError struct{ err error }

func (e checkError) Error() string { return e.err.Error() }

// writeFileAtomic writes path through fn under a temporary name beside it
// (mode 0600), syncs it and renames it into place; on failure nothing is
// left and an existing file is kept.
func writeFileAtomic(path string, fn func(w io.Writer) error) (err error) {
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

// pseudonymKeyPath is where pseudonymizer reads the key.
func pseudonymKeyPath(dataDir string) (path string, fromEnv bool) {
	if p := os.Getenv("VAKSAM_PSEUDONYM_KEY_FILE"); p != "" {
		return p, true
	}
	return filepath.Join(dataDir, pseudonymKeyFile), false
}

// backupFiles are the files a backup of dataDir carries beside the
// store: the pseudonym key, when there is one.
func backupFiles(dataDir string) (map[string][]byte, error) {
	path, fromEnv := pseudonymKeyPath(dataDir)
	key, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !fromEnv:
		return nil, nil // nothing pseudonymised yet
	case err != nil:
		return nil, fmt.Errorf("backup: pseudonym key: %w", err)
	}
	return map[string][]byte{pseudonymKeyFile: key}, nil
}

func runRestore(ctx context.Context, a *app, args []string) (int, error) {
	fl := a.newFlags("restore", "restore --data DIR [--force] [--config FILE] [--rules PATH] FILE|-",
		"Restores a backup made by 'vaksam backup' into DIR/store and then verifies it:\n"+
			"the audit trail (as 'vaksam audit verify') and every stored assessment,\n"+
			"screened again as of its time (as 'vaksam assessments --verify', with the\n"+
			"rules of --config and --rules). Exit status 1 if the backup is damaged or a\n"+
			"check fails. A damaged backup leaves nothing behind.\n\n"+
			"An existing DIR/store is refused unless --force, which moves it aside to\n"+
			"DIR/store.replaced-<time> (nothing is deleted); stop vaksam serve first. The\n"+
			"backup's pseudonym key is written to DIR/pseudonym.key; a different key there\n"+
			"is likewise refused, or with --force moved to pseudonym.key.replaced-<time>.\n"+
			"With $VAKSAM_PSEUDONYM_KEY_FILE set, that file is compared and never written.\n\n"+
			"Event numbers (Vaksam-Org-Seq) go back to the backup's: tell the consumers\n"+
			"of the event streams (docs/events.md). Events waiting in the backup's outbox\n"+
			"are published again; consumers drop what they already have by its id.\n\n"+backupAbout)
	data := fl.String("data", "", "data directory")
	force := fl.Bool("force", false, "move an existing store (and a different pseudonym key) aside")
	cfgPath := fl.String("config", "", "configuration file, for the assessments' check")
	rulePath := fl.String("rules", "", "rule pack file or directory, for the assessments' check (default: the built-in pack)")
	if err := a.parseFlags(fl, args); err != nil {
		return exitUsage, err
	}
	if *data == "" {
		return exitUsage, usagef("--data DIR is required")
	}
	if fl.NArg() != 1 {
		return exitUsage, usagef("want one FILE (or - for standard input)")
	}
	file := fl.Arg(0)
	stamp := a.now().UTC().Format("20060102T150405Z")
	target := filepath.Join(*data, "store")

	// Refuse before anything is touched.
	var refuse []string
	oldStore, err := present(target)
	if err != nil {
		return exitFailure, err
	}
	if oldStore {
		if st, err := store.Open(target, store.Options{Logger: discardLogger()}); store.IsLocked(err) {
			return exitFailure, fmt.Errorf("%s is in use by a running vaksam serve: stop it first", target)
		} else if err == nil {
			st.Close()
		}
		if !*force {
			refuse = append(refuse, target+" exists")
		}
	}
	keyPath, keyFromEnv := pseudonymKeyPath(*data)
	oldKey, err := os.ReadFile(keyPath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return exitFailure, fmt.Errorf("pseudonym key: %w", err)
	}

	// A file is read whole and checked before anything is touched, and
	// then again to restore it; standard input is read once, and its
	// pseudonym key compared after.
	var in io.Reader = os.Stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return exitFailure, fmt.Errorf("restore: %w", err)
		}
		defer f.Close()
		info, err := store.ReadBackup(f)
		if err != nil {
			return exitFailure, fmt.Errorf("restore %s: %w", file, err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return exitFailure, fmt.Errorf("restore %s: %w", file, err)
		}
		if r := keyConflict(oldKey, info.Files[pseudonymKeyFile], keyFromEnv); r != "" && !*force {
			refuse = append(refuse, r)
		}
		in = f
	}
	if len(refuse) > 0 {
		return exitFailure, fmt.Errorf("refusing to restore: %s (--force moves what is in the way aside)", strings.Join(refuse, "; "))
	}

	if err := os.MkdirAll(*data, 0o750); err != nil {
		return exitFailure, err
	}
	staged := target
	if oldStore {
		staged = target + ".restoring-" + stamp
	}
	h := sha256.New()
	info, err := store.Restore(staged, io.TeeReader(in, h), store.RestoreOptions{Logger: a.log})
	if err != nil {
		return exitFailure, fmt.Errorf("restore %s: %w", file, err)
	}
	backupKey := info.Files[pseudonymKeyFile]
	if file == "-" {
		if r := keyConflict(oldKey, backupKey, keyFromEnv); r != "" && !*force {
			os.RemoveAll(staged)
			return exitFailure, fmt.Errorf("refusing to restore: %s (--force moves it aside)", r)
		}
	}
	fmt.Fprintf(a.stdout, "restored %s\n  sha256:         %s\n  created:        %s\n  keys:           %d\n  snapshot:       %s (read back from the restored store)\n  into:           %s\n",
		file, hex.EncodeToString(h.Sum(nil)), info.Created.Format(time.RFC3339), info.Keys, info.Digest, target)
	if oldStore {
		aside := target + ".replaced-" + stamp
		if err := os.Rename(target, aside); err != nil {
			return exitFailure, fmt.Errorf("move the old store aside: %w (the restored store is in %s)", err, staged)
		}
		if err := os.Rename(staged, target); err != nil {
			return exitFailure, fmt.Errorf("put the restored store in place: %w (it is in %s, the old one in %s)", err, staged, aside)
		}
		fmt.Fprintf(a.stdout, "  old store:      moved to %s\n", aside)
	}

	failed := 0
	keyNote, err := restoreKey(*data, keyPath, keyFromEnv, oldKey, backupKey, stamp)
	if err != nil {
		failed++
		fmt.Fprintf(a.stdout, "  pseudonym key:  PROBLEM: %v\n", err)
	} else {
		fmt.Fprintf(a.stdout, "  pseudonym key:  %s\n", keyNote)
	}

	// The checks: the audit trail and the stored assessments.
	if code, err := a.verifyAudit(*data); code != exitOK {
		failed++
		fmt.Fprintf(a.stdout, "audit trail: FAILED: %v\n", err)
	}
	if ok, err := a.verifyAssessments(ctx, *data, *cfgPath, *rulePath); err != nil {
		return exitFailure, err
	} else if !ok {
		failed++
	}
	if failed > 0 {
		return exitFailure, fmt.Errorf("the restored store in %s did not pass %d check(s)", target, failed)
	}
	fmt.Fprintln(a.stdout, "restore verified")
	return exitOK, nil
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

// restoreKey puts the backup's pseudonym key where pseudonymizer reads it,
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
		spare := filepath.Join(dataDir, pseudonymKeyFile+".from-backup")
		if err := writeFileAtomic(spare, writeKey); err != nil {
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
	if err := writeFileAtomic(path, writeKey); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return note, nil
}

// verifyAssessments screens every stored assessment of the store again,
// as 'vaksam assessments --verify' does (verifyStored), and prints a
// summary, with the assessments that differ; ok is false when any does or
// the check cannot be made.
func (a *app) verifyAssessments(ctx context.Context, data, cfgPath, rulePath string) (ok bool, err error) {
	st, err := openExistingStore(data)
	if err != nil {
		return false, err
	}
	subjects, err := st.AssessedSubjects()
	st.Close()
	if err != nil {
		return false, err
	}
	if len(subjects) == 0 {
		fmt.Fprintln(a.stdout, "assessments: none stored")
		return true, nil
	}
	n, checkErr := a.verifyAllStored(ctx, data, cfgPath, rulePath, subjects)
	fmt.Fprintf(a.stdout, "assessments: %d organisation(s): %d verified by screening again, %d differ, %d stored with another rule set (not verified)\n",
		len(subjects), n[storedVerified], n[storedDiffers], n[storedNotVerified])
	if checkErr != nil {
		fmt.Fprintf(a.stdout, "assessments: FAILED: %v\n", checkErr)
		return false, nil
	}
	return n[storedDiffers] == 0, nil
}

// verifyAllStored screens every stored assessment of the subjects again
// with the configuration and rules of cfgPath and rulePath, prints those
// that differ, and counts the outcomes, up to an error.
func (a *app) verifyAllStored(ctx context.Context, data, cfgPath, rulePath string, subjects []string) (map[verifyOutcome]int, error) {
	n := map[verifyOutcome]int{}
	sc, set, err := a.screener(data, cfgPath, rulePath)
	if err != nil {
		return n, err
	}
	defer sc.Store.Close()
	for _, s := range subjects {
		o, err := ident.ParseOrg(s)
		if err != nil {
			return n, fmt.Errorf("organisation number %v", err)
		}
		stored, err := sc.Assessments(o.String())
		if err != nil {
			return n, err
		}
		for _, x := range stored {
			outcome, line, err := verifyStored(ctx, sc, set, o, x)
			if err != nil {
				return n, err
			}
			n[outcome]++
			if outcome == storedDiffers {
				fmt.Fprintln(a.stdout, "  "+assessmentLine(o, x, a.now()))
				fmt.Fprintln(a.stdout, "  "+line)
			}
		}
	}
	return n, nil
}
