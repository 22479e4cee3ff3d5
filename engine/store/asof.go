package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
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
	// Only, when set, says which records are read: the keys of the others
	// are stepped over without reading a value, and a subject none of
	// whose records it accepts is not passed on.
	Only func(id RecordID) bool
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
	sc := scanner{at: opts.At.UnixNano(), opts: opts, sources: map[string]string{}}
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
		id, kind, err := sc.parse(k, subject)
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
		sc.rp = append(sc.rp[:0], k[:len(k)-1]...)
		it.Next()
		if opts.Only != nil && !opts.Only(id) {
			for it.Valid() && bytes.HasPrefix(it.Item().Key(), sc.rp) {
				it.Next()
			}
			continue
		}
		r, ok, err := sc.resolve(it, id, opts.History[id.Source])
		if err != nil {
			return fmt.Errorf("record %s: %w", id, err)
		}
		if ok {
			recs = append(recs, r)
		}
	}
	return flush()
}

// scanner holds what one scan reuses from record to record, so that
// reading a record as of a time allocates little more than what it
// returns: the record prefix, the runs and versions of the record being
// read, the source names met, and the block the versions' parsed bytes
// are copied into.
type scanner struct {
	at      int64 // Unix nanoseconds
	opts    ScanOptions
	rp      []byte
	runs    []run
	vers    []Version
	sources map[string]string
	arena   []byte
}

// run is a run of observations that saw the same version: when it began.
type run struct {
	at      int64
	version uint32
}

// arenaBlock is the size of the blocks parsed bytes are carved from; a
// larger value gets a block of its own. A scan's blocks start at
// arenaFirst and double up to arenaBlock: a read of one subject (a
// pre-award check reads a handful) does not allocate 64 KB for a few.
const (
	arenaBlock = 64 << 10
	arenaFirst = 2 << 10
)

// keep copies b into the scanner's current block and returns the copy,
// which stays valid (and unchanged) as long as the caller holds it.
func (sc *scanner) keep(b []byte) []byte {
	if len(b) > arenaBlock/4 {
		return append([]byte(nil), b...)
	}
	if cap(sc.arena)-len(sc.arena) < len(b) {
		size := min(arenaBlock, max(2*cap(sc.arena), arenaFirst))
		for size < len(b) {
			size *= 2
		}
		sc.arena = make([]byte, 0, size)
	}
	n := len(sc.arena)
	sc.arena = append(sc.arena, b...)
	return sc.arena[n:len(sc.arena):len(sc.arena)]
}

// parse splits a key under 'r' into the record id and the kind, reusing
// the subject string when the key is of subject (the previous key's) and
// one string per source name.
func (sc *scanner) parse(k []byte, subject string) (RecordID, byte, error) {
	var id RecordID
	if len(k) == 0 || k[0] != 'r' {
		return id, 0, errors.New("not a record key")
	}
	var parts [3][]byte
	p := 1
	for i := 0; i < 3; i++ {
		j := bytes.IndexByte(k[p:], sep)
		if j < 0 {
			return id, 0, fmt.Errorf("record key %q: truncated", k)
		}
		parts[i] = k[p : p+j]
		p += j + 1
	}
	if p >= len(k) {
		return id, 0, fmt.Errorf("record key %q: no kind", k)
	}
	id.Subject = subject
	if string(parts[0]) != subject {
		id.Subject = string(parts[0])
	}
	src, ok := sc.sources[string(parts[1])]
	if !ok {
		src = string(parts[1])
		sc.sources[src] = src
	}
	id.Source = src
	if len(parts[2]) > 0 {
		id.Key = string(parts[2])
	}
	return id, k[p], nil
}

// resolve reads one record as of sc.at. The iterator stands on the key
// after the record's head (whose prefix is sc.rp); on return it stands on
// the next record's head (or is exhausted). It walks the record's keys
// with Next only: a record has a handful of keys, and a Seek costs a merge
// across every level of the tree. ok is false when the record had no
// observation at or before the time.
//
// With history, History follows the observations up to at: one entry per
// run of observations that saw the same version, oldest first, whose
// FirstObserved is when the run began. Content seen, replaced and seen
// again appears twice, as the changes it was.
func (sc *scanner) resolve(it *badger.Iterator, id RecordID, history bool) (Resolved, bool, error) {
	r := Resolved{ID: id}
	rp, at := sc.rp, sc.at
	n := len(rp)
	want, found := uint32(0), false
	runs := sc.runs[:0] // newest first while reading
	defer func() { sc.runs = runs[:0] }()
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
				runs = append(runs, run{ts, o.Version})
			}
		}
	}
	if !history {
		runs = append(runs[:0], run{0, want})
	}
	// Versions: only those the observations up to at saw.
	needed := func(v uint32) bool {
		for _, s := range runs {
			if s.version == v {
				return true
			}
		}
		return false
	}
	vers := sc.vers[:0]
	defer func() { clear(vers); sc.vers = vers[:0] }()
	for ; it.Valid(); it.Next() {
		k := it.Item().Key()
		if len(k) != n+5 || k[n] != kindVersion || !bytes.HasPrefix(k, rp) {
			break
		}
		v := binary.BigEndian.Uint32(k[n+1:])
		if !found || !needed(v) {
			continue
		}
		vers = append(vers, Version{})
		ver := &vers[len(vers)-1]
		err := it.Item().Value(func(b []byte) error {
			if err := decodeVersion(v, b, ver); err != nil {
				return err
			}
			// b is only valid inside this function: keep copies.
			ver.Parsed = sc.keep(ver.Parsed)
			if sc.opts.Raw {
				ver.Raw = append([]byte(nil), ver.Raw...)
			} else {
				ver.Raw = nil
			}
			return nil
		})
		if err != nil {
			return r, false, fmt.Errorf("version %d: %w", v, err)
		}
	}
	if r.LastObserved.IsZero() {
		return r, false, nil
	}
	if !found {
		return r, true, nil
	}
	r.History = make([]Version, 0, len(runs))
	for i := len(runs) - 1; i >= 0; i-- {
		j := slices.IndexFunc(vers, func(v Version) bool { return v.N == runs[i].version })
		if j < 0 {
			return r, false, fmt.Errorf("version %d is missing", runs[i].version)
		}
		entry := vers[j]
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
