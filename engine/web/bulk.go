package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/excerpt"
	"github.com/vaksam/vaksam/engine/review"
)

// MaxBulk is the most alerts one bulk change takes.
const MaxBulk = 100

// The bulk changes: the ones that change no supplier's standing. Adverse
// decisions (avropsstopp, hävning, uteslutning) are taken one at a time
// on the alert's page, with four eyes where the desk asks for them.
const (
	bulkAssign = "assign" // give the alerts to one handler (permission assign)
	bulkSnooze = "snooze" // "no action", snoozed until new evidence or a date (decide)
	bulkClose  = "close"  // close without a decision (decide)
)

// bulkActions lists the bulk changes and the permission each needs.
var bulkActions = map[string]access.Permission{bulkAssign: access.Assign, bulkSnooze: access.Decide, bulkClose: access.Decide}

// bulkRequest is a bulk change as the API takes it (and the queue's form
// gives it): the alerts, and one justification for them all.
type bulkRequest struct {
	Alerts        []string `json:"alerts"`
	Justification string   `json:"justification"`
	Assignee      string   `json:"assignee,omitempty"`     // assign: a user who works alerts, "me" for oneself
	SnoozeUntil   string   `json:"snooze_until,omitempty"` // snooze: RFC 3339 or a date; empty: until new evidence
	// Outcome: close: what was found, bekraftad_risk or befogat_larm. A
	// falsklarm names its wrong hits, which differ from alert to alert:
	// it is closed one at a time.
	Outcome string `json:"outcome,omitempty"`
}

// bulkResult is what a bulk change did to one alert.
type bulkResult struct {
	ID      string `json:"id"` // as the request named it
	OK      bool   `json:"ok"`
	Status  int    `json:"status,omitempty"` // the HTTP status the single change would have answered, when refused
	Code    string `json:"code,omitempty"`   // the refusal's code (review.Code*), when it has one
	Error   string `json:"error,omitempty"`
	Changed bool   `json:"changed,omitempty"` // false when the alert already was as asked (assign)
}

// bulkAnswer is the answer to a bulk change.
type bulkAnswer struct {
	Action  string       `json:"action"`
	Done    int          `json:"done"`
	Refused int          `json:"refused"`
	Results []bulkResult `json:"results"`
}

// bulkPlan is a checked bulk change, ready to apply.
type bulkPlan struct {
	action, assignee, justification, outcome string
	snoozeUntil                              time.Time
	ids                                      []string // as given
}

// planBulk checks a bulk change by p: the action and every field, each
// problem naming its field. Nothing is changed.
func (s *Server) planBulk(p *access.Principal, action string, req bulkRequest) (*bulkPlan, error) {
	perm, ok := bulkActions[action]
	if !ok {
		return nil, badField("action", "%s is not one of %s, %s, %s", excerpt.Quote(action), bulkAssign, bulkSnooze, bulkClose)
	}
	if !p.Can(perm) {
		return nil, errStatus(http.StatusForbidden, "%s of several alerts needs the permission %s", action, perm)
	}
	pl := &bulkPlan{action: action, justification: strings.TrimSpace(req.Justification)}
	switch n := len(req.Alerts); {
	case n == 0:
		return nil, badField("alerts", "required: the ids of the alerts to change")
	case n > MaxBulk:
		return nil, badField("alerts", "%d alerts, at most %d in one change", n, MaxBulk)
	}
	for i, id := range req.Alerts {
		id = strings.TrimSpace(id)
		switch {
		case id == "":
			return nil, badField("alerts", "alerts[%d] is blank", i)
		case slices.Contains(pl.ids, id):
			return nil, badField("alerts", "%s is given twice", excerpt.Quote(id))
		}
		pl.ids = append(pl.ids, id)
	}
	if pl.justification == "" {
		return nil, badField("justification", "required: why these alerts are changed")
	}
	if len([]rune(pl.justification)) > 4000 {
		return nil, badField("justification", "longer than 4000 characters")
	}
	switch action {
	case bulkAssign:
		who, err := s.assigneeFor(p, req.Assignee)
		if err != nil {
			return nil, err
		}
		pl.assignee = who
	case bulkSnooze:
		if req.SnoozeUntil != "" {
			t, err := parseWhen("snooze_until", req.SnoozeUntil)
			if err != nil {
				return nil, err
			}
			if !t.After(s.now()) {
				return nil, badField("snooze_until", "not after now")
			}
			pl.snoozeUntil = t
		}
	case bulkClose:
		switch pl.outcome = strings.TrimSpace(req.Outcome); pl.outcome {
		case "":
			return nil, badField("outcome", "required: %s or %s", review.OutcomeConfirmed, review.OutcomeJustified)
		case review.OutcomeFalseAlarm:
			return nil, badField("outcome", "%s names the wrong hits of each alert: close those one at a time", review.OutcomeFalseAlarm)
		case review.OutcomeConfirmed, review.OutcomeJustified:
		default:
			return nil, badField("outcome", "%s is not one of %s, %s", excerpt.Quote(req.Outcome), review.OutcomeConfirmed, review.OutcomeJustified)
		}
	}
	if action != bulkClose && strings.TrimSpace(req.Outcome) != "" {
		return nil, badField("outcome", "only for %s", bulkClose)
	}
	if action != bulkAssign && strings.TrimSpace(req.Assignee) != "" {
		return nil, badField("assignee", "only for %s", bulkAssign)
	}
	if action != bulkSnooze && req.SnoozeUntil != "" {
		return nil, badField("snooze_until", "only for %s", bulkSnooze)
	}
	return pl, nil
}

