package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Resolved is a record as it stood at a time T.
type Resolved struct {
	ID RecordID
	// Current is the content as of T: the version the newest successful
	// observation at or before T saw. Nil when there is none.
	Current *Version
	// History holds every version up to Current, oldest first, when the
	// caller asked for the source's history; otherwise only Current.
	History []Version
	// LastObserved is when the record was last observed at or before T,
	// successfully or not; LastSuccess when it was last fetched without an
	// error (its last confirmation before T).
	LastObserved time.Time
	LastSuccess  time.Time
	// Error is the source's error when the newest observation at or before
	// T was one.
	Error string
}

// ScanOptions say what a read as of T returns.
type ScanOptions struct {
	At time.Time
	// History names the sources whose full version history (up to T) is
	// wanted; other sources return only the current version.
	History map[string]bool
	// Raw asks for each version's raw bytes; without it Version.Raw is
	// nil, which spares a screening of the whole store from copying them.
	Raw bool
}

// Subject returns every record of one subject as of opts.At.
func (s *Store) Subject(subject string, opts ScanOptions) ([]Resolved, error) {
	var out []Resolved
	err := s.db.View(func(txn *badger.Txn) (err error) {
		out, err = s.subjectIn(txn, subject, opts)
		return err
	})
	return out, err
}

func (s *Store) subjectIn(txn *badger.Txn, subject string, opts ScanOptions) ([]Resolved, error) {
	s.subjectReads.Add(1)
	var out []Resolved
	err := scan(txn, subjectPrefix(subject), opts, func(_ string, recs []Resolved) error {
		out = recs
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", subject, err)
	}
	return out, nil
}

// SubjectReads counts the subjects read one at a time since the store was
// opened (Subject, Reader.Subject): what a check costs, for tests and
// metrics.
func (s *Store) SubjectReads() uint64 { return s.subjectReads.Load() }

// Scan calls fn for every subject in key order with its records as of
// opts.At. The slices passed to fn are fn's to keep.
func (s *Store) Scan(opts ScanOptions, fn func(subject string, recs []Resolved) error) error {
	return s.db.View(func(txn *badger.Txn) error {
		return scan(txn, []byte{'r'}, opts, fn)
	})
}

func scan(txn *badger.Txn, prefix []byte, opts ScanOptions, fn func(string, []Resolved) error) error {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: false})
	defer it.Close()
	at := opts.At.UnixNano()
	var (
		subject string
		recs    []Resolved
	)
	flush := func() error {
		if len(recs) == 0 {
			return nil
		}
		err := fn(subject, recs)
		recs = nil
		return err
	}
	it.Rewind()
	for it.Valid() {
		k := it.Item().Key()
		id, kind, _, err := parseRecordKey(k)
		if err != nil {
			return err
		}
		if kind != kindHead {
			return fmt.Errorf("record %s: key of kind %q without a head", id, kind)
		}
		if id.Subject != subject {
			if err := flush(); err != nil {
				return err
			}
			subject = id.Subject
		}
		rp := append([]byte(nil), k[:len(k)-1]...)
		it.Next()
		r, ok, err := resolve(it, rp, id, at, opts.History[id.Source], opts.Raw)
		if err != nil {
			return fmt.Errorf("record %s: %w", id, err)
		}
		if ok {
			recs = append(recs, r)
		}
	}
	return flush()
}

