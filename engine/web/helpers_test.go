package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/watchlist"
	"github.com/vaksam/vaksam/rules"
	defaultpack "github.com/vaksam/vaksam/rules/default"
)

const (
	sampleOrg   = "5591234561" // the sample supplier: L3, an alert
	unknownOrg  = "5560021361" // Bolagsverket: ORGANISATION_FINNS_EJ
	sampleAlert = sampleOrg + "-1"
)

const samples = "../../connectors/formats/testdata"

var sampleFiles = []struct{ source, file, orgnr string }{
	{"bolagsverket", "bolagsverket-organisationer.json", ""},
	{"bolagsverket", "bolagsverket-organisationer-finns-ej.json", ""},
	{"bolagsverket-bulk", "bolagsverket-bulkfil.txt", ""},
	{"bolagsverket-dokument", "bolagsverket-dokumentlista.json", sampleOrg},
	{"scb", "scb-hamtaforetag.json", ""},
	{"scb-bulk", "scb-bulkfil.txt", ""},
	{"kronofogden", "kronofogden.jsonl", ""},
	{"ivo", "ivo-tillstand.csv", ""},
	{"ivo-beslut", "ivo-beslut.jsonl", ""},
	{"roles", "roles.jsonl", ""},
	{"huvudman", "huvudman.jsonl", ""},
	{"naringsforbud", "naringsforbud.jsonl", ""},
	{"arbetsmiljoverket", "arbetsmiljoverket.jsonl", ""},
	{"contracts", "avtal.csv", ""},
	{"invoices", "fakturor.csv", ""},
}

// cheap are argon2id parameters that make tests fast.
var cheap = access.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// The users: passwords and roles.
var users = []struct {
	id   string
	role access.Role
}{
	{"anna", access.Coordinator},
	{"bo", access.Viewer},
	{"cecilia", access.Approver},
	{"gustav", access.Approver},
	{"dora", access.Admin},
}

func password(user string) string { return user + "-lösenord-123" }

// clock is the injected clock; every request moves it a second on.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	t      *testing.T
	st     *store.Store
	sc     *screening.Screener
	desk   *review.Desk
	log    *audit.Log
	guard  *access.Guard
	srv    *Server
	h      http.Handler
	mux    *http.ServeMux // the same routes, to name the pattern of a request
	clk    *clock
	tokens map[string]string // token id → bearer credential

	mu       sync.Mutex
	sessions map[string]who
	seen     uint64 // outbox events looked at
	read     uint64 // audit entries looked at
}

// who makes a request: nobody, a session (cookie and CSRF token) or a
// bearer token.
type who struct {
	name   string
	cookie *http.Cookie
	csrf   string
	bearer string
}

var anon = who{name: "anonymous"}

func instant(t testing.TB, s string) time.Time {
	t.Helper()
	at, err := record.ParseInstant(s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// newFixture is a store with every sample ingested as of 2026-11-20 and
// screened as of 2026-11-21 (the sample supplier has an L3 alert), and a
// server over it whose clock reads 2026-11-22.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{Small: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	set, err := defaultpack.Load(rules.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	desk := &review.Desk{Store: st}
	sc, err := screening.NewScreener(st, func() *rules.Set { return set }, screening.DefaultConfig(), desk.OnSave)
	if err != nil {
		t.Fatal(err)
	}
	persons, _ := record.NewHMACPseudonymizer([]byte("web tests: not a deployment secret"))
	in := &ingest.Ingester{Store: st}
	for _, s := range sampleFiles {
		job := ingest.Job{Source: s.source, Observed: instant(t, "2026-11-20"), Persons: persons}
		if s.orgnr != "" {
			job.Orgnr = ident.MustOrg(s.orgnr)
		}
		c, err := in.File(context.Background(), filepath.Join(samples, s.file), job)
		if err != nil || c.Quarantined > 0 {
			t.Fatalf("%s: %v, %+v", s.file, err, c)
		}
	}
	// An import of the EU sanctions list that names nobody: S18 checked.
	if _, err := st.Put(watchlist.Snapshot(record.SanctionsEU, record.ListVersion{SHA256: "e0"}, nil, instant(t, "2026-11-20"))); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.ScreenAll(context.Background(), screening.Options{At: instant(t, "2026-11-21"), Save: true}, 2,
		func(*screening.Assessment) error { return nil }); err != nil {
		t.Fatal(err)
	}

	clk := &clock{t: time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)}
	var us []access.User
	for _, u := range users {
		h, err := access.HashPasswordWith(password(u.id), cheap)
		if err != nil {
			t.Fatal(err)
		}
		us = append(us, access.User{ID: u.id, Name: strings.ToUpper(u.id[:1]) + u.id[1:], Roles: []access.Role{u.role}, PasswordHash: h})
	}
	us = append(us, access.User{ID: "eva", Roles: []access.Role{access.Coordinator}, Disabled: true})
	f := &fixture{t: t, st: st, sc: sc, desk: desk, log: &audit.Log{Store: st}, clk: clk, tokens: map[string]string{},
		sessions: map[string]who{}}
	var toks []access.Token
	for _, tk := range []struct {
		id    string
		role  access.Role
		owner string
	}{{"robot", access.Coordinator, "dora"}, {"panel", access.Viewer, ""},
		{"anna-godk", access.Approver, "anna"}, {"gustav-godk", access.Approver, "gustav"}} {
		tok, bearer, err := access.NewToken(tk.id, "", []access.Role{tk.role})
		if err != nil {
			t.Fatal(err)
		}
		tok.Owner = tk.owner
		toks = append(toks, tok)
		f.tokens[tk.id] = bearer
	}
	dir, err := access.NewDirectory(us, toks)
	if err != nil {
		t.Fatal(err)
	}
	f.guard = &access.Guard{Dir: dir, Sessions: access.NewSessions(clk.Now), Now: clk.Now, OnLogin: AuditLogins(f.log, nil)}
	if err := f.guard.Check(); err != nil {
		t.Fatal(err)
	}
	f.srv = &Server{Store: st, Screener: sc, Desk: desk, Audit: f.log, Guard: f.guard,
		Check: &bus.ScreenService{Screener: sc, Now: clk.Now}, Now: clk.Now}
	f.h = f.srv.Handler()
	f.mux, _ = f.srv.mux()
	f.events()
	f.trail()
	return f
}

