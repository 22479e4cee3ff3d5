package screening

import (
	"time"

	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/rules"
)

// Steps of the action ladder.
// (the ladder's words: package ladder).
const (
	L0 = ladder.L0 // monitor
	L1 = ladder.L1 // watch
	L2 = ladder.L2 // in-depth control: an alert for a coordinator
	L3 = ladder.L3 // halt call-offs proposed
	L4 = ladder.L4 // terminate (a decision, never computed)
	L5 = ladder.L5 // exclude before award: pre-award check with a critical hit
)

// Verdicts of a pre-award check.
const (
	Clear  = ladder.Clear
	Review = ladder.Review
	Block  = ladder.Block
)

// Purposes of a screening.
const (
	Monitor = ""        // continuous follow-up
	Award   = "award"   // before award
	Calloff = "calloff" // before a call-off
	Direct  = "direct"  // before a direct award
)

// Assessment is the result of screening one organisation as of At.
type Assessment struct {
	Orgnr      string         `json:"orgnr"`
	Name       string         `json:"name"`
	At         time.Time      `json:"at"`
	Purpose    string         `json:"purpose,omitempty"`
	Score      float64        `json:"score"`
	Step       ladder.Step    `json:"step"`
	Verdict    ladder.Verdict `json:"verdict"`
	Incomplete bool           `json:"incomplete"`
	// Unknown: the store holds no record of the organisation at all.
	// NotRegistered: Bolagsverket answered that it does not exist.
	Unknown       bool     `json:"unknown,omitempty"`
	NotRegistered bool     `json:"not_registered,omitempty"`
	Reasons       []string `json:"reasons,omitempty"` // why the verdict is what it is
	// CriticalNotChecked lists the critical rules that could not be
	// checked: the verdict is then review at best, never clear.
	CriticalNotChecked []string  `json:"critical_not_checked,omitempty"`
	Missing            []Missing `json:"missing"`
	NotChecked         []string  `json:"not_checked"`
	Hits               []Hit     `json:"hits"`
	// Sanctions are the sanctions candidates (S18) of the organisation and
	// its current representatives as of At, with the list version each
	// rests on, for people to see beside the hits.
	Sanctions []*profile.Sanction `json:"sanctions,omitempty"`
	Ruleset   string              `json:"ruleset"`
	Records   []profile.Ref       `json:"records"` // every record version the assessment rested on
}

// Missing is a data-quality finding: D01 (missing or stale) or D02 (error).
type Missing struct {
	ID     string `json:"id"`
	Source string `json:"source"`
	Reason string `json:"reason"`
}

// Hit is a fired indicator.
type Hit struct {
	ID         string        `json:"id"`
	Title      rules.Text    `json:"title"`
	Severity   string        `json:"severity"`
	Category   string        `json:"category"`
	Confidence float64       `json:"confidence"`
	Message    rules.Text    `json:"message"`
	Legal      string        `json:"legal,omitempty"`
	Evidence   []profile.Ref `json:"evidence"`
	// Suppressed is the suppression (its id) that held the hit, as of the
	// assessment's time, a known false positive: shown, not counted in
	// the score or the step (suppress.go).
	Suppressed string `json:"suppressed,omitempty"`
}

// Critical reports whether any hit is critical.
func (a *Assessment) Critical() bool {
	for _, h := range a.Hits {
		if h.Severity == rules.Critical {
			return true
		}
	}
	return false
}
