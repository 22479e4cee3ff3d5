package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
)

// The supplier list: every role that may see alerts searches it by
// name, number (with or without hyphen) and address; by person only
// roles with view_persons, audited; numbers NNNNNN-NNNN, never broken;
// the count in the right number.
func TestUISuppliers(t *testing.T) {
	f := newFixture(t)
	persons := f.withPersons()
	anna, bo := f.as("anna"), f.as("bo")
	for _, tc := range []struct {
		who       who
		q         string
		want, not []string
	}{
		{anna, "", []string{"<h1>Leverantörer</h1>", `aria-current="page">Leverantörer`, "Omsorgshuset Norr AB",
			`<td class="key nowrap orgnr">559123-4561</td>`, "leverantörer.", `href="/suppliers/` + sampleOrg + `"`, `href="/check"`,
			`href="/alerts/` + sampleAlert + `"`, "Kritisk"}, []string{"1 leverantör."}},
		{anna, "omsorgshuset", []string{"1 leverantör.", "Omsorgshuset Norr AB", "Hittad på", "namn"}, []string{"Anna Ek"}},
		{anna, "5591234561", []string{"1 leverantör.", "559123-4561", "organisationsnummer"}, nil},
		{anna, "559123-4561", []string{"1 leverantör.", "Omsorgshuset Norr AB"}, nil},
		{anna, "Storgatan 12", []string{"1 leverantör.", "Omsorgshuset Norr AB", "adress", "STORGATAN 12, 90326"}, nil},
		{anna, "197505121231", []string{"1 leverantör.", "Omsorgshuset Norr AB", "person"}, nil},
		{anna, "ingen sådan", []string{"0 leverantörer.", "Ingen leverantör matchar sökningen."}, []string{"<table"}},
		// A viewer: no check in the menu, no person found.
		{bo, "", []string{"Omsorgshuset Norr AB", "559123-4561"}, []string{`href="/check"`, "personnummer"}},
		{bo, "197505121231", []string{"Ingen leverantör matchar sökningen."}, []string{"Omsorgshuset Norr AB"}},
		{bo, "Storgatan 12", []string{"1 leverantör.", "Omsorgshuset Norr AB"}, nil},
	} {
		path := suppliersURL(tc.q, 1)
		body := f.page(tc.who, path)
		wantContains(t, tc.who.name+" "+path, body, tc.want...)
		wantNot(t, tc.who.name+" "+path, body, tc.not...)
	}
	// A person searched for is audited; an address is not.
	pn, _ := ident.ParsePerson("197505121231")
	f.trail()
	f.page(anna, suppliersURL("197505121231", 1))
	if es := viewedPersons(f.trail()); len(es) != 1 || es[0].Object != record.PersonSubjectPrefix+persons.Pseudonym(pn) || es[0].Detail["via"] != "web" {
		t.Errorf("person search audited as %+v", es)
	}
	f.page(anna, suppliersURL("Storgatan 12", 1))
	if es := viewedPersons(f.trail()); len(es) != 0 {
		t.Errorf("address search audited as %+v", es)
	}
	// English, and a page past the last is the last.
	body := f.page(anna, "/suppliers?q=omsorgshuset&page=9&lang=en")
	wantContains(t, "en", body, "<h1>Suppliers</h1>", "1 supplier.", "Found by", "Pre-award check")
	// Bad input names the field; signed out goes to the sign-in page.
	for path, want := range map[string]string{"/suppliers?page=x": "page", "/suppliers?q=" + url.QueryEscape(strings.Repeat("å", 201)): "q"} {
		rec := f.get(anna, path)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("GET %s: %d, want 400 naming %s", path, rec.Code, want)
		}
	}
	if rec := f.get(anon, "/suppliers?q=x"); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login?next=%2Fsuppliers%3Fq%3Dx" {
		t.Errorf("signed out: %d %s", rec.Code, rec.Header().Get("Location"))
	}
}
