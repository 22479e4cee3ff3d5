package watchlist

import (
	"maps"
	"slices"
	"strings"

	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/sanctions"
	"github.com/vaksam/vaksam/engine/sanctions/match"
)

// Floor is the lowest score a candidate is kept with (Profile.Sanctions):
// the rules compare the scores with their own thresholds, which must not
// go below Floor, since a candidate scored under it never reaches them (a
// rule set whose sanctions thresholds do is refused: defaultpack.Load).
const Floor = 0.75

// perQuery bounds the candidates kept for one name.
const perQuery = 10

// auditor is the role that is not the organisation's to answer for: an
// auditor is screened with their own firm, not as a representative.
const auditor = "revisor"

// Screen fills p's sanctions facts from the lists v holds as of p's time:
// the candidates (Profile.Sanctions) the organisation (its name, its
// organisation number) and each current representative but auditors (the
// name, the birth year, the personnummer's pseudonym; once per person
// whatever their roles) may be, each at or above Floor; the state of each
// list source v holds (Profile.Sources: present as of its last import,
// so that the screening's windows tell a stale list); and the list entries
// the candidates rest on (Profile.Linked, by source), which hits cite.
// judgements is asked for the organisation's judgements only when it has
// a candidate that is not an identifier match; one that applies marks the
// candidate Dismissed. A nil v (no lists wired) leaves p as it is: the
// sanctions sources are then absent.
func Screen(v *View, p *profile.Profile, judgements func(orgnr string) ([]Judgement, error)) error {
	if v == nil {
		return nil
	}
	p.Sources = maps.Clone(p.Sources)
	if p.Sources == nil {
		p.Sources = map[string]*profile.SourceState{}
	}
	for _, l := range v.Lists {
		p.Sources[l.Source] = &profile.SourceState{Present: true, LastObserved: l.Observed, Records: l.Entities}
	}
	ss := Candidates(v, p)
	if len(ss) == 0 {
		p.Sanctions = nil
		return nil
	}
	if slices.ContainsFunc(ss, func(s *profile.Sanction) bool { return !s.Identifier }) && judgements != nil {
		js, err := judgements(p.Orgnr)
		if err != nil {
			return err
		}
		Dismiss(v, ss, js)
	}
	p.Sanctions = ss
	seen := map[profile.Ref]bool{}
	for _, s := range ss {
		if seen[s.Ref] {
			continue
		}
		seen[s.Ref] = true
		if p.Linked == nil {
			p.Linked = map[string][]profile.Ref{}
		}
		p.Linked[s.Source] = append(p.Linked[s.Source], s.Ref)
	}
	return nil
}

// Candidates returns the candidates of the organisation and its current
// representatives (auditors aside) in v at or above Floor: the
// organisation's first, then each person's in the order of the profile's
// roles, each best first. None is Dismissed yet (Dismiss).
func Candidates(v *View, p *profile.Profile) []*profile.Sanction {
	var out []*profile.Sanction
	org := match.Query{Name: p.Name, Kind: sanctions.Organisation, Identifiers: []string{p.Orgnr}}
	for _, c := range v.Search(org, Floor, perQuery) {
		out = append(out, sanction(c, profile.Sanction{Subject: SubjectOrganisation, Name: p.Name}))
	}
	for _, r := range representatives(p) {
		q := match.Query{Name: r.Name, Kind: sanctions.Person, BirthYear: r.BirthYear}
		if r.Person != "" {
			q.Identifiers = []string{r.Person}
		}
		for _, c := range v.Search(q, Floor, perQuery) {
			out = append(out, sanction(c, profile.Sanction{Subject: "person", Person: r.Person, Name: r.Name, Roles: r.Roles}))
		}
	}
	return out
}

// representative is one current representative with every current role.
type representative struct {
	Person, Name string
	BirthYear    int
	Roles        string
}

// representatives lists the profile's current representatives but
// auditors, one per person (by pseudonym; by name when there is none), in
// the order of their first role.
func representatives(p *profile.Profile) []*representative {
	var out []*representative
	by := map[string]*representative{}
	for _, r := range p.Roles {
		if !r.Current || r.Role == auditor || strings.TrimSpace(r.Name) == "" && r.Person == "" {
			continue
		}
		id := r.Person
		if id == "" {
			id = "name:" + r.Name
		}
		rep := by[id]
		if rep == nil {
			rep = &representative{Person: r.Person, Name: r.Name, BirthYear: r.BirthYear}
			by[id] = rep
			out = append(out, rep)
		}
		if rep.BirthYear == 0 {
			rep.BirthYear = r.BirthYear
		}
		if !strings.Contains(","+rep.Roles+",", ","+r.Role+",") {
			if rep.Roles != "" {
				rep.Roles += ","
			}
			rep.Roles += r.Role
		}
	}
	return out
}

// sanction is a candidate as a profile's fact, who was screened given.
func sanction(c Candidate, who profile.Sanction) *profile.Sanction {
	s := who
	s.List, s.EntityID, s.Listed, s.Score = string(c.List), c.EntityID, c.Name, c.Score
	if c.Entity != nil {
		s.Kind = string(c.Entity.Kind)
	}
	if e := c.Entry; e != nil {
		s.Source, s.Version, s.Ref = e.List.Source, e.List.Label(), e.Ref
	}
	s.Identifier = c.Match == match.ByIdentifier
	for _, f := range c.Explanation.Features {
		switch f.Feature {
		case "birth_year":
			s.BirthYear = f.Outcome
		case "nationality":
			s.Nationality = f.Outcome
		}
	}
	// A birth year corroborates a name whose every part found its
	// counterpart (the matcher counts it only then).
	paired := true
	for _, pr := range c.Explanation.Alignment {
		paired = paired && pr.Name != ""
	}
	s.Corroborated = s.Identifier || s.BirthYear == "agree" && paired
	s.Explanation = c.Explanation.String()
	return &s
}

// subject is the judgement subject a candidate is about.
func subject(s *profile.Sanction) string {
	if s.Subject == SubjectOrganisation {
		return SubjectOrganisation
	}
	return s.Person
}

// Dismiss marks the candidates a judgement sets aside as of v's time
// (Judgement.Applies): never an identifier match.
func Dismiss(v *View, ss []*profile.Sanction, js []Judgement) {
	for _, s := range ss {
		if s.Identifier {
			continue
		}
		e := v.Entry(sanctions.List(s.List), s.EntityID)
		for _, j := range js {
			if j.Applies(subject(s), e, v.At) {
				s.Dismissed = true
				break
			}
		}
	}
}

// Listed reports whether the View holds the entity: it was on its list as
// of the View's time.
func (v *View) Listed(list sanctions.List, id string) bool { return v.Entry(list, id) != nil }
