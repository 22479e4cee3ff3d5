package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

func assessmentKey(subject string, at time.Time, ruleset string) []byte {
	b := []byte{'a', sep}
	b = append(b, subject...)
	b = append(b, sep)
	b = binary.BigEndian.AppendUint64(b, uint64(at.UnixNano()))
	return append(b, ruleset...)
}

// StoredAssessment is an assessment's JSON with what it is stored under.
type StoredAssessment struct {
	Subject string
	At      time.Time
	Ruleset string
	Data    []byte
}

// Assessments calls fn with every stored assessment of a subject, oldest
// first.
func (s *Store) Assessments(subject string, fn func(at time.Time, data []byte) error) error {
	prefix := append(append([]byte{'a', sep}, subject...), sep)
	return s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 16})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()[len(prefix):]
			if len(k) < 8 {
				continue
			}
			at := time.Unix(0, int64(binary.BigEndian.Uint64(k))).UTC()
			data, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			if err := fn(at, data); err != nil {
				return err
			}
		}
		return nil
	})
}

// Result is what the newest published assessment of a subject said, kept
// to tell whether a new one changed the result:
//
//	l 0 <subject>   Result (JSON)
type Result struct {
	At      time.Time       `json:"at"`
	Digest  string          `json:"digest"`
	Summary json.RawMessage `json:"summary,omitempty"`
	// Name is the organisation's name as that assessment gave it, so that
	// organisations can be found by name (Results); empty in results
	// stored before it was kept.
	Name string `json:"name,omitempty"`
}

func resultKey(subject string) []byte { return append([]byte{'l', sep}, subject...) }

// Results calls fn with every subject's newest published result, in
// subject order.
func (s *Store) Results(fn func(subject string, r Result) error) error {
	prefix := []byte{'l', sep}
	return s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 256})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			subject := string(it.Item().Key()[len(prefix):])
			var r Result
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &r) }); err != nil {
				return fmt.Errorf("store: result %s: %w", subject, err)
			}
			if err := fn(subject, r); err != nil {
				return err
			}
		}
		return nil
	})
}

// LatestAssessment returns a subject's newest stored assessment (the
// latest time; of two at the same time, the last rule set in byte
// order), or ErrNotFound when it has none.
func (s *Store) LatestAssessment(subject string) (time.Time, []byte, error) {
	return s.LatestAssessmentWhere(subject, nil)
}

// LatestAssessmentWhere is LatestAssessment of the assessments keep (nil:
// every one) accepts: it reads them newest first until keep accepts one.
func (s *Store) LatestAssessmentWhere(subject string, keep func(data []byte) bool) (time.Time, []byte, error) {
	prefix := append(append([]byte{'a', sep}, subject...), sep)
	var (
		at   time.Time
		data []byte
	)
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, Reverse: true})
		defer it.Close()
		// In reverse, seek to the last key under the prefix.
		for it.Seek(append(append([]byte(nil), prefix...), 0xff)); it.Valid(); it.Next() {
			k := it.Item().Key()[len(prefix):]
			if len(k) < 8 {
				continue
			}
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			if keep != nil && !keep(v) {
				continue
			}
			at, data = time.Unix(0, int64(binary.BigEndian.Uint64(k))).UTC(), v
			return nil
		}
		return fmt.Errorf("assessment: %w", ErrNotFound)
	})
	if err != nil {
		return time.Time{}, nil, fmt.Errorf("store: %s: %w", subject, err)
	}
	return at, data, nil
}

// PutAssessment stores an assessment within the transaction.
func (tx *Tx) PutAssessment(a StoredAssessment) error {
	if err := tx.txn.Set(assessmentKey(a.Subject, a.At, a.Ruleset), a.Data); err != nil {
		return fmt.Errorf("store: assessment: %w", err)
	}
	return nil
}

// LastResult reads the subject's newest published result; ok is false
// when there is none.
func (tx *Tx) LastResult(subject string) (r Result, ok bool, err error) {
	item, err := tx.txn.Get(resultKey(subject))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return r, false, nil
	}
	if err == nil {
		err = item.Value(func(b []byte) error { return json.Unmarshal(b, &r) })
	}
	if err != nil {
		return r, false, fmt.Errorf("store: result %s: %w", subject, err)
	}
	return r, true, nil
}

// SetLastResult records the subject's newest published result.
func (tx *Tx) SetLastResult(subject string, r Result) error {
	data, err := json.Marshal(r)
	if err == nil {
		err = tx.txn.Set(resultKey(subject), data)
	}
	if err != nil {
		return fmt.Errorf("store: result %s: %w", subject, err)
	}
	return nil
}
