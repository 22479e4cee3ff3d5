package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/review"
)

// The hearing of the supplier (kontradiktion) on the alert page: the
// forms that record that it was informed and its response (with a file:
// the form is multipart/form-data, its CSRF token in the csrf_token
// field, which access.Guard reads from a multipart body too), and the
// file for download.

// The hearing's forms on the alert page.
const (
	formInform  = "inform"
	formRespond = "respond"
)

// hearingView is the pending decision's hearing as the alert page shows
// it.
type hearingView struct {
	Status   string // review.HearingNotInformed, …
	Heard    bool   // approval is allowed now
	Notice   *review.Notice
	Channels []string
	// The forms' default dates: today, and the deadline in 14 days.
	Today, Deadline string
}

// newHearingView is a pending decision's hearing as of now; nil for a
// decision that has none.
func newHearingView(d *review.Decision, now time.Time) *hearingView {
	if d == nil || !review.FourEyes(d.Kind) || d.Status != review.VantarGodkannande {
		return nil
	}
	today := now.In(record.Stockholm)
	return &hearingView{Status: d.HearingStatus(now), Heard: d.Heard(now), Notice: d.Hearing.Notice(),
		Channels: review.Channels, Today: today.Format(time.DateOnly), Deadline: today.AddDate(0, 0, 14).Format(time.DateOnly)}
}

// dateProblems turns a date the handler could not read (a 400 naming one
// of fields) into review's field error, for the form to show beside the
// field.
func dateProblems(err error, op string, fields ...string) error {
	var ae *apiError
	if errors.As(err, &ae) && ae.status == http.StatusBadRequest && slices.Contains(fields, ae.field) {
		return &review.FieldError{Op: op, Field: ae.field, Problem: "date"}
	}
	return err
}

// uiInform: POST /decisions/{id}/hearing: informed_at, deadline (dates)
// and channel.
func (s *Server) uiInform(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	vals, err := postForm(r)
	if err != nil {
		return err
	}
	d, err := s.Desk.Decision(r.PathValue("id"))
	if err != nil {
		return err
	}
	req := informRequest{InformedAt: vals.Get("informed_at"), Deadline: vals.Get("deadline"), Channel: vals.Get("channel")}
	if _, err := s.inform(d.ID, p, req); err != nil {
		return s.refuse(w, r, p, d.AlertID, formInform, vals, dateProblems(err, "inform", "informed_at", "deadline"))
	}
	seeOther(w, r, "/alerts/"+d.AlertID, "informed", "hearing")
	return nil
}

// uiRespond: POST /decisions/{id}/hearing/response, multipart/form-data:
// received_at (a date), text and file.
func (s *Server) uiRespond(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	d, err := s.Desk.Decision(r.PathValue("id"))
	if err != nil {
		return err
	}
	_, vals, err := s.respond(r, p, d.ID)
	if err != nil {
		if vals == nil {
			vals = url.Values{}
		}
		vals.Del(access.CSRFField)
		return s.refuse(w, r, p, d.AlertID, formRespond, vals, dateProblems(err, "respond", "received_at"))
	}
	seeOther(w, r, "/alerts/"+d.AlertID, "responded", "hearing")
	return nil
}

// uiAttachment: GET /decisions/{id}/attachments/{n}, view_persons: the
// file, for download, recorded as audit.ViewRaw.
func (s *Server) uiAttachment(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	return s.serveAttachment(w, r, p, "web")
}
