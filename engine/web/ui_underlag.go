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

// Municipality is who the service works for, as printed pages name it
// (settings.Municipality).
type Municipality struct {
	Name     string
	LogoText string // the letterhead's logo line; "": Name
}

// Logo is the letterhead's logo line: LogoText, or else Name.
func (m Municipality) Logo() string {
	if m.LogoText != "" {
		return m.LogoText
	}
	return m.Name
}

// underlagPage is the data of a decision's printable basis.
type underlagPage struct {
	Municipality Municipality
	Decision     *review.Decision
	Alert        *review.Alert
	// Assessment is the one the decision rested on (Evidence.AssessmentAt),
	// as the user may see it; nil when it is no longer stored.
	Assessment   *screening.Assessment
	Hits         []hitView
	Withheld     bool
	Records      []underlagRecord // every record version the decision rested on
	Contracts    []contractRef
	Signatures   []signature // the decider's, then the approver's when the kind needs one
	Profile      *profile.Profile
	ShowPersonal bool
	PrintedBy    string
	Sanctions    *sanctionsSection
}

// underlagRecord is a record version a decision rested on, with the
// SHA-256 of its stored content ("" when the store no longer holds it).
type underlagRecord struct {
	evidenceView
	SHA256 string
}

// signature is a line of the basis's signature block: who took a step
// of the decision (Act: "decider" or "approver"), in which role, when;
// User "" leaves the block to be filled in by hand (an approval still
// awaited).
type signature struct {
	Act  string
	User string
	Role access.Role // the user's role that allowed the step; "" unknown
	At   time.Time
}

// signatures are the decision's signature block: the decider, and for a
// kind that needs four eyes (or was approved) the approver.
func (s *Server) signatures(d *review.Decision) []signature {
	out := []signature{{Act: "decider", User: d.Decider(), Role: s.roleFor(d.Decider(), access.Decide), At: d.DecidedAt}}
	if d.Kind.FourEyes() || d.ApprovedBy != "" {
		out = append(out, signature{Act: "approver", User: d.ApprovedBy, Role: s.roleFor(d.ApprovedBy, access.Approve), At: d.ApprovedAt})
	}
	return out
}

// roleFor is the first of a user's roles that grants perm; "" for an
// unknown user (or a token).
func (s *Server) roleFor(id string, perm access.Permission) access.Role {
	if id == "" || s.Guard == nil || s.Guard.Dir == nil {
		return ""
	}
	u, ok := s.Guard.Dir.User(id)
	if !ok {
		return ""
	}
	for _, r := range u.Roles {
		if r.Can(perm) {
			return r
		}
	}
	return ""
}

// contractRef is a contract a decision concerns, with what is known of it.
type contractRef struct {
	ID       string
	Contract *record.Contract // nil when the store has no such contract
}

// uiUnderlag: GET /decisions/{id}/underlag, everything the decision
// rested on, for print on A4 (app.css's print section): a letterhead
// with the municipality and the diarienummer, the organisation, the
// decision and its legal ground, the supplier's hearing, the assessment
// (its hits, messages, legal references), every record version with the
// SHA-256 of its stored content, the alert's history, and a signature
// block for the decider and the approver.
func (s *Server) uiUnderlag(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	d, err := s.Desk.Decision(pathValue(r, "id"))
	if err != nil {
		return err
	}
	a, err := s.Desk.Alert(d.AlertID)
	if err != nil {
		return err
	}
	data := underlagPage{Municipality: s.Municipality, Decision: d, Alert: a, PrintedBy: p.UserID, Signatures: s.signatures(d)}
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
	if data.Sanctions, err = s.sanctionsOf(p, d.Orgnr, data.Assessment, "", true); err != nil {
		return err
	}
	hashes, err := s.workplace().EvidenceHashes(d.Evidence.Records)
	if err != nil {
		return err
	}
	for i, ref := range d.Evidence.Records {
		data.Records = append(data.Records, underlagRecord{evidenceView{Ref: ref, RawURL: rawURL(d.Orgnr, ref, p)}, hashes[i]})
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
