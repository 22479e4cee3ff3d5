package connectors

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Clock is the time connectors and the scheduler run on. cmd/ gives them
// the wall clock; tests and simulations a ManualClock.
type Clock interface {
	Now() time.Time
	// Sleep waits for d, or until ctx ends (then it returns ctx.Err()).
	Sleep(ctx context.Context, d time.Duration) error
}

// ManualClock is a Clock that moves only when told to, or, with AutoAdvance,
// jumps to the next sleeper's wake-up time as soon as every sleeper sleeps:
// a simulation of days runs in milliseconds and never sleeps for real.
type ManualClock struct {
	mu       sync.Mutex
	now      time.Time
	sleepers []*sleeper
}

type sleeper struct {
	until time.Time
	wake  chan struct{}
}

// NewManualClock returns a clock standing at t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{now: t} }

// Now returns the clock's time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep blocks until the clock has been advanced past now+d.
func (c *ManualClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	c.mu.Lock()
	s := &sleeper{until: c.now.Add(d), wake: make(chan struct{})}
	c.sleepers = append(c.sleepers, s)
	c.mu.Unlock()
	select {
	case <-s.wake:
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		for i, x := range c.sleepers {
			if x == s {
				c.sleepers = append(c.sleepers[:i], c.sleepers[i+1:]...)
				break
			}
		}
		c.mu.Unlock()
		return ctx.Err()
	}
}

// Advance moves the clock forward by d and wakes the sleepers due.
func (c *ManualClock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// Set moves the clock to t (never backwards) and wakes the sleepers due.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.now) {
		c.now = t
	}
	kept := c.sleepers[:0]
	for _, s := range c.sleepers {
		if !s.until.After(c.now) {
			close(s.wake)
		} else {
			kept = append(kept, s)
		}
	}
	c.sleepers = kept
}

// Sleepers reports how many goroutines sleep on the clock.
func (c *ManualClock) Sleepers() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.sleepers)
}

// AdvanceToNext moves the clock to the earliest sleeper's wake-up time and
// wakes it; it reports false when nobody sleeps.
func (c *ManualClock) AdvanceToNext() bool {
	c.mu.Lock()
	if len(c.sleepers) == 0 {
		c.mu.Unlock()
		return false
	}
	sort.Slice(c.sleepers, func(i, j int) bool { return c.sleepers[i].until.Before(c.sleepers[j].until) })
	t := c.sleepers[0].until
	c.mu.Unlock()
	c.Set(t)
	return true
}

// AutoAdvance advances the clock to the next sleeper's wake-up time
// whenever someone sleeps on it, until the returned stop is called: code
// that waits on the clock runs at full speed.
func (c *ManualClock) AutoAdvance() (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			select {
			case <-done:
				return
			default:
			}
			if !c.AdvanceToNext() {
				time.Sleep(50 * time.Microsecond) // real time: let the sleepers' goroutines run
			}
		}
	}()
	return func() { close(done); <-finished }
}
