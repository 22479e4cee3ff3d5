package main

import (
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/nats-io/nats.go/micro"

	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/logging"
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
		stub := startCheckStub(t, func(r micro.Request) {
			r.Respond([]byte(`{"orgnr":"5591234561","purpose":"award","step":"L0","verdict":"clear"}`))
		})
		code, _, errOut := run(t, "check", "--nats", stub.url, "--nats-nkey", stub.nkey, "--verbose", "5591234561")
		id := stub.sent(t)
		if code != exitOK || !strings.Contains(errOut, "request id: "+id) {
			t.Errorf("exit %d, stderr %q; want the id %s", code, errOut, id)
		}
	})
	t.Run("quiet", func(t *testing.T) {
		stub := startCheckStub(t, func(r micro.Request) {
			r.Respond([]byte(`{"orgnr":"5591234561","purpose":"award","step":"L0","verdict":"clear"}`))
		})
		code, _, errOut := run(t, "check", "--nats", stub.url, "--nats-nkey", stub.nkey, "5591234561")
		if id := stub.sent(t); code != exitOK || strings.Contains(errOut, id) {
			t.Errorf("exit %d, stderr %q: the id only with --verbose", code, errOut)
		}
	})
	for _, tc := range []struct {
		name, code string
		exit       int
	}{{"refused", "400", exitUsage}, {"failed", "503", exitFailure}} {
		t.Run(tc.name, func(t *testing.T) {
			stub := startCheckStub(t, func(r micro.Request) { r.Error(tc.code, "something is wrong", nil) })
			code, _, errOut := run(t, "check", "--nats", stub.url, "--nats-nkey", stub.nkey, "5591234561")
			if id := stub.sent(t); code != tc.exit || !strings.Contains(errOut, "request id "+id) {
				t.Errorf("exit %d, stderr %q; want %d naming the id %s", code, errOut, tc.exit, id)
			}
		})
	}
}

// check asks with a consumer's key; without one, or with a key the
// server does not know, it is refused at once, naming why.
func TestCheckNeedsAConsumersKey(t *testing.T) {
	stub := startCheckStub(t, func(r micro.Request) {
		r.Respond([]byte(`{"orgnr":"5591234561","purpose":"award","step":"L0","verdict":"clear"}`))
	})
	if code, _, errOut := run(t, "check", "--nats", stub.url, "--nats-nkey", stub.nkey, "5591234561"); code != exitOK {
		t.Fatalf("with the consumer's key: exit %d: %s", code, errOut)
	}
	for _, args := range [][]string{nil, {"--nats-nkey", testKeyFile(t, "stranger")}} {
		code, _, errOut := run(t, append(append([]string{"check", "--nats", stub.url}, args...), "5591234561")...)
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
