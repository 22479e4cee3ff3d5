package web

import (
	"net/http"

	"github.com/vaksam/vaksam/engine/access"
)

// The hearing's endpoints of the API; what they do is in hearing.go,
// shared with the UI.

// informHearing: POST /decisions/{id}/hearing {informed_at, deadline,
// channel}; 200 with the decision.
func (s *Server) informHearing(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	req, err := body[informRequest](r, false)
	if err != nil {
		return err
	}
	d, err := s.inform(r.PathValue("id"), p, req)
	return reply(w, http.StatusOK, d, err)
}

// hearingResponse: POST /decisions/{id}/hearing/response, a
// multipart/form-data body (text, received_at, file); 200 with the
// decision.
func (s *Server) hearingResponse(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	d, _, err := s.respond(r, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// getAttachment: GET /decisions/{id}/attachments/{n}, view_persons.
func (s *Server) getAttachment(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	return s.serveAttachment(w, r, p, "api")
}
