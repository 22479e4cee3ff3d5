package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Transactions that conflict with a concurrent one (Badger's optimistic
// concurrency: a key this one read was written and committed by another
// since it began) are run again, a bounded number of times: a pre-award
// check that meets an ingest or another check of the same organisation
// answers rather than failing with a store error.
const (
	// maxAttempts bounds the tries of one transaction.
	maxAttempts = 5
	// firstBackoff is the wait before the second try; it doubles for each
	// further one, and each wait is jittered by ±50% so that the
	// transactions that conflicted do not meet again.
	firstBackoff = time.Millisecond
)

// retry runs try until it does not fail with badger.ErrConflict, or
// maxAttempts tries have failed, or ctx ends while waiting between tries.
// fn is run again from the start: it must do its work within the
// transaction it is given.
func retry(ctx context.Context, try func() error) error {
	wait := firstBackoff
	for attempt := 1; ; attempt++ {
		err := try()
		if err == nil || !errors.Is(err, badger.ErrConflict) {
			return err
		}
		if attempt == maxAttempts {
			return fmt.Errorf("%w (tried %d times)", err, attempt)
		}
		t := time.NewTimer(wait/2 + rand.N(wait))
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (not tried again: %w)", err, ctx.Err())
		case <-t.C:
		}
		wait *= 2
	}
}
