package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/screening"
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
	a, notFound, err := s.check(r.Context(), p, req, "api")
	if err != nil {
		return err
	}
	if notFound != nil {
		return &apiError{status: notFound.Code, field: notFound.Field, msg: notFound.Msg, assessment: a}
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// check runs a pre-award check (Server.Check) for p, the one the API
// and the web's form (ui_check.go) share: it appends AuditScreen (via
// the API or the web), and audit.ViewPersons too when the answer names
// persons, before it returns the assessment as p may see it. When the
// register does not know the organisation the assessment comes with
// notFound (code 404); any other refusal is the error (a
// *bus.RequestError naming the field, or 503 without a Checker).
func (s *Server) check(ctx context.Context, p *access.Principal, req event.ScreenRequest, via string) (
	shownA *screening.Assessment, notFound *bus.RequestError, err error) {
	if s.Check == nil {
		return nil, nil, errStatus(http.StatusServiceUnavailable, "pre-award checks are not available")
	}
	a, err := s.Check.Check(ctx, req)
	var re *bus.RequestError
	switch {
	case err == nil && a != nil:
	case errors.As(err, &re) && re.Code == http.StatusNotFound && a != nil:
		notFound = re
	default:
		if err == nil {
			err = errors.New("pre-award check: no assessment")
		}
		return nil, nil, err
	}
	shownA, _, shown := s.forPrincipal(a, p)
	err = s.Store.Update(func(tx *store.Tx) error {
		d := map[string]string{"via": via, "purpose": a.Purpose, "verdict": string(a.Verdict), "step": string(a.Step)}
		if _, err := audit.Append(tx, audit.Entry{At: s.now(), Actor: p.UserID, Action: AuditScreen, Object: a.Orgnr, Detail: d}); err != nil {
			return err
		}
		if !shown {
			return nil
		}
		_, err := audit.Append(tx, audit.Entry{At: s.now(), Actor: p.UserID, Action: audit.ViewPersons, Object: a.Orgnr,
			Detail: map[string]string{"via": via, "view": "screen", "hit_messages": "shown"}})
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return shownA, notFound, nil
}
