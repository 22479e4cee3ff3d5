package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/ladder"
)

// bulkForm is the state of the queue's bulk form after a post: what was
// posted, the problem with a field (refused whole), or each alert's
// result when some were refused.
type bulkForm struct {
	Values url.Values
	Field  string // the field refused, "" for none
	Error  string // why, in the page's language
	Answer *bulkAnswer
	// Refused: the alerts not changed, each with why in the page's
	// language.
	Refused []bulkRefusal
}

// bulkRefusal is an alert a bulk change left as it was.
type bulkRefusal struct{ Ref, Why string }

// Selected reports whether the alert's box was ticked in the post.
func (b *bulkForm) Selected(id string) bool {
	if b == nil {
		return false
	}
	for _, v := range b.Values["alerts"] {
		if v == id {
			return true
		}
	}
	return false
}

// Val is a posted field's value.
func (b *bulkForm) Val(field string) string {
	if b == nil {
		return ""
	}
	return b.Values.Get(field)
}

// uiBulk: POST /alerts/bulk?<the queue's filter>: action (assign, snooze,
// close), alerts (the ticked rows' ids), justification, and assignee or
// snooze_until. Refused whole (a field), the queue is shown again with
// the problem (400); done for every alert, 303 to the queue; some
// refused, the queue with each alert's result.
func (s *Server) uiBulk(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	vals, err := postForm(r)
	if err != nil {
		return err
	}
	action := strings.TrimSpace(vals.Get("action"))
	req := bulkRequest{Alerts: vals["alerts"], Justification: vals.Get("justification")}
	switch action {
	case bulkAssign:
		req.Assignee = vals.Get("assignee")
	case bulkSnooze:
		req.SnoozeUntil = strings.TrimSpace(vals.Get("snooze_until"))
	case bulkClose:
		req.Outcome = vals.Get("outcome")
	}
	lang := uiLang(nil, r)
	pl, err := s.planBulk(p, action, req)
	var ae *apiError
	switch {
	case errors.As(err, &ae) && ae.status == http.StatusForbidden:
		return err
	case errors.As(err, &ae):
		return s.renderQueue(w, r, p, &bulkForm{Values: vals, Field: ae.field, Error: uiT(lang, "bulk.bad."+ae.field)}, http.StatusBadRequest)
	case err != nil:
		return err
	}
	ans := s.apply(p, pl)
	if ans.Refused == 0 {
		q := r.URL.Query()
		q.Set("ok", "bulk")
		http.Redirect(w, r, "/?"+q.Encode(), http.StatusSeeOther)
		return nil
	}
	bf := &bulkForm{Values: vals, Answer: &ans}
	for _, res := range ans.Results {
		if res.OK {
			continue
		}
		key := "bulk.refused." + res.Code
		if _, ok := uiText[key]; !ok {
			key = "bulk.refused.other"
		}
		bf.Refused = append(bf.Refused, bulkRefusal{Ref: res.ID, Why: uiT(lang, key)})
	}
	return s.renderQueue(w, r, p, bf, http.StatusOK)
}

// BulkURL is where the bulk form posts: the queue's filter goes with it,
// so that the queue comes back as it was.
func (f queueFilter) BulkURL() string {
	q := f.query(1)
	return "/alerts/bulk" + strings.TrimPrefix(q, "/")
}

// StepLabel names an alert's step as the work allows: once a halt was
// decided (halted, work.Halted), L3's "avropsstopp föreslås" (proposed)
// would mislead, so the step reads as the halt decided.
func (v *view) StepLabel(step ladder.Step, halted bool) string {
	if halted {
		return v.T("work.halted")
	}
	return v.L("step", step)
}
