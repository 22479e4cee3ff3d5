package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/report"
)

// The committee's report page: a coordinator sees the period's
// purchasing per category with its contract loyalty, the charts, and
// the downloads, whose figures are the page's; a viewer may neither see
// it nor download it, nor find it in the menu.
func TestUIReport(t *testing.T) {
	f := newFixture(t)
	anna, bo := f.as("anna"), f.as("bo")
	rep, err := report.Compute(f.st, f.desk, report.Options{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: f.clk.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Categories) == 0 || rep.Total.TotalSEK == 0 {
		t.Fatalf("the fixture has no purchasing this year: %+v", rep.Total)
	}

	body := f.page(anna, "/report")
	wantContains(t, "/report", body, "<h1>Rapport till nämnden</h1>", `aria-current="page">Rapport`, "Inköp per inköpsområde",
		`value="2026-01-01"`, `value="2026-11-22"`, "Avtalstrohet per inköpsområde (%)", "<svg", "Larm per steg",
		`href="/report/rapport.pdf?from=2026-01-01&amp;to=2026-11-22"`, "Hämta som CSV (Excel)",
		"<tfoot><tr><th scope=\"row\">Totalt</th><td class=\"num\">"+uiSEK("sv", rep.Total.CitySEK)+"</td><td class=\"num\">"+uiSEK("sv", rep.Total.OtherSEK)+
			"</td><td class=\"num\">"+uiSEK("sv", rep.Total.NoneSEK)+"</td><td class=\"num\">"+uiSEK("sv", rep.Total.TotalSEK)+"</td>")
	for _, c := range rep.Categories {
		wantContains(t, "/report", body, "<th scope=\"row\">"+uiText["ccat."+c.Category].sv+"</th><td class=\"num\">"+uiSEK("sv", c.CitySEK)+"</td>")
	}
	rec := f.get(anna, "/report?lang=en")
	checkHTML(t, "/report (en)", rec)
	wantContains(t, "/report (en)", rec.Body.String(), "<h1>Report to the committee</h1>", "Purchasing per purchasing area", "Download as PDF (A4)",
		"Contract loyalty per purchasing area (%)", "Alerts per step")

	// The downloads: the same figures.
	rec = f.get(anna, "/report/rapport.json?from=2026-01-01&to=2026-11-22")
	var j struct {
		Total report.Spend `json:"inkop_totalt"`
	}
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" || json.Unmarshal(rec.Body.Bytes(), &j) != nil {
		t.Fatalf("rapport.json: %d %s %.200s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	if j.Total.CitySEK != rep.Total.CitySEK || j.Total.OtherSEK != rep.Total.OtherSEK || j.Total.NoneSEK != rep.Total.NoneSEK {
		t.Errorf("rapport.json's total %+v, the page's %+v", j.Total, rep.Total)
	}
	rec = f.get(anna, "/report/rapport.csv?from=2026-01-01&to=2026-11-22")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Body.String(), "\uFEFF"+report.CSVHeader) ||
		!strings.Contains(rec.Header().Get("Content-Disposition"), `filename="rapport-2026-01-01-2026-11-22.csv"`) {
		t.Errorf("rapport.csv: %d %v %.80q", rec.Code, rec.Header(), rec.Body)
	}
	rec = f.get(anna, "/report/rapport.pdf")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(rec.Body.Bytes(), []byte("%PDF-")) {
		t.Errorf("rapport.pdf: %d %v", rec.Code, rec.Header())
	}
	if rec := f.get(anna, "/report/rapport.xml"); rec.Code != http.StatusNotFound {
		t.Errorf("rapport.xml: %d, want 404", rec.Code)
	}

	// A period it cannot read.
	rec = f.get(anna, "/report?from=2026-12-01&to=2026-11-01")
	if rec.Code != http.StatusBadRequest {
		t.Errorf("to before from: %d, want 400", rec.Code)
	}
	checkHTML(t, "/report (bad period)", rec)
	wantContains(t, "/report (bad period)", rec.Body.String(), "Slutdatumet ligger före startdatumet.", `aria-invalid="true"`)
	if rec := f.get(anna, "/report/rapport.csv?from=igår"); rec.Code != http.StatusBadRequest {
		t.Errorf("rapport.csv?from=igår: %d, want 400", rec.Code)
	}

	// A viewer may not.
	for _, p := range []string{"/report", "/report/rapport.csv", "/report/rapport.pdf"} {
		if rec := f.get(bo, p); rec.Code != http.StatusForbidden {
			t.Errorf("viewer %s: %d, want 403", p, rec.Code)
		}
	}
	wantNot(t, "/ as a viewer", f.page(bo, "/"), `href="/report"`)
}

// GET /api/v1/report answers the report as JSON (as the OpenAPI document
// describes it) to a coordinator, refuses a viewer, and names the
// parameter it cannot read.
func TestAPIReport(t *testing.T) {
	f := newFixture(t)
	rec := f.do(f.as("anna"), http.MethodGet, "/api/v1/report?from=2026-01-01&to=2026-11-22", "")
	var got struct {
		From  time.Time    `json:"fran"`
		To    time.Time    `json:"till"`
		Total report.Spend `json:"inkop_totalt"`
	}
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &got) != nil {
		t.Fatalf("%d %.300s", rec.Code, rec.Body)
	}
	rep, err := report.Compute(f.st, f.desk, report.Options{From: got.From, To: got.To})
	if err != nil {
		t.Fatal(err)
	}
	if got.Total.TotalSEK == 0 || got.Total.TotalSEK != rep.Total.TotalSEK || got.Total.CitySEK != rep.Total.CitySEK || got.To.Format(time.DateOnly) != "2026-11-22" {
		t.Errorf("total %+v to %s, want %+v", got.Total, got.To, rep.Total)
	}
	// An empty period is still every field.
	if rec := f.do(f.as("anna"), http.MethodGet, "/api/v1/report?from=2020-01-01&to=2020-01-31", ""); rec.Code != http.StatusOK ||
		!strings.Contains(rec.Body.String(), `"inkop_per_kategori": []`) && !strings.Contains(rec.Body.String(), `"inkop_per_kategori":[]`) {
		t.Errorf("an empty period: %d %.300s", rec.Code, rec.Body)
	}
	for _, c := range []struct{ query, field string }{{"from=igår", "from"}, {"from=2026-12-01&to=2026-11-01", "to"}, {"format=pdf", "format"}} {
		rec := f.do(f.as("anna"), http.MethodGet, "/api/v1/report?"+c.query, "")
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"field":"`+c.field+`"`) {
			t.Errorf("%s: %d %s", c.query, rec.Code, rec.Body)
		}
	}
	if rec := f.do(f.as("bo"), http.MethodGet, "/api/v1/report", ""); rec.Code != http.StatusForbidden {
		t.Errorf("a viewer: %d, want 403", rec.Code)
	}
}
