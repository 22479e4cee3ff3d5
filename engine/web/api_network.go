package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/workplace"
)

// The network of a supplier (workplace.Network) as a principal may see
// it: GET /api/v1/suppliers/{orgnr}/network?depth=, and the dossier's
// network view, which draws the same answer.
//
// Persons by role: a principal with access.ViewPersons sees each person
// by name, birth year and trading bans, and each such answer writes
// audit.ViewPersons (view "network"). One without sees the structure
// only: each person is a placeholder ("en företrädare") with no name,
// year, pseudonym or ban, numbered within the answer (so one person
// met twice in two answers is not known to be the same), and a sole
// trader as SoleTrader with its number masked (personal.go). Nothing
// about a person is then audited, as nothing about one is shown.

// defaultNetworkDepth is the supplier, its representatives, their other
// organisations and one more hop.
const defaultNetworkDepth = 2

// defaultMassAddress is S12's mass_address_orgs when the running rule
// set does not say.
const defaultMassAddress = 10

type networkNode struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"` // organisation, person
	Orgnr    string `json:"orgnr,omitempty"`
	OrgnrRef string `json:"orgnr_ref,omitempty"`
	Name     string `json:"name"`
	Hop      int    `json:"hop"`
	Root     bool   `json:"root,omitempty"`
	Expanded bool   `json:"expanded"`
	Withheld bool   `json:"withheld,omitempty"` // a person (or sole trader) the principal may not see

	Bankruptcy         time.Time `json:"bankruptcy,omitzero"`
	Deregistered       time.Time `json:"deregistered,omitzero"`
	DeregisteredReason string    `json:"deregistered_reason,omitempty"`
	OrgsAtAddress      int       `json:"orgs_at_address,omitempty"`
	MassAddress        bool      `json:"mass_address,omitempty"`

	BirthYear  int          `json:"birth_year,omitempty"`
	TradingBan bool         `json:"trading_ban,omitempty"` // a ban in force
	Bans       []networkBan `json:"bans,omitempty"`
}

type networkBan struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to,omitzero"`
	Type string    `json:"type"`
}

type networkEdge struct {
	Source  string    `json:"source"` // a person's node
	Target  string    `json:"target"` // an organisation's node
	Role    string    `json:"role"`
	From    time.Time `json:"from,omitzero"`
	To      time.Time `json:"to,omitzero"`
	Current bool      `json:"current"`
}

type networkAnswer struct {
	Root            string        `json:"root"` // the supplier's node
	At              time.Time     `json:"at"`
	Depth           int           `json:"depth"`
	MaxNodes        int           `json:"max_nodes"`
	Truncated       bool          `json:"truncated"`
	PersonsWithheld bool          `json:"persons_withheld"`
	Nodes           []networkNode `json:"nodes"`
	Edges           []networkEdge `json:"edges"`
}

// massAddressOrgs is the running rule set's mass-address threshold.
func (s *Server) massAddressOrgs() int {
	if s.Screener != nil && s.Screener.Rules != nil {
		if set := s.Screener.Rules(); set != nil {
			if r := set.Rule("S12"); r != nil {
				if v, ok := r.Param("mass_address_orgs"); ok && v > 0 {
					return int(v)
				}
			}
		}
	}
	return defaultMassAddress
}

// buildNetwork is o's network as p may see it, with the number of
// persons it names (0 when they are withheld), or nil when nothing is
// known of o.
func (s *Server) buildNetwork(p *access.Principal, o ident.Org, depth int) (*networkAnswer, int, error) {
	g, err := s.workplace().Network(o.String(), s.now(), workplace.NetworkOptions{Depth: depth, MassAddress: s.massAddressOrgs()})
	var fe *workplace.FieldError
	if errors.As(err, &fe) {
		return nil, 0, badField(fe.Field, "%s", fe.Problem)
	}
	if err != nil {
		return nil, 0, err
	}
	if len(g.Nodes) == 1 && !g.Nodes[0].Known {
		return nil, 0, nil
	}
	a := networkFor(p, g)
	if a.PersonsWithheld {
		return a, 0, nil
	}
	return a, len(g.Nodes) - countOrgs(g), nil
}

