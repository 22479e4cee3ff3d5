package screening

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/rules"
)

// A suppression is a coordinator's finding that one indicator's hit on
// one supplier is a known false positive (issue 17): until it expires, or
// new evidence comes, the hit still shows in the supplier's assessments,
// marked (Hit.Suppressed), but adds nothing to the score or the step, so
// it opens or keeps no alert by itself.
//
// It is applied where an assessment is stored (saveTx), as of the
// assessment's time, in the transaction that stores it: every stored
// assessment, follow-up or pre-award check, says which hits were
// suppressed and why its step is what it is. An assessment that is not
// stored (a dry run of vaksam screen, a backtest) applies none.
//
// A suppression applies to an assessment at or after its creation and
// before its expiry, while the hit's evidence (the record versions it
// rests on, compared by source, key and version) is the one it was
// suppressed with: a new version of any record the hit rests on lifts it
// for good, since versions only grow. New evidence rather than a changed
// message: a message can read the same over changed facts, a new record
// version cannot go unseen; a change the coordinator would not care
// about lifts it too, which errs towards showing.
//
// A critical hit is never suppressed: a hard gate (an S18 identifier
// match, a trading ban) is not a matter of judgement, and refusing every
// critical-severity hit is the simplest rule that cannot let one through.
type Suppression struct {
	ID        string        `json:"id"` // <orgnr>-<indicator>-<n>
	Orgnr     string        `json:"orgnr"`
	Indicator string        `json:"indicator"`
	Reason    string        `json:"reason"`
	By        string        `json:"by"`
	At        time.Time     `json:"at"`
	Expires   time.Time     `json:"expires"`
	Evidence  []profile.Ref `json:"evidence"` // the hit's, when suppressed
}

// SuppressionRequest is a suppression as a coordinator asks for it.
type SuppressionRequest struct {
	Orgnr     string    `json:"orgnr"`
	Indicator string    `json:"indicator"`
	Reason    string    `json:"reason"`
	By        string    `json:"by"`
	Expires   time.Time `json:"expires"`
}

// MaxSuppressionReason is the longest reason, in characters.
const MaxSuppressionReason = 2000

// AuditSuppress is the audit action of a suppression: object the
// organisation number, detail the indicator, the suppression's number and
// its expiry (never the reason, a user's text).
const AuditSuppress = "suppression.create"

// SuppressionError is a request refused: Field names what is wrong (a
// JSON name of SuppressionRequest), Code why (SuppressRequired …).
type SuppressionError struct {
	Field, Code, Problem string
}

func (e *SuppressionError) Error() string {
	return "screening: suppress: " + e.Field + ": " + e.Problem
}

// Codes of a SuppressionError.
const (
	SuppressRequired = "required"
	SuppressTooLong  = "too_long"
	SuppressPast     = "not_after_now" // the expiry is not after now
	SuppressNoHit    = "not_a_hit"     // the indicator is not a hit of the supplier's current assessment
	SuppressCritical = "critical"      // the hit is critical: never suppressed
	SuppressTwice    = "twice"         // a suppression of the hit is in force
)

// ErrNoAssessment: the supplier has no follow-up assessment to suppress a
// hit of.
var ErrNoAssessment = errors.New("screening: no follow-up assessment")

const suppressionKind = "suppressions" // one document per organisation: its suppressions, oldest first

