package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The CSV is written for Swedish Excel and the committee's own tools:
// UTF-8 with a byte-order mark, because Excel reads a CSV without one in
// the Windows code page and garbles å, ä and ö; semicolons between
// fields, because a Swedish Excel's list separator is the semicolon (the
// comma is its decimal sign) and it splits a double-clicked file on
// it; decimals with a decimal comma, which a Swedish Excel reads as
// numbers; amounts in whole SEK without thousands separators; dates
// ISO 8601. It is one long table (avsnitt, nyckel, namn, matt, varde):
// every figure of the report on its own row, which a pivot table or a
// statistics tool takes as it is.

// CSVHeader is the CSV's first line.
const CSVHeader = "avsnitt;nyckel;namn;matt;varde"

// bom is UTF-8's byte-order mark.
const bom = "\uFEFF"

// WriteCSV writes the report as CSV.
func (r *Report) WriteCSV(w io.Writer) error {
	b := bufio.NewWriter(w)
	row := func(section, key, name, measure, value string) {
		b.WriteString(strings.Join([]string{field(section), field(key), field(name), field(measure), field(value)}, ";"))
		b.WriteString("\r\n")
	}
	b.WriteString(bom + CSVHeader + "\r\n")
	row("period", "", r.Municipality, "fran", date(r.From))
	row("period", "", r.Municipality, "till", date(r.To))
	spend := func(section, key, name string, s Spend) {
		row(section, key, name, "ko_avtal_sek", strconv.FormatInt(s.CitySEK, 10))
		row(section, key, name, "annat_avtal_sek", strconv.FormatInt(s.OtherSEK, 10))
		row(section, key, name, "utan_avtal_sek", strconv.FormatInt(s.NoneSEK, 10))
		row(section, key, name, "totalt_sek", strconv.FormatInt(s.TotalSEK, 10))
		row(section, key, name, "avtalstrohet_procent", Decimal(100*s.Loyalty, 1))
		row(section, key, name, "fakturor", strconv.Itoa(s.Invoices))
	}
	for _, c := range r.Categories {
		spend("inkop_kategori", c.Category, "", c)
	}
	spend("inkop_totalt", "", "", r.Total)
	for _, s := range r.Suppliers {
		spend("inkop_leverantor", s.Orgnr, s.Supplier, s)
	}
	for _, f := range r.Findings {
		row("p_fynd", f.Indicator, "", "leverantorer", strconv.Itoa(f.Suppliers))
	}
	row("screening", "", "", "screenade_leverantorer", strconv.Itoa(r.Screened))
	for _, c := range r.AlertsByStep {
		row("larm_per_steg", c.Key, "", "antal", strconv.Itoa(c.Count))
	}
	for _, c := range r.AlertsByOutcome {
		row("larm_per_utfall", c.Key, "", "antal", strconv.Itoa(c.Count))
	}
	for _, d := range r.Decisions {
		row("beslut", d.Kind, d.Ground, "antal", strconv.Itoa(d.Count))
	}
	for _, h := range r.Hearings {
		row("kommunicering", h.Decision, h.Orgnr, "informerad", date(h.InformedAt))
		row("kommunicering", h.Decision, h.Orgnr, "svarsfrist", date(h.Deadline))
		row("kommunicering", h.Decision, h.Orgnr, "status", h.Status)
		row("kommunicering", h.Decision, h.Orgnr, "frist_respekterad", yesNo(h.Kept))
	}
	row("kommuniceringar", "", "", "frist_respekterad", strconv.Itoa(r.HearingsKept))
	row("kommuniceringar", "", "", "frist_passerad", strconv.Itoa(r.HearingsOverdue))
	for _, h := range r.Halts {
		row("avropsstopp", h.Decision, h.Orgnr, "sedan", date(h.Since))
		row("avropsstopp", h.Decision, h.Orgnr, "avtal", strings.Join(h.Contracts, " "))
		row("avropsstopp", h.Decision, h.Orgnr, "avtalsvarde_sek", strconv.FormatInt(h.ContractSEK, 10))
	}
	row("avropsstopp_totalt", "", "", "antal", strconv.Itoa(len(r.Halts)))
	row("avropsstopp_totalt", "", "", "avtalsvarde_sek", strconv.FormatInt(r.HaltedSEK, 10))
	row("tid_till_beslut", "", "", "antal", strconv.Itoa(r.TimeToDecision.Count))
	row("tid_till_beslut", "", "", "median_dagar", Decimal(r.TimeToDecision.MedianDays, 1))
	row("tid_till_beslut", "", "", "p90_dagar", Decimal(r.TimeToDecision.P90Days, 1))
	if err := b.Flush(); err != nil {
		return fmt.Errorf("report: csv: %w", err)
	}
	return nil
}

// Decimal formats x with the given decimals and a decimal comma.
func Decimal(x float64, decimals int) string {
	return strings.Replace(strconv.FormatFloat(x, 'f', decimals, 64), ".", ",", 1)
}

func yesNo(b bool) string {
	if b {
		return "ja"
	}
	return "nej"
}

// field quotes a field that holds a semicolon, a quote or a line break.
func field(s string) string {
	if !strings.ContainsAny(s, ";\"\r\n") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
