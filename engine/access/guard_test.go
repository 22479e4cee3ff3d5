package access

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestLoginCookie(t *testing.T) {
	for _, tc := range []struct {
		name       string
		secure     bool
		tls        bool
		wantSecure bool
	}{
		{"demo over http", false, false, false},
		{"tls at a proxy", true, false, true},
		{"tls here", false, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.g.Secure = tc.secure
			r := loginReq("192.0.2.1")
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			}
			w := httptest.NewRecorder()
			u, err := f.g.Login(w, r, " Anna ", passwords["anna"])
			if err != nil || u.ID != "anna" {
				t.Fatalf("Login = %+v, %v", u, err)
			}
			c := sessionCookie(w)
			if c == nil {
				t.Fatal("no session cookie")
			}
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure != tc.wantSecure ||
				c.Domain != "" || c.MaxAge != 0 || len(c.Value) != 43 {
				t.Errorf("cookie %s: want HttpOnly, SameSite=Lax, Path=/, Secure=%v, no Domain or Max-Age, a 256-bit id",
					w.Header().Get("Set-Cookie"), tc.wantSecure)
			}
			if got := f.do(req{path: "/api/alerts", cookie: c}); got.Code != 200 || got.Body.String() != "anna via session" {
				t.Errorf("with the cookie: %d %q", got.Code, got.Body)
			}
		})
	}
}

func TestLoginRotatesSession(t *testing.T) {
	f := newFixture(t)
	first, _ := f.mustLogin("anna")
	second, _, err := f.login("anna", passwords["anna"], first)
	if err != nil || second == nil {
		t.Fatalf("second login: %v", err)
	}
	if second.Value == first.Value {
		t.Fatal("the session id did not change at login")
	}
	if w := f.do(req{path: "/api/alerts", cookie: first}); w.Code != http.StatusUnauthorized {
		t.Errorf("old id after a new login: %d, want 401", w.Code)
	}
	if w := f.do(req{path: "/api/alerts", cookie: second}); w.Code != 200 {
		t.Errorf("new id: %d", w.Code)
	}
	// A planted id (fixation) is not adopted: login makes a fresh one.
	planted := &http.Cookie{Name: CookieName, Value: strings.Repeat("A", 43)}
	third, _, _ := f.login("bo", passwords["bo"], planted)
	if third == nil || third.Value == planted.Value {
		t.Error("login kept a planted session id")
	}
}

func TestLoginFailuresLookAlike(t *testing.T) {
	f := newFixture(t)
	var calls atomic.Int32
	defer func(orig func(string, string) (bool, error)) { checkPassword = orig }(checkPassword)
	checkPassword = func(h, pw string) (bool, error) { calls.Add(1); return CheckPassword(h, pw) }

	var msgs []string
	for _, tc := range []struct{ name, user, pw string }{
		{"wrong password", "anna", "fel-lösenord"},
		{"unknown user", "okand", "fel-lösenord"},
		{"disabled user", "eva", passwords["eva"]},
		{"empty user", "", "x"},
		{"overlong password", "anna", strings.Repeat("a", 5000)},
		{"password of another user", "anna", passwords["bo"]},
	} {
		calls.Store(0)
		c, w, err := f.login(tc.user, tc.pw)
		if !errors.Is(err, ErrInvalidCredentials) {
			t.Errorf("%s: %v, want ErrInvalidCredentials", tc.name, err)
			continue
		}
		if c != nil || w.Header().Get("Set-Cookie") != "" {
			t.Errorf("%s: a cookie was set", tc.name)
		}
		if n := calls.Load(); n != 1 {
			t.Errorf("%s: %d password hashes computed, want 1 (timing)", tc.name, n)
		}
		msgs = append(msgs, err.Error())
	}
	for _, m := range msgs[1:] {
		if m != msgs[0] {
			t.Errorf("error messages differ: %q, %q", msgs[0], m)
		}
	}
	if f.g.Sessions.Len() != 0 {
		t.Errorf("%d sessions after failed logins", f.g.Sessions.Len())
	}
	if len(f.logins) != len(msgs) {
		t.Fatalf("%d OnLogin calls, want %d", len(f.logins), len(msgs))
	}
	if e := f.logins[0]; e.user != "anna" || e.ip != "192.0.2.1" || e.ok || !e.at.Equal(f.clk.Now()) {
		t.Errorf("OnLogin got %+v", e)
	}
	f.clk.Add(time.Second) // anna failed three times: her first delay
	f.mustLogin("anna")
	if e := f.logins[len(f.logins)-1]; e.user != "anna" || !e.ok {
		t.Errorf("OnLogin after success got %+v", e)
	}
}

