package store

import (
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// Documents are small JSON values that packages above the store keep
// beside the records, named by a kind and an id: alerts, decisions.
//
//	d 0 <kind> 0 <id>   a document

// ErrNotFound reports a document or assessment that is not there.
var ErrNotFound = errors.New("not found")

func docKey(kind, id string) []byte {
	b := append([]byte{'d', sep}, kind...)
	b = append(b, sep)
	return append(b, id...)
}

// Get reads a document within the transaction; ErrNotFound when absent.
func (tx *Tx) Get(kind, id string) ([]byte, error) {
	item, err := tx.txn.Get(docKey(kind, id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, fmt.Errorf("store: %s %s: %w", kind, id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: %s %s: %w", kind, id, err)
	}
	return item.ValueCopy(nil)
}

// Put writes a document within the transaction.
func (tx *Tx) Put(kind, id string, data []byte) error {
	if err := tx.txn.Set(docKey(kind, id), data); err != nil {
		return fmt.Errorf("store: %s %s: %w", kind, id, err)
	}
	return nil
}

// Doc reads one document; ErrNotFound when absent.
func (s *Store) Doc(kind, id string) ([]byte, error) {
	var out []byte
	err := s.db.View(func(txn *badger.Txn) error {
		tx := &Tx{s: s, txn: txn}
		var err error
		out, err = tx.Get(kind, id)
		return err
	})
	return out, err
}

// Docs calls fn with every document of a kind whose id starts with prefix,
// in id order.
func (s *Store) Docs(kind, prefix string, fn func(id string, data []byte) error) error {
	base := docKey(kind, "")
	return s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: docKey(kind, prefix), PrefetchValues: true, PrefetchSize: 64})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			data, err := it.Item().ValueCopy(nil)
			if err != nil {
				return fmt.Errorf("store: %s: %w", kind, err)
			}
			if err := fn(string(it.Item().Key()[len(base):]), data); err != nil {
				return err
			}
		}
		return nil
	})
}
