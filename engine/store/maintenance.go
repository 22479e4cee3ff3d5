package store

import (
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// ErrClosed is returned by Check once the store is closed.
var ErrClosed = errors.New("store: closed")

// Check reports whether the store is open, answers a read and can write:
// it fails while a write fault lasts (see faults.go), saying which and
// why. It writes a small file in the store's directory, and while a fault
// lasts, commits a probe.
func (s *Store) Check() error {
	if s.db.IsClosed() {
		return ErrClosed
	}
	if err := s.db.View(func(txn *badger.Txn) error { return nil }); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if s.dir != "" {
		if err := probeDir(s.dir); err != nil {
			s.faults.add("directory", directoryFault, err.Error())
		} else {
			s.faults.end(func(x *fault) bool { return x.class == directoryFault })
		}
	}
	if probe, fatal := s.faults.state(); probe && !fatal {
		txn := s.db.NewTransaction(true)
		defer txn.Discard()
		err := txn.Delete(probeKey)
		if err == nil {
			err = txn.Commit()
		}
		if err == nil {
			s.faults.wrote("probe", nil) // writes succeed: the commit faults end
		}
		s.faults.settle(err == nil)
	}
	return s.faults.err()
}

// CollectGarbage rewrites value-log files of which at least ratio (0.5
// is Badger's advice) is stale, until none is left, and returns how many
// it rewrote. Deleted and overwritten values (delivered outbox events,
// superseded documents) take disk space until it runs.
func (s *Store) CollectGarbage(ratio float64) (int, error) {
	n := 0
	for {
		err := s.db.RunValueLogGC(ratio)
		switch {
		case err == nil:
			n++
		case errors.Is(err, badger.ErrNoRewrite), errors.Is(err, badger.ErrRejected):
			// Nothing more worth rewriting, or a GC already runs.
			return n, nil
		default:
			return n, fmt.Errorf("store: value-log gc: %w", err)
		}
	}
}
