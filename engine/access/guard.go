package access

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Names on the wire.
const (
	CookieName = "vaksam_session" // the session cookie
	CSRFHeader = "X-CSRF-Token"   // where scripts send the CSRF token
	CSRFField  = "csrf_token"     // where forms send it
)

// How a principal authenticated.
const (
	ViaSession = "session"
	ViaToken   = "token"
)

// Errors of Login and Authenticate.
var (
	// ErrInvalidCredentials is the one answer to a failed login: unknown
	// user, wrong password and disabled user look alike.
	ErrInvalidCredentials = errors.New("wrong user name or password")
	// ErrUnauthenticated is wrapped by every Authenticate error.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrCrossSite refuses a login posted from another site (login CSRF).
	ErrCrossSite = errors.New("cross-site request refused")
)

// Principal is who made a request.
type Principal struct {
	UserID string // the user's or the token's id: the actor recorded on what they do
	// Person is who acts: the user, or the person a token belongs to
	// (Token.Person). Four eyes compares persons, not actors.
	Person string
	Name   string
	Roles  []Role
	Via    string // ViaSession or ViaToken
	CSRF   string // the session's CSRF token (ViaSession only); templates use CSRFToken
	SSO    bool   // the session was begun by single sign-on (FinishSSO)
}

// Can reports whether any of the principal's roles grants p.
func (p *Principal) Can(perm Permission) bool { return p != nil && canAny(p.Roles, perm) }

type principalKey struct{}

// WithPrincipal returns ctx carrying p (Require does this; tests of
// handlers may too).
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal Require put in ctx. Handlers must
// not change it.
func PrincipalFrom(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*Principal)
	return p, ok && p != nil
}

