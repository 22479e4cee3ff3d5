package web

import (
	"slices"
	"strconv"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/rules"
)

// Personal data. Representatives (board members, the CEO, a sole
// trader's owner) and beneficial owners are personal data: they are shown
// only to principals granted access.ViewPersons, and every answer that
// shows them appends an audit.ViewPersons entry first (no entry, no
// data). A hit whose rule reads persons (its evidence names one of
// personSources) may name them in its message: viewers get the hit with
// its message withheld (withheldMessage) and the answer says
// "persons_withheld": true.

// personSources are the evidence names of rules that read persons.
var personSources = []string{record.Roles, record.Huvudman, record.Naringsforbud, profile.EvidenceNetwork}

// withheldMessage replaces a person-reading hit's message for viewers.
var withheldMessage = rules.Text{
	SV: "Uppgifter om personer visas bara för användare som får se personuppgifter.",
	EN: "Details about persons are shown only to users allowed to see personal data.",
}

// personHit reports whether a hit's rule reads persons: the running rule
// set's evidence for it, or the sources of the records it cites.
func (s *Server) personHit(h screening.Hit) bool {
	if s.Screener != nil && s.Screener.Rules != nil {
		if set := s.Screener.Rules(); set != nil {
			if r := set.Rule(h.ID); r != nil && slices.ContainsFunc(r.Evidence, isPersonSource) {
				return true
			}
		}
	}
	return slices.ContainsFunc(h.Evidence, func(ref profile.Ref) bool { return isPersonSource(ref.Source) })
}

func isPersonSource(src string) bool { return slices.Contains(personSources, src) }

// forPrincipal returns the assessment as the principal may see it: as it
// is with ViewPersons, else a copy with the messages of person-reading
// hits withheld (of every hit, for a sole trader: what the registry says
// of one, their address say, is about a person). withheld says whether
// any was; shown whether the answer shows such a message.
func (s *Server) forPrincipal(a *screening.Assessment, p *access.Principal) (out *screening.Assessment, withheld, shown bool) {
	if a == nil {
		return nil, false, false
	}
	if p.Can(access.ViewPersons) {
		return a, false, len(a.Hits) > 0 && (personalOrg(a.Orgnr) || slices.ContainsFunc(a.Hits, s.personHit))
	}
	c := *a
	c.Hits = slices.Clone(a.Hits)
	c.Name = nameFor(p, a.Orgnr, a.Name)
	soleTrader := personalOrg(a.Orgnr)
	for i := range c.Hits {
		if soleTrader || s.personHit(c.Hits[i]) {
			c.Hits[i].Message = withheldMessage
			withheld = true
		}
	}
	return &c, withheld, false
}

// persons is the personal-data part of an answer.
type persons struct {
	AsOf             time.Time        `json:"as_of"`
	Representatives  []representative `json:"representatives"`
	BeneficialOwners []owner          `json:"beneficial_owners"`
}

// representative is one role of a person in the organisation.
type representative struct {
	Person       string    `json:"person"` // the pseudonym records key the person by
	Name         string    `json:"name"`
	Role         string    `json:"role"`
	From         time.Time `json:"from,omitzero"`
	To           time.Time `json:"to,omitzero"`
	Current      bool      `json:"current"`
	Board        bool      `json:"board"`
	BirthYear    int       `json:"birth_year,omitempty"`
	Coordination bool      `json:"coordination_number,omitempty"`
	Seats        int       `json:"seats"`       // current board and CEO seats in distinct organisations
	TradingBan   bool      `json:"trading_ban"` // a trading ban in force at as_of
}

type owner struct {
	Name string `json:"name"`
}

func personsOf(p *profile.Profile) *persons {
	out := &persons{AsOf: p.At, Representatives: []representative{}, BeneficialOwners: []owner{}}
	for _, r := range p.Roles {
		banned := slices.ContainsFunc(r.Bans, func(b *profile.Ban) bool {
			return !b.From.After(p.At) && (b.To.IsZero() || b.To.After(p.At))
		})
		out.Representatives = append(out.Representatives, representative{Person: r.Person, Name: r.Name, Role: r.Role,
			From: r.From, To: r.To, Current: r.Current, Board: r.Board, BirthYear: r.BirthYear, Coordination: r.Coordination,
			Seats: r.Seats, TradingBan: banned})
	}
	if p.Owners != nil {
		for _, n := range p.Owners.Names {
			out.BeneficialOwners = append(out.BeneficialOwners, owner{Name: n})
		}
	}
	return out
}

// profileOf builds an organisation's profile as of at; found is false
// when the store has no record of it (workplace.Profile).
func (s *Server) profileOf(orgnr string, at time.Time) (*profile.Profile, bool, error) {
	return s.workplace().Profile(orgnr, at)
}

// auditPersons records that the principal is shown personal data of an
// organisation (object: the alert's id or the organisation number).
func (s *Server) auditPersons(p *access.Principal, object, view string, ps *persons, hitsShown bool) error {
	d := map[string]string{"via": "api", "view": view}
	if ps != nil {
		d["representatives"] = strconv.Itoa(len(ps.Representatives))
		d["beneficial_owners"] = strconv.Itoa(len(ps.BeneficialOwners))
	}
	if hitsShown {
		d["hit_messages"] = "shown"
	}
	_, err := s.Audit.Record(audit.Entry{At: s.now(), Actor: p.UserID, Action: audit.ViewPersons, Object: object, Detail: d})
	return err
}

// personalOrg reports whether an organisation number is a sole trader's
// personnummer.
func personalOrg(orgnr string) bool {
	o, err := ident.ParseOrg(orgnr)
	return err == nil && o.Personal()
}
