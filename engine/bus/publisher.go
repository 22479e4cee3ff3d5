package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vaksam/vaksam/engine/sign"
	"github.com/vaksam/vaksam/engine/store"
)

// Publisher drains the store's outbox into JetStream. An event leaves the
// outbox only once JetStream has acknowledged it (or recognised it as a
// duplicate of one it has). One Publisher runs per store.
//
// Every event is signed as it is published (package sign): the outbox
// holds the events unsigned, so only the process that publishes needs the
// key, and an event sent again after a restart is signed again, with the
// key in force then. Ed25519 signatures are deterministic, so the same
// event signed with the same key carries the same signature every time.
type Publisher struct {
	Store *store.Store
	JS    jetstream.JetStream
	// Signer signs every event; a Publisher without one publishes
	// nothing.
	Signer *sign.Signer
	Log    *slog.Logger
	// Window is how many events are in flight at once (default 256).
	Window int
	// AckWait bounds the wait for one window's acknowledgements (default
	// 10s).
	AckWait time.Duration
	// Retry is the first wait after a failure; it doubles up to MaxRetry
	// (defaults 250ms and 15s).
	Retry, MaxRetry time.Duration

	mu    sync.Mutex
	stats PublisherStats
}

// PublisherStats say how the publisher is doing.
type PublisherStats struct {
	Published  uint64 // events acknowledged as new
	Duplicates uint64 // events JetStream already had
	Failures   uint64 // windows that failed
	LastError  string
	Streams    bool // the streams are declared
}

// Stats returns a copy of the counters.
func (p *Publisher) Stats() PublisherStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

func (p *Publisher) log() *slog.Logger {
	if p.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return p.Log
}

// Run publishes until ctx ends. Events are published in outbox order, and
// after a failure publishing starts again from the first event not
// acknowledged, so the events of an organisation reach the stream in
// order.
func (p *Publisher) Run(ctx context.Context) error {
	if p.Signer == nil {
		return errNoSigner
	}
	retry := p.retry()
	wait := retry.first
	var after uint64
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		if err := ctx.Err(); err != nil {
			return nil
		}
		if !p.Stats().Streams {
			if err := p.ensure(ctx); err != nil {
				if !p.sleep(ctx, &wait, retry, err) {
					return nil
				}
				continue
			}
		}
		last, read, delivered, err := p.step(ctx, after)
		var se *storeError
		if errors.As(err, &se) {
			return se.err
		}
		if read == 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-p.Store.OutboxNotify():
			case <-tick.C:
			}
			continue
		}
		if delivered > 0 {
			after = last
			wait = retry.first
		}
		if err != nil {
			if errors.Is(err, jetstream.ErrNoStreamResponse) || errors.Is(err, nats.ErrNoResponders) {
				// A stream was deleted or the server restarted empty.
				p.mu.Lock()
				p.stats.Streams = false
				p.mu.Unlock()
			}
			if !p.sleep(ctx, &wait, retry, err) {
				return nil
			}
		}
	}
}

// Drain publishes what waits until the outbox is empty, ctx ends or a
// publish fails; for a graceful stop.
func (p *Publisher) Drain(ctx context.Context) error {
	if p.Signer == nil {
		return errNoSigner
	}
	if err := p.ensure(ctx); err != nil {
		return err
	}
	var after uint64
	for p.Store.OutboxDepth() > 0 {
		last, read, _, err := p.step(ctx, after)
		if err != nil || read == 0 {
			return err
		}
		after = last
	}
	return nil
}

var errNoSigner = errors.New("bus: publisher: no signing key: events are never published unsigned")

// storeError marks a failure of the store, which ends publishing, from
// publishing failures, which are retried.
type storeError struct{ err error }

func (e *storeError) Error() string { return e.err.Error() }
func (e *storeError) Unwrap() error { return e.err }

// step publishes the next window of events after the outbox position
// after and removes what JetStream acknowledged. It returns the position
// of the last event removed, how many events it read and removed, and the
// first failure.
func (p *Publisher) step(ctx context.Context, after uint64) (last uint64, read, delivered int, err error) {
	window := p.Window
	if window <= 0 {
		window = 256
	}
	evs, err := p.Store.Outbox(after, window)
	if err != nil {
		return after, 0, 0, &storeError{err}
	}
	if len(evs) == 0 {
		return after, 0, 0, nil
	}
	done, err := p.publish(ctx, evs)
	if len(done) > 0 {
		if derr := p.Store.Delivered(done); derr != nil {
			return after, len(evs), 0, &storeError{derr}
		}
		after = done[len(done)-1]
	}
	return after, len(evs), len(done), err
}

func (p *Publisher) ensure(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := EnsureStreams(ctx, p.JS); err != nil {
		return err
	}
	p.mu.Lock()
	p.stats.Streams = true
	p.mu.Unlock()
	return nil
}

