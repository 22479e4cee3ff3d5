package web

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
)

func supplierOrgs(l supplierList) []string {
	var out []string
	for _, s := range l.Suppliers {
		out = append(out, s.Orgnr)
	}
	return out
}

func TestSearchSuppliers(t *testing.T) {
	f := newFixture(t)
	// A coordinator: a viewer finds a sole trader only by its whole
	// number (TestSoleTraderByRole).
	anna := f.as("anna")
	search := func(q string) supplierList {
		t.Helper()
		var l supplierList
		f.ok(http.StatusOK, anna, http.MethodGet, "/api/v1/suppliers?q="+url.QueryEscape(q), "", &l)
		return l
	}
	l := search("omsorgshuset")
	if len(l.Suppliers) != 1 {
		t.Fatalf("by name: %+v", l)
	}
	s := l.Suppliers[0]
	if s.Orgnr != sampleOrg || s.Name != "Omsorgshuset Norr AB" || s.Step != "L3" || s.Verdict != "block" || s.OpenAlert != sampleAlert ||
		len(s.Hits) != 8 || s.AssessedAt.IsZero() {
		t.Errorf("hit %+v", s)
	}
	for q, want := range map[string][]string{
		"OMSORG":        {"6001011235", sampleOrg}, // Anna Ek Omsorg, Omsorgshuset Norr AB: by name
		"norr ab":       {sampleOrg},
		"559123-4561":   {sampleOrg},
		"5591234561":    {sampleOrg},
		"16559123-4561": {sampleOrg},
		"559123":        {sampleOrg},
		"4561":          {sampleOrg},
		"ingen sådan":   nil,
		"9999999":       nil,
	} {
		if got := supplierOrgs(search(q)); !slices.Equal(got, want) {
			t.Errorf("q=%q: %v, want %v", q, got, want)
		}
	}
	// Without q: every screened organisation, by name, in pages.
	var all supplierList
	f.ok(http.StatusOK, anna, http.MethodGet, "/api/v1/suppliers", "", &all)
	if all.Total < 3 || len(all.Suppliers) != all.Total {
		t.Fatalf("all: %+v", all.pageInfo)
	}
	var first supplierList
	f.ok(http.StatusOK, anna, http.MethodGet, "/api/v1/suppliers?per_page=1", "", &first)
	if len(first.Suppliers) != 1 || first.Suppliers[0].Orgnr != all.Suppliers[0].Orgnr || first.Links.Next == "" || first.Pages != all.Total {
		t.Errorf("first page %+v", first)
	}
}

// An organisation the store has records of but that was never screened
// is found by its number.
func TestSearchUnscreened(t *testing.T) {
	f := newFixture(t)
	org := ident.MustOrg("5560360793")
	c := record.Company{Orgnr: org.String(), Name: "Nytt Bolag AB"}
	if _, err := f.st.Put([]store.Observation{{Item: record.Item{Source: record.Bolagsverket, Subject: org.String(),
		Raw: []byte(`{"namn":"Nytt Bolag AB"}`), Parsed: c, Pos: "test:1"}, Observed: instant(t, "2026-11-21")}}); err != nil {
		t.Fatal(err)
	}
	var l supplierList
	f.ok(http.StatusOK, f.as("bo"), http.MethodGet, "/api/v1/suppliers?q=556036-0793", "", &l)
	if len(l.Suppliers) != 1 || l.Suppliers[0].Orgnr != org.String() || l.Suppliers[0].Name != "Nytt Bolag AB" || !l.Suppliers[0].AssessedAt.IsZero() {
		t.Errorf("unscreened: %+v", l)
	}
	var d supplierDetail
	f.ok(http.StatusOK, f.as("bo"), http.MethodGet, "/api/v1/suppliers/"+org.String(), "", &d)
	if d.Latest != nil || len(d.History) != 0 || d.Name != "Nytt Bolag AB" || len(d.Records) != 1 {
		t.Errorf("unscreened detail %+v", d)
	}
}

