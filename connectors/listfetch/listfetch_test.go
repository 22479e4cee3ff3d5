package listfetch_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/connectors/listfetch"
	"github.com/vaksam/vaksam/connectors/sanctions"
	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/record"
)

const token = "s3cr3t-T0KEN-4711"

// instantClock stands still and never sleeps: retries happen at once.
type instantClock struct{ t time.Time }

func (c instantClock) Now() time.Time { return c.t }
func (c instantClock) Sleep(ctx context.Context, d time.Duration) error {
	return ctx.Err()
}

// listServer reproduces the publishers' behaviour: the EU's file server
// wants the token in the query and refuses Go's default User-Agent (403);
// all answer conditional requests (ETag and Last-Modified) with 304.
type listServer struct {
	*httptest.Server
	mu          sync.Mutex
	body        []byte
	contentType string
	modified    time.Time
	useETag     bool
	wantToken   string // "" : none needed
	truncate    int    // answer this many requests with a body cut short
	requests    []*http.Request
	statuses    []int
}

func newListServer(t *testing.T, body []byte) *listServer {
	t.Helper()
	s := &listServer{body: body, contentType: "application/xml", modified: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), useETag: true}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *listServer) set(body []byte, modified time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.body, s.modified = body, modified
}

func (s *listServer) etag() string {
	sum := sha256.Sum256(s.body)
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}

func (s *listServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r.Clone(context.Background()))
	status := s.answer(w, r)
	s.statuses = append(s.statuses, status)
}

func (s *listServer) answer(w http.ResponseWriter, r *http.Request) int {
	if ua := r.UserAgent(); ua == "" || strings.HasPrefix(ua, "Go-http-client") {
		http.Error(w, "Forbidden", http.StatusForbidden)
		return http.StatusForbidden
	}
	if s.wantToken != "" && r.URL.Query().Get("token") != s.wantToken {
		http.Error(w, "Forbidden", http.StatusForbidden)
		return http.StatusForbidden
	}
	if s.useETag {
		w.Header().Set("ETag", s.etag())
		if r.Header.Get("If-None-Match") == s.etag() {
			w.WriteHeader(http.StatusNotModified)
			return http.StatusNotModified
		}
	} else {
		w.Header().Set("Last-Modified", s.modified.Format(http.TimeFormat))
		if t, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err == nil && !s.modified.After(t) {
			w.WriteHeader(http.StatusNotModified)
			return http.StatusNotModified
		}
	}
	w.Header().Set("Content-Type", s.contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(s.body)))
	body := s.body
	if s.truncate > 0 {
		s.truncate--
		body = body[:len(body)/2] // the connection closes short of Content-Length
	}
	w.Write(body)
	return http.StatusOK
}

func (s *listServer) log() (reqs []*http.Request, statuses []int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append(reqs, s.requests...), append(statuses, s.statuses...)
}

// store is what the test's import keeps: per import, the list's entity
// ids and the observation time, as engine/ingest would store them.
type store struct {
	mu      sync.Mutex
	imports []imported
}

type imported struct {
	name     string
	observed time.Time
	ids      []string
}

func (s *store) all() []imported {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]imported(nil), s.imports...)
}

// importFunc reads the file with the real reader of the list's format
// and keeps its entity ids; a file the reader refuses stores nothing.
func (s *store) importFunc(read func(r *os.File, name string) (sanctions.Result, error)) listfetch.ImportFunc {
	return func(ctx context.Context, path, name string, observed time.Time) (ingest.Counts, error) {
		f, err := os.Open(path)
		if err != nil {
			return ingest.Counts{}, err
		}
		defer f.Close()
		res, err := read(f, name)
		var ids []string
		for _, e := range res.Entities {
			ids = append(ids, e.ID)
		}
		if len(ids) == 0 && err != nil {
			return ingest.Counts{}, err
		}
		// Like engine/ingest, what was read before an error is stored.
		s.mu.Lock()
		defer s.mu.Unlock()
		s.imports = append(s.imports, imported{name: name, observed: observed, ids: ids})
		return ingest.Counts{New: len(ids), Quarantined: len(res.Problems)}, err
	}
}

// checkFunc reads the file with the list's reader and stores nothing.
func checkFunc(read func(r *os.File, name string) (sanctions.Result, error)) listfetch.CheckFunc {
	return func(ctx context.Context, path, name string) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = read(f, name)
		return err
	}
}

