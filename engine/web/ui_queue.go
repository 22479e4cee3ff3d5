package web

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/excerpt"
	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/workplace"
)

// queuePerPage is how many alerts a page of the queue shows.
const queuePerPage = 50

// queueTopHits is how many hits a row of the queue names.
const queueTopHits = 3

// queueFilter is what the queue is filtered by (the query's step,
// category, owner, assignee, past_due and q).
type queueFilter struct {
	Step, Category, Owner, Assignee, Q string
	PastDue                            string // "true": only the alerts past their deadline
}

func (f queueFilter) empty() bool { return f == queueFilter{} }

// query is the filter as a query string (with page when > 1).
func (f queueFilter) query(page int) string {
	q := url.Values{}
	for k, v := range map[string]string{"step": f.Step, "category": f.Category, "owner": f.Owner, "assignee": f.Assignee, "q": f.Q,
		"past_due": f.PastDue} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	if len(q) == 0 {
		return "/"
	}
	return "/?" + q.Encode()
}

type queuePage struct {
	Filter     queueFilter
	Steps      []stepCount
	Categories []string
	Owners     []string
	Assignees  []option
	Rows       []queueRow
	Total      int // open alerts the filter lets through
	Open       int // every open alert
	Page       int
	Pages      int
	PrevURL    string
	NextURL    string
	ResetURL   string
	Approver   bool
	Pending    []*review.Decision
	// The bulk form (bulk.go): the actions the user may take, and the
	// state of a refused or partly refused post.
	BulkActions []string
	Bulk        *bulkForm
	PastDue     int // open alerts past their deadline, whatever the filter
}

type stepCount struct {
	Step    string
	N       int
	URL     string
	Current bool
}

type option struct{ Value, Label string }

// queueRow is one alert in the queue.
type queueRow struct {
	*review.Alert
	Top  []workplace.Hit
	More int // hits not named
	Work work
}

// ownContracts are the organisation's own contracts as the store holds
// them at at (workplace.Contracts).
func (s *Server) ownContracts(orgnr string, at time.Time) ([]record.Contract, error) {
	return s.workplace().Contracts(orgnr, at)
}

// assignees are the enabled users who may work alerts.
func (s *Server) assignees() []access.User {
	var out []access.User
	if s.Guard == nil || s.Guard.Dir == nil {
		return nil
	}
	for _, u := range s.Guard.Dir.Users() {
		if !u.Disabled && (&access.Principal{Roles: u.Roles}).Can(access.Assign) {
			out = append(out, u)
		}
	}
	return out
}

// queue: GET /?step=&category=&owner=&assignee=&q=&page=, the open
// alerts by priority (the highest step, the highest score, the longest
// waiting first).
func (s *Server) queue(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	return s.renderQueue(w, r, p, nil, http.StatusOK)
}

