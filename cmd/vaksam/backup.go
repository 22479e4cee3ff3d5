package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/service"
	"github.com/vaksam/vaksam/engine/store"
)

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
		files, err := service.BackupFiles(*data)
		if err != nil {
			return exitFailure, err
		}
		from = "the store in " + *data + " (no vaksam serve running)"
		src = func(w io.Writer) error {
			_, err := st.Backup(w, store.BackupOptions{Created: a.now(), Files: files})
			return err
		}
	case store.IsLocked(err):
		from = "the running vaksam serve (" + service.ControlSocketPath(*data) + ")"
		src = func(w io.Writer) error { return service.ControlBackup(ctx, *data, w) }
	default:
		return failure(err)
	}

	info, sum, err := service.WriteBackup(file, a.stdout, src)
	if err != nil {
		return exitFailure, fmt.Errorf("backup to %s: %w", file, err)
	}
	out := a.stdout
	name := file
	if file == "-" {
		out, name = a.stderr, "standard output"
	}
	key := "not included: none in " + *data
	if _, ok := info.Files[service.PseudonymKeyFile]; ok {
		key = "included: keep the backup as safe as the data directory"
	}
	fmt.Fprintf(out, "backup written to %s\n  from:           %s\n  created:        %s\n  keys:           %d\n  bytes:          %d\n  sha256:         %s\n  snapshot:       %s\n  pseudonym key:  %s\n",
		name, from, info.Created.Format(time.RFC3339), info.Keys, info.Bytes, sum, info.Digest, key)
	return exitOK, nil
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
	keyPath, keyFromEnv := service.PseudonymKeyPath(*data)
	r, err := service.Restore(service.RestoreOptions{DataDir: *data, Name: file, In: os.Stdin, Force: *force,
		KeyPath: keyPath, KeyFromEnv: keyFromEnv, Stamp: a.now().UTC().Format("20060102T150405Z"), Log: a.log})
	if err != nil {
		return exitFailure, err
	}
	target, info := r.Target, r.Info
	fmt.Fprintf(a.stdout, "restored %s\n  sha256:         %s\n  created:        %s\n  keys:           %d\n  snapshot:       %s (read back from the restored store)\n  into:           %s\n",
		file, r.SHA256, info.Created.Format(time.RFC3339), info.Keys, info.Digest, target)
	if r.OldStore != "" {
		fmt.Fprintf(a.stdout, "  old store:      moved to %s\n", r.OldStore)
	}

	failed := 0
	if r.KeyErr != nil {
		failed++
		fmt.Fprintf(a.stdout, "  pseudonym key:  PROBLEM: %v\n", r.KeyErr)
	} else {
		fmt.Fprintf(a.stdout, "  pseudonym key:  %s\n", r.KeyNote)
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

// verifyAssessments screens every stored assessment of the store again
// (service.ReverifyAssessments); ok is false when any differs or the
// check cannot be made.
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
	var sc *screening.Screener
	defer func() {
		if sc != nil {
			sc.Store.Close()
		}
	}()
	return service.ReverifyAssessments(ctx, subjects, func() (*screening.Screener, error) {
		sc, _, err = a.screener(data, cfgPath, rulePath)
		return sc, err
	}, a.now, a.stdout), nil
}
