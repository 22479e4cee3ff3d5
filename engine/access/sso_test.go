package access_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/access/oidctest"
)

// The tests of single sign-on run the real provider of oidctest in the
// process and a small server in front of a Guard; a cookie-keeping HTTP
// client is the browser.

// wallClock is an injected clock that starts at the wall clock's time:
// the provider signs its tokens with the real time.
type wallClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *wallClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *wallClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type ssoOutcome struct {
	user string
	err  error
}

type ssoEnv struct {
	t      *testing.T
	clk    *wallClock
	g      *access.Guard
	prov   *oidctest.Provider
	srv    *httptest.Server
	mu     sync.Mutex
	events []ssoOutcome
}

var ssoUsers = []oidctest.User{
	{Username: "karin", Password: "karins-lösen", Name: "Karin Kommun", Groups: []string{"vaksam-samordnare", "alla"}},
	{Username: "Greta@Kommun.Example", Password: "gretas-lösen", Name: "Greta Granskare", Groups: []string{"vaksam-godkannare", "vaksam-lasare"}},
	{Username: "rune", Password: "runes-lösen", Name: "Rune Ekonom", Groups: []string{"ekonomi"}},
	{Username: "anna", Password: "annas-lösen", Name: "Anna (provider)", Groups: []string{"vaksam-samordnare"}},
}

func newSSOEnv(t *testing.T) *ssoEnv {
	t.Helper()
	prov, err := oidctest.Start(ssoUsers...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { prov.Close() })
	e := &ssoEnv{t: t, clk: &wallClock{t: time.Now()}, prov: prov}
	h, err := access.HashPasswordWith("anna-lokalt-1", access.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	if err != nil {
		t.Fatal(err)
	}
	dir, err := access.NewDirectory([]access.User{{ID: "anna", Roles: []access.Role{access.Admin}, PasswordHash: h}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	sso, err := access.NewSSO(access.SSOConfig{Issuer: prov.Issuer, ClientID: "vaksam", ClientSecret: "klienthemlighet",
		RedirectURL: e.srv.URL + access.SSOCallbackPath,
		Roles: map[string][]access.Role{"vaksam-samordnare": {access.Coordinator}, "vaksam-godkannare": {access.Approver},
			"vaksam-lasare": {access.Viewer}}}, e.clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	prov.AddClient(oidctest.Client{ID: "vaksam", Secret: "klienthemlighet", RedirectURIs: []string{e.srv.URL + access.SSOCallbackPath},
		PostLogoutRedirectURIs: []string{sso.PostLogoutURL()}})
	e.g = &access.Guard{Dir: dir, Sessions: access.NewSessions(e.clk.Now), Now: e.clk.Now, SSO: sso,
		OnSSOLogin: func(user, ip string, err error, at time.Time) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.events = append(e.events, ssoOutcome{user, err})
		}}
	if err := e.g.Check(); err != nil {
		t.Fatal(err)
	}
	mux.HandleFunc("GET "+access.SSOPath, func(w http.ResponseWriter, r *http.Request) {
		u, err := e.g.BeginSSO(w, r, r.URL.Query().Get("next"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		http.Redirect(w, r, u, http.StatusSeeOther)
	})
	mux.HandleFunc("GET "+access.SSOCallbackPath, func(w http.ResponseWriter, r *http.Request) {
		_, next, err := e.g.FinishSSO(w, r)
		var se *access.SSOError
		switch {
		case errors.As(err, &se) && errors.Is(err, access.ErrSSORefused):
			http.Error(w, "refused: "+err.Error(), http.StatusForbidden)
		case err != nil:
			http.Error(w, "failed: "+err.Error(), http.StatusBadRequest)
		default:
			http.Redirect(w, r, next, http.StatusSeeOther)
		}
	})
	mux.Handle("GET /whoami", e.g.Require(access.Authenticated, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := access.PrincipalFrom(r.Context())
		fmt.Fprintf(w, "%s|%s|%s|%v|%v", p.UserID, p.Person, p.Name, p.Roles, p.SSO)
	})))
	mux.Handle("POST /logout", e.g.Require(access.Authenticated, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		to := e.g.LogoutURL(r)
		e.g.Logout(w, r)
		if to == "" {
			to = "/login?ok=signedout"
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
	})))
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "sign-in page "+r.URL.RawQuery) })
	return e
}

