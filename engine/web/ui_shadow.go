package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/shadow"
)

// The admins' page of shadow mode: GET /admin/rules/shadow shows the
// candidate rule pack that runs in shadow compared with the live one (as
// GET /api/v1/rules/shadow answers), and its forms run a candidate, stop
// it, request its promotion and approve it (four eyes), each audited as
// the API's.

// shadowPath is the page's path.
const shadowPath = "/admin/rules/shadow"

// shadowPage is the page's data.
type shadowPage struct {
	Report shadow.Report
	// Approvable: a promotion is requested by another person than the
	// viewer, who may approve it.
	Approvable bool
}

// uiShadow: GET /admin/rules/shadow.
func (s *Server) uiShadow(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	rep, err := s.shadowReport()
	if err != nil {
		return err
	}
	data := shadowPage{Report: rep, Approvable: rep.Promotion != nil && rep.Promotion.RequestedBy != p.UserID}
	v := s.newView(w, r, "shadow", data)
	v.Title = v.T("shadow.title")
	s.render(w, r, http.StatusOK, "shadow", v)
	return nil
}

// uiShadowAction wraps the page's POSTs: do runs as the principal, and
// the answer is the page again with what was done, or the refusal's
// error page in words.
func (s *Server) uiShadowAction(ok string, do func(sh *shadow.Runner, r *http.Request, p *access.Principal) error) func(http.ResponseWriter, *http.Request, *access.Principal) error {
	return func(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
		sh, err := s.shadowRunner()
		if err != nil {
			return err
		}
		if err := do(sh, r, p); err != nil {
			lang := uiLang(w, r)
			for key, want := range map[string]error{"shadow.err.same": shadow.ErrSameAdmin, "shadow.err.none": shadow.ErrNoShadow,
				"shadow.err.norequest": shadow.ErrNoRequest, "shadow.err.requested": shadow.ErrRequested} {
				if errors.Is(err, want) {
					s.uiError(w, r, shadowStatus(want), uiT(lang, key), "")
					return nil
				}
			}
			return err
		}
		seeOther(w, r, shadowPath, ok, "")
		return nil
	}
}

// shadowStatus is the status of a refusal: four eyes 403, else 409.
func shadowStatus(err error) int {
	if errors.Is(err, shadow.ErrSameAdmin) {
		return http.StatusForbidden
	}
	return http.StatusConflict
}

// uiShadowSet: POST /admin/rules/shadow with path.
func (s *Server) uiShadowSet(sh *shadow.Runner, r *http.Request, p *access.Principal) error {
	vals, err := postForm(r)
	if err != nil {
		return err
	}
	path := strings.TrimSpace(vals.Get("path"))
	if path == "" {
		return badField("path", "%s", uiT(uiLang(nil, r), "shadow.err.path"))
	}
	if _, err := sh.Load(path, p.UserID, s.now()); err != nil {
		return badField("path", "%v", err)
	}
	return nil
}

func (s *Server) uiShadowClear(sh *shadow.Runner, r *http.Request, p *access.Principal) error {
	return sh.Clear(p.UserID, s.now())
}

func (s *Server) uiShadowRequest(sh *shadow.Runner, r *http.Request, p *access.Principal) error {
	_, err := sh.Request(p.UserID, p.Person, s.now())
	return err
}

func (s *Server) uiShadowApprove(sh *shadow.Runner, r *http.Request, p *access.Principal) error {
	_, err := sh.Approve(p.UserID, p.Person, s.now())
	return err
}
