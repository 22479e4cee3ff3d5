package web

import (
	"cmp"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/excerpt"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/rules"
)

// queuePerPage is how many alerts a page of the queue shows.
const queuePerPage = 50

// queueTopHits is how many hits a row of the queue names.
const queueTopHits = 3

// queueFilter is what the queue is filtered by (the query's step,
// category, owner, assignee and q).
type queueFilter struct {
	Step, Category, Owner, Assignee, Q string
}

func (f queueFilter) empty() bool { return f == queueFilter{} }

// query is the filter as a query string (with page when > 1).
func (f queueFilter) query(page int) string {
	q := url.Values{}
	for k, v := range map[string]string{"step": f.Step, "category": f.Category, "owner": f.Owner, "assignee": f.Assignee, "q": f.Q} {
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
	Top  []hitRef
	More int // hits not named
}

// hitRef names a hit by its rule.
type hitRef struct {
	ID       string
	Title    rules.Text
	Severity string
}

// rule is the running rule set's rule with the id, nil when it has none.
func (s *Server) rule(id string) *rules.Rule {
	if s.Screener == nil || s.Screener.Rules == nil {
		return nil
	}
	if set := s.Screener.Rules(); set != nil {
		return set.Rule(id)
	}
	return nil
}

// severityRank orders severities, the gravest first.
func severityRank(sev string) int {
	switch sev {
	case rules.Critical:
		return 0
	case rules.High:
		return 1
	case rules.Medium:
		return 2
	case rules.Low:
		return 3
	}
	return 4
}

// topHits are an alert's hits, the gravest first.
func (s *Server) topHits(ids []string) []hitRef {
	out := make([]hitRef, 0, len(ids))
	for _, id := range ids {
		h := hitRef{ID: id}
		if r := s.rule(id); r != nil {
			h.Title, h.Severity = r.Title, r.Severity
		}
		out = append(out, h)
	}
	slices.SortStableFunc(out, func(a, b hitRef) int {
		return cmp.Or(cmp.Compare(severityRank(a.Severity), severityRank(b.Severity)), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// ownContracts are the organisation's own contracts as the store holds
// them now.
func (s *Server) ownContracts(orgnr string, at time.Time) ([]record.Contract, error) {
	recs, err := s.Store.Subject(orgnr, store.ScanOptions{At: at})
	if err != nil {
		return nil, err
	}
	var out []record.Contract
	for _, rec := range recs {
		if rec.ID.Source != record.Contracts || rec.Current == nil {
			continue
		}
		var c record.Contract
		if err := json.Unmarshal(rec.Current.Parsed, &c); err != nil {
			continue // quarantine kept it out; a bad version is not ours to judge here
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b record.Contract) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
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

// uiQueue: GET /?step=&category=&owner=&assignee=&q=&page=, the open
// alerts by priority (the highest step, the highest score, the longest
// waiting first).
func (s *Server) uiQueue(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	q := r.URL.Query()
	f := queueFilter{Step: q.Get("step"), Category: strings.ToUpper(q.Get("category")), Owner: q.Get("owner"),
		Assignee: q.Get("assignee"), Q: strings.TrimSpace(q.Get("q"))}
	switch {
	case f.Step != "" && !stepPattern.MatchString(f.Step):
		return badField("step", "%s is not a step L0 to L9", excerpt.Quote(f.Step))
	case f.Category != "" && !catPattern.MatchString(f.Category):
		return badField("category", "%s is not a category", excerpt.Quote(f.Category))
	case len(f.Owner) > 200, len([]rune(f.Q)) > 200:
		return badField("q", "longer than 200 characters")
	}
	users := s.assignees()
	assignee := f.Assignee
	switch f.Assignee {
	case "", "none":
	case "me":
		assignee = p.UserID
	default:
		if !slices.ContainsFunc(users, func(u access.User) bool { return u.ID == f.Assignee }) {
			return badField("assignee", "%s is not a user who works alerts", excerpt.Quote(f.Assignee))
		}
	}
	page := 1
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return badField("page", "%s is not a page number", excerpt.Quote(v))
		}
		page = n
	}

	now := s.now()
	open, err := s.Desk.Alerts(func(a *review.Alert) bool { return a.Open() })
	if err != nil {
		return err
	}
	owners := map[string][]string{} // organisation → its contracts' owners
	var allOwners []string
	for _, a := range open {
		if _, done := owners[a.Orgnr]; done {
			continue
		}
		cs, err := s.ownContracts(a.Orgnr, now)
		if err != nil {
			return err
		}
		owners[a.Orgnr] = []string{}
		for _, c := range cs {
			if c.Owner != "" && !slices.Contains(owners[a.Orgnr], c.Owner) {
				owners[a.Orgnr] = append(owners[a.Orgnr], c.Owner)
			}
			if c.Owner != "" && !slices.Contains(allOwners, c.Owner) {
				allOwners = append(allOwners, c.Owner)
			}
		}
	}
	slices.Sort(allOwners)

	data := queuePage{Filter: f, Open: len(open), Owners: allOwners, Approver: p.Can(access.Approve)}
	counts := map[string]int{}
	var cats []string
	lower, digits := strings.ToLower(f.Q), orgDigits(f.Q)
	var rows []*review.Alert
	for _, a := range open {
		counts[a.Step]++
		acats := s.categories(a.Hits)
		for _, c := range acats {
			if !slices.Contains(cats, c) {
				cats = append(cats, c)
			}
		}
		switch {
		case f.Step != "" && a.Step != f.Step:
		case f.Category != "" && !slices.Contains(acats, f.Category):
		case f.Owner != "" && !slices.Contains(owners[a.Orgnr], f.Owner):
		case assignee == "none" && a.Assignee != "":
		case assignee != "" && assignee != "none" && a.Assignee != assignee:
		case f.Q != "" && !matches(p, a.Orgnr, a.Name, a.ID, lower, digits):
		default:
			rows = append(rows, a)
		}
	}
	for _, c := range []string{"S", "C", "P"} {
		if !slices.Contains(cats, c) {
			cats = append(cats, c)
		}
	}
	if f.Category != "" && !slices.Contains(cats, f.Category) {
		cats = append(cats, f.Category)
	}
	slices.Sort(cats)
	data.Categories = cats
	for i := 9; i >= 0; i-- {
		st := "L" + strconv.Itoa(i)
		if counts[st] == 0 && st != f.Step {
			continue
		}
		sf := f
		sf.Step = st
		if st == f.Step {
			sf.Step = ""
		}
		data.Steps = append(data.Steps, stepCount{Step: st, N: counts[st], URL: sf.query(1), Current: st == f.Step})
	}
	slices.SortStableFunc(rows, func(a, b *review.Alert) int {
		return cmp.Or(-cmp.Compare(stepRank(a.Step), stepRank(b.Step)), -cmp.Compare(a.Score, b.Score),
			a.OpenedAt.Compare(b.OpenedAt), cmp.Compare(a.ID, b.ID))
	})
	data.Total = len(rows)
	data.Pages = max(1, (len(rows)+queuePerPage-1)/queuePerPage)
	data.Page = min(page, data.Pages)
	lo := (data.Page - 1) * queuePerPage
	hi := min(lo+queuePerPage, len(rows))
	for _, a := range rows[lo:hi] {
		row := queueRow{Alert: alertFor(p, a, false), Top: s.topHits(a.Hits)}
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
	for _, u := range users {
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
	v := s.newView(w, r, "queue", data)
	v.Title = v.T("queue.title")
	s.render(w, r, http.StatusOK, "queue", v)
	return nil
}
