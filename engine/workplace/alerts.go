package workplace

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/rules"
)

// Workplace answers queries over the desk's alerts.
type Workplace struct {
	Desk  *review.Desk
	Store *store.Store // the organisations' contracts (owners)
	// Screener's rule set names the hits (nil, or without rules: hits'
	// categories from their ids); its settings build profiles.
	Screener *screening.Screener
}

// None is the assignee of a query for the alerts nobody has.
const None = "none"

// Sort is what a list of alerts is sorted by.
type Sort string

// The sorts of a list of alerts.
const (
	ByPriority Sort = "priority" // the highest step, then the highest score, then the longest waiting
	ByOpened   Sort = "opened"
	ByUpdated  Sort = "updated"
	ByScore    Sort = "score"
)

// Sorts lists every sort.
var Sorts = []Sort{ByPriority, ByOpened, ByUpdated, ByScore}

// AlertQuery is what a list of alerts is filtered and sorted by. Filters
// combine with AND, the values of a list with OR; an empty one lets every
// alert through.
type AlertQuery struct {
	States     []ladder.AlertState // empty: the open states
	Steps      []ladder.Step
	Categories []string // compared without case
	Owner      string   // an owner of one of the organisation's contracts
	Assignee   string   // a user id, None for the unassigned
	// PastDue keeps the alerts whose deadline (the desk's SLA) has passed
	// at At.
	PastDue bool
	// Match is the search as the asker may search (the web's rules for
	// personal data); nil matches every alert.
	Match func(*review.Alert) bool
	Sort  Sort // "": ByPriority
	Asc   bool // every sort is descending unless Asc
	// Facets asks for the counts a queue shows beside its rows.
	Facets bool
	At     time.Time // as of when contracts are read (Owner, Facets) and deadlines judged (PastDue)
}

// AlertResult is the answer to an AlertQuery.
type AlertResult struct {
	Alerts []*review.Alert // the alerts the query let through, sorted
	// With Facets: over every alert in the query's states, before the
	// other filters.
	All        int                 // how many
	Open       []*review.Alert     // which, by organisation
	Steps      map[ladder.Step]int // how many at each step
	Categories []string            // their hits' categories, sorted
	Owners     []string            // their contracts' owners, sorted
}

// Alerts answers the query.
func (w *Workplace) Alerts(q AlertQuery) (*AlertResult, error) {
	states := q.States
	if len(states) == 0 {
		states = ladder.OpenStates
	}
	all, err := w.Desk.Alerts(func(a *review.Alert) bool { return slices.Contains(states, ladder.AlertState(a.State)) })
	if err != nil {
		return nil, fmt.Errorf("workplace: alerts: %w", err)
	}
	var owners map[string][]string // organisation → its contracts' owners
	if q.Owner != "" || q.Facets {
		if owners, err = w.owners(all, q.At); err != nil {
			return nil, err
		}
	}
	out := &AlertResult{}
	if q.Facets {
		out.All, out.Open, out.Steps = len(all), all, map[ladder.Step]int{}
		for _, a := range all {
			out.Steps[ladder.Step(a.Step)]++
			for _, c := range w.Categories(a.Hits) {
				if !slices.Contains(out.Categories, c) {
					out.Categories = append(out.Categories, c)
				}
			}
			for _, o := range owners[a.Orgnr] {
				if !slices.Contains(out.Owners, o) {
					out.Owners = append(out.Owners, o)
				}
			}
		}
		slices.Sort(out.Categories)
		slices.Sort(out.Owners)
	}
	for _, a := range all {
		if w.lets(q, a, owners) {
			out.Alerts = append(out.Alerts, a)
		}
	}
	sortAlerts(out.Alerts, q.Sort, q.Asc)
	return out, nil
}

