package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Pre-award screenings put an organisation on the watch list for a while;
// the store remembers the newest one per organisation:
//
//	w 0 <subject>    newest pre-award screening (Unix nanoseconds)

func watchKey(subject string) []byte { return append([]byte{'w', sep}, subject...) }

// MarkPreAward records a pre-award screening of subject at a time; an
// older time than the one stored is ignored.
func (s *Store) MarkPreAward(subject string, at time.Time) error {
	err := retry(context.Background(), func() error { return s.markPreAward(subject, at) })
	if err != nil {
		return fmt.Errorf("store: pre-award mark: %w", err)
	}
	return nil
}

// markPreAward is one try of MarkPreAward.
func (s *Store) markPreAward(subject string, at time.Time) error {
	return s.commit("watch list", func(txn *badger.Txn) error { return markPreAwardIn(txn, subject, at) })
}

// MarkPreAward records a pre-award screening within the transaction, as
// Store.MarkPreAward does: the assessment and the watch list in one
// commit.
func (tx *Tx) MarkPreAward(subject string, at time.Time) error {
	if err := markPreAwardIn(tx.txn, subject, at); err != nil {
		return fmt.Errorf("store: pre-award mark: %w", err)
	}
	return nil
}

func markPreAwardIn(txn *badger.Txn, subject string, at time.Time) error {
	k := watchKey(subject)
	if item, err := txn.Get(k); err == nil {
		var old int64
		if err := item.Value(func(b []byte) error { old = int64(binary.BigEndian.Uint64(b)); return nil }); err != nil {
			return err
		}
		if old >= at.UnixNano() {
			return nil
		}
	}
	return txn.Set(k, binary.BigEndian.AppendUint64(nil, uint64(at.UnixNano())))
}

// PreAwardSince lists the subjects screened before award at or after since
// (and not after until).
func (s *Store) PreAwardSince(since, until time.Time) ([]string, error) {
	var out []string
	prefix := []byte{'w', sep}
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var at int64
			if err := it.Item().Value(func(b []byte) error { at = int64(binary.BigEndian.Uint64(b)); return nil }); err != nil {
				return err
			}
			if at >= since.UnixNano() && at <= until.UnixNano() {
				out = append(out, string(it.Item().Key()[len(prefix):]))
			}
		}
		return nil
	})
	return out, err
}
