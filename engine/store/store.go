package store

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"

	"github.com/vaksam/vaksam/engine/record"
)

// Store is the Badger-backed record store. It is safe for concurrent use.
type Store struct {
	db  *badger.DB
	log *slog.Logger
	out outbox
	gen atomic.Uint64
	// marketGen changes with every write of contracts or invoices;
	// marketIndexed says the market index is complete (market.go).
	marketGen     atomic.Uint64
	marketIndexed bool
	// networkIndexed says the network index is complete (network.go).
	networkIndexed bool
	book           marketBook // the market index in memory (marketbook.go)
	// marketReads counts the market index's entries read (MarketIndexReads).
	marketReads atomic.Uint64
	// subjectReads counts the subjects read one at a time (Subject).
	subjectReads atomic.Uint64
	// putMu serialises the writers of records: Put reads heads with an
	// iterator, which does not register an absent head for conflict
	// detection (heads.go).
	putMu  sync.Mutex
	dir    string // the directory Check probes; "" in memory and read-only
	faults *faults
}

// Options configure Open.
type Options struct {
	Logger   *slog.Logger
	InMemory bool // for tools that need a scratch store; tests use a real directory
	ReadOnly bool
	// Small shrinks Badger's memory tables and caches, for the many short
	// lived stores of rule tests.
	Small bool
}

// Open opens (or creates) the store in dir.
func Open(dir string, o Options) (*Store, error) {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	f := &faults{log: log, now: map[string]*fault{}}
	bo := badger.DefaultOptions(dir).
		WithLogger(badgerLogger{log, f}).
		WithInMemory(o.InMemory).
		WithReadOnly(o.ReadOnly).
		WithNumVersionsToKeep(1).
		WithValueThreshold(64 << 10).
		// Records are small JSON; block compression costs more on every
		// scan than the disk it saves.
		WithCompression(options.None).
		WithBlockCacheSize(0).
		// Without an index cache Badger keeps every table's index in
		// memory: a 2.95 M-row bulk import would grow by gigabytes.
		WithIndexCacheSize(256 << 20)
	if o.InMemory {
		bo.Dir, bo.ValueDir = "", ""
	}
	if o.Small {
		bo = bo.WithMemTableSize(4 << 20).WithBlockCacheSize(1 << 20).WithIndexCacheSize(1 << 20).WithNumMemtables(2).WithValueLogFileSize(16 << 20)
	}
	if !o.InMemory && !o.ReadOnly {
		if err := removeEmptyLogs(dir, log); err != nil {
			return nil, fmt.Errorf("store: open %s: %w", dir, err)
		}
	}
	db, err := badger.Open(bo)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dir, err)
	}
	s := &Store{db: db, log: log, faults: f}
	if !o.InMemory && !o.ReadOnly {
		s.dir = dir // Check probes it
	}
	if err := s.openOutbox(); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", dir, err)
	}
	if err := s.openMarket(o.ReadOnly); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", dir, err)
	}
	if err := s.openNetwork(o.ReadOnly); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", dir, err)
	}
	return s, nil
}

// Close flushes and closes the store.
func (s *Store) Close() error { return s.db.Close() }

// DB exposes the Badger handle to packages that keep their own key spaces
// in the same store (the outbox, alerts, the audit trail).
func (s *Store) DB() *badger.DB { return s.db }

// Outcome is what storing one observation did.
type Outcome int

const (
	NewVersion  Outcome = iota // content changed (or first seen): a version was written
	Unchanged                  // same content as the newest version: only an observation
	SourceError                // the source reported an error: an observation without content
)

func (o Outcome) String() string {
	switch o {
	case NewVersion:
		return "new"
	case Unchanged:
		return "unchanged"
	case SourceError:
		return "source_error"
	}
	return "unknown"
}

// Observation is one record as fetched at a time.
type Observation struct {
	Item     record.Item
	Observed time.Time
	// The encoded parsed form and its hash, once Prepare has run.
	parsed   []byte
	hash     [16]byte
	prepared bool
}

// Prepare encodes the parsed form and hashes it ahead of Put, which does
// it for observations not prepared: a writer can leave this work to the
// goroutine that parses. The Item must not change after Prepare.
func (ob *Observation) Prepare() error {
	if ob.prepared || ob.Item.SourceError != "" {
		return nil
	}
	parsed, err := json.Marshal(ob.Item.Parsed)
	if err != nil {
		id := RecordID{Subject: ob.Item.Subject, Source: ob.Item.Source, Key: ob.Item.Key}
		return fmt.Errorf("%s: encode parsed form: %w", id, err)
	}
	sum := sha256.Sum256(parsed)
	ob.parsed, ob.prepared = parsed, true
	copy(ob.hash[:], sum[:])
	return nil
}