func readEU(f *os.File, name string) (sanctions.Result, error) { return sanctions.ReadEUXML(f, name) }
func readUN(f *os.File, name string) (sanctions.Result, error) { return sanctions.ReadUNXML(f, name) }
func readFtM(f *os.File, name string) (sanctions.Result, error) {
	return sanctions.ReadFtM(f, name)
}

func sample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "sanctions", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// t0 is when the tests' first download runs.
var t0 = time.Date(2026, 12, 8, 6, 0, 0, 0, time.UTC)

// downloader downloads source from url (a listServer's) into a fresh
// directory, logging into logs and importing with the list's real reader.
func downloader(t *testing.T, srv *listServer, source, url string) (st *store, logs *bytes.Buffer, d *listfetch.Downloader) {
	t.Helper()
	read := map[string]func(*os.File, string) (sanctions.Result, error){record.SanctionsEU: readEU, record.SanctionsUN: readUN, record.SanctionsFtM: readFtM}[source]
	st, logs = &store{}, &bytes.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return st, logs, &listfetch.Downloader{
		List:   listfetch.List{Source: source, URL: url},
		Client: &connectors.Client{HTTP: srv.Client(), Clock: instantClock{t0}, Log: log, Retries: 2},
		Dir:    t.TempDir(),
		Import: st.importFunc(read),
		Check:  checkFunc(read),
	}
}

func TestETagAnd304(t *testing.T) {
	srv := newListServer(t, sample(t, "eu_fsf_1_1.xml"))
	srv.wantToken = token
	st, logs, d := downloader(t, srv, record.SanctionsEU, srv.URL+"/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token="+token)
	d.Header = http.Header{"Accept": {"application/xml"}}

	res, err := d.Run(context.Background(), t0)
	if err != nil {
		t.Fatal(err)
	}
	if res.NotModified || res.Counts.New != 2 || res.File != "content.xml" {
		t.Fatalf("first download: %+v, want the 2 entities of the file imported as content.xml", res)
	}
	// The second check is conditional; the 304 imports the last file
	// again with the new observation time: the list stays current.
	t1 := t0.Add(6 * time.Hour)
	res, err = d.Run(context.Background(), t1)
	if err != nil {
		t.Fatal(err)
	}
	if !res.NotModified || res.Counts.New != 2 {
		t.Fatalf("second download: %+v, want not modified and the last file imported again", res)
	}
	reqs, statuses := srv.log()
	if fmt.Sprint(statuses) != "[200 304]" {
		t.Fatalf("statuses %v, want [200 304]", statuses)
	}
	if got, want := reqs[1].Header.Get("If-None-Match"), srv.etag(); got != want {
		t.Errorf("If-None-Match %q, want the ETag %q", got, want)
	}
	if reqs[1].Header.Get("Accept") != "application/xml" || !strings.HasPrefix(reqs[1].UserAgent(), "Vaksam/") {
		t.Errorf("headers %v, want the configured Accept and Vaksam's User-Agent", reqs[1].Header)
	}
	imps := st.all()
	if len(imps) != 2 || !imps[1].observed.Equal(t1) || fmt.Sprint(imps[0].ids) != fmt.Sprint(imps[1].ids) {
		t.Fatalf("imports %+v, want the same list observed at %v", imps, t1)
	}

	// A new file: imported, and its validators replace the old.
	srv.set(append([]byte(nil), sample(t, "eu_fsf_1_1.xml")...), t1)
	srv.mu.Lock()
	srv.body = bytes.Replace(srv.body, []byte(`logicalId="207"`), []byte(`logicalId="208"`), 1)
	srv.mu.Unlock()
	res, err = d.Run(context.Background(), t1.Add(6*time.Hour))
	if err != nil || res.NotModified {
		t.Fatalf("changed file: %+v, %v", res, err)
	}
	if ids := st.all()[2].ids; !strings.Contains(fmt.Sprint(ids), "208") {
		t.Errorf("ids %v, want the new entity 208", ids)
	}
	if strings.Contains(logs.String(), token) {
		t.Errorf("the token is in the logs:\n%s", logs.String())
	}
}

