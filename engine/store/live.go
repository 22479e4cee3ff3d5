package store

import (
	"context"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// entrySize is what one stored key and its value take as data: the
// key's and the value's lengths (a value kept in the value log counted
// by its pointer's length less the entry's header and checksum, as
// Badger estimates it). LiveSize sums it over the store; Prune counts
// what it removes with it, so the two agree.
func entrySize(item *badger.Item) int64 {
	return int64(len(item.Key())) + item.ValueSize()
}

// LiveSize is the live data of the store: the sum of the key and value
// sizes (entrySize) of every key it holds, read by iterating its newest
// versions. Unlike the size on disk it counts neither Badger's fixed
// files nor what awaits compaction, so it changes exactly by what is
// written and deleted: after Prune it is smaller by Pruned.Bytes.
func (s *Store) LiveSize(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{})
		defer it.Close()
		i := 0
		for it.Rewind(); it.Valid(); it.Next() {
			if i++; i%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			n += entrySize(it.Item())
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: live size: %w", err)
	}
	return n, nil
}
