package web

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine"
	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/excerpt"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/store"
)

// alertStates are the states a list filters on, and the shorthands.
var (
	alertStates = []string{review.Ny, review.Utreds, review.Beslutad, review.Stangd}
	openStates  = []string{review.Ny, review.Utreds, review.Beslutad}
	stepPattern = regexp.MustCompile(`^L[0-9]$`)
	catPattern  = regexp.MustCompile(`^[A-Za-z0-9_]{1,32}$`)
)

// Sorts of the alert list and their default orders.
var alertSorts = map[string]string{"priority": "desc", "opened": "desc", "updated": "desc", "score": "desc"}

// alertSummary is an alert in a list: everything but its history.
type alertSummary struct {
	ID          string    `json:"id"`
	Orgnr       string    `json:"orgnr"`
	OrgnrRef    string    `json:"orgnr_ref,omitempty"` // a sole trader's, in place of its masked number (personal.go)
	Name        string    `json:"name"`
	State       string    `json:"state"`
	Revision    int       `json:"revision"`
	Step        string    `json:"step"`
	Score       float64   `json:"score"`
	Hits        []string  `json:"hits"`
	Categories  []string  `json:"categories"`
	AssessedAt  time.Time `json:"assessed_at"`
	Assignee    string    `json:"assignee,omitempty"`
	OpenedAt    time.Time `json:"opened_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	ClosedAt    time.Time `json:"closed_at,omitzero"`
	Snoozed     bool      `json:"snoozed,omitempty"`
	SnoozeUntil time.Time `json:"snooze_until,omitzero"`
	Pending     string    `json:"pending,omitempty"`
	Decision    string    `json:"decision,omitempty"`
}

// summary is an alert in a list as p may see it (personal.go).
func (s *Server) summary(a *review.Alert, p *access.Principal) alertSummary {
	orgnr := a.Orgnr
	a = alertFor(p, a, true)
	return alertSummary{ID: a.ID, Orgnr: orgnrFor(p, orgnr), OrgnrRef: orgnrRef(p, orgnr), Name: a.Name, State: a.State, Revision: a.Revision, Step: a.Step,
		Score: a.Score, Hits: nonNil(a.Hits), Categories: s.categories(a.Hits), AssessedAt: a.AssessedAt, Assignee: a.Assignee,
		OpenedAt: a.OpenedAt, UpdatedAt: a.UpdatedAt, ClosedAt: a.ClosedAt, Snoozed: a.Snoozed, SnoozeUntil: a.SnoozeUntil,
		Pending: a.Pending, Decision: a.Decision}
}

// categories are the categories of the hits: the running rule set's, or
// the id's first letter for a rule it no longer has.
func (s *Server) categories(hits []string) []string {
	out := []string{}
	for _, h := range hits {
		c := ""
		if s.Screener != nil && s.Screener.Rules != nil {
			if set := s.Screener.Rules(); set != nil {
				if r := set.Rule(h); r != nil {
					c = r.Category
				}
			}
		}
		if c == "" && h != "" {
			c = h[:1]
		}
		if c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

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

// listAlerts: GET /alerts. Open alerts by default; filters combine with
// AND, the values of a comma list with OR.
func (s *Server) listAlerts(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	q, err := queryParams(r, "state", "step", "category", "assignee", "q", "sort", "order", "page", "per_page")
	if err != nil {
		return err
	}
	states := openStates
	if v, ok := q["state"]; ok {
		states = nil
		for _, st := range splitList(v[0]) {
			switch {
			case st == "open":
				states = append(states, openStates...)
			case st == "all":
				states = append(states, alertStates...)
			case slices.Contains(alertStates, st):
				states = append(states, st)
			default:
				return badField("state", "%s is not one of %s, open, all", excerpt.Quote(st), strings.Join(alertStates, ", "))
			}
		}
		if len(states) == 0 {
			return badField("state", "empty")
		}
	}
	steps := splitList(q.Get("step"))
	for _, st := range steps {
		if !stepPattern.MatchString(st) {
			return badField("step", "%s is not a step L0 to L9", excerpt.Quote(st))
		}
	}
	cats := splitList(q.Get("category"))
	for i, c := range cats {
		if !catPattern.MatchString(c) {
			return badField("category", "%s is not a category (S, C, P, …)", excerpt.Quote(c))
		}
		cats[i] = strings.ToUpper(c)
	}
	assignee := strings.TrimSpace(q.Get("assignee"))
	if len(assignee) > 64 {
		return badField("assignee", "longer than 64 bytes")
	}
	if assignee == "me" {
		assignee = p.UserID
	}
	text := strings.TrimSpace(q.Get("q"))
	if len([]rune(text)) > 200 {
		return badField("q", "longer than 200 characters")
	}
	sortBy := cmp.Or(q.Get("sort"), "priority")
	if _, ok := alertSorts[sortBy]; !ok {
		return badField("sort", "%s is not one of priority, opened, updated, score", excerpt.Quote(sortBy))
	}
	order := cmp.Or(q.Get("order"), alertSorts[sortBy])
	if order != "asc" && order != "desc" {
		return badField("order", "%s is not asc or desc", excerpt.Quote(order))
	}
	page, perPage, err := paging(q)
	if err != nil {
		return err
	}
	lower, digits := strings.ToLower(text), orgDigits(text)
	alerts, err := s.Desk.Alerts(func(a *review.Alert) bool {
		switch {
		case !slices.Contains(states, a.State):
			return false
		case len(steps) > 0 && !slices.Contains(steps, a.Step):
			return false
		case assignee == "none" && a.Assignee != "":
			return false
		case assignee != "" && assignee != "none" && a.Assignee != assignee:
			return false
		case len(cats) > 0 && !slices.ContainsFunc(s.categories(a.Hits), func(c string) bool { return slices.Contains(cats, strings.ToUpper(c)) }):
			return false
		case text != "":
			return matches(p, a.Orgnr, a.Name, a.ID, lower, digits)
		}
		return true
	})
	if err != nil {
		return err
	}
	dir := 1
	if order == "asc" {
		dir = -1
	}
	slices.SortStableFunc(alerts, func(a, b *review.Alert) int {
		var c int
		switch sortBy {
		case "priority": // the highest step, then the highest score, then the longest waiting
			c = cmp.Or(cmp.Compare(stepRank(a.Step), stepRank(b.Step)), cmp.Compare(a.Score, b.Score), b.OpenedAt.Compare(a.OpenedAt))
		case "opened":
			c = a.OpenedAt.Compare(b.OpenedAt)
		case "updated":
			c = a.UpdatedAt.Compare(b.UpdatedAt)
		case "score":
			c = cmp.Compare(a.Score, b.Score)
		}
		return cmp.Or(-dir*c, cmp.Compare(a.ID, b.ID))
	})
	lo, hi, info := paginate(w, r, q, page, perPage, len(alerts))
	out := alertList{Alerts: []alertSummary{}, pageInfo: info}
	for _, a := range alerts[lo:hi] {
		out.Alerts = append(out.Alerts, s.summary(a, p))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// stepRank is a step's digit, -1 for none.
func stepRank(step string) int {
	if !stepPattern.MatchString(step) {
		return -1
	}
	return int(step[1] - '0')
}

// orgDigits is q's digits when q is an organisation number or a part of
// one (digits, hyphens, spaces, a plus), else "". A 12-digit number with
// its century is cut to the 10 digits stored.
func orgDigits(q string) string {
	var b strings.Builder
	for _, r := range q {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '-' || r == ' ' || r == '+':
		default:
			return ""
		}
	}
	d := b.String()
	if len(d) == 12 {
		d = d[2:]
	}
	return d
}

// alertDetail is GET /alerts/{id}.
type alertDetail struct {
	Alert     *review.Alert      `json:"alert"`
	Decisions []*review.Decision `json:"decisions"`
	Comments  int                `json:"comments"` // how many; GET …/comments lists them
	// Assessment is the organisation's current assessment, its newest
	// follow-up one (latestAssessment; null when there is none).
	Assessment *engine.Assessment `json:"assessment"`
	// Persons: with view_persons only.
	Persons         *persons `json:"persons,omitempty"`
	PersonsWithheld bool     `json:"persons_withheld,omitempty"`
	// OrgnrRef: a sole trader's reference, in place of its masked number
	// (personal.go).
	OrgnrRef string `json:"orgnr_ref,omitempty"`
}

func (s *Server) getAlert(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	a, err := s.Desk.Alert(pathValue(r, "id"))
	if err != nil {
		return err
	}
	decs, err := s.Desk.Decisions(a.ID)
	if err != nil {
		return err
	}
	cs, err := s.Desk.Comments(a.ID)
	if err != nil {
		return err
	}
	latest, err := s.latestAssessment(a.Orgnr)
	if err != nil {
		return err
	}
	out := alertDetail{Alert: alertFor(p, a, true), Decisions: decisionsFor(p, nonNil(decs), true), Comments: len(cs),
		OrgnrRef: orgnrRef(p, a.Orgnr)}
	var shown bool
	out.Assessment, out.PersonsWithheld, shown = s.forPrincipal(latest, p)
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

// latestAssessment is an organisation's current assessment, the one its
// alert follows and a decision rests on: its newest follow-up assessment.
// A pre-award check does not replace it; only when the organisation has
// no follow-up assessment at all is its newest check the current one (an
// alert opened by a check before checks stopped moving alerts). Nil when
// none is stored.
func (s *Server) latestAssessment(orgnr string) (*engine.Assessment, error) {
	_, data, err := s.Store.LatestAssessmentWhere(orgnr, func(data []byte) bool {
		var a struct{ Purpose string }
		return json.Unmarshal(data, &a) != nil || a.Purpose == engine.Monitor
	})
	if errors.Is(err, store.ErrNotFound) {
		_, data, err = s.Store.LatestAssessment(orgnr)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var a engine.Assessment
	if err := json.Unmarshal(data, &a); err != nil {
		return nil, fmt.Errorf("assessment: %w", err)
	}
	return &a, nil
}

type assignRequest struct {
	Assignee string `json:"assignee"`
}

// assignAlert: POST /alerts/{id}/assign. The assignee must be an enabled
// user whose roles grant assign ("me" for oneself).
func (s *Server) assignAlert(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	var req assignRequest
	if err := decodeBody(r, &req, false); err != nil {
		return err
	}
	who := strings.ToLower(strings.TrimSpace(req.Assignee))
	switch who {
	case "":
		return badField("assignee", "required")
	case "me":
		who = p.UserID
	default:
		u, ok := s.Guard.Dir.User(who)
		if !ok || u.Disabled {
			return badField("assignee", "%s is not a user", excerpt.Quote(req.Assignee))
		}
		if !(&access.Principal{Roles: u.Roles}).Can(access.Assign) {
			return badField("assignee", "%q may not work alerts (no role grants %s)", u.ID, access.Assign)
		}
	}
	a, err := s.Desk.Assign(r.PathValue("id"), who, p.UserID, s.now())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

type closeRequest struct {
	Reason string `json:"reason"`
}

// closeAlert: POST /alerts/{id}/close.
func (s *Server) closeAlert(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	var req closeRequest
	if err := decodeBody(r, &req, false); err != nil {
		return err
	}
	a, err := s.Desk.Close(r.PathValue("id"), p.UserID, req.Reason, s.now())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
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
	if _, err := queryParams(r); err != nil {
		return err
	}
	var req commentRequest
	if err := decodeBody(r, &req, false); err != nil {
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