func TestSupplierDetail(t *testing.T) {
	f := newFixture(t)
	bo, anna := f.as("bo"), f.as("anna")
	f.trail()
	rec := f.ok(http.StatusOK, bo, http.MethodGet, "/api/v1/suppliers/559123-4561", "", nil)
	for _, name := range []string{"Sara Holm", "Erik Lind"} {
		if strings.Contains(rec.Body.String(), name) {
			t.Errorf("a viewer sees %s", name)
		}
	}
	var d supplierDetail
	decode(t, rec, &d)
	if d.Orgnr != sampleOrg || d.Name != "Omsorgshuset Norr AB" || d.Personal || d.Latest == nil || d.Latest.Step != "L3" ||
		d.OpenAlert != sampleAlert || len(d.Alerts) != 1 || d.HaltInForce != "" || d.Persons != nil || !d.PersonsWithheld {
		t.Fatalf("detail %+v", d)
	}
	if len(d.History) != 1 || d.History[0].Step != "L3" || d.History[0].Assessments != 1 || d.History[0].Verdict != "block" {
		t.Errorf("history %+v", d.History)
	}
	sources := map[string]bool{}
	for _, r := range d.Records {
		sources[r.Source] = true
		if len(r.Versions) == 0 || r.LastObserved.IsZero() {
			t.Errorf("record %+v", r)
		}
	}
	for _, src := range []string{record.Bolagsverket, record.Roles, record.Kronofogden, record.Contracts, record.Invoices} {
		if !sources[src] {
			t.Errorf("no %s record in %v", src, sources)
		}
	}
	if len(d.Timeline) < len(d.Records) {
		t.Errorf("timeline %d entries for %d records", len(d.Timeline), len(d.Records))
	}
	for i := 1; i < len(d.Timeline); i++ {
		if d.Timeline[i].At.Before(d.Timeline[i-1].At) {
			t.Errorf("timeline out of order at %d", i)
		}
	}
	if len(d.Contracts) != 1 || d.Contracts[0].ID != "ASN-2024-1001" || d.Contracts[0].InvoicedSEK != 504000 ||
		len(d.Invoices) != 1 || d.Invoices[0].ID != "F-2026-000123" {
		t.Errorf("contracts %+v invoices %+v", d.Contracts, d.Invoices)
	}
	for _, h := range d.Latest.Hits {
		if (h.ID == "S15") != (h.Message == withheldMessage) {
			t.Errorf("hit %s: %q", h.ID, h.Message.SV)
		}
	}
	f.wantTrail()

	d = supplierDetail{}
	rec = f.ok(http.StatusOK, anna, http.MethodGet, "/api/v1/suppliers/"+sampleOrg, "", &d)
	if d.Persons == nil || len(d.Persons.Representatives) != 3 || d.PersonsWithheld || !strings.Contains(rec.Body.String(), "Sara Holm") {
		t.Fatalf("coordinator: persons %+v", d.Persons)
	}
	e := f.wantTrail(audit.ViewPersons + " anna " + sampleOrg)[0]
	if e.Detail["view"] != "supplier" || e.Detail["beneficial_owners"] != "1" {
		t.Errorf("detail %v", e.Detail)
	}
	// Nothing known of it: 404.
	nothing := "556999999" + string(ident.LuhnDigit("556999999"))
	if rec := f.do(bo, http.MethodGet, "/api/v1/suppliers/"+nothing, ""); rec.Code != http.StatusNotFound {
		t.Errorf("unknown organisation: %d %s", rec.Code, rec.Body)
	}
}

func TestSupplierRecords(t *testing.T) {
	f := newFixture(t)
	anna := f.as("anna")
	f.trail()
	var l rawList
	f.ok(http.StatusOK, anna, http.MethodGet, "/api/v1/suppliers/"+sampleOrg+"/records", "", &l)
	if l.Orgnr != sampleOrg || len(l.Records) < 10 {
		t.Fatalf("%d records", len(l.Records))
	}
	versions := 0
	var sawJSON, sawText bool
	for _, r := range l.Records {
		for _, v := range r.Versions {
			versions++
			if v.Hash == "" || v.FirstObserved.IsZero() || !json.Valid(v.Parsed) || string(v.Parsed) == "null" {
				t.Errorf("%s/%s v%d: %+v", r.Source, r.Key, v.Version, v)
			}
			switch {
			case v.Raw != nil:
				sawJSON = true
			case v.RawText != nil:
				sawText = true
			case v.RawBase64 != "":
				if _, err := base64.StdEncoding.DecodeString(v.RawBase64); err != nil {
					t.Error(err)
				}
			default:
				t.Errorf("%s/%s v%d: no raw bytes", r.Source, r.Key, v.Version)
			}
		}
	}
	if !sawJSON || !sawText {
		t.Errorf("raw as JSON %v, as text (CSV) %v", sawJSON, sawText)
	}
	e := f.wantTrail(audit.ViewRaw + " anna " + sampleOrg)[0]
	if e.Detail["records"] == "" || e.Detail["versions"] == "" || e.Detail["source"] != "" {
		t.Errorf("detail %v", e.Detail)
	}

	// One source, one key.
	l = rawList{}
	rec := f.ok(http.StatusOK, anna, http.MethodGet, "/api/v1/suppliers/559123-4561/records?source=roles", "", &l)
	if len(l.Records) != 3 || !strings.Contains(rec.Body.String(), "Sara Holm") {
		t.Fatalf("roles: %d records", len(l.Records))
	}
	key := l.Records[0].Key
	f.trail()
	l = rawList{}
	f.ok(http.StatusOK, anna, http.MethodGet, "/api/v1/suppliers/"+sampleOrg+"/records?source=roles&key="+url.QueryEscape(key), "", &l)
	if len(l.Records) != 1 || l.Records[0].Key != key || l.Records[0].Source != record.Roles {
		t.Errorf("one key: %+v", l.Records)
	}
	e = f.wantTrail(audit.ViewRaw + " anna " + sampleOrg)[0]
	if e.Detail["source"] != "roles" || e.Detail["key"] != key || e.Detail["records"] != "1" {
		t.Errorf("detail %v", e.Detail)
	}
	l = rawList{}
	f.ok(http.StatusOK, anna, http.MethodGet, "/api/v1/suppliers/"+sampleOrg+"/records?source=kronofogden&key=", "", &l)
	if len(l.Records) != 1 || l.Records[0].Key != "" {
		t.Errorf("the organisation's own record (empty key): %+v", l.Records)
	}
	f.trail()
	// None such: 404, nothing shown, nothing recorded.
	for _, path := range []string{"/api/v1/suppliers/" + sampleOrg + "/records?source=ivo&key=nope",
		"/api/v1/suppliers/556999999" + string(ident.LuhnDigit("556999999")) + "/records"} {
		if rec := f.do(anna, http.MethodGet, path, ""); rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d", path, rec.Code)
		}
	}
	f.wantTrail()
	// Viewers may not.
	if rec := f.do(f.as("bo"), http.MethodGet, "/api/v1/suppliers/"+sampleOrg+"/records", ""); rec.Code != http.StatusForbidden {
		t.Errorf("viewer: %d", rec.Code)
	}
}
