package web

import (
	"slices"
	"strconv"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/profile"
)

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
