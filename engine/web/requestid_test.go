package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/logging"
)

// loggedFixture is a fixture whose server and pre-award service log JSON
// into a buffer, and whose service reports each check to observed.
type loggedFixture struct {
	*fixture
	mu       sync.Mutex
	buf      bytes.Buffer
	observed []string // "via outcome"
}

func (lf *loggedFixture) Write(p []byte) (int, error) {
	lf.mu.Lock()
	defer lf.mu.Unlock()
	return lf.buf.Write(p)
}

func newLoggedFixture(t *testing.T) *loggedFixture {
	t.Helper()
	lf := &loggedFixture{fixture: newFixture(t)}
	log, err := logging.New(lf, "json", "debug", false)
	if err != nil {
		t.Fatal(err)
	}
	svc := lf.srv.Check.(*bus.ScreenService)
	svc.Log = log
	svc.Observe = func(via, outcome string, _ time.Duration) {
		lf.mu.Lock()
		defer lf.mu.Unlock()
		lf.observed = append(lf.observed, via+" "+outcome)
	}
	lf.srv.Log = log
	lf.h = lf.srv.Handler()
	return lf
}

// records returns the JSON records logged with the message msg.
func (lf *loggedFixture) records(t *testing.T, msg string) []map[string]any {
	t.Helper()
	lf.mu.Lock()
	defer lf.mu.Unlock()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(lf.buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		if m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

func (lf *loggedFixture) reset() {
	lf.mu.Lock()
	defer lf.mu.Unlock()
	lf.buf.Reset()
	lf.observed = nil
}

func TestRequestIDHeaderAndLogLine(t *testing.T) {
	lf := newLoggedFixture(t)
	robot := lf.token("robot")
	for _, tc := range []struct {
		name, sent string
		keep       bool
	}{
		{"kept", "caller-42.a:b_c", true},
		{"made when missing", "", false},
		{"made when invalid", "two words", false},
		{"made when too long", strings.Repeat("x", 65), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lf.reset()
			var header []string
			if tc.sent != "" {
				header = []string{RequestIDHeader, tc.sent}
			}
			rec := lf.do(robot, http.MethodGet, "/api/v1/suppliers/"+sampleOrg, "", header...)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			id := rec.Header().Get(RequestIDHeader)
			if tc.keep && id != tc.sent {
				t.Errorf("answer's id %q, want the caller's %q", id, tc.sent)
			}
			if !tc.keep && (id == tc.sent || len(id) != 32 || !logging.ValidRequestID(id)) {
				t.Errorf("answer's id %q, want a new one", id)
			}
			recs := lf.records(t, "http request")
			if len(recs) != 1 {
				t.Fatalf("%d request lines: %s", len(recs), lf.buf.String())
			}
			r := recs[0]
			if r["request_id"] != id || r["method"] != "GET" || r["route"] != "GET /api/v1/suppliers/{orgnr}" ||
				r["status"] != float64(200) || r["bytes"] != float64(rec.Body.Len()) || r["level"] != "INFO" {
				t.Errorf("request line %v; want id %s, the route pattern, 200 and %d bytes", r, id, rec.Body.Len())
			}
			if _, ok := r["duration"].(float64); !ok {
				t.Errorf("request line without a duration: %v", r)
			}
		})
	}

	t.Run("status of a refusal", func(t *testing.T) {
		lf.reset()
		rec := lf.do(anon, http.MethodGet, "/api/v1/alerts", "")
		recs := lf.records(t, "http request")
		if rec.Code != http.StatusUnauthorized || len(recs) != 1 || recs[0]["status"] != float64(http.StatusUnauthorized) ||
			recs[0]["request_id"] != rec.Header().Get(RequestIDHeader) {
			t.Errorf("%d, lines %v", rec.Code, recs)
		}
	})
}

func TestPreAwardCheckOverHTTPCarriesTheRequestID(t *testing.T) {
	lf := newLoggedFixture(t)
	robot := lf.token("robot")
	for _, tc := range []struct{ body, outcome string }{
		{`{"orgnr":"559123-4561","purpose":"award"}`, "block"},
		{`{"orgnr":"` + unknownOrg + `","purpose":"award"}`, "not_found"},
		{`{"orgnr":"559123-4562","purpose":"award"}`, "bad_request"},
	} {
		lf.reset()
		rec := lf.do(robot, http.MethodPost, "/api/v1/screen", tc.body, RequestIDHeader, "order-system-1")
		if len(lf.observed) != 1 || lf.observed[0] != "http "+tc.outcome {
			t.Errorf("%s: observed %v, want once http %s (status %d)", tc.body, lf.observed, tc.outcome, rec.Code)
		}
		checks := lf.records(t, "pre-award check")
		if len(checks) != 1 || checks[0]["request_id"] != "order-system-1" || checks[0]["via"] != "http" || checks[0]["outcome"] != tc.outcome {
			t.Errorf("%s: check lines %v", tc.body, checks)
		}
		if reqs := lf.records(t, "http request"); len(reqs) != 1 || reqs[0]["request_id"] != "order-system-1" {
			t.Errorf("%s: request lines %v", tc.body, reqs)
		}
	}
}

// A sole trader's organisation number is the owner's personnummer: in a
// path, a check and an error, it never reaches the log.
func TestNoPersonnummerInTheLog(t *testing.T) {
	lf := newLoggedFixture(t)
	const (
		p10  = "8112189876"
		p10h = "811218-9876"
		p12  = "198112189876"
	)
	robot := lf.token("robot")
	lf.do(robot, http.MethodGet, "/api/v1/suppliers/"+p10, "")
	lf.do(robot, http.MethodGet, "/suppliers/"+p12, "")
	lf.do(robot, http.MethodPost, "/api/v1/screen", `{"orgnr":"`+p10h+`","purpose":"direct"}`)
	lf.do(robot, http.MethodPost, "/api/v1/screen", `{"orgnr":"`+p12+`","purpose":"shopping"}`)
	lf.do(robot, http.MethodGet, "/api/v1/nothing/"+p10, "", RequestIDHeader, "id-"+p10)
	out := lf.buf.String()
	if n := len(lf.records(t, "http request")); n != 5 {
		t.Errorf("%d request lines, want 5:\n%s", n, out)
	}
	if len(lf.records(t, "pre-award check")) != 2 {
		t.Errorf("want two pre-award check lines:\n%s", out)
	}
	for _, p := range []string{p10, p10h, p12} {
		if strings.Contains(out, p) {
			t.Errorf("the log holds %s:\n%s", p, out)
		}
	}
	if !strings.Contains(out, "81XXXX-XXXX") {
		t.Errorf("the sole trader is not in the log even masked:\n%s", out)
	}
}