// assigneeFor is the user a request names to work alerts: "me" is p;
// anyone else must be an enabled user whose roles grant assign.
func (s *Server) assigneeFor(p *access.Principal, name string) (string, error) {
	who := strings.ToLower(strings.TrimSpace(name))
	switch who {
	case "":
		return "", badField("assignee", "required")
	case "me":
		return p.UserID, nil
	}
	u, ok := s.Guard.Dir.User(who)
	if !ok || u.Disabled {
		return "", badField("assignee", "%s is not a user", excerpt.Quote(name))
	}
	if !(&access.Principal{Roles: u.Roles}).Can(access.Assign) {
		return "", badField("assignee", "%q may not work alerts (no role grants %s)", u.ID, access.Assign)
	}
	return u.ID, nil
}

// apply makes the change on each alert in turn, each in its own
// transaction, evented and audited as the single change is (Desk.Assign,
// Desk.Decide with ingen_atgard, Desk.Close): one refused leaves the
// others done.
func (s *Server) apply(p *access.Principal, pl *bulkPlan) bulkAnswer {
	out := bulkAnswer{Action: pl.action, Results: []bulkResult{}}
	at := s.now()
	for _, given := range pl.ids {
		id := unsealed(given)
		res := bulkResult{ID: given}
		var err error
		switch pl.action {
		case bulkAssign:
			var before *review.Alert
			if before, err = s.Desk.Alert(id); err == nil {
				var after *review.Alert
				after, err = s.Desk.AssignBecause(id, pl.assignee, p.UserID, pl.justification, at)
				res.Changed = err == nil && after.Revision != before.Revision
			}
		case bulkSnooze:
			var ev review.Evidence
			if ev, err = s.evidence(id); err == nil {
				_, err = s.Desk.Decide(review.DecisionRequest{AlertID: id, Kind: review.IngenAtgard, DecidedBy: p.UserID,
					DecidedByPerson: p.Person, Justification: pl.justification, Evidence: ev, Snooze: true,
					SnoozeUntil: pl.snoozeUntil}, at)
			}
			res.Changed = err == nil
		case bulkClose:
			_, err = s.Desk.Close(id, p.UserID, pl.justification, review.Finding{Outcome: pl.outcome}, at)
			res.Changed = err == nil
		}
		if err != nil {
			res.Status, res.Code, res.Error = refusalOf(err)
			if res.Status == http.StatusInternalServerError {
				s.log().Error("web: bulk change failed", "action", pl.action, "err", err)
				res.Error = "internal error"
			}
			out.Refused++
		} else {
			res.OK = true
			out.Done++
		}
		out.Results = append(out.Results, res)
	}
	return out
}

// refusalOf is how the single change would have answered err: its HTTP
// status, the refusal's code and the message.
func refusalOf(err error) (int, string, string) {
	var (
		rf *review.Refusal
		ae *apiError
	)
	code := ""
	if errors.As(err, &rf) {
		code = rf.Code
	}
	switch {
	case errors.As(err, &ae):
		return ae.status, code, ae.Error()
	case len(fieldErrors(err)) > 0:
		return http.StatusBadRequest, fieldErrors(err)[0].Code, err.Error()
	case errors.Is(err, review.ErrForbidden):
		return http.StatusForbidden, code, err.Error()
	case errors.Is(err, review.ErrState):
		return http.StatusConflict, code, err.Error()
	case errors.Is(err, review.ErrNotFound):
		return http.StatusNotFound, "not_found", err.Error()
	}
	return http.StatusInternalServerError, "", err.Error()
}

// bulkAPI: POST /alerts/bulk/{action} (assign, snooze, close): 200 with
// each alert's result, in the order given. The request is checked whole
// first (400 naming the field, changing nothing); then each alert is
// changed in turn, and one refused (its status and code in its result)
// leaves the others done.
func (s *Server) bulkAPI(action string) func(http.ResponseWriter, *http.Request, *access.Principal) error {
	return func(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
		req, err := body[bulkRequest](r, false)
		if err != nil {
			return err
		}
		pl, err := s.planBulk(p, action, req)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, s.apply(p, pl))
		return nil
	}
}
