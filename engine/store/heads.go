package store

import (
	"bytes"
	"errors"

	"github.com/dgraph-io/badger/v4"
)

// headWalk is how many keys a headReader steps over before it reads a
// head with a point read instead; after headMisses such heads in a row it
// reads the rest of the transaction's heads with point reads. Between two
// heads of a sorted file lie the record's own observations and versions
// and the subject's records of other sources: few in a store that holds
// little besides the bulk file, many in one where other sources have been
// fetched for a year, where a seek of the iterator would cost more than a
// point read (which skips tables by their Bloom filters).
const (
	headWalk   = 16
	headMisses = 4
)

// headReader reads records' heads within one write transaction. Records
// that come in key order (a bulk file sorted by organisation number) are
// read with one iterator that walks forward, instead of a point read per
// record: when the iterator already stands past the head asked for, and
// no key lies between the previous head asked for and it, the record is
// new without a read. A head not after the previous one asked for is read
// with a point read, which also sees the transaction's own writes (a
// record that appears twice in a batch).
//
// The iterator registers for conflict detection only the keys it returns,
// not an absent head; Put serialises the writers of records (Store.putMu),
// so no other transaction writes a record between this one's read and
// commit.
type headReader struct {
	txn    *badger.Txn
	it     *badger.Iterator
	prev   []byte // the previous head asked for
	misses int    // heads in a row the walk did not reach
	off    bool   // point reads only, for the rest of the transaction
}

// get returns the head stored at key and whether there is one.
func (r *headReader) get(key []byte) (head, bool, error) {
	if r.off || (r.prev != nil && bytes.Compare(key, r.prev) <= 0) {
		return r.point(key)
	}
	// The iterator only moves forward, to the first key at or after a
	// head asked for or one key at a time: no key lies between the
	// previous head asked for and where it stands.
	r.prev = append(r.prev[:0], key...)
	if r.it == nil {
		r.it = r.txn.NewIterator(badger.IteratorOptions{Prefix: []byte{'r'}})
		r.it.Seek(key)
	}
	for i := 0; r.it.Valid() && bytes.Compare(r.it.Item().Key(), key) < 0; i++ {
		if i == headWalk {
			r.misses++
			r.off = r.misses == headMisses
			return r.point(key)
		}
		r.it.Next()
	}
	r.misses = 0
	if !r.it.Valid() {
		return head{}, false, nil
	}
	item := r.it.Item()
	if !bytes.Equal(item.Key(), key) {
		return head{}, false, nil
	}
	var h head
	err := item.Value(func(b []byte) (err error) { h, err = decodeHead(b); return err })
	return h, true, err
}

// point reads a head with a point read.
func (r *headReader) point(key []byte) (head, bool, error) {
	item, err := r.txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return head{}, false, nil
	}
	if err != nil {
		return head{}, false, err
	}
	var h head
	err = item.Value(func(b []byte) (err error) { h, err = decodeHead(b); return err })
	return h, true, err
}

// close closes the iterator; the transaction cannot commit before.
func (r *headReader) close() {
	if r.it != nil {
		r.it.Close()
		r.it = nil
	}
	r.prev = nil
}
