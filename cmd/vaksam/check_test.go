package main

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/micro"

	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/logging"
	"github.com/vaksam/vaksam/engine/sign"
)

// checkStub is a stand-in for serve's pre-award service, on a server with
// the test clients: it remembers the request ids it was sent and answers
// with reply. check asks as the test consumer (--nats-nkey).
type checkStub struct {
	url  string
	nkey string // the consumer's seed file
	mu   sync.Mutex
	ids  []string
}

// stubKey is the key the stub signs with, made once.
var stubKey = sync.OnceValue(func() *sign.Signer {
	key, err := sign.GenerateKey()
	if err != nil {
		panic(err)
	}
	s, _ := sign.NewSigner(key)
	return s
})

// stubTrust is the flag that trusts stubKey.
func stubTrust() string { return "--trust=" + sign.FormatPublicKey(stubKey().PublicKey()) }

// signedReply answers r as serve does: signed by s (nil: unsigned) for
// the request id id, with an error code unless code is "".
func signedReply(r micro.Request, s *sign.Signer, id, code string, data []byte) {
	h := micro.Headers{bus.RequestIDHeader: {id}, sign.HeaderSignedAt: {time.Now().UTC().Format(time.RFC3339Nano)}}
	desc := "something is wrong"
	if code != "" {
		h[micro.ErrorCodeHeader], h[micro.ErrorHeader] = []string{code}, []string{desc}
	}
	if s != nil {
		if err := s.Sign(event.ScreenSubject, h, data); err != nil {
			panic(err)
		}
	}
	if code == "" {
		r.Respond(data, micro.WithHeaders(h))
	} else {
		r.Error(code, desc, data, micro.WithHeaders(h))
	}
}

// answer replies as serve does, signed by stubKey.
func answer(code string, data string) func(r micro.Request) {
	return func(r micro.Request) {
		signedReply(r, stubKey(), r.Headers().Get(bus.RequestIDHeader), code, []byte(data))
	}
}

const clearAnswer = `{"orgnr":"5591234561","purpose":"award","step":"L0","verdict":"clear"}`

func startCheckStub(t *testing.T, reply func(r micro.Request)) *checkStub {
	t.Helper()
	ns, err := startTestNATS(filepath.Join(t.TempDir(), "nats"), "", -1, t)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ns.Shutdown)
	nc, _ := connectAs(t, ns.URL(), testKey(t, vaksamKey))
	s := &checkStub{url: ns.URL(), nkey: testKeyFile(t, consumerKey)}
	svc, err := micro.AddService(nc, micro.Config{Name: "vaksam-stub", Version: "0.0.1",
		Endpoint: &micro.EndpointConfig{Subject: event.ScreenSubject, Handler: micro.HandlerFunc(func(r micro.Request) {
			s.mu.Lock()
			s.ids = append(s.ids, r.Headers().Get(bus.RequestIDHeader))
			s.mu.Unlock()
			reply(r)
		})}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Stop() })
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *checkStub) sent(t *testing.T) string {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.ids) != 1 || !logging.ValidRequestID(s.ids[0]) {
		t.Fatalf("request ids sent %q, want one valid id", s.ids)
	}
	return s.ids[0]
}

func TestCheckSendsAndPrintsTheRequestID(t *testing.T) {
	t.Run("verbose", func(t *testing.T) {
		stub := startCheckStub(t, answer("", clearAnswer))
		code, _, errOut := run(t, "check", "--nats", stub.url, "--nats-nkey", stub.nkey, stubTrust(), "--verbose", "5591234561")
		id := stub.sent(t)
		if code != exitOK || !strings.Contains(errOut, "request id: "+id) {
			t.Errorf("exit %d, stderr %q; want the id %s", code, errOut, id)
		}
	})
	t.Run("quiet", func(t *testing.T) {
		stub := startCheckStub(t, answer("", clearAnswer))
		code, _, errOut := run(t, "check", "--nats", stub.url, "--nats-nkey", stub.nkey, stubTrust(), "5591234561")
		if id := stub.sent(t); code != exitOK || strings.Contains(errOut, id) {
			t.Errorf("exit %d, stderr %q: the id only with --verbose", code, errOut)
		}
	})
	for _, tc := range []struct {
		name, code string
		exit       int
	}{{"refused", "400", exitUsage}, {"failed", "503", exitFailure}} {
		t.Run(tc.name, func(t *testing.T) {
			stub := startCheckStub(t, answer(tc.code, ""))
			code, _, errOut := run(t, "check", "--nats", stub.url, "--nats-nkey", stub.nkey, stubTrust(), "5591234561")
			if id := stub.sent(t); code != tc.exit || !strings.Contains(errOut, "request id "+id) {
				t.Errorf("exit %d, stderr %q; want %d naming the id %s", code, errOut, tc.exit, id)
			}
		})
	}
}

