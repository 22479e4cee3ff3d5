package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/watchlist"
)

// withSanctions stores the EU list (sampleListing) and a newer assessment
// of the sample supplier that carries its candidates as screening makes
// them: the VD Sara Holm by name, the organisation by its number. It
// returns the VD's pseudonym.
func withSanctions(t *testing.T, f *fixture) string {
	t.Helper()
	putSanctionsList(t, f.st, instant(t, "2026-11-21"), strings.Repeat("1f", 32), sampleListing("")...)
	var a *screening.Assessment
	sv, err := f.srv.supplier(ident.MustOrg(sampleOrg), nil)
	if err != nil {
		t.Fatal(err)
	}
	a = sv.Latest
	var sara string
	for _, r := range sv.Profile.Roles {
		if r.Name == "Sara Holm" {
			sara = r.Person
		}
	}
	if a == nil || sara == "" {
		t.Fatalf("the sample supplier: %+v, VD %q", a, sara)
	}
	v, err := watchlist.Load(f.st, f.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	label := v.Lists[0].Label()
	c := *a
	c.At = a.At.Add(time.Hour)
	c.Sanctions = []*profile.Sanction{
		{Subject: watchlist.SubjectOrganisation, Name: a.Name, Source: "sanctions-eu", List: "eu", Version: label, EntityID: "EU.200.2",
			Kind: "organisation", Listed: "Omsorgshuset Norr Aktiebolag", Score: 1, Identifier: true, Corroborated: true,
			Explanation: "identifier 5591234561 matched exactly"},
		{Subject: "person", Person: sara, Name: "Sara Holm", Roles: "vd", Source: "sanctions-eu", List: "eu", Version: label,
			EntityID: "EU.100.1", Kind: "person", Listed: "Sarah Holm", Score: 0.78, BirthYear: "disagree",
			Explanation: `name "Sarah Holm"; sara~sarah 0.96; holm~holm 1.00; names 0.98; birth_year disagree (query 1982, list 1955) -0.20`},
	}
	if err := f.sc.Save(&c); err != nil {
		t.Fatal(err)
	}
	return sara
}

func TestUISanctions(t *testing.T) {
	f := newFixture(t)
	sara := withSanctions(t, f)
	anna, bo := f.as("anna"), f.as("bo")
	f.trail()

	for _, path := range []string{"/suppliers/" + sampleOrg, "/alerts/" + sampleAlert} {
		body := f.page(anna, path)
		wantContains(t, path, body, `<h2 id="sanctions-h">Sanktionslistor</h2>`, "Sara Holm (VD)", "Organisationen: Omsorgshuset Norr AB",
			"EU.100.1", "Sarah Holm", ">0,78<", ">1,00<", "EU.200.2", "Identitetsnummer stämmer", "Födelseår: stämmer inte", "EU 2026-11-21 (sha256 1f1f1f1f1f1f)",
			"Inte samma person: Sara Holm och EU.100.1. Skäl", `name="subject" value="`+sara+`"`, "Inga bedömningar.")
		// The identifier match has no form.
		wantNot(t, path, body, "Inte samma organisation som EU.200.2")
		// A viewer sees the candidates without the representative's name, and no form.
		body = f.page(bo, path)
		wantContains(t, path+" as viewer", body, "Sanktionslistor", "EU.100.1", "Företrädarnas namn visas bara")
		wantNot(t, path+" as viewer", body, "Sara Holm", sara, "Inte samma person")
	}
	f.trail()

	// The form: refused without CSRF token, and for a viewer; saved for a
	// coordinator, who returns to the alert.
	form := url.Values{"subject": {sara}, "list": {"eu"}, "entity_id": {"EU.100.1"}, "reason": {"Annan person: listad född 1955, vår VD 1982."},
		"back": {"/alerts/" + sampleAlert}}
	if rec := f.post(anna, "/suppliers/"+sampleOrg+"/sanctions/judgements", form, false); rec.Code != http.StatusForbidden {
		t.Errorf("no CSRF token: %d", rec.Code)
	}
	if rec := f.post(bo, "/suppliers/"+sampleOrg+"/sanctions/judgements", form, true); rec.Code != http.StatusForbidden {
		t.Errorf("viewer: %d", rec.Code)
	}
	f.wantTrail()
	wantRedirect(t, "judge", f.post(anna, "/suppliers/"+sampleOrg+"/sanctions/judgements", form, true), "/alerts/"+sampleAlert+"?ok=judgement#sanctions")
	es := f.wantTrail("sanctions.judgement anna " + sampleOrg)
	if d := es[0].Detail; d["via"] != "web" || d["subject"] != sara || d["reason"] != form.Get("reason") {
		t.Errorf("audit detail %v", d)
	}
	body := f.page(anna, "/alerts/"+sampleAlert+"?ok=judgement")
	wantContains(t, "after the judgement", body, "Bedömd som inte samma", "Gäller", "Annan person: listad född 1955, vår VD 1982.", "Bedömningen sparades")
	wantNot(t, "after the judgement", body, "Inte samma person: Sara Holm")
	// An identifier match is refused, whatever the form says.
	form.Set("subject", "organisation")
	form.Set("entity_id", "EU.200.2")
	if rec := f.post(anna, "/suppliers/"+sampleOrg+"/sanctions/judgements", form, true); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("identifier match: %d", rec.Code)
	} else {
		checkHTML(t, "identifier match", rec)
		wantContains(t, "identifier match", rec.Body.String(), "kan inte avfärdas")
	}

	// The list entry changes: the judgement is void and the form is back.
	putSanctionsList(t, f.st, instant(t, "2026-11-22T08:00:00Z"), strings.Repeat("2e", 32), sampleListing("Ändrad.")...)
	body = f.page(anna, "/suppliers/"+sampleOrg)
	wantContains(t, "entry changed", body, "Ogiltig: listposten har ändrats", "Inte samma person: Sara Holm och EU.100.1. Skäl")

	// The printed basis shows the candidates with their list version.
	wantRedirect(t, "decide", f.post(anna, "/alerts/"+sampleAlert+"/decisions", decideForm(review.Avropsstopp), true), "/alerts/")
	body = f.page(anna, "/decisions/"+sampleAlert+"-d1/underlag")
	wantContains(t, "underlag", body, "Sanktionslistor", "Sara Holm (VD)", "EU.100.1", "EU 2026-11-21 (sha256 1f1f1f1f1f1f)")
	wantNot(t, "underlag", body, "Inte samma person: Sara Holm", `name="reason"`+` rows="2"`)
}