func TestLoginDelaysGrowPerPair(t *testing.T) {
	f := newFixture(t)
	// Only the pair's delays here: the address's come later.
	f.g.thr = newThrottle(LoginLimits{PerIP: 1000})
	throttled := func(step string, want time.Duration) {
		t.Helper()
		_, w, err := f.login("anna", passwords["anna"]) // even the right password waits
		var te *ThrottledError
		if !errors.As(err, &te) || !errors.Is(err, ErrThrottled) {
			t.Fatalf("%s: %v, want a ThrottledError", step, err)
		}
		if te.RetryAfter != want || w.Header().Get("Retry-After") != strconv.Itoa(int(math.Ceil(want.Seconds()))) {
			t.Errorf("%s: RetryAfter %v, header %q; want %v", step, te.RetryAfter, w.Header().Get("Retry-After"), want)
		}
	}
	fail := func(step string) {
		t.Helper()
		if _, _, err := f.login("anna", "fel"); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("%s: %v, want wrong password", step, err)
		}
	}
	for i := range 3 { // three failures in a row are free
		fail(fmt.Sprintf("failure %d", i+1))
	}
	// Then each failure doubles the wait: 1s, 2s, 4s, 8s.
	for i, d := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second} {
		throttled(fmt.Sprintf("after failure %d", i+3), d)
		f.clk.Add(d - time.Millisecond)
		throttled(fmt.Sprintf("just before the delay of %v", d), time.Millisecond)
		f.clk.Add(time.Millisecond)
		fail(fmt.Sprintf("failure %d", i+4))
	}
	throttled("after failure 7", 16*time.Second)
	if e := f.logins[len(f.logins)-1]; e.ok || e.user != "anna" {
		t.Errorf("a throttled attempt was reported as %+v", e)
	}
	// The delay is capped.
	for range 20 {
		f.clk.Add(DefaultLoginLimits.MaxDelay)
		fail("a later failure")
	}
	throttled("at the cap", DefaultLoginLimits.MaxDelay)
	// The right password after the delay signs in, and success resets the
	// pair: three failures are free again.
	f.clk.Add(DefaultLoginLimits.MaxDelay)
	if _, _, err := f.login("anna", passwords["anna"]); err != nil {
		t.Fatalf("right password after the delay: %v", err)
	}
	for i := range 3 {
		fail(fmt.Sprintf("after success, failure %d", i+1))
	}
	throttled("after success and 3 failures", time.Second)
	// An hour without a failure forgets them.
	f.clk.Add(DefaultLoginLimits.Forget)
	for i := range 3 {
		fail(fmt.Sprintf("after an hour, failure %d", i+1))
	}
}

func TestLoginNotLockedOutFromElsewhere(t *testing.T) {
	// Someone guessing anna's password from another address, for as long
	// as they like, never keeps anna out; nor does a neighbour's typing
	// slow her down.
	f := newFixture(t)
	try := func(ip, user, pw string) error {
		_, err := f.g.Login(httptest.NewRecorder(), loginReq(ip), user, pw)
		return err
	}
	checked := 0
	for range 200 {
		err := try("198.51.100.66", "anna", "gissning")
		var te *ThrottledError
		switch {
		case errors.As(err, &te):
			f.clk.Add(te.RetryAfter)
		case errors.Is(err, ErrInvalidCredentials):
			checked++
		default:
			t.Fatal(err)
		}
	}
	if checked < 50 {
		t.Fatalf("the guesser had only %d passwords checked", checked)
	}
	for errors.Is(try("198.51.100.66", "anna", "gissning"), ErrThrottled) {
		f.clk.Add(time.Second)
	}
	if err := try("198.51.100.66", "anna", passwords["anna"]); !errors.Is(err, ErrThrottled) {
		t.Errorf("the guesser's next attempt: %v, want throttled", err)
	}
	for _, ip := range []string{"192.0.2.1", "2001:db8:5::1"} {
		if err := try(ip, "anna", passwords["anna"]); err != nil {
			t.Errorf("anna from %s while someone guesses elsewhere: %v", ip, err)
		}
	}
	// Her own mistakes from her own address count for her only.
	for range 3 {
		try("192.0.2.1", "anna", "fel")
	}
	if err := try("192.0.2.1", "bo", passwords["bo"]); err != nil {
		t.Errorf("bo from anna's address: %v", err)
	}
}

func TestLoginDelaysPerAddress(t *testing.T) {
	// Many names tried from one address: the address waits too.
	f := newFixture(t)
	try := func(ip, user, pw string) error {
		_, err := f.g.Login(httptest.NewRecorder(), loginReq(ip), user, pw)
		return err
	}
	for i := range 20 { // a different name each time: only the address counts up
		if err := try("198.51.100.7", fmt.Sprintf("gissning%d", i), "fel"); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	if err := try("198.51.100.7", "anna", passwords["anna"]); !errors.Is(err, ErrThrottled) {
		t.Errorf("21st attempt from the address: %v, want throttled", err)
	}
	if err := try("198.51.100.8", "anna", passwords["anna"]); err != nil {
		t.Errorf("another address: %v", err)
	}
	f.clk.Add(time.Second)
	if err := try("198.51.100.7", "anna", passwords["anna"]); err != nil {
		t.Errorf("after the address's delay: %v", err)
	}
	// IPv6 counts per /64.
	for i := range 20 {
		if err := try("2001:db8:1:2::1", fmt.Sprintf("v6-%d", i), "fel"); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("IPv6 failure %d: %v", i+1, err)
		}
	}
	if err := try("2001:db8:1:2:ffff::9", "anna", passwords["anna"]); !errors.Is(err, ErrThrottled) {
		t.Errorf("same /64: %v, want throttled", err)
	}
	if err := try("2001:db8:1:3::1", "anna", passwords["anna"]); err != nil {
		t.Errorf("another /64: %v", err)
	}
}

