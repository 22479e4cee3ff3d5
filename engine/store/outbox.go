package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// The outbox holds the events a transaction caused until the bus has
// delivered them. Events are committed in the same Badger transaction as
// the state they describe (an assessment, an alert, a decision), so a
// crash between commit and publish loses nothing: the publisher finds them
// on restart.
//
//	o 0 <seq:8>     an event waiting to be published (outboxEntry, JSON)
//	c 0 <subject>   the newest per-organisation event sequence (uint64)
//
// Transactions that emit events run one at a time, and their sequence
// numbers are taken inside that critical section, so the outbox order is
// the commit order: a publisher that drains it in key order never sees
// event n+1 before event n is committed, and the events of one
// organisation come out in the order they were caused.

// Event is a message for the bus.
type Event struct {
	// Seq is the outbox position, assigned at commit.
	Seq uint64 `json:"-"`
	// Org is the organisation the event is about; OrgSeq numbers that
	// organisation's events from 1, assigned at commit.
	Org    string `json:"org"`
	OrgSeq uint64 `json:"org_seq"`
	// Subject, MsgID (the de-duplication id), Header and Data are the
	// message as published.
	Subject string            `json:"subject"`
	MsgID   string            `json:"msg_id"`
	Header  map[string]string `json:"header,omitempty"`
	Data    json.RawMessage   `json:"data"`
	// Created is when the cause happened (the assessment's or decision's
	// time), for the outbox age.
	Created time.Time `json:"created"`
	// contains is the assessment, stored in the same transaction, that
	// Data holds verbatim (EmitWith).
	contains *StoredAssessment
}

// outboxEntry is an event as the outbox keeps it. An event that holds an
// assessment stored with it keeps a reference instead of a second copy:
// its Data without the assessment's bytes (Rest; Data is then null), and
// where they go.
type outboxEntry struct {
	Event
	Rest []byte    `json:"rest,omitempty"`
	Ref  *eventRef `json:"ref,omitempty"`
}

// eventRef puts a stored value's bytes back into an event's Data.
type eventRef struct {
	Key []byte `json:"key"` // the assessment's key
	Off int    `json:"off"` // where its bytes go in Data
	Len int    `json:"len"` // how many there are, checked when read
}

// entry is the outbox form of ev.
func (ev *Event) entry() outboxEntry {
	e := outboxEntry{Event: *ev}
	if a := ev.contains; a != nil && len(a.Data) > 0 {
		if off := bytes.Index(ev.Data, a.Data); off >= 0 {
			data := make([]byte, 0, len(ev.Data)-len(a.Data))
			data = append(append(data, ev.Data[:off]...), ev.Data[off+len(a.Data):]...)
			e.Data, e.Rest = nil, data
			e.Ref = &eventRef{Key: assessmentKey(a.Subject, a.At, a.Ruleset), Off: off, Len: len(a.Data)}
		}
	}
	return e
}

// resolve puts the referenced assessment back into the event's Data.
func (e *outboxEntry) resolve(txn *badger.Txn) error {
	if e.Ref == nil {
		return nil
	}
	item, err := txn.Get(e.Ref.Key)
	if err != nil {
		return fmt.Errorf("stored assessment: %w", err)
	}
	return item.Value(func(v []byte) error {
		if len(v) != e.Ref.Len || e.Ref.Off > len(e.Rest) {
			return fmt.Errorf("stored assessment: %d bytes, the event holds %d", len(v), e.Ref.Len)
		}
		data := make([]byte, 0, len(e.Rest)+len(v))
		e.Data = append(append(append(data, e.Rest[:e.Ref.Off]...), v...), e.Rest[e.Ref.Off:]...)
		e.Rest, e.Ref = nil, nil
		return nil
	})
}

// Tx is a read-write transaction that may also emit events and keep
// documents (alerts, decisions) beside the records.
type Tx struct {
	s      *Store
	txn    *badger.Txn
	events []*Event
	orgSeq map[string]uint64
	// holding are the events emitted in this transaction that hold an
	// assessment (EmitWith), by the assessment's key.
	holding map[string][]*Event
}

type outbox struct {
	mu     sync.Mutex // serialises emitting transactions
	next   uint64     // next outbox sequence
	depth  atomic.Int64
	notify chan struct{}
}

func outboxKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{'o', sep}, seq)
}

func orgSeqKey(subject string) []byte { return append([]byte{'c', sep}, subject...) }

