package connectors

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/vaksam/vaksam/engine/logging"
)

// Every attempt of a call made for a request sends the request's id; a
// call made for no request (or one whose id is not fit to send) makes its
// own, the same across its retries.
func TestRequestIDFromTheContext(t *testing.T) {
	for _, tc := range []struct {
		name, ctxID string
		keep        bool
	}{
		{"the request's id", "order-7f3a", true},
		{"no request", "", false},
		{"an id not fit to send", "a b\r\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var (
				mu   sync.Mutex
				sent []string
			)
			c, _, srv := testClient(t, func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				sent = append(sent, r.Header.Get("X-Request-Id"))
				if len(sent) < 3 {
					w.WriteHeader(http.StatusServiceUnavailable)
					return
				}
				w.Write([]byte("ok"))
			})
			var observed []string
			c.Observe = func(a Attempt) { observed = append(observed, a.RequestID) }
			ctx := context.Background()
			if tc.ctxID != "" {
				ctx = logging.WithRequestID(ctx, tc.ctxID)
			}
			resp, err := c.Do(ctx, Request{Method: http.MethodGet, URL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			id := resp.RequestID
			if tc.keep && id != tc.ctxID || !tc.keep && (id == "" || id == tc.ctxID) {
				t.Errorf("request id %q with %q in the context", id, tc.ctxID)
			}
			if len(sent) != 3 || len(observed) != 3 {
				t.Fatalf("%d attempts sent, %d observed, want 3", len(sent), len(observed))
			}
			for i := range sent {
				if sent[i] != id || observed[i] != id {
					t.Errorf("attempt %d sent %q, observed %q, want %q", i+1, sent[i], observed[i], id)
				}
			}
		})
	}
}
