package ladder

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		name string
		got  func(string) (string, error)
		in   string
		ok   bool
	}{
		{"step L0", parseStep, "L0", true},
		{"step L5", parseStep, "L5", true},
		{"step L9 (filters accept the form)", parseStep, "L9", true},
		{"step lowercase", parseStep, "l3", false},
		{"step two digits", parseStep, "L10", false},
		{"step empty", parseStep, "", false},
		{"verdict block", parseVerdict, "block", true},
		{"verdict Clear", parseVerdict, "Clear", false},
		{"severity low", parseSeverity, "low", true},
		{"severity none", parseSeverity, "none", false},
		{"state stangd", parseState, "stangd", true},
		{"state open (a shorthand, not a state)", parseState, "open", false},
		{"kind hav_avropsstopp", parseKind, "hav_avropsstopp", true},
		{"kind havning with space", parseKind, "havning ", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.got(c.in)
			if c.ok && (err != nil || got != c.in) {
				t.Fatalf("parse %q = %q, %v; want it back", c.in, got, err)
			}
			if !c.ok && (err == nil || got != "") {
				t.Fatalf("parse %q = %q, %v; want an error", c.in, got, err)
			}
		})
	}
}

func parseStep(s string) (string, error)     { v, err := ParseStep(s); return string(v), err }
func parseVerdict(s string) (string, error)  { v, err := ParseVerdict(s); return string(v), err }
func parseSeverity(s string) (string, error) { v, err := ParseSeverity(s); return string(v), err }
func parseState(s string) (string, error)    { v, err := ParseAlertState(s); return string(v), err }
func parseKind(s string) (string, error)     { v, err := ParseDecisionKind(s); return string(v), err }

func TestOrder(t *testing.T) {
	for _, c := range []struct {
		step Step
		rank int
	}{{L0, 0}, {L2, 2}, {L5, 5}, {"L9", 9}, {"", -1}, {"X3", -1}, {"L", -1}} {
		if got := c.step.Rank(); got != c.rank {
			t.Errorf("%q.Rank() = %d, want %d", c.step, got, c.rank)
		}
	}
	for i, st := range Steps {
		if StepOf(i) != st {
			t.Errorf("StepOf(%d) = %q, want %q", i, StepOf(i), st)
		}
	}
	sevs := []Severity{"other", Low, Critical, Medium, High}
	slices.SortFunc(sevs, func(a, b Severity) int { return a.Rank() - b.Rank() })
	if want := []Severity{Critical, High, Medium, Low, "other"}; !slices.Equal(sevs, want) {
		t.Errorf("by rank: %q, want %q", sevs, want)
	}
	for _, c := range []struct {
		s    AlertState
		open bool
	}{{Ny, true}, {Utreds, true}, {Beslutad, true}, {Stangd, false}, {"", false}} {
		if c.s.Open() != c.open {
			t.Errorf("%q.Open() = %v", c.s, !c.open)
		}
	}
	for _, c := range []struct {
		k    DecisionKind
		four bool
	}{{Avropsstopp, false}, {HavAvropsstopp, false}, {Havning, true}, {Uteslutning, true}, {IngenAtgard, false}} {
		if c.k.FourEyes() != c.four {
			t.Errorf("%q.FourEyes() = %v", c.k, !c.four)
		}
	}
}

// TestJSON: the words marshal as the bare strings they replace.
func TestJSON(t *testing.T) {
	v := struct {
		Step     Step         `json:"step"`
		Verdict  Verdict      `json:"verdict"`
		Severity Severity     `json:"severity"`
		State    AlertState   `json:"state"`
		Kind     DecisionKind `json:"kind"`
	}{L3, Block, Critical, Utreds, HavAvropsstopp}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"step":"L3","verdict":"block","severity":"critical","state":"utreds","kind":"hav_avropsstopp"}`
	if string(b) != want {
		t.Fatalf("got %s, want %s", b, want)
	}
}

// Only the steps a critical hit computes are critical: L3 in the
// follow-up, L5 before award; L4 is a decision, never computed.
func TestStepCritical(t *testing.T) {
	for _, tc := range []struct {
		step Step
		want bool
	}{{L0, false}, {L1, false}, {L2, false}, {L3, true}, {L4, false}, {L5, true}, {"", false}, {"L9", false}} {
		if got := tc.step.Critical(); got != tc.want {
			t.Errorf("%q.Critical() = %v, want %v", tc.step, got, tc.want)
		}
	}
}