// browser is a cookie-keeping client; stopAt stops following redirects
// at a URL whose path is one of these (its response is returned).
func (e *ssoEnv) browser(stopAt ...string) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, via []*http.Request) error {
		for _, p := range stopAt {
			if r.URL.Path == p {
				return http.ErrUseLastResponse
			}
		}
		return nil
	}}
}

func (e *ssoEnv) get(c *http.Client, u string) (*http.Response, string) {
	e.t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// signInAt fills the provider's sign-in form reached at resp.
func (e *ssoEnv) signInAt(c *http.Client, resp *http.Response, user, pw string) (*http.Response, string) {
	e.t.Helper()
	if resp.Request.URL.Path != oidctest.LoginPath {
		e.t.Fatalf("not at the provider's sign-in page: %s (%d)", resp.Request.URL, resp.StatusCode)
	}
	resp, err := c.PostForm(e.prov.Issuer+oidctest.LoginPath, url.Values{"id": {resp.Request.URL.Query().Get("authRequestID")},
		"username": {user}, "password": {pw}})
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// signIn goes through the whole login in browser c, to next.
func (e *ssoEnv) signIn(c *http.Client, user, pw, next string) (*http.Response, string) {
	e.t.Helper()
	resp, _ := e.get(c, e.srv.URL+access.SSOPath+"?next="+url.QueryEscape(next))
	return e.signInAt(c, resp, user, pw)
}

func (e *ssoEnv) last() ssoOutcome {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.events) == 0 {
		return ssoOutcome{}
	}
	return e.events[len(e.events)-1]
}

func TestSSOLoginRoles(t *testing.T) {
	e := newSSOEnv(t)
	for _, c := range []struct {
		user, pw string
		want     string // whoami
	}{
		{"karin", "karins-lösen", "karin|karin|Karin Kommun|[coordinator]|true"},
		{"Greta@Kommun.Example", "gretas-lösen", "greta@kommun.example|greta@kommun.example|Greta Granskare|[viewer approver]|true"},
	} {
		b := e.browser()
		resp, body := e.signIn(b, c.user, c.pw, "/whoami")
		if resp.StatusCode != http.StatusOK || body != c.want {
			t.Errorf("%s: %d %q, want %q", c.user, resp.StatusCode, body, c.want)
		}
		if o := e.last(); o.err != nil || o.user != strings.ToLower(c.user) {
			t.Errorf("%s: OnSSOLogin heard %+v", c.user, o)
		}
		// The session is a session: the cookie is HttpOnly and Lax, the
		// pre-login cookie is gone.
		u, _ := url.Parse(e.srv.URL + access.SSOPath)
		for _, ck := range b.Jar.Cookies(u) {
			if ck.Name == access.SSOCookieName {
				t.Errorf("%s: the pre-login cookie is left", c.user)
			}
		}
	}
}

func TestSSORefused(t *testing.T) {
	e := newSSOEnv(t)
	for _, c := range []struct {
		user, pw, want string
	}{
		{"rune", "runes-lösen", "no group maps to a role (groups: ekonomi)"},
		{"anna", "annas-lösen", "the name is a local user's"},
	} {
		b := e.browser()
		resp, body := e.signIn(b, c.user, c.pw, "/whoami")
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %q, want 403 with %q", c.user, resp.StatusCode, body, c.want)
		}
		if o := e.last(); !errors.Is(o.err, access.ErrSSORefused) || o.user != c.user {
			t.Errorf("%s: OnSSOLogin heard %+v", c.user, o)
		}
		if resp, _ := e.get(b, e.srv.URL+"/whoami"); resp.Request.URL.Path != "/login" {
			t.Errorf("%s: refused, yet signed in (%s)", c.user, resp.Request.URL)
		}
	}
	// The provider's groups change: rune is let in at his next sign-in.
	e.prov.SetGroups("rune", "ekonomi", "vaksam-lasare")
	if resp, body := e.signIn(e.browser(), "rune", "runes-lösen", "/whoami"); resp.StatusCode != http.StatusOK ||
		body != "rune|rune|Rune Ekonom|[viewer]|true" {
		t.Errorf("rune with a mapped group: %d %q", resp.StatusCode, body)
	}
}

