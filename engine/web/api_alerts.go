package web

import (
	"cmp"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/excerpt"
	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/workplace"
)

// catPattern is what a category in a filter looks like.
var catPattern = regexp.MustCompile(`^[A-Za-z0-9_]{1,32}$`)

// alertSummary is an alert in a list: everything but its history.
type alertSummary struct {
	ID          string            `json:"id"`
	Orgnr       string            `json:"orgnr"`
	OrgnrRef    string            `json:"orgnr_ref,omitempty"` // a sole trader's, in place of its masked number (personal.go)
	Name        string            `json:"name"`
	State       ladder.AlertState `json:"state"`
	Revision    int               `json:"revision"`
	Step        ladder.Step       `json:"step"`
	Score       float64           `json:"score"`
	Hits        []string          `json:"hits"`
	Categories  []string          `json:"categories"`
	AssessedAt  time.Time         `json:"assessed_at"`
	Assignee    string            `json:"assignee,omitempty"`
	OpenedAt    time.Time         `json:"opened_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
	ClosedAt    time.Time         `json:"closed_at,omitzero"`
	Snoozed     bool              `json:"snoozed,omitempty"`
	SnoozeUntil time.Time         `json:"snooze_until,omitzero"`
	Pending     string            `json:"pending,omitempty"`
	Decision    string            `json:"decision,omitempty"`
	work
}

// work is where the work on an alert stands, as lists and the alert
// show it: its status and, while a deadline runs, the deadline.
type work struct {
	Status  review.Status `json:"status"`
	Due     string        `json:"due,omitempty"` // the last day (YYYY-MM-DD, Stockholm) of the work at its step
	PastDue bool          `json:"past_due,omitempty"`
	// Halted: an avropsstopp decided on the alert is in force, whatever
	// the status shows first (a termination awaiting approval, say).
	Halted bool `json:"halted,omitempty"`
}

// workOf is the alert's status and deadline now.
func (s *Server) workOf(a *review.Alert) work {
	sla := s.Desk.SLAInForce()
	w := work{Status: a.Status(), PastDue: sla.PastDue(a, s.now()), Halted: a.Halted()}
	if due := sla.Due(a); !due.IsZero() {
		w.Due = due.Format(time.DateOnly)
	}
	return w
}

// summary is an alert in a list as p may see it (personal.go).
func (s *Server) summary(a *review.Alert, p *access.Principal) alertSummary {
	orgnr, w := a.Orgnr, s.workOf(a)
	a = alertFor(p, a, true)
	return alertSummary{ID: a.ID, Orgnr: orgnrFor(p, orgnr), OrgnrRef: orgnrRef(p, orgnr), Name: a.Name, State: a.State, Revision: a.Revision, Step: a.Step,
		Score: a.Score, Hits: nonNil(a.Hits), Categories: s.categories(a.Hits), AssessedAt: a.AssessedAt, Assignee: a.Assignee,
		OpenedAt: a.OpenedAt, UpdatedAt: a.UpdatedAt, ClosedAt: a.ClosedAt, Snoozed: a.Snoozed, SnoozeUntil: a.SnoozeUntil,
		Pending: a.Pending, Decision: a.Decision, work: w}
}

// workplace is the query layer over the server's desk and store.
func (s *Server) workplace() *workplace.Workplace {
	return &workplace.Workplace{Desk: s.Desk, Store: s.Store, Screener: s.Screener}
}

// categories are the categories of the hits (workplace.Categories).
func (s *Server) categories(hits []string) []string { return s.workplace().Categories(hits) }

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

type alertList struct {
	Alerts []alertSummary `json:"alerts"`
	pageInfo
}

// alerts: GET /alerts (operation listAlerts). Open alerts by default;
// filters combine with AND, the values of a comma list with OR.
func (s *Server) alerts(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	q, err := queryParams(r, "state", "step", "category", "assignee", "past_due", "q", "sort", "order", "page", "per_page")
	if err != nil {
		return err
	}
	aq, err := alertQuery(q, p)
	aq.At = s.now()
	if err != nil {
		return err
	}
	page, perPage, err := paging(q)
	if err != nil {
		return err
	}
	res, err := s.workplace().Alerts(aq)
	if err != nil {
		return err
	}
	lo, hi, info := paginate(w, r, q, page, perPage, len(res.Alerts))
	out := alertList{Alerts: []alertSummary{}, pageInfo: info}
	for _, a := range res.Alerts[lo:hi] {
		out.Alerts = append(out.Alerts, s.summary(a, p))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// alertQuery reads the API's query of the alert list.
func alertQuery(q url.Values, p *access.Principal) (workplace.AlertQuery, error) {
	var aq workplace.AlertQuery
	if v, ok := q["state"]; ok {
		for _, st := range splitList(v[0]) {
			switch {
			case st == "open":
				aq.States = append(aq.States, ladder.OpenStates...)
			case st == "all":
				aq.States = append(aq.States, ladder.AlertStates...)
			default:
				s, err := ladder.ParseAlertState(st)
				if err != nil {
					return aq, badField("state", "%s is not one of %s, open, all", excerpt.Quote(st), ladder.List(ladder.AlertStates))
				}
				aq.States = append(aq.States, s)
			}
		}
		if len(aq.States) == 0 {
			return aq, badField("state", "empty")
		}
	}
	for _, st := range splitList(q.Get("step")) {
		step, err := ladder.ParseStep(st)
		if err != nil {
			return aq, badField("step", "%s is not a step L0 to L9", excerpt.Quote(st))
		}
		aq.Steps = append(aq.Steps, step)
	}
	for _, c := range splitList(q.Get("category")) {
		if !catPattern.MatchString(c) {
			return aq, badField("category", "%s is not a category (S, C, P, …)", excerpt.Quote(c))
		}
		aq.Categories = append(aq.Categories, strings.ToUpper(c))
	}
	aq.Assignee = strings.TrimSpace(q.Get("assignee"))
	if len(aq.Assignee) > 64 {
		return aq, badField("assignee", "longer than 64 bytes")
	}
	if aq.Assignee == "me" {
		aq.Assignee = p.UserID
	}
	switch v := q.Get("past_due"); v {
	case "", "false":
	case "true":
		aq.PastDue = true
	default:
		return aq, badField("past_due", "%s is not true or false", excerpt.Quote(v))
	}
	text := strings.TrimSpace(q.Get("q"))
	if len([]rune(text)) > 200 {
		return aq, badField("q", "longer than 200 characters")
	}
	aq.Match = search(p, text)
	aq.Sort = workplace.Sort(cmp.Or(q.Get("sort"), string(workplace.ByPriority)))
	if !slices.Contains(workplace.Sorts, aq.Sort) {
		return aq, badField("sort", "%s is not one of %s", excerpt.Quote(string(aq.Sort)), ladder.List(workplace.Sorts))
	}
	switch order := cmp.Or(q.Get("order"), "desc"); order {
	case "asc":
		aq.Asc = true
	case "desc":
	default:
		return aq, badField("order", "%s is not asc or desc", excerpt.Quote(order))
	}
	return aq, nil
}

// search is the free-text search of an alert list as p may search, nil
// for no text.
func search(p *access.Principal, text string) func(*review.Alert) bool {
	if text == "" {
		return nil
	}
	lower, digits := strings.ToLower(text), orgDigits(text)
	return func(a *review.Alert) bool { return matches(p, a.Orgnr, a.Name, a.ID, lower, digits) }
}

// orgDigits is q's digits when q is an organisation number or a part of
// one (digits, hyphens, spaces, a plus), else "". A 12-digit number with
// its century is cut to the 10 digits stored.
func orgDigits(q string) string { return workplace.OrgDigits(q) }

// alertDetail is GET /alerts/{id}.
type alertDetail struct {
	Alert     *review.Alert      `json:"alert"`
	Decisions []*review.Decision `json:"decisions"`
	Comments  int                `json:"comments"` // how many; GET …/comments lists them
	// Assessment is the organisation's current assessment, its newest
	// follow-up one (workplace.Current; null when there is none).
	Assessment *screening.Assessment `json:"assessment"`
	// Persons: with view_persons only.
	Persons         *persons `json:"persons,omitempty"`
	PersonsWithheld bool     `json:"persons_withheld,omitempty"`
	// OrgnrRef: a sole trader's reference, in place of its masked number
	// (personal.go).
	OrgnrRef string `json:"orgnr_ref,omitempty"`
	work
}

func (s *Server) getAlert(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	c, err := s.workplace().Case(pathValue(r, "id"))
	if err != nil {
		return err
	}
	a := c.Alert
	out := alertDetail{Alert: alertFor(p, a, true), Decisions: decisionsFor(p, nonNil(c.Decisions), true), Comments: len(c.Comments),
		OrgnrRef: orgnrRef(p, a.Orgnr), work: s.workOf(a)}
	var shown bool
	out.Assessment, out.PersonsWithheld, shown = s.forPrincipal(c.Current, p)
	if p.Can(access.ViewPersons) {
		prof, _, err := s.profileOf(a.Orgnr, s.now())
		if err != nil {
			return err
		}
		out.Persons = personsOf(prof)
		if err := s.auditPersons(p, a.ID, "alert", out.Persons, shown); err != nil {
			return err
		}
	} else {
		out.PersonsWithheld = true
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type assignRequest struct {
	Assignee string `json:"assignee"`
}

// assignAlert: POST /alerts/{id}/assign. The assignee must be an enabled
// user whose roles grant assign ("me" for oneself).
func (s *Server) assignAlert(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	req, err := body[assignRequest](r, false)
	if err != nil {
		return err
	}
	who, err := s.assigneeFor(p, req.Assignee)
	if err != nil {
		return err
	}
	a, err := s.Desk.Assign(r.PathValue("id"), who, p.UserID, s.now())
	return reply(w, http.StatusOK, a, err)
}

type closeRequest struct {
	Reason    string   `json:"reason"`
	Outcome   string   `json:"outcome"`
	WrongHits []string `json:"wrong_hits,omitempty"`
}

// closeAlert: POST /alerts/{id}/close.
func (s *Server) closeAlert(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	req, err := body[closeRequest](r, false)
	if err != nil {
		return err
	}
	a, err := s.Desk.Close(r.PathValue("id"), p.UserID, req.Reason, review.Finding{Outcome: req.Outcome, WrongHits: req.WrongHits}, s.now())
	return reply(w, http.StatusOK, a, err)
}

type commentList struct {
	Comments []*review.Comment `json:"comments"`
}

func (s *Server) listComments(w http.ResponseWriter, r *http.Request, _ *access.Principal) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	cs, err := s.Desk.Comments(pathValue(r, "id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, commentList{Comments: nonNil(cs)})
	return nil
}

type commentRequest struct {
	Text string `json:"text"`
}

// addComment: POST /alerts/{id}/comments; 201 with the comment.
func (s *Server) addComment(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	req, err := body[commentRequest](r, false)
	if err != nil {
		return err
	}
	c, err := s.Desk.Comment(r.PathValue("id"), p.UserID, req.Text, s.now())
	if err != nil {
		return err
	}
	w.Header().Set("Location", APIPrefix+"alerts/"+c.AlertID+"/comments")
	writeJSON(w, http.StatusCreated, c)
	return nil
}
