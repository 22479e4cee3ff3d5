package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/rules"
)

// suppressionRequest is the body of POST .../suppressions (and the
// supplier page's form).
type suppressionRequest struct {
	Indicator string `json:"indicator"`
	Reason    string `json:"reason"`
	// Expires: a date, the last day the suppression holds (it ends at the
	// start of the next day in Sweden), or an RFC 3339 time it ends at.
	Expires string `json:"expires"`
}

// suppressionState is a suppression with its state as of the supplier's
// newest follow-up assessment (screening.Suppression.Status).
type suppressionState struct {
	screening.Suppression
	Status string `json:"status"` // in_force, expired, new_evidence, no_hit
}

// suppressionList is the answer of GET .../suppressions.
type suppressionList struct {
	Suppressions []suppressionState `json:"suppressions"`
}

// listSuppressions: GET /api/v1/suppliers/{orgnr}/suppressions.
func (s *Server) listSuppressions(w http.ResponseWriter, r *http.Request, _ *access.Principal) error {
	o, err := orgParam(r)
	if err != nil {
		return err
	}
	list, err := s.suppressionStates(o.String())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, suppressionList{Suppressions: list})
	return nil
}

// postSuppression: POST /api/v1/suppliers/{orgnr}/suppressions.
func (s *Server) postSuppression(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	o, err := orgParam(r)
	if err != nil {
		return err
	}
	req, err := body[suppressionRequest](r, false)
	if err != nil {
		return err
	}
	x, err := s.suppress(p, o.String(), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, x)
	return nil
}

// suppress checks a request and records the suppression (screening
// audits it); a refusal is a 400 naming the field, or 404 for a supplier
// never assessed.
func (s *Server) suppress(p *access.Principal, orgnr string, req suppressionRequest) (*screening.Suppression, error) {
	var expires time.Time
	if v := strings.TrimSpace(req.Expires); v != "" {
		t, err := parseWhen("expires", v)
		if err != nil {
			return nil, err
		}
		if _, err := time.Parse(time.DateOnly, v); err == nil {
			t = t.AddDate(0, 0, 1) // through that day
		}
		expires = t
	}
	x, err := s.Screener.Suppress(screening.SuppressionRequest{Orgnr: orgnr, Indicator: req.Indicator, Reason: req.Reason,
		By: p.UserID, Expires: expires}, s.now())
	var se *screening.SuppressionError
	switch {
	case errors.As(err, &se):
		return nil, badField(se.Field, "%s", se.Problem)
	case errors.Is(err, screening.ErrNoAssessment):
		return nil, errStatus(http.StatusNotFound, "the supplier has no follow-up assessment")
	}
	return x, err
}

// suppressionStates are the supplier's suppressions, newest first, each
// with its state as of the newest follow-up assessment (as of now when
// it has none).
func (s *Server) suppressionStates(orgnr string) ([]suppressionState, error) {
	list, err := s.Screener.Suppressions(orgnr)
	if err != nil {
		return nil, err
	}
	_, latest, _, err := s.workplace().History(orgnr, nil)
	if err != nil {
		return nil, err
	}
	at := s.now()
	if latest != nil {
		at = latest.At
	}
	out := make([]suppressionState, 0, len(list))
	for _, x := range slices.Backward(list) {
		var ev []profile.Ref
		fires := false
		if latest != nil {
			if i := slices.IndexFunc(latest.Hits, func(h screening.Hit) bool { return h.ID == x.Indicator }); i >= 0 {
				ev, fires = latest.Hits[i].Evidence, true
			}
		}
		out = append(out, suppressionState{Suppression: x, Status: x.Status(at, ev, fires)})
	}
	return out, nil
}

// suppressionsSection is what the alert and supplier pages show of the
// suppressions: the list, and the form for one who may decide.
type suppressionsSection struct {
	List   []suppressionState
	Hits   []screening.Hit // the hits the form offers
	Action string          // the form's action, "" for no form
}

// suppressionsOf builds the section for the supplier's page (form: the
// non-critical hits of its newest follow-up assessment, for decide) or an
// alert's (no form).
func (s *Server) suppressionsOf(p *access.Principal, orgnr string, latest *screening.Assessment, withForm bool) (*suppressionsSection, error) {
	list, err := s.suppressionStates(orgnr)
	if err != nil {
		return nil, err
	}
	sec := &suppressionsSection{List: list}
	if withForm && p.Can(access.Decide) && latest != nil && latest.Purpose == screening.Monitor {
		for _, h := range latest.Hits {
			if h.Severity != rules.Critical && h.Suppressed == "" {
				sec.Hits = append(sec.Hits, h)
			}
		}
		sec.Action = "/suppliers/" + ref(p, orgnr, orgnr) + "/suppressions"
	}
	return sec, nil
}

// uiSuppress: POST /suppliers/{orgnr}/suppressions, the supplier page's
// form; a refusal shows the problem on an error page.
func (s *Server) uiSuppress(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	vals, err := postForm(r)
	if err != nil {
		return err
	}
	o, err := orgParam(r)
	if err != nil {
		return err
	}
	_, err = s.suppress(p, o.String(), suppressionRequest{Indicator: vals.Get("indicator"), Reason: vals.Get("reason"), Expires: vals.Get("expires")})
	var ae *apiError
	if errors.As(err, &ae) && ae.status == http.StatusBadRequest {
		lang := uiLang(nil, r)
		s.uiError(w, r, http.StatusBadRequest, uiT(lang, "supp.bad."+ae.field), "")
		return nil
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/suppliers/"+ref(p, o.String(), o.String()), "suppressed", "suppressions")
	return nil
}
