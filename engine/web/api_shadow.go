package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/shadow"
)

// shadowRequest sets the candidate pack that runs in shadow (PUT
// /api/v1/rules/shadow): a pack file or directory on the server, compiled
// as the live pack is.
type shadowRequest struct {
	Path string `json:"path"`
}

// shadowRunner is the server's shadow, or a 503 when it has none.
func (s *Server) shadowRunner() (*shadow.Runner, error) {
	if s.Shadow == nil {
		return nil, errStatus(http.StatusServiceUnavailable, "shadow mode is not available")
	}
	return s.Shadow, nil
}

// shadowFail maps the shadow's refusals: four eyes 403, the wrong state
// 409.
func shadowFail(err error) error {
	switch {
	case errors.Is(err, shadow.ErrSameAdmin):
		return errStatus(http.StatusForbidden, "%v", err)
	case errors.Is(err, shadow.ErrNoShadow), errors.Is(err, shadow.ErrNoRequest), errors.Is(err, shadow.ErrRequested):
		return errStatus(http.StatusConflict, "%v", err)
	}
	return err
}

// shadowReport is the comparison of the candidate with the live set.
func (s *Server) shadowReport() (shadow.Report, error) {
	sh, err := s.shadowRunner()
	if err != nil {
		return shadow.Report{}, err
	}
	return sh.Report()
}

// getShadow answers GET /api/v1/rules/shadow: the comparison of the
// candidate with the live set.
func (s *Server) getShadow(w http.ResponseWriter, r *http.Request, _ *access.Principal) error {
	rep, err := s.shadowReport()
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

// putShadow answers PUT /api/v1/rules/shadow: runs the pack at path in
// shadow, audited; a pack that does not load is a 400 with its problems.
func (s *Server) putShadow(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	sh, err := s.shadowRunner()
	if err != nil {
		return err
	}
	req, err := body[shadowRequest](r, false)
	if err != nil {
		return err
	}
	if strings.TrimSpace(req.Path) == "" {
		return badField("path", "required: a rule pack file or directory on the server")
	}
	if _, err := sh.Load(req.Path, p.UserID, s.now()); err != nil {
		return badField("path", "%v", err)
	}
	return s.getShadow(w, r, p)
}

// deleteShadow answers DELETE /api/v1/rules/shadow: stops the shadow,
// audited.
func (s *Server) deleteShadow(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	sh, err := s.shadowRunner()
	if err != nil {
		return err
	}
	if err := sh.Clear(p.UserID, s.now()); err != nil {
		return shadowFail(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// requestPromotion answers POST /api/v1/rules/shadow/promotion: asks
// that the candidate become the live set, audited.
func (s *Server) requestPromotion(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	sh, err := s.shadowRunner()
	if err != nil {
		return err
	}
	pr, err := sh.Request(p.UserID, p.Person, s.now())
	if err != nil {
		return shadowFail(err)
	}
	writeJSON(w, http.StatusAccepted, pr)
	return nil
}

// promoted is the answer to an approved promotion.
type promoted struct {
	Ruleset string `json:"ruleset"` // the live set now
}

// approvePromotion answers POST /api/v1/rules/shadow/promotion/approve:
// a second admin makes the candidate the live set, audited.
func (s *Server) approvePromotion(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	sh, err := s.shadowRunner()
	if err != nil {
		return err
	}
	v, err := sh.Approve(p.UserID, p.Person, s.now())
	if err != nil {
		return shadowFail(err)
	}
	writeJSON(w, http.StatusOK, promoted{Ruleset: v})
	return nil
}
