package web

import (
	"errors"
	"net/http"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/store"
)

// AuditScreen is the audit action of a pre-award check made over HTTP.
const AuditScreen = "screen.check"

// screen: POST /screen, the pre-award check for callers without NATS
// (an ordering system with a token of role coordinator). The request and
// the answer are those of vaksam.screen (docs/events.md): 200 with the
// assessment, 400 naming the field, 404 with the assessment when the
// register does not know the organisation, 503 when the store is
// unavailable. Each check made appends AuditScreen, and audit.ViewPersons
// too when the answer names persons (a hit whose rule reads them), both
// before the answer is sent.
func (s *Server) screen(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	req, err := body[event.ScreenRequest](r, false)
	if err != nil {
		return err
	}
	if s.Check == nil {
		return errStatus(http.StatusServiceUnavailable, "pre-award checks are not available")
	}
	a, err := s.Check.Check(r.Context(), req)
	var re *bus.RequestError
	status := http.StatusOK
	switch {
	case err == nil && a != nil:
	case errors.As(err, &re) && re.Code == http.StatusNotFound && a != nil:
		status = http.StatusNotFound
	default:
		if err == nil {
			err = errors.New("pre-award check: no assessment")
		}
		return err
	}
	shownA, _, shown := s.forPrincipal(a, p)
	err = s.Store.Update(func(tx *store.Tx) error {
		d := map[string]string{"via": "api", "purpose": a.Purpose, "verdict": string(a.Verdict), "step": string(a.Step)}
		if _, err := audit.Append(tx, audit.Entry{At: s.now(), Actor: p.UserID, Action: AuditScreen, Object: a.Orgnr, Detail: d}); err != nil {
			return err
		}
		if !shown {
			return nil
		}
		_, err := audit.Append(tx, audit.Entry{At: s.now(), Actor: p.UserID, Action: audit.ViewPersons, Object: a.Orgnr,
			Detail: map[string]string{"via": "api", "view": "screen", "hit_messages": "shown"}})
		return err
	})
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return &apiError{status: status, field: re.Field, msg: re.Msg, assessment: shownA}
	}
	writeJSON(w, http.StatusOK, shownA)
	return nil
}
