package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/vaksam/vaksam/engine/record"
)

// The market index keeps, for every contract and invoice record, what the
// market statistics read of it (category, daily price and validity of a
// contract; date and amount of an invoice) at each point in time where the
// record's content changed:
//
//	m 0 <source> 0 <subject> 0 <key> 0 ^from    facts of the content current from `from`
//	m 1                                         the index is complete (written once built)
//
// A record's content as of T is the version of its newest successful
// observation at or before T (asof.go); it only changes at an observation
// whose version differs from that of the successful observation before
// it. Those observations are the index's entries, newest first, so the
// facts as of T are the record's first entry at or before T: the same
// record set, content and time a decode of every subject as of T sees,
// read from small keys. An observation in time order adds an entry when it
// brings a new version; one that arrives out of order (a late import of an
// older file), or an error observation that may have replaced a success
// of the same time, rebuilds the record's entries from its observations,
// in the transaction that writes it.

// marketSources are the sources the market index covers.
var marketSources = []string{record.Contracts, record.Invoices}

func isMarketSource(src string) bool { return slices.Contains(marketSources, src) }

// marketDone marks a complete market index.
var marketDone = []byte{'m', 1}

// ErrNoMarketIndex is returned by Market on a store opened read-only that
// a version without the market index wrote: the caller computes the
// statistics from the records instead.
var ErrNoMarketIndex = errors.New("store: no market index")

func marketRecordPrefix(id RecordID) []byte {
	b := make([]byte, 0, 5+len(id.Source)+len(id.Subject)+len(id.Key))
	b = append(b, 'm', sep)
	b = append(b, id.Source...)
	b = append(b, sep)
	b = append(b, id.Subject...)
	b = append(b, sep)
	b = append(b, id.Key...)
	return append(b, sep)
}

func marketKey(id RecordID, from int64) []byte {
	return binary.BigEndian.AppendUint64(marketRecordPrefix(id), ^uint64(from))
}

// marketFacts encodes what the statistics read of a parsed contract or
// invoice.
func marketFacts(source string, parsed []byte) ([]byte, error) {
	switch source {
	case record.Contracts:
		var c record.Contract
		if err := json.Unmarshal(parsed, &c); err != nil {
			return nil, fmt.Errorf("market index: %w", err)
		}
		b := appendString(nil, c.Category)
		b = appendTime(b, c.Start)
		b = appendTime(b, c.End)
		return binary.AppendVarint(b, c.DailyPrice), nil
	case record.Invoices:
		var inv record.Invoice
		if err := json.Unmarshal(parsed, &inv); err != nil {
			return nil, fmt.Errorf("market index: %w", err)
		}
		b := appendString(nil, inv.Category)
		b = appendTime(b, inv.Date)
		return binary.AppendVarint(b, inv.AmountSEK), nil
	}
	return nil, fmt.Errorf("market index: source %s is not indexed", source)
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// appendTime writes a date: a zero time (a contract until further notice)
// as a single 0, any other as 1 and its Unix seconds.
func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, 0)
	}
	return binary.AppendVarint(append(b, 1), t.Unix())
}

// factReader decodes market facts, remembering the first error.
type factReader struct {
	b   []byte
	err error
}

func (r *factReader) fail() {
	if r.err == nil {
		r.err = errors.New("truncated entry")
	}
	r.b = nil
}

func (r *factReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *factReader) string() string {
	l, n := binary.Uvarint(r.b)
	if n <= 0 || uint64(len(r.b)-n) < l {
		r.fail()
		return ""
	}
	s := string(r.b[n : n+int(l)])
	r.b = r.b[n+int(l):]
	return s
}

func (r *factReader) time() time.Time {
	if len(r.b) == 0 {
		r.fail()
		return time.Time{}
	}
	set := r.b[0]
	r.b = r.b[1:]
	if set == 0 {
		return time.Time{}
	}
	return time.Unix(r.varint(), 0).UTC()
}

// MarketFacts receive the contracts and invoices current at a time, with
// only what market statistics read: a contract's Category, Start, End and
// DailyPrice; an invoice's Category, Date and AmountSEK.
type MarketFacts struct {
	Contract func(subject string, c record.Contract)
	Invoice  func(subject string, inv record.Invoice)
}

// marketIn reads the market index as of at, checking ctx as it goes.
func (s *Store) marketIn(ctx context.Context, txn *badger.Txn, at time.Time, fn MarketFacts) error {
	ts := at.UnixNano()
	var done []byte // the record whose current entry was read
	return s.eachMarketEntryIf(ctx, txn, []byte{'m', sep}, func(rec []byte, from int64) bool {
		// A record's entries come newest first: the first at or before at.
		if from > ts || done != nil && bytes.Equal(rec, done) {
			return false
		}
		done = append(done[:0], rec...)
		return true
	}, func(_ []byte, _ int64, id RecordID, e bookEntry) error {
		e.pass(id.Subject, id.Source == record.Contracts, fn)
		return nil
	})
}