// check acts on an answer only when Vaksam's key signed it for this
// request: an unsigned, tampered, foreign or replayed answer is an error
// (exit 1), never a verdict, and so is an unsigned refusal. Without a
// trusted key it does not ask.
func TestCheckVerifiesTheAnswer(t *testing.T) {
	other, err := sign.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	otherSigner, _ := sign.NewSigner(other)
	var recorded nats.Header // a real answer to an earlier request
	tamper := func(r micro.Request) {
		m := &nats.Msg{Header: nats.Header{bus.RequestIDHeader: {r.Headers().Get(bus.RequestIDHeader)}}}
		stubKey().Sign(event.ScreenSubject, m.Header, []byte(`{"verdict":"block"}`))
		r.Respond([]byte(`{"orgnr":"5591234561","purpose":"award","step":"L0","verdict":"clear"}`), micro.WithHeaders(micro.Headers(m.Header)))
	}
	replay := func(r micro.Request) {
		if recorded == nil {
			recorded = nats.Header{bus.RequestIDHeader: {"order-1"}}
			stubKey().Sign(event.ScreenSubject, recorded, []byte(clearAnswer))
		}
		r.Respond([]byte(clearAnswer), micro.WithHeaders(micro.Headers(recorded)))
	}
	cfg := filepath.Join(t.TempDir(), "vaksam.yaml")
	os.WriteFile(cfg, []byte("signing:\n  trusted_keys: [\""+sign.FormatPublicKey(stubKey().PublicKey())+"\"]\n"), 0o600)
	for _, tc := range []struct {
		name  string
		reply func(r micro.Request)
		trust []string
		exit  int
		want  string
	}{
		{"signed answer", answer("", clearAnswer), []string{stubTrust()}, exitOK, "signature verified: Vaksam's answer to this request"},
		{"key from the configuration", answer("", clearAnswer), []string{"--config", cfg}, exitOK, "signed by key " + stubKey().KeyID()},
		{"signed refusal", answer("503", ""), []string{stubTrust()}, exitFailure, "503 something is wrong"},
		{"unsigned answer", func(r micro.Request) {
			signedReply(r, nil, r.Headers().Get(bus.RequestIDHeader), "", []byte(clearAnswer))
		}, []string{stubTrust()}, exitFailure, "NOT Vaksam's answer, not acted on: not signed"},
		{"unsigned refusal", func(r micro.Request) {
			signedReply(r, nil, r.Headers().Get(bus.RequestIDHeader), "404", nil)
		}, []string{stubTrust()}, exitFailure, "NOT Vaksam's answer, not acted on: not signed"},
		{"another key", func(r micro.Request) {
			signedReply(r, otherSigner, r.Headers().Get(bus.RequestIDHeader), "", []byte(clearAnswer))
		}, []string{stubTrust()}, exitFailure, "signed with a key that is not trusted"},
		{"verdict changed", tamper, []string{stubTrust()}, exitFailure, "signature does not verify"},
		{"an earlier answer sent again", replay, []string{stubTrust()}, exitFailure, "a reply to another request"},
		{"no trusted key", answer("", clearAnswer), nil, exitUsage, "no trusted key to verify the answer with"},
		{"a bad key", answer("", clearAnswer), []string{"--trust", "ed25519:AAAA"}, exitUsage, "--trust: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			unsetEnv(t, "VAKSAM_CONFIG", signingKeyEnv, "VAKSAM_SIGNING_TRUSTED_KEYS")
			stub := startCheckStub(t, tc.reply)
			code, out, errOut := run(t, append(append([]string{"check", "--nats", stub.url, "--nats-nkey", stub.nkey}, tc.trust...), "5591234561")...)
			if code != tc.exit || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, want %d and %q\n%s%s", code, tc.exit, tc.want, out, errOut)
			}
			if code != exitOK && strings.Contains(out, "clear") {
				t.Errorf("a verdict printed for an answer not acted on:\n%s", out)
			}
		})
	}
}

// check asks with a consumer's key; without one, or with a key the
// server does not know, it is refused at once, naming why.
func TestCheckNeedsAConsumersKey(t *testing.T) {
	stub := startCheckStub(t, answer("", clearAnswer))
	if code, _, errOut := run(t, "check", "--nats", stub.url, "--nats-nkey", stub.nkey, stubTrust(), "5591234561"); code != exitOK {
		t.Fatalf("with the consumer's key: exit %d: %s", code, errOut)
	}
	for _, args := range [][]string{nil, {"--nats-nkey", testKeyFile(t, "stranger")}} {
		code, _, errOut := run(t, append(append([]string{"check", "--nats", stub.url, stubTrust()}, args...), "5591234561")...)
		if code != exitFailure || !strings.Contains(errOut, "Authorization Violation") {
			t.Errorf("check %v: exit %d, stderr %q; want 1 and the server's Authorization Violation", args, code, errOut)
		}
	}
	stub.mu.Lock()
	defer stub.mu.Unlock()
	if len(stub.ids) != 1 {
		t.Errorf("the service got %d requests, want only the one with the key", len(stub.ids))
	}
}