func TestLastModified(t *testing.T) {
	srv := newListServer(t, sample(t, "un_consolidated.xml"))
	srv.useETag = false
	st, _, d := downloader(t, srv, record.SanctionsUN, srv.URL+"/resources/xml/en/consolidated.xml")
	if _, err := d.Run(context.Background(), t0); err != nil {
		t.Fatal(err)
	}
	res, err := d.Run(context.Background(), t0.Add(time.Hour))
	if err != nil || !res.NotModified {
		t.Fatalf("second run: %+v, %v; want not modified", res, err)
	}
	reqs, _ := srv.log()
	if got := reqs[1].Header.Get("If-Modified-Since"); got != srv.modified.Format(http.TimeFormat) {
		t.Errorf("If-Modified-Since %q, want %q", got, srv.modified.Format(http.TimeFormat))
	}
	if reqs[1].Header.Get("If-None-Match") != "" {
		t.Errorf("If-None-Match sent without an ETag: %q", reqs[1].Header.Get("If-None-Match"))
	}
	if imps := st.all(); len(imps) != 2 || imps[0].name != "consolidated.xml" || len(imps[0].ids) != 4 {
		t.Errorf("imports %+v, want consolidated.xml with 4 entities, twice", imps)
	}
	// The state file lost the last file: the next request is unconditional.
	if err := os.Remove(filepath.Join(d.Dir, "last")); err != nil {
		t.Fatal(err)
	}
	res, err = d.Run(context.Background(), t0.Add(2*time.Hour))
	if err != nil || res.NotModified {
		t.Fatalf("after losing the last file: %+v, %v; want the whole file", res, err)
	}
}

