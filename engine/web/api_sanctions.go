package web

import (
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/sanctions"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/watchlist"
)

// The sanctions lists (S18) in the API: the search the CLI shares
// (watchlist.Find), and the coordinators' judgements that a candidate is
// not the same person or organisation.

// Audit actions of the sanctions lists.
const (
	// AuditSanctionsSearch: a user searched the lists for a name (object
	// "sanctions"; the name, type and birth year in the detail): names of
	// persons are asked for, so each search is on the trail.
	AuditSanctionsSearch = "sanctions.search"
	// AuditSanctionsJudgement: a user judged a candidate not the same
	// person or organisation (object the organisation number).
	AuditSanctionsJudgement = "sanctions.judgement"
)

// MaxJudgementReason bounds a judgement's reason, in characters.
const MaxJudgementReason = 2000

// sanctionsView is the lists as of now: the server's Cache's View, else
// loaded for this request. As of another time (a search's at) they are
// loaded for the request, leaving the Cache to the lists in force.
func (s *Server) sanctionsView(at ...time.Time) (*watchlist.View, error) {
	if len(at) > 0 {
		return watchlist.Load(s.Store, at[0])
	}
	if s.Watchlist != nil {
		return s.Watchlist.View(s.Store, s.now())
	}
	return watchlist.Load(s.Store, s.now())
}

// searchSanctions: GET /api/v1/sanctions/search?name=&type=&birth_year=&threshold=&limit=&at=.
func (s *Server) searchSanctions(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	qv, err := queryParams(r, "name", "type", "birth_year", "threshold", "limit", "at")
	if err != nil {
		return err
	}
	res, err := s.findSanctions(p, qv.Get("name"), qv.Get("type"), qv.Get("birth_year"), qv.Get("threshold"), qv.Get("limit"), qv.Get("at"), "api")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// findSanctions reads a search's parameters, searches, and appends
// AuditSanctionsSearch before anything is shown.
func (s *Server) findSanctions(p *access.Principal, name, kind, year, threshold, limit, asOf, via string) (*watchlist.SearchResult, error) {
	q, err := watchlist.ParseSearch(name, kind, year, threshold, limit)
	var pe *watchlist.ParamError
	if errors.As(err, &pe) {
		return nil, badField(pe.Field, "%s", pe.Problem)
	}
	var at []time.Time
	if asOf != "" {
		t, err := record.ParseInstant(asOf)
		if err != nil {
			return nil, badField("at", "%v", err)
		}
		at = append(at, t)
	}
	v, err := s.sanctionsView(at...)
	if err != nil {
		return nil, err
	}
	res := v.Find(q)
	matches := 0
	for _, c := range res.Candidates {
		if c.Match {
			matches++
		}
	}
	d := map[string]string{"via": via, "name": q.Name, "threshold": strconv.FormatFloat(q.Threshold, 'f', -1, 64),
		"candidates": strconv.Itoa(len(res.Candidates)), "matches": strconv.Itoa(matches)}
	if q.Kind != "" {
		d["type"] = string(q.Kind)
	}
	if q.BirthYear != 0 {
		d["birth_year"] = strconv.Itoa(q.BirthYear)
	}
	if asOf != "" {
		d["at"] = v.At.Format(time.RFC3339)
	}
	if _, err := s.Audit.Record(audit.Entry{At: s.now(), Actor: p.UserID, Action: AuditSanctionsSearch, Object: "sanctions", Detail: d}); err != nil {
		return nil, err
	}
	return &res, nil
}

// judgementRequest is the body of POST .../sanctions/judgements.
type judgementRequest struct {
	Subject  string `json:"subject"` // "organisation" or the representative's pseudonym
	List     string `json:"list"`    // "eu", "un", "ftm"
	EntityID string `json:"entity_id"`
	Reason   string `json:"reason"`
}

// judgementList is the answer of GET .../sanctions/judgements.
type judgementList struct {
	Judgements []watchlist.JudgementState `json:"judgements"`
}

// postJudgement: POST /api/v1/suppliers/{orgnr}/sanctions/judgements.
func (s *Server) postJudgement(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	o, err := orgParam(r)
	if err != nil {
		return err
	}
	req, err := body[judgementRequest](r, false)
	if err != nil {
		return err
	}
	st, err := s.judge(p, o.String(), req, "api")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, st)
	return nil
}

// pseudonymOnly is a representative's pseudonym as a judgement's subject.
var pseudonymOnly = regexp.MustCompile(`^` + pseudonymPattern.String() + `$`)

