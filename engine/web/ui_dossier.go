package web

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/review"
)

// The supplier dossier's parts beside the chart and the hits: the
// summary's number, the spend, the open decisions with their hearings,
// and the network view (api_network.go) with its table.

// spendSummary is what the municipality buys of the supplier.
type spendSummary struct {
	Active        int   // contracts in force
	ActiveValue   int64 // their estimated value, SEK
	Invoiced12m   int64 // invoiced in the last twelve months
	InvoicedTotal int64 // every invoice the store holds
}

func spendOf(prof *profile.Profile, now time.Time) spendSummary {
	var s spendSummary
	for _, c := range prof.Contracts {
		if c.Active {
			s.Active++
			s.ActiveValue += c.EstimatedSEK
		}
	}
	since := now.AddDate(-1, 0, 0).Truncate(24 * time.Hour) // invoices carry dates, midnight UTC
	for _, in := range prof.Invoices {
		s.InvoicedTotal += in.AmountSEK
		if !in.Date.Before(since) && !in.Date.After(now) {
			s.Invoiced12m += in.AmountSEK
		}
	}
	return s
}

// openDecision is a decision still at work: awaiting approval, or a
// halt in force; with where its hearing stands.
type openDecision struct {
	*review.Decision
	Hearing string // review.Hearing…, "" for a decision without a hearing
}

// openDecisions are the organisation's decisions awaiting approval and
// its halts not lifted, newest first.
func (s *Server) openDecisions(p *access.Principal, orgnr string, now time.Time) ([]openDecision, error) {
	ds, err := s.Desk.AllDecisions(func(d *review.Decision) bool {
		return d.Orgnr == orgnr && (d.Status == review.VantarGodkannande || d.Status == review.Bekraftad && d.Kind == "avropsstopp" && d.LiftedBy == "")
	})
	if err != nil {
		return nil, err
	}
	var out []openDecision
	for _, d := range slices.Backward(ds) {
		od := openDecision{Decision: decisionFor(p, d, false)}
		if d.Kind == "havning" || d.Kind == "uteslutning" {
			od.Hearing = s.Desk.HearingStatus(d, now)
		}
		out = append(out, od)
	}
	return out, nil
}

// networkPanel is the dossier's network: the answer the API gives
// (drawn by static/network.js), and the same as a table.
type networkPanel struct {
	*networkAnswer
	JSON   string // the answer, for network.js
	API    string // where network.js asks for a node's own network
	Labels string // the words network.js shows, JSON
	Rows   []networkRow
}

// networkRow is an organisation of the network with the persons through
// whom it is there.
type networkRow struct {
	Node   networkNode
	Number string // NNNNNN-NNNN, or masked
	Via    []networkVia
}

type networkVia struct {
	Name     string // "" for a withheld person
	Role     string
	Current  bool
	TradeBan bool
}

// newNetworkPanel lays a out for the page.
func newNetworkPanel(lang string, a *networkAnswer) (*networkPanel, error) {
	b, err := json.Marshal(a)
	if err != nil {
		return nil, err
	}
	labels := map[string]string{}
	for _, k := range networkJSLabels {
		labels[k] = uiT(lang, "dos.js."+k)
	}
	for k, m := range uiText {
		if len(k) > 6 && k[:6] == "rrole." {
			labels[k] = m.in(lang)
		}
	}
	lb, err := json.Marshal(labels)
	if err != nil {
		return nil, err
	}
	np := &networkPanel{networkAnswer: a, JSON: string(b), API: "/api/v1/suppliers/", Labels: string(lb)}
	byID := map[string]networkNode{}
	for _, n := range a.Nodes {
		byID[n.ID] = n
	}
	for _, n := range a.Nodes {
		if n.Kind != "organisation" {
			continue
		}
		row := networkRow{Node: n, Number: n.Orgnr}
		if o, err := ident.ParseOrg(n.Orgnr); err == nil {
			row.Number = o.Separated(a.At)
		}
		for _, e := range a.Edges {
			if e.Target == n.ID {
				person := byID[e.Source]
				row.Via = append(row.Via, networkVia{Name: person.Name, Role: e.Role, Current: e.Current, TradeBan: person.TradingBan})
			}
		}
		np.Rows = append(np.Rows, row)
	}
	return np, nil
}

// networkJSLabels are the words of network.js, each dos.js.<name>.
var networkJSLabels = []string{"person", "expand", "open", "loading", "failed", "added", "full",
	"bankrupt", "dereg", "ban", "mass", "hop", "root"}
