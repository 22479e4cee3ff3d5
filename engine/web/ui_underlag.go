package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
)

// underlagPage is the data of a decision's printable basis.
type underlagPage struct {
	Decision *review.Decision
	Alert    *review.Alert
	// Assessment is the one the decision rested on (Evidence.AssessmentAt),
	// as the user may see it; nil when it is no longer stored.
	Assessment   *screening.Assessment
	Hits         []hitView
	Withheld     bool
	Records      []evidenceView // every record version the decision rested on
	Contracts    []contractRef
	Profile      *profile.Profile
	ShowPersonal bool
	PrintedBy    string
}

// contractRef is a contract a decision concerns, with what is known of it.
type contractRef struct {
	ID       string
	Contract *record.Contract // nil when the store has no such contract
}

// uiUnderlag: GET /decisions/{id}/underlag, everything the decision
// rested on, for print: the organisation, the decision, the assessment
// (its hits, messages, legal references), every record version, and the
// alert's history.
func (s *Server) uiUnderlag(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	d, err := s.Desk.Decision(pathValue(r, "id"))
	if err != nil {
		return err
	}
	a, err := s.Desk.Alert(d.AlertID)
	if err != nil {
		return err
	}
	data := underlagPage{Decision: d, Alert: a, PrintedBy: p.UserID}
	data.ShowPersonal = !hidden(p, d.Orgnr)
	var rested *screening.Assessment
	err = s.Store.Assessments(d.Orgnr, func(at time.Time, raw []byte) error {
		if rested != nil || !at.Equal(d.Evidence.AssessmentAt) {
			return nil
		}
		var as screening.Assessment
		if err := json.Unmarshal(raw, &as); err != nil {
			return fmt.Errorf("assessment at %s: %w", at.Format(time.RFC3339), err)
		}
		if as.At.Equal(d.Evidence.AssessmentAt) {
			rested = &as
		}
		return nil
	})
	if err != nil {
		return err
	}
	var shown bool
	data.Assessment, data.Withheld, shown = s.forPrincipal(rested, p)
	data.Hits = hitViews(data.Assessment, p)
	for _, ref := range d.Evidence.Records {
		data.Records = append(data.Records, evidenceView{Ref: ref, RawURL: rawURL(d.Orgnr, ref, p)})
	}
	now := s.now()
	if prof, _, err := s.profileOf(d.Orgnr, d.DecidedAt); err == nil {
		data.Profile = prof
	} else {
		return err
	}
	own, err := s.ownContracts(d.Orgnr, now)
	if err != nil {
		return err
	}
	for _, id := range d.Contracts {
		cr := contractRef{ID: id}
		if i := slices.IndexFunc(own, func(c record.Contract) bool { return c.ID == id }); i >= 0 {
			cr.Contract = &own[i]
		}
		data.Contracts = append(data.Contracts, cr)
	}
	if shown {
		if err := s.auditWeb(p, audit.ViewPersons, a.ID, "view", "underlag", "decision", d.ID, "hit_messages", "shown"); err != nil {
			return err
		}
	}
	data.Decision, data.Alert = decisionFor(p, d, false), alertFor(p, a, false) // personal.go
	v := s.newView(w, r, "queue", &data)
	v.Title = v.T("ul.title", d.ID)
	v.Self = "/decisions/" + ref(p, d.Orgnr, d.ID) + "/underlag"
	s.render(w, r, http.StatusOK, "underlag", v)
	return nil
}
