package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/vaksam/vaksam/engine/record"
)

// The network index keeps, for every record of the sources a whole-store
// screening's network reads of every subject (the registries, roles,
// trading bans), what it reads of the record as it stands after its
// newest successful observation:
//
//	n 0 <subject> 0 <source> 0 <key>   version, last success, bankruptcy first seen, facts
//	n 1                                the index is complete (written once built)
//
// The facts are the version's content with only the fields the network
// reads (NetworkRecord), in a compact binary form. An entry answers for
// any time at or after the record's last success: the content, the last
// success and the version history up to such a time are those of the
// whole record. For an earlier time it does not, and Network says so
// (ErrNetworkNotCurrent): the caller reads the records instead.
//
// The entry is written in the transaction that writes the record: an
// observation in time order (after the record's newest success) updates
// it from the entry before; anything else (an observation out of order,
// one at the same time as the newest success, an error that may replace a
// success) rebuilds it from the record's observations and versions. An
// error observation after the newest success changes nothing the network
// reads.

// networkSources are the sources the network index covers.
var networkSources = []string{record.Bolagsverket, record.BolagsverketBulk, record.SCBBulk, record.Roles, record.Naringsforbud}

func isNetworkSource(src string) bool { return slices.Contains(networkSources, src) }

func isRegistrySource(src string) bool {
	return src == record.Bolagsverket || src == record.BolagsverketBulk || src == record.SCBBulk
}

// networkDone marks a complete network index.
var networkDone = []byte{'n', 1}

// ErrNoNetworkIndex is returned by Network on a store opened read-only
// that a version without the network index wrote.
var ErrNoNetworkIndex = errors.New("store: no network index")

// ErrNetworkNotCurrent is returned by Network for a time before the last
// success of some record the index covers: the index answers only as of
// a time at or after every such record's newest success.
var ErrNetworkNotCurrent = errors.New("store: the network index does not cover the time")

func networkKey(id RecordID) []byte {
	b := make([]byte, 0, 4+len(id.Subject)+len(id.Source)+len(id.Key))
	b = append(b, 'n', sep)
	b = append(b, id.Subject...)
	b = append(b, sep)
	b = append(b, id.Source...)
	b = append(b, sep)
	return append(b, id.Key...)
}

// NetworkRecord is a record of the network index: what the network reads
// of a record as of any time at or after its last success.
type NetworkRecord struct {
	ID          RecordID
	Version     uint32    // the current version
	LastSuccess time.Time // UTC, as Resolved.LastSuccess
	// Company is a registry record's content with the fields the network
	// reads: Name, Registered, Deregistered, DeregisteredReason,
	// Proceedings (Code, From, Ended), Address (Street, PostalCode) and
	// Owner (ID).
	Company *record.Company
	// BankruptcySeen is, for a registry record, when its history first
	// showed a bankruptcy (a proceeding KK): the FirstObserved of the
	// first version of its history (Resolved.History) that has one; zero
	// if none has.
	BankruptcySeen time.Time
	// Role is a role record's content: Orgnr, Person.ID, Role, From, To.
	Role *record.Role
	// Ban is a trading-ban record's content, whole.
	Ban *record.Ban
}

// networkEntry is the value of an index entry.
type networkEntry struct {
	version     uint32
	lastSuccess int64 // Unix nanoseconds
	kk          int64 // Unix nanoseconds; 0 when no version has shown a bankruptcy
	facts       []byte
}

func (e networkEntry) encode() []byte {
	b := make([]byte, 0, 24+len(e.facts))
	b = binary.AppendUvarint(b, uint64(e.version))
	b = binary.AppendVarint(b, e.lastSuccess)
	b = binary.AppendVarint(b, e.kk)
	return append(b, e.facts...)
}

func decodeNetworkEntry(b []byte) (networkEntry, error) {
	var e networkEntry
	v, n := binary.Uvarint(b)
	if n <= 0 || v > math.MaxUint32 {
		return e, errors.New("network index: truncated entry")
	}
	e.version, b = uint32(v), b[n:]
	if e.lastSuccess, n = binary.Varint(b); n <= 0 {
		return e, errors.New("network index: truncated entry")
	}
	b = b[n:]
	if e.kk, n = binary.Varint(b); n <= 0 {
		return e, errors.New("network index: truncated entry")
	}
	e.facts = b[n:]
	return e, nil
}

