package report

import (
	"fmt"
	"html"
	"strconv"
	"strings"
)

// Bar is one bar of a chart.
type Bar struct {
	Label string  // what the bar is of
	Value float64 // its length, in the chart's unit
	Text  string  // the value as printed beside the bar
}

// Chart is a horizontal bar chart: the charts are the same on the page
// (SVG) and in the PDF.
type Chart struct {
	Title string
	Max   float64 // the value of a full-length bar; 0: the largest value
	Bars  []Bar
}

// Words are what a chart prints besides the figures: its titles, a
// category's name and a share in percent. A zero field is the Swedish of
// the PDF.
type Words struct {
	LoyaltyTitle, AlertsTitle string
	Category                  func(string) string
	Percent                   func(float64) string // a ratio 0..1
}

func (w Words) orSwedish() Words {
	if w.LoyaltyTitle == "" {
		w.LoyaltyTitle = "Avtalstrohet per inköpsområde (%)"
	}
	if w.AlertsTitle == "" {
		w.AlertsTitle = "Larm per steg"
	}
	if w.Category == nil {
		w.Category = CategoryLabel
	}
	if w.Percent == nil {
		w.Percent = func(x float64) string { return Decimal(100*x, 1) + " %" }
	}
	return w
}

// Charts are the report's charts in words: contract loyalty per category
// and alerts per step.
func (r *Report) Charts(words Words) []Chart {
	words = words.orSwedish()
	loyalty := Chart{Title: words.LoyaltyTitle, Max: 100}
	for _, c := range r.Categories {
		loyalty.Bars = append(loyalty.Bars, Bar{Label: words.Category(c.Category), Value: 100 * c.Loyalty, Text: words.Percent(c.Loyalty)})
	}
	alerts := Chart{Title: words.AlertsTitle}
	for _, c := range r.AlertsByStep {
		alerts.Bars = append(alerts.Bars, Bar{Label: c.Key, Value: float64(c.Count), Text: strconv.Itoa(c.Count)})
	}
	return []Chart{loyalty, alerts}
}

func (c Chart) max() float64 {
	m := c.Max
	if m <= 0 {
		for _, b := range c.Bars {
			m = max(m, b.Value)
		}
	}
	return max(m, 1)
}

// SVG geometry, in user units.
const (
	svgWidth  = 640
	svgLabel  = 200 // the labels' column
	svgBarH   = 22
	svgGap    = 6
	svgTop    = 30
	svgValueW = 70
)

// SVG renders the chart as an SVG image with its title as the image's
// accessible name and each bar's value as text.
func (c Chart) SVG() string {
	var b strings.Builder
	h := svgTop + len(c.Bars)*(svgBarH+svgGap) + svgGap
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="%s">`, svgWidth, h, html.EscapeString(c.Title))
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(c.Title))
	fmt.Fprintf(&b, `<text x="0" y="18" font-size="15" font-weight="bold" fill="#1a1a1a">%s</text>`, html.EscapeString(c.Title))
	span := float64(svgWidth - svgLabel - svgValueW)
	for i, bar := range c.Bars {
		y := svgTop + i*(svgBarH+svgGap)
		w := span * min(max(bar.Value, 0)/c.max(), 1)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" text-anchor="end" fill="#1a1a1a">%s</text>`, svgLabel-8, y+16, html.EscapeString(bar.Label))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="#1f5f99"/>`, svgLabel, y, w, svgBarH)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="13" fill="#1a1a1a">%s</text>`, float64(svgLabel)+w+6, y+16, html.EscapeString(bar.Text))
	}
	b.WriteString(`</svg>`)
	return b.String()
}
