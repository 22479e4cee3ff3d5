package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/sign"
)

func runWatch(ctx context.Context, a *app, args []string) (int, error) {
	fs := a.newFlags("watch", "watch [--nats URL] [--nats-nkey FILE] [--trust KEY] [--json] [--replay] [--count N] [SUBJECT]",
		"Prints Vaksam's events as they arrive: one line per message with its subject,\n"+
			"message id, per-organisation sequence and payload; --json prints one JSON\n"+
			"object per line (subject, headers, data) for scripts. SUBJECT defaults to\n"+
			"vaksam.> (every event: assessments, alerts, actions; never the records pushed\n"+
			"in or pre-award requests); e.g. 'vaksam.action.>' for the commands only, or\n"+
			"'vaksam.*.*.5591234561' for one organisation. --replay first prints what\n"+
			"the streams hold, then goes on live. It reads the streams with consumers of\n"+
			"its own: give a consumer's key (--nats-nkey) on a server with authorization.\n\n"+
			"Each event's signature is verified with the keys given by --trust (the public\n"+
			"key serve prints) and those of the configuration's signing section\n"+
			"(--config, or $VAKSAM_CONFIG and $VAKSAM_SIGNING_*): each line says whether it\n"+
			"verified. An event that does not is flagged NOT FROM VAKSAM, logged, and makes\n"+
			"the exit status 1. Without any trusted key nothing is verified, and watch\n"+
			"says so.")
	url := fs.String("nats", "nats://127.0.0.1:4222", "NATS server URL")
	creds := fs.String("nats-creds", "", "NATS credentials file (JWT)")
	nkey := fs.String("nats-nkey", "", "NATS NKey seed file: a consumer's key (serve --demo prints one)")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	replay := fs.Bool("replay", false, "print the streams' stored events first")
	count := fs.Int("count", 0, "exit after this many events (0: run until interrupted)")
	var trust keyList
	fs.Var(&trust, "trust", "a public key (ed25519:BASE64) events may be signed with; repeat or separate with commas")
	cfgPath := fs.String("config", "", "configuration file whose signing keys are trusted (default $VAKSAM_CONFIG)")
	if err := a.parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	keys, err := trustedKeys(*cfgPath, trust)
	if err != nil {
		return exitFailure, err
	}
	if keys.Len() == 0 {
		fmt.Fprintln(a.stderr, "vaksam watch: no trusted key (--trust, or the configuration's signing section): signatures are NOT checked")
	}
	subject := "vaksam.>"
	switch fs.NArg() {
	case 0:
	case 1:
		subject = fs.Arg(0)
	default:
		return exitUsage, usagef("one subject at most")
	}
	filters := eventFilters(subject)
	if len(filters) == 0 {
		return exitUsage, usagef("%s matches no event subject (vaksam.assessment.>, vaksam.alert.>, vaksam.action.>)", subject)
	}
	nc, err := bus.Connect(bus.ConnectOptions{URL: *url, Name: "vaksam watch", CredsFile: *creds, NKeyFile: *nkey, Log: a.log})
	if err != nil {
		return exitFailure, err
	}
	defer nc.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The connection closes for good when the server refuses the
	// credentials.
	status := nc.StatusChanged(nats.CONNECTED, nats.CLOSED)
	closed := make(chan struct{})
	nc.SetClosedHandler(func(*nats.Conn) { close(closed) })
	refused := func() error { return fmt.Errorf("NATS %s: connection closed: %v", bus.RedactURL(*url), nc.LastError()) }
	if !nc.IsConnected() && !nc.IsClosed() {
		a.log.Warn("NATS not connected yet; waiting", "url", bus.RedactURL(*url))
		select {
		case <-ctx.Done():
			return exitOK, nil
		case <-status:
		}
	}
	if nc.IsClosed() {
		return exitFailure, refused()
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return exitFailure, err
	}
	// Events are read from the streams, never from the subjects: only
	// what Vaksam published there, and no consumer's account sees the
	// subjects (docs/events.md, "Access").
	msgs := make(chan *nats.Msg, 1024)
	if err := consumeStreams(ctx, js, filters, *replay, msgs); err != nil {
		return exitFailure, err
	}
	a.log.Info("watching", "subject", subject, "replay", *replay)
	n, forged := 0, 0
	end := func() (int, error) {
		if forged > 0 {
			return exitFailure, fmt.Errorf("%d of %d events NOT from Vaksam: their signatures do not verify with the trusted keys", forged, n)
		}
		return exitOK, nil
	}
	for {
		select {
		case <-ctx.Done():
			return end()
		case <-closed:
			return exitFailure, refused()
		case m := <-msgs:
			v := verifyEvent(keys, m)
			if v.Error != "" && keys.Len() > 0 {
				forged++
				a.log.Error("watch: an event NOT from Vaksam", "subject", m.Subject, "msg_id", m.Header.Get(jetstream.MsgIDHeader), "err", v.Error)
			}
			if err := printEvent(a, m, v, *asJSON); err != nil {
				return exitFailure, err
			}
			n++
			if *count > 0 && n >= *count {
				return end()
			}
		}
	}
}

// verified is what watch found of an event's signature.
type verified struct {
	Verified bool   `json:"verified"`
	KeyID    string `json:"key_id,omitempty"`
	Error    string `json:"signature_error,omitempty"`
}

func verifyEvent(keys *sign.Keys, m *nats.Msg) verified {
	if keys.Len() == 0 {
		return verified{Error: "not checked: no trusted key"}
	}
	id, err := keys.Verify(m.Subject, m.Header, m.Data)
	if err != nil {
		return verified{Error: err.Error()}
	}
	return verified{Verified: true, KeyID: id}
}

// String is the text form of a line's verdict.
func (v verified) String() string {
	switch {
	case v.Verified:
		return "signature verified (key " + v.KeyID + ")"
	case strings.HasPrefix(v.Error, "not checked"):
		return "signature " + v.Error
	}
	return "NOT FROM VAKSAM (" + v.Error + ")"
}

// eventFilters maps each event stream the subject overlaps to the filter
// of the subject's messages in it.
func eventFilters(subject string) map[string]string {
	out := map[string]string{}
	for _, cfg := range bus.Streams() {
		if cfg.Name == bus.IngestStream {
			continue // records pushed in, which may carry person numbers
		}
		if filter, ok := intersect(subject, cfg.Subjects[0]); ok {
			out[cfg.Name] = filter
		}
	}
	return out
}

// consumeStreams feeds msgs from an ordered consumer on each stream of
// filters: from the stream's start with replay, else from now.
func consumeStreams(ctx context.Context, js jetstream.JetStream, filters map[string]string, replay bool, msgs chan<- *nats.Msg) error {
	deliver := jetstream.DeliverNewPolicy
	if replay {
		deliver = jetstream.DeliverAllPolicy
	}
	for stream, filter := range filters {
		var c jetstream.Consumer
		var err error
		// A Vaksam that has just started may not have declared its
		// streams yet.
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

func printEvent(a *app, m *nats.Msg, v verified, asJSON bool) error {
	if asJSON {
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
			verified
		}{m.Subject, h, data, v})
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(a.stdout, "%s\n", line)
		return err
	}
	id := m.Header.Get(jetstream.MsgIDHeader)
	seq := m.Header.Get(event.HeaderOrgSeq)
	_, err := fmt.Fprintf(a.stdout, "%s  id=%s  org_seq=%s  %s\n  %s\n", m.Subject, id, seq, v, m.Data)
	return err
}
