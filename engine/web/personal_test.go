package web

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/review"
)

// The sole trader of the samples: Anna Ek Omsorg, whose organisation
// number is her personnummer.
const (
	soleTrader       = "6001011235"
	soleTraderName   = "Anna Ek Omsorg"
	soleTraderMasked = "60XXXX-XXXX"
)

// soleTraderLeaks are the forms in which the sole trader's number or
// name must not reach a viewer.
var soleTraderLeaks = []string{soleTrader, "600101-1235", "19600101", "Anna Ek"}

// A viewer sees the sole trader as "enskild näringsidkare" with the
// number masked, in every answer of the API it may ask, and follows the
// sealed references it is given; a coordinator sees the number and the
// name.
func TestSoleTraderByRole(t *testing.T) {
	f := newFixture(t)
	anna, bo := f.as("anna"), f.as("bo")
	var dec review.Decision
	f.ok(http.StatusCreated, anna, http.MethodPost, "/api/v1/alerts/"+soleTraderAlert+"/decisions",
		`{"kind":"avropsstopp","justification":"Tillstånd saknas","ground":"LOU 13:2"}`, &dec)

	// The lists: alerts, decisions, suppliers.
	var coord, viewer alertList
	f.ok(http.StatusOK, anna, http.MethodGet, "/api/v1/alerts", "", &coord)
	rec := f.ok(http.StatusOK, bo, http.MethodGet, "/api/v1/alerts", "", &viewer)
	wantNot(t, "viewer's alert list", rec.Body.String(), soleTraderLeaks...)
	ci := slices.IndexFunc(coord.Alerts, func(a alertSummary) bool { return a.ID == soleTraderAlert })
	vi := slices.IndexFunc(viewer.Alerts, func(a alertSummary) bool { return a.Orgnr == soleTraderMasked })
	if ci < 0 || vi < 0 {
		t.Fatalf("the sole trader's alert: coordinator %v, viewer %+v", alertIDs(coord), viewer.Alerts)
	}
	if a := coord.Alerts[ci]; a.Orgnr != soleTrader || a.Name != soleTraderName || a.OrgnrRef != "" || a.Decision != dec.ID {
		t.Errorf("coordinator's summary %+v", a)
	}
	va := viewer.Alerts[vi]
	if va.Name != SoleTrader || !strings.HasPrefix(va.ID, sealMark) || !strings.HasPrefix(va.OrgnrRef, sealMark) ||
		!strings.HasPrefix(va.Decision, sealMark) {
		t.Errorf("viewer's summary %+v", va)
	}
	if a := viewer.Alerts[1-vi]; a.ID != sampleAlert || a.Orgnr != sampleOrg || a.Name != "Omsorgshuset Norr AB" || a.OrgnrRef != "" {
		t.Errorf("a company, to a viewer: %+v", a)
	}

	// What the viewer was given leads on: the alert, its decision, the
	// supplier, the decisions of the alert.
	var ad alertDetail
	rec = f.ok(http.StatusOK, bo, http.MethodGet, "/api/v1/alerts/"+va.ID, "", &ad)
	wantNot(t, "viewer's alert", rec.Body.String(), soleTraderLeaks...)
	if ad.Alert.Name != SoleTrader || ad.Alert.Orgnr != soleTraderMasked || ad.Alert.ID != va.ID || ad.OrgnrRef != va.OrgnrRef ||
		ad.Assessment == nil || ad.Assessment.Name != SoleTrader || len(ad.Decisions) != 1 || ad.Decisions[0].ID != va.Decision {
		t.Errorf("viewer's alert: %s", rec.Body)
	}
	var vd review.Decision
	rec = f.ok(http.StatusOK, bo, http.MethodGet, "/api/v1/decisions/"+va.Decision, "", &vd)
	wantNot(t, "viewer's decision", rec.Body.String(), soleTraderLeaks...)
	if vd.Name != SoleTrader || vd.Orgnr != soleTraderMasked || vd.AlertID != va.ID || vd.Justification != "Tillstånd saknas" {
		t.Errorf("viewer's decision: %s", rec.Body)
	}
	var decs decisionList
	rec = f.ok(http.StatusOK, bo, http.MethodGet, "/api/v1/decisions?alert="+url.QueryEscape(va.ID), "", &decs)
	wantNot(t, "viewer's decisions", rec.Body.String(), soleTraderLeaks...)
	if len(decs.Decisions) != 1 || decs.Decisions[0].ID != va.Decision {
		t.Errorf("viewer's decisions of the alert: %s", rec.Body)
	}
	var sd supplierDetail
	rec = f.ok(http.StatusOK, bo, http.MethodGet, "/api/v1/suppliers/"+va.OrgnrRef, "", &sd)
	wantNot(t, "viewer's supplier", rec.Body.String(), soleTraderLeaks...)
	if sd.Orgnr != soleTraderMasked || sd.Name != SoleTrader || !sd.Personal || sd.OpenAlert != va.ID || sd.HaltInForce != va.Decision ||
		len(sd.Alerts) != 1 || sd.Alerts[0].ID != va.ID {
		t.Errorf("viewer's supplier: %s", rec.Body)
	}
	f.ok(http.StatusOK, bo, http.MethodGet, "/api/v1/alerts/"+va.ID+"/comments", "", nil)
	// A reference that is not one is not found.
	f.ok(http.StatusNotFound, bo, http.MethodGet, "/api/v1/alerts/"+sealMark+"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "", nil)

	// The coordinator's answers show the number and the name.
	rec = f.ok(http.StatusOK, anna, http.MethodGet, "/api/v1/suppliers/"+soleTrader, "", &sd)
	if sd.Orgnr != soleTrader || sd.Name != soleTraderName || sd.OpenAlert != soleTraderAlert || sd.HaltInForce != dec.ID {
		t.Errorf("coordinator's supplier: %s", rec.Body)
	}
	rec = f.ok(http.StatusOK, anna, http.MethodGet, "/api/v1/decisions/"+dec.ID, "", &vd)
	if vd.Name != soleTraderName || vd.Orgnr != soleTrader || vd.AlertID != soleTraderAlert {
		t.Errorf("coordinator's decision: %s", rec.Body)
	}
}

// A viewer finds a sole trader only by its whole number: not by the
// owner's name, nor by the birth date in it; a coordinator by any.
func TestSoleTraderSearchByRole(t *testing.T) {
	f := newFixture(t)
	anna, bo := f.as("anna"), f.as("bo")
	for _, c := range []struct {
		q             string
		viewer, coord []string
	}{
		{"Anna Ek", nil, []string{soleTrader}},
		{"omsorg", []string{sampleOrg}, []string{soleTrader, sampleOrg}},
		{"600101", nil, []string{soleTrader}},
		{"600101-1235", []string{soleTraderMasked}, []string{soleTrader}},
		{"19600101-1235", []string{soleTraderMasked}, []string{soleTrader}},
		{"559123", []string{sampleOrg}, []string{sampleOrg}},
	} {
		for _, w := range []struct {
			who  who
			want []string
		}{{bo, c.viewer}, {anna, c.coord}} {
			var l supplierList
			rec := f.ok(http.StatusOK, w.who, http.MethodGet, "/api/v1/suppliers?q="+url.QueryEscape(c.q), "", &l)
			if got := supplierOrgs(l); !slices.Equal(got, w.want) {
				t.Errorf("suppliers, q=%q as %s: %v, want %v", c.q, w.who.name, got, w.want)
			}
			if w.who.name == "bo" {
				wantNot(t, "viewer's search "+c.q, rec.Body.String(), soleTraderLeaks...)
			}
			var al alertList
			f.ok(http.StatusOK, w.who, http.MethodGet, "/api/v1/alerts?q="+url.QueryEscape(c.q), "", &al)
			var orgs []string
			for _, a := range al.Alerts {
				orgs = append(orgs, a.Orgnr)
			}
			slices.Sort(orgs) // by priority: compared as sets
			if want := slices.Sorted(slices.Values(w.want)); !slices.Equal(orgs, want) {
				t.Errorf("alerts, q=%q as %s: %v, want %v", c.q, w.who.name, orgs, w.want)
			}
		}
	}
}

// The pages a viewer opens show the sole trader masked, through sealed
// links; a coordinator's show the number and the name.
func TestUISoleTraderByRole(t *testing.T) {
	f := newFixture(t)
	anna, bo := f.as("anna"), f.as("bo")
	wantRedirect(t, "decide", f.post(anna, "/alerts/"+soleTraderAlert+"/decisions", decideForm(review.Avropsstopp), true), "/alerts/")

	queue := f.page(bo, "/")
	wantNot(t, "viewer's queue", queue, soleTraderLeaks...)
	wantContains(t, "viewer's queue", queue, SoleTrader, soleTraderMasked)
	link := regexp.MustCompile(`<a href="/alerts/(~[A-Za-z0-9_-]+)">` + SoleTrader + `</a>`).FindStringSubmatch(queue)
	if link == nil {
		t.Fatalf("viewer's queue: no sealed link to the sole trader's alert")
	}
	alert := f.page(bo, "/alerts/"+link[1])
	wantNot(t, "viewer's alert page", alert, soleTraderLeaks...)
	wantContains(t, "viewer's alert page", alert, "Larm "+SoleTrader, soleTraderMasked+"-1")
	supplier := regexp.MustCompile(`<a href="/suppliers/(~[A-Za-z0-9_-]+)">`).FindStringSubmatch(alert)
	basis := regexp.MustCompile(`<a href="/decisions/(~[A-Za-z0-9_-]+)/underlag"`).FindStringSubmatch(alert)
	if supplier == nil || basis == nil {
		t.Fatalf("viewer's alert page: links to the supplier %v and the decision basis %v", supplier, basis)
	}
	for _, path := range []string{"/suppliers/" + supplier[1], "/decisions/" + basis[1] + "/underlag", "/suppliers/" + soleTrader} {
		body := f.page(bo, path)
		wantNot(t, "viewer's "+path, body, soleTraderLeaks...)
		wantContains(t, "viewer's "+path, body, SoleTrader, soleTraderMasked)
	}

	wantContains(t, "coordinator's queue", f.page(anna, "/"), soleTraderName, soleTrader, `href="/alerts/`+soleTraderAlert+`"`)
	body := f.page(anna, "/alerts/"+soleTraderAlert)
	wantContains(t, "coordinator's alert page", body, "Larm "+soleTraderName, `href="/suppliers/`+soleTrader+`"`,
		`href="/decisions/`+soleTraderAlert+`-d1/underlag"`)
	wantContains(t, "coordinator's supplier page", f.page(anna, "/suppliers/"+soleTrader), soleTraderName, soleTrader)
	wantContains(t, "coordinator's decision basis", f.page(anna, "/decisions/"+soleTraderAlert+"-d1/underlag"), soleTraderName, soleTrader)
}

// The pseudonyms records key persons by (a role record's key) reach
// only principals who may see persons: not a viewer's answers nor pages,
// a coordinator's do.
func TestPseudonymsByRole(t *testing.T) {
	f := newFixture(t)
	anna, bo := f.as("anna"), f.as("bo")
	for _, c := range []struct {
		name string
		get  func(w who) string
	}{
		{"API alert", func(w who) string {
			return f.ok(http.StatusOK, w, http.MethodGet, "/api/v1/alerts/"+sampleAlert, "", nil).Body.String()
		}},
		{"API supplier", func(w who) string {
			return f.ok(http.StatusOK, w, http.MethodGet, "/api/v1/suppliers/"+sampleOrg, "", nil).Body.String()
		}},
		{"alert page", func(w who) string { return f.page(w, "/alerts/"+sampleAlert) }},
		{"supplier page", func(w who) string { return f.page(w, "/suppliers/"+sampleOrg) }},
	} {
		if got := pseudonymPattern.FindAllString(c.get(anna), -1); len(got) == 0 {
			t.Errorf("%s: the coordinator sees no pseudonym", c.name)
		}
		body := c.get(bo)
		if got := pseudonymPattern.FindAllString(body, -1); len(got) != 0 {
			t.Errorf("%s: the viewer sees pseudonyms %v", c.name, got)
		}
		if !strings.Contains(body, withheldPerson) {
			t.Errorf("%s: the viewer's has no %s in place of a pseudonym", c.name, withheldPerson)
		}
	}
}

// maskJSON masks person numbers and pseudonyms in a JSON document's
// strings and keys and leaves its numbers, literals and layout as they
// were.
func TestMaskJSON(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"orgnr":"6001011235","score":0.123456789012,"n":6001011235,"ok":true,"x":null}`,
			`{"orgnr":"60XXXX-XXXX","score":0.123456789012,"n":6001011235,"ok":true,"x":null}`},
		{`{"key":"PABCDEFGHIJKLMNOPQRST/vd/2021-01-15","list":["5591234561","19600101-1235"],"6001011235":{}}`,
			`{"key":"[person]/vd/2021-01-15","list":["5591234561","60XXXX-XXXX"],"60XXXX-XXXX":{}}`},
		{`[]`, `[]`},
		{`{"a":[{"b":[]},{}],"c":"<a href=\"x\">&</a>"}`, `{"a":[{"b":[]},{}],"c":"<a href=\"x\">&</a>"}`},
	} {
		if got := strings.TrimSuffix(string(maskJSON([]byte(c.in))), "\n"); got != c.want {
			t.Errorf("maskJSON(%s)\n = %s\nwant %s", c.in, got, c.want)
		}
	}
}

// A sealed reference opens to what it stands for, is the same for the
// same identifier, and does not open when changed.
func TestSealedReferences(t *testing.T) {
	a, b := sealRef(soleTraderAlert), sealRef(soleTraderAlert)
	if a != b || !strings.HasPrefix(a, sealMark) || strings.Contains(a, soleTrader) {
		t.Fatalf("sealRef: %q, %q", a, b)
	}
	if got, ok := openRef(a); !ok || got != soleTraderAlert {
		t.Errorf("openRef: %q %v", got, ok)
	}
	// Every character changed: in the middle (the ciphertext) and the
	// last one, whose unused bits a lenient decoder would ignore.
	flip := func(i int) string {
		c := byte('A')
		if a[i] == c {
			c = 'B'
		}
		return a[:i] + string(c) + a[i+1:]
	}
	for _, v := range []string{flip(len(a) / 2), flip(len(a) - 1), soleTraderAlert, sealMark, sealMark + "!!"} {
		if got, ok := openRef(v); ok {
			t.Errorf("openRef(%q) = %q", v, got)
		}
	}
}