// networkFacts encodes what the network reads of a record's content:
// from the parsed value the connector gave when it is of the source's
// type, else from its JSON.
func networkFacts(source string, value any, parsed []byte) ([]byte, bool, error) {
	switch {
	case isRegistrySource(source):
		c, err := contentOf[record.Company](value, parsed)
		return encodeCompany(&c), hasBankruptcy(&c), err
	case source == record.Roles:
		r, err := contentOf[record.Role](value, parsed)
		b := appendString(nil, r.Orgnr)
		b = appendString(b, r.Person.ID)
		b = appendString(b, r.Role)
		b = appendExactTime(b, r.From)
		return appendExactTime(b, r.To), false, err
	case source == record.Naringsforbud:
		ban, err := contentOf[record.Ban](value, parsed)
		b := appendString(nil, ban.Person.ID)
		b = appendString(b, ban.Person.Name)
		b = binary.AppendVarint(b, int64(ban.Person.BirthYear))
		b = append(b, boolByte(ban.Person.Coordination))
		b = appendExactTime(b, ban.From)
		b = appendExactTime(b, ban.To)
		b = appendString(b, ban.Type)
		return appendString(b, ban.DecidedBy), false, err
	}
	return nil, false, fmt.Errorf("network index: source %s is not indexed", source)
}

// contentOf is a record's content as a T: value itself when the connector
// gave a T (or *T), else decoded from the parsed JSON.
func contentOf[T any](value any, parsed []byte) (T, error) {
	switch v := value.(type) {
	case T:
		return v, nil
	case *T:
		return *v, nil
	}
	var v T
	if err := json.Unmarshal(parsed, &v); err != nil {
		return v, fmt.Errorf("network index: %w", err)
	}
	return v, nil
}

func encodeCompany(c *record.Company) []byte {
	b := appendString(nil, c.Name)
	b = appendExactTime(b, c.Registered)
	b = appendExactTime(b, c.Deregistered)
	b = appendString(b, c.DeregisteredReason)
	b = appendString(b, c.Address.Street)
	b = appendString(b, c.Address.PostalCode)
	b = binary.AppendUvarint(b, uint64(len(c.Proceedings)))
	for _, p := range c.Proceedings {
		b = appendString(b, p.Code)
		b = appendExactTime(b, p.From)
		b = append(b, boolByte(p.Ended))
	}
	if c.Owner == nil {
		return append(b, 0)
	}
	return appendString(append(b, 1), c.Owner.ID)
}

func hasBankruptcy(c *record.Company) bool {
	return slices.ContainsFunc(c.Proceedings, func(p record.Proceeding) bool { return p.Code == "KK" })
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// appendExactTime writes a time so that it decodes to the same instant and
// offset (time.Time's binary form): the zero time as a single 0.
func appendExactTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, 0)
	}
	n := len(b)
	b, _ = t.AppendBinary(append(b, 0))
	b[n] = byte(len(b) - n - 1)
	return b
}

func (r *factReader) exactTime() time.Time {
	if len(r.b) == 0 {
		r.fail()
		return time.Time{}
	}
	n := int(r.b[0])
	if len(r.b) < 1+n {
		r.fail()
		return time.Time{}
	}
	var t time.Time
	if n > 0 {
		if err := t.UnmarshalBinary(r.b[1 : 1+n]); err != nil {
			r.fail()
		}
	}
	r.b = r.b[1+n:]
	return t
}