// CSRFToken returns the CSRF token to put in a form's csrf_token field or
// a page's meta tag, or "" when the request is not session-authenticated.
// Each call masks the session's token with fresh random bytes, so that
// pages compressed over TLS do not reveal it (BREACH); any masked form is
// accepted, and so is the bare token (Principal.CSRF).
func CSRFToken(r *http.Request) string {
	p, ok := PrincipalFrom(r.Context())
	if !ok || p.Via != ViaSession || p.CSRF == "" {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(p.CSRF)
	if err != nil {
		return ""
	}
	out := make([]byte, 2*len(raw))
	pad := out[:len(raw)]
	rand.Read(pad) // never fails (crypto/rand, Go 1.24+)
	for i := range raw {
		out[len(raw)+i] = pad[i] ^ raw[i]
	}
	return base64.RawURLEncoding.EncodeToString(out)
}

// csrfMatches reports in constant time whether sent is the session's token
// raw, bare or masked.
func csrfMatches(raw, sent string) bool {
	want, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil || len(want) == 0 || sent == "" {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(sent)
	if err != nil {
		return false
	}
	if len(got) == 2*len(want) {
		pad, masked := got[:len(want)], got[len(want):]
		for i := range masked {
			masked[i] ^= pad[i]
		}
		got = masked
	}
	return subtle.ConstantTimeCompare(got, want) == 1
}

// Guard authenticates and authorizes HTTP requests. Dir, Sessions and Now
// are required; the other fields have defaults. Set the fields before the
// first request and do not change them after.
type Guard struct {
	Dir      *Directory
	Sessions *Sessions
	Now      func() time.Time // for throttling and OnLogin; the sessions have their own
	// Secure marks the session cookie Secure even when the request did not
	// come over TLS (TLS terminated by a reverse proxy). Requests over TLS
	// always get a Secure cookie. `serve --demo` over plain http leaves it
	// off.
	Secure bool
	// OnLogin hears of every login attempt that passes the origin check,
	// throttled ones included; user is the name as typed (trimmed, lower
	// case, at most 128 bytes), so it may be anything: escape it when
	// logging. It is called synchronously: keep it quick.
	OnLogin func(user, ip string, ok bool, at time.Time)
	Limits  LoginLimits // failed-login throttling; zero fields take DefaultLoginLimits
	// ClientIP names the client for throttling and OnLogin; RemoteIP when
	// nil. Behind a reverse proxy, use Proxies.ClientIP, which reads the
	// forwarded address only from trusted proxies.
	ClientIP func(*http.Request) string
	// LoginPath is where unauthenticated HTML GETs are sent, with
	// ?next=<the request's path and query>; "/login" when empty.
	LoginPath string
	// TrustedOrigins are other origins ("https://vaksam.example.se") whose
	// unsafe requests are accepted, e.g. when a proxy rewrites Host.
	TrustedOrigins []string
	// MaxHashes bounds the password hashes computed at once (each takes the
	// hash's memory, 19 MiB by default); 4 when 0. Logins wait their turn.
	MaxHashes int
	// HTMLError, when set, writes the 401 and 403 answers to browsers (not
	// to /api/ or JSON clients), e.g. as a Swedish page. msg is the English
	// error this package would have written.
	HTMLError func(w http.ResponseWriter, r *http.Request, status int, msg string)
	// SSO, when set, signs users in through an OpenID Connect provider
	// beside the directory's (BeginSSO, FinishSSO).
	SSO *SSO
	// OnSSOLogin hears of every single sign-on login that reached the
	// provider's answer: err is nil for a success, else an *SSOError; user
	// is the id the provider named ("" when it named none). Synchronous:
	// keep it quick.
	OnSSOLogin func(user, ip string, err error, at time.Time)

	once    sync.Once
	initErr error
	thr     *throttle
	cop     *http.CrossOriginProtection
	hashes  chan struct{}
}

func (g *Guard) init() error {
	g.once.Do(func() {
		var errs []error
		isNil := func(field string) { errs = append(errs, fmt.Errorf("%s is nil", field)) }
		if g.Dir == nil {
			isNil("Dir")
		}
		if g.Sessions == nil {
			isNil("Sessions")
		} else if g.Sessions.Now == nil {
			isNil("Sessions.Now")
		}
		if g.Now == nil {
			isNil("Now")
		}
		g.cop = http.NewCrossOriginProtection()
		for _, o := range g.TrustedOrigins {
			if err := g.cop.AddTrustedOrigin(o); err != nil {
				errs = append(errs, fmt.Errorf("TrustedOrigins: %w", err))
			}
		}
		if err := errors.Join(errs...); err != nil {
			g.initErr = fmt.Errorf("access: guard: %w", err)
		}
		g.thr = newThrottle(g.Limits)
		g.hashes = make(chan struct{}, or(g.MaxHashes, 4))
	})
	return g.initErr
}

// Check reports a misconfigured Guard; call it at startup. A misconfigured
// Guard refuses every login and answers every protected request with 500.
func (g *Guard) Check() error { return g.init() }

func (g *Guard) clientIP(r *http.Request) string {
	if g.ClientIP != nil {
		return g.ClientIP(r)
	}
	return RemoteIP(r)
}

func (g *Guard) report(user, ip string, ok bool, at time.Time) {
	if g.OnLogin != nil {
		g.OnLogin(user, ip, ok, at)
	}
}

// Login checks a user name and password (from the login form) and, when
// they are right, starts a session: the cookie is set on w and any session
// the request came with is ended, so the id changes at login (no session
// fixation). It returns a copy of the user.
//
// Failures: ErrInvalidCredentials, the same for an unknown user, a wrong
// password and a disabled user, and taking the same time (a hash is
// computed in every case); a *ThrottledError (errors.Is ErrThrottled)
// while this user name from this client, or this client whatever the
// name, waits out its delay after failing too often lately, with
// Retry-After set on w (answer 429); ErrCrossSite when the form was posted
// from another site; the context's error when the request was cancelled
// while waiting to hash.
func (g *Guard) Login(w http.ResponseWriter, r *http.Request, username, password string) (*User, error) {
	if err := g.init(); err != nil {
		return nil, err
	}
	if err := g.cop.Check(r); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCrossSite, err)
	}
	now := g.Now()
	ip := g.clientIP(r)
	name := strings.ToLower(strings.TrimSpace(username))
	if len(name) > 128 {
		name = strings.ToValidUTF8(name[:128], "")
	}
	if wait := g.thr.begin(name, ip, now); wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		g.report(name, ip, false, now)
		return nil, &ThrottledError{RetryAfter: wait}
	}
	select {
	case g.hashes <- struct{}{}:
	case <-r.Context().Done():
		g.thr.cancel(name, ip)
		return nil, r.Context().Err()
	}
	u, ok := g.Dir.verify(name, password)
	<-g.hashes
	if !ok {
		g.report(name, ip, false, now)
		return nil, ErrInvalidCredentials
	}
	g.thr.succeeded(name, ip)
	if c, err := r.Cookie(CookieName); err == nil {
		g.Sessions.Delete(c.Value)
	}
	id, _ := g.Sessions.Create(u.ID)
	http.SetCookie(w, g.cookie(r, id, 0))
	g.report(name, ip, true, now)
	return &u, nil
}

// Logout ends the request's session, if any, and clears the cookie.
// Serve it on POST behind Require(Authenticated, …), so that it needs the
// CSRF token.
func (g *Guard) Logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(CookieName); err == nil && g.Sessions != nil {
		g.Sessions.Delete(c.Value)
	}
	http.SetCookie(w, g.cookie(r, "", -1))
}

// cookie is the session cookie. SameSite=Lax, not Strict: links in alert
// e-mails are top-level cross-site navigations, and Strict would not send
// the cookie on them, so a signed-in coordinator would land on the login
// page. Lax still keeps the cookie off cross-site POSTs, subrequests and
// frames; the CSRF token and the origin check guard the rest. No Max-Age:
// the server enforces the lifetime.
func (g *Guard) cookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: CookieName, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: g.Secure || r.TLS != nil}
}

