package access

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Single sign-on paths: BeginSSO is served at SSOPath, FinishSSO at
// SSOCallbackPath, which the redirect URL registered at the provider
// must name.
const (
	SSOPath         = "/login/oidc"
	SSOCallbackPath = "/login/oidc/callback"
	// SSOCookieName binds a login in progress to the browser that began
	// it: its state, nonce and PKCE verifier stay on the server.
	SSOCookieName = "vaksam_sso"
)

// Defaults of an SSOConfig.
const (
	DefaultGroupsClaim   = "groups"
	DefaultUsernameClaim = "preferred_username"
	DefaultNameClaim     = "name"
	// SSOLoginTimeout is how long a login begun may take at the provider.
	SSOLoginTimeout = 10 * time.Minute
	// maxSSOPending bounds the logins in progress held in memory.
	maxSSOPending = 10000
)

// Errors of FinishSSO, with errors.Is.
var (
	// ErrSSORefused: the provider signed the user in, but no group of
	// theirs maps to a role here (or their name is taken by a local user
	// or token). The *SSOError says who and what.
	ErrSSORefused = errors.New("single sign-on: refused")
	// ErrSSOFailed: the login could not be completed: none in progress
	// (expired, or begun in another browser), the provider's error, a
	// state, nonce or code that does not match, an ID token that does not
	// verify.
	ErrSSOFailed = errors.New("single sign-on: failed")
	// ErrSSOUnavailable: the provider cannot be reached (discovery).
	ErrSSOUnavailable = errors.New("single sign-on: provider unavailable")
)

// SSOError is a refused or failed single sign-on: Kind is ErrSSORefused,
// ErrSSOFailed or ErrSSOUnavailable.
type SSOError struct {
	Kind   error
	User   string   // the user id the provider named, when known
	Groups []string // the user's groups, for a refusal
	Reason string   // what went wrong, in English, for the log and the audit
}

func (e *SSOError) Error() string {
	if e.User != "" {
		return fmt.Sprintf("%v: %s: %s", e.Kind, e.User, e.Reason)
	}
	return fmt.Sprintf("%v: %s", e.Kind, e.Reason)
}

func (e *SSOError) Unwrap() error { return e.Kind }

// SSOConfig configures single sign-on with an OpenID Connect provider:
// the authorization code flow with PKCE (S256), state and nonce bound to
// the browser that began it, the ID token verified (signature, issuer,
// audience, expiry, nonce), and roles from the token's group claim.
type SSOConfig struct {
	// Issuer is the provider's issuer URL; its discovery document is at
	// Issuer/.well-known/openid-configuration.
	Issuer       string
	ClientID     string
	ClientSecret string // "" for a public client: PKCE alone
	// RedirectURL is this server's SSOCallbackPath as the browser reaches
	// it (https://vaksam.kommun.example/login/oidc/callback), registered
	// at the provider.
	RedirectURL string
	// Scopes are asked for besides openid: profile and email when nil.
	Scopes []string
	// The ID token's claims that name the user (its id here, lower case:
	// preferred_username), show the user's name (name) and list the
	// user's groups (groups: an array of strings, or one string).
	UsernameClaim, NameClaim, GroupsClaim string
	// Roles maps a group, exactly as the provider writes it, to the roles
	// it grants; a user gets the roles of all their groups, and a user in
	// none of them is refused.
	Roles map[string][]Role
	// HTTPClient reaches the provider; http.DefaultClient when nil.
	HTTPClient *http.Client
	// Name is the provider's name for people ("Malmö stads inloggning"),
	// on the sign-in button; "" for a generic text.
	Name string
}

// SSO signs users in through an OpenID Connect provider, beside the
// directory's users: Guard.BeginSSO and Guard.FinishSSO. The session
// that results is like a password login's (cookie, CSRF token, expiry),
// with the user's name and roles from the provider kept in it: a user
// signed in by the provider is no user of the directory, and their roles
// are those of their groups at sign-in until the session ends.
type SSO struct {
	cfg SSOConfig
	now func() time.Time

	mu         sync.Mutex
	provider   *oidc.Provider
	verifier   *oidc.IDTokenVerifier
	oauth      oauth2.Config
	endSession string // the provider's end_session_endpoint, "" when none
	pending    map[[32]byte]*ssoPending
}

// ssoPending is a login begun, waiting for the provider's answer.
type ssoPending struct {
	state, nonce, verifier, next string
	created                      time.Time
}

// SSOIdentity is what a session begun by single sign-on knows of its
// user.
type SSOIdentity struct {
	Name    string
	Roles   []Role
	Subject string // the provider's sub
	IDToken string // the raw ID token: the provider's logout asks for it (id_token_hint)
}