// openOutbox finds the newest outbox position and counts what waits.
func (s *Store) openOutbox() error {
	s.out.notify = make(chan struct{}, 1)
	return s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{'o', sep}})
		defer it.Close()
		var n int64
		for it.Rewind(); it.Valid(); it.Next() {
			n++
			s.out.next = binary.BigEndian.Uint64(it.Item().Key()[2:]) + 1
		}
		s.out.depth.Store(n)
		if s.out.next == 0 {
			s.out.next = 1
		}
		return nil
	})
}

// Update runs fn in a read-write transaction and commits it with the
// events fn emitted. When fn fails nothing is written. A transaction that
// conflicts with a concurrent one is run again (fn too), a few times
// (see retry): fn must do its work within tx.
func (s *Store) Update(fn func(tx *Tx) error) error {
	return s.UpdateContext(context.Background(), fn)
}

// UpdateContext is Update that stops trying again when ctx ends.
func (s *Store) UpdateContext(ctx context.Context, fn func(tx *Tx) error) error {
	s.out.mu.Lock()
	defer s.out.mu.Unlock()
	return retry(ctx, func() error { return s.update(fn) })
}

// update is one try of Update; s.out.mu is held.
func (s *Store) update(fn func(tx *Tx) error) error {
	tx := &Tx{s: s, txn: s.db.NewTransaction(true)}
	defer tx.txn.Discard()
	if err := fn(tx); err != nil {
		return err
	}
	for i, ev := range tx.events {
		ev.Seq = s.out.next + uint64(i)
		data, err := json.Marshal(ev.entry())
		if err != nil {
			return fmt.Errorf("store: outbox: %s: %w", ev.MsgID, err)
		}
		if err := tx.txn.Set(outboxKey(ev.Seq), data); err != nil {
			return fmt.Errorf("store: outbox: %w", err)
		}
	}
	for org, n := range tx.orgSeq {
		if err := tx.txn.Set(orgSeqKey(org), binary.BigEndian.AppendUint64(nil, n)); err != nil {
			return fmt.Errorf("store: outbox: %w", err)
		}
	}
	if err := s.faults.wrote("updates", tx.txn.Commit()); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	if n := len(tx.events); n > 0 {
		s.out.next += uint64(n)
		s.out.depth.Add(int64(n))
		select {
		case s.out.notify <- struct{}{}:
		default:
		}
	}
	return nil
}

// ErrTooBig reports a transaction that does not fit in one commit; the
// caller splits its work.
var ErrTooBig = badger.ErrTxnTooBig

// Emit adds an event to the transaction and numbers it within its
// organisation.
func (tx *Tx) Emit(ev Event) error {
	_, err := tx.emit(ev)
	return err
}

// emit is Emit, returning the event as the transaction holds it.
func (tx *Tx) emit(ev Event) (*Event, error) {
	if ev.Subject == "" || ev.MsgID == "" || ev.Org == "" {
		return nil, fmt.Errorf("store: emit: event without subject, message id or organisation")
	}
	if tx.orgSeq == nil {
		tx.orgSeq = map[string]uint64{}
	}
	n, ok := tx.orgSeq[ev.Org]
	if !ok {
		item, err := tx.txn.Get(orgSeqKey(ev.Org))
		switch {
		case errors.Is(err, badger.ErrKeyNotFound):
		case err != nil:
			return nil, fmt.Errorf("store: emit: %w", err)
		default:
			if err := item.Value(func(b []byte) error { n = binary.BigEndian.Uint64(b); return nil }); err != nil {
				return nil, fmt.Errorf("store: emit: %w", err)
			}
		}
	}
	n++
	tx.orgSeq[ev.Org] = n
	ev.OrgSeq = n
	if ev.Header == nil {
		ev.Header = map[string]string{}
	}
	ev.Header[HeaderOrgSeq] = strconv.FormatUint(n, 10)
	tx.events = append(tx.events, &ev)
	return &ev, nil
}

// EmitWith is Emit of an event whose Data holds the bytes of a, an
// assessment stored in the same transaction: the outbox keeps a
// reference to it, not a second copy, and the event reads back the same.
func (tx *Tx) EmitWith(ev Event, a StoredAssessment) error {
	ev.contains = &a
	e, err := tx.emit(ev)
	if err != nil {
		return err
	}
	if tx.holding == nil {
		tx.holding = map[string][]*Event{}
	}
	key := string(assessmentKey(a.Subject, a.At, a.Ruleset))
	tx.holding[key] = append(tx.holding[key], e)
	return nil
}

