package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/sign"
)

// The client side of the events: what a consumer such as `vaksam watch`
// does to read Vaksam's events from the streams and tell Vaksam's from
// forged ones.

// Verified is what a consumer found of an event's signature.
type Verified struct {
	Verified bool   `json:"verified"`
	KeyID    string `json:"key_id,omitempty"`
	Error    string `json:"signature_error,omitempty"`
}

// VerifyEvent verifies an event's signature with the trusted keys; with
// none, it says that nothing was checked.
func VerifyEvent(keys *sign.Keys, m *nats.Msg) Verified {
	if keys.Len() == 0 {
		return Verified{Error: "not checked: no trusted key"}
	}
	id, err := keys.Verify(m.Subject, m.Header, m.Data)
	if err != nil {
		return Verified{Error: err.Error()}
	}
	return Verified{Verified: true, KeyID: id}
}

// String is the text form of an event's verdict.
func (v Verified) String() string {
	switch {
	case v.Verified:
		return "signature verified (key " + v.KeyID + ")"
	case strings.HasPrefix(v.Error, "not checked"):
		return "signature " + v.Error
	}
	return "NOT FROM VAKSAM (" + v.Error + ")"
}

// WriteEvent writes an event with its verdict on w: one line with its
// subject, message id, per-organisation sequence and verdict, then its
// payload; asJSON, one JSON object (subject, headers, data and the
// verdict's fields) on one line.
func WriteEvent(w io.Writer, m *nats.Msg, v Verified, asJSON bool) error {
	if !asJSON {
		id := m.Header.Get(jetstream.MsgIDHeader)
		seq := m.Header.Get(event.HeaderOrgSeq)
		_, err := fmt.Fprintf(w, "%s  id=%s  org_seq=%s  %s\n  %s\n", m.Subject, id, seq, v, m.Data)
		return err
	}
	h := map[string]string{}
	for k := range m.Header {
		h[k] = m.Header.Get(k)
	}
	var data json.RawMessage = m.Data
	if !json.Valid(m.Data) {
		data, _ = json.Marshal(string(m.Data))
	}
	line, err := json.Marshal(struct {
		Subject string            `json:"subject"`
		Headers map[string]string `json:"headers,omitempty"`
		Data    json.RawMessage   `json:"data"`
		Verified
	}{m.Subject, h, data, v})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", line)
	return err
}

// EventFilters maps each event stream the subject overlaps to the filter
// of the subject's messages in it. The ingest stream is never among
// them: it holds records pushed in, which may carry person numbers.
func EventFilters(subject string) map[string]string {
	out := map[string]string{}
	for _, cfg := range Streams() {
		if cfg.Name == IngestStream {
			continue
		}
		if filter, ok := intersect(subject, cfg.Subjects[0]); ok {
			out[cfg.Name] = filter
		}
	}
	return out
}

// WatchEvents reads the events of filters (EventFilters) from the
// streams over nc (ConsumeEvents, from the start with replay) until ctx
// ends. It first waits for nc to connect, a server not being up yet
// (logged); ctx ending first returns no events and no error. closed is
// closed with the connection when that closes for good (the server
// refused the credentials); ClosedError says why.
func WatchEvents(ctx context.Context, nc *nats.Conn, url string, filters map[string]string, replay bool, log *slog.Logger) (events <-chan *nats.Msg, closed <-chan struct{}, err error) {
	status := nc.StatusChanged(nats.CONNECTED, nats.CLOSED)
	done := make(chan struct{})
	nc.SetClosedHandler(func(*nats.Conn) { close(done) })
	if !nc.IsConnected() && !nc.IsClosed() {
		log.Warn("NATS not connected yet; waiting", "url", RedactURL(url))
		select {
		case <-ctx.Done():
			return nil, done, nil
		case <-status:
		}
	}
	if nc.IsClosed() {
		return nil, done, ClosedError(nc, url)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, done, err
	}
	msgs := make(chan *nats.Msg, 1024)
	if err := ConsumeEvents(ctx, js, filters, replay, msgs); err != nil {
		return nil, done, err
	}
	return msgs, done, nil
}

// ClosedError says why the connection to url closed.
func ClosedError(nc *nats.Conn, url string) error {
	return fmt.Errorf("NATS %s: connection closed: %v", RedactURL(url), nc.LastError())
}

