package screening

import (
	"testing"

	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/rules"
)

func TestLadder(t *testing.T) {
	s := DefaultConfig().Scoring
	hit := func(id, sev, cat string) Hit { return Hit{ID: id, Severity: sev, Category: cat, Confidence: 1} }
	tests := []struct {
		name       string
		hits       []Hit
		purpose    string
		incomplete bool
		score      float64
		step       ladder.Step
		verdict    ladder.Verdict
	}{
		{"nothing", nil, Monitor, false, 0, L0, Clear},
		{"nothing but incomplete", nil, Monitor, true, 0, L0, Review},
		{"one medium", []Hit{hit("S08", rules.Medium, "S")}, Monitor, false, 15, L1, Clear},
		{"one low", []Hit{hit("X", rules.Low, "S")}, Monitor, false, 5, L1, Clear},
		{"two mediums reach 30", []Hit{hit("S08", rules.Medium, "S"), hit("S11", rules.Medium, "S")}, Monitor, false, 30, L2, Review},
		{"a high", []Hit{hit("S04", rules.High, "S")}, Monitor, false, 40, L2, Review},
		{"category cap 70", []Hit{hit("S04", rules.High, "S"), hit("S07", rules.High, "S"), hit("S13", rules.High, "S")}, Monitor, false, 70, L2, Review},
		{"caps per category, total max 100", []Hit{hit("S04", rules.High, "S"), hit("S07", rules.High, "S"), hit("C03", rules.High, "C"), hit("C04", rules.High, "C")}, Monitor, false, 100, L2, Review},
		{"critical adds nothing to the score", []Hit{hit("S01", rules.Critical, "S")}, Monitor, false, 0, L3, Block},
		{"critical before award", []Hit{hit("S01", rules.Critical, "S")}, Award, false, 0, L5, Block},
		{"confidence scales", []Hit{{ID: "X", Severity: rules.High, Category: "S", Confidence: 0.5}}, Monitor, false, 20, L2, Review},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := &Assessment{Hits: tc.hits, Purpose: tc.purpose, Incomplete: tc.incomplete}
			s.place(a)
			if a.Score != tc.score || a.Step != tc.step || a.Verdict != tc.verdict {
				t.Errorf("score %g step %s verdict %s, want %g %s %s", a.Score, a.Step, a.Verdict, tc.score, tc.step, tc.verdict)
			}
		})
	}
}
