package web

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"testing"

	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/workplace"
)

// Two suppliers whose only hits are Z01 and Z02, ids no rule of the pack
// has, so that their counts are the test's own.
const (
	zOrgX = "5560000011" // Z01, Z02: closed as a false alarm, Z02 wrong
	zOrgY = "5560000012" // Z02: closed as a false alarm, Z02 wrong
)

// The done-when of issue 17's first item: alerts closed with each outcome
// (through the API and the page) show the right counts on the API and
// the Träffsäkerhet page.
func TestPrecisionAPIAndPage(t *testing.T) {
	f := newFixture(t)
	anna, bo := f.as("anna"), f.as("bo")
	at := instant(t, "2026-11-21T12:00:00Z")
	saveAssessment(t, f, zOrgX, "Zeta Omsorg AB", ladder.L2, 40, at, map[string]string{"Z01": "high", "Z02": "high"})
	saveAssessment(t, f, zOrgY, "Ypsilon Vård AB", ladder.L2, 40, at, map[string]string{"Z02": "high"})
	sample, err := f.desk.Alert(sampleAlert)
	if err != nil {
		t.Fatal(err)
	}
	sole, err := f.desk.Alert(soleTraderAlert)
	if err != nil {
		t.Fatal(err)
	}
	// bekräftad risk and falsklarm through the API, befogat larm and
	// falsklarm through the page.
	f.ok(http.StatusOK, anna, http.MethodPost, "/api/v1/alerts/"+sampleAlert+"/close", `{"reason":"Skulder","outcome":"bekraftad_risk"}`, nil)
	f.ok(http.StatusOK, anna, http.MethodPost, "/api/v1/alerts/"+zOrgX+"-1/close",
		`{"reason":"Fel organisation","outcome":"falsklarm","wrong_hits":["Z02"]}`, nil)
	wantRedirect(t, "befogat", f.post(anna, "/alerts/"+soleTraderAlert+"/close", url.Values{"reason": {"Utrett"},
		"outcome": {"befogat_larm"}}, true), "/alerts/"+soleTraderAlert+"?ok=closed")
	wantRedirect(t, "falsklarm", f.post(anna, "/alerts/"+zOrgY+"-1/close", url.Values{"reason": {"Fel"},
		"outcome": {"falsklarm"}, "wrong_hits": {"Z02"}}, true), "/alerts/"+zOrgY+"-1?ok=closed")

	var p workplace.Precision
	f.ok(http.StatusOK, bo, http.MethodGet, "/api/v1/indicators/precision?from=2026-11-01&to=2026-11-23", "", &p)
	if p.Closed != 4 || p.Alerts < 4 {
		t.Errorf("alerts %d closed %d, want 4 closed", p.Alerts, p.Closed)
	}
	rows := map[string]workplace.IndicatorStats{}
	for _, r := range p.Indicators {
		rows[r.ID] = r
	}
	z1, z2 := rows["Z01"], rows["Z02"]
	if z1.Hits != 1 || z1.Alerts != 1 || z1.FalseAlarm != 0 || z1.NotWrong != 1 || z1.Precision != nil || z1.Only != 0 {
		t.Errorf("Z01 %+v", z1)
	}
	if z2.Hits != 2 || z2.Alerts != 2 || z2.FalseAlarm != 2 || z2.NotWrong != 0 || z2.Precision == nil || *z2.Precision != 0 || z2.Only != 1 {
		t.Errorf("Z02 %+v", z2)
	}
	// Opened 2026-11-21 12:00, closed at the clock's 2026-11-22 08:00 (it
	// moves on a second with each request).
	if z2.MedianSeconds == nil || *z2.MedianSeconds < 20*3600 || *z2.MedianSeconds > 20*3600+60 || z2.Decided != 2 {
		t.Errorf("Z02 median %v over %d", deref(z2.MedianSeconds), z2.Decided)
	}
	// The sample alert's hits were confirmed, the sole trader's justified.
	for _, id := range append(slices.Clone(sample.Hits), sole.Hits...) {
		r := rows[id]
		c, j := count(sample.Hits, id), count(sole.Hits, id)
		if r.Confirmed != c || r.Justified != j || r.Precision == nil || *r.Precision != 1 || r.Title.SV == "" {
			t.Errorf("%s: %+v, want %d bekräftad, %d befogat, precision 1, titled", id, r, c, j)
		}
	}

	// The page, as a viewer: the same counts, in an accessible table.
	rec := f.get(bo, "/precision?from=2026-11-01&to=2026-11-22")
	if rec.Code != http.StatusOK {
		t.Fatalf("page: %d", rec.Code)
	}
	checkHTML(t, "precision page", rec)
	body := rec.Body.String()
	for _, prob := range cardProblems(body) {
		t.Errorf("precision page: %s", prob)
	}
	wantContains(t, "precision page", body, `<a href="/precision" aria-current="page">Träffsäkerhet</a>`,
		`<caption id="prec-caption">Träffsäkerhet per indikator 2026-11-01–2026-11-22</caption>`, `role="region"`)
	// Z02: hits, alerts, bekräftad, befogat, falsklarm, not wrong, without
	// outcome, precision, median days, only reason.
	wantCells(t, body, "Z02", "2", "2", "0", "0", "2", "0", "0", "0\u00a0%", "0,8", "1")
	wantCells(t, body, "Z01", "1", "1", "0", "0", "0", "1", "0", "–", "0,8", "0")
	// The period's end is included on the page: closes on the 22nd are
	// gone when it ends on the 21st.
	body = f.page(bo, "/precision?from=2026-11-01&to=2026-11-21")
	wantCells(t, body, "Z02", "2", "2", "0", "0", "0", "0", "0", "–", "–", "1")

	// Refused: a date that is none, an end before the start.
	rec = f.get(bo, "/precision?from=i+går&to=2026-11-21")
	if rec.Code != http.StatusBadRequest {
		t.Errorf("a bad date: %d", rec.Code)
	}
	wantContains(t, "a bad date", rec.Body.String(), `id="p-from-error"`, `aria-invalid="true"`)
	rec = f.get(bo, "/precision?from=2026-11-21&to=2026-11-01")
	wantContains(t, "an end before the start", rec.Body.String(), `id="p-to-error">Slutdatumet får inte vara före startdatumet.`)
	for q, field := range map[string]string{"from=2026-11-01": "to", "to=2026-11-01": "from", "from=x&to=2026-11-01": "from",
		"from=2026-11-02&to=2026-11-01": "to", "from=2026-11-01&to=2026-11-02&lang=sv": "lang"} {
		rec := f.do(bo, http.MethodGet, "/api/v1/indicators/precision?"+q, "")
		if e := errorOf(t, rec); rec.Code != http.StatusBadRequest || e.Field != field {
			t.Errorf("%s: %d %+v, want 400 naming %s", q, rec.Code, e, field)
		}
	}
	// Every role sees alerts, so every signed-in user may; nobody else.
	if rec := f.do(anon, http.MethodGet, "/api/v1/indicators/precision?from=2026-11-01&to=2026-11-23", ""); rec.Code != http.StatusUnauthorized {
		t.Errorf("anonymous API: %d", rec.Code)
	}
	if rec := f.get(anon, "/precision"); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login?next=%2Fprecision" {
		t.Errorf("anonymous page: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	f.ok(http.StatusOK, f.token("panel"), http.MethodGet, "/api/v1/indicators/precision?from=2026-11-01&to=2026-11-23", "", nil)
}

func count(ids []string, id string) int {
	n := 0
	for _, x := range ids {
		if x == id {
			n++
		}
	}
	return n
}

var rowCells = regexp.MustCompile(`<td class="num" data-label="[^"]*">(?:<span class="muted">)?([^<]*)`)

// wantCells checks the cells of an indicator's row on the precision page.
func wantCells(t *testing.T, body, id string, want ...string) {
	t.Helper()
	row := regexp.MustCompile(`(?s)<tr id="ind-` + id + `">(.*?)</tr>`).FindStringSubmatch(body)
	if row == nil {
		t.Fatalf("no row for %s", id)
	}
	var got []string
	for _, m := range rowCells.FindAllStringSubmatch(row[1], -1) {
		got = append(got, m[1])
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: cells %q, want %q", id, got, want)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