// TestRefusedWithoutUserAgent: the EU's server answers 403 to Go's default
// agent. The error says so, is not retried, and shows no token.
func TestRefusedWithoutUserAgent(t *testing.T) {
	srv := newListServer(t, sample(t, "eu_fsf_1_1.xml"))
	srv.wantToken = token
	st, logs, d := downloader(t, srv, record.SanctionsEU, srv.URL+"/content?token="+token)
	d.UserAgent = "Go-http-client/1.1"
	_, err := d.Run(context.Background(), t0)
	var he *connectors.HTTPError
	if !errors.As(err, &he) || he.Status != http.StatusForbidden || !strings.Contains(err.Error(), "user_agent") {
		t.Fatalf("err %v, want an HTTP 403 that points at user_agent", err)
	}
	if _, statuses := srv.log(); len(statuses) != 1 {
		t.Errorf("%d requests, want 1: a 403 is not retried", len(statuses))
	}
	listfetch.Log(d.Client.Log, d.List, listfetch.Result{}, err)
	if strings.Contains(err.Error(), token) || strings.Contains(logs.String(), token) {
		t.Errorf("the token shows:\nerr: %v\nlogs: %s", err, logs.String())
	}
	if !strings.Contains(err.Error(), "token=xxxxx") {
		t.Errorf("err %v, want the URL with its token redacted", err)
	}
	// The failure is recorded; the next try is an hour later, not 6.
	state, err := d.LoadState()
	if err != nil {
		t.Fatal(err)
	}
	if state.Error == "" || strings.Contains(state.Error, token) || !d.Next(state).Equal(t0.Add(listfetch.RetryAfterFailure)) {
		t.Errorf("state %+v, next %v; want the redacted error and a retry in an hour", state, d.Next(state))
	}
	if len(st.all()) != 0 {
		t.Errorf("imports %+v after a refusal", st.all())
	}

	// A named agent with a wrong token: 403 too; with the token: 200.
	d.UserAgent = ""
	good := d.URL
	d.URL = srv.URL + "/content?token=wrong"
	if _, err := d.Run(context.Background(), t0.Add(time.Hour)); !errors.As(err, &he) || he.Status != http.StatusForbidden {
		t.Fatalf("err %v with a wrong token, want HTTP 403", err)
	}
	d.URL = good
	if _, err := d.Run(context.Background(), t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if len(st.all()) != 1 {
		t.Errorf("imports %+v, want one", st.all())
	}
}

// TestNetworkErrorHidesToken: the HTTP client's own errors name the URL;
// they and the retry logs show it redacted.
func TestNetworkErrorHidesToken(t *testing.T) {
	srv := newListServer(t, nil)
	srv.Close()
	_, logs, d := downloader(t, srv, record.SanctionsEU, srv.URL+"/content?token="+token)
	_, err := d.Run(context.Background(), t0)
	if err == nil {
		t.Fatal("no error from a closed server")
	}
	if strings.Contains(err.Error(), token) || strings.Contains(logs.String(), token) {
		t.Errorf("the token shows:\nerr: %v\nlogs: %s", err, logs.String())
	}
	if !strings.Contains(logs.String(), "retrying") {
		t.Errorf("logs %s, want the retries logged", logs.String())
	}
}

// TestEchoedTokenHidden: a server whose error pages quote the request's
// URL (token and all): neither the retries' log lines nor the error show
// the token.
func TestEchoedTokenHidden(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Service unavailable for "+r.URL.String()+" (token "+r.URL.Query().Get("token")+")", http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	_, logs, d := downloader(t, &listServer{Server: srv}, record.SanctionsEU, srv.URL+"/content?token="+url.QueryEscape(token+"/+"))
	_, err := d.Run(context.Background(), t0)
	var he *connectors.HTTPError
	if !errors.As(err, &he) || he.Status != http.StatusServiceUnavailable {
		t.Fatalf("err %v, want HTTP 503", err)
	}
	listfetch.Log(d.Client.Log, d.List, listfetch.Result{}, err)
	state, _ := d.LoadState()
	for _, s := range []string{err.Error(), logs.String(), state.Error} {
		if strings.Contains(s, token) {
			t.Errorf("the token shows: %s", s)
		}
	}
	if strings.Count(logs.String(), "retrying") != 2 || !strings.Contains(err.Error(), "Service unavailable for") {
		t.Errorf("err %v\nlogs %s\nwant the 2 retries logged and the answer quoted", err, logs.String())
	}
}

// TestTruncatedKeepsPrevious: a body cut short is retried; cut short every
// time, the download fails, nothing is imported, and the previous list,
// its validators and its last file stay.
func TestTruncatedKeepsPrevious(t *testing.T) {
	first := sample(t, "entities.ftm.json")
	srv := newListServer(t, first)
	srv.contentType = "application/json"
	st, _, d := downloader(t, srv, record.SanctionsFtM, srv.URL+"/datasets/latest/sanctions/entities.ftm.json")
	if _, err := d.Run(context.Background(), t0); err != nil {
		t.Fatal(err)
	}
	before, err := d.LoadState()
	if err != nil {
		t.Fatal(err)
	}

	// Cut short once: the retry brings the whole file.
	changed := append([]byte(nil), first...)
	changed = append(changed, []byte(`{"id": "NK-new", "schema": "Person", "properties": {"name": ["Ny Person"]}, "target": true}`+"\n")...)
	srv.set(changed, t0)
	srv.mu.Lock()
	srv.truncate = 1
	srv.mu.Unlock()
	if _, err := d.Run(context.Background(), t0.Add(time.Hour)); err != nil {
		t.Fatalf("one cut body then a whole one: %v", err)
	}
	// Cut short on every try (the first and 2 retries).
	changed2 := append(append([]byte(nil), changed...), []byte(`{"id": "NK-new2", "schema": "Person", "properties": {"name": ["Ny Person Två"]}, "target": true}`+"\n")...)
	srv.set(changed2, t0)
	srv.mu.Lock()
	srv.truncate = 3
	srv.mu.Unlock()
	imports := len(st.all())
	lastBefore, _ := os.ReadFile(filepath.Join(d.Dir, "last"))
	mid, _ := d.LoadState()
	_, err = d.Run(context.Background(), t0.Add(2*time.Hour))
	if err == nil || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err %v, want an unexpected EOF", err)
	}
	if len(st.all()) != imports {
		t.Errorf("a cut body was imported")
	}
	after, _ := d.LoadState()
	lastAfter, _ := os.ReadFile(filepath.Join(d.Dir, "last"))
	if after.Validators != mid.Validators || after.SHA256 != mid.SHA256 || !bytes.Equal(lastAfter, lastBefore) || after.Validators == before.Validators {
		t.Errorf("state %+v, want the previous file's %+v kept", after, mid)
	}
	matches, _ := filepath.Glob(filepath.Join(d.Dir, "download-*"))
	if len(matches) != 0 {
		t.Errorf("temporary files left: %v", matches)
	}
}