// keepReferences is called before an assessment is stored at key with
// data. An assessment stored again at the same key (the same organisation,
// time and rule set) with other bytes would break the outbox's references
// to the one there: the events that refer to it, waiting in the outbox or
// emitted in this transaction, keep a copy of it instead.
func (tx *Tx) keepReferences(key, data []byte) error {
	for _, ev := range tx.holding[string(key)] {
		if a := ev.contains; a != nil && !bytes.Equal(a.Data, data) {
			ev.contains = nil
		}
	}
	item, err := tx.txn.Get(key)
	switch {
	case errors.Is(err, badger.ErrKeyNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("store: assessment: %w", err)
	}
	same := false
	if err := item.Value(func(v []byte) error { same = bytes.Equal(v, data); return nil }); err != nil || same {
		return err
	}
	type rewrite struct{ key, data []byte }
	var rewrites []rewrite
	it := tx.txn.NewIterator(badger.IteratorOptions{Prefix: []byte{'o', sep}})
	for it.Rewind(); it.Valid(); it.Next() {
		var e outboxEntry
		if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &e) }); err != nil {
			it.Close()
			return fmt.Errorf("store: outbox entry %x: %w", it.Item().Key(), err)
		}
		if e.Ref == nil || !bytes.Equal(e.Ref.Key, key) {
			continue
		}
		if err := e.resolve(tx.txn); err != nil {
			it.Close()
			return fmt.Errorf("store: outbox entry %x: %w", it.Item().Key(), err)
		}
		b, err := json.Marshal(e)
		if err != nil {
			it.Close()
			return fmt.Errorf("store: outbox entry %x: %w", it.Item().Key(), err)
		}
		rewrites = append(rewrites, rewrite{it.Item().KeyCopy(nil), b})
	}
	it.Close()
	for _, r := range rewrites {
		if err := tx.txn.Set(r.key, r.data); err != nil {
			return fmt.Errorf("store: outbox: %w", err)
		}
	}
	return nil
}

// HeaderOrgSeq carries an event's per-organisation sequence number.
const HeaderOrgSeq = "Vaksam-Org-Seq"

// OutboxNotify is signalled after a commit that emitted events.
func (s *Store) OutboxNotify() <-chan struct{} { return s.out.notify }

// OutboxDepth is the number of events waiting.
func (s *Store) OutboxDepth() int { return int(s.out.depth.Load()) }

// Outbox returns up to max waiting events with a sequence above after, in
// order.
func (s *Store) Outbox(after uint64, max int) ([]Event, error) {
	var out []Event
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{'o', sep}, PrefetchValues: true, PrefetchSize: min(max, 256)})
		defer it.Close()
		for it.Seek(outboxKey(after + 1)); it.Valid() && len(out) < max; it.Next() {
			var e outboxEntry
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &e) }); err != nil {
				return fmt.Errorf("outbox entry %x: %w", it.Item().Key(), err)
			}
			if err := e.resolve(txn); err != nil {
				return fmt.Errorf("outbox entry %x: %w", it.Item().Key(), err)
			}
			ev := e.Event
			ev.Seq = binary.BigEndian.Uint64(it.Item().Key()[2:])
			out = append(out, ev)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: outbox: %w", err)
	}
	return out, nil
}

// OutboxOldest returns the creation time of the oldest waiting event, or
// the zero time when the outbox is empty.
func (s *Store) OutboxOldest() (time.Time, error) {
	evs, err := s.Outbox(0, 1)
	if err != nil || len(evs) == 0 {
		return time.Time{}, err
	}
	return evs[0].Created, nil
}

// Delivered removes delivered events from the outbox.
func (s *Store) Delivered(seqs []uint64) error {
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	for _, seq := range seqs {
		if err := wb.Delete(outboxKey(seq)); err != nil {
			return fmt.Errorf("store: outbox: %w", s.faults.wrote("outbox", err))
		}
	}
	if err := s.faults.wrote("outbox", wb.Flush()); err != nil {
		return fmt.Errorf("store: outbox: %w", err)
	}
	s.out.depth.Add(-int64(len(seqs)))
	return nil
}

// OrgSeq returns how many events an organisation has caused: the newest
// per-organisation sequence number (0 when none).
func (s *Store) OrgSeq(subject string) (uint64, error) {
	var n uint64
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(orgSeqKey(subject))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return item.Value(func(b []byte) error { n = binary.BigEndian.Uint64(b); return nil })
	})
	if err != nil {
		return 0, fmt.Errorf("store: event sequence %s: %w", subject, err)
	}
	return n, nil
}
