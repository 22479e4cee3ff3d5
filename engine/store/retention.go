package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Retention says what Prune removes. A zero time removes nothing of its
// kind.
type Retention struct {
	// ConfirmationsBefore: a confirmation made before it is removed when
	// a later confirmation of the same stored assessment supersedes it.
	// The last confirmation of each stored assessment (how long its
	// result held) stays while the assessment stays.
	ConfirmationsBefore time.Time
	// AssessmentsBefore: a stored assessment last confirmed before it is
	// removed, with its confirmations, unless it is the subject's newest
	// assessment or its follow-up result.
	AssessmentsBefore time.Time
	// Keep are, by subject, the times of assessments that stay whatever
	// their age: the evidence of decisions, the assessments open alerts
	// follow. An assessment shown at such a time (stored or confirmed)
	// stays, and so does the stored assessment a kept confirmation shows.
	Keep map[string][]time.Time
	// DryRun counts what would be removed and removes nothing.
	DryRun bool
}

// Pruned counts what Prune removed (or, in a dry run, would remove).
type Pruned struct {
	Subjects      int   // subjects with assessments, all read
	Assessments   int   // stored assessments removed
	Confirmations int   // confirmations removed
	Bytes         int64 // their keys and values (what LiveSize counts)
}

// Prune removes superseded confirmations and old assessments as r says.
// It never removes what a waiting event in the outbox refers to, a
// subject's newest assessment or follow-up result, or what r.Keep names;
// every assessment that stays reads back as before (Assessments), so
// that `assessments --verify` and a decision's basis find what they
// need. The space is reclaimed as Badger compacts (Compact).
func (s *Store) Prune(ctx context.Context, r Retention) (Pruned, error) {
	var (
		out  Pruned
		dels [][]byte
	)
	err := s.db.View(func(txn *badger.Txn) error {
		referred, err := outboxRefs(txn)
		if err != nil {
			return err
		}
		subjects, err := assessedSubjects(txn)
		if err != nil {
			return err
		}
		for _, subject := range subjects {
			if err := ctx.Err(); err != nil {
				return err
			}
			out.Subjects++
			d, err := pruneSubject(txn, subject, r, referred, &out)
			if err != nil {
				return fmt.Errorf("store: prune %s: %w", subject, err)
			}
			dels = append(dels, d...)
		}
		return nil
	})
	if err != nil || r.DryRun {
		return out, err
	}
	for len(dels) > 0 {
		n := min(len(dels), 5000)
		if err := s.Update(func(tx *Tx) error {
			for _, k := range dels[:n] {
				if err := tx.txn.Delete(k); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return out, fmt.Errorf("store: prune: %w", err)
		}
		dels = dels[n:]
	}
	return out, nil
}

// storedEntry is a stored assessment as Prune sees it.
type storedEntry struct {
	key  []byte
	ref  storedRef
	size int64
	// last is when its result last held: its newest confirmation's time,
	// or its own.
	last  time.Time
	keep  bool
	confs []confEntry // newest first
}

type confEntry struct {
	key  []byte
	c    confirmation
	size int64
}

// pruneSubject returns the keys of a subject to remove, counting them.
func pruneSubject(txn *badger.Txn, subject string, r Retention, referred map[string]bool, out *Pruned) ([][]byte, error) {
	keep := map[int64]bool{}
	for _, t := range r.Keep[subject] {
		keep[t.UnixNano()] = true
	}
	var full []*storedEntry
	byRef := map[storedRef]*storedEntry{}
	prefix := assessmentPrefix(subject)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	for it.Rewind(); it.Valid(); it.Next() {
		item := it.Item()
		k := item.Key()[len(prefix):]
		if len(k) < 8 {
			continue
		}
		at := int64(binary.BigEndian.Uint64(k))
		e := &storedEntry{key: item.KeyCopy(nil), ref: storedRef{at, rulesetTag(string(k[8:]))}, size: entrySize(item),
			last: time.Unix(0, at).UTC()}
		e.keep = keep[at] || referred[string(e.key)]
		full = append(full, e)
		byRef[e.ref] = e
	}
	it.Close()
	if len(full) == 0 {
		return nil, nil
	}
	// The newest stays: it is what the subject's pages show.
	newest := full[0]
	for _, e := range full[1:] {
		if e.ref.at >= newest.ref.at {
			newest = e
		}
	}
	newest.keep = true
	res, ok, err := newResultReaderAt(txn, subject)
	if err != nil {
		return nil, err
	}
	if ok {
		for _, e := range full {
			if e.ref.at == res.Stored.UnixNano() {
				e.keep = true // the follow-up result's assessment
			}
		}
	}
	var dels [][]byte
	cprefix := append(resultKey(subject), sep)
	cit := txn.NewIterator(badger.IteratorOptions{Prefix: cprefix, PrefetchValues: true, PrefetchSize: 16})
	for cit.Rewind(); cit.Valid(); cit.Next() {
		item := cit.Item()
		var c confirmation
		if err := item.Value(func(v []byte) (err error) { c, err = decodeConfirmation(item.Key()[len(cprefix):], v); return err }); err != nil {
			cit.Close()
			return nil, err
		}
		ce := confEntry{key: item.KeyCopy(nil), c: c, size: entrySize(item)}
		e := byRef[c.ref()]
		if e == nil { // its assessment is gone
			dels = append(dels, ce.key)
			out.Confirmations++
			out.Bytes += ce.size
			continue
		}
		if keep[c.At.UnixNano()] {
			e.keep = true
		}
		if c.At.After(e.last) {
			e.last = c.At
		}
		e.confs = append(e.confs, ce)
	}
	cit.Close()
	for _, e := range full {
		if !e.keep && !r.AssessmentsBefore.IsZero() && e.last.Before(r.AssessmentsBefore) {
			dels = append(dels, e.key)
			out.Assessments++
			out.Bytes += e.size
			for _, ce := range e.confs {
				dels = append(dels, ce.key)
				out.Confirmations++
				out.Bytes += ce.size
			}
			continue
		}
		// The newest confirmation of each assessment stays.
		for i, ce := range e.confs {
			if i == 0 || keep[ce.c.At.UnixNano()] || r.ConfirmationsBefore.IsZero() || !ce.c.At.Before(r.ConfirmationsBefore) {
				continue
			}
			dels = append(dels, ce.key)
			out.Confirmations++
			out.Bytes += ce.size
		}
	}
	return dels, nil
}

// newResultReaderAt reads one subject's result in a read transaction.
func newResultReaderAt(txn *badger.Txn, subject string) (Result, bool, error) {
	rr := newResultReader(txn, resultKey(subject))
	defer rr.close()
	return rr.read(subject)
}

// outboxRefs are the keys of the stored assessments that waiting events
// refer to.
func outboxRefs(txn *badger.Txn) (map[string]bool, error) {
	out := map[string]bool{}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{'o', sep}, PrefetchValues: true, PrefetchSize: 64})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		var e struct {
			Ref *eventRef `json:"ref"`
		}
		if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &e) }); err != nil {
			return nil, fmt.Errorf("store: outbox entry %x: %w", it.Item().Key(), err)
		}
		if e.Ref != nil {
			out[string(e.Ref.Key)] = true
		}
	}
	return out, nil
}

// Compact rewrites the store's tables into one level, dropping what was
// deleted or overwritten, and then the value log's stale files: after
// Prune, the space comes back. It reads and writes the whole store; run
// it when the store is quiet (vaksam gc). It compacts the tables on disk,
// not Badger's memory table: what was written since the store opened
// (Prune's deletions among it) reaches the tables when the store closes,
// so compact a store reopened after pruning, as vaksam gc does.
func (s *Store) Compact(workers int) error {
	if err := s.db.Flatten(max(workers, 1)); err != nil {
		return fmt.Errorf("store: compact: %w", err)
	}
	if _, err := s.CollectGarbage(0.5); err != nil {
		return err
	}
	return nil
}

// Size is the size of the files of a store's directory: measured while
// the store is closed, what it takes on disk (an open store's value log
// is preallocated).
func Size(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			n += info.Size()
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: size of %s: %w", dir, err)
	}
	return n, nil
}