// Put stores observations, each record atomically; a batch is written in as
// few transactions as Badger allows. It returns the outcome of each.
func (s *Store) Put(obs []Observation) ([]Outcome, error) {
	out := make([]Outcome, 0, len(obs))
	s.putMu.Lock()
	defer s.putMu.Unlock()
	// Whatever happens, the store may have changed: caches over it are
	// stale from here.
	defer s.gen.Add(1)
	if slices.ContainsFunc(obs, func(o Observation) bool { return isMarketSource(o.Item.Source) }) {
		defer s.marketGen.Add(1)
		defer s.markMarket(obs)()
	}
	for len(obs) > 0 {
		n, err := s.putTxn(obs, &out)
		if err != nil {
			return out, err
		}
		obs = obs[n:]
	}
	return out, nil
}

// Generation changes whenever records are written: a cache built from the
// records (the market statistics of pre-award checks) is valid while it
// stays the same.
func (s *Store) Generation() uint64 { return s.gen.Load() }

// putTxn writes as many observations as fit in one transaction and reports
// how many it wrote. A record is never split across transactions: when the
// transaction grows too big part-way through a record, it is discarded and
// written again without that record, which then starts the next one.
func (s *Store) putTxn(obs []Observation, out *[]Outcome) (int, error) {
	limit := len(obs)
	for {
		var done []Outcome
		tooBigAt := -1
		err := retry(context.Background(), func() error {
			done = make([]Outcome, 0, limit)
			return s.commit("records", func(txn *badger.Txn) error { return putAll(txn, obs[:limit], &done, &tooBigAt) })
		})
		if tooBigAt > 0 {
			limit = tooBigAt
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("store: put: %w", err)
		}
		*out = append(*out, done...)
		return limit, nil
	}
}

// putAll writes obs within txn, appending their outcomes to done; when the
// transaction grows too big part-way, it sets tooBigAt to the record that
// did not fit.
func putAll(txn *badger.Txn, obs []Observation, done *[]Outcome, tooBigAt *int) error {
	heads := &headReader{txn: txn}
	defer heads.close()
	for i := range obs {
		o, err := putOne(txn, heads, &obs[i])
		if errors.Is(err, badger.ErrTxnTooBig) && i > 0 {
			*tooBigAt = i
			return err
		}
		if err != nil {
			return err
		}
		*done = append(*done, o)
	}
	return nil
}

func putOne(txn *badger.Txn, heads *headReader, ob *Observation) (Outcome, error) {
	it := &ob.Item
	id := RecordID{Subject: it.Subject, Source: it.Source, Key: it.Key}
	if err := id.validate(); err != nil {
		return 0, err
	}
	if ob.Observed.IsZero() {
		return 0, fmt.Errorf("%s: observation without a time", id)
	}
	at := ob.Observed.UnixNano()
	prefix := recordPrefix(id)
	network := isNetworkSource(id.Source)
	h, exists, err := heads.get(append(prefix, kindHead))
	if err != nil {
		return 0, fmt.Errorf("%s: read head: %w", id, err)
	}
	writeHead := !exists
	latest := h.LatestAt // the newest success before this observation
	entries := make([]*badger.Entry, 0, 6)
	outcome := Unchanged
	var obsVal observation
	market := isMarketSource(id.Source)
	// reindex: the observation may change the record's past content (it
	// is out of order, or an error that may replace a success of the same
	// time): its market entries are rebuilt after it is written.
	reindex := false
	if it.SourceError != "" {
		outcome = SourceError
		obsVal.Error = it.SourceError
		reindex = market && exists && at <= h.LatestAt
	} else {
		if err := ob.Prepare(); err != nil {
			return 0, err
		}
		parsed, hash := ob.parsed, ob.hash
		// Compare with the content current at the observation's time: the
		// newest one for a fetch in time order, else the one a late import
		// of an older file falls next to.
		curVersion, curHash := h.LatestVersion, h.LatestHash
		inOrder := at >= h.LatestAt
		if !inOrder {
			if curVersion, curHash, err = versionAt(txn, prefix, at); err != nil {
				return 0, fmt.Errorf("%s: %w", id, err)
			}
		}
		obsVal.Version = curVersion
		if curVersion == 0 || hash != curHash {
			outcome = NewVersion
			h.MaxVersion++
			obsVal.Version = h.MaxVersion
			curHash = hash
			v := Version{Hash: hash, FirstObserved: ob.Observed.UTC(), Pos: it.Pos, Raw: it.Raw, Parsed: parsed}
			entries = append(entries, badger.NewEntry(versionKey(prefix, h.MaxVersion), v.encode()))
			writeHead = true
			if market && inOrder {
				facts, err := marketFacts(id.Source, parsed)
				if err != nil {
					return 0, fmt.Errorf("%s: %w", id, err)
				}
				entries = append(entries, badger.NewEntry(marketKey(id, at), facts))
			}
			for _, p := range it.Links.Persons {
				entries = append(entries, badger.NewEntry(indexKey('p', p, id.Subject), nil))
			}
			for _, a := range it.Links.Addresses {
				if a != "" {
					entries = append(entries, badger.NewEntry(indexKey('a', a, id.Subject), nil))
				}
			}
		}
		if inOrder {
			h.LatestAt, h.LatestVersion, h.LatestHash = at, obsVal.Version, curHash
			writeHead = true
		} else {
			reindex = market
		}
	}
	if !exists {
		entries = append(entries, badger.NewEntry(sourceKey(id), nil))
	}
	if writeHead {
		entries = append(entries, badger.NewEntry(append(append([]byte(nil), prefix...), kindHead), h.encode()))
	}
	entries = append(entries, badger.NewEntry(obsKey(prefix, ob.Observed), obsVal.encode()))
	for _, e := range entries {
		if err := txn.SetEntry(e); err != nil {
			return 0, err
		}
	}
	if network {
		if err := indexNetwork(txn, id, ob, exists, latest, outcome, obsVal.Version); err != nil {
			return 0, err
		}
	}
	if reindex {
		return outcome, reindexMarket(txn, id)
	}
	return outcome, nil
}