// ConsumeEvents feeds msgs from an ordered consumer on each stream of
// filters (EventFilters): from the stream's start with replay, else from
// now. Events are read from the streams, never from the subjects: only
// what Vaksam published there, and no consumer's account sees the
// subjects (docs/events.md, "Access"). A stream not declared yet (a
// Vaksam that has just started) is waited for.
func ConsumeEvents(ctx context.Context, js jetstream.JetStream, filters map[string]string, replay bool, msgs chan<- *nats.Msg) error {
	deliver := jetstream.DeliverNewPolicy
	if replay {
		deliver = jetstream.DeliverAllPolicy
	}
	for stream, filter := range filters {
		var c jetstream.Consumer
		var err error
		for {
			c, err = js.OrderedConsumer(ctx, stream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{filter}, DeliverPolicy: deliver})
			if !errors.Is(err, jetstream.ErrStreamNotFound) {
				break
			}
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(250 * time.Millisecond):
			}
		}
		if err != nil {
			return fmt.Errorf("%s: %w", stream, err)
		}
		if _, err := c.Consume(func(m jetstream.Msg) {
			select {
			case msgs <- &nats.Msg{Subject: m.Subject(), Header: m.Headers(), Data: m.Data()}:
			case <-ctx.Done():
			}
		}); err != nil {
			return fmt.Errorf("%s: %w", stream, err)
		}
	}
	return nil
}

// intersect returns the subject filter that matches exactly the subjects
// both filters match, false when there are none. One filter need not
// contain the other: 'vaksam.*.*.5591234561' and 'vaksam.alert.>' give
// 'vaksam.alert.*.5591234561'. (A consumer's filter must lie within its
// stream's subjects on servers before 2.10.)
func intersect(a, b string) (string, bool) {
	at, bt := strings.Split(a, "."), strings.Split(b, ".")
	var out []string
	for i := 0; ; i++ {
		switch {
		case i == len(at) && i == len(bt):
			return strings.Join(out, "."), true
		case i == len(at) || i == len(bt):
			return "", false
		case at[i] == ">":
			return strings.Join(append(out, bt[i:]...), "."), true
		case bt[i] == ">":
			return strings.Join(append(out, at[i:]...), "."), true
		case at[i] == "*":
			out = append(out, bt[i])
		case bt[i] == "*" || at[i] == bt[i]:
			out = append(out, at[i])
		default:
			return "", false
		}
	}
}

// WatchOptions say which events Watch reads and what it does with each.
type WatchOptions struct {
	URL     string            // for messages
	Filters map[string]string // EventFilters
	Replay  bool              // from each stream's start
	Keys    *sign.Keys        // trusted keys; empty: signatures are not checked
	Count   int               // stop after this many events (0: until ctx ends)
	Each    func(m *nats.Msg, v Verified) error
	Log     *slog.Logger
}

// Watch reads Vaksam's events on nc as o says, verifies each with o.Keys
// and hands it to o.Each, until ctx ends, o.Count events were read or the
// connection closes. An event whose signature does not verify is logged
// and counted, and makes Watch fail at its end: it is NOT from Vaksam.
func Watch(ctx context.Context, nc *nats.Conn, o WatchOptions) (n int, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	msgs, closed, err := WatchEvents(ctx, nc, o.URL, o.Filters, o.Replay, o.Log)
	if err != nil || msgs == nil {
		return 0, err
	}
	forged := 0
	end := func() (int, error) {
		if forged > 0 {
			return n, fmt.Errorf("%d of %d events NOT from Vaksam: their signatures do not verify with the trusted keys", forged, n)
		}
		return n, nil
	}
	for {
		select {
		case <-ctx.Done():
			return end()
		case <-closed:
			return n, ClosedError(nc, o.URL)
		case m := <-msgs:
			v := VerifyEvent(o.Keys, m)
			if v.Error != "" && o.Keys.Len() > 0 {
				forged++
				o.Log.Error("watch: an event NOT from Vaksam", "subject", m.Subject, "msg_id", m.Header.Get(jetstream.MsgIDHeader), "err", v.Error)
			}
			if err := o.Each(m, v); err != nil {
				return n, err
			}
			n++
			if o.Count > 0 && n >= o.Count {
				return end()
			}
		}
	}
}
