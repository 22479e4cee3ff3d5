package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
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
	Status   string // review.HearingNotInformed, …, review.HearingInvalid
	Heard    bool   // approval is allowed now
	Notice   *review.Notice
	Invalid  string // HearingInvalid: what is wrong with the notice in force, translated
	Channels []string
	MinDays  int // the least number of days from informed to the deadline
	// The forms' default dates: today, and the deadline in 14 days (or
	// the minimum, when that is more).
	Today, Deadline string
}

// hearingView is a pending decision's hearing as of now, in a language;
// nil for a decision that has none.
func (s *Server) hearingView(d *review.Decision, now time.Time, lang string) *hearingView {
	if d == nil || !d.Kind.FourEyes() || d.Status != review.VantarGodkannande {
		return nil
	}
	today := now.In(record.Stockholm)
	days := s.Desk.HearingMinimum()
	h := &hearingView{Status: s.Desk.HearingStatus(d, now), Heard: s.Desk.Heard(d, now), Notice: d.Hearing.Notice(),
		Channels: review.Channels, MinDays: days, Today: today.Format(time.DateOnly),
		Deadline: today.AddDate(0, 0, max(14, days)).Format(time.DateOnly)}
	var why []string
	for _, fe := range s.Desk.HearingProblems(d) {
		why = append(why, uiT(lang, "field."+fe.Field)+": "+fieldProblemText(lang, fe))
	}
	h.Invalid = strings.Join(why, " ")
	return h
}

// dateProblems turns a date the handler could not read (a 400 naming one
// of fields) into review's field error, for the form to show beside the
// field.
func dateProblems(err error, op string, fields ...string) error {
	var ae *apiError
	if errors.As(err, &ae) && ae.status == http.StatusBadRequest && slices.Contains(fields, ae.field) {
		return &review.FieldError{Op: op, Field: ae.field, Problem: "date", Code: codeDate}
	}
	return err
}

// uiInform: POST /decisions/{id}/hearing: informed_at, deadline (dates)
// and channel.
func (s *Server) uiInform(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	vals, d, err := s.decisionForm(r)
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
