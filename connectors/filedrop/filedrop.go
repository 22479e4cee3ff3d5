package filedrop

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/record"
)

// Config says where the inboxes are.
type Config struct {
	// Root holds one inbox directory per source: Root/kronofogden/, …
	Root string
	// Sources are the inboxes watched; each name is the parser and record
	// source its files are ingested with.
	Sources []string
	// Interval between polls (default one minute).
	Interval time.Duration
	// Ledger is the file remembering what was imported (default
	// Root/.filedrop-ledger.json).
	Ledger string
}

// Subdirectories of an inbox.
const (
	DoneDir   = "done"
	FailedDir = "failed"
)

// The modes of what the watcher makes: the inboxes (and done/, failed/,
// the ledger's directory) and the reports. The files hold register data
// and the reports what of it was refused: only the account that runs
// Vaksam reads them. A system that drops files as another account is
// given access to its inbox by the operator (a group, an ACL).
const (
	dirMode  = 0o700
	fileMode = 0o600
)

// Outcomes of a file.
const (
	Done     = "done"     // imported, every record accepted
	Failed   = "failed"   // imported with quarantined records, or not importable at all
	Recorded = "recorded" // found in the ledger as already imported: moved, not imported again
)

// Result is what happened to one file in a poll.
type Result struct {
	Source  string
	Name    string
	Outcome string
	Counts  ingest.Counts
	Err     error  // the import's error, for a file that could not be imported
	MovedTo string // its path in done/ or failed/ ("" if the move failed)
}

// Watcher polls the inboxes and imports each new file once, when it has
// stopped changing.
type Watcher struct {
	Config
	Ingester *ingest.Ingester
	Persons  record.Pseudonymizer
	Clock    connectors.Clock
	Log      *slog.Logger

	mu     sync.Mutex
	seen   map[string]fileSig // path → size and mtime at the previous poll
	ledger *ledger
}

type fileSig struct {
	size  int64
	mtime time.Time
}

// Run polls every Interval until ctx ends. Errors of a poll are logged;
// the next poll tries again.
func (w *Watcher) Run(ctx context.Context) error {
	interval := w.Interval
	if interval <= 0 {
		interval = time.Minute
	}
	for {
		if _, err := w.RunOnce(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			w.logger().Error("filedrop poll", "err", err)
		}
		if err := w.Clock.Sleep(ctx, interval); err != nil {
			return err
		}
	}
}

func (w *Watcher) logger() *slog.Logger {
	if w.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Log
}

// ignored reports whether a name is one a writer uses while the file is
// incomplete, or not a drop at all.
func ignored(name string) bool {
	l := strings.ToLower(name)
	return strings.HasPrefix(name, ".") || strings.HasSuffix(l, ".tmp") || strings.HasSuffix(l, ".part")
}

// RunOnce polls every inbox once. A file is imported at the first poll
// that finds it with the size and modification time the previous poll
// saw; so a file is never read while it is being written, at the cost of
// one interval's delay.
func (w *Watcher) RunOnce(ctx context.Context) ([]Result, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ledger == nil {
		path := w.Ledger
		if path == "" {
			path = filepath.Join(w.Root, ".filedrop-ledger.json")
		}
		l, err := loadLedger(path)
		if err != nil {
			return nil, err
		}
		w.ledger = l
	}
	seen := map[string]fileSig{}
	var results []Result
	var errs []error
	for _, source := range w.Sources {
		dir := filepath.Join(w.Root, source)
		for _, d := range []string{dir, filepath.Join(dir, DoneDir), filepath.Join(dir, FailedDir)} {
			if err := os.MkdirAll(d, dirMode); err != nil {
				return results, fmt.Errorf("filedrop: %w", err)
			}
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			errs = append(errs, fmt.Errorf("filedrop: %w", err))
			continue
		}
		for _, e := range entries {
			if ctx.Err() != nil {
				return results, ctx.Err()
			}
			if e.IsDir() || ignored(e.Name()) {
				continue
			}
			fi, err := e.Info()
			if err != nil || !fi.Mode().IsRegular() {
				continue // vanished, or a symlink, fifo…
			}
			path := filepath.Join(dir, e.Name())
			sig := fileSig{fi.Size(), fi.ModTime()}
			if prev, ok := w.seen[path]; !ok || prev != sig {
				seen[path] = sig // new or still changing: look again next poll
				continue
			}
			res, err := w.handle(ctx, source, path, fi)
			if err != nil {
				errs = append(errs, err)
				seen[path] = sig // retry next poll
			}
			if res.Outcome != "" {
				results = append(results, res)
			}
		}
	}
	w.seen = seen
	return results, errors.Join(errs...)
}