// lets reports whether the query lets the alert through (its state aside).
func (w *Workplace) lets(q AlertQuery, a *review.Alert, owners map[string][]string) bool {
	switch {
	case len(q.Steps) > 0 && !slices.Contains(q.Steps, ladder.Step(a.Step)):
		return false
	case q.Assignee == None && a.Assignee != "":
		return false
	case q.Assignee != "" && q.Assignee != None && a.Assignee != q.Assignee:
		return false
	case q.PastDue && !w.Desk.SLAInForce().PastDue(a, q.At):
		return false
	case q.Owner != "" && !slices.Contains(owners[a.Orgnr], q.Owner):
		return false
	case len(q.Categories) > 0 && !slices.ContainsFunc(w.Categories(a.Hits), func(c string) bool {
		return slices.ContainsFunc(q.Categories, func(want string) bool { return strings.EqualFold(c, want) })
	}):
		return false
	case q.Match != nil:
		return q.Match(a)
	}
	return true
}

// sortAlerts sorts alerts by s, descending unless asc; ties by id.
func sortAlerts(alerts []*review.Alert, s Sort, asc bool) {
	dir := -1
	if asc {
		dir = 1
	}
	slices.SortStableFunc(alerts, func(a, b *review.Alert) int {
		var c int
		switch cmp.Or(s, ByPriority) {
		case ByPriority: // the oldest is the one with the highest priority
			c = cmp.Or(cmp.Compare(ladder.Step(a.Step).Rank(), ladder.Step(b.Step).Rank()), cmp.Compare(a.Score, b.Score), b.OpenedAt.Compare(a.OpenedAt))
		case ByOpened:
			c = a.OpenedAt.Compare(b.OpenedAt)
		case ByUpdated:
			c = a.UpdatedAt.Compare(b.UpdatedAt)
		case ByScore:
			c = cmp.Compare(a.Score, b.Score)
		}
		return cmp.Or(dir*c, cmp.Compare(a.ID, b.ID))
	})
}

// Page is the bounds of a page (from 1) of perPage items within total,
// and how many pages there are (at least one). A page past the last is
// empty.
func Page(total, page, perPage int) (lo, hi, pages int) {
	pages = max(1, (total+perPage-1)/perPage)
	lo = min((page-1)*perPage, total)
	return lo, min(lo+perPage, total), pages
}

// Rule is the running rule set's rule with the id, nil when it has none.
func (w *Workplace) Rule(id string) *rules.Rule {
	if w.Screener == nil || w.Screener.Rules == nil {
		return nil
	}
	if set := w.Screener.Rules(); set != nil {
		return set.Rule(id)
	}
	return nil
}

// Categories are the categories of the hits, sorted: the running rule
// set's, or the id's first letter for a rule it no longer has.
func (w *Workplace) Categories(hits []string) []string {
	out := []string{}
	for _, h := range hits {
		c := ""
		if r := w.Rule(h); r != nil {
			c = r.Category
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

// Hit names a hit by its rule.
type Hit struct {
	ID       string
	Title    rules.Text
	Severity string
}

// Hits are the hits named by the running rule set, the gravest first.
func (w *Workplace) Hits(ids []string) []Hit {
	out := make([]Hit, 0, len(ids))
	for _, id := range ids {
		h := Hit{ID: id}
		if r := w.Rule(id); r != nil {
			h.Title, h.Severity = r.Title, r.Severity
		}
		out = append(out, h)
	}
	slices.SortStableFunc(out, func(a, b Hit) int {
		return cmp.Or(cmp.Compare(ladder.Severity(a.Severity).Rank(), ladder.Severity(b.Severity).Rank()), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// Contracts are the organisation's own contracts as the store holds them
// at at, by id.
func (w *Workplace) Contracts(orgnr string, at time.Time) ([]record.Contract, error) {
	recs, err := w.Store.Subject(orgnr, store.ScanOptions{At: at})
	if err != nil {
		return nil, fmt.Errorf("workplace: contracts of %s: %w", orgnr, err)
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

// owners are the owners of the alerts' organisations' contracts.
func (w *Workplace) owners(alerts []*review.Alert, at time.Time) (map[string][]string, error) {
	out := map[string][]string{}
	for _, a := range alerts {
		if _, done := out[a.Orgnr]; done {
			continue
		}
		cs, err := w.Contracts(a.Orgnr, at)
		if err != nil {
			return nil, err
		}
		out[a.Orgnr] = []string{}
		for _, c := range cs {
			if c.Owner != "" && !slices.Contains(out[a.Orgnr], c.Owner) {
				out[a.Orgnr] = append(out[a.Orgnr], c.Owner)
			}
		}
	}
	return out, nil
}
