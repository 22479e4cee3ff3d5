package store

import (
	"bytes"
	"errors"

	"github.com/dgraph-io/badger/v4"
)

// headWalk is how many keys a headReader steps over before it seeks: a
// record's own observations and versions, and other sources' records of
// the same subject, lie between two heads of a sorted file.
const headWalk = 16

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
	txn  *badger.Txn
	it   *badger.Iterator
	last []byte // the previous head asked for, when the iterator stands at the first key at or after it
}

// get returns the head stored at key and whether there is one.
func (r *headReader) get(key []byte) (head, bool, error) {
	if r.last != nil && bytes.Compare(key, r.last) <= 0 {
		return r.point(key)
	}
	if r.it == nil {
		r.it = r.txn.NewIterator(badger.IteratorOptions{Prefix: []byte{'r'}})
		r.it.Seek(key)
	} else {
		for i := 0; r.it.Valid() && bytes.Compare(r.it.Item().Key(), key) < 0; i++ {
			if i == headWalk {
				r.it.Seek(key)
				break
			}
			r.it.Next()
		}
	}
	r.last = append(r.last[:0], key...)
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
	r.last = r.last[:0]
}
