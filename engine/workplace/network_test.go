package workplace

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
)

// chain is a store with a chain of organisations linked by persons:
//
//	A ← P1 → B (bankrupt, deregistered), C
//	A ← P2 (a trading ban in force)
//	B ← P5
//	C ← P3 → D ← P4 → E
//
// A, B and C are registered at one street address.
func chain(t *testing.T) *Workplace {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{Small: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	company := func(orgnr, name string) record.Company {
		return record.Company{Orgnr: orgnr, Name: name, Registered: start,
			Address: record.Address{Street: "Storgatan 1", PostalCode: "21111", City: "Malmö"}}
	}
	var items []record.Item
	org := func(c record.Company) {
		items = append(items, record.Item{Subject: c.Orgnr, Source: record.Bolagsverket, Pos: "t:1", Parsed: c,
			Links: record.Links{Addresses: []string{c.Address.Normalized()}}})
	}
	role := func(orgnr, person, name, roll string) {
		items = append(items, record.Item{Subject: orgnr, Source: record.Roles, Key: person + "-" + roll, Pos: "t:1",
			Parsed: record.Role{Orgnr: orgnr, Person: record.PersonRef{ID: person, Name: name, BirthYear: 1970}, Role: roll, From: start},
			Links:  record.Links{Persons: []string{person}}})
	}
	org(company("5560000001", "Alfa AB"))
	b := company("5560000002", "Beta AB")
	b.Proceedings = []record.Proceeding{{Code: "KK", From: start.AddDate(2, 0, 0), Ended: true}}
	b.Deregistered, b.DeregisteredReason = start.AddDate(3, 0, 0), "KKAV"
	org(b)
	org(company("5560000003", "Gamma AB"))
	d := company("5560000004", "Delta AB")
	d.Address.Street = "Lillgatan 2"
	org(d)
	e := company("5560000005", "Epsilon AB")
	e.Address.Street = "Lillgatan 3"
	org(e)
	role("5560000001", "P1", "Per Ett", "vd")
	role("5560000001", "P2", "Pia Två", "styrelseledamot")
	role("5560000002", "P1", "Per Ett", "styrelseledamot")
	role("5560000002", "P5", "Pål Fem", "ordforande")
	role("5560000003", "P1", "Per Ett", "suppleant")
	role("5560000003", "P3", "Pia Tre", "vd")
	role("5560000004", "P3", "Pia Tre", "styrelseledamot")
	role("5560000004", "P4", "Per Fyra", "vd")
	role("5560000005", "P4", "Per Fyra", "styrelseledamot")
	items = append(items, record.Item{Subject: record.PersonSubjectPrefix + "P2", Source: record.Naringsforbud, Pos: "t:1",
		Parsed: record.Ban{Person: record.PersonRef{ID: "P2", Name: "Pia Två"}, From: start.AddDate(5, 0, 0), Type: "naringsforbud"}})
	obs := make([]store.Observation, len(items))
	for i, it := range items {
		obs[i] = store.Observation{Item: it, Observed: start.AddDate(6, 0, 0)}
	}
	if _, err := st.Put(obs); err != nil {
		t.Fatal(err)
	}
	return &Workplace{Store: st}
}

func TestNetwork(t *testing.T) {
	w := chain(t)
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	nodes := func(g *NetworkGraph) (orgs, persons, expanded []string) {
		for _, n := range g.Nodes {
			if n.Org != "" {
				orgs = append(orgs, n.Org)
				if n.Expanded {
					expanded = append(expanded, n.Org)
				}
			} else {
				persons = append(persons, n.Person)
			}
		}
		return orgs, persons, expanded
	}
	for _, tc := range []struct {
		name                    string
		opt                     NetworkOptions
		orgs, persons, expanded []string
		edges                   int
		truncated               bool
	}{
		{"one hop", NetworkOptions{Depth: 1, MassAddress: 2},
			[]string{"5560000001", "5560000002", "5560000003"}, []string{"P1", "P2"}, []string{"5560000001"}, 4, false},
		{"two hops", NetworkOptions{Depth: 2, MassAddress: 2},
			[]string{"5560000001", "5560000002", "5560000003", "5560000004"}, []string{"P1", "P2", "P5", "P3"},
			[]string{"5560000001", "5560000002", "5560000003"}, 7, false},
		{"three hops", NetworkOptions{Depth: 3, MassAddress: 2},
			[]string{"5560000001", "5560000002", "5560000003", "5560000004", "5560000005"}, []string{"P1", "P2", "P5", "P3", "P4"},
			[]string{"5560000001", "5560000002", "5560000003", "5560000004"}, 9, false},
		{"bounded", NetworkOptions{Depth: 3, MaxNodes: 4},
			[]string{"5560000001", "5560000002", "5560000003"}, []string{"P1"}, []string{"5560000001"}, 3, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := w.Network("5560000001", at, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			orgs, persons, expanded := nodes(g)
			if !slices.Equal(orgs, tc.orgs) || !slices.Equal(persons, tc.persons) || !slices.Equal(expanded, tc.expanded) {
				t.Errorf("orgs %v, persons %v, expanded %v; want %v, %v, %v", orgs, persons, expanded, tc.orgs, tc.persons, tc.expanded)
			}
			if len(g.Edges) != tc.edges || g.Truncated != tc.truncated {
				t.Errorf("%d edges, truncated %v; want %d, %v: %+v", len(g.Edges), g.Truncated, tc.edges, tc.truncated, g.Edges)
			}
		})
	}

	g, err := w.Network("5560000001", at, NetworkOptions{Depth: 1, MassAddress: 2})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*NetNode{}
	for _, n := range g.Nodes {
		byID[n.Org+n.Person] = n
	}
	if a := byID["5560000001"]; a.Name != "Alfa AB" || a.Hop != 0 || !a.MassAddress || a.OrgsAtAddress != 2 {
		t.Errorf("the supplier %+v; want its name, hop 0, a mass address of 2 (B is deregistered)", a)
	}
	if b := byID["5560000002"]; b.Bankruptcy.IsZero() || b.Deregistered.IsZero() || b.DeregisteredReason != "KKAV" || b.Hop != 1 {
		t.Errorf("the bankrupt organisation %+v", b)
	}
	if p := byID["P2"]; p.Name != "Pia Två" || !p.BannedNow || len(p.Bans) != 1 {
		t.Errorf("the banned person %+v", p)
	}
	if p := byID["P1"]; p.BannedNow || p.Name != "Per Ett" || p.BirthYear != 1970 {
		t.Errorf("the person without a ban %+v", p)
	}
	if !slices.ContainsFunc(g.Edges, func(e NetEdge) bool {
		return e.Person == "P1" && e.Org == "5560000002" && e.Role == "styrelseledamot" && e.Current
	}) {
		t.Errorf("no edge P1 → B: %+v", g.Edges)
	}

	for _, depth := range []int{0, -1, MaxNetworkDepth + 1} {
		var fe *FieldError
		if _, err := w.Network("5560000001", at, NetworkOptions{Depth: depth}); !errors.As(err, &fe) || fe.Field != "depth" {
			t.Errorf("depth %d: %v, want a FieldError on depth", depth, err)
		}
	}
	g, err = w.Network("5566778899", at, NetworkOptions{Depth: 2})
	if err != nil || len(g.Nodes) != 1 || g.Nodes[0].Known {
		t.Errorf("an organisation nothing is known of: %v, %+v; want one node, not known", err, g)
	}
}