// Authenticate returns who made the request: the bearer token when there
// is an Authorization header (the cookie is then ignored), else the
// session cookie. A session whose user is gone or disabled is ended.
// Every error wraps ErrUnauthenticated, except a misconfigured Guard's.
func (g *Guard) Authenticate(r *http.Request) (*Principal, error) {
	if err := g.init(); err != nil {
		return nil, err
	}
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, cred, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			return nil, fmt.Errorf("%w: authorization scheme %q, want Bearer", ErrUnauthenticated, scheme)
		}
		t, ok := g.Dir.verifyToken(strings.TrimSpace(cred))
		if !ok {
			return nil, fmt.Errorf("%w: unknown or wrong token", ErrUnauthenticated)
		}
		return &Principal{UserID: t.ID, Person: t.Person(), Name: t.Name, Roles: t.Roles, Via: ViaToken}, nil
	}
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return nil, fmt.Errorf("%w: no session cookie or token", ErrUnauthenticated)
	}
	s, ok := g.Sessions.Lookup(c.Value)
	if !ok {
		return nil, fmt.Errorf("%w: session unknown or expired", ErrUnauthenticated)
	}
	if s.SSO != nil {
		if g.SSO == nil {
			g.Sessions.Delete(c.Value)
			return nil, fmt.Errorf("%w: single sign-on is off", ErrUnauthenticated)
		}
		return &Principal{UserID: s.UserID, Person: s.UserID, Name: s.SSO.Name, Roles: slices.Clone(s.SSO.Roles),
			Via: ViaSession, CSRF: s.CSRF, SSO: true}, nil
	}
	u, ok := g.Dir.User(s.UserID)
	if !ok || u.Disabled {
		g.Sessions.Delete(c.Value)
		return nil, fmt.Errorf("%w: user %q is gone or disabled", ErrUnauthenticated, s.UserID)
	}
	return &Principal{UserID: u.ID, Person: u.ID, Name: u.Name, Roles: u.Roles, Via: ViaSession, CSRF: s.CSRF}, nil
}

// Require protects next: the request must be authenticated (else 401: JSON
// {"error":"unauthenticated"} for /api/ paths, JSON clients and token
// requests; a 303 to LoginPath?next=… for a browser's GET or HEAD), a
// session-authenticated unsafe request (anything but GET, HEAD, OPTIONS,
// TRACE) must come from this site (Sec-Fetch-Site, Origin) and carry the
// session's CSRF token in the X-CSRF-Token header or the csrf_token form
// field (else 403 "csrf token missing or wrong"), and a role of the
// principal must grant p (else 403 "forbidden: needs <p>"). Token requests
// carry no cookie, so they need no CSRF token. next finds the principal
// with PrincipalFrom; answers get Cache-Control: no-store unless next
// says otherwise. Require panics on an unknown permission, a programming
// error.
//
// GET and HEAD handlers must not change anything: Lax cookies come with
// cross-site links, and no CSRF check applies to them.
func (g *Guard) Require(p Permission, next http.Handler) http.Handler {
	if !p.Valid() {
		panic(fmt.Sprintf("access: Require: unknown permission %q", p))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := g.init(); err != nil {
			http.Error(w, "access: guard misconfigured", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		pr, err := g.Authenticate(r)
		if err != nil {
			g.unauthenticated(w, r)
			return
		}
		if pr.Via == ViaSession && !safeMethod(r.Method) {
			if err := g.cop.Check(r); err != nil {
				g.deny(w, r, http.StatusForbidden, "cross-site request refused")
				return
			}
			sent := r.Header.Get(CSRFHeader)
			if sent == "" {
				sent = r.PostFormValue(CSRFField)
			}
			if !csrfMatches(pr.CSRF, sent) {
				g.deny(w, r, http.StatusForbidden, "csrf token missing or wrong")
				return
			}
		}
		if !pr.Can(p) {
			g.deny(w, r, http.StatusForbidden, "forbidden: needs "+string(p))
			return
		}
		next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), pr)))
	})
}

func safeMethod(m string) bool {
	return slices.Contains([]string{http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace}, m)
}

func (g *Guard) unauthenticated(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(CookieName); err == nil && c.Value != "" {
		http.SetCookie(w, g.cookie(r, "", -1)) // a stale cookie: drop it
	}
	if !wantsJSON(r) && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		login := or(g.LoginPath, "/login")
		http.Redirect(w, r, login+"?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	if wantsJSON(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="vaksam"`)
	}
	g.deny(w, r, http.StatusUnauthorized, "unauthenticated")
}

// deny writes {"error": msg} to JSON clients, else HTMLError's page or
// plain text.
func (g *Guard) deny(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if !wantsJSON(r) && g.HTMLError != nil {
		g.HTMLError(w, r, status, msg)
		return
	}
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	if wantsJSON(r) {
		h.Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]string{"error": msg})
		return
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintln(w, msg)
}

// wantsJSON: API paths, clients that accept JSON, and machines (an
// Authorization header).
func wantsJSON(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || r.Header.Get("Authorization") != "" ||
		strings.Contains(r.Header.Get("Accept"), "application/json")
}

// SafeNext returns next when it is a path on this site, else "/": the
// login handler's guard against open redirects through ?next=.
func SafeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}
