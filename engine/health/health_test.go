package health

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestReadiness(t *testing.T) {
	natsDown := errors.New("not connected to nats://127.0.0.1:4222")
	for _, c := range []struct {
		name     string
		checks   []Check
		wantCode int
		want     Report
	}{
		{"all pass", []Check{{"store", ok}, {"nats", ok}}, 200,
			Report{"ready", []Result{{"store", true, ""}, {"nats", true, ""}}}},
		{"one fails, every check still runs", []Check{{"nats", func() error { return natsDown }}, {"store", ok}}, 503,
			Report{"unready", []Result{{"nats", false, natsDown.Error()}, {"store", true, ""}}}},
		{"no checks", nil, 200, Report{"ready", []Result{}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			(&Checker{Checks: c.checks}).ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
			if rec.Code != c.wantCode {
				t.Errorf("status %d, want %d", rec.Code, c.wantCode)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("content type %q", ct)
			}
			var got Report
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if !equal(got, c.want) {
				t.Errorf("report %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestLive(t *testing.T) {
	rec := httptest.NewRecorder()
	Live(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != http.StatusOK || rec.Body.String() != "{\"status\":\"alive\"}\n" {
		t.Errorf("%d %q", rec.Code, rec.Body.String())
	}
}

func ok() error { return nil }

func equal(a, b Report) bool {
	if a.Status != b.Status || len(a.Checks) != len(b.Checks) {
		return false
	}
	for i := range a.Checks {
		if a.Checks[i] != b.Checks[i] {
			return false
		}
	}
	return true
}
