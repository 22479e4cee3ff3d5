package web

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/rules"
	defaultpack "github.com/vaksam/vaksam/rules/default"
)

// linkSoleTrader gives the sample supplier's VD, Sara Holm, a role in
// the sole trader as well, so that the network has a second hop.
func linkSoleTrader(t *testing.T, f *fixture, sara string) {
	t.Helper()
	it := record.Item{Subject: soleTrader, Source: record.Roles, Key: sara + "-styrelseledamot", Pos: "t:1",
		Parsed: record.Role{Orgnr: soleTrader, Person: record.PersonRef{ID: sara, Name: "Sara Holm", BirthYear: 1982}, Role: "styrelseledamot",
			From: time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)},
		Links: record.Links{Persons: []string{sara}}}
	if _, err := f.st.Put([]store.Observation{{Item: it, Observed: instant(t, "2026-11-20")}}); err != nil {
		t.Fatal(err)
	}
}

func nodeNamed(a networkAnswer, name string) *networkNode {
	for i := range a.Nodes {
		if a.Nodes[i].Name == name {
			return &a.Nodes[i]
		}
	}
	return nil
}

func TestSupplierNetwork(t *testing.T) {
	f := newFixture(t)
	anna, bo := f.as("anna"), f.as("bo")
	f.trail()
	path := "/api/v1/suppliers/" + sampleOrg + "/network"

	var a networkAnswer
	f.ok(http.StatusOK, anna, http.MethodGet, path, "", &a)
	sara := nodeNamed(a, "Sara Holm")
	if sara == nil || !sara.TradingBan || len(sara.Bans) != 1 || sara.BirthYear != 1982 || !strings.HasPrefix(sara.ID, "p:P") {
		t.Fatalf("coordinator: Sara Holm %+v, want her with her trading ban", sara)
	}
	e := f.wantTrail(audit.ViewPersons + " anna " + sampleOrg)[0]
	if e.Detail["view"] != "network" || e.Detail["persons"] != "3" || e.Detail["via"] != "web" || e.Detail["depth"] != "2" {
		t.Errorf("audit detail %v", e.Detail)
	}

	linkSoleTrader(t, f, strings.TrimPrefix(sara.ID, "p:"))
	for _, tc := range []struct {
		who      who
		persons  bool
		audited  bool
		soleName string
	}{
		{anna, true, true, "Anna Ek Omsorg"},
		{f.token("robot"), true, true, "Anna Ek Omsorg"},
		{bo, false, false, SoleTrader},
		{f.token("panel"), false, false, SoleTrader},
	} {
		t.Run(tc.who.name, func(t *testing.T) {
			var a networkAnswer
			rec := f.ok(http.StatusOK, tc.who, http.MethodGet, path, "", &a)
			var orgs, persons []networkNode
			for _, n := range a.Nodes {
				if n.Kind == "organisation" {
					orgs = append(orgs, n)
				} else {
					persons = append(persons, n)
				}
			}
			if len(orgs) != 2 || len(persons) != 3 || len(a.Edges) != 4 || a.Depth != 2 || a.Truncated || a.MaxNodes != 150 {
				t.Fatalf("%d organisations, %d persons, %d edges; want 2, 3, 4: %s", len(orgs), len(persons), len(a.Edges), rec.Body)
			}
			root, sole := orgs[0], orgs[1]
			if !root.Root || a.Root != root.ID || root.Name != "Omsorgshuset Norr AB" || root.Bankruptcy.IsZero() || !root.Expanded || root.Hop != 0 {
				t.Errorf("the supplier %+v", root)
			}
			if sole.Name != tc.soleName || sole.Deregistered.IsZero() || sole.Hop != 1 || !sole.Expanded || sole.Withheld == tc.persons ||
				(sole.Orgnr == soleTrader) != tc.persons {
				t.Errorf("the sole trader %+v", sole)
			}
			for _, p := range persons {
				if tc.persons == (p.Name == "") || tc.persons == p.Withheld || !tc.persons && (p.BirthYear != 0 || p.TradingBan || p.Bans != nil) {
					t.Errorf("person %+v, persons shown %v", p, tc.persons)
				}
			}
			if body := rec.Body.String(); !tc.persons && (strings.Contains(body, "Sara") || strings.Contains(body, soleTrader) ||
				pseudonymPattern.MatchString(body)) {
				t.Errorf("a person in a withheld answer: %s", body)
			}
			var want []string
			if tc.audited {
				want = []string{audit.ViewPersons + " " + strings.TrimPrefix(tc.who.name, "token ") + " " + sampleOrg}
			}
			f.wantTrail(want...)
		})
	}

	// One hop: the sole trader is not expanded; expanding it is asking
	// for its own network.
	var one networkAnswer
	f.ok(http.StatusOK, anna, http.MethodGet, path+"?depth=1", "", &one)
	if n := nodeNamed(one, "Anna Ek Omsorg"); n == nil || n.Expanded || one.Depth != 1 {
		t.Errorf("one hop: the sole trader %+v, want it not expanded", n)
	}
	f.trail()
	var its networkAnswer
	f.ok(http.StatusOK, anna, http.MethodGet, "/api/v1/suppliers/"+soleTrader+"/network?depth=1", "", &its)
	if its.Root != "o:"+soleTrader || !slices.ContainsFunc(its.Nodes, func(n networkNode) bool { return n.ID == sara.ID }) ||
		!slices.ContainsFunc(its.Nodes, func(n networkNode) bool { return n.ID == "o:"+sampleOrg && !n.Expanded && n.Hop == 1 }) {
		t.Errorf("the sole trader's network: %+v", its)
	}
	f.wantTrail(audit.ViewPersons + " anna " + soleTrader)

	nothing := "556999999" + string(ident.LuhnDigit("556999999"))
	for _, bad := range []struct {
		path, field string
		status      int
	}{
		{path + "?depth=0", "depth", http.StatusBadRequest},
		{path + "?depth=4", "depth", http.StatusBadRequest},
		{path + "?depth=två", "depth", http.StatusBadRequest},
		{path + "?djup=2", "", http.StatusBadRequest},
		{"/api/v1/suppliers/5591234560/network", "orgnr", http.StatusBadRequest},
		{"/api/v1/suppliers/" + nothing + "/network", "", http.StatusNotFound},
	} {
		rec := f.do(anna, http.MethodGet, bad.path, "")
		if rec.Code != bad.status || bad.field != "" && errorOf(t, rec).Field != bad.field {
			t.Errorf("%s: %d %s, want %d naming %q", bad.path, rec.Code, rec.Body, bad.status, bad.field)
		}
	}
	if rec := f.do(anon, http.MethodGet, path, ""); rec.Code != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", rec.Code)
	}
	f.wantTrail()
}

// The mass-address threshold is S12's parameter in the running rule set.
func TestMassAddressOrgs(t *testing.T) {
	withSet := func(ov rules.Overrides) *Server {
		t.Helper()
		set, err := defaultpack.Load(ov)
		if err != nil {
			t.Fatal(err)
		}
		return &Server{Screener: &screening.Screener{Rules: func() *rules.Set { return set }}}
	}
	for _, tc := range []struct {
		name string
		srv  *Server
		want int
	}{
		{"no screener", &Server{}, defaultMassAddress},
		{"the pack's", withSet(rules.Overrides{}), 10},
		{"overridden", withSet(rules.Overrides{Params: map[string]float64{"mass_address_orgs": 7}}), 7},
	} {
		if got := tc.srv.massAddressOrgs(); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}
