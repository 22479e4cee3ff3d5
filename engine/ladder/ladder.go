// Package ladder holds the action ladder's words: the steps an
// organisation is placed on (L0–L5), the verdicts of a pre-award check,
// the severities of an indicator, the states of an alert and the kinds of
// a decision, with their parsing and their ordering in one place.
//
// Every word is a string type whose value is its JSON form, so a field of
// one of these types marshals exactly as the bare string did. The package
// imports nothing of Vaksam's, so that rules, the screening, the review
// desk, the bus, the web and the metrics can all use it.
package ladder

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Step is a step of the action ladder.
type Step string

// The steps of the action ladder.
const (
	L0 Step = "L0" // monitor
	L1 Step = "L1" // watch
	L2 Step = "L2" // in-depth control: an alert for a coordinator
	L3 Step = "L3" // halt call-offs proposed
	L4 Step = "L4" // terminate (a decision, never computed)
	L5 Step = "L5" // exclude before award: pre-award check with a critical hit
)

// Steps lists the steps of the ladder, the lowest first.
var Steps = []Step{L0, L1, L2, L3, L4, L5}

// Rank is the step's digit (L3 → 3), -1 for what is not of the form L0
// to L9. Higher ranks are graver.
func (s Step) Rank() int {
	if len(s) != 2 || s[0] != 'L' || s[1] < '0' || s[1] > '9' {
		return -1
	}
	return int(s[1] - '0')
}

// Critical reports whether a critical hit placed an assessment on the
// step (L3 in the follow-up, L5 before award): critical hits add no
// points, so such a step says more than its score.
func (s Step) Critical() bool { return s == L3 || s == L5 }

// ParseStep reads a step of the form L0 to L9 (the API's filters accept
// the whole form; the ladder itself has L0 to L5).
func ParseStep(s string) (Step, error) {
	if st := Step(s); st.Rank() >= 0 {
		return st, nil
	}
	return "", fmt.Errorf("%q is not a step L0 to L9", s)
}

// StepOf is the step with the rank (0 → L0).
func StepOf(rank int) Step { return Step("L" + strconv.Itoa(rank)) }

// Verdict is the verdict of a pre-award check.
type Verdict string

// The verdicts of a pre-award check.
const (
	Clear  Verdict = "clear"
	Review Verdict = "review"
	Block  Verdict = "block"
)

// Verdicts lists every verdict, the mildest first.
var Verdicts = []Verdict{Clear, Review, Block}

// ParseVerdict reads a verdict.
func ParseVerdict(s string) (Verdict, error) { return parse("verdict", s, Verdicts) }

// Severity is the severity of an indicator.
type Severity string

// The severities, from a hard gate to the lightest.
const (
	Critical Severity = "critical"
	High     Severity = "high"
	Medium   Severity = "medium"
	Low      Severity = "low"
)

// Severities lists every severity, the gravest first.
var Severities = []Severity{Critical, High, Medium, Low}

// Rank orders severities, the gravest first: critical 0 to low 3, and 4
// for what is not a severity.
func (s Severity) Rank() int {
	if i := slices.Index(Severities, s); i >= 0 {
		return i
	}
	return len(Severities)
}

// ParseSeverity reads a severity.
func ParseSeverity(s string) (Severity, error) { return parse("severity", s, Severities) }

// AlertState is the state of an alert.
type AlertState string

// The states of an alert.
const (
	Ny       AlertState = "ny"       // new, nobody has it yet
	Utreds   AlertState = "utreds"   // assigned to a coordinator, being investigated
	Beslutad AlertState = "beslutad" // a decision took effect
	Stangd   AlertState = "stangd"   // closed (perhaps snoozed)
)

// AlertStates lists every state in the order an alert moves through them;
// OpenStates those of an alert that is not closed.
var (
	AlertStates = []AlertState{Ny, Utreds, Beslutad, Stangd}
	OpenStates  = []AlertState{Ny, Utreds, Beslutad}
)

// Open reports whether the state is one of an alert that is not closed.
func (s AlertState) Open() bool { return slices.Contains(OpenStates, s) }

// ParseAlertState reads an alert state.
func ParseAlertState(s string) (AlertState, error) { return parse("alert state", s, AlertStates) }

// DecisionKind is the kind of a decision on an alert.
type DecisionKind string

// The kinds of decision.
const (
	Avropsstopp    DecisionKind = "avropsstopp"     // halt call-offs: action halt
	HavAvropsstopp DecisionKind = "hav_avropsstopp" // lift the halt: action resume
	Havning        DecisionKind = "havning"         // terminate the contract: action terminate, four eyes
	Uteslutning    DecisionKind = "uteslutning"     // exclude before award: action exclude, four eyes
	IngenAtgard    DecisionKind = "ingen_atgard"    // no action: closes (and may snooze) the alert
)

// DecisionKinds lists every decision kind.
var DecisionKinds = []DecisionKind{Avropsstopp, HavAvropsstopp, Havning, Uteslutning, IngenAtgard}

// FourEyes reports whether a decision of the kind needs a second person's
// approval before it takes effect.
func (k DecisionKind) FourEyes() bool { return k == Havning || k == Uteslutning }

// ParseDecisionKind reads a decision kind.
func ParseDecisionKind(s string) (DecisionKind, error) {
	return parse("decision kind", s, DecisionKinds)
}

// parse is s as one of the words of a kind, or an error naming them.
func parse[T ~string](what, s string, words []T) (T, error) {
	if w := T(s); slices.Contains(words, w) {
		return w, nil
	}
	return "", fmt.Errorf("%q is not a %s (%s)", s, what, List(words))
}

// List is the words joined by commas ("clear, review, block"), as errors
// name what is allowed.
func List[T ~string](words []T) string {
	names := make([]string, len(words))
	for i, w := range words {
		names[i] = string(w)
	}
	return strings.Join(names, ", ")
}
