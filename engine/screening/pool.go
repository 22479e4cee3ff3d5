package screening

import (
	"context"
	"iter"
	"sync"
)

// pool screens every item of items with workers goroutines: each makes its
// own work function (its own VM) with newWork and runs it on the items it
// takes. With save, each assessment is stored in batches (as s stores a
// screening of many) before it is given to fn, from one goroutine at a time. The first error stops the feed;
// what the workers hold is finished. It returns how many assessments fn
// took, and the first error, or ctx's.
func pool[T any](ctx context.Context, s *Screener, save bool, workers int, items iter.Seq[T],
	newWork func() func(T) (*Assessment, error), fn func(*Assessment) error) (int, error) {
	var saver *batchSaver
	if save {
		saver = s.newBatchSaver()
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		screened int
		firstErr error
		next     = make(chan T, 256)
	)
	fed, cancel := context.WithCancel(ctx)
	defer cancel()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work := newWork()
			for it := range next {
				a, err := work(it)
				if err == nil && saver != nil {
					err = saver.add(a)
				}
				mu.Lock()
				if err == nil && firstErr == nil {
					err = fn(a)
					screened++
				}
				if err != nil && firstErr == nil {
					firstErr = err
					cancel()
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for it := range items {
		select {
		case next <- it:
		case <-fed.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if saver != nil {
		if err := saver.close(); firstErr == nil {
			firstErr = err
		}
	}
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return screened, firstErr
}
