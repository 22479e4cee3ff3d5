package store

import (
	"encoding/binary"
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

// PutAssessment stores an assessment (JSON) of a subject as of at under a
// ruleset version. Screening again as of the same time with the same rules
// overwrites it with what must be the same result.
func (s *Store) PutAssessment(subject string, at time.Time, ruleset string, data []byte) error {
	err := s.db.Update(func(txn *badger.Txn) error {
		return txn.Set(assessmentKey(subject, at, ruleset), data)
	})
	if err != nil {
		return fmt.Errorf("store: assessment: %w", err)
	}
	return nil
}

// StoredAssessment is an assessment's JSON with what it is stored under.
type StoredAssessment struct {
	Subject string
	At      time.Time
	Ruleset string
	Data    []byte
}

// PutAssessments stores many assessments in one batch.
func (s *Store) PutAssessments(items []StoredAssessment) error {
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	for _, it := range items {
		if err := wb.Set(assessmentKey(it.Subject, it.At, it.Ruleset), it.Data); err != nil {
			return fmt.Errorf("store: assessments: %w", err)
		}
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("store: assessments: %w", err)
	}
	return nil
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