// versionAt finds the content current at a time: the version of the newest
// successful observation at or before it, and that version's hash.
func versionAt(txn *badger.Txn, prefix []byte, at int64) (uint32, [16]byte, error) {
	var hash [16]byte
	obsPrefix := append(append([]byte(nil), prefix...), kindObservation)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: obsPrefix})
	defer it.Close()
	for it.Seek(binary.BigEndian.AppendUint64(append([]byte(nil), obsPrefix...), ^uint64(at))); it.Valid(); it.Next() {
		var o observation
		if err := it.Item().Value(func(b []byte) (err error) { o, err = decodeObservation(b); return err }); err != nil {
			return 0, hash, err
		}
		if o.Error != "" || o.Version == 0 {
			continue
		}
		item, err := txn.Get(versionKey(prefix, o.Version))
		if err != nil {
			return 0, hash, fmt.Errorf("version %d: %w", o.Version, err)
		}
		err = item.Value(func(b []byte) error {
			if len(b) < 16 {
				return errors.New("version: truncated")
			}
			copy(hash[:], b)
			return nil
		})
		return o.Version, hash, err
	}
	return 0, hash, nil
}

// Quarantine stores bad records with their reasons.
func (s *Store) Quarantine(qs []record.Quarantined, at time.Time) error {
	if len(qs) == 0 {
		return nil
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	for i, q := range qs {
		k := []byte{'q', sep}
		k = append(k, q.Source...)
		k = append(k, sep)
		k = binary.BigEndian.AppendUint64(k, uint64(at.UnixNano()))
		k = binary.BigEndian.AppendUint32(k, uint32(i))
		k = append(k, q.Pos...)
		v, err := json.Marshal(q)
		if err != nil {
			return err
		}
		if err := wb.Set(k, v); err != nil {
			return fmt.Errorf("store: quarantine %s: %w", q.Pos, s.faults.wrote("quarantine", err))
		}
	}
	if err := s.faults.wrote("quarantine", wb.Flush()); err != nil {
		return fmt.Errorf("store: quarantine: %w", err)
	}
	return nil
}

// Quarantined lists quarantined records of a source ("" for all).
func (s *Store) Quarantined(source string) ([]record.Quarantined, error) {
	var out []record.Quarantined
	prefix := []byte{'q', sep}
	if source != "" {
		prefix = append(append(prefix, source...), sep)
	}
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 100})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var q record.Quarantined
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &q) }); err != nil {
				return err
			}
			out = append(out, q)
		}
		return nil
	})
	return out, err
}

// commit runs fn in a read-write transaction and commits it; a commit
// that fails is a write fault of the kind.
func (s *Store) commit(kind string, fn func(txn *badger.Txn) error) error {
	txn := s.db.NewTransaction(true)
	defer txn.Discard()
	if err := fn(txn); err != nil {
		return err
	}
	return s.faults.wrote(kind, txn.Commit())
}

type badgerLogger struct {
	l *slog.Logger
	f *faults
}

// Errorf reports an error of Badger's, most from its own goroutines
// (a memory table it cannot flush, retried every second): a write fault,
// logged once while it lasts. Its kind is the message up to its first
// argument. A failed write Badger also returns to the committer, which
// records it, is only a debug line here.
func (b badgerLogger) Errorf(f string, a ...any) {
	if returned[f] {
		b.l.Debug(fmt.Sprintf(f, a...), "component", "badger")
		return
	}
	kind, _, _ := strings.Cut(f, "%")
	kind = strings.TrimRight(kind, " :,\n")
	b.f.add("badger: "+kind, backgroundFault, fmt.Sprintf(f, a...))
}

// returned are the formats of Badger's errors that it also returns to the
// writer (db.go: doWrites, newMemTable).
var returned = map[string]bool{"writeRequests: %v": true, "Got error: %v for id: %d\n": true}

func (b badgerLogger) Warningf(f string, a ...any) {
	b.l.Warn(fmt.Sprintf(f, a...), "component", "badger")
}
func (b badgerLogger) Infof(f string, a ...any) {
	b.l.Debug(fmt.Sprintf(f, a...), "component", "badger")
}
func (b badgerLogger) Debugf(f string, a ...any) {}