// token is a bearer token's principal.
func (f *fixture) token(id string) who { return who{name: "token " + id, bearer: f.tokens[id]} }

// as is a user's session, signed in through the API once.
func (f *fixture) as(user string) who {
	f.t.Helper()
	f.mu.Lock()
	w, ok := f.sessions[user]
	f.mu.Unlock()
	if ok {
		return w
	}
	rec := f.do(anon, http.MethodPost, "/api/v1/login", `{"username":"`+user+`","password":"`+password(user)+`"}`)
	if rec.Code != http.StatusOK {
		f.t.Fatalf("login %s: %d %s", user, rec.Code, rec.Body)
	}
	var me whoami
	decode(f.t, rec, &me)
	w = who{name: user, csrf: me.CSRFToken}
	for _, c := range rec.Result().Cookies() {
		if c.Name == access.CookieName {
			w.cookie = c
		}
	}
	if w.cookie == nil || w.csrf == "" {
		f.t.Fatalf("login %s: cookie %v, csrf %q", user, w.cookie, w.csrf)
	}
	f.mu.Lock()
	f.sessions[user] = w
	f.mu.Unlock()
	return w
}

// do makes a request; a session's POST carries its CSRF token.
func (f *fixture) do(w who, method, path, body string, header ...string) *httptest.ResponseRecorder {
	f.t.Helper()
	return f.send(w, true, method, path, body, header...)
}

// send makes a request, with the CSRF token or not.
func (f *fixture) send(w who, csrf bool, method, path, body string, header ...string) *httptest.ResponseRecorder {
	f.t.Helper()
	f.clk.Add(time.Second)
	r := httptest.NewRequest(method, "http://vaksam.test"+path, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if w.cookie != nil {
		r.AddCookie(&http.Cookie{Name: w.cookie.Name, Value: w.cookie.Value})
		if csrf && method != http.MethodGet {
			r.Header.Set(access.CSRFHeader, w.csrf)
		}
	}
	if w.bearer != "" {
		r.Header.Set("Authorization", "Bearer "+w.bearer)
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, r)
	f.conforms(r, rec)
	return rec
}

// ok makes a request that must answer status, and decodes the answer
// into v (when not nil).
func (f *fixture) ok(status int, w who, method, path, body string, v any) *httptest.ResponseRecorder {
	f.t.Helper()
	rec := f.do(w, method, path, body)
	if rec.Code != status {
		f.t.Fatalf("%s %s %s as %s: %d %s, want %d", method, path, body, w.name, rec.Code, rec.Body, status)
	}
	if v != nil {
		decode(f.t, rec, v)
	}
	return rec
}

func decode(t testing.TB, rec *httptest.ResponseRecorder, v any) {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want JSON; body %s", ct, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatalf("body %s: %v", rec.Body, err)
	}
}

// errorOf decodes an error answer.
func errorOf(t testing.TB, rec *httptest.ResponseRecorder) errorBody {
	t.Helper()
	var e errorBody
	decode(t, rec, &e)
	if e.Error == "" {
		t.Fatalf("error answer without an error: %s", rec.Body)
	}
	return e
}

// events returns the outbox events emitted since the last call.
func (f *fixture) events() []store.Event {
	f.t.Helper()
	evs, err := f.st.Outbox(f.seen, 10000)
	if err != nil {
		f.t.Fatal(err)
	}
	if len(evs) > 0 {
		f.seen = evs[len(evs)-1].Seq
	}
	return evs
}

