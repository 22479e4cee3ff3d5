package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/screening"
)

// The pre-award check form: roles with decide (as POST /api/v1/screen)
// may use it, others get 403 and no menu item; it needs the CSRF token;
// its answer is the API's for the same input, with the evidence; each
// check is audited as the API's.
func TestUICheck(t *testing.T) {
	f := newFixture(t)
	anna, cecilia, bo := f.as("anna"), f.as("cecilia"), f.as("bo")
	form := url.Values{"orgnr": {"559123-4561"}, "purpose": {"award"}, "category": {"hvb_barn"}, "value_sek": {"4 800 000"}}

	for _, w := range []who{anna, cecilia} {
		body := f.page(w, "/check")
		wantContains(t, w.name+" /check", body, "<h1>Kontroll före tilldelning</h1>", `aria-current="page">Kontroll före tilldelning`,
			`name="csrf_token"`, `name="orgnr"`, `name="purpose"`, `name="category"`, `name="value_sek"`, "HVB barn och unga")
	}
	// A viewer may not: no menu item, 403 on the page and the form.
	wantNot(t, "bo /", f.page(bo, "/"), `href="/check"`)
	for _, rec := range []*httptest.ResponseRecorder{f.get(bo, "/check"), f.post(bo, "/check", form, true)} {
		if rec.Code != http.StatusForbidden {
			t.Errorf("bo: %d, want 403", rec.Code)
		}
	}
	// Without the CSRF token nothing is checked.
	f.trail()
	if rec := f.post(anna, "/check", form, false); rec.Code != http.StatusForbidden {
		t.Errorf("without CSRF: %d", rec.Code)
	}
	if es := f.trail(); slices.ContainsFunc(es, func(e audit.Entry) bool { return e.Action == AuditScreen }) {
		t.Errorf("checked without CSRF: %+v", es)
	}

	// The same input through the API and the form.
	var api screening.Assessment
	f.ok(http.StatusOK, f.token("robot"), http.MethodPost, "/api/v1/screen",
		`{"orgnr":"559123-4561","purpose":"award","category":"hvb_barn","value_sek":4800000}`, &api)
	f.trail()
	rec := f.post(anna, "/check", form, true)
	if rec.Code != http.StatusOK {
		t.Fatalf("POST /check: %d %s", rec.Code, rec.Body)
	}
	checkHTML(t, "POST /check", rec)
	body := rec.Body.String()
	want := []string{"Svar för " + api.Name, `verdict-` + string(api.Verdict), uiT("sv", "verdict."+string(api.Verdict)),
		`step-` + string(api.Step) + `">` + string(api.Step), api.Ruleset,
		`href="/suppliers/` + sampleOrg + `"`, `<dd class="orgnr">559123-4561</dd>`, `value="559123-4561"`, `value="hvb_barn" selected`}
	if len(api.Hits) == 0 {
		t.Fatal("the API's answer has no hits")
	}
	// A critical step shows "Kritisk" in place of the score, as everywhere.
	score := "<dd>" + string((&view{Lang: "sv"}).StepScore(api.Step, api.Score)) + "</dd>"
	want = append(want, score)
	for _, h := range api.Hits {
		want = append(want, `id="hit-`+h.ID+`"`, h.Message.SV)
		for _, e := range h.Evidence {
			row := regexp.MustCompile(fmt.Sprintf(`<td[^>]* class="key">%s</td>\s*<td[^>]* class="num">%d</td>`, regexp.QuoteMeta(e.Key), e.Version))
			if !row.MatchString(body) {
				t.Errorf("the form's answer lacks the evidence %s version %d", e.Key, e.Version)
			}
		}
	}
	wantContains(t, "the form's answer", body, want...)
	if n := strings.Count(body, `<article class="hit`); n != len(api.Hits) {
		t.Errorf("the form shows %d hits, the API %d", n, len(api.Hits))
	}
	es := f.trail()
	if !slices.ContainsFunc(es, func(e audit.Entry) bool {
		return e.Action == AuditScreen && e.Actor == "anna" && e.Object == sampleOrg && e.Detail["via"] == "web" && e.Detail["purpose"] == "award"
	}) {
		t.Errorf("the form's check was not audited: %+v", es)
	}

	// Bad input names the field; an unknown organisation is a 404 with
	// its answer.
	for _, tc := range []struct {
		set, value, field string
	}{
		{"value_sek", "många", "c-value_sek-error"},
		{"value_sek", "-5", "c-value_sek-error"},
		{"orgnr", "123", "c-orgnr-error"},
		{"orgnr", "", "c-orgnr-error"},
		{"purpose", "köp", "c-purpose-error"},
	} {
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set(tc.set, tc.value)
		rec := f.post(anna, "/check", bad, true)
		if rec.Code != http.StatusBadRequest {
			t.Errorf("%s=%q: %d, want 400", tc.set, tc.value, rec.Code)
			continue
		}
		checkHTML(t, tc.set, rec)
		wantContains(t, tc.set+"="+tc.value, rec.Body.String(), `id="`+tc.field+`"`, `aria-invalid="true"`, "Kontrollen gjordes inte")
	}
	rec = f.post(anna, "/check", url.Values{"orgnr": {unknownOrg}, "purpose": {"calloff"}}, true)
	if rec.Code != http.StatusNotFound {
		t.Fatalf("unknown: %d", rec.Code)
	}
	wantContains(t, "unknown", rec.Body.String(), "Bolagsverket känner inte till organisationsnumret", "verdict-")
	// In English.
	rec = f.post(anna, "/check?lang=en", form, true)
	wantContains(t, "en", rec.Body.String(), "Answer for", "Hits and evidence", uiT("en", "verdict."+string(api.Verdict)))
}
