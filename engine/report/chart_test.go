package report

import (
	"encoding/xml"
	"strconv"
	"strings"
	"testing"
)

// A chart's SVG is well-formed, named by its title, and draws each bar
// in proportion to the chart's full value, with the bar's label and text;
// the words given replace the Swedish ones.
func TestChartSVG(t *testing.T) {
	r := &Report{Categories: []Spend{{Category: "tolk", Loyalty: 0.5}, {Category: "larm", Loyalty: 1}},
		AlertsByStep: []Count{{Key: "L2", Count: 4}, {Key: "L3", Count: 1}}}
	charts := r.Charts(Words{LoyaltyTitle: "Contract loyalty", Category: strings.ToUpper})
	if len(charts) != 2 || charts[1].Title != "Larm per steg" {
		t.Fatalf("charts %+v", charts)
	}
	svg := charts[0].SVG()
	if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, svg)
	}
	for _, want := range []string{`aria-label="Contract loyalty"`, "<title>Contract loyalty</title>", ">TOLK<", ">50,0 %<", ">LARM<", ">100,0 %<"} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %q:\n%s", want, svg)
		}
	}
	widths := barWidths(t, svg)
	if len(widths) != 2 || widths[1] != float64(svgWidth-svgLabel-svgValueW) || widths[0] != widths[1]/2 {
		t.Errorf("bar widths %v, want full and half of %d", widths, svgWidth-svgLabel-svgValueW)
	}
	// Without a full value, the largest bar is full.
	if w := barWidths(t, charts[1].SVG()); len(w) != 2 || w[0] != 4*w[1] {
		t.Errorf("alerts bar widths %v, want 4:1", w)
	}
}

func barWidths(t *testing.T, svg string) []float64 {
	t.Helper()
	var out []float64
	for _, part := range strings.Split(svg, "<rect ")[1:] {
		_, rest, _ := strings.Cut(part, `width="`)
		v, _, _ := strings.Cut(rest, `"`)
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatalf("rect width %q: %v", v, err)
		}
		out = append(out, f)
	}
	return out
}