// publish sends evs asynchronously and returns the outbox sequences of the
// longest acknowledged prefix.
func (p *Publisher) publish(ctx context.Context, evs []store.Event) ([]uint64, error) {
	futures := make([]jetstream.PubAckFuture, 0, len(evs))
	var sendErr error
	for i := range evs {
		ev := &evs[i]
		m, err := p.message(ev)
		if err != nil {
			sendErr = err
			break
		}
		opts := []jetstream.PublishOpt{jetstream.WithMsgID(ev.MsgID)}
		if s := StreamFor(ev.Subject); s != "" {
			opts = append(opts, jetstream.WithExpectStream(s))
		}
		f, err := p.JS.PublishMsgAsync(m, opts...)
		if err != nil {
			sendErr = fmt.Errorf("bus: publish %s: %w", ev.MsgID, err)
			break
		}
		futures = append(futures, f)
	}
	ackWait := p.AckWait
	if ackWait <= 0 {
		ackWait = 10 * time.Second
	}
	timer := time.NewTimer(ackWait)
	defer timer.Stop()
	var done []uint64
	var firstErr error
	var pub, dup uint64
wait:
	for i, f := range futures {
		select {
		case ack := <-f.Ok():
			done = append(done, evs[i].Seq)
			if ack.Duplicate {
				dup++
			} else {
				pub++
			}
			continue
		case err := <-f.Err():
			firstErr = fmt.Errorf("bus: publish %s: %w", evs[i].MsgID, err)
		case <-timer.C:
			firstErr = fmt.Errorf("bus: publish %s: no acknowledgement within %s", evs[i].MsgID, ackWait)
		case <-ctx.Done():
			firstErr = ctx.Err()
		}
		// The rest may yet be stored; they are sent again from here and
		// JetStream drops what it already has.
		break wait
	}
	if firstErr == nil {
		firstErr = sendErr
	}
	p.mu.Lock()
	p.stats.Published += pub
	p.stats.Duplicates += dup
	if firstErr != nil {
		p.stats.Failures++
		p.stats.LastError = firstErr.Error()
	}
	p.mu.Unlock()
	return done, firstErr
}

// message is an event as published: its headers, its message id, and
// its signature over them, the subject and the payload.
func (p *Publisher) message(ev *store.Event) (*nats.Msg, error) {
	m := nats.NewMsg(ev.Subject)
	for k, v := range ev.Header {
		m.Header.Set(k, v)
	}
	m.Header.Set(jetstream.MsgIDHeader, ev.MsgID)
	m.Data = ev.Data
	if err := p.Signer.Sign(ev.Subject, m.Header, m.Data); err != nil {
		return nil, fmt.Errorf("bus: publish %s: %w", ev.MsgID, err)
	}
	return m, nil
}

type backoff struct{ first, max time.Duration }

func (p *Publisher) retry() backoff {
	b := backoff{p.Retry, p.MaxRetry}
	if b.first <= 0 {
		b.first = 250 * time.Millisecond
	}
	if b.max <= 0 {
		b.max = 15 * time.Second
	}
	return b
}

// sleep logs err and waits before the next attempt, doubling the wait;
// false when ctx ended.
func (p *Publisher) sleep(ctx context.Context, wait *time.Duration, b backoff, err error) bool {
	if ctx.Err() != nil {
		return false // stopping: Drain publishes what waits
	}
	p.log().Warn("outbox: publishing paused", "err", err, "retry_in", *wait, "waiting", p.Store.OutboxDepth())
	t := time.NewTimer(*wait)
	defer t.Stop()
	*wait = min(*wait*2, b.max)
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// OutboxStatus is what waits in the outbox and how the publisher is doing.
type OutboxStatus struct {
	Depth      int     `json:"outbox_depth"`
	OldestAge  float64 `json:"outbox_oldest_age_seconds"` // 0 when empty
	Published  uint64  `json:"published"`
	Duplicates uint64  `json:"duplicates"`
	Failures   uint64  `json:"failures"`
	LastError  string  `json:"last_error,omitempty"`
	Connected  bool    `json:"nats_connected"`
}

// Status reports the outbox as of now (the oldest event's age counts from
// the time its cause happened).
func (p *Publisher) Status(now time.Time, connected bool) (OutboxStatus, error) {
	st := p.Stats()
	out := OutboxStatus{Depth: p.Store.OutboxDepth(), Published: st.Published, Duplicates: st.Duplicates,
		Failures: st.Failures, LastError: st.LastError, Connected: connected}
	oldest, err := p.Store.OutboxOldest()
	if err != nil {
		return out, err
	}
	if !oldest.IsZero() {
		out.OldestAge = max(0, now.Sub(oldest).Seconds())
	}
	return out, nil
}