func (r *factReader) byte() byte {
	if len(r.b) == 0 {
		r.fail()
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

// decodeFacts fills nr's content from an entry's facts.
func decodeFacts(nr *NetworkRecord, facts []byte) error {
	r := factReader{b: facts}
	switch src := nr.ID.Source; {
	case isRegistrySource(src):
		c := &record.Company{Name: r.string(), Registered: r.exactTime(), Deregistered: r.exactTime(), DeregisteredReason: r.string()}
		c.Address.Street, c.Address.PostalCode = r.string(), r.string()
		n, k := binary.Uvarint(r.b)
		if k <= 0 || n > uint64(len(r.b)) {
			return errors.New("network index: truncated entry")
		}
		r.b = r.b[k:]
		if n > 0 {
			c.Proceedings = make([]record.Proceeding, n)
			for i := range c.Proceedings {
				c.Proceedings[i] = record.Proceeding{Code: r.string(), From: r.exactTime(), Ended: r.byte() == 1}
			}
		}
		if r.byte() == 1 {
			c.Owner = &record.PersonRef{ID: r.string()}
		}
		nr.Company = c
	case src == record.Roles:
		nr.Role = &record.Role{Orgnr: r.string(), Person: record.PersonRef{ID: r.string()}, Role: r.string(), From: r.exactTime(), To: r.exactTime()}
	case src == record.Naringsforbud:
		ban := &record.Ban{Person: record.PersonRef{ID: r.string(), Name: r.string(), BirthYear: int(r.varint()), Coordination: r.byte() == 1}}
		ban.From, ban.To, ban.Type, ban.DecidedBy = r.exactTime(), r.exactTime(), r.string(), r.string()
		nr.Ban = ban
	default:
		return fmt.Errorf("network index: source %s is not indexed", src)
	}
	if r.err == nil && len(r.b) != 0 {
		return errors.New("network index: trailing bytes in an entry")
	}
	return r.err
}

// Network passes every record of the network index to fn, in the key
// order of a Scan (by subject, then source, then key), read in one
// transaction. The index answers as of at only when at is at or after
// the newest success of every record it covers: otherwise it returns
// ErrNetworkNotCurrent, having passed part of the records. On a
// read-only store without the index it returns ErrNoNetworkIndex.
func (s *Store) Network(at time.Time, fn func(NetworkRecord) error) error {
	if !s.networkIndexed {
		return ErrNoNetworkIndex
	}
	return s.db.View(func(txn *badger.Txn) error {
		return networkIn(txn, []byte{'n', sep}, at, fn)
	})
}

// NetworkOf returns the network index's records of one subject as of at,
// in key order, read in one transaction: ErrNetworkNotCurrent when at is
// before the newest success of one of them, ErrNoNetworkIndex on a
// read-only store without the index.
func (s *Store) NetworkOf(subject string, at time.Time) ([]NetworkRecord, error) {
	var out []NetworkRecord
	err := s.db.View(func(txn *badger.Txn) (err error) {
		out, err = s.networkOf(txn, subject, at)
		return err
	})
	return out, err
}

func (s *Store) networkOf(txn *badger.Txn, subject string, at time.Time) ([]NetworkRecord, error) {
	if !s.networkIndexed {
		return nil, ErrNoNetworkIndex
	}
	s.subjectReads.Add(1)
	prefix := make([]byte, 0, 3+len(subject))
	prefix = append(append(append(prefix, 'n', sep), subject...), sep)
	var out []NetworkRecord
	err := networkIn(txn, prefix, at, func(nr NetworkRecord) error {
		out = append(out, nr)
		return nil
	})
	return out, err
}

// networkIn passes the network index's records under prefix (the index's
// own, or one subject's) to fn, as Network does.
func networkIn(txn *badger.Txn, prefix []byte, at time.Time, fn func(NetworkRecord) error) error {
	ts := at.UnixNano()
	whole := []byte{'n', sep}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	defer it.Close()
	sources := map[string]string{}
	var subject string
	for it.Rewind(); it.Valid(); it.Next() {
		k := it.Item().Key()
		rest := k[len(whole):]
		i := bytes.IndexByte(rest, sep)
		j := -1
		if i >= 0 {
			j = bytes.IndexByte(rest[i+1:], sep)
		}
		if j < 0 {
			return fmt.Errorf("network index: bad key %q", k)
		}
		subj, source, key := rest[:i], rest[i+1:i+1+j], rest[i+2+j:]
		if string(subj) != subject {
			subject = string(subj)
		}
		src, ok := sources[string(source)]
		if !ok {
			src = string(source)
			sources[src] = src
		}
		nr := NetworkRecord{ID: RecordID{Subject: subject, Source: src, Key: string(key)}}
		err := it.Item().Value(func(v []byte) error {
			e, err := decodeNetworkEntry(v)
			if err != nil {
				return err
			}
			if e.lastSuccess > ts {
				return ErrNetworkNotCurrent
			}
			nr.Version, nr.LastSuccess = e.version, time.Unix(0, e.lastSuccess).UTC()
			if e.kk != 0 {
				nr.BankruptcySeen = time.Unix(0, e.kk).UTC()
			}
			return decodeFacts(&nr, e.facts)
		})
		if errors.Is(err, ErrNetworkNotCurrent) {
			return err
		}
		if err != nil {
			return fmt.Errorf("network index %s: %w", nr.ID, err)
		}
		if err := fn(nr); err != nil {
			return err
		}
	}
	return nil
}

// indexNetwork keeps a network record's entry current after putOne wrote
// an observation of it: value is the observation's parsed content (nil
// for an error), at its time, latest the time of the record's newest
// success before it (0 for none), outcome what putOne did.
func indexNetwork(txn *badger.Txn, id RecordID, ob *Observation, exists bool, latest int64, outcome Outcome, version uint32) error {
	at := ob.Observed.UnixNano()
	if ob.Item.SourceError != "" {
		if exists && at <= latest {
			return reindexNetwork(txn, id)
		}
		return nil // after the newest success: nothing the network reads changes
	}
	if exists && at <= latest {
		return reindexNetwork(txn, id)
	}
	key := networkKey(id)
	var e networkEntry
	if exists {
		item, err := txn.Get(key)
		if errors.Is(err, badger.ErrKeyNotFound) {
			// A record with only errors before, or written before the index.
			return reindexNetwork(txn, id)
		}
		if err != nil {
			return fmt.Errorf("%s: network index: %w", id, err)
		}
		if err := item.Value(func(b []byte) (err error) {
			e, err = decodeNetworkEntry(b)
			e.facts = slices.Clone(e.facts)
			return err
		}); err != nil {
			return fmt.Errorf("%s: %w", id, err)
		}
	}
	if outcome == NewVersion || !exists {
		facts, kk, err := networkFacts(id.Source, ob.Item.Parsed, ob.parsed)
		if err != nil {
			return fmt.Errorf("%s: %w", id, err)
		}
		e.facts = facts
		if kk && e.kk == 0 {
			e.kk = at // the first version with a bankruptcy begins its run here
		}
	}
	e.version, e.lastSuccess = version, at
	return txn.Set(key, e.encode())
}

// reindexNetwork rebuilds a record's network entry from its observations
// and versions within txn (whose own writes it sees).
func reindexNetwork(txn *badger.Txn, id RecordID) error {
	e, ok, err := networkEntryOf(txn, id)
	if err != nil {
		return fmt.Errorf("%s: network index: %w", id, err)
	}
	if !ok {
		return txn.Delete(networkKey(id))
	}
	return txn.Set(networkKey(id), e.encode())
}

// latestTime is a time after every observation: the record as it stands.
var latestTime = time.Unix(0, math.MaxInt64)

// networkEntryOf reads a record as it stands, with its history, and makes
// its entry; ok is false when it has no successful observation.
func networkEntryOf(txn *badger.Txn, id RecordID) (networkEntry, bool, error) {
	var r *Resolved
	opts := ScanOptions{At: latestTime, History: map[string]bool{id.Source: true}}
	err := scan(txn, recordPrefix(id), opts, func(_ string, recs []Resolved) error {
		r = &recs[0]
		return nil
	})
	if err != nil || r == nil {
		return networkEntry{}, false, err
	}
	return entryOf(r)
}

// entryOf makes the network entry of a record resolved as it stands with
// its history.
func entryOf(r *Resolved) (networkEntry, bool, error) {
	if r.Current == nil {
		return networkEntry{}, false, nil
	}
	facts, _, err := networkFacts(r.ID.Source, nil, r.Current.Parsed)
	if err != nil {
		return networkEntry{}, false, err
	}
	e := networkEntry{version: r.Current.N, lastSuccess: r.LastSuccess.UnixNano(), facts: facts}
	if isRegistrySource(r.ID.Source) {
		for _, v := range r.History {
			_, kk, err := networkFacts(r.ID.Source, nil, v.Parsed)
			if err != nil {
				return networkEntry{}, false, err
			}
			if kk {
				e.kk = v.FirstObserved.UnixNano()
				break
			}
		}
	}
	return e, true, nil
}

// openNetwork finds whether the network index is complete and builds it
// when the store was written by a version without it: once, in one scan
// of the network's records as they stand, its entries written in batches,
// then the mark that it is complete.
func (s *Store) openNetwork(readOnly bool) error {
	var err error
	if s.networkIndexed, err = s.has(networkDone); err != nil || s.networkIndexed || readOnly {
		return err
	}
	// Of the history only the registries' is read (BankruptcySeen).
	history := map[string]bool{record.Bolagsverket: true, record.BolagsverketBulk: true, record.SCBBulk: true}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	n := 0
	opts := ScanOptions{At: latestTime, History: history, Only: func(id RecordID) bool { return isNetworkSource(id.Source) }}
	err = s.Scan(opts, func(_ string, recs []Resolved) error {
		for i := range recs {
			e, ok, err := entryOf(&recs[i])
			if err != nil {
				return fmt.Errorf("%s: %w", recs[i].ID, err)
			}
			if !ok {
				continue
			}
			if err := wb.Set(networkKey(recs[i].ID), e.encode()); err != nil {
				return s.faults.wrote("records", err)
			}
			n++
		}
		return nil
	})
	if err == nil {
		err = s.faults.wrote("records", wb.Flush())
	}
	if err == nil {
		err = s.commit("records", func(txn *badger.Txn) error { return txn.Set(networkDone, nil) })
	}
	if err != nil {
		return fmt.Errorf("network index: %w", err)
	}
	if n > 0 {
		s.log.Info("built the network index", "records", n)
	}
	s.networkIndexed = true
	return nil
}