func TestLoginThrottleParallel(t *testing.T) {
	// Parallel guesses cannot overrun the free failures while hashes are
	// computed.
	f := newFixture(t)
	var wg sync.WaitGroup
	var wrong, throttled atomic.Int32
	for range 30 {
		wg.Go(func() {
			_, err := f.g.Login(httptest.NewRecorder(), loginReq("192.0.2.9"), "anna", "fel")
			switch {
			case errors.Is(err, ErrInvalidCredentials):
				wrong.Add(1)
			case errors.Is(err, ErrThrottled):
				throttled.Add(1)
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if wrong.Load() != 3 || throttled.Load() != 27 {
		t.Errorf("%d passwords checked, %d throttled; want 3, 27", wrong.Load(), throttled.Load())
	}
}

func TestLoginBehindTrustedProxy(t *testing.T) {
	// Behind a trusted proxy each client has its own delays; a client that
	// forges the header while reaching Vaksam directly gains nothing.
	f := newFixture(t)
	px, err := NewProxies([]string{"10.0.0.0/8"}, "")
	if err != nil {
		t.Fatal(err)
	}
	f.g.ClientIP = px.ClientIP
	try := func(peer, xff, user, pw string) error {
		r := loginReq(peer)
		if xff != "" {
			r.Header.Set("X-Forwarded-For", xff)
		}
		_, err := f.g.Login(httptest.NewRecorder(), r, user, pw)
		return err
	}
	for i := range 20 {
		try("10.0.0.2", "198.51.100.7", fmt.Sprintf("gissning%d", i), "fel")
	}
	if err := try("10.0.0.2", "198.51.100.7", "anna", passwords["anna"]); !errors.Is(err, ErrThrottled) {
		t.Errorf("the guessing client behind the proxy: %v, want throttled", err)
	}
	if err := try("10.0.0.2", "192.0.2.1", "anna", passwords["anna"]); err != nil {
		t.Errorf("another client behind the same proxy: %v", err)
	}
	if e := f.logins[len(f.logins)-1]; e.ip != "192.0.2.1" {
		t.Errorf("OnLogin heard address %q, want the forwarded client's", e.ip)
	}
	// Direct from an untrusted address, a forged header is ignored: the
	// peer's own delays apply.
	for i := range 20 {
		try("203.0.113.5", fmt.Sprintf("10.9.9.%d", i), fmt.Sprintf("spoof%d", i), "fel")
	}
	if err := try("203.0.113.5", "192.0.2.77", "anna", passwords["anna"]); !errors.Is(err, ErrThrottled) {
		t.Errorf("a forged X-Forwarded-For escaped the delay: %v", err)
	}
}

func TestLoginWaitsForHashSlot(t *testing.T) {
	f := newFixture(t)
	for range cap(f.g.hashes) {
		f.g.hashes <- struct{}{} // every slot busy
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := loginReq("192.0.2.1").WithContext(ctx)
	if _, err := f.g.Login(httptest.NewRecorder(), r, "anna", "fel"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled login: %v", err)
	}
	for range cap(f.g.hashes) {
		<-f.g.hashes
	}
	if n := len(f.g.thr.pairs) + len(f.g.thr.ips); n != 0 {
		t.Errorf("a cancelled attempt still counts (%d keys)", n)
	}
}

func TestLoginCrossSite(t *testing.T) {
	f := newFixture(t)
	for name, h := range map[string]map[string]string{
		"Sec-Fetch-Site": {"Sec-Fetch-Site": "cross-site"},
		"Origin":         {"Origin": "https://evil.example"},
		"null Origin":    {"Origin": "null"},
	} {
		r := httptest.NewRequest(http.MethodPost, "http://vaksam.test/login", nil)
		for k, v := range h {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		if _, err := f.g.Login(w, r, "anna", passwords["anna"]); !errors.Is(err, ErrCrossSite) || sessionCookie(w) != nil {
			t.Errorf("%s: %v, want ErrCrossSite and no cookie", name, err)
		}
	}
}

func TestSessionIdleExpiry(t *testing.T) {
	f := newFixture(t)
	c, _ := f.mustLogin("anna")
	for i := range 3 { // a request every 29 minutes keeps it alive
		f.clk.Add(DefaultIdle - time.Minute)
		if w := f.do(req{path: "/api/alerts", cookie: c}); w.Code != 200 {
			t.Fatalf("request %d, %v after the last: %d", i+1, DefaultIdle-time.Minute, w.Code)
		}
	}
	f.clk.Add(DefaultIdle)
	w := f.do(req{path: "/api/alerts", cookie: c})
	if w.Code != http.StatusUnauthorized {
		t.Fatalf("after %v idle: %d, want 401", DefaultIdle, w.Code)
	}
	if gone := sessionCookie(w); gone == nil || gone.MaxAge >= 0 {
		t.Error("the stale cookie was not cleared")
	}
	if f.g.Sessions.Len() != 0 {
		t.Error("the expired session is still stored")
	}
}

func TestSessionAbsoluteExpiry(t *testing.T) {
	f := newFixture(t)
	c, _ := f.mustLogin("anna")
	step := 20 * time.Minute
	for elapsed := step; elapsed < DefaultLifetime; elapsed += step {
		f.clk.Add(step)
		if w := f.do(req{path: "/api/alerts", cookie: c}); w.Code != 200 {
			t.Fatalf("at %v: %d", elapsed, w.Code)
		}
	}
	f.clk.Add(step) // now exactly DefaultLifetime after login, however busy
	if w := f.do(req{path: "/api/alerts", cookie: c}); w.Code != http.StatusUnauthorized {
		t.Errorf("at the lifetime: %d, want 401", w.Code)
	}
}

func TestSessionsLimits(t *testing.T) {
	clk := newClock()
	s := NewSessions(clk.Now)
	s.MaxPerUser = 2
	a, _ := s.Create("anna")
	clk.Add(time.Second)
	b, _ := s.Create("anna")
	clk.Add(time.Second)
	c, _ := s.Create("anna")
	s.Create("bo")
	if _, ok := s.Lookup(a); ok {
		t.Error("the oldest session survived a third")
	}
	for _, id := range []string{b, c} {
		if _, ok := s.Lookup(id); !ok {
			t.Error("a newer session is gone")
		}
	}
	if n := s.DeleteUser("anna"); n != 2 || s.Len() != 1 {
		t.Errorf("DeleteUser = %d, Len %d", n, s.Len())
	}
	// Expired sessions are swept at the next Create.
	clk.Add(DefaultLifetime)
	s.Create("cecilia")
	if s.Len() != 1 {
		t.Errorf("Len %d after a sweep, want 1", s.Len())
	}
	for _, id := range []string{"", "kort", strings.Repeat("A", 43), c + "x"} {
		if _, ok := s.Lookup(id); ok {
			t.Errorf("Lookup(%q) found a session", id)
		}
	}
}

func TestLogout(t *testing.T) {
	f := newFixture(t)
	c, csrf := f.mustLogin("anna")
	other, _ := f.mustLogin("anna") // another browser
	// Logout needs the CSRF token, like any POST.
	if w := f.do(req{method: "POST", path: "/logout", cookie: c}); w.Code != http.StatusForbidden {
		t.Errorf("logout without token: %d, want 403", w.Code)
	}
	w := f.do(req{method: "POST", path: "/logout", cookie: c, header: map[string]string{CSRFHeader: csrf}})
	if w.Code != http.StatusNoContent {
		t.Fatalf("logout: %d %s", w.Code, w.Body)
	}
	if gone := sessionCookie(w); gone == nil || gone.MaxAge >= 0 || gone.Value != "" {
		t.Errorf("logout did not clear the cookie: %v", gone)
	}
	if w := f.do(req{path: "/api/alerts", cookie: c}); w.Code != http.StatusUnauthorized {
		t.Errorf("after logout: %d, want 401", w.Code)
	}
	if w := f.do(req{path: "/api/alerts", cookie: other}); w.Code != 200 {
		t.Errorf("the other browser's session: %d", w.Code)
	}
}

func TestDisabledUserLosesSession(t *testing.T) {
	f := newFixture(t)
	c, _ := f.mustLogin("anna")
	users := testUsers(t)
	users[0].Disabled = true
	dir, err := NewDirectory(users, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.g.Dir = dir // as a reload would
	if w := f.do(req{path: "/api/alerts", cookie: c}); w.Code != http.StatusUnauthorized {
		t.Errorf("disabled user's session: %d, want 401", w.Code)
	}
	if f.g.Sessions.Len() != 0 {
		t.Error("the disabled user's session was kept")
	}
}

func TestRequire(t *testing.T) {
	f := newFixture(t)
	anna, annaCSRF := f.mustLogin("anna")
	bo, boCSRF := f.mustLogin("bo")
	cecilia, ceciliaCSRF := f.mustLogin("cecilia")
	dora, doraCSRF := f.mustLogin("dora")
	fredrik, fredrikCSRF := f.mustLogin("fredrik")
	masked := func(c *http.Cookie) string {
		p, err := f.g.Authenticate(withCookie(c))
		if err != nil {
			t.Fatal(err)
		}
		return CSRFToken(httptest.NewRequest("GET", "/", nil).WithContext(WithPrincipal(context.Background(), p)))
	}
	csrf := func(tok string) map[string]string { return map[string]string{CSRFHeader: tok} }
	bearer := func(cred string) map[string]string { return map[string]string{"Authorization": "Bearer " + cred} }
	with := func(a, b map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range a {
			m[k] = v
		}
		for k, v := range b {
			m[k] = v
		}
		return m
	}

	for _, tc := range []struct {
		name     string
		req      req
		code     int
		json     string // the JSON error, when the answer is one
		body     string // the text, for 200 and text answers
		location string
	}{
		// Not authenticated.
		{name: "api without auth", req: req{path: "/api/alerts"}, code: 401, json: "unauthenticated"},
		{name: "html GET without auth", req: req{path: "/alerts?org=5560000000&sida=2", header: map[string]string{"Accept": "text/html"}},
			code: 303, location: "/login?next=" + url.QueryEscape("/alerts?org=5560000000&sida=2")},
		{name: "json client without auth", req: req{path: "/alerts", header: map[string]string{"Accept": "application/json"}}, code: 401, json: "unauthenticated"},
		{name: "html POST without auth", req: req{method: "POST", path: "/form"}, code: 401, body: "unauthenticated\n"},
		{name: "unknown session", req: req{path: "/api/alerts", cookie: &http.Cookie{Name: CookieName, Value: strings.Repeat("x", 43)}}, code: 401, json: "unauthenticated"},

		// Roles.
		{name: "viewer sees alerts", req: req{path: "/api/alerts", cookie: bo}, code: 200, body: "bo via session"},
		{name: "viewer sees no persons", req: req{path: "/api/persons", cookie: bo}, code: 403, json: "forbidden: needs view_persons"},
		{name: "viewer sees the alert page", req: req{path: "/alerts", cookie: bo}, code: 200, body: "bo via session"},
		{name: "coordinator sees persons", req: req{path: "/api/persons", cookie: anna}, code: 200, body: "anna via session"},
		{name: "viewer cannot decide", req: req{method: "POST", path: "/api/decide", cookie: bo, header: csrf(boCSRF)}, code: 403, json: "forbidden: needs decide"},
		{name: "coordinator decides", req: req{method: "POST", path: "/api/decide", cookie: anna, header: csrf(annaCSRF)}, code: 200, body: "anna via session"},
		{name: "coordinator cannot approve", req: req{method: "POST", path: "/api/approve", cookie: anna, header: csrf(annaCSRF)}, code: 403, json: "forbidden: needs approve"},
		{name: "approver approves", req: req{method: "POST", path: "/api/approve", cookie: cecilia, header: csrf(ceciliaCSRF)}, code: 200, body: "cecilia via session"},
		{name: "viewer+approver approves", req: req{method: "POST", path: "/api/approve", cookie: fredrik, header: csrf(fredrikCSRF)}, code: 200, body: "fredrik via session"},
		{name: "approver is no admin", req: req{path: "/api/admin", cookie: cecilia}, code: 403, json: "forbidden: needs admin"},
		{name: "admin", req: req{path: "/api/admin", cookie: dora}, code: 200, body: "dora via session"},
		{name: "admin approves", req: req{method: "POST", path: "/api/approve", cookie: dora, header: csrf(doraCSRF)}, code: 200, body: "dora via session"},
		{name: "403 to a browser is text", req: req{path: "/form", cookie: bo}, code: 403, body: "forbidden: needs decide\n"},

		// CSRF.
		{name: "POST without token", req: req{method: "POST", path: "/api/decide", cookie: anna}, code: 403, json: "csrf token missing or wrong"},
		{name: "DELETE without token", req: req{method: "DELETE", path: "/api/decide", cookie: anna}, code: 403, json: "csrf token missing or wrong"},
		{name: "PUT with token", req: req{method: "PUT", path: "/api/decide", cookie: anna, header: csrf(annaCSRF)}, code: 200, body: "anna via session"},
		{name: "PATCH with masked token", req: req{method: "PATCH", path: "/api/decide", cookie: anna, header: csrf(masked(anna))}, code: 200, body: "anna via session"},
		{name: "form field", req: req{method: "POST", path: "/form", cookie: anna, form: url.Values{CSRFField: {masked(anna)}}}, code: 200, body: "anna via session"},
		{name: "form without field", req: req{method: "POST", path: "/form", cookie: anna, form: url.Values{"beslut": {"avropsstopp"}}}, code: 403, body: "csrf token missing or wrong\n"},
		{name: "token in the query only", req: req{method: "POST", path: "/form?csrf_token=" + annaCSRF, cookie: anna}, code: 403, body: "csrf token missing or wrong\n"},
		{name: "wrong token", req: req{method: "POST", path: "/api/decide", cookie: anna, header: csrf(strings.Repeat("A", 43))}, code: 403, json: "csrf token missing or wrong"},
		{name: "another session's token", req: req{method: "POST", path: "/api/decide", cookie: anna, header: csrf(ceciliaCSRF)}, code: 403, json: "csrf token missing or wrong"},
		{name: "garbage token", req: req{method: "POST", path: "/api/decide", cookie: anna, header: csrf("<script>")}, code: 403, json: "csrf token missing or wrong"},
		{name: "GET needs no token", req: req{path: "/api/decide", cookie: anna}, code: 200, body: "anna via session"},

		// Origin, as defence in depth.
		{name: "cross-site Origin", req: req{method: "POST", path: "/api/decide", cookie: anna,
			header: with(csrf(annaCSRF), map[string]string{"Origin": "https://evil.example"})}, code: 403, json: "cross-site request refused"},
		{name: "cross-site Sec-Fetch-Site", req: req{method: "POST", path: "/api/decide", cookie: anna,
			header: with(csrf(annaCSRF), map[string]string{"Sec-Fetch-Site": "cross-site"})}, code: 403, json: "cross-site request refused"},
		{name: "same-site subdomain", req: req{method: "POST", path: "/api/decide", cookie: anna,
			header: with(csrf(annaCSRF), map[string]string{"Sec-Fetch-Site": "same-site"})}, code: 403, json: "cross-site request refused"},
		{name: "same-origin", req: req{method: "POST", path: "/api/decide", cookie: anna,
			header: with(csrf(annaCSRF), map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "http://vaksam.test"})}, code: 200, body: "anna via session"},
		{name: "Origin of this host", req: req{method: "POST", path: "/api/decide", cookie: anna,
			header: with(csrf(annaCSRF), map[string]string{"Origin": "http://vaksam.test"})}, code: 200, body: "anna via session"},

		// Tokens.
		{name: "bearer GET", req: req{path: "/api/persons", header: bearer(f.robot)}, code: 200, body: "robot via token"},
		{name: "bearer POST needs no CSRF", req: req{method: "POST", path: "/api/decide", header: bearer(f.robot)}, code: 200, body: "robot via token"},
		{name: "bearer is not checked for Origin", req: req{method: "POST", path: "/api/decide",
			header: with(bearer(f.robot), map[string]string{"Origin": "https://other.example"})}, code: 200, body: "robot via token"},
		{name: "bearer scheme in lower case", req: req{path: "/api/alerts", header: map[string]string{"Authorization": "bearer " + f.viewer}}, code: 200, body: "panel via token"},
		{name: "viewer token cannot decide", req: req{method: "POST", path: "/api/decide", header: bearer(f.viewer)}, code: 403, json: "forbidden: needs decide"},
		{name: "wrong secret", req: req{path: "/api/alerts", header: bearer("robot.fel")}, code: 401, json: "unauthenticated"},
		{name: "unknown token", req: req{path: "/api/alerts", header: bearer("okand." + strings.Repeat("A", 43))}, code: 401, json: "unauthenticated"},
		{name: "basic auth", req: req{path: "/api/alerts", header: map[string]string{"Authorization": "Basic YW5uYTpwdw=="}}, code: 401, json: "unauthenticated"},
		{name: "bad bearer does not fall back to the cookie", req: req{path: "/alerts", cookie: anna, header: bearer("robot.fel")}, code: 401, json: "unauthenticated"},
		{name: "bearer on an html path answers JSON", req: req{path: "/alerts", header: bearer("robot.fel")}, code: 401, json: "unauthenticated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := f.do(tc.req)
			if w.Code != tc.code {
				t.Fatalf("status %d, want %d; body %q", w.Code, tc.code, w.Body)
			}
			if tc.json != "" {
				if got := jsonError(t, w); got != tc.json {
					t.Errorf("error %q, want %q", got, tc.json)
				}
			} else if tc.body != "" && w.Body.String() != tc.body {
				t.Errorf("body %q, want %q", w.Body, tc.body)
			}
			if tc.location != "" && w.Header().Get("Location") != tc.location {
				t.Errorf("Location %q, want %q", w.Header().Get("Location"), tc.location)
			}
			if tc.code == 401 && tc.json != "" && w.Header().Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			if w.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", w.Header().Get("Cache-Control"))
			}
		})
	}
}

func withCookie(c *http.Cookie) *http.Request {
	r := httptest.NewRequest("GET", "http://vaksam.test/", nil)
	r.AddCookie(c)
	return r
}

func TestCSRFToken(t *testing.T) {
	f := newFixture(t)
	c, raw := f.mustLogin("anna")
	if CSRFToken(httptest.NewRequest("GET", "/", nil)) != "" {
		t.Error("a token without a principal")
	}
	p, err := f.g.Authenticate(withCookie(c))
	if err != nil || p.CSRF != raw || p.Via != ViaSession || p.Name != "Anna Andersson" {
		t.Fatalf("Authenticate = %+v, %v", p, err)
	}
	r := httptest.NewRequest("GET", "/", nil).WithContext(WithPrincipal(context.Background(), p))
	a, b := CSRFToken(r), CSRFToken(r)
	if a == b || a == raw || strings.Contains(a, raw) {
		t.Errorf("tokens %q, %q are not masked afresh", a, b)
	}
	for _, tok := range []string{a, b, raw} {
		if !csrfMatches(raw, tok) {
			t.Errorf("token %q does not match", tok)
		}
	}
	tp := &Principal{UserID: "robot", Via: ViaToken}
	if CSRFToken(httptest.NewRequest("GET", "/", nil).WithContext(WithPrincipal(context.Background(), tp))) != "" {
		t.Error("a CSRF token for a bearer principal")
	}
}

func TestHTMLError(t *testing.T) {
	f := newFixture(t)
	f.g.HTMLError = func(w http.ResponseWriter, r *http.Request, status int, msg string) {
		w.WriteHeader(status)
		w.Write([]byte("<p>Du saknar behörighet</p>"))
	}
	bo, _ := f.mustLogin("bo")
	if w := f.do(req{path: "/form", cookie: bo}); w.Code != 403 || !strings.Contains(w.Body.String(), "behörighet") {
		t.Errorf("HTMLError not used: %d %q", w.Code, w.Body)
	}
	if w := f.do(req{path: "/api/persons", cookie: bo}); jsonError(t, w) != "forbidden: needs view_persons" {
		t.Error("HTMLError used for the API")
	}
}

func TestGuardCheck(t *testing.T) {
	if err := (&Guard{}).Check(); err == nil || !strings.Contains(err.Error(), "Dir is nil") {
		t.Errorf("empty guard: %v", err)
	}
	f := newFixture(t)
	g := &Guard{Dir: f.g.Dir, Sessions: f.g.Sessions, Now: f.clk.Now, TrustedOrigins: []string{"not an origin"}}
	if err := g.Check(); err == nil {
		t.Error("a bad trusted origin passed")
	}
	w := httptest.NewRecorder()
	g.Require(ViewAlerts, http.NotFoundHandler()).ServeHTTP(w, httptest.NewRequest("GET", "/api/alerts", nil))
	if w.Code != 500 {
		t.Errorf("misconfigured guard: %d, want 500", w.Code)
	}
	if _, err := g.Login(httptest.NewRecorder(), loginReq("192.0.2.1"), "anna", passwords["anna"]); err == nil {
		t.Error("a misconfigured guard let a user in")
	}
	defer func() {
		if recover() == nil {
			t.Error("Require with an unknown permission did not panic")
		}
	}()
	f.g.Require("view_everything", http.NotFoundHandler())
}

func TestTrustedOrigin(t *testing.T) {
	f := newFixture(t)
	f.g = &Guard{Dir: f.g.Dir, Sessions: f.g.Sessions, Now: f.clk.Now, TrustedOrigins: []string{"https://vaksam.kommun.se"}}
	c, csrf := f.mustLogin("anna")
	h := f.g.Require(Decide, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for origin, code := range map[string]int{"https://vaksam.kommun.se": 200, "https://evil.example": 403} {
		r := httptest.NewRequest("POST", "http://internal:8080/api/decide", nil)
		r.AddCookie(c)
		r.Header.Set(CSRFHeader, csrf)
		r.Header.Set("Origin", origin)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != code {
			t.Errorf("Origin %s: %d, want %d", origin, w.Code, code)
		}
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/alerts?org=1":          "/alerts?org=1",
		"/":                      "/",
		"":                       "/",
		"alerts":                 "/",
		"//evil.example/x":       "/",
		"/\\evil.example":        "/",
		"https://evil.example/":  "/",
		"javascript:alert(1)":    "/",
		"/ok\r\nSet-Cookie: x=1": "/",
		"/%2F%2Fevil.example":    "/%2F%2Fevil.example",
	} {
		if got := SafeNext(in); got != want {
			t.Errorf("SafeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRemoteIP(t *testing.T) {
	for addr, want := range map[string]string{
		"192.0.2.1:1234":         "192.0.2.1",
		"[::ffff:192.0.2.1]:1":   "192.0.2.1",
		"[2001:db8::1]:443":      "2001:db8::/64",
		"[2001:db8::abcd:1]:443": "2001:db8::/64",
		"[fe80::1%eth0]:1":       "fe80::/64",
		"pipe":                   "pipe",
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = addr
		if got := RemoteIP(r); got != want {
			t.Errorf("RemoteIP(%q) = %q, want %q", addr, got, want)
		}
	}
}

func TestProxiesClientIP(t *testing.T) {
	xff, err := NewProxies([]string{"10.0.0.0/8", "192.0.2.10", "2001:db8:ff::/48"}, "")
	if err != nil {
		t.Fatal(err)
	}
	fwd, err := NewProxies([]string{"10.0.0.0/8"}, "forwarded")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		p      *Proxies
		peer   string
		header map[string][]string
		want   string
	}{
		{"direct, no header", xff, "198.51.100.1:5000", nil, "198.51.100.1"},
		{"direct client forges the header", xff, "198.51.100.1:5000",
			map[string][]string{"X-Forwarded-For": {"203.0.113.9"}}, "198.51.100.1"},
		{"trusted proxy", xff, "10.0.0.2:443", map[string][]string{"X-Forwarded-For": {"203.0.113.9"}}, "203.0.113.9"},
		{"trusted proxy, no header", xff, "10.0.0.2:443", nil, "10.0.0.2"},
		{"client prepends a forged hop", xff, "10.0.0.2:443",
			map[string][]string{"X-Forwarded-For": {"1.2.3.4, 203.0.113.9"}}, "203.0.113.9"},
		{"two trusted proxies", xff, "10.0.0.2:443",
			map[string][]string{"X-Forwarded-For": {"6.6.6.6, 203.0.113.9, 192.0.2.10"}}, "203.0.113.9"},
		{"header over several lines", xff, "10.0.0.2:443",
			map[string][]string{"X-Forwarded-For": {"6.6.6.6", "203.0.113.9, 10.1.1.1"}}, "203.0.113.9"},
		{"every hop trusted: the left-most", xff, "10.0.0.2:443",
			map[string][]string{"X-Forwarded-For": {"10.3.3.3, 10.1.1.1"}}, "10.3.3.3"},
		{"hop with a port", xff, "10.0.0.2:443", map[string][]string{"X-Forwarded-For": {"203.0.113.9:5123"}}, "203.0.113.9"},
		{"IPv6 hop, per /64", xff, "[2001:db8:ff::1]:443",
			map[string][]string{"X-Forwarded-For": {"2001:db8:7:7::1"}}, "2001:db8:7:7::/64"},
		{"garbage hop: the proxy that wrote it", xff, "10.0.0.2:443",
			map[string][]string{"X-Forwarded-For": {"203.0.113.9, unknown"}}, "10.0.0.2"},
		{"Forwarded", fwd, "10.0.0.2:443",
			map[string][]string{"Forwarded": {`for=1.2.3.4, for="[2001:db8:cafe::17]:4711";proto=https`}}, "2001:db8:cafe::/64"},
		{"Forwarded mode ignores X-Forwarded-For", fwd, "10.0.0.2:443",
			map[string][]string{"X-Forwarded-For": {"203.0.113.9"}}, "10.0.0.2"},
		{"Forwarded, obfuscated node", fwd, "10.0.0.2:443",
			map[string][]string{"Forwarded": {"for=203.0.113.9, for=_hidden"}}, "10.0.0.2"},
		{"Forwarded from an untrusted peer", fwd, "198.51.100.1:5000",
			map[string][]string{"Forwarded": {"for=203.0.113.9"}}, "198.51.100.1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = c.peer
			for k, vs := range c.header {
				for _, v := range vs {
					r.Header.Add(k, v)
				}
			}
			if got := c.p.ClientIP(r); got != c.want {
				t.Errorf("ClientIP = %q, want %q", got, c.want)
			}
		})
	}
}

func TestNewProxiesErrors(t *testing.T) {
	for _, c := range []struct {
		trusted []string
		header  string
		want    string
	}{
		{[]string{"10.0.0.0/33"}, "", `[0]: "10.0.0.0/33"`},
		{[]string{"10.0.0.1", "proxy.local"}, "", `[1]: "proxy.local"`},
		{nil, "X-Real-IP", `header "X-Real-IP"`},
	} {
		_, err := NewProxies(c.trusted, c.header)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewProxies(%q, %q) = %v, want an error with %q", c.trusted, c.header, err, c.want)
		}
	}
}

func TestPrincipalPerson(t *testing.T) {
	f := newFixture(t)
	who := func(r *http.Request) *Principal {
		t.Helper()
		p, err := f.g.Authenticate(r)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	r := httptest.NewRequest("GET", "/api/alerts", nil)
	r.Header.Set("Authorization", "Bearer "+f.robot)
	if p := who(r); p.UserID != "robot" || p.Person != "dora" {
		t.Errorf("dora's token: actor %q, person %q; want robot, dora", p.UserID, p.Person)
	}
	r = httptest.NewRequest("GET", "/api/alerts", nil)
	r.Header.Set("Authorization", "Bearer "+f.viewer)
	if p := who(r); p.Person != "panel" {
		t.Errorf("a token without owner: person %q, want panel", p.Person)
	}
	c, _ := f.mustLogin("anna")
	r = httptest.NewRequest("GET", "/api/alerts", nil)
	r.AddCookie(c)
	if p := who(r); p.UserID != "anna" || p.Person != "anna" {
		t.Errorf("anna's session: actor %q, person %q", p.UserID, p.Person)
	}
}
