package main

import (
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/micro"

	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/logging"
)

// checkStub is a stand-in for serve's pre-award service: it remembers the
// request ids it was sent and answers with reply.
type checkStub struct {
	url string
	mu  sync.Mutex
	ids []string
}

func startCheckStub(t *testing.T, reply func(r micro.Request)) *checkStub {
	t.Helper()
	ns, err := bus.StartServer(bus.ServerOptions{Dir: filepath.Join(t.TempDir(), "nats"), Port: -1, Name: "check-test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ns.Shutdown)
	nc, err := nats.Connect(ns.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	s := &checkStub{url: ns.URL()}
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
		code, _, errOut := run(t, "check", "--nats", stub.url, "--verbose", "5591234561")
		id := stub.sent(t)
		if code != exitOK || !strings.Contains(errOut, "request id: "+id) {
			t.Errorf("exit %d, stderr %q; want the id %s", code, errOut, id)
		}
	})
	t.Run("quiet", func(t *testing.T) {
		stub := startCheckStub(t, func(r micro.Request) {
			r.Respond([]byte(`{"orgnr":"5591234561","purpose":"award","step":"L0","verdict":"clear"}`))
		})
		code, _, errOut := run(t, "check", "--nats", stub.url, "5591234561")
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
			code, _, errOut := run(t, "check", "--nats", stub.url, "5591234561")
			if id := stub.sent(t); code != tc.exit || !strings.Contains(errOut, "request id "+id) {
				t.Errorf("exit %d, stderr %q; want %d naming the id %s", code, errOut, tc.exit, id)
			}
		})
	}
}
