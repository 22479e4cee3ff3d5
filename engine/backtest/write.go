package backtest

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/record"
)

// WriteJSON writes the report as one indented JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("backtest: write json: %w", err)
	}
	return nil
}

// Day is how the report names a date: the Swedish calendar day, or the
// instant when it is not the day's end.
func Day(t time.Time) string {
	s := t.In(record.Stockholm)
	if end := s.Add(time.Nanosecond); end.Hour() == 0 && end.Minute() == 0 && end.Second() == 0 && end.Nanosecond() == 0 {
		return s.Format(time.DateOnly)
	}
	return t.UTC().Format(time.RFC3339)
}

// Text is an estimate in words: "2 of 3 (67 %)", or "no outcome".
func (p Precision) Text() string {
	if p.Estimate == nil {
		return fmt.Sprintf("no outcome yet (%d without)", p.NoOutcome)
	}
	right := p.Confirmed + p.Justified
	return fmt.Sprintf("%d of %d (%.0f %%): %d bekräftad risk, %d befogat larm, %d falsklarm, %d without outcome",
		right, right+p.FalseAlarm, *p.Estimate*100, p.Confirmed, p.Justified, p.FalseAlarm, p.NoOutcome)
}

// WriteText writes a readable summary per date and indicator, with the
// organisations by number and name.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "running:   %s\ncandidate: %s\n", r.Running, r.Candidate)
	for _, d := range r.Dates {
		fmt.Fprintf(&b, "\nas of %s: %d organisations screened", Day(d.At), d.Screened)
		if len(d.Indicators) == 0 && len(d.Steps) == 0 {
			b.WriteString(", no change\n")
			continue
		}
		fmt.Fprintf(&b, "\n  precision of the newly firing: %s\n", d.Precision.Text())
		for _, c := range d.Indicators {
			fmt.Fprintf(&b, "  %s: %d newly firing, %d stop firing\n", c.ID, len(c.Newly), len(c.Stopped))
			if len(c.Newly) > 0 {
				fmt.Fprintf(&b, "    precision: %s\n", c.Precision.Text())
			}
			writeOrgs(&b, "+", c.Newly)
			writeOrgs(&b, "-", c.Stopped)
		}
		for _, c := range d.Steps {
			fmt.Fprintf(&b, "  step %s → %s: %d\n", c.From, c.To, len(c.Orgs))
			writeOrgs(&b, " ", c.Orgs)
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("backtest: write: %w", err)
	}
	return nil
}

func writeOrgs(b *strings.Builder, mark string, orgs []*Org) {
	for _, o := range orgs {
		fmt.Fprintf(b, "    %s %s %s", mark, o.Orgnr, o.Name)
		if o.Outcome != "" {
			fmt.Fprintf(b, " [%s]", o.Outcome)
		}
		for _, a := range o.Alerts {
			fmt.Fprintf(b, " (alert %s %s", a.ID, a.State)
			for _, k := range a.Decisions {
				fmt.Fprintf(b, ", %s", k)
			}
			b.WriteString(")")
		}
		b.WriteString("\n")
	}
}
