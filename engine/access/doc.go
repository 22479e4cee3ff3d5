// Package access says who may do what over HTTP: users and roles,
// password login, sessions, CSRF protection, login throttling and API
// tokens for machines. It uses net/http and, for argon2id,
// golang.org/x/crypto; nothing in it reads the wall clock (time is passed
// in as Now functions).
//
// # Roles and permissions
//
// A user or token holds one or more roles; a role grants permissions
// (Role.Can); a principal may do what any of its roles grants:
//
//	                 viewer  coordinator  approver  admin
//	authenticated      ✓         ✓           ✓        ✓
//	view_alerts        ✓         ✓           ✓        ✓
//	view_persons                 ✓           ✓        ✓   personal data
//	assign                       ✓           ✓        ✓
//	decide                       ✓           ✓        ✓
//	approve                                  ✓        ✓
//	admin                                             ✓
//
// Four eyes (nobody approves their own decision) is engine/review's rule,
// not this package's; it compares persons (Principal.Person), not actors,
// so a token cannot approve what its owner proposed.
//
// # Users and tokens
//
// Users and tokens come from the configuration file only (NewDirectory).
// A user's password is stored as a PHC argon2id string,
// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>" (HashPassword,
// DefaultParams: OWASP's m=19 MiB, t=2, p=1); each hash carries its
// parameters, so tests use cheap ones (HashPasswordWith) and stronger ones
// can come later (NeedsRehash). `vaksam config hash-password` needs ValidatePassword
// (the policy: at least 12 characters) and HashPassword. An enabled user
// without a hash is a configuration error: there is no default password.
// DemoUsers, for `serve --demo` only, makes the one set of users whose
// passwords anyone is told, and those are random at every start.
//
// A machine sends "Authorization: Bearer <id>.<secret>"; the configuration
// holds the token's id, roles and the SHA-256 of its 256-bit secret
// (NewToken). User and token ids share one
// namespace: either may be the actor recorded on a decision. A token
// belongs to a person, its owner (Token.Owner): a user, or a person who
// signs in through single sign-on; a token that may decide or approve
// must have one, and a token whose owner is a disabled user stops
// working.
//
// # Sessions
//
// Login (Guard.Login) starts a server-side session in memory (Sessions) and
// sets the cookie vaksam_session: a 256-bit random id, HttpOnly, Path=/,
// SameSite=Lax, Secure over TLS or when Guard.Secure is set (off only for
// `serve --demo` over plain http). Lax rather than Strict because the
// links in alert e-mails are cross-site top-level navigations, which
// Strict would send without the cookie. A session ends after 30 minutes
// without a request or 8 hours after login, at logout, or when its user
// is removed or disabled; the id changes at every login (no fixation),
// and a user keeps at most 10 sessions. The store keys sessions by the
// SHA-256 of the id. A restart signs everyone out.
//
// # Single sign-on
//
// Beside the directory's users, Guard.SSO signs people in through an
// OpenID Connect provider (SSO, NewSSO, built on
// github.com/coreos/go-oidc and golang.org/x/oauth2): BeginSSO, served
// at SSOPath, keeps a login's state, nonce and PKCE verifier on the
// server behind a ten-minute cookie (SSOCookieName) and sends the
// browser to the provider with the S256 challenge; FinishSSO, at
// SSOCallbackPath, takes that login once, compares the state, exchanges
// the code with the verifier, verifies the ID token (signature,
// issuer, audience, expiry by the Guard's clock) and its nonce, names
// the user by a claim (preferred_username) and gives them the roles
// their groups map to (SSOConfig.Roles). Someone in no mapped group, or
// whose name is a local user's or token's, is refused (ErrSSORefused);
// anything else that goes wrong fails the login (ErrSSOFailed). The
// session is a session as above (cookie, CSRF, expiry), holding the
// name and roles the provider gave (Session.SSO): a change of groups
// counts from the next sign-in. LogoutURL sends the browser on to the
// provider's end_session_endpoint, when it has one. OnSSOLogin hears
// of every outcome for the audit log. oidctest runs a real provider in
// the process for tests.
//
// # CSRF
//
// Each session has a synchronizer token. Require lets a
// session-authenticated unsafe request (POST, PUT, PATCH, DELETE, anything
// but GET, HEAD, OPTIONS, TRACE) through only when it carries the token in
// the X-CSRF-Token header or the csrf_token form field (compared in
// constant time) and, as defence in depth, when Sec-Fetch-Site or Origin
// do not say it comes from another site (net/http's
// CrossOriginProtection); Login applies the same origin check against
// login CSRF. Templates get the token from CSRFToken(r), masked afresh on
// each call against BREACH. Bearer-token requests carry no cookie and need
// no token. GET and HEAD handlers must not change state.
//
// # Login throttling
//
// Failed logins slow down; nothing is locked. A (user name, client
// address) pair has 3 failures free, then waits 1s after its next
// failure, 2s after the one after, doubling up to 15 minutes; a client
// address (an IPv6 client by its /64) has 20 failures free whatever the
// names, then waits the same way (LoginLimits). While a pair or its
// address waits, Login answers *ThrottledError and sets Retry-After
// without checking the password. A success forgets the pair's failures;
// an hour without a failure forgets a pair's or an address's. An attempt
// counts from the moment it starts, so parallel guesses cannot overrun
// the delays. So someone guessing a user's password from another address
// never keeps the user out: only their own pair and address slow down.
// Unknown users, wrong passwords and disabled users get the same error,
// ErrInvalidCredentials, after the same work (unknown users are checked
// against a dummy hash). At most MaxHashes hashes run at once, bounding
// memory. Every attempt is reported to Guard.OnLogin for the audit log.
//
// Behind a reverse proxy every client would share the proxy's address:
// Proxies.ClientIP, as the Guard's ClientIP, reads the client from
// X-Forwarded-For or Forwarded, but only on requests from a trusted proxy
// and only the right-most hop no trusted proxy wrote, so a client cannot
// choose its own address by sending the header.
//
// # HTTP
//
//	g := &access.Guard{Dir: dir, Sessions: access.NewSessions(now), Now: now, Secure: tls}
//	mux.Handle("GET /alerts", g.Require(access.ViewAlerts, alerts))
//	mux.Handle("POST /api/decisions/{id}/approve", g.Require(access.Approve, approve))
//	mux.Handle("POST /logout", g.Require(access.Authenticated, logout)) // calls g.Logout
//
// Require answers 401 {"error":"unauthenticated"} to /api/ paths, JSON
// clients and token requests, and sends a browser's GET to
// /login?next=<path> (SafeNext checks next before redirecting to it); it
// answers 403 {"error":"forbidden: needs <permission>"} (text for
// browsers, or Guard.HTMLError's page) when no role grants the
// permission. Handlers read the principal with PrincipalFrom.
package access
