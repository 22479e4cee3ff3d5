package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// otherWriter commits a document as a concurrent writer would: in a
// transaction of its own, outside Update's (as Put and MarkPreAward do).
func otherWriter(t *testing.T, st *Store, kind, id, value string) {
	t.Helper()
	if err := st.db.Update(func(txn *badger.Txn) error { return txn.Set(docKey(kind, id), []byte(value)) }); err != nil {
		t.Fatal(err)
	}
}

// A transaction whose read a concurrent writer changed before it
// committed conflicts; Update runs it again instead of failing, a bounded
// number of times, and stops trying when its context ends.
func TestUpdateRetriesConflicts(t *testing.T) {
	tests := []struct {
		name      string
		conflicts int // tries in which the other writer interferes
		cancel    bool
		wantTries int
		wantErr   bool
	}{
		{"one conflict", 1, false, 2, false},
		{"four conflicts", 4, false, 5, false},
		{"always conflicting: bounded", 100, false, maxAttempts, true},
		{"context ended: no more tries", 100, true, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := openTest(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			tries := 0
			err := st.UpdateContext(ctx, func(tx *Tx) error {
				tries++
				old, err := tx.Get("note", "n1")
				if err != nil && !errors.Is(err, ErrNotFound) {
					return err
				}
				if tries <= tt.conflicts {
					otherWriter(t, st, "note", "n1", "other")
					if tt.cancel {
						cancel()
					}
				}
				if err := tx.Emit(Event{Subject: "s", MsgID: "m", Org: "5591234561"}); err != nil {
					return err
				}
				return tx.Put("note", "n1", append(old, '+'))
			})
			if tries != tt.wantTries {
				t.Errorf("fn ran %d times, want %d", tries, tt.wantTries)
			}
			if tt.wantErr {
				if !errors.Is(err, badger.ErrConflict) {
					t.Fatalf("err %v, want a conflict", err)
				}
				if tt.cancel != errors.Is(err, context.Canceled) {
					t.Errorf("err %v: context.Canceled %v", err, errors.Is(err, context.Canceled))
				}
				if n := st.OutboxDepth(); n != 0 {
					t.Errorf("%d events in the outbox, want none", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("Update: %v", err)
			}
			// The last try read what the other writer committed.
			if got, _ := st.Doc("note", "n1"); string(got) != "other+" {
				t.Errorf("document %q, want %q", got, "other+")
			}
			// Only the committed try's event is in the outbox.
			if n := st.OutboxDepth(); n != 1 {
				t.Errorf("%d events in the outbox, want 1", n)
			}
		})
	}
}

// Concurrent writers of one key, on the paths outside Update (the
// pre-award mark, records): every write succeeds.
func TestConcurrentWritersOfOneKeySucceed(t *testing.T) {
	st := openTest(t)
	base := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	const writers, rounds = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*rounds)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				if err := st.MarkPreAward("5591234561", base.Add(time.Duration(r*writers+w)*time.Second)); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("MarkPreAward: %v", err)
	}
	got, err := st.PreAwardSince(base.Add(time.Duration(writers*rounds-1)*time.Second), base.Add(time.Hour))
	if err != nil || len(got) != 1 {
		t.Errorf("newest mark: %v, %v", got, err)
	}
}
