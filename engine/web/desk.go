package web

import (
	"net/http"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/excerpt"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/review"
)

// What the API and the UI both ask of the review desk: who acts, what a
// decision rests on, and the times a body or a form gives.

// actor is the principal as the review desk records it: the user's or
// token's id, and the person behind it (four eyes is per person).
func actor(p *access.Principal) review.Actor { return review.Actor{ID: p.UserID, Person: p.Person} }

// evidence is what a decision on the alert rests on: what the decider
// sees, the organisation's current assessment (workplace.Current); 409
// when none is stored.
func (s *Server) evidence(alertID string) (review.Evidence, error) {
	al, err := s.Desk.Alert(alertID)
	if err != nil {
		return review.Evidence{}, err
	}
	a, err := s.workplace().Current(al.Orgnr)
	if err != nil {
		return review.Evidence{}, err
	}
	if a == nil {
		return review.Evidence{}, errStatus(http.StatusConflict, "alert %s: no stored assessment to rest a decision on", al.ID)
	}
	return review.Evidence{AssessmentAt: a.At, Ruleset: a.Ruleset, Records: a.Records}, nil
}

// parseWhen reads an RFC 3339 time or a Swedish date.
func parseWhen(field, v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, v, record.Stockholm); err == nil {
		return t, nil
	}
	return time.Time{}, badField(field, "%s is not a date (2027-01-31) or an RFC 3339 time", excerpt.Quote(v))
}