// subjects lists the subjects of the events emitted since the last call
// that start with prefix.
func (f *fixture) subjects(prefix string) []string {
	f.t.Helper()
	var out []string
	for _, ev := range f.events() {
		if strings.HasPrefix(ev.Subject, prefix) {
			out = append(out, ev.Subject)
		}
	}
	return out
}

// trail returns the audit entries appended since the last call.
func (f *fixture) trail() []audit.Entry {
	f.t.Helper()
	es, err := f.log.Entries(f.read+1, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	if len(es) > 0 {
		f.read = es[len(es)-1].Seq
	}
	return es
}

// wantTrail checks the entries appended since the last call, each
// "action actor object", and returns them.
func (f *fixture) wantTrail(want ...string) []audit.Entry {
	f.t.Helper()
	es := f.trail()
	var got []string
	for _, e := range es {
		got = append(got, e.Action+" "+e.Actor+" "+e.Object)
	}
	if !slices.Equal(got, want) {
		f.t.Fatalf("audit entries\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	return es
}

// The OpenAPI document's response schemas, compiled once: every JSON
// answer a test gets is checked against the one documented for its
// operation and status.
var spec struct {
	once  sync.Once
	err   error
	doc   map[string]any
	c     *jsonschema.Compiler
	mu    sync.Mutex
	cache map[string]*jsonschema.Schema
}

const specURL = "https://vaksam.test/openapi.json"

func loadSpec() error {
	spec.once.Do(func() {
		var y any
		if spec.err = yaml.Unmarshal(OpenAPI(), &y); spec.err != nil {
			return
		}
		data, err := json.Marshal(y)
		if err != nil {
			spec.err = err
			return
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			spec.err = err
			return
		}
		spec.doc, _ = doc.(map[string]any)
		spec.c = jsonschema.NewCompiler()
		spec.c.DefaultDraft(jsonschema.Draft2020)
		spec.c.AssertFormat()
		spec.err = spec.c.AddResource(specURL, doc)
		spec.cache = map[string]*jsonschema.Schema{}
	})
	return spec.err
}

// at follows a JSON pointer ("#/a/b") in the document.
func at(ptr string) (map[string]any, bool) {
	var node any = spec.doc
	for _, part := range strings.Split(strings.TrimPrefix(ptr, "#/"), "/") {
		part = strings.NewReplacer("~1", "/", "~0", "~").Replace(part)
		m, ok := node.(map[string]any)
		if !ok {
			return nil, false
		}
		node = m[part]
	}
	m, ok := node.(map[string]any)
	return m, ok
}

func escape(s string) string { return strings.NewReplacer("~", "~0", "/", "~1").Replace(s) }

// responseSchema is the schema of an operation's JSON answer with a
// status; nil when the answer has no JSON content.
func responseSchema(pattern string, status int) (*jsonschema.Schema, error) {
	if err := loadSpec(); err != nil {
		return nil, err
	}
	method, path, _ := strings.Cut(pattern, " ")
	ptr := "#/paths/" + escape(path) + "/" + strings.ToLower(method) + "/responses/" + strconv.Itoa(status)
	node, ok := at(ptr)
	if !ok {
		return nil, fmt.Errorf("%s: status %d is not documented", pattern, status)
	}
	if ref, ok := node["$ref"].(string); ok {
		ptr = ref
		if _, ok := at(ptr); !ok {
			return nil, fmt.Errorf("%s: %s does not resolve", pattern, ref)
		}
	}
	if _, ok := at(ptr + "/content/application~1json/schema"); !ok {
		return nil, nil
	}
	ptr += "/content/application~1json/schema"
	spec.mu.Lock()
	defer spec.mu.Unlock()
	if s, ok := spec.cache[ptr]; ok {
		return s, nil
	}
	s, err := spec.c.Compile(specURL + ptr)
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", ptr, err)
	}
	spec.cache[ptr] = s
	return s, nil
}

// conforms checks an answer against the OpenAPI document.
func (f *fixture) conforms(r *http.Request, rec *httptest.ResponseRecorder) {
	f.t.Helper()
	_, pattern := f.mux.Handler(r)
	if pattern == "" || pattern == "/api/" || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		return
	}
	s, err := responseSchema(pattern, rec.Code)
	if err != nil {
		f.t.Errorf("%s → %d: %v", pattern, rec.Code, err)
		return
	}
	if s == nil {
		f.t.Errorf("%s → %d: JSON answered, none documented", pattern, rec.Code)
		return
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		f.t.Errorf("%s → %d: not JSON: %v", pattern, rec.Code, err)
		return
	}
	if err := s.Validate(inst); err != nil {
		f.t.Errorf("%s → %d: the answer does not match openapi.yaml: %v", pattern, rec.Code, err)
	}
}
