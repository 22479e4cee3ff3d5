package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/excerpt"
	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/review"
)

// decisionRequest is a decision as the API takes it. Who decides is the
// principal; the evidence is the organisation's newest assessment.
type decisionRequest struct {
	Kind           string   `json:"kind"`
	Justification  string   `json:"justification"`
	Ground         string   `json:"ground"`
	ContractClause string   `json:"contract_clause"`
	GroundOther    string   `json:"ground_other"`
	Diarienummer   string   `json:"diarienummer"`
	Contracts      []string `json:"contracts"`
	Snooze         bool     `json:"snooze"`
	// SnoozeUntil is RFC 3339, or a date (YYYY-MM-DD): the start of that
	// day in Sweden.
	SnoozeUntil string `json:"snooze_until"`
}

// decide: POST /alerts/{id}/decisions; 201 with the decision.
func (s *Server) decide(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	req, err := body[decisionRequest](r, false)
	if err != nil {
		return err
	}
	dr := review.DecisionRequest{AlertID: r.PathValue("id"), Kind: ladder.DecisionKind(req.Kind), DecidedBy: p.UserID, DecidedByPerson: p.Person,
		Justification: req.Justification, Ground: req.Ground, ContractClause: req.ContractClause,
		GroundOther: req.GroundOther, Diarienummer: req.Diarienummer, Contracts: req.Contracts, Snooze: req.Snooze}
	if req.SnoozeUntil != "" {
		t, err := parseWhen("snooze_until", req.SnoozeUntil)
		if err != nil {
			return err
		}
		dr.SnoozeUntil = t
	}
	ev, err := s.evidence(dr.AlertID)
	if err != nil {
		return err
	}
	dr.Evidence = ev
	dec, err := s.Desk.Decide(dr, s.now())
	if err != nil {
		return err
	}
	w.Header().Set("Location", APIPrefix+"decisions/"+dec.ID)
	writeJSON(w, http.StatusCreated, dec)
	return nil
}

type decisionList struct {
	Decisions []*review.Decision `json:"decisions"`
	pageInfo
}

// listDecisions: GET /decisions, newest first: an approver's queue is
// ?status=vantar_godkannande.
func (s *Server) listDecisions(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	q, err := queryParams(r, "status", "kind", "alert", "page", "per_page")
	if err != nil {
		return err
	}
	statuses := splitList(q.Get("status"))
	for _, st := range statuses {
		if !slices.Contains([]string{review.Bekraftad, review.VantarGodkannande, review.Avslagen}, st) {
			return badField("status", "%s is not one of %s, %s, %s", excerpt.Quote(st), review.Bekraftad, review.VantarGodkannande, review.Avslagen)
		}
	}
	var kinds []ladder.DecisionKind
	for _, k := range splitList(q.Get("kind")) {
		kind, err := ladder.ParseDecisionKind(k)
		if err != nil {
			return badField("kind", "%s is not one of %s", excerpt.Quote(k), ladder.List(review.Kinds))
		}
		kinds = append(kinds, kind)
	}
	alert := unsealed(q.Get("alert"))
	page, perPage, err := paging(q)
	if err != nil {
		return err
	}
	decs, err := s.Desk.AllDecisions(func(d *review.Decision) bool {
		return (len(statuses) == 0 || slices.Contains(statuses, d.Status)) &&
			(len(kinds) == 0 || slices.Contains(kinds, d.Kind)) && (alert == "" || d.AlertID == alert)
	})
	if err != nil {
		return err
	}
	slices.SortStableFunc(decs, func(a, b *review.Decision) int {
		if c := b.DecidedAt.Compare(a.DecidedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	lo, hi, info := paginate(w, r, q, page, perPage, len(decs))
	writeJSON(w, http.StatusOK, decisionList{Decisions: decisionsFor(p, nonNil(decs[lo:hi]), true), pageInfo: info})
	return nil
}

func (s *Server) getDecision(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	d, err := s.Desk.Decision(pathValue(r, "id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, decisionFor(p, d, true))
	return nil
}

// approve: POST /decisions/{id}/approve, with no body or {}. Approving
// one's own decision is 403 (four eyes), also with a token of one's own.
func (s *Server) approve(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	if _, err := body[struct{}](r, true); err != nil {
		return err
	}
	d, err := s.Desk.ApproveAs(r.PathValue("id"), actor(p), s.now())
	return reply(w, http.StatusOK, d, err)
}

type rejectRequest struct {
	Reason string `json:"reason"`
}

// reject: POST /decisions/{id}/reject {reason}.
func (s *Server) reject(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	req, err := body[rejectRequest](r, false)
	if err != nil {
		return err
	}
	d, err := s.Desk.RejectAs(r.PathValue("id"), actor(p), req.Reason, s.now())
	return reply(w, http.StatusOK, d, err)
}