// tampered begins a login in the victim's browser, stops it on its way
// to the provider, lets an attacker's browser complete an authorization
// whose parameters change does to the victim's, and delivers the
// provider's answer to the victim's browser.
func (e *ssoEnv) tampered(change func(q url.Values)) (*http.Response, string) {
	e.t.Helper()
	victim := e.browser("/authorize")
	resp, _ := e.get(victim, e.srv.URL+access.SSOPath+"?next=/whoami")
	auth, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusSeeOther || auth.Path != "/authorize" {
		e.t.Fatalf("the login did not go to the provider: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	q := auth.Query()
	change(q)
	auth.RawQuery = q.Encode()
	attacker := e.browser(access.SSOCallbackPath)
	resp, _ = e.get(attacker, auth.String())
	resp, _ = e.signInAt(attacker, resp, "karin", "karins-lösen")
	cb := resp.Header.Get("Location")
	if !strings.HasPrefix(cb, e.srv.URL+access.SSOCallbackPath) {
		e.t.Fatalf("the provider did not answer to the callback: %d %s", resp.StatusCode, cb)
	}
	victim.CheckRedirect = nil
	return e.get(victim, cb)
}

func TestSSOTamperedRefused(t *testing.T) {
	e := newSSOEnv(t)
	for _, c := range []struct {
		name   string
		change func(q url.Values)
		want   string
	}{
		{"untouched", func(url.Values) {}, ""},
		{"state", func(q url.Values) { q.Set("state", "angriparens-state") }, "state does not match"},
		{"nonce", func(q url.Values) { q.Set("nonce", "angriparens-nonce") }, "nonce does not match"},
		{"PKCE challenge", func(q url.Values) {
			q.Set("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM") // the attacker's own verifier's
		}, "exchanging the code"},
		{"PKCE left out", func(q url.Values) { q.Del("code_challenge"); q.Del("code_challenge_method") }, "exchanging the code"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, body := e.tampered(c.change)
			if c.want == "" {
				if resp.StatusCode != http.StatusOK || !strings.HasPrefix(body, "karin|") {
					t.Fatalf("the untampered login: %d %q", resp.StatusCode, body)
				}
				return
			}
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, c.want) {
				t.Errorf("%d %q, want 400 with %q", resp.StatusCode, body, c.want)
			}
			if o := e.last(); !errors.Is(o.err, access.ErrSSOFailed) {
				t.Errorf("OnSSOLogin heard %+v", o)
			}
		})
	}
}

func TestSSOCallbackRefused(t *testing.T) {
	e := newSSOEnv(t)
	// stopped returns a browser whose login waits at the callback, and
	// the callback's URL.
	stopped := func() (*http.Client, string) {
		t.Helper()
		b := e.browser(access.SSOCallbackPath)
		resp, _ := e.get(b, e.srv.URL+access.SSOPath+"?next=/whoami")
		resp, _ = e.signInAt(b, resp, "karin", "karins-lösen")
		cb := resp.Header.Get("Location")
		if !strings.HasPrefix(cb, e.srv.URL+access.SSOCallbackPath) {
			t.Fatalf("no callback: %d %s", resp.StatusCode, cb)
		}
		b.CheckRedirect = nil
		return b, cb
	}
	t.Run("another browser", func(t *testing.T) {
		_, cb := stopped()
		resp, body := e.get(e.browser(), cb)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "no login in progress") {
			t.Errorf("%d %q", resp.StatusCode, body)
		}
	})
	t.Run("replayed", func(t *testing.T) {
		b, cb := stopped()
		if resp, _ := e.get(b, cb); resp.StatusCode != http.StatusOK {
			t.Fatalf("first: %d", resp.StatusCode)
		}
		if resp, body := e.get(b, cb); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "no login in progress") {
			t.Errorf("replayed: %d %q", resp.StatusCode, body)
		}
	})
	t.Run("the provider's error", func(t *testing.T) {
		b, cb := stopped()
		u, _ := url.Parse(cb)
		q := u.Query()
		q.Set("error", "access_denied")
		q.Set("error_description", "the user said no")
		u.RawQuery = q.Encode()
		if resp, body := e.get(b, u.String()); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "access_denied: the user said no") {
			t.Errorf("%d %q", resp.StatusCode, body)
		}
	})
	t.Run("login outlived its time", func(t *testing.T) {
		b, cb := stopped()
		e.clk.Add(access.SSOLoginTimeout)
		defer e.clk.Add(-access.SSOLoginTimeout)
		resp, body := e.get(b, cb)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "no login in progress") {
			t.Errorf("a login begun ten minutes ago: %d %q", resp.StatusCode, body)
		}
	})
	t.Run("expired ID token", func(t *testing.T) {
		// ID tokens of two minutes; the answer arrives five minutes
		// later (by this server's clock), within the login's ten.
		e.prov.AddClient(oidctest.Client{ID: "vaksam", Secret: "klienthemlighet", RedirectURIs: []string{e.srv.URL + access.SSOCallbackPath},
			IDTokenLifetime: 2 * time.Minute})
		b, cb := stopped()
		e.clk.Add(5 * time.Minute)
		defer e.clk.Add(-5 * time.Minute)
		resp, body := e.get(b, cb)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "ID token") || !strings.Contains(body, "expired") {
			t.Errorf("%d %q", resp.StatusCode, body)
		}
	})
}

