package store

import (
	"bytes"

	"github.com/dgraph-io/badger/v4"
)

// AddressesFrom returns, for each normalised address (record.NormalizeAddress)
// that begins with prefix, the subjects ever registered at it, in key order,
// reading at most limit index entries (0: no limit); more is true when
// there were more. It reads only the address index's entries under the
// prefix, never the records: the cost is the entries it returns.
func (s *Store) AddressesFrom(prefix string, limit int) (found map[string][]string, more bool, err error) {
	found = map[string][]string{}
	if prefix == "" {
		return found, false, nil
	}
	start := []byte{'i', sep, 'a', sep}
	p := append(bytes.Clone(start), prefix...)
	err = s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: p})
		defer it.Close()
		n := 0
		for it.Rewind(); it.Valid(); it.Next() {
			if limit > 0 && n == limit {
				more = true
				return nil
			}
			k := it.Item().Key()[len(start):]
			i := bytes.LastIndexByte(k, sep)
			if i < 0 {
				continue
			}
			addr := string(k[:i])
			found[addr] = append(found[addr], string(k[i+1:]))
			n++
		}
		return nil
	})
	return found, more, err
}