// Market passes every contract and invoice as of at to fn, read from the
// market index in one transaction.
func (s *Store) Market(at time.Time, fn MarketFacts) error {
	if !s.marketIndexed {
		return ErrNoMarketIndex
	}
	return s.db.View(func(txn *badger.Txn) error { return s.marketIn(context.Background(), txn, at, fn) })
}

// MarketGeneration changes whenever contracts or invoices are written: the
// market statistics as of a time are the same while it stays the same.
func (s *Store) MarketGeneration() uint64 { return s.marketGen.Load() }

// reindexMarket rebuilds a record's market entries from its observations
// within txn (whose own writes it sees).
func reindexMarket(txn *badger.Txn, id RecordID) error {
	prefix := recordPrefix(id)
	type point struct {
		at      int64
		version uint32
	}
	var obs []point // newest first
	obsPrefix := append(append([]byte(nil), prefix...), kindObservation)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: obsPrefix})
	for it.Rewind(); it.Valid(); it.Next() {
		k := it.Item().Key()
		if len(k) != len(obsPrefix)+8 {
			continue
		}
		var o observation
		if err := it.Item().Value(func(b []byte) (err error) { o, err = decodeObservation(b); return err }); err != nil {
			it.Close()
			return fmt.Errorf("%s: %w", id, err)
		}
		if o.Error == "" && o.Version != 0 {
			obs = append(obs, point{int64(^binary.BigEndian.Uint64(k[len(obsPrefix):])), o.Version})
		}
	}
	it.Close()
	if err := deletePrefix(txn, marketRecordPrefix(id)); err != nil {
		return err
	}
	var prev uint32
	for i := len(obs) - 1; i >= 0; i-- {
		p := obs[i]
		if p.version == prev {
			continue
		}
		prev = p.version
		item, err := txn.Get(versionKey(prefix, p.version))
		if err != nil {
			return fmt.Errorf("%s: version %d: %w", id, p.version, err)
		}
		var facts []byte
		err = item.Value(func(b []byte) error {
			var v Version
			if err := decodeVersion(p.version, b, &v); err != nil {
				return err
			}
			facts, err = marketFacts(id.Source, v.Parsed)
			return err
		})
		if err != nil {
			return fmt.Errorf("%s: %w", id, err)
		}
		if err := txn.Set(marketKey(id, p.at), facts); err != nil {
			return err
		}
	}
	return nil
}

// has reports whether the store holds a key (an index's mark that it is
// complete).
func (s *Store) has(key []byte) (bool, error) {
	found := false
	err := s.db.View(func(txn *badger.Txn) error {
		_, err := txn.Get(key)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		found = err == nil
		return err
	})
	return found, err
}

// deletePrefix deletes every key under prefix within txn.
func deletePrefix(txn *badger.Txn, prefix []byte) error {
	var keys [][]byte
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	for it.Rewind(); it.Valid(); it.Next() {
		keys = append(keys, it.Item().KeyCopy(nil))
	}
	it.Close()
	for _, k := range keys {
		if err := txn.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// openMarket finds whether the market index is complete and builds it when
// the store was written by a version without it: once, record by record,
// in transactions of a bounded number of records.
func (s *Store) openMarket(readOnly bool) error {
	var err error
	if s.marketIndexed, err = s.has(marketDone); err != nil || s.marketIndexed || readOnly {
		return err
	}
	var ids []RecordID
	for _, src := range marketSources {
		prefix := sourcePrefix(src)
		err := s.db.View(func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
			defer it.Close()
			for it.Rewind(); it.Valid(); it.Next() {
				rest := it.Item().Key()[len(prefix):]
				subject, key, ok := bytes.Cut(rest, []byte{sep})
				if ok {
					ids = append(ids, RecordID{Subject: string(subject), Source: src, Key: string(key)})
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if len(ids) > 0 {
		s.log.Info("building the market index", "records", len(ids))
	}
	const batch = 256
	for len(ids) > 0 {
		n := min(batch, len(ids))
		err := s.commit("records", func(txn *badger.Txn) error {
			for _, id := range ids[:n] {
				if err := reindexMarket(txn, id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("market index: %w", err)
		}
		ids = ids[n:]
	}
	if err := s.commit("records", func(txn *badger.Txn) error { return txn.Set(marketDone, nil) }); err != nil {
		return fmt.Errorf("market index: %w", err)
	}
	s.marketIndexed = true
	return nil
}
