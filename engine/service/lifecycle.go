package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
)

// Lifecycle stops the parts of a running Vaksam in the reverse order of
// their start, each once: what started last (intake: the web server, the
// pre-award service, the loops) stops first, and what the others need
// (the outbox publisher, the NATS connection, the embedded server) stops
// after them. A start that fails leaves the parts started before it to
// one Stop.
type Lifecycle struct {
	Log *slog.Logger

	mu      sync.Mutex
	parts   []part
	stopped bool
}

type part struct {
	name string
	stop func(ctx context.Context) error
}

// Add records a started part and how to stop it. After Stop, the part is
// stopped at once.
func (l *Lifecycle) Add(name string, stop func(ctx context.Context) error) {
	l.mu.Lock()
	if !l.stopped {
		l.parts = append(l.parts, part{name, stop})
		l.mu.Unlock()
		return
	}
	l.mu.Unlock()
	if err := stop(context.Background()); err != nil {
		l.log().Error(name+" stopped", "err", err)
	}
}

// Go runs fn in a goroutine until its part is stopped: the stop cancels
// fn's context and waits for it to return. An error fn returns is logged.
func (l *Lifecycle) Go(ctx context.Context, name string, fn func(ctx context.Context) error) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := fn(ctx); err != nil && !errors.Is(err, context.Canceled) {
			l.log().Error(name+" stopped", "err", err)
		}
	}()
	l.Add(name, func(context.Context) error {
		cancel()
		<-done
		return nil
	})
}

// Stop stops every part, in the reverse order of start, each once; a
// second Stop does nothing. It returns the parts' errors, each with the
// part's name.
func (l *Lifecycle) Stop(ctx context.Context) error {
	l.mu.Lock()
	parts := l.parts
	l.parts, l.stopped = nil, true
	l.mu.Unlock()
	var errs []error
	for i := len(parts) - 1; i >= 0; i-- {
		if err := parts[i].stop(ctx); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", parts[i].name, err))
		}
	}
	return errors.Join(errs...)
}

func (l *Lifecycle) log() *slog.Logger {
	if l.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l.Log
}
