package web

import (
	"errors"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/record"
)

// loginPage is the data of the sign-in page.
type loginPage struct {
	Username string
	Next     string
	Error    string // what went wrong, translated
	Field    string // the field it concerns, for aria-describedby
	SSO      string // the single sign-on button's text, "" when there is none
}

// ssoLabel is the single sign-on button's text in the language, "" when
// single sign-on is off.
func (s *Server) ssoLabel(lang string) string {
	if s.Guard == nil || s.Guard.SSO == nil {
		return ""
	}
	if n := s.Guard.SSO.Name(); n != "" {
		return uiT(lang, "login.sso.named", n)
	}
	return uiT(lang, "login.sso")
}

// uiLoginForm: GET /login. A signed-in user goes on to ?next= at once.
func (s *Server) uiLoginForm(w http.ResponseWriter, r *http.Request, _ *access.Principal) error {
	next := access.SafeNext(r.URL.Query().Get("next"))
	if _, err := s.Guard.Authenticate(r); err == nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	v := s.newView(w, r, "", nil)
	v.Data = loginPage{Next: next, SSO: s.ssoLabel(v.Lang)}
	v.Title = v.T("login.title")
	if r.URL.Query().Get("ok") == "signedout" {
		v.Flash = v.T("login.signedout")
	} else if r.URL.Query().Has("next") && next != "/" {
		v.Flash = v.T("login.expired")
	}
	s.render(w, r, http.StatusOK, "login", v)
	return nil
}

// uiLogin: POST /login with username, password and next. The guard
// checks the origin (login CSRF), throttles and starts the session; the
// answer is 303 to next, or the form again with what went wrong.
func (s *Server) uiLogin(w http.ResponseWriter, r *http.Request, _ *access.Principal) error {
	if err := r.ParseForm(); err != nil {
		return formError(err)
	}
	page := loginPage{Username: strings.TrimSpace(r.PostForm.Get("username")), Next: access.SafeNext(r.PostForm.Get("next"))}
	password := r.PostForm.Get("password")
	v := s.newView(w, r, "", nil)
	page.SSO = s.ssoLabel(v.Lang)
	v.Title, v.Self = v.T("login.title"), LoginPath
	fail := func(status int, field, text string) error {
		page.Field, page.Error = field, text
		v.Data = page
		s.render(w, r, status, "login", v)
		return nil
	}
	switch {
	case page.Username == "":
		return fail(http.StatusBadRequest, "username", v.T("login.required"))
	case password == "":
		return fail(http.StatusBadRequest, "password", v.T("login.required"))
	}
	_, err := s.Guard.Login(w, r, page.Username, password)
	var te *access.ThrottledError
	switch {
	case err == nil:
		http.Redirect(w, r, page.Next, http.StatusSeeOther)
		return nil
	case errors.Is(err, access.ErrInvalidCredentials):
		return fail(http.StatusUnauthorized, "password", v.T("login.invalid"))
	case errors.As(err, &te):
		until := s.now().Add(te.RetryAfter).In(record.Stockholm).Format("15:04")
		return fail(http.StatusTooManyRequests, "", v.T("login.throttled", uiDuration(v.Lang, te.RetryAfter), until))
	case errors.Is(err, access.ErrCrossSite):
		return fail(http.StatusForbidden, "", v.T("login.crosssite"))
	case r.Context().Err() != nil && errors.Is(err, r.Context().Err()):
		return fail(http.StatusServiceUnavailable, "", v.T("login.unavailable"))
	}
	return err
}

// uiDuration says how long, rounded up to whole minutes from a minute on.
func uiDuration(lang string, d time.Duration) string {
	if d < time.Minute {
		if n := int(math.Ceil(d.Seconds())); n != 1 {
			return uiT(lang, "duration.seconds", n)
		}
		return uiT(lang, "duration.second")
	}
	m := int(math.Ceil(d.Minutes()))
	if m == 1 {
		return uiT(lang, "duration.minute")
	}
	return uiT(lang, "duration.minutes", m)
}