// renderQueue writes the queue as the query filters it, with the state of
// a bulk form posted (nil: none) and the status.
func (s *Server) renderQueue(w http.ResponseWriter, r *http.Request, p *access.Principal, bulk *bulkForm, status int) error {
	f, aq, page, err := s.queueQuery(r.URL.Query(), p)
	if err != nil {
		return err
	}
	res, err := s.workplace().Alerts(aq)
	if err != nil {
		return err
	}
	data := queuePage{Filter: f, Open: res.All, Owners: res.Owners, Approver: p.Can(access.Approve), Total: len(res.Alerts)}
	data.Categories = res.Categories
	for _, c := range append([]string{"S", "C", "P"}, f.Category) {
		if c != "" && !slices.Contains(data.Categories, c) {
			data.Categories = append(data.Categories, c)
		}
	}
	slices.Sort(data.Categories)
	for i := 9; i >= 0; i-- {
		st := ladder.StepOf(i)
		if res.Steps[st] == 0 && string(st) != f.Step {
			continue
		}
		sf := f
		sf.Step = string(st)
		if sf.Step == f.Step {
			sf.Step = ""
		}
		data.Steps = append(data.Steps, stepCount{Step: string(st), N: res.Steps[st], URL: sf.query(1), Current: string(st) == f.Step})
	}
	_, _, data.Pages = workplace.Page(len(res.Alerts), 1, queuePerPage)
	data.Page = min(page, data.Pages)
	lo, hi, _ := workplace.Page(len(res.Alerts), data.Page, queuePerPage)
	wp := s.workplace()
	for _, a := range res.Alerts[lo:hi] {
		row := queueRow{Alert: alertFor(p, a, false), Top: wp.Hits(a.Hits), Work: s.workOf(a)}
		if n := len(row.Top); n > queueTopHits {
			row.Top, row.More = row.Top[:queueTopHits], n-queueTopHits
		}
		data.Rows = append(data.Rows, row)
	}
	if data.Page > 1 {
		data.PrevURL = f.query(data.Page - 1)
	}
	if data.Page < data.Pages {
		data.NextURL = f.query(data.Page + 1)
	}
	if !f.empty() {
		data.ResetURL = "/"
	}
	data.Assignees = []option{{"", ""}, {"me", ""}, {"none", ""}}
	for _, u := range s.assignees() {
		data.Assignees = append(data.Assignees, option{u.ID, cmp.Or(u.Name, u.ID)})
	}
	if data.Approver {
		data.Pending, err = s.Desk.AllDecisions(func(d *review.Decision) bool {
			return d.Status == review.VantarGodkannande && d.Decider() != actor(p).PersonID() && d.DecidedBy != p.UserID
		})
		if err != nil {
			return err
		}
		slices.SortStableFunc(data.Pending, func(a, b *review.Decision) int { return a.DecidedAt.Compare(b.DecidedAt) })
	}
	data.Bulk = bulk
	for _, act := range []string{bulkAssign, bulkSnooze, bulkClose} {
		if p.Can(bulkActions[act]) {
			data.BulkActions = append(data.BulkActions, act)
		}
	}
	sla := s.Desk.SLAInForce()
	for _, a := range res.Open {
		if sla.PastDue(a, aq.At) {
			data.PastDue++
		}
	}
	v := s.newView(w, r, "queue", data)
	v.Title = v.T("queue.title")
	s.render(w, r, status, "queue", v)
	return nil
}

// queueQuery reads the queue's filter and page from the query: the open
// alerts by priority, with the counts beside them.
func (s *Server) queueQuery(q url.Values, p *access.Principal) (f queueFilter, aq workplace.AlertQuery, page int, err error) {
	f = queueFilter{Step: q.Get("step"), Category: strings.ToUpper(q.Get("category")), Owner: q.Get("owner"),
		Assignee: q.Get("assignee"), Q: strings.TrimSpace(q.Get("q")), PastDue: q.Get("past_due")}
	aq = workplace.AlertQuery{Owner: f.Owner, Assignee: f.Assignee, Match: search(p, f.Q), Facets: true, At: s.now(),
		PastDue: f.PastDue == "true"}
	if f.PastDue != "" && f.PastDue != "true" {
		return f, aq, 0, badField("past_due", "%s is not true", excerpt.Quote(f.PastDue))
	}
	if f.Step != "" {
		step, err := ladder.ParseStep(f.Step)
		if err != nil {
			return f, aq, 0, badField("step", "%s is not a step L0 to L9", excerpt.Quote(f.Step))
		}
		aq.Steps = []ladder.Step{step}
	}
	switch {
	case f.Category != "" && !catPattern.MatchString(f.Category):
		return f, aq, 0, badField("category", "%s is not a category", excerpt.Quote(f.Category))
	case len(f.Owner) > 200, len([]rune(f.Q)) > 200:
		return f, aq, 0, badField("q", "longer than 200 characters")
	case f.Category != "":
		aq.Categories = []string{f.Category}
	}
	switch f.Assignee {
	case "", workplace.None:
	case "me":
		aq.Assignee = p.UserID
	default:
		if !slices.ContainsFunc(s.assignees(), func(u access.User) bool { return u.ID == f.Assignee }) {
			return f, aq, 0, badField("assignee", "%s is not a user who works alerts", excerpt.Quote(f.Assignee))
		}
	}
	page = 1
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return f, aq, 0, badField("page", "%s is not a page number", excerpt.Quote(v))
		}
		page = n
	}
	return f, aq, page, nil
}

// BulkOutcomes are the outcomes a bulk close offers: a falsklarm names
// each alert's wrong hits, so it is closed on the alert's page.
func (queuePage) BulkOutcomes() []string {
	return []string{review.OutcomeConfirmed, review.OutcomeJustified}
}
