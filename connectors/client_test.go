package connectors

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

func testClient(t *testing.T, h http.HandlerFunc) (*Client, *ManualClock, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	clock := NewManualClock(time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC))
	stop := clock.AutoAdvance()
	t.Cleanup(stop)
	return &Client{Source: "test", HTTP: srv.Client(), Clock: clock, Jitter: func() float64 { return 0.5 }, Timeout: 2 * time.Second}, clock, srv
}

func TestRetryAfterOn429(t *testing.T) {
	var calls atomic.Int32
	c, clock, srv := testClient(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Write([]byte("ok"))
	})
	start := clock.Now()
	resp, err := c.Do(context.Background(), Request{Method: "GET", URL: srv.URL})
	if err != nil || string(resp.Body) != "ok" {
		t.Fatalf("%v %v", resp, err)
	}
	if waited := clock.Now().Sub(start); waited < 30*time.Second {
		t.Errorf("waited %v, want Retry-After's 30 s", waited)
	}
}

func TestRetriesServerErrorsWithBackoffThenGivesUp(t *testing.T) {
	var calls atomic.Int32
	var ids []string
	c, _, srv := testClient(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		ids = append(ids, r.Header.Get("X-Request-Id"))
		w.WriteHeader(http.StatusBadGateway)
	})
	c.Retries = 3
	var attempts []Attempt
	c.Observe = func(a Attempt) { attempts = append(attempts, a) }
	_, err := c.Do(context.Background(), Request{Method: "GET", URL: srv.URL})
	var he *HTTPError
	if !errors.As(err, &he) || he.Status != 502 || !he.Temporary() {
		t.Fatalf("error %v, want HTTP 502", err)
	}
	if calls.Load() != 4 || len(attempts) != 4 {
		t.Errorf("%d calls, %d observed, want 4", calls.Load(), len(attempts))
	}
	if ids[0] == "" || ids[0] != ids[3] || he.RequestID != ids[0] {
		t.Errorf("request ids %v, error's %s: want one id across retries", ids, he.RequestID)
	}
}

func TestProblemDetailsAreNotRetried(t *testing.T) {
	var calls atomic.Int32
	c, _, srv := testClient(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"type":"about:blank","instance":"/organisationer","status":400,"title":"Bad Request","detail":"Ogiltig kontrollsiffra","timestamp":"2026-11-21T08:00:00Z","requestId":"bv-123"}`))
	})
	_, err := c.Do(context.Background(), Request{Method: "POST", URL: srv.URL, Body: []byte("{}")})
	var he *HTTPError
	if !errors.As(err, &he) || he.Problem == nil || he.Problem.RequestID != "bv-123" || calls.Load() != 1 {
		t.Fatalf("error %v after %d calls", err, calls.Load())
	}
	if !strings.Contains(err.Error(), "Ogiltig kontrollsiffra") || !strings.Contains(err.Error(), "requestId bv-123") {
		t.Errorf("message %q", err)
	}
}

func TestRateLimitOnTheClock(t *testing.T) {
	c, clock, srv := testClient(t, func(w http.ResponseWriter, r *http.Request) {})
	c.Limit = rate.NewLimiter(rate.Every(time.Second), 1) // 60 a minute
	start := clock.Now()
	for i := 0; i < 61; i++ {
		if _, err := c.Do(context.Background(), Request{Method: "GET", URL: srv.URL}); err != nil {
			t.Fatal(err)
		}
	}
	if d := clock.Now().Sub(start); d < 60*time.Second || d > 61*time.Second {
		t.Errorf("61 calls at 60 a minute took %v on the clock, want 60 s", d)
	}
}

func TestTimeoutIsRetriedAndCancellationIsNot(t *testing.T) {
	var calls atomic.Int32
	block := make(chan struct{})
	t.Cleanup(func() { close(block) })
	c, _, srv := testClient(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			select {
			case <-block:
			case <-r.Context().Done():
			}
			return
		}
		w.Write([]byte("late but fine"))
	})
	c.Timeout = 50 * time.Millisecond
	resp, err := c.Do(context.Background(), Request{Method: "GET", URL: srv.URL})
	if err != nil || string(resp.Body) != "late but fine" || calls.Load() != 3 {
		t.Fatalf("%v %v after %d calls", resp, err, calls.Load())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Do(ctx, Request{Method: "GET", URL: srv.URL}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestRefusedCertificateIsNotRetried(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1) }))
	t.Cleanup(srv.Close)
	clock := NewManualClock(time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC))
	t.Cleanup(clock.AutoAdvance())
	// The default client does not trust the test server's certificate.
	c := &Client{Source: "test", HTTP: &http.Client{}, Clock: clock, Jitter: func() float64 { return 0 }}
	var attempts int
	c.Observe = func(Attempt) { attempts++ }
	_, err := c.Do(context.Background(), Request{Method: "GET", URL: srv.URL})
	if err == nil || attempts != 1 || calls.Load() != 0 {
		t.Errorf("err %v after %d attempts, %d requests served: want one attempt", err, attempts, calls.Load())
	}
}