// handle imports one stable file and moves it away. The error is one that
// leaves the file in the inbox, to be tried again.
func (w *Watcher) handle(ctx context.Context, source, path string, fi os.FileInfo) (Result, error) {
	name := filepath.Base(path)
	res := Result{Source: source, Name: name}
	now := w.Clock.Now()

	// Already imported, and only the move failed?
	if e, ok := w.ledger.find(source, name, fi.Size()); ok {
		sum, err := hashFile(path)
		if err != nil {
			return res, fmt.Errorf("filedrop: %w", err)
		}
		if sum == e.SHA256 {
			res.Outcome, res.Counts = Recorded, e.Counts
			dest := DoneDir
			if e.Outcome == Failed {
				dest = FailedDir
			}
			moved, err := moveTo(path, filepath.Join(filepath.Dir(path), dest), now)
			res.MovedTo = moved
			w.logger().Info("filedrop: already imported", "source", source, "file", name, "moved_to", moved)
			if err != nil {
				return res, fmt.Errorf("filedrop: %w", err)
			}
			return res, nil
		}
	}

	f, err := os.Open(path)
	if err != nil {
		return res, fmt.Errorf("filedrop: %w", err)
	}
	h := sha256.New()
	counts, ierr := w.Ingester.Reader(ctx, io.TeeReader(f, h), ingest.Job{Source: source, Name: name, Observed: now, Persons: w.Persons})
	if ierr == nil {
		_, ierr = io.Copy(h, f) // a parser may stop before EOF
	}
	f.Close()
	res.Counts = counts
	if ctx.Err() != nil {
		return res, ctx.Err() // cancelled: leave the file for the next run
	}
	var report string
	if ierr != nil {
		res.Outcome, res.Err = Failed, ierr
		report = fmt.Sprintf("file: %s\nsource: %s\nat: %s\nimport failed: %v\n", name, source, now.UTC().Format(time.RFC3339), ierr)
	} else {
		res.Outcome = Done
		if counts.Quarantined > 0 {
			res.Outcome = Failed
			report, err = w.quarantineReport(source, name, now, counts)
			if err != nil {
				return res, err
			}
		}
		entry := ledgerEntry{Source: source, Name: name, Size: fi.Size(), SHA256: hex.EncodeToString(h.Sum(nil)), Imported: now.UTC(), Outcome: res.Outcome, Counts: counts}
		if err := w.ledger.add(entry); err != nil {
			// Imported, but not recorded: the file stays, and the next
			// poll imports it again (the store takes it as unchanged).
			return res, err
		}
	}
	dest := DoneDir
	if res.Outcome == Failed {
		dest = FailedDir
	}
	moved, err := moveTo(path, filepath.Join(filepath.Dir(path), dest), now)
	res.MovedTo = moved
	if err == nil && report != "" {
		err = os.WriteFile(moved+".report.txt", []byte(report), fileMode)
	}
	w.logger().Info("filedrop: imported", "source", source, "file", name, "outcome", res.Outcome, "new", counts.New, "unchanged", counts.Unchanged, "quarantined", counts.Quarantined, "err", ierr, "moved_to", moved)
	if err != nil {
		return res, fmt.Errorf("filedrop: %s: %w", name, err)
	}
	return res, nil
}

// quarantineReport lists the file's quarantined records: position and
// reason. The store keeps them by time, so the file's are the last
// counts.Quarantined entries whose position names the file.
func (w *Watcher) quarantineReport(source, name string, at time.Time, counts ingest.Counts) (string, error) {
	all, err := w.Ingester.Store.Quarantined(source)
	if err != nil {
		return "", fmt.Errorf("filedrop: quarantine of %s: %w", name, err)
	}
	var mine []record.Quarantined
	for _, q := range all {
		if strings.HasPrefix(q.Pos, name+":") || q.Pos == name {
			mine = append(mine, q)
		}
	}
	if len(mine) > counts.Quarantined {
		mine = mine[len(mine)-counts.Quarantined:]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "file: %s\nsource: %s\nat: %s\nrecords: %d accepted (%d new, %d unchanged, %d source errors), %d quarantined\n\n",
		name, source, at.UTC().Format(time.RFC3339), counts.New+counts.Unchanged+counts.SourceErrors, counts.New, counts.Unchanged, counts.SourceErrors, counts.Quarantined)
	for _, q := range mine {
		fmt.Fprintf(&b, "%s\t%s\n", q.Pos, q.Reason)
	}
	return b.String(), nil
}

// moveTo renames path into dir under a timestamp prefix, adding a counter
// when that name is taken. It returns the new path.
func moveTo(path, dir string, now time.Time) (string, error) {
	base := now.UTC().Format("20060102T150405Z") + "_" + filepath.Base(path)
	for i := 0; ; i++ {
		name := base
		if i > 0 {
			name = fmt.Sprintf("%s_%d_%s", now.UTC().Format("20060102T150405Z"), i, filepath.Base(path))
		}
		dest := filepath.Join(dir, name)
		if _, err := os.Lstat(dest); err == nil {
			continue
		}
		if err := os.Rename(path, dest); err != nil {
			return "", err
		}
		return dest, nil
	}
}

func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return sumHex(h), nil
}

func sumHex(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }
