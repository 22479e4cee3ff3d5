package web

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
)

// searchAs is GET /api/v1/suppliers?q= as a principal.
func (f *fixture) searchAs(w who, q string) supplierList {
	f.t.Helper()
	var l supplierList
	f.ok(http.StatusOK, w, http.MethodGet, "/api/v1/suppliers?q="+url.QueryEscape(q), "", &l)
	return l
}

// A street address finds the organisations registered at an address
// beginning with it, for every role; the postal code narrows it.
func TestSearchByAddress(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		who, q, addr string
		want         []string
	}{
		{"anna", "Storgatan 12", "STORGATAN 12|90326", []string{sampleOrg}},
		{"bo", "storgatan  12", "STORGATAN 12|90326", []string{sampleOrg}},
		{"anna", "Storgatan 12, 903 26 Umeå", "STORGATAN 12|90326", []string{sampleOrg}},
		{"anna", "Storgatan 12, 111 11 Stockholm", "", nil},
		{"anna", "Storgatan 99", "", nil},
		// A sole trader's address: only to roles that may see persons.
		{"anna", "Box 4, 971 01", "BOX 4|97101", []string{"6001011235"}},
		{"bo", "Box 4, 971 01", "", nil},
	} {
		l := f.searchAs(f.as(tc.who), tc.q)
		if got := supplierOrgs(l); !slices.Equal(got, tc.want) {
			t.Errorf("%s q=%q: %v, want %v", tc.who, tc.q, got, tc.want)
			continue
		}
		if len(tc.want) > 0 && (l.Suppliers[0].Match != "address" || l.Suppliers[0].Address != tc.addr) {
			t.Errorf("%s q=%q: match %q at %q, want address at %q", tc.who, tc.q, l.Suppliers[0].Match, l.Suppliers[0].Address, tc.addr)
		}
	}
	if es := viewedPersons(f.trail()); len(es) > 0 {
		t.Errorf("an address names no person, audited %+v", es)
	}
}

// A person (pseudonym, or personnummer when the server has Persons)
// finds the organisations of the person's roles for roles with
// view_persons, audited; a viewer gets no person matches and no trail.
func TestSearchByPerson(t *testing.T) {
	f := newFixture(t)
	persons := f.withPersons()
	pn, err := ident.ParsePerson("197505121231")
	if err != nil {
		t.Fatal(err)
	}
	erik := persons.Pseudonym(pn)
	for _, tc := range []struct {
		who   who
		q     string
		want  []string
		trail bool
	}{
		{f.as("anna"), erik, []string{sampleOrg}, true},
		{f.as("anna"), "19750512-1231", []string{sampleOrg}, true},
		{f.as("cecilia"), "197505121231", []string{sampleOrg}, true},
		{f.token("robot"), erik, []string{sampleOrg}, true},
		{f.as("bo"), erik, nil, false},
		{f.as("bo"), "19750512-1231", nil, false},
		{f.token("panel"), erik, nil, false},
		{f.as("anna"), "19750512-1232", nil, false}, // not a personnummer, no one
	} {
		l := f.searchAs(tc.who, tc.q)
		if got := supplierOrgs(l); !slices.Equal(got, tc.want) {
			t.Errorf("%s q=%q: %v, want %v", tc.who.name, tc.q, got, tc.want)
		}
		if len(tc.want) > 0 && l.Suppliers[0].Match != "person" {
			t.Errorf("%s q=%q: match %q", tc.who.name, tc.q, l.Suppliers[0].Match)
		}
		es := viewedPersons(f.trail())
		if !tc.trail {
			if len(es) > 0 {
				t.Errorf("%s q=%q: audited %+v", tc.who.name, tc.q, es)
			}
			continue
		}
		if !slices.ContainsFunc(es, func(e audit.Entry) bool {
			return e.Action == audit.ViewPersons && e.Object == record.PersonSubjectPrefix+erik && e.Detail["view"] == "search"
		}) {
			t.Errorf("%s q=%q: no view.persons of %s in %+v", tc.who.name, tc.q, erik, es)
		}
	}
}

// viewedPersons are the entries of audit.ViewPersons.
func viewedPersons(es []audit.Entry) []audit.Entry {
	return slices.DeleteFunc(es, func(e audit.Entry) bool { return e.Action != audit.ViewPersons })
}

// withPersons gives the server the fixture's pseudonymizer (Server.Persons).
func (f *fixture) withPersons() *record.HMACPseudonymizer {
	f.t.Helper()
	persons, err := record.NewHMACPseudonymizer([]byte("web tests: not a deployment secret"))
	if err != nil {
		f.t.Fatal(err)
	}
	f.srv.Persons = persons
	return persons
}
