package screening

import (
	"context"
	"sync"

	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/store"
)

// subjectWork handles one subject of a scan: seq is its place in the
// store's key order, counted from 0.
type subjectWork func(seq int, id string, recs []store.Resolved) error

// streamSubjects scans the store with opts in one goroutine and hands each
// subject to one of workers goroutines, each running the subjectWork
// newWorker made for it (given the scan's context, done once anything
// failed). At most a few hundred subjects wait between the
// scan and the workers, and none is kept once handled. The first error
// (of the scan, of a worker, or ctx's) stops the scan, the subjects still
// waiting are dropped, and it is returned once every worker is done; n
// counts the subjects scanned.
func streamSubjects(ctx context.Context, st *store.Store, opts store.ScanOptions, workers int, newWorker func(ctx context.Context) subjectWork) (n int, err error) {
	type job struct {
		seq  int
		id   string
		recs []store.Resolved
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan job, 256)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for w := 0; w < workers; w++ {
		work := newWorker(ctx)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if ctx.Err() != nil {
					continue
				}
				if err := work(j.seq, j.id, j.recs); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					cancel()
				}
			}
		}()
	}
	err = st.Scan(opts, func(id string, recs []store.Resolved) error {
		select {
		case jobs <- job{seq: n, id: id, recs: recs}:
			n++
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		// A worker's error, not the cancellation it caused.
		return n, firstErr
	}
	return n, err
}

// inOrder passes decoded subjects to add in the order of their sequence
// numbers, whatever order workers finish them in; a nil subject (one left
// out) only takes its turn. Safe for concurrent use.
type inOrder struct {
	mu      sync.Mutex
	next    int
	pending map[int]*profile.Subject
	add     func(*profile.Subject)
}

func newInOrder(add func(*profile.Subject)) *inOrder {
	return &inOrder{pending: map[int]*profile.Subject{}, add: add}
}

func (o *inOrder) put(seq int, s *profile.Subject) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.pending[seq] = s
	for {
		s, ok := o.pending[o.next]
		if !ok {
			return
		}
		delete(o.pending, o.next)
		o.next++
		if s != nil {
			o.add(s)
		}
	}
}