// TestNotTheFormat: a 200 whose body is not the list: the error names the
// file, nothing is stored, the previous list stays.
func TestNotTheFormat(t *testing.T) {
	good := sample(t, "un_consolidated.xml")
	srv := newListServer(t, good)
	st, _, d := downloader(t, srv, record.SanctionsUN, srv.URL+"/resources/xml/en/consolidated.xml")
	if _, err := d.Run(context.Background(), t0); err != nil {
		t.Fatal(err)
	}
	mid, _ := d.LoadState()

	// Cut XML, served whole (Content-Length matches): the reader refuses it.
	srv.set(good[:len(good)*2/3], t0.Add(time.Hour))
	_, err := d.Run(context.Background(), t0.Add(time.Hour))
	if err == nil || !strings.Contains(err.Error(), "consolidated.xml") || !strings.Contains(err.Error(), "not well-formed") {
		t.Fatalf("err %v, want the reader's error naming consolidated.xml", err)
	}
	// An HTML page with 200 (a sign-in or error page) is refused before
	// any import.
	srv.set([]byte("<!DOCTYPE html><html><body>Service unavailable</body></html>"), t0.Add(2*time.Hour))
	srv.mu.Lock()
	srv.contentType = "text/html; charset=utf-8"
	srv.mu.Unlock()
	_, err = d.Run(context.Background(), t0.Add(2*time.Hour))
	if err == nil || !strings.Contains(err.Error(), "HTML page") {
		t.Fatalf("err %v, want the HTML page refused", err)
	}
	if n := len(st.all()); n != 1 {
		t.Errorf("%d imports, want only the first", n)
	}
	after, _ := d.LoadState()
	if after.Validators != mid.Validators || after.SHA256 != mid.SHA256 || after.File != "consolidated.xml" {
		t.Errorf("state %+v, want the first file's %+v", after, mid)
	}
}

// TestTooLarge: a file over MaxBytes is an error, not retried.
func TestTooLarge(t *testing.T) {
	srv := newListServer(t, sample(t, "un_consolidated.xml"))
	st, _, d := downloader(t, srv, record.SanctionsUN, srv.URL+"/consolidated.xml")
	d.MaxBytes = 1000
	_, err := d.Run(context.Background(), t0)
	if err == nil || !strings.Contains(err.Error(), "limit of 1000") {
		t.Fatalf("err %v, want the size limit", err)
	}
	if _, statuses := srv.log(); len(statuses) != 1 || len(st.all()) != 0 {
		t.Errorf("statuses %v, imports %d: want one request and nothing imported", statuses, len(st.all()))
	}
}

func TestSchedule(t *testing.T) {
	srv := newListServer(t, sample(t, "un_consolidated.xml"))
	_, _, d := downloader(t, srv, record.SanctionsUN, srv.URL+"/consolidated.xml")
	d.Every = 12 * time.Hour
	for _, c := range []struct {
		at  time.Time
		ran bool
	}{{t0, true}, {t0.Add(time.Hour), false}, {t0.Add(12*time.Hour - time.Second), false}, {t0.Add(12 * time.Hour), true}} {
		_, ran, err := d.RunIfDue(context.Background(), c.at)
		if err != nil {
			t.Fatal(err)
		}
		if ran != c.ran {
			t.Errorf("at %v: ran %v, want %v", c.at.Sub(t0), ran, c.ran)
		}
	}
	if _, statuses := srv.log(); fmt.Sprint(statuses) != "[200 304]" {
		t.Errorf("statuses %v, want [200 304]", statuses)
	}
}

// A run stopped by its context (a shutdown) is not a failure: the next
// start checks at once instead of an hour later.
func TestStoppedIsNotFailed(t *testing.T) {
	srv := newListServer(t, sample(t, "un_consolidated.xml"))
	_, _, d := downloader(t, srv, record.SanctionsUN, srv.URL+"/consolidated.xml")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := d.Run(ctx, t0); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	st, err := d.LoadState()
	if err != nil {
		t.Fatal(err)
	}
	if !st.Attempted.IsZero() || st.Error != "" || !d.Next(st).IsZero() {
		t.Errorf("state %+v after a stop, want none: due at once", st)
	}
	if _, ran, err := d.RunIfDue(context.Background(), t0.Add(time.Minute)); !ran || err != nil {
		t.Errorf("after the stop: ran %v, err %v; want a run", ran, err)
	}
}
