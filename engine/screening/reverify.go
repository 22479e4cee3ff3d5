package screening

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/vaksam/vaksam/engine/ident"
)

// Outcome is what screening a stored assessment again shows (Reverify).
type Outcome int

const (
	Verified    Outcome = iota // the same assessment again
	Differs                    // another assessment
	NotVerified                // stored with another rule set than the one loaded
)

// Reverification is the result of Reverify.
type Reverification struct {
	Outcome Outcome
	// Line says the outcome on one line, as `vaksam assessments --verify`
	// prints it.
	Line string
}

// Reverify screens o again as of the stored assessment x's time and
// purpose with the rule set the Screener runs, without saving, and
// compares: a past screening must give the result it gave then. An
// assessment stored with another rule set is not verified.
func (s *Screener) Reverify(ctx context.Context, o ident.Org, x *Assessment) (Reverification, error) {
	if loaded := s.Rules().Version(); x.Ruleset != loaded {
		return Reverification{NotVerified, fmt.Sprintf("  not verified: stored with ruleset %s, loaded %s", x.Ruleset, loaded)}, nil
	}
	again, err := s.Screen(ctx, []ident.Org{o}, Options{At: x.At, Purpose: x.Purpose})
	if err != nil {
		return Reverification{}, err
	}
	was, _ := json.Marshal(x)
	now, _ := json.Marshal(again[0])
	if string(was) == string(now) {
		return Reverification{Verified, "  verified: screening again as of that time gives the same assessment"}, nil
	}
	y := again[0]
	return Reverification{Differs, fmt.Sprintf("  DIFFERS: screening again gives step %s verdict %s score %g hits %s", y.Step, y.Verdict, y.Score, HitList(y))}, nil
}

// ReverifyStored reverifies every stored assessment of the organisations
// (Reverify), telling fn of each, and counts the outcomes, up to an error.
func (s *Screener) ReverifyStored(ctx context.Context, orgnrs []string, fn func(o ident.Org, x *Assessment, r Reverification)) (map[Outcome]int, error) {
	n := map[Outcome]int{}
	for _, orgnr := range orgnrs {
		o, err := ident.ParseOrg(orgnr)
		if err != nil {
			return n, fmt.Errorf("organisation number %v", err)
		}
		stored, err := s.Assessments(o.String())
		if err != nil {
			return n, err
		}
		for _, x := range stored {
			r, err := s.Reverify(ctx, o, x)
			if err != nil {
				return n, err
			}
			n[r.Outcome]++
			fn(o, x, r)
		}
	}
	return n, nil
}
