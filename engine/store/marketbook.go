package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/vaksam/vaksam/engine/record"
)

// The market book is the market index (market.go) held in memory, grouped
// by category, so that a pre-award check reads the contracts and invoices
// of its supplier's categories without reading the index's keys, and the
// first check after a write, a new day or a restart costs what a warm one
// does. The index stays the persisted truth: the book is loaded from it
// once (at the first MarketOf, or by WarmMarket), and a record written
// since is read again from the index before the next MarketOf answers.
//
// That is exact for any time: every entry of every record is kept (its
// facts from each point where its content changed), so an answer as of T
// is the one the index gives as of T. A MarketOf sees at least every write
// committed before it was called: a writer marks its records before its
// transaction and unmarks them after; a marked record is read again at
// every MarketOf until its writers are done and it has been read since.
type marketBook struct {
	mu      sync.Mutex
	loaded  bool
	records map[string]*bookRecord // by the record's index prefix
	byCat   map[string][]*bookRecord
	pending map[string]*pendingRecord
}

// bookRecord is one contract or invoice record's index entries.
type bookRecord struct {
	subject  string
	source   string
	cats     []string    // every category it ever had: the byCat lists it is in
	entries  []bookEntry // newest first
	contract bool
}

// bookEntry is a record's facts from a time on: a contract's category,
// start, end and daily price; an invoice's category, date and amount.
type bookEntry struct {
	from     int64
	category string
	a, b     int64 // Unix seconds; noTime for none (a contract until further notice)
	value    int64
}

// noTime stands for a zero time in a bookEntry.
const noTime = math.MinInt64

func bookTime(t time.Time) int64 {
	if t.IsZero() {
		return noTime
	}
	return t.Unix()
}

func (e *bookEntry) time(x int64) time.Time {
	if x == noTime {
		return time.Time{}
	}
	return time.Unix(x, 0).UTC()
}

type pendingRecord struct {
	id      RecordID
	writers int
}

// markMarket marks the contracts and invoices among obs as being written;
// the returned func unmarks them once the write is done (or failed).
func (s *Store) markMarket(obs []Observation) func() {
	var keys []string
	b := &s.book
	b.mu.Lock()
	for i := range obs {
		it := &obs[i].Item
		if !isMarketSource(it.Source) {
			continue
		}
		id := RecordID{Subject: it.Subject, Source: it.Source, Key: it.Key}
		k := string(marketRecordPrefix(id))
		if b.pending == nil {
			b.pending = map[string]*pendingRecord{}
		}
		p := b.pending[k]
		if p == nil {
			p = &pendingRecord{id: id}
			b.pending[k] = p
		}
		p.writers++
		keys = append(keys, k)
	}
	b.mu.Unlock()
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, k := range keys {
			p := b.pending[k]
			p.writers--
			if p.writers == 0 && !b.loaded {
				// Loading reads it whole.
				delete(b.pending, k)
			}
		}
	}
}

// WarmMarket loads the market book from the index, so that the first
// pre-award check after a start does not (serve calls it at start).
func (s *Store) WarmMarket(ctx context.Context) error {
	if !s.marketIndexed {
		return nil
	}
	s.book.mu.Lock()
	defer s.book.mu.Unlock()
	return s.syncBook(ctx)
}

// syncBook loads the book, or reads again the records written since it
// was last synced. b.mu is held.
func (s *Store) syncBook(ctx context.Context) error {
	b := &s.book
	if b.loaded && len(b.pending) == 0 {
		return nil
	}
	return s.db.View(func(txn *badger.Txn) error {
		if !b.loaded {
			b.records, b.byCat = map[string]*bookRecord{}, map[string][]*bookRecord{}
			if err := s.readBook(ctx, txn, []byte{'m', sep}); err != nil {
				b.records, b.byCat = nil, nil
				return fmt.Errorf("store: market book: %w", err)
			}
			b.loaded = true
		} else {
			for k, p := range b.pending {
				// Its entries are read again whole: those it no longer has go.
				if r := b.records[k]; r != nil {
					r.entries = r.entries[:0]
				}
				if err := s.readBook(ctx, txn, marketRecordPrefix(p.id)); err != nil {
					return fmt.Errorf("store: market book: %w", err)
				}
			}
		}
		for k, p := range b.pending {
			if p.writers == 0 {
				delete(b.pending, k)
			}
		}
		return nil
	})
}

// readBook adds the index entries under prefix to the book, in key order
// (each record's newest first).
func (s *Store) readBook(ctx context.Context, txn *badger.Txn, prefix []byte) error {
	b := &s.book
	var (
		r   *bookRecord
		cur []byte
	)
	return s.eachMarketEntry(ctx, txn, prefix, func(rec []byte, from int64, id RecordID, e bookEntry) error {
		if r == nil || !bytes.Equal(rec, cur) {
			cur = append(cur[:0], rec...)
			r = b.records[string(rec)]
			if r == nil {
				r = &bookRecord{subject: id.Subject, source: id.Source, contract: id.Source == record.Contracts}
				b.records[string(rec)] = r
			}
		}
		e.from = from
		if list, ok := b.byCat[e.category]; ok && len(list) > 0 {
			// Each category's name held once.
			e.category = list[0].cats[slices.Index(list[0].cats, e.category)]
		}
		r.entries = append(r.entries, e)
		if !slices.Contains(r.cats, e.category) {
			r.cats = append(r.cats, e.category)
			b.byCat[e.category] = append(b.byCat[e.category], r)
		}
		return nil
	})
}

