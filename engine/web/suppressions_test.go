package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/rules"
)

// Suppressing a known false positive: a coordinator may, a viewer may
// not; a critical hit is refused; the hit then shows marked on the
// supplier's and the alert's pages after the next screening.
func TestSuppressions(t *testing.T) {
	f := newFixture(t)
	anna, bo := f.as("anna"), f.as("bo")
	as, err := f.sc.Assessments(sampleOrg)
	if err != nil || len(as) == 0 {
		t.Fatalf("assessments %v", err)
	}
	latest := as[len(as)-1]
	var plain, critical string
	for _, h := range latest.Hits {
		switch {
		case h.Severity == rules.Critical && critical == "":
			critical = h.ID
		case h.Severity != rules.Critical && plain == "":
			plain = h.ID
		}
	}
	if plain == "" || critical == "" {
		t.Fatalf("the sample's hits %+v: want a critical one and another", latest.Hits)
	}
	base := "/api/v1/suppliers/" + sampleOrg + "/suppressions"
	body := `{"indicator":"` + plain + `","reason":"Känd felträff: skulden betald","expires":"2026-12-31"}`
	f.trail()

	// A viewer may read, not suppress; nothing is recorded.
	if rec := f.do(bo, http.MethodPost, base, body); rec.Code != http.StatusForbidden {
		t.Errorf("viewer suppressing: %d", rec.Code)
	}
	if rec := f.post(bo, "/suppliers/"+sampleOrg+"/suppressions", url.Values{"indicator": {plain}, "reason": {"x"}, "expires": {"2026-12-31"}}, true); rec.Code != http.StatusForbidden {
		t.Errorf("viewer's form: %d", rec.Code)
	}
	var list suppressionList
	f.ok(http.StatusOK, bo, http.MethodGet, base, "", &list)
	if len(list.Suppressions) != 0 {
		t.Errorf("suppressions %+v", list)
	}
	wantNot(t, "viewer's supplier page", f.page(bo, "/suppliers/"+sampleOrg), `id="supp-indicator"`)
	f.wantTrail()

	// Refused with the field named: a critical hit, no expiry, one passed.
	for b, field := range map[string]string{
		`{"indicator":"` + critical + `","reason":"x","expires":"2026-12-31"}`: "indicator",
		`{"indicator":"` + plain + `","reason":"x"}`:                           "expires",
		`{"indicator":"` + plain + `","reason":"x","expires":"2026-11-01"}`:    "expires",
		`{"indicator":"` + plain + `","reason":" ","expires":"2026-12-31"}`:    "reason",
	} {
		rec := f.do(anna, http.MethodPost, base, b)
		if e := errorOf(t, rec); rec.Code != http.StatusBadRequest || e.Field != field {
			t.Errorf("%s: %d %+v, want 400 naming %s", b, rec.Code, e, field)
		}
	}
	f.wantTrail()

	// The coordinator's form is on the page; the API suppresses, audited.
	wantContains(t, "coordinator's supplier page", f.page(anna, "/suppliers/"+sampleOrg), `id="supp-indicator"`,
		`<option value="`+plain+`">`)
	wantNot(t, "coordinator's supplier page", f.page(anna, "/suppliers/"+sampleOrg), `<option value="`+critical+`">`)
	f.trail() // the pages' view.persons
	var x screening.Suppression
	f.ok(http.StatusCreated, anna, http.MethodPost, base, body, &x)
	if x.Indicator != plain || x.By != "anna" || x.Expires.UTC().Format("2006-01-02T15:04") != "2026-12-31T23:00" {
		t.Errorf("suppression %+v", x)
	}
	es := f.wantTrail("suppression.create anna " + sampleOrg)
	if es[0].Detail["indicator"] != plain {
		t.Errorf("audit %+v", es[0])
	}

	// The next screening marks the hit; both pages say so.
	if _, err := f.sc.Screen(context.Background(), []ident.Org{ident.MustOrg(sampleOrg)},
		screening.Options{At: instant(t, "2026-11-22"), Save: true}); err != nil {
		t.Fatal(err)
	}
	as, _ = f.sc.Assessments(sampleOrg)
	now := as[len(as)-1]
	if i := slices.IndexFunc(now.Hits, func(h screening.Hit) bool { return h.ID == plain }); i < 0 || now.Hits[i].Suppressed != x.ID {
		t.Fatalf("hits after the screening %+v", now.Hits)
	}
	f.ok(http.StatusOK, bo, http.MethodGet, base, "", &list)
	if len(list.Suppressions) != 1 || list.Suppressions[0].Status != "in_force" {
		t.Errorf("suppressions %+v", list)
	}
	for _, path := range []string{"/suppliers/" + sampleOrg, "/alerts/" + sampleAlert} {
		rec := f.get(bo, path)
		checkHTML(t, path, rec)
		page := rec.Body.String()
		wantContains(t, path, page, `<span class="badge suppressed">Undertryckt</span>`, `<tr id="supp-`+x.ID+`">`, "Känd felträff: skulden betald",
			`<span class="badge supp-in_force">gäller</span>`)
		for _, p := range cardProblems(page) {
			t.Errorf("%s: %s", path, p)
		}
	}
}