// NewSSO checks the configuration; it does not reach the provider
// (Discover, or the first login, does). now is the clock the ID token's
// expiry is checked against.
func NewSSO(cfg SSOConfig, now func() time.Time) (*SSO, error) {
	var errs []error
	if now == nil {
		errs = append(errs, errors.New("now is nil"))
	}
	if u, err := url.Parse(cfg.Issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, fmt.Errorf("issuer: want an http(s) URL, got %q", cfg.Issuer))
	}
	if cfg.ClientID == "" {
		errs = append(errs, errors.New("client_id: missing"))
	}
	if u, err := url.Parse(cfg.RedirectURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != SSOCallbackPath {
		errs = append(errs, fmt.Errorf("redirect_url: want this server's URL of %s (https://vaksam.kommun.example%s), got %q", SSOCallbackPath, SSOCallbackPath, cfg.RedirectURL))
	}
	if len(cfg.Roles) == 0 {
		errs = append(errs, errors.New("roles: none: map at least one group to a role, or nobody can sign in"))
	}
	groups := make([]string, 0, len(cfg.Roles))
	for g := range cfg.Roles {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	roles := map[string][]Role{}
	for _, g := range groups {
		if strings.TrimSpace(g) == "" {
			errs = append(errs, errors.New("roles: an empty group name"))
			continue
		}
		rs, err := parseRoles(cfg.Roles[g])
		if err != nil {
			errs = append(errs, fmt.Errorf("roles: %q: %w", g, err))
		}
		roles[g] = rs
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("access: sso: %w", err)
	}
	cfg.Roles = roles
	cfg.UsernameClaim = or(cfg.UsernameClaim, DefaultUsernameClaim)
	cfg.NameClaim = or(cfg.NameClaim, DefaultNameClaim)
	cfg.GroupsClaim = or(cfg.GroupsClaim, DefaultGroupsClaim)
	if cfg.Scopes == nil {
		cfg.Scopes = []string{"profile", "email"}
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	return &SSO{cfg: cfg, now: now, pending: map[[32]byte]*ssoPending{}}, nil
}

// Issuer is the provider's issuer URL.
func (s *SSO) Issuer() string { return s.cfg.Issuer }

// Name is the provider's name for people, "" when not configured.
func (s *SSO) Name() string { return s.cfg.Name }

// Discover reads the provider's discovery document, once: a login
// discovers it when this was not done or failed. Call it at start to
// hear early of a provider that cannot be reached.
func (s *SSO) Discover(ctx context.Context) error {
	_, err := s.discovered(ctx)
	return err
}

// discovered returns the provider, discovering it when needed.
func (s *SSO) discovered(ctx context.Context) (*oidc.Provider, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.provider != nil {
		return s.provider, nil
	}
	// The provider keeps the client (not the context) for its key set.
	dctx, cancel := context.WithTimeout(oidc.ClientContext(ctx, s.cfg.HTTPClient), 10*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(dctx, s.cfg.Issuer)
	if err != nil {
		return nil, &SSOError{Kind: ErrSSOUnavailable, Reason: fmt.Sprintf("discovery at %s: %v", s.cfg.Issuer, err)}
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := p.Claims(&meta); err != nil {
		return nil, &SSOError{Kind: ErrSSOUnavailable, Reason: fmt.Sprintf("discovery at %s: %v", s.cfg.Issuer, err)}
	}
	s.provider, s.endSession = p, meta.EndSession
	s.verifier = p.Verifier(&oidc.Config{ClientID: s.cfg.ClientID, Now: s.now})
	s.oauth = oauth2.Config{ClientID: s.cfg.ClientID, ClientSecret: s.cfg.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: s.cfg.RedirectURL, Scopes: append([]string{oidc.ScopeOpenID}, s.cfg.Scopes...)}
	return p, nil
}

// begin records a login in progress and returns the cookie's value and
// the provider's authorization URL.
func (s *SSO) begin(ctx context.Context, next string) (string, string, error) {
	if _, err := s.discovered(ctx); err != nil {
		return "", "", err
	}
	id := randomString(32)
	p := &ssoPending{state: randomString(32), nonce: randomString(32), verifier: oauth2.GenerateVerifier(),
		next: SafeNext(next), created: s.now()}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(p.created)
	s.pending[key(id)] = p
	u := s.oauth.AuthCodeURL(p.state, oauth2.S256ChallengeOption(p.verifier), oidc.Nonce(p.nonce))
	return id, u, nil
}

// sweep drops logins in progress that took too long, and the oldest when
// there are too many.
func (s *SSO) sweep(now time.Time) {
	for k, p := range s.pending {
		if !now.Before(p.created.Add(SSOLoginTimeout)) {
			delete(s.pending, k)
		}
	}
	for len(s.pending) >= maxSSOPending {
		var oldest [32]byte
		var at time.Time
		for k, p := range s.pending {
			if at.IsZero() || p.created.Before(at) {
				oldest, at = k, p.created
			}
		}
		delete(s.pending, oldest)
	}
}

// take removes and returns the login in progress with the cookie's value.
func (s *SSO) take(id string) (*ssoPending, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := key(id)
	p, ok := s.pending[k]
	delete(s.pending, k)
	if !ok || !s.now().Before(p.created.Add(SSOLoginTimeout)) {
		return nil, false
	}
	return p, true
}

// ssoUser is who the provider signed in.
type ssoUser struct {
	id     string
	ident  SSOIdentity
	groups []string
}

// finish checks the provider's answer to a login in progress and returns
// the user.
func (s *SSO) finish(ctx context.Context, p *ssoPending, q url.Values) (*ssoUser, error) {
	failed := func(format string, a ...any) error {
		return &SSOError{Kind: ErrSSOFailed, Reason: fmt.Sprintf(format, a...)}
	}
	if e := q.Get("error"); e != "" {
		return nil, failed("the provider answered %s: %s", excerpt(e), excerpt(q.Get("error_description")))
	}
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(p.state)) != 1 {
		return nil, failed("state does not match the login begun")
	}
	code := q.Get("code")
	if code == "" {
		return nil, failed("no code")
	}
	if _, err := s.discovered(ctx); err != nil {
		return nil, err
	}
	cctx := oidc.ClientContext(ctx, s.cfg.HTTPClient)
	tok, err := s.oauth.Exchange(cctx, code, oauth2.VerifierOption(p.verifier))
	if err != nil {
		return nil, failed("exchanging the code: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, failed("the token answer has no id_token")
	}
	idt, err := s.verifier.Verify(cctx, raw)
	if err != nil {
		return nil, failed("ID token: %v", err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(p.nonce)) != 1 {
		return nil, failed("ID token: nonce does not match the login begun")
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, failed("ID token: claims: %v", err)
	}
	name, _ := claims[s.cfg.UsernameClaim].(string)
	id := strings.ToLower(strings.TrimSpace(name))
	switch {
	case id == "":
		return nil, failed("ID token of %s: no %s claim to name the user", excerpt(idt.Subject), s.cfg.UsernameClaim)
	case !userID.MatchString(id):
		return nil, failed("ID token: %s %q is not a usable user id (1 to 64 of a-z 0-9 . _ @ -)", s.cfg.UsernameClaim, excerpt(id))
	}
	u := &ssoUser{id: id, ident: SSOIdentity{Subject: idt.Subject, IDToken: raw}, groups: claimStrings(claims[s.cfg.GroupsClaim])}
	u.ident.Name, _ = claims[s.cfg.NameClaim].(string)
	u.ident.Name = or(strings.TrimSpace(u.ident.Name), id)
	for _, g := range u.groups {
		for _, r := range s.cfg.Roles[g] {
			if !slices.Contains(u.ident.Roles, r) {
				u.ident.Roles = append(u.ident.Roles, r)
			}
		}
	}
	slices.SortFunc(u.ident.Roles, func(a, b Role) int { return slices.Index(Roles(), a) - slices.Index(Roles(), b) })
	return u, nil
}

// claimStrings reads a group claim: an array of strings, or one string.
func claimStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// logoutURL is the provider's end-session URL for a session's ID token,
// sending the browser back to after; "" when the provider has none.
func (s *SSO) logoutURL(idToken, after string) string {
	s.mu.Lock()
	end := s.endSession
	s.mu.Unlock()
	if end == "" {
		return ""
	}
	u, err := url.Parse(end)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("client_id", s.cfg.ClientID)
	q.Set("post_logout_redirect_uri", after)
	if idToken != "" {
		q.Set("id_token_hint", idToken)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// PostLogoutURL is where the provider's logout sends the browser: this
// server's sign-in page, saying the user signed out (register it at the
// provider as a post-logout redirect URI).
func (s *SSO) PostLogoutURL() string {
	u, _ := url.Parse(s.cfg.RedirectURL) // checked by NewSSO
	return u.Scheme + "://" + u.Host + "/login?ok=signedout"
}

// excerpt is at most 80 bytes of a value from outside, valid UTF-8.
func excerpt(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}

// BeginSSO starts a single sign-on login that goes on to next (checked
// with SafeNext) when it succeeds: it binds the login's state, nonce and
// PKCE verifier to this browser with a short-lived cookie (SSOCookieName,
// HttpOnly, SameSite=Lax: the provider's answer is a top-level
// navigation) and returns the provider's URL to send the browser to.
// Errors: ErrSSOUnavailable when the provider cannot be reached, or an
// error when the Guard has no SSO.
func (g *Guard) BeginSSO(w http.ResponseWriter, r *http.Request, next string) (string, error) {
	if err := g.init(); err != nil {
		return "", err
	}
	if g.SSO == nil {
		return "", errors.New("access: single sign-on is not configured")
	}
	id, u, err := g.SSO.begin(r.Context(), next)
	if err != nil {
		return "", err
	}
	http.SetCookie(w, g.ssoCookie(r, id, int(SSOLoginTimeout.Seconds())))
	return u, nil
}

func (g *Guard) ssoCookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: SSOCookieName, Value: value, Path: SSOPath, MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: g.Secure || r.TLS != nil}
}

// FinishSSO completes a single sign-on login on the provider's answer
// (the request to SSOCallbackPath): the login begun in this browser is
// taken (once), the state compared, the code exchanged with the PKCE
// verifier, the ID token verified (signature, issuer, audience, expiry
// by the Guard's clock) and its nonce compared. The user, named by the
// username claim, gets the roles their groups map to, and a session
// starts as at a password login (cookie set, any old session ended). It
// returns the principal and where to go next.
//
// Errors are *SSOError: ErrSSORefused when no group maps to a role or
// the name is a local user's or token's; ErrSSOFailed for anything else
// the login cannot survive; ErrSSOUnavailable when the provider cannot
// be reached. Every outcome but a missing login in progress is reported
// to OnSSOLogin.
func (g *Guard) FinishSSO(w http.ResponseWriter, r *http.Request) (*Principal, string, error) {
	if err := g.init(); err != nil {
		return nil, "", err
	}
	if g.SSO == nil {
		return nil, "", errors.New("access: single sign-on is not configured")
	}
	ip := g.clientIP(r)
	http.SetCookie(w, g.ssoCookie(r, "", -1))
	c, err := r.Cookie(SSOCookieName)
	var p *ssoPending
	ok := false
	if err == nil {
		p, ok = g.SSO.take(c.Value)
	}
	if !ok {
		return nil, "", &SSOError{Kind: ErrSSOFailed, Reason: "no login in progress in this browser (it took too long, or began elsewhere)"}
	}
	u, err := g.SSO.finish(r.Context(), p, r.URL.Query())
	if err != nil {
		g.reportSSO("", ip, err)
		return nil, "", err
	}
	if _, taken := g.Dir.User(u.id); taken {
		err = &SSOError{Kind: ErrSSORefused, User: u.id, Reason: "the name is a local user's: sign in with the password"}
	} else if _, taken := g.Dir.Token(u.id); taken {
		err = &SSOError{Kind: ErrSSORefused, User: u.id, Reason: "the name is a token's"}
	} else if len(u.ident.Roles) == 0 {
		err = &SSOError{Kind: ErrSSORefused, User: u.id, Groups: u.groups,
			Reason: fmt.Sprintf("no group maps to a role (groups: %s)", excerpt(strings.Join(u.groups, ", ")))}
	}
	if err != nil {
		g.reportSSO(u.id, ip, err)
		return nil, "", err
	}
	if c, err := r.Cookie(CookieName); err == nil {
		g.Sessions.Delete(c.Value)
	}
	id, sess := g.Sessions.CreateSSO(u.id, u.ident)
	http.SetCookie(w, g.cookie(r, id, 0))
	g.reportSSO(u.id, ip, nil)
	return &Principal{UserID: u.id, Person: u.id, Name: u.ident.Name, Roles: slices.Clone(u.ident.Roles),
		Via: ViaSession, CSRF: sess.CSRF, SSO: true}, p.next, nil
}

func (g *Guard) reportSSO(user, ip string, err error) {
	if g.OnSSOLogin != nil {
		g.OnSSOLogin(user, ip, err, g.Now())
	}
}

// LogoutURL is where to send the browser after Logout: the provider's
// end-session endpoint (with the session's ID token as id_token_hint and
// the SSO's PostLogoutURL to come back to) for a session begun by single
// sign-on at a provider that has one, else "". Call it before Logout.
func (g *Guard) LogoutURL(r *http.Request) string {
	if g.SSO == nil || g.Sessions == nil {
		return ""
	}
	c, err := r.Cookie(CookieName)
	if err != nil {
		return ""
	}
	s, ok := g.Sessions.Lookup(c.Value)
	if !ok || s.SSO == nil {
		return ""
	}
	return g.SSO.logoutURL(s.SSO.IDToken, g.SSO.PostLogoutURL())
}
