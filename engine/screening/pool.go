package screening

import (
	"context"
	"iter"
	"sync"
)

// delivery saves each assessment of a screening of many (in batches, as s
// stores a screening of many, when it saves) and then gives it to fn, from
// one goroutine at a time; after the first error fn hears of nothing more.
type delivery struct {
	saver  *batchSaver
	fn     func(*Assessment) error
	mu     sync.Mutex
	n      int   // assessments fn took
	err    error // the first error
	failed bool
}

func (s *Screener) newDelivery(save bool, fn func(*Assessment) error) *delivery {
	d := &delivery{fn: fn}
	if save {
		d.saver = s.newBatchSaver()
	}
	return d
}

// take delivers a, or the error that made no assessment; it returns the
// error that stops the screening.
func (d *delivery) take(a *Assessment, err error) error {
	if err == nil && d.saver != nil {
		err = d.saver.add(a)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err == nil && !d.failed {
		if err = d.fn(a); err == nil {
			d.n++
		}
	}
	if err != nil && !d.failed {
		d.failed, d.err = true, err
	}
	return err
}

// close stores what waits to be saved and returns err (the caller's own),
// else the first error of the deliveries, the saving's, or ctx's.
func (d *delivery) close(ctx context.Context, err error) error {
	if err == nil {
		err = d.err
	}
	if d.saver != nil {
		if serr := d.saver.close(); err == nil {
			err = serr
		}
	}
	if err == nil {
		err = ctx.Err()
	}
	return err
}

// pool screens every item of items with workers goroutines: each makes its
// own work function (its own VM) with newWork and runs it on the items it
// takes, each assessment delivered as delivery says. The first error stops
// the feed; what the workers hold is finished. It returns how many
// assessments fn took, and the first error, or ctx's.
func pool[T any](ctx context.Context, s *Screener, save bool, workers int, items iter.Seq[T],
	newWork func() func(T) (*Assessment, error), fn func(*Assessment) error) (int, error) {
	d := s.newDelivery(save, fn)
	var wg sync.WaitGroup
	next := make(chan T, 256)
	fed, cancel := context.WithCancel(ctx)
	defer cancel()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work := newWork()
			for it := range next {
				if err := d.take(work(it)); err != nil {
					cancel()
				}
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
	err := d.close(ctx, nil)
	return d.n, err
}
