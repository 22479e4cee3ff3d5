package perf

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
)

// What a goal bounds (Measure.GoalOn).
const (
	OnRatio = "ratio" // the value over its floor
	OnValue = "value" // the value itself, in its unit
)

// Measure is one line of the table: a value, its floor measured in the
// same run, their ratio, and the goal (issue 14) that bounds either the
// ratio or the value.
type Measure struct {
	Name   string  `json:"name"`
	Value  float64 `json:"value"`
	Unit   string  `json:"unit"`
	Floor  float64 `json:"floor"`
	Ratio  float64 `json:"ratio"`
	Goal   float64 `json:"goal"`
	GoalOn string  `json:"goal_on"`
	Met    bool    `json:"met"`
	// About says what the value and the floor are.
	About string `json:"about"`
}

// measure makes a Measure of value against floor, met when what goalOn
// names is at most goal.
func measure(name, unit string, value, floor, goal float64, goalOn, about string) Measure {
	m := Measure{Name: name, Value: value, Unit: unit, Floor: floor, Goal: goal, GoalOn: goalOn, About: about}
	if floor != 0 {
		m.Ratio = value / floor
	}
	m.Met = m.Bounded() <= goal
	return m
}

// Bounded is what the goal bounds: the ratio or the value.
func (m Measure) Bounded() float64 {
	if m.GoalOn == OnRatio {
		return m.Ratio
	}
	return m.Value
}

// WriteJSON writes one JSON object per measure per line.
func WriteJSON(w io.Writer, ms []Measure) error {
	enc := json.NewEncoder(w)
	for _, m := range ms {
		if err := enc.Encode(m); err != nil {
			return err
		}
	}
	return nil
}

// WriteTable writes the measures as an aligned table.
func WriteTable(w io.Writer, ms []Measure) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "measure\tvalue\tunit\tfloor\tratio\tgoal\tmet\t")
	for _, m := range ms {
		goal := "≤ " + num(m.Goal) + "×"
		if m.GoalOn == OnValue {
			goal = "≤ " + num(m.Goal) + " " + m.Unit
		}
		met := "no"
		if m.Met {
			met = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s×\t%s\t%s\t\n", m.Name, num(m.Value), m.Unit, num(m.Floor), num(m.Ratio), goal, met)
	}
	return tw.Flush()
}

// num prints a figure with three significant digits (or fewer decimals
// for large ones).
func num(f float64) string {
	if f >= 1000 || f <= -1000 {
		return strconv.FormatFloat(f, 'f', 0, 64)
	}
	return strconv.FormatFloat(f, 'g', 3, 64)
}

// Write writes the measures as a table, or as JSON lines (WriteJSON).
func Write(w io.Writer, ms []Measure, asJSON bool) error {
	if asJSON {
		return WriteJSON(w, ms)
	}
	return WriteTable(w, ms)
}