// network is o's network as p may see it, audited when it names persons
// (via: api or web); 404 when nothing is known of o.
func (s *Server) network(p *access.Principal, via string, o ident.Org, depth int) (*networkAnswer, error) {
	a, persons, err := s.buildNetwork(p, o, depth)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, errStatus(http.StatusNotFound, "organisation %s: nothing is known of it", o.Redacted())
	}
	if persons > 0 {
		d := map[string]string{"via": via, "view": "network", "depth": strconv.Itoa(depth), "persons": strconv.Itoa(persons)}
		if _, err := s.Audit.Record(audit.Entry{At: s.now(), Actor: p.UserID, Action: audit.ViewPersons, Object: o.String(), Detail: d}); err != nil {
			return nil, err
		}
	}
	return a, nil
}

func countOrgs(g *workplace.NetworkGraph) int {
	n := 0
	for _, x := range g.Nodes {
		if x.Org != "" {
			n++
		}
	}
	return n
}

// networkFor is g as p may see it.
func networkFor(p *access.Principal, g *workplace.NetworkGraph) *networkAnswer {
	persons := p.Can(access.ViewPersons)
	a := &networkAnswer{At: g.At, Depth: g.Depth, MaxNodes: workplace.MaxNetworkNodes, Truncated: g.Truncated, PersonsWithheld: !persons,
		Nodes: []networkNode{}, Edges: []networkEdge{}}
	ids := map[string]string{} // "o" + org number or "p" + pseudonym → node id
	placeholders := 0
	for _, n := range g.Nodes {
		var v networkNode
		if n.Org != "" {
			v = networkNode{ID: "o:" + ref(p, n.Org, n.Org), Kind: "organisation", Orgnr: orgnrFor(p, n.Org), OrgnrRef: orgnrRef(p, n.Org),
				Name: nameFor(p, n.Org, n.Name), Hop: n.Hop, Root: n.Org == g.Root, Expanded: n.Expanded, Withheld: hidden(p, n.Org),
				Bankruptcy: n.Bankruptcy, Deregistered: n.Deregistered, DeregisteredReason: n.DeregisteredReason,
				OrgsAtAddress: n.OrgsAtAddress, MassAddress: n.MassAddress}
			ids["o"+n.Org] = v.ID
			if v.Root {
				a.Root = v.ID
			}
		} else {
			v = networkNode{ID: "p:" + n.Person, Kind: "person", Hop: n.Hop, Expanded: true}
			if persons {
				v.Name, v.BirthYear, v.TradingBan = n.Name, n.BirthYear, n.BannedNow
				for _, b := range n.Bans {
					v.Bans = append(v.Bans, networkBan{From: b.From, To: b.To, Type: b.Type})
				}
			} else {
				placeholders++
				v.ID, v.Withheld = "x"+strconv.Itoa(placeholders), true
			}
			ids["p"+n.Person] = v.ID
		}
		a.Nodes = append(a.Nodes, v)
	}
	for _, e := range g.Edges {
		src, ok1 := ids["p"+e.Person]
		dst, ok2 := ids["o"+e.Org]
		if !ok1 || !ok2 {
			continue // a node left out (MaxNetworkNodes)
		}
		a.Edges = append(a.Edges, networkEdge{Source: src, Target: dst, Role: e.Role, From: e.From, To: e.To, Current: e.Current})
	}
	return a
}

// supplierNetwork: GET /api/v1/suppliers/{orgnr}/network?depth=.
func (s *Server) supplierNetwork(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	q, err := queryParams(r, "depth")
	if err != nil {
		return err
	}
	o, err := orgParam(r)
	if err != nil {
		return err
	}
	depth := defaultNetworkDepth
	if v := q.Get("depth"); v != "" {
		if depth, err = strconv.Atoi(v); err != nil {
			return badField("depth", "not a whole number: %q", v)
		}
	}
	via := "api"
	if p.Via == access.ViaSession {
		via = "web"
	}
	a, err := s.network(p, via, o, depth)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}
