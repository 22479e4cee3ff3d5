package watchlist

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/sanctions"
	"github.com/vaksam/vaksam/engine/sanctions/match"
)

// What a coordinator's judgement is refused for.
var (
	// ErrNotListed: the entity is not on the list as of the View's time,
	// so there is no entry version to tie the judgement to.
	ErrNotListed = errors.New("the entity is not on the list as of now")
	// ErrIdentifierMatch: the entity carries the subject's own identifier
	// (organisation number, personnummer's pseudonym); no judgement sets
	// that aside.
	ErrIdentifierMatch = errors.New("an identifier match: the listed entity carries the subject's own identifier, which no judgement sets aside")
)

// IdentifierMatch reports whether the listed entity carries the subject's
// identifier as screening queries it: the organisation number for
// SubjectOrganisation, a representative's pseudonym (which replaced a
// listed personnummer at import) for a person.
func IdentifierMatch(e *sanctions.Entity, orgnr, subject string) bool {
	own := subject
	if subject == SubjectOrganisation {
		own = orgnr
	}
	own = match.NormaliseIdentifier(own)
	for _, id := range e.Identifiers {
		if own != "" && match.NormaliseIdentifier(id.Value) == own {
			return true
		}
	}
	return false
}

// Judge makes a judgement that subject (SubjectOrganisation or a
// representative's pseudonym) of organisation orgnr is not the listed
// entity, tied to the entry as the View holds it. It refuses an entity
// not listed now (ErrNotListed) and an identifier match
// (ErrIdentifierMatch). The caller stores it (PutJudgement) and audits it
// in the same transaction.
func (v *View) Judge(orgnr, subject string, list sanctions.List, entityID, reason, author string, at time.Time) (Judgement, error) {
	j := Judgement{Orgnr: orgnr, Subject: subject, List: list, EntityID: entityID, Reason: strings.TrimSpace(reason), Author: author, At: at}
	e := v.Entry(list, entityID)
	if e == nil || e.Entity == nil {
		return j, fmt.Errorf("watchlist: %s %s: %w", list, entityID, ErrNotListed)
	}
	if IdentifierMatch(e.Entity, orgnr, subject) {
		return j, fmt.Errorf("watchlist: %s %s: %w", list, entityID, ErrIdentifierMatch)
	}
	j.EntityHash = e.Hash
	return j, j.Validate()
}

// The states of a judgement as of a View.
const (
	InForce      = "in_force"      // the entry is as it was judged
	EntryChanged = "entry_changed" // the entry changed since: void, the candidate counts again
	NotListed    = "not_listed"    // the entity is no longer on the list: nothing to set aside
)

// JudgementState is a judgement with what it amounts to as of a View.
type JudgementState struct {
	Judgement
	InForce bool   `json:"in_force"`
	State   string `json:"state"` // InForce, EntryChanged or NotListed
	// ListVersion is the list version the View holds of the entity's
	// list ("" when none).
	ListVersion string `json:"list_version,omitempty"`
}

// State says whether j is in force as of the View.
func (v *View) State(j Judgement) JudgementState {
	s := JudgementState{Judgement: j}
	if l := v.List(sourceOf(j.List)); l != nil {
		s.ListVersion = l.Label()
	}
	switch e := v.Entry(j.List, j.EntityID); {
	case e == nil:
		s.State = NotListed
	case e.Hash != j.EntityHash:
		s.State = EntryChanged
	default:
		s.State, s.InForce = InForce, true
	}
	return s
}

// sourceOf is the source that stores a list ("" for an unknown one).
func sourceOf(list sanctions.List) string {
	for _, src := range Sources {
		if record.SanctionsSources[src] == string(list) {
			return src
		}
	}
	return ""
}