// judge checks a judgement's request, makes the judgement against the
// lists as of now (watchlist.View.Judge) and stores it with its audit
// entry in one transaction; the API and the web's form share it.
func (s *Server) judge(p *access.Principal, orgnr string, req judgementRequest, via string) (*watchlist.JudgementState, error) {
	req.Subject, req.EntityID, req.Reason = strings.TrimSpace(req.Subject), strings.TrimSpace(req.EntityID), strings.TrimSpace(req.Reason)
	switch {
	case req.Subject != watchlist.SubjectOrganisation && !pseudonymOnly.MatchString(req.Subject):
		return nil, badField("subject", "want %q or a representative's pseudonym", watchlist.SubjectOrganisation)
	case !p.Can(access.ViewPersons) && req.Subject != watchlist.SubjectOrganisation:
		return nil, errStatus(http.StatusForbidden, "forbidden: needs view_persons to judge a person")
	case sanctions.List(req.List) != sanctions.EU && sanctions.List(req.List) != sanctions.UN && sanctions.List(req.List) != sanctions.FtM:
		return nil, badField("list", "want eu, un or ftm")
	case req.EntityID == "" || len(req.EntityID) > 200:
		return nil, badField("entity_id", "want the list's own id of the entity")
	case req.Reason == "":
		return nil, badField("reason", "required: why the candidate is not the same person or organisation")
	case utf8.RuneCountInString(req.Reason) > MaxJudgementReason || !utf8.ValidString(req.Reason):
		return nil, badField("reason", "longer than %d characters or not UTF-8", MaxJudgementReason)
	}
	// The organisation must be known, and a person one of its current
	// representatives: the subjects screening queries.
	prof, found, err := s.profileOf(orgnr, s.now())
	switch {
	case err != nil:
		return nil, err
	case !found:
		return nil, errStatus(http.StatusNotFound, "organisation %s: nothing is known of it", orgnr)
	case req.Subject != watchlist.SubjectOrganisation && !slices.ContainsFunc(prof.Roles, func(r *profile.Role) bool {
		return r.Current && r.Person == req.Subject
	}):
		return nil, badField("subject", "not a current representative of the organisation")
	}
	v, err := s.sanctionsView()
	if err != nil {
		return nil, err
	}
	j, err := v.Judge(orgnr, req.Subject, sanctions.List(req.List), req.EntityID, req.Reason, p.UserID, s.now())
	switch {
	case errors.Is(err, watchlist.ErrNotListed):
		return nil, errors.Join(err, &apiError{status: http.StatusConflict, field: "entity_id", msg: err.Error()})
	case errors.Is(err, watchlist.ErrIdentifierMatch):
		return nil, errors.Join(err, &apiError{status: http.StatusUnprocessableEntity, field: "entity_id", msg: err.Error()})
	case err != nil:
		return nil, err
	}
	err = s.Store.Update(func(tx *store.Tx) error {
		if err := watchlist.PutJudgement(tx, j); err != nil {
			return err
		}
		_, err := audit.Append(tx, audit.Entry{At: j.At, Actor: p.UserID, Action: AuditSanctionsJudgement, Object: orgnr,
			Detail: map[string]string{"via": via, "subject": j.Subject, "list": string(j.List), "entity_id": j.EntityID,
				"entity_hash": j.EntityHash, "reason": j.Reason}})
		return err
	})
	if err != nil {
		return nil, err
	}
	st := v.State(j)
	return &st, nil
}

// listJudgements: GET /api/v1/suppliers/{orgnr}/sanctions/judgements.
func (s *Server) listJudgements(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	o, err := orgParam(r)
	if err != nil {
		return err
	}
	out, err := s.judgementStates(o.String())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, judgementList{Judgements: out})
	return nil
}

// judgementStates are an organisation's judgements, newest first, each
// with whether it is in force as of now.
func (s *Server) judgementStates(orgnr string) ([]watchlist.JudgementState, error) {
	js, err := watchlist.Judgements(s.Store, orgnr)
	if err != nil {
		return nil, err
	}
	out := []watchlist.JudgementState{}
	if len(js) == 0 {
		return out, nil
	}
	v, err := s.sanctionsView()
	if err != nil {
		return nil, err
	}
	for i := len(js) - 1; i >= 0; i-- {
		out = append(out, v.State(js[i]))
	}
	return out, nil
}
