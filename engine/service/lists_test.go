package service_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/service"
	"github.com/vaksam/vaksam/engine/settings"
	"github.com/vaksam/vaksam/engine/store"
)

// A sanctions list enabled in sources.sanctions is downloaded by Once with
// Vaksam's User-Agent, each attempt told to Observe (metrics), the file
// imported through ingest as the source's and, on the next check, asked
// for conditionally: the 304 observes the list again.
func TestFetcherDownloadsList(t *testing.T) {
	scr, _, st, _ := setup(t)
	body, err := os.ReadFile(filepath.Join("..", "..", "connectors", "sanctions", "testdata", "un_consolidated.xml"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	var mu sync.Mutex
	var statuses []int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case strings.HasPrefix(r.UserAgent(), "Go-http-client"):
			statuses = append(statuses, http.StatusForbidden)
			http.Error(w, "Forbidden", http.StatusForbidden)
		case r.Header.Get("If-None-Match") == etag:
			statuses = append(statuses, http.StatusNotModified)
			w.WriteHeader(http.StatusNotModified)
		default:
			statuses = append(statuses, http.StatusOK)
			w.Header().Set("ETag", etag)
			w.Header().Set("Content-Type", "application/xml")
			w.Write(body)
		}
	}))
	t.Cleanup(srv.Close)

	var src settings.Sources
	src.Sanctions.UN = &settings.ListDownload{Enabled: true, URL: srv.URL + "/resources/xml/en/consolidated.xml", Every: time.Hour}
	persons, _ := record.NewHMACPseudonymizer([]byte("service tests: not a deployment secret"))
	var attempts []connectors.Attempt
	var out bytes.Buffer
	data := t.TempDir()
	t0 := time.Date(2026, 12, 8, 6, 0, 0, 0, time.UTC)
	fetcher := func(now time.Time) *service.Fetcher {
		f := &service.Fetcher{Screening: scr, Persons: persons, Clock: instantClock{now}, Sources: src, Data: data, Out: &out,
			HTTP: srv.Client(), Observe: func(a connectors.Attempt) { attempts = append(attempts, a) }}
		if err := f.Setup(); err != nil {
			t.Fatal(err)
		}
		return f
	}
	f := fetcher(t0)
	if got := f.Arrivals()[record.SanctionsUN]; got != record.ByDownload {
		t.Errorf("arrival of %s: %q, want %q", record.SanctionsUN, got, record.ByDownload)
	}
	err = f.Once(context.Background())
	if len(attempts) != 1 || attempts[0].Source != record.SanctionsUN || attempts[0].Status != http.StatusOK {
		t.Fatalf("attempts %+v, want one 200 of %s", attempts, record.SanctionsUN)
	}
	if err != nil {
		t.Fatal(err)
	}
	version := func(at time.Time) store.Resolved {
		t.Helper()
		rs, err := st.Subject(record.ListSubject(record.SanctionsSources[record.SanctionsUN]), store.ScanOptions{At: at})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if r.ID.Key == "" {
				return r
			}
		}
		t.Fatalf("no list version record among %d records", len(rs))
		return store.Resolved{}
	}
	if v := version(t0); !v.LastSuccess.Equal(t0) {
		t.Errorf("list version observed %v, want %v", v.LastSuccess, t0)
	}
	// Not due before its hour: no request.
	if err := fetcher(t0.Add(30 * time.Minute)).Once(context.Background()); err != nil || len(statuses) != 1 {
		t.Fatalf("half an hour later: err %v, statuses %v; want no request", err, statuses)
	}
	t1 := t0.Add(time.Hour)
	if err := fetcher(t1).Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(statuses) != 2 || statuses[1] != http.StatusNotModified {
		t.Fatalf("statuses %v, want 200 then 304", statuses)
	}
	if v := version(t1); !v.LastSuccess.Equal(t1) {
		t.Errorf("after the 304 the list version was last observed %v, want %v: its freshness would lapse", v.LastSuccess, t1)
	}
	if !strings.Contains(out.String(), "sanctions-un: unchanged since the last download") {
		t.Errorf("output %q", out.String())
	}
	// A new file the parser refuses (cut short mid-element, served whole):
	// the error names it, none of it is stored, the list stays as it was.
	mu.Lock()
	body = body[:len(body)*2/3]
	etag = `"cut"`
	mu.Unlock()
	t2 := t1.Add(time.Hour)
	err = fetcher(t2).Once(context.Background())
	if err == nil || !strings.Contains(err.Error(), "consolidated.xml") || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("err %v, want the cut consolidated.xml refused", err)
	}
	if v := version(t2); !v.LastSuccess.Equal(t1) {
		t.Errorf("the list version was observed at %v after a refused file, want still %v", v.LastSuccess, t1)
	}
	rs, err := st.Subject(record.ListSubject(record.SanctionsSources[record.SanctionsUN]), store.ScanOptions{At: t2})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.LastSuccess.After(t1) {
			t.Errorf("%s observed at %v from the refused file", r.ID.Key, r.LastSuccess)
		}
	}
}
