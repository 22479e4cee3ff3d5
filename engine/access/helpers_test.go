package access

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// cheap are argon2id parameters that make tests fast.
var cheap = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// clock is an injected clock tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 10, 8, 0, 0, 0, time.UTC)} }

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

type loginEvent struct {
	user, ip string
	ok       bool
	at       time.Time
}

type fixture struct {
	t      *testing.T
	clk    *clock
	g      *Guard
	mux    *http.ServeMux
	robot  string // bearer credential of token "robot" (coordinator, dora's)
	viewer string // bearer credential of token "panel" (viewer)

	mu     sync.Mutex
	logins []loginEvent
}

// Passwords of the fixture's users.
var passwords = map[string]string{
	"anna":    "anna-lösenord-1",   // coordinator
	"bo":      "bo-lösenord-22",    // viewer
	"cecilia": "cecilia-lösen-333", // approver
	"dora":    "dora-lösen-4444",   // admin
	"eva":     "eva-lösen-55555",   // coordinator, disabled
	"fredrik": "fredrik-lösen-6",   // viewer and approver
}

func hash(t testing.TB, pw string) string {
	t.Helper()
	h, err := HashPasswordWith(pw, cheap)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func testUsers(t testing.TB) []User {
	return []User{
		{ID: "anna", Name: "Anna Andersson", Roles: []Role{Coordinator}, PasswordHash: hash(t, passwords["anna"])},
		{ID: "bo", Name: "Bo Berg", Roles: []Role{Viewer}, PasswordHash: hash(t, passwords["bo"])},
		{ID: "cecilia", Name: "Cecilia Ek", Roles: []Role{Approver}, PasswordHash: hash(t, passwords["cecilia"])},
		{ID: "dora", Name: "Dora Dahl", Roles: []Role{Admin}, PasswordHash: hash(t, passwords["dora"])},
		{ID: "eva", Name: "Eva Ek", Roles: []Role{Coordinator}, PasswordHash: hash(t, passwords["eva"]), Disabled: true},
		{ID: "fredrik", Name: "Fredrik Fors", Roles: []Role{Viewer, Approver}, PasswordHash: hash(t, passwords["fredrik"])},
	}
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	robot, robotBearer, err := NewToken("robot", "Upphandlingssystemet", []Role{Coordinator})
	if err != nil {
		t.Fatal(err)
	}
	robot.Owner = "dora"
	panel, panelBearer, err := NewToken("panel", "", []Role{Viewer})
	if err != nil {
		t.Fatal(err)
	}
	dir, err := NewDirectory(testUsers(t), []Token{robot, panel})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, clk: newClock(), robot: robotBearer, viewer: panelBearer}
	f.g = &Guard{Dir: dir, Sessions: NewSessions(f.clk.Now), Now: f.clk.Now,
		OnLogin: func(user, ip string, ok bool, at time.Time) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.logins = append(f.logins, loginEvent{user, ip, ok, at})
		}}
	if err := f.g.Check(); err != nil {
		t.Fatal(err)
	}
	who := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := PrincipalFrom(r.Context())
		if !ok {
			http.Error(w, "no principal", 500)
			return
		}
		fmt.Fprintf(w, "%s via %s", p.UserID, p.Via)
	})
	f.mux = http.NewServeMux()
	f.mux.Handle("/api/alerts", f.g.Require(ViewAlerts, who))
	f.mux.Handle("/api/persons", f.g.Require(ViewPersons, who))
	f.mux.Handle("/api/decide", f.g.Require(Decide, who))
	f.mux.Handle("/api/approve", f.g.Require(Approve, who))
	f.mux.Handle("/api/admin", f.g.Require(Administer, who))
	f.mux.Handle("/alerts", f.g.Require(ViewAlerts, who))
	f.mux.Handle("/form", f.g.Require(Decide, who))
	f.mux.Handle("POST /logout", f.g.Require(Authenticated, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.g.Logout(w, r)
		w.WriteHeader(http.StatusNoContent)
	})))
	return f
}

// loginReq is a same-origin login form post from ip.
func loginReq(ip string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "http://vaksam.test/login", nil)
	r.RemoteAddr = net.JoinHostPort(ip, "50000")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	return r
}

// login logs in from 192.0.2.1 and returns the session cookie.
func (f *fixture) login(user, pw string, with ...*http.Cookie) (*http.Cookie, *httptest.ResponseRecorder, error) {
	f.t.Helper()
	r := loginReq("192.0.2.1")
	for _, c := range with {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	_, err := f.g.Login(w, r, user, pw)
	return sessionCookie(w), w, err
}

// mustLogin logs in and returns the cookie and the session's CSRF token.
func (f *fixture) mustLogin(user string) (*http.Cookie, string) {
	f.t.Helper()
	c, _, err := f.login(user, passwords[user])
	if err != nil || c == nil {
		f.t.Fatalf("login %s: %v, cookie %v", user, err, c)
	}
	s, ok := f.g.Sessions.Lookup(c.Value)
	if !ok {
		f.t.Fatalf("login %s: no session", user)
	}
	return c, s.CSRF
}

func sessionCookie(w *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range w.Result().Cookies() {
		if c.Name == CookieName {
			return c
		}
	}
	return nil
}

// req is one request to the fixture's mux.
type req struct {
	method, path string
	cookie       *http.Cookie
	header       map[string]string
	form         url.Values
}

func (f *fixture) do(q req) *httptest.ResponseRecorder {
	f.t.Helper()
	var body *strings.Reader
	if q.form != nil {
		body = strings.NewReader(q.form.Encode())
	} else {
		body = strings.NewReader("")
	}
	r := httptest.NewRequest(or(q.method, http.MethodGet), "http://vaksam.test"+q.path, body)
	if q.form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if q.cookie != nil {
		r.AddCookie(&http.Cookie{Name: q.cookie.Name, Value: q.cookie.Value})
	}
	for k, v := range q.header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	f.mux.ServeHTTP(w, r)
	return w
}

func jsonError(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want JSON; body %q", ct, w.Body.String())
	}
	var e struct{ Error string }
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
		t.Fatalf("body %q: %v", w.Body.String(), err)
	}
	return e.Error
}