// eachMarketEntry passes every index entry under prefix, in key order, to
// fn with its record's prefix, the time it holds from, the record and its
// facts; want, if set, says whether an entry's facts are wanted (decoded)
// at all. It checks ctx as it goes.
func (s *Store) eachMarketEntry(ctx context.Context, txn *badger.Txn, prefix []byte, fn func(rec []byte, from int64, id RecordID, e bookEntry) error) error {
	return s.eachMarketEntryIf(ctx, txn, prefix, nil, fn)
}

func (s *Store) eachMarketEntryIf(ctx context.Context, txn *badger.Txn, prefix []byte, want func(rec []byte, from int64) bool,
	fn func(rec []byte, from int64, id RecordID, e bookEntry) error) error {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	defer it.Close()
	n := 0
	for it.Rewind(); it.Valid(); it.Next() {
		if n++; n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		s.marketReads.Add(1)
		rec, from, id, err := parseMarketKey(it.Item().Key())
		if err != nil {
			return err
		}
		if want != nil && !want(rec, from) {
			continue
		}
		var e bookEntry
		err = it.Item().Value(func(v []byte) (err error) {
			e, err = decodeMarketFacts(id.Source, v)
			return err
		})
		if err != nil {
			return fmt.Errorf("market index %s: %w", rec, err)
		}
		if err := fn(rec, from, id, e); err != nil {
			return err
		}
	}
	return nil
}

// parseMarketKey splits an index key into its record's prefix, the time
// its entry holds from, and the record.
func parseMarketKey(k []byte) (rec []byte, from int64, id RecordID, err error) {
	if len(k) < 10 || k[len(k)-9] != sep {
		return nil, 0, id, fmt.Errorf("market index: bad key %q", k)
	}
	rec = k[:len(k)-8]
	parts := bytes.SplitN(rec[2:len(rec)-1], []byte{sep}, 3)
	if len(parts) != 3 {
		return nil, 0, id, fmt.Errorf("market index: bad key %q", k)
	}
	id = RecordID{Source: string(parts[0]), Subject: string(parts[1]), Key: string(parts[2])}
	return rec, int64(^binary.BigEndian.Uint64(k[len(k)-8:])), id, nil
}

// decodeMarketFacts decodes a market index entry's value.
func decodeMarketFacts(source string, v []byte) (bookEntry, error) {
	r := factReader{b: v}
	var e bookEntry
	switch source {
	case record.Contracts:
		e = bookEntry{category: r.string(), a: bookTime(r.time()), b: bookTime(r.time()), value: r.varint()}
	case record.Invoices:
		e = bookEntry{category: r.string(), a: bookTime(r.time()), value: r.varint()}
	default:
		return e, fmt.Errorf("market index: source %s is not indexed", source)
	}
	return e, r.err
}

// pass hands an entry to fn as the contract or invoice it stands for.
func (e *bookEntry) pass(subject string, contract bool, fn MarketFacts) {
	switch {
	case contract && fn.Contract != nil:
		fn.Contract(subject, record.Contract{Category: e.category, Start: e.time(e.a), End: e.time(e.b), DailyPrice: e.value})
	case !contract && fn.Invoice != nil:
		fn.Invoice(subject, record.Invoice{Category: e.category, Date: e.time(e.a), AmountSEK: e.value})
	}
}

// MarketOf passes to fn the contracts and invoices whose category as of
// at is one of categories, as Market passes them, but from the market
// book held in memory (loaded from the index at the first call, or by
// WarmMarket). Their order is not the index's.
func (s *Store) MarketOf(at time.Time, categories []string, fn MarketFacts) error {
	return s.marketOf(context.Background(), at, categories, fn)
}

func (s *Store) marketOf(ctx context.Context, at time.Time, categories []string, fn MarketFacts) error {
	if !s.marketIndexed {
		return ErrNoMarketIndex
	}
	b := &s.book
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := s.syncBook(ctx); err != nil {
		return err
	}
	ts := at.UnixNano()
	var done []string
	for _, cat := range categories {
		if slices.Contains(done, cat) {
			continue
		}
		done = append(done, cat)
		for i, r := range b.byCat[cat] {
			if i%1024 == 1023 {
				if err := ctx.Err(); err != nil {
					return fmt.Errorf("store: market: %w", err)
				}
			}
			// The entry as of at: the newest that holds from at or before.
			for j := range r.entries {
				if e := &r.entries[j]; e.from <= ts {
					if e.category == cat {
						e.pass(r.subject, r.contract, fn)
					}
					break
				}
			}
		}
	}
	return nil
}

// MarketIndexReads counts the market index's entries read since the store
// was opened (Market reads them all, the market book all once and then
// those of the records written): what the market statistics cost, for
// tests.
func (s *Store) MarketIndexReads() uint64 { return s.marketReads.Load() }
