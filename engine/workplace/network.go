package workplace

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
)

// The network of a supplier, as the dossier draws it: organisations and
// the persons who hold or held roles in them, hop by hop from the
// supplier. Hop 0 is the supplier; its representatives lead to their
// other organisations (hop 1); their representatives to theirs (hop 2),
// and so on up to the depth asked for. An organisation at a hop below the
// depth is expanded (its representatives are in the graph); one at the
// depth is not, and a caller expands it by asking for its own network.
//
// What the graph holds comes from the store's network index (roles,
// registry facts, trading bans: profile.StoreNetwork) and, for the names
// of the persons, the role records of the expanded organisations.

// Network bounds.
const (
	MaxNetworkDepth = 3   // hops from the supplier
	MaxNetworkNodes = 150 // organisations and persons together
)

// NetNode is an organisation or a person of a network.
type NetNode struct {
	Org    string // organisation number; "" for a person
	Person string // pseudonym; "" for an organisation
	Name   string
	Hop    int // of an organisation: hops from the supplier; of a person: that of the first organisation it was met at
	// Expanded: an organisation whose representatives are in the graph.
	Expanded bool
	// An organisation's registry facts (zero when none are known).
	Bankruptcy, Deregistered time.Time
	DeregisteredReason       string
	Address                  string // normalised
	OrgsAtAddress            int    // organisations registered at Address
	MassAddress              bool   // at least the mass-address threshold
	Known                    bool   // the registry has a record of it
	// A person's.
	BirthYear int
	Bans      []record.Ban // trading bans, any time
	BannedNow bool         // a ban in force at the network's time
}

// NetEdge is a role: a person's in an organisation.
type NetEdge struct {
	Person, Org string // pseudonym, organisation number
	Role        string
	From, To    time.Time
	Current     bool
}

// NetworkGraph is a supplier's network as of At.
type NetworkGraph struct {
	Root      string
	At        time.Time
	Depth     int
	Nodes     []*NetNode // organisations and persons, in the order met (breadth first)
	Edges     []NetEdge
	Truncated bool // MaxNetworkNodes was reached: not every node is in
}

// NetworkOptions are a network's bounds.
type NetworkOptions struct {
	Depth    int // 1..MaxNetworkDepth
	MaxNodes int // 0: MaxNetworkNodes
	// MassAddress is the number of organisations at one address that
	// marks it a mass address (S12's mass_address_orgs); 0 marks none.
	MassAddress int
}

// Network builds orgnr's network as of at.
func (w *Workplace) Network(orgnr string, at time.Time, opt NetworkOptions) (*NetworkGraph, error) {
	if opt.Depth < 1 || opt.Depth > MaxNetworkDepth {
		return nil, &FieldError{"depth", fmt.Sprintf("must be 1 to %d", MaxNetworkDepth)}
	}
	maxNodes := cmp.Or(opt.MaxNodes, MaxNetworkNodes)
	net := profile.NewStoreNetwork(w.Store, at, w.ProfileConfig())
	g := &NetworkGraph{Root: orgnr, At: at, Depth: opt.Depth}
	orgs, persons := map[string]*NetNode{}, map[string]*NetNode{}
	edges := map[NetEdge]bool{}
	full := func() bool {
		if len(g.Nodes) >= maxNodes {
			g.Truncated = true
			return true
		}
		return false
	}
	addOrg := func(o string, hop int) *NetNode {
		if n, ok := orgs[o]; ok {
			return n
		}
		if full() {
			return nil
		}
		n := &NetNode{Org: o, Hop: hop}
		if f := net.Org(o); f != nil {
			n.Known, n.Name, n.Bankruptcy, n.Deregistered, n.DeregisteredReason, n.Address =
				true, f.Name, f.Bankruptcy, f.Deregistered, f.DeregisteredReason, f.Address
			if f.Address != "" {
				n.OrgsAtAddress = net.OrgsAt(f.Address)
				n.MassAddress = opt.MassAddress > 0 && n.OrgsAtAddress >= opt.MassAddress
			}
		}
		orgs[o] = n
		g.Nodes = append(g.Nodes, n)
		return n
	}
	addPerson := func(ref record.PersonRef, hop int) *NetNode {
		if n, ok := persons[ref.ID]; ok {
			if n.Name == "" {
				n.Name, n.BirthYear = ref.Name, cmp.Or(n.BirthYear, ref.BirthYear)
			}
			return n
		}
		if full() {
			return nil
		}
		n := &NetNode{Person: ref.ID, Name: ref.Name, Hop: hop, BirthYear: ref.BirthYear}
		bans, _ := net.Bans(ref.ID)
		for _, b := range bans {
			if b.Type == record.NoBan {
				continue
			}
			n.Bans = append(n.Bans, b)
			if !b.From.After(at) && (b.To.IsZero() || b.To.After(at)) {
				n.BannedNow = true
			}
			if n.Name == "" {
				n.Name = b.Person.Name
			}
		}
		persons[ref.ID] = n
		g.Nodes = append(g.Nodes, n)
		return n
	}
	addEdge := func(r record.Role) {
		e := NetEdge{Person: r.Person.ID, Org: r.Orgnr, Role: r.Role, From: r.From, To: r.To, Current: r.To.IsZero() || r.To.After(at)}
		if !edges[e] {
			edges[e] = true
			g.Edges = append(g.Edges, e)
		}
	}
	if addOrg(orgnr, 0) == nil {
		return g, nil
	}
	frontier := []string{orgnr}
	for hop := 0; hop < opt.Depth && len(frontier) > 0 && !g.Truncated; hop++ {
		var next []string
		for _, o := range frontier {
			roles, err := w.orgRoles(o, at)
			if err != nil {
				return nil, err
			}
			orgs[o].Expanded = true
			for _, r := range roles {
				pn := addPerson(r.Person, hop)
				if pn == nil {
					break
				}
				addEdge(r)
				for _, pr := range net.PersonRoles(r.Person.ID) {
					if pr.Orgnr == o {
						continue
					}
					_, seen := orgs[pr.Orgnr]
					on := addOrg(pr.Orgnr, hop+1)
					if on == nil {
						break
					}
					addEdge(pr)
					if !seen {
						next = append(next, pr.Orgnr)
					}
				}
			}
		}
		frontier = next
	}
	if err := net.Err(); err != nil {
		return nil, fmt.Errorf("workplace: network of %s: %w", orgnr, err)
	}
	return g, nil
}

// orgRoles are the role records of an organisation as of at, with the
// persons' names, ordered by person and start.
func (w *Workplace) orgRoles(orgnr string, at time.Time) ([]record.Role, error) {
	recs, err := w.Store.Subject(orgnr, store.ScanOptions{At: at, Only: func(id store.RecordID) bool { return id.Source == record.Roles }})
	if err != nil {
		return nil, fmt.Errorf("workplace: roles of %s: %w", orgnr, err)
	}
	var out []record.Role
	for _, rec := range recs {
		if rec.Current == nil {
			continue
		}
		var r record.Role
		if err := json.Unmarshal(rec.Current.Parsed, &r); err != nil {
			return nil, fmt.Errorf("workplace: %s: %w", rec.ID, err)
		}
		if r.Person.ID == "" {
			continue
		}
		r.Orgnr = cmp.Or(r.Orgnr, orgnr)
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(a, b record.Role) int {
		return cmp.Or(cmp.Compare(a.Person.Name, b.Person.Name), cmp.Compare(a.Person.ID, b.Person.ID), a.From.Compare(b.From))
	})
	return out, nil
}