// resolve reads one record as of at (Unix nanoseconds). The iterator
// stands on the key after the record's head; on return it stands on the
// next record's head (or is exhausted). It walks the record's keys with
// Next only: a record has a handful of keys, and a Seek costs a merge
// across every level of the tree. ok is false when the record had no
// observation at or before the time.
//
// With history, History follows the observations up to at: one entry per
// run of observations that saw the same version, oldest first, whose
// FirstObserved is when the run began. Content seen, replaced and seen
// again appears twice, as the changes it was.
func resolve(it *badger.Iterator, rp []byte, id RecordID, at int64, history, withRaw bool) (Resolved, bool, error) {
	r := Resolved{ID: id}
	n := len(rp)
	want, found := uint32(0), false
	type seen struct {
		at      int64
		version uint32
	}
	var runs []seen // newest first while reading
	// Observations, newest first.
	for ; it.Valid(); it.Next() {
		k := it.Item().Key()
		if len(k) != n+9 || k[n] != kindObservation || !bytes.HasPrefix(k, rp) {
			break
		}
		ts := int64(^binary.BigEndian.Uint64(k[n+1:]))
		if ts > at || (found && !history) {
			continue
		}
		var o observation
		if err := it.Item().Value(func(b []byte) (err error) { o, err = decodeObservation(b); return err }); err != nil {
			return r, false, err
		}
		if r.LastObserved.IsZero() {
			r.LastObserved = time.Unix(0, ts).UTC()
			r.Error = o.Error
		}
		if o.Error != "" || o.Version == 0 {
			continue
		}
		if !found {
			r.LastSuccess = time.Unix(0, ts).UTC()
			want = o.Version
			found = true
		}
		if history {
			if len(runs) > 0 && runs[len(runs)-1].version == o.Version {
				runs[len(runs)-1].at = ts // the run began earlier
			} else {
				runs = append(runs, seen{ts, o.Version})
			}
		}
	}
	// Versions: only those the observations up to at saw.
	needed := func(v uint32) bool {
		if v == want {
			return true
		}
		for _, s := range runs {
			if s.version == v {
				return true
			}
		}
		return false
	}
	versions := map[uint32]*Version{}
	for ; it.Valid(); it.Next() {
		k := it.Item().Key()
		if len(k) != n+5 || k[n] != kindVersion || !bytes.HasPrefix(k, rp) {
			break
		}
		v := binary.BigEndian.Uint32(k[n+1:])
		if !found || !needed(v) {
			continue
		}
		ver := &Version{}
		err := it.Item().Value(func(b []byte) error {
			if err := decodeVersion(v, b, ver); err != nil {
				return err
			}
			// b is only valid inside this function: keep copies.
			ver.Parsed = append([]byte(nil), ver.Parsed...)
			if withRaw {
				ver.Raw = append([]byte(nil), ver.Raw...)
			} else {
				ver.Raw = nil
			}
			return nil
		})
		if err != nil {
			return r, false, fmt.Errorf("version %d: %w", v, err)
		}
		versions[v] = ver
	}
	if r.LastObserved.IsZero() {
		return r, false, nil
	}
	if !found {
		return r, true, nil
	}
	if !history {
		runs = []seen{{0, want}}
	}
	for i := len(runs) - 1; i >= 0; i-- {
		ver, ok := versions[runs[i].version]
		if !ok {
			return r, false, fmt.Errorf("version %d is missing", runs[i].version)
		}
		entry := *ver
		if history {
			entry.FirstObserved = time.Unix(0, runs[i].at).UTC()
		}
		r.History = append(r.History, entry)
	}
	r.Current = &r.History[len(r.History)-1]
	return r, true, nil
}

// Linked returns the subjects an index entry ties to a person pseudonym
// ('p') or a normalised address ('a').
func (s *Store) Linked(kind byte, value string) ([]string, error) {
	var out []string
	err := s.db.View(func(txn *badger.Txn) error {
		out = linkedIn(txn, kind, value)
		return nil
	})
	return out, err
}

func linkedIn(txn *badger.Txn, kind byte, value string) []string {
	var out []string
	prefix := indexPrefix(kind, value)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		out = append(out, string(it.Item().Key()[len(prefix):]))
	}
	return out
}

// PersonOrgs returns the organisations a person has or had a role in.
func (s *Store) PersonOrgs(pseudonym string) ([]string, error) { return s.Linked('p', pseudonym) }

// AddressOrgs returns the organisations ever registered at an address.
func (s *Store) AddressOrgs(normalized string) ([]string, error) { return s.Linked('a', normalized) }

// SourceSubjects lists the subjects with at least one record of a source.
func (s *Store) SourceSubjects(source string) ([]string, error) {
	var out []string
	err := s.db.View(func(txn *badger.Txn) error {
		out = sourceSubjectsIn(txn, source)
		return nil
	})
	return out, err
}

func sourceSubjectsIn(txn *badger.Txn, source string) []string {
	var out []string
	prefix := sourcePrefix(source)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	defer it.Close()
	last := ""
	for it.Rewind(); it.Valid(); it.Next() {
		rest := it.Item().Key()[len(prefix):]
		i := bytes.IndexByte(rest, sep)
		if i < 0 {
			continue
		}
		if subj := string(rest[:i]); subj != last {
			out = append(out, subj)
			last = subj
		}
	}
	return out
}
