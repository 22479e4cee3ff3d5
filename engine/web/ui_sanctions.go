package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/watchlist"
)

// The section "Sanktionslistor" of the supplier page, the alert page and
// the printed decision basis: the assessment's sanctions candidates (S18),
// each with the judgements made on it, and for a user who may decide a
// form "Inte samma person/organisation" (POST
// /suppliers/{orgnr}/sanctions/judgements).

// sanctionsSection is the section's data.
type sanctionsSection struct {
	Orgnr string // the organisation's reference in paths (ref)
	// Back is where the form returns: the page's own path.
	Back       string
	Candidates []sanctionRow
	// Judgements are every judgement on the organisation's candidates,
	// newest first, with whether each is in force now.
	Judgements []watchlist.JudgementState
	CanJudge   bool // decide, and view_persons for persons' candidates
	Withheld   bool // persons' names withheld (no view_persons)
	Print      bool // the printed basis: no forms
}

// sanctionRow is one candidate.
type sanctionRow struct {
	*profile.Sanction
	IsPerson bool     // a representative's candidate (else the organisation's)
	Roles    []string // the representative's role codes
	InForce  bool     // a judgement in force sets it aside now
	FormID   string   // ids of the form's fields
	Judgable bool     // the form is offered: not an identifier match, not set aside
}

// withheldSanctions are an assessment's candidates as a principal
// without view_persons may see them: a representative's name and
// pseudonym withheld, a sole trader's name replaced.
func withheldSanctions(in []*profile.Sanction, soleTrader bool) []*profile.Sanction {
	out := make([]*profile.Sanction, 0, len(in))
	for _, c := range in {
		cc := *c
		switch {
		case cc.Subject != watchlist.SubjectOrganisation:
			cc.Name, cc.Person = withheldPerson, ""
		case soleTrader:
			cc.Name = SoleTrader
		}
		out = append(out, &cc)
	}
	return out
}

// personCandidates reports whether an assessment names a representative
// among its sanctions candidates.
func personCandidates(a *screening.Assessment) bool {
	for _, c := range a.Sanctions {
		if c.Subject != watchlist.SubjectOrganisation {
			return true
		}
	}
	return false
}

// sanctionsOf builds the section for the assessment a (as p may see it;
// nil: none) of organisation orgnr, with the judgements as of now.
func (s *Server) sanctionsOf(p *access.Principal, orgnr string, a *screening.Assessment, back string, print bool) (*sanctionsSection, error) {
	sec := &sanctionsSection{Orgnr: ref(p, orgnr, orgnr), Back: back, Print: print, Withheld: !p.Can(access.ViewPersons),
		CanJudge: !print && p.Can(access.Decide)}
	var js []watchlist.JudgementState
	if !print { // the printed basis shows the candidates as the assessment judged them (Dismissed)
		var err error
		if js, err = s.judgementStates(orgnr); err != nil {
			return nil, err
		}
	}
	if sec.Withheld {
		for i := range js {
			if js[i].Subject != watchlist.SubjectOrganisation {
				js[i].Subject = withheldPerson
			}
		}
	}
	sec.Judgements = js
	if a == nil {
		return sec, nil
	}
	for i, c := range a.Sanctions {
		row := sanctionRow{Sanction: c, IsPerson: c.Subject != watchlist.SubjectOrganisation, FormID: "sanc-" + strconv.Itoa(i)}
		if c.Roles != "" {
			row.Roles = strings.Split(c.Roles, ",")
		}
		subject := watchlist.SubjectOrganisation
		if row.IsPerson {
			subject = c.Person
		}
		row.InForce = print && c.Dismissed
		for _, j := range js {
			if j.InForce && j.Subject == subject && string(j.List) == c.List && j.EntityID == c.EntityID {
				row.InForce = true
			}
		}
		row.Judgable = sec.CanJudge && !c.Identifier && !row.InForce && (!row.IsPerson || c.Person != "")
		sec.Candidates = append(sec.Candidates, row)
	}
	return sec, nil
}

// uiJudge: POST /suppliers/{orgnr}/sanctions/judgements: subject, list,
// entity_id, reason and back (the page to return to). What it refuses
// is the API's refusal on the error page.
func (s *Server) uiJudge(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	vals, err := postForm(r)
	if err != nil {
		return err
	}
	o, err := orgParam(r)
	if err != nil {
		return err
	}
	req := judgementRequest{Subject: vals.Get("subject"), List: vals.Get("list"), EntityID: vals.Get("entity_id"), Reason: vals.Get("reason")}
	_, err = s.judge(p, o.String(), req, "web")
	switch lang := uiLang(nil, r); {
	case errors.Is(err, watchlist.ErrIdentifierMatch):
		s.uiError(w, r, http.StatusUnprocessableEntity, uiT(lang, "sanc.err.identifier"), "")
		return nil
	case errors.Is(err, watchlist.ErrNotListed):
		s.uiError(w, r, http.StatusConflict, uiT(lang, "sanc.err.notlisted"), "")
		return nil
	case err != nil:
		return err
	}
	back := vals.Get("back")
	if !strings.HasPrefix(back, "/alerts/") && !strings.HasPrefix(back, "/suppliers/") || strings.ContainsAny(back, "?#\\") || strings.Contains(back, "//") {
		back = "/suppliers/" + ref(p, o.String(), o.String())
	}
	seeOther(w, r, back, "judgement", "sanctions")
	return nil
}

// MatchScore is a sanctions candidate's score with two decimals, as the
// explanations give their similarities ("0,78" in Swedish).
func (v *view) MatchScore(f float64) string {
	s := strconv.FormatFloat(f, 'f', 2, 64)
	if v.Lang == "sv" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}
