package web

import (
	_ "embed"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/ident"
)

//go:embed openapi.yaml
var openapiYAML []byte

// OpenAPI returns the API's OpenAPI 3 document (YAML).
func OpenAPI() []byte { return append([]byte(nil), openapiYAML...) }

func (s *Server) openapi(w http.ResponseWriter, r *http.Request, _ *access.Principal) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(openapiFor(s.Version))
	return nil
}

// infoVersion is the line of info.version in openapi.yaml: the only key
// "version" indented by two spaces (info's members are; a path's,
// a component's members are indented by four).
var infoVersion = regexp.MustCompile(`(?m)^  version: .*$`)

// openapiFor is the OpenAPI document as served by a build of the given
// version: info.version is that version ("" leaves the document's own,
// buildinfo.Release, which a test holds it to).
func openapiFor(version string) []byte {
	if version == "" {
		return openapiYAML
	}
	loc := infoVersion.FindIndex(openapiYAML)
	if loc == nil {
		return openapiYAML // a test finds the line
	}
	line := "  version: '" + strings.ReplaceAll(version, "'", "''") + "'"
	return slices.Concat(openapiYAML[:loc[0]], []byte(line), openapiYAML[loc[1]:])
}

// whoami is the answer of GET /me and of a login.
type whoami struct {
	ID          string              `json:"id"`
	Name        string              `json:"name"`
	Roles       []access.Role       `json:"roles"`
	Permissions []access.Permission `json:"permissions"`
	Via         string              `json:"via"` // session or token
	// CSRFToken goes in the X-CSRF-Token header of every POST made with
	// the session cookie (masked afresh on every answer; any of them
	// works for the session's life).
	CSRFToken string `json:"csrf_token,omitempty"`
}

func whoamiOf(r *http.Request, p *access.Principal) whoami {
	out := whoami{ID: p.UserID, Name: p.Name, Roles: p.Roles, Via: p.Via, CSRFToken: access.CSRFToken(r),
		Permissions: []access.Permission{}}
	for _, perm := range access.Permissions() {
		if p.Can(perm) {
			out.Permissions = append(out.Permissions, perm)
		}
	}
	return out
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, whoamiOf(r, p))
	return nil
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// login signs a user in with a password and starts a session: the cookie
// is set, and the answer carries the CSRF token. Machines use bearer
// tokens instead. The guard's OnLogin hears of the attempt (AuditLogins).
func (s *Server) login(w http.ResponseWriter, r *http.Request, _ *access.Principal) error {
	req, err := body[loginRequest](r, false)
	if err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(req.Username) == "":
		return badField("username", "required")
	case req.Password == "":
		return badField("password", "required")
	}
	u, err := s.Guard.Login(w, r, req.Username, req.Password)
	var te *access.ThrottledError
	switch {
	case errors.Is(err, access.ErrInvalidCredentials):
		return errStatus(http.StatusUnauthorized, "%v", err)
	case errors.As(err, &te):
		return errStatus(http.StatusTooManyRequests, "%v", err) // Login set Retry-After
	case errors.Is(err, access.ErrCrossSite):
		return errStatus(http.StatusForbidden, "%v", err)
	case r.Context().Err() != nil && errors.Is(err, r.Context().Err()):
		return errStatus(http.StatusServiceUnavailable, "login cancelled")
	case err != nil:
		return err
	}
	p := &access.Principal{UserID: u.ID, Name: u.Name, Roles: u.Roles, Via: access.ViaSession}
	// The session just started: its CSRF token, from the cookie set.
	for _, line := range w.Header().Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err != nil || c.Name != access.CookieName || c.Value == "" {
			continue
		}
		if sess, ok := s.Guard.Sessions.Lookup(c.Value); ok {
			p.CSRF = sess.CSRF
		}
	}
	writeJSON(w, http.StatusOK, whoamiOf(r.WithContext(access.WithPrincipal(r.Context(), p)), p))
	return nil
}

// logout ends the session and writes audit.Logout; for a token it does
// nothing.
func (s *Server) logout(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	if p.Via == access.ViaSession {
		s.Guard.Logout(w, r)
		if _, err := s.Audit.Record(audit.Entry{At: s.now(), Actor: p.UserID, Action: audit.Logout,
			Detail: map[string]string{"via": "api"}}); err != nil {
			return err
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// AuditLogins is an access.Guard's OnLogin that records every login
// attempt in the audit trail: audit.Login or audit.LoginFailed, the name
// as typed as actor ("-" when empty; masked when it is a personnummer),
// the client's address as detail "ip". An error writing it is logged (log
// may be nil): the guard cannot refuse a login for it.
func AuditLogins(l *audit.Log, log *slog.Logger) func(user, ip string, ok bool, at time.Time) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return func(user, ip string, ok bool, at time.Time) {
		action := audit.Login
		if !ok {
			action = audit.LoginFailed
		}
		actor := loginActor(user)
		if _, err := l.Record(audit.Entry{At: at, Actor: actor, Action: action,
			Detail: map[string]string{"ip": ip, "via": "password"}}); err != nil {
			log.Error("web: audit of a login", "ok", ok, "err", err)
		}
	}
}

// AuditSSOLogins is an access.Guard's OnSSOLogin that records every
// single sign-on login in the audit trail as AuditLogins does password
// logins: audit.Login or audit.LoginFailed, the user the provider named
// as actor ("-" when none), detail "ip", "via" oidc, and for a failure
// "reason" (the first 200 bytes).
func AuditSSOLogins(l *audit.Log, log *slog.Logger) func(user, ip string, err error, at time.Time) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return func(user, ip string, err error, at time.Time) {
		e := audit.Entry{At: at, Actor: loginActor(user), Action: audit.Login,
			Detail: map[string]string{"ip": ip, "via": "oidc"}}
		if err != nil {
			e.Action = audit.LoginFailed
			reason := err.Error()
			if len(reason) > 200 {
				reason = strings.ToValidUTF8(reason[:200], "")
			}
			e.Detail["reason"] = reason
		}
		if _, err := l.Record(e); err != nil {
			log.Error("web: audit of a single sign-on", "err", err)
		}
	}
}

// loginActor is the name typed at a login as the audit's actor: "-" for
// none, a personnummer masked (people type them), never over the
// audit's limit.
func loginActor(user string) string {
	user = strings.ToValidUTF8(strings.TrimSpace(user), "?")
	if user == "" {
		return "-"
	}
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, user)
	if len(digits) >= 10 {
		if _, err := ident.ParsePerson(user); err == nil {
			return digits[:2] + strings.Repeat("X", len(digits)-2)
		}
		if o, err := ident.ParseOrg(user); err == nil && o.Personal() {
			return o.Redacted()
		}
	}
	for len(user) > audit.MaxField {
		_, n := utf8.DecodeLastRuneInString(user)
		user = user[:len(user)-n]
	}
	return user
}