// uiLogout: POST /logout ends the session, records audit.Logout and
// goes to the sign-in page; a session begun by single sign-on goes on to
// sign out at the provider too, when it has an end-session endpoint, by
// a page that sends the browser there (a redirect from the form would be
// a form's navigation to another origin, which the pages' CSP
// form-action 'self' forbids).
func (s *Server) uiLogout(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	if p.Via == access.ViaSession {
		provider := s.Guard.LogoutURL(r)
		s.Guard.Logout(w, r)
		detail := map[string]string{"via": "web"}
		if p.SSO {
			detail["sso"] = "oidc"
		}
		if _, err := s.Audit.Record(audit.Entry{At: s.now(), Actor: p.UserID, Action: audit.Logout,
			Detail: detail}); err != nil {
			return err
		}
		if provider != "" {
			r = r.WithContext(access.WithPrincipal(r.Context(), nil))
			v := s.newView(w, r, "", ssoLogoutPage{URL: provider})
			v.User, v.CSRF = nil, ""
			v.Title, v.Refresh = v.T("sso.signedout.title"), provider
			s.render(w, r, http.StatusOK, "ssologout", v)
			return nil
		}
	}
	http.Redirect(w, r, LoginPath+"?ok=signedout", http.StatusSeeOther)
	return nil
}

// ssoLogoutPage is the data of the page that sends the browser on to the
// provider's logout.
type ssoLogoutPage struct{ URL string }

// uiSSOBegin: GET /login/oidc?next=… starts a single sign-on login: a
// 303 to the provider. A signed-in user goes on to next at once.
func (s *Server) uiSSOBegin(w http.ResponseWriter, r *http.Request, _ *access.Principal) error {
	next := access.SafeNext(r.URL.Query().Get("next"))
	if s.Guard.SSO == nil {
		return errStatus(http.StatusNotFound, "single sign-on is not configured")
	}
	if _, err := s.Guard.Authenticate(r); err == nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	to, err := s.Guard.BeginSSO(w, r, next)
	if err != nil {
		return s.ssoFailed(w, r, err)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// uiSSOCallback: GET /login/oidc/callback, the provider's answer. A
// success starts the session and goes on to the next the login began
// with; a refusal (no group that maps to a role) is a 403 page that says
// so, anything else a page that offers to try again. The guard reports
// each outcome to the audit trail (AuditSSOLogins).
func (s *Server) uiSSOCallback(w http.ResponseWriter, r *http.Request, _ *access.Principal) error {
	if s.Guard.SSO == nil {
		return errStatus(http.StatusNotFound, "single sign-on is not configured")
	}
	_, next, err := s.Guard.FinishSSO(w, r)
	if err != nil {
		return s.ssoFailed(w, r, err)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// ssoFailed answers a single sign-on that did not succeed with a page in
// the user's language.
func (s *Server) ssoFailed(w http.ResponseWriter, r *http.Request, err error) error {
	var se *access.SSOError
	if !errors.As(err, &se) {
		return err
	}
	lang := uiLang(nil, r)
	s.log().InfoContext(r.Context(), "web: single sign-on", "err", err)
	switch {
	case errors.Is(err, access.ErrSSORefused) && len(se.Groups) == 0 && se.User != "":
		s.uiError(w, r, http.StatusForbidden, uiT(lang, "sso.taken", se.User), "")
	case errors.Is(err, access.ErrSSORefused):
		s.uiError(w, r, http.StatusForbidden, uiT(lang, "sso.refused", se.User), "")
	case errors.Is(err, access.ErrSSOUnavailable):
		s.uiError(w, r, http.StatusServiceUnavailable, uiT(lang, "sso.unavailable"), "")
	default:
		s.uiError(w, r, http.StatusBadRequest, uiT(lang, "sso.failed"), se.Reason)
	}
	return nil
}

// formError is a form that could not be read: too large (413), else 400.
func formError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return badField("body", "the form cannot be read: %v", err)
}