// Suppress records a suppression of the indicator's hit in the supplier's
// current follow-up assessment, made at at, audited in the same
// transaction. It takes effect from the next stored assessment.
func (s *Screener) Suppress(r SuppressionRequest, at time.Time) (*Suppression, error) {
	r.Orgnr, r.Indicator, r.Reason, r.By = strings.TrimSpace(r.Orgnr), strings.TrimSpace(r.Indicator), strings.TrimSpace(r.Reason), strings.TrimSpace(r.By)
	switch {
	case r.Indicator == "":
		return nil, &SuppressionError{"indicator", SuppressRequired, "required"}
	case r.Reason == "":
		return nil, &SuppressionError{"reason", SuppressRequired, "required: why the hit is a false positive"}
	case utf8.RuneCountInString(r.Reason) > MaxSuppressionReason:
		return nil, &SuppressionError{"reason", SuppressTooLong, fmt.Sprintf("at most %d characters", MaxSuppressionReason)}
	case r.Expires.IsZero():
		return nil, &SuppressionError{"expires", SuppressRequired, "required: the date the suppression ends"}
	case !r.Expires.After(at):
		return nil, &SuppressionError{"expires", SuppressPast, "not after now"}
	case r.By == "":
		return nil, &SuppressionError{"by", SuppressRequired, "required"}
	}
	var out *Suppression
	err := s.Store.Update(func(tx *store.Tx) error {
		_, data, err := s.Store.LatestAssessmentWhere(r.Orgnr, func(b []byte) bool {
			var p struct {
				Purpose string `json:"purpose"`
			}
			return json.Unmarshal(b, &p) == nil && p.Purpose == Monitor
		})
		if errors.Is(err, store.ErrNotFound) {
			return ErrNoAssessment
		}
		if err != nil {
			return err
		}
		var a Assessment
		if err := json.Unmarshal(data, &a); err != nil {
			return fmt.Errorf("current assessment: %w", err)
		}
		i := slices.IndexFunc(a.Hits, func(h Hit) bool { return h.ID == r.Indicator })
		if i < 0 {
			return &SuppressionError{"indicator", SuppressNoHit, r.Indicator + " is not a hit of the supplier's current assessment"}
		}
		hit := a.Hits[i]
		if hit.Severity == rules.Critical {
			return &SuppressionError{"indicator", SuppressCritical, r.Indicator + " is critical: a critical hit is never suppressed"}
		}
		list, err := suppressionsIn(tx, r.Orgnr)
		if err != nil {
			return err
		}
		for _, x := range list {
			if x.Indicator == r.Indicator && x.inForce(at, hit.Evidence) {
				return &SuppressionError{"indicator", SuppressTwice, "suppressed already, until " + x.Expires.Format(time.DateOnly) + " (" + x.ID + ")"}
			}
		}
		n := 1
		for _, x := range list {
			if x.Indicator == r.Indicator {
				n++
			}
		}
		out = &Suppression{ID: r.Orgnr + "-" + r.Indicator + "-" + strconv.Itoa(n), Orgnr: r.Orgnr, Indicator: r.Indicator,
			Reason: r.Reason, By: r.By, At: at, Expires: r.Expires, Evidence: slices.Clone(hit.Evidence)}
		b, err := json.Marshal(append(list, *out))
		if err != nil {
			return err
		}
		if err := tx.Put(suppressionKind, r.Orgnr, b); err != nil {
			return err
		}
		_, err = audit.Append(tx, audit.Entry{At: at, Actor: r.By, Action: AuditSuppress, Object: r.Orgnr,
			Detail: map[string]string{"indicator": r.Indicator, "n": strconv.Itoa(n), "expires": r.Expires.UTC().Format(time.RFC3339)}})
		return err
	})
	var se *SuppressionError
	if errors.As(err, &se) || errors.Is(err, ErrNoAssessment) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("screening: suppress %s of %s: %w", r.Indicator, redact(r.Orgnr), err)
	}
	return out, nil
}

// Suppressions returns the organisation's suppressions, oldest first,
// those lifted or expired included.
func (s *Screener) Suppressions(orgnr string) ([]Suppression, error) {
	data, err := s.Store.Doc(suppressionKind, orgnr)
	if errors.Is(err, store.ErrNotFound) {
		return []Suppression{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("screening: suppressions of %s: %w", redact(orgnr), err)
	}
	var out []Suppression
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("screening: suppressions of %s: %w", redact(orgnr), err)
	}
	return out, nil
}

func suppressionsIn(tx *store.Tx, orgnr string) ([]Suppression, error) {
	data, err := tx.Get(suppressionKind, orgnr)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Suppression
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("suppressions: %w", err)
	}
	return out, nil
}

// inForce reports whether the suppression applies as of at to a hit
// resting on evidence.
func (x Suppression) inForce(at time.Time, evidence []profile.Ref) bool {
	return !at.Before(x.At) && at.Before(x.Expires) && sameEvidence(x.Evidence, evidence)
}

// Status is the suppression's state as of at for a hit resting on
// evidence (nil: the hit is not in the assessment): in_force, expired,
// new_evidence (lifted by a new record version), no_hit (the indicator
// no longer fires).
func (x Suppression) Status(at time.Time, evidence []profile.Ref, fires bool) string {
	switch {
	case !at.Before(x.Expires):
		return "expired"
	case !fires:
		return "no_hit"
	case !sameEvidence(x.Evidence, evidence):
		return "new_evidence"
	}
	return "in_force"
}

// sameEvidence compares record versions by source, key and version, in
// any order.
func sameEvidence(a, b []profile.Ref) bool {
	key := func(refs []profile.Ref) []string {
		out := make([]string, 0, len(refs))
		for _, r := range refs {
			out = append(out, r.Source+"\x00"+r.Key+"\x00"+strconv.FormatInt(int64(r.Version), 10))
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	return slices.Equal(key(a), key(b))
}

// suppress marks the assessment's hits suppressed as of its time by the
// organisation's suppressions in tx, and places it again without them;
// it reports whether it marked any.
func (s *Screener) suppress(tx *store.Tx, a *Assessment) (bool, error) {
	list, err := suppressionsIn(tx, a.Orgnr)
	if err != nil || len(list) == 0 {
		return false, err
	}
	marked := false
	for i := range a.Hits {
		h := &a.Hits[i]
		if h.Severity == rules.Critical || h.Suppressed != "" {
			continue
		}
		for _, x := range slices.Backward(list) {
			if x.Indicator == h.ID && x.inForce(a.At, h.Evidence) {
				h.Suppressed, marked = x.ID, true
				break
			}
		}
	}
	if marked {
		s.Settings().Scoring.replace(a)
	}
	return marked, nil
}
