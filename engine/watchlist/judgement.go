package watchlist

import (
	"errors"
	"fmt"
	"strings"
	"time"

	json "github.com/goccy/go-json"

	"github.com/vaksam/vaksam/engine/sanctions"
	"github.com/vaksam/vaksam/engine/store"
)

// A Judgement is a coordinator's finding that a sanctions candidate is not
// the same person or entity as the organisation or its representative. It
// holds for the list entry as it stood when it was made (EntityHash): when
// the entry changes, the judgement is void and the candidate counts again.
// It never sets aside an identifier match.
type Judgement struct {
	Orgnr string `json:"orgnr"`
	// Subject is SubjectOrganisation, or the representative's pseudonym.
	Subject    string         `json:"subject"`
	List       sanctions.List `json:"list"`
	EntityID   string         `json:"entity_id"`
	EntityHash string         `json:"entity_hash"` // Entry.Hash when it was made
	Reason     string         `json:"reason"`
	Author     string         `json:"author"`
	At         time.Time      `json:"at"`
}

// SubjectOrganisation is the Subject of a judgement about the organisation
// itself.
const SubjectOrganisation = "organisation"

// judgementKind is the store's document kind; a document holds every
// judgement of one organisation, oldest first.
const judgementKind = "sanctions-judgements"

// Validate says what is missing from a judgement.
func (j Judgement) Validate() error {
	var miss []string
	for _, f := range []struct{ name, v string }{{"orgnr", j.Orgnr}, {"subject", j.Subject}, {"list", string(j.List)},
		{"entity_id", j.EntityID}, {"entity_hash", j.EntityHash}, {"reason", strings.TrimSpace(j.Reason)}, {"author", j.Author}} {
		if f.v == "" {
			miss = append(miss, f.name)
		}
	}
	if j.At.IsZero() {
		miss = append(miss, "at")
	}
	if len(miss) > 0 {
		return fmt.Errorf("watchlist: judgement: missing %s", strings.Join(miss, ", "))
	}
	return nil
}

// Applies reports whether the judgement sets aside the candidate e for
// subject as of at: it was made by then, about this subject and entity,
// and the entry has not changed since.
func (j Judgement) Applies(subject string, e *Entry, at time.Time) bool {
	return e != nil && e.Entity != nil && j.Subject == subject && j.List == e.Entity.List && j.EntityID == e.Entity.ID &&
		!j.At.After(at) && j.EntityHash == e.Hash
}

// PutJudgement adds a judgement to its organisation's within tx. The
// caller audits it in the same transaction.
func PutJudgement(tx *store.Tx, j Judgement) error {
	if err := j.Validate(); err != nil {
		return err
	}
	var all []Judgement
	data, err := tx.Get(judgementKind, j.Orgnr)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return fmt.Errorf("watchlist: %s: %w", j.Orgnr, err)
	default:
		if err := json.Unmarshal(data, &all); err != nil {
			return fmt.Errorf("watchlist: %s: judgements: %w", j.Orgnr, err)
		}
	}
	all = append(all, j)
	data, err = json.Marshal(all)
	if err != nil {
		return fmt.Errorf("watchlist: %s: %w", j.Orgnr, err)
	}
	return tx.Put(judgementKind, j.Orgnr, data)
}

// Judgements returns an organisation's judgements, oldest first.
func Judgements(st *store.Store, orgnr string) ([]Judgement, error) {
	data, err := st.Doc(judgementKind, orgnr)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("watchlist: %s: %w", orgnr, err)
	}
	var all []Judgement
	if err := json.Unmarshal(data, &all); err != nil {
		return nil, fmt.Errorf("watchlist: %s: judgements: %w", orgnr, err)
	}
	return all, nil
}
