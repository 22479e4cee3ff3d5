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
}

// uiLoginForm: GET /login. A signed-in user goes on to ?next= at once.
func (s *Server) uiLoginForm(w http.ResponseWriter, r *http.Request, _ *access.Principal) error {
	next := access.SafeNext(r.URL.Query().Get("next"))
	if _, err := s.Guard.Authenticate(r); err == nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	v := s.newView(w, r, "", loginPage{Next: next})
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
// goes to the sign-in page.
func (s *Server) uiLogout(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	if p.Via == access.ViaSession {
		s.Guard.Logout(w, r)
		if _, err := s.Audit.Record(audit.Entry{At: s.now(), Actor: p.UserID, Action: audit.Logout,
			Detail: map[string]string{"via": "web"}}); err != nil {
			return err
		}
	}
	http.Redirect(w, r, LoginPath+"?ok=signedout", http.StatusSeeOther)
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
