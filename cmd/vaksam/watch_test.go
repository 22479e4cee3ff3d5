package main

import (
	"maps"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/sign"
)

var signingLine = regexp.MustCompile(`(?m)^  signing key: (ed25519:\S+) \(key id ([0-9a-f]{16})\)`)

// uncontrolledBroker is a NATS server with JetStream that anybody can
// publish on: the broker a consumer does not control.
func uncontrolledBroker(t *testing.T) (*nats.Conn, jetstream.JetStream, string) {
	t.Helper()
	ns, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, JetStream: true,
		StoreDir: filepath.Join(t.TempDir(), "nats"), NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("the broker did not start")
	}
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	nc, err := nats.Connect(ns.ClientURL(), nats.Name(t.Name()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return nc, js, ns.ClientURL()
}

// A real action, and forgeries made from it by whoever can publish on the
// broker: `vaksam watch` verifies each with the key serve prints, flags
// every forgery NOT FROM VAKSAM and exits 1; the real one, copied to a
// broker nobody controls, verifies. (TestServe watches serve's own
// server.)
func TestWatchFlagsForgedActions(t *testing.T) {
	data := t.TempDir()
	_, decisionID := reviewActivity(t, data) // a halt waits in the outbox
	clock := connectors.NewManualClock(serveNow)
	srv, url := serve(t, clock, data, "--nats-listen", "127.0.0.1:"+strconv.Itoa(freeTCPPort(t)), "--screen-every", "0")
	m := signingLine.FindStringSubmatch(srv.out.String())
	if m == nil || m[1] != testSigningKey(t) {
		t.Fatalf("serve prints the signing key %q, want %s\n%s", m, testSigningKey(t), srv.out)
	}
	key, keyID := m[1], m[2]
	_, js := connect(t, url)
	real := lastEvent(t, js, bus.ActionStream, "vaksam.action.halt."+sampleOrg, anyEvent)
	if got := real.Header.Get(jetstream.MsgIDHeader); got != "action."+decisionID || real.Header.Get(sign.HeaderKeyID) != keyID {
		t.Fatalf("the halt's headers: %v", real.Header)
	}
	// From here watch trusts only what --trust gives it, as a consumer
	// elsewhere would.
	t.Setenv(signingKeyEnv, "")

	// On a broker nobody controls: the real action copied as it is, and
	// four forgeries with its payload.
	attacker, err := sign.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	attackerSigner, _ := sign.NewSigner(attacker)
	copyOf := func(subject, msgID string) *nats.Msg {
		c := &nats.Msg{Subject: subject, Header: maps.Clone(real.Header), Data: real.Data}
		if msgID != "" {
			c.Header.Set(jetstream.MsgIDHeader, msgID)
		}
		return c
	}
	terminate := "vaksam.action.terminate." + sampleOrg
	unsigned := copyOf(real.Subject, "action.forged-1")
	unsigned.Header.Del(sign.HeaderSignature)
	unsigned.Header.Del(sign.HeaderKeyID)
	ownKey := copyOf(real.Subject, "action.forged-4")
	if err := attackerSigner.Sign(ownKey.Subject, ownKey.Header, ownKey.Data); err != nil {
		t.Fatal(err)
	}
	msgs := []struct {
		m    *nats.Msg
		want string // "" verified, else the error's start
	}{
		{copyOf(real.Subject, ""), ""},
		{unsigned, "not signed"},
		{copyOf(real.Subject, "action.forged-2"), "signature does not verify"},
		{copyOf(terminate, "action.forged-3"), "signature does not verify"},
		{ownKey, "signed with a key that is not trusted"},
	}
	_, ujs, uurl := uncontrolledBroker(t)
	if err := bus.EnsureStreams(t.Context(), ujs); err != nil {
		t.Fatal(err)
	}
	for _, x := range msgs {
		if _, err := ujs.PublishMsg(t.Context(), x.m); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("json", func(t *testing.T) {
		w := start(t, clock, "watch", "--nats", uurl, "--trust", key, "--replay", "--count", strconv.Itoa(len(msgs)), "--json", "vaksam.action.>")
		code, ok := w.wait(10 * time.Second)
		if !ok || code != exitFailure || !strings.Contains(w.errOut.String(), "4 of 5 events NOT from Vaksam") {
			t.Fatalf("watch: exit %d (ended %v), want 1 naming the forgeries\n%s", code, ok, w)
		}
		lines := watchLines(t, w.out.String())
		if len(lines) != len(msgs) {
			t.Fatalf("%d lines, want %d:\n%s", len(lines), len(msgs), w.out)
		}
		for i, l := range lines {
			want := msgs[i]
			if l.Subject != want.m.Subject || l.Headers[jetstream.MsgIDHeader] != want.m.Header.Get(jetstream.MsgIDHeader) {
				t.Errorf("line %d is %s %s, want %s", i, l.Subject, l.Headers[jetstream.MsgIDHeader], want.m.Subject)
			}
			if l.Verified != (want.want == "") || !strings.HasPrefix(l.SignatureError, want.want) {
				t.Errorf("%s %s: verified %v %q, want %q", l.Subject, l.Headers[jetstream.MsgIDHeader], l.Verified, l.SignatureError, want.want)
			}
		}
		if n := strings.Count(w.log.String(), "watch: an event NOT from Vaksam"); n != 4 {
			t.Errorf("%d forgeries logged, want 4:\n%s", n, w.log)
		}
	})

	t.Run("text", func(t *testing.T) {
		w := start(t, clock, "watch", "--nats", uurl, "--trust", key, "--replay", "--count", strconv.Itoa(len(msgs)), "vaksam.action.>")
		if code, ok := w.wait(10 * time.Second); !ok || code != exitFailure {
			t.Fatalf("watch: exit %d (ended %v)\n%s", code, ok, w)
		}
		out := w.out.String()
		if n := strings.Count(out, "  NOT FROM VAKSAM ("); n != 4 || strings.Count(out, "  signature verified (key "+keyID+")") != 1 {
			t.Errorf("watch printed:\n%s", out)
		}
	})

	t.Run("no trusted key", func(t *testing.T) {
		w := start(t, clock, "watch", "--nats", uurl, "--replay", "--count", "1", "--json", "vaksam.action.>")
		if code, ok := w.wait(10 * time.Second); !ok || code != exitOK {
			t.Fatalf("watch: exit %d (ended %v)\n%s", code, ok, w)
		}
		if l := watchLines(t, w.out.String()); len(l) != 1 || l[0].Verified || l[0].SignatureError != "not checked: no trusted key" ||
			!strings.Contains(w.errOut.String(), "signatures are NOT checked") {
			t.Errorf("watch without a key:\n%s", w)
		}
	})
}