func TestSSOSessionExpiresAndLogout(t *testing.T) {
	e := newSSOEnv(t)
	b := e.browser()
	if resp, body := e.signIn(b, "karin", "karins-lösen", "/whoami"); resp.StatusCode != http.StatusOK {
		t.Fatalf("sign-in: %d %q", resp.StatusCode, body)
	}
	// Idle for longer than a session may be: back to the sign-in page.
	e.clk.Add(access.DefaultIdle + time.Second)
	resp, body := e.get(b, e.srv.URL+"/whoami")
	if resp.Request.URL.Path != "/login" || !strings.Contains(body, "next=%2Fwhoami") {
		t.Errorf("an expired session: at %s, %q", resp.Request.URL, body)
	}
	// Signing in again works (the ID token's expiry is the provider's,
	// by the wall clock; this clock is half an hour ahead).
	if resp, body := e.signIn(b, "karin", "karins-lösen", "/whoami"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(body, "karin|") {
		t.Fatalf("sign-in after expiry: %d %q", resp.StatusCode, body)
	}
	// Logout ends the session here and at the provider, and comes back to
	// the sign-in page.
	u, _ := url.Parse(e.srv.URL)
	csrf := ""
	for _, ck := range b.Jar.Cookies(u) {
		if ck.Name == access.CookieName {
			if s, ok := e.g.Sessions.Lookup(ck.Value); ok {
				csrf = s.CSRF
			}
		}
	}
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/logout", strings.NewReader(url.Values{"csrf_token": {csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	var hops []string
	b.CheckRedirect = func(r *http.Request, via []*http.Request) error { hops = append(hops, r.URL.String()); return nil }
	resp, err := b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(hops) != 2 || !strings.HasPrefix(hops[0], e.prov.Issuer+"/end_session?") || !strings.Contains(hops[0], "id_token_hint=") ||
		hops[1] != e.srv.URL+"/login?ok=signedout" {
		t.Errorf("logout went %q", hops)
	}
	if e.prov.Logouts() != 1 {
		t.Errorf("the provider ended %d sessions, want 1", e.prov.Logouts())
	}
	if resp, _ := e.get(b, e.srv.URL+"/whoami"); resp.Request.URL.Path != "/login" {
		t.Errorf("signed in after logout: %s", resp.Request.URL)
	}
}

func TestNewSSOErrors(t *testing.T) {
	now := func() time.Time { return time.Time{} }
	good := access.SSOConfig{Issuer: "https://idp.kommun.example", ClientID: "vaksam", RedirectURL: "https://vaksam.kommun.example/login/oidc/callback",
		Roles: map[string][]access.Role{"g": {access.Viewer}}}
	if _, err := access.NewSSO(good, now); err != nil {
		t.Fatalf("good: %v", err)
	}
	for _, c := range []struct {
		change func(*access.SSOConfig)
		want   string
	}{
		{func(c *access.SSOConfig) { c.Issuer = "idp.kommun.example" }, "issuer"},
		{func(c *access.SSOConfig) { c.ClientID = "" }, "client_id: missing"},
		{func(c *access.SSOConfig) { c.RedirectURL = "https://vaksam.kommun.example/callback" }, "redirect_url"},
		{func(c *access.SSOConfig) { c.Roles = nil }, "roles: none"},
		{func(c *access.SSOConfig) { c.Roles = map[string][]access.Role{"g": {"chef"}} }, `roles: "g"`},
	} {
		cfg := good
		c.change(&cfg)
		if _, err := access.NewSSO(cfg, now); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewSSO: %v, want an error with %q", err, c.want)
		}
	}
}
