package store

import (
	"context"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Reader reads the store from one snapshot: a single Badger read
// transaction, for a check that must see one state of the records however
// many it reads, and that stops at its context's deadline. A Reader may be
// used by several goroutines; Close ends it.
type Reader struct {
	s   *Store
	txn *badger.Txn
	ctx context.Context
}

// Reader opens a read transaction; every read through it fails with ctx's
// error once ctx is done.
func (s *Store) Reader(ctx context.Context) *Reader {
	return &Reader{s: s, txn: s.db.NewTransaction(false), ctx: ctx}
}

// Close ends the read transaction.
func (r *Reader) Close() { r.txn.Discard() }

func (r *Reader) check(what string) error {
	if err := r.ctx.Err(); err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	return nil
}

// Subject returns every record of one subject as of opts.At.
func (r *Reader) Subject(subject string, opts ScanOptions) ([]Resolved, error) {
	if err := r.check("read"); err != nil {
		return nil, err
	}
	return r.s.subjectIn(r.txn, subject, opts)
}

// NetworkOf returns the network index's records of one subject as of at
// (Store.NetworkOf).
func (r *Reader) NetworkOf(subject string, at time.Time) ([]NetworkRecord, error) {
	if err := r.check("network index"); err != nil {
		return nil, err
	}
	return r.s.networkOf(r.txn, subject, at)
}

// PersonOrgs returns the organisations a person has or had a role in.
func (r *Reader) PersonOrgs(pseudonym string) ([]string, error) {
	if err := r.check("person index"); err != nil {
		return nil, err
	}
	return linkedIn(r.txn, 'p', pseudonym), nil
}

// AddressOrgs returns the organisations ever registered at an address.
func (r *Reader) AddressOrgs(normalized string) ([]string, error) {
	if err := r.check("address index"); err != nil {
		return nil, err
	}
	return linkedIn(r.txn, 'a', normalized), nil
}

// SourceSubjects lists the subjects with at least one record of a source.
func (r *Reader) SourceSubjects(source string) ([]string, error) {
	if err := r.check("source index"); err != nil {
		return nil, err
	}
	return sourceSubjectsIn(r.txn, source), nil
}

// Market passes every contract and invoice as of at to fn, from the
// market index (market.go).
func (r *Reader) Market(at time.Time, fn MarketFacts) error {
	if !r.s.marketIndexed {
		return ErrNoMarketIndex
	}
	if err := r.s.marketIn(r.ctx, r.txn, at, fn); err != nil {
		return fmt.Errorf("store: market: %w", err)
	}
	return nil
}

// MarketOf passes the contracts and invoices of the categories as of at
// to fn, from the market book (Store.MarketOf): it sees at least what the
// transaction sees, and stops at the Reader's context.
func (r *Reader) MarketOf(at time.Time, categories []string, fn MarketFacts) error {
	if err := r.check("market"); err != nil {
		return err
	}
	return r.s.marketOf(r.ctx, at, categories, fn)
}
