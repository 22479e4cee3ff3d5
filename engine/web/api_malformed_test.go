package web

import (
	"net/http"
	"strings"
	"testing"
)

// Malformed input is 400 and names the field, on every endpoint that
// takes input; nothing is changed.
func TestMalformedInput(t *testing.T) {
	f := newFixture(t)
	dora := f.as("dora") // admin: every permission
	alert := "/api/v1/alerts/" + sampleAlert
	dec := "/api/v1/decisions/" + sampleAlert + "-d1"
	long := strings.Repeat("x", 201)
	for _, tc := range []struct {
		method, path, body string
		field              string
	}{
		// Queries.
		{"GET", "/api/v1/alerts?state=oppen", "", "state"},
		{"GET", "/api/v1/alerts?state=,", "", "state"},
		{"GET", "/api/v1/alerts?step=X3", "", "step"},
		{"GET", "/api/v1/alerts?step=L3,L10", "", "step"},
		{"GET", "/api/v1/alerts?category=S-1", "", "category"},
		{"GET", "/api/v1/alerts?sort=name", "", "sort"},
		{"GET", "/api/v1/alerts?order=up", "", "order"},
		{"GET", "/api/v1/alerts?page=0", "", "page"},
		{"GET", "/api/v1/alerts?page=x", "", "page"},
		{"GET", "/api/v1/alerts?page=1&page=2", "", "page"},
		{"GET", "/api/v1/alerts?per_page=201", "", "per_page"},
		{"GET", "/api/v1/alerts?per_page=-1", "", "per_page"},
		{"GET", "/api/v1/alerts?q=" + long, "", "q"},
		{"GET", "/api/v1/alerts?statе=ny", "", "statе"}, // a Cyrillic e
		{"GET", "/api/v1/alerts?x=%zz", "", "query"},
		{"GET", alert + "?full=1", "", "full"},
		{"GET", "/api/v1/decisions?status=klar", "", "status"},
		{"GET", "/api/v1/decisions?kind=stopp", "", "kind"},
		{"GET", "/api/v1/decisions?per_page=0", "", "per_page"},
		{"GET", "/api/v1/suppliers?q=" + long, "", "q"},
		{"GET", "/api/v1/suppliers?page=abc", "", "page"},
		{"GET", "/api/v1/suppliers?name=x", "", "name"},
		{"GET", "/api/v1/suppliers/123", "", "orgnr"},
		{"GET", "/api/v1/suppliers/5591234562", "", "orgnr"}, // check digit
		{"GET", "/api/v1/suppliers/559123-456x", "", "orgnr"},
		{"GET", "/api/v1/suppliers/" + sampleOrg + "/records?source=registret", "", "source"},
		{"GET", "/api/v1/suppliers/" + sampleOrg + "/records?key=x", "", "key"},
		{"GET", "/api/v1/suppliers/5591234562/records", "", "orgnr"},
		{"GET", "/api/v1/audit?from=0", "", "from"},
		{"GET", "/api/v1/audit?from=-1", "", "from"},
		{"GET", "/api/v1/audit?limit=5000", "", "limit"},
		{"GET", "/api/v1/me?x=1", "", "x"},
		// Bodies in general.
		{"POST", alert + "/assign", ``, "body"},
		{"POST", alert + "/assign", `not json`, "body"},
		{"POST", alert + "/assign", `{"assignee":`, "body"},
		{"POST", alert + "/assign", `[]`, "body"},
		{"POST", alert + "/assign", `"anna"`, "body"},
		{"POST", alert + "/assign", `{"assignee":"anna"} {}`, "body"},
		{"POST", alert + "/assign", `{"assignee":5}`, "assignee"},
		{"POST", alert + "/assign", `{"assignee":"anna","extra":1}`, "extra"},
		{"POST", alert + "/assign", `{}`, "assignee"},
		{"POST", alert + "/assign", `{"assignee":"nobody"}`, "assignee"},
		{"POST", alert + "/assign", `{"assignee":"bo"}`, "assignee"},  // a viewer
		{"POST", alert + "/assign", `{"assignee":"eva"}`, "assignee"}, // disabled
		{"POST", alert + "/close", `{}`, "reason"},
		{"POST", alert + "/close", `{"reason":true}`, "reason"},
		{"POST", alert + "/close", `{"reason":" "}`, "reason"},
		{"POST", alert + "/comments", `{"text":""}`, "text"},
		{"POST", alert + "/comments", `{"text":["a"]}`, "text"},
		{"POST", alert + "/comments", `{"txt":"a"}`, "txt"},
		{"POST", alert + "/comments", `{"text":"` + strings.Repeat("a", 10001) + `"}`, "text"},
		// Decisions.
		{"POST", alert + "/decisions", `{"kind":"stopp","justification":"j","ground":"LOU 13:1"}`, "kind"},
		{"POST", alert + "/decisions", `{"justification":"j","ground":"LOU 13:1"}`, "kind"},
		{"POST", alert + "/decisions", `{"kind":"avropsstopp","ground":"LOU 13:1"}`, "justification"},
		{"POST", alert + "/decisions", `{"kind":"avropsstopp","justification":"j"}`, "ground"},
		{"POST", alert + "/decisions", `{"kind":"avropsstopp","justification":"j","ground":"LOU 99"}`, "ground"},
		{"POST", alert + "/decisions", `{"kind":"havning","justification":"j","ground":"avtalsvillkor"}`, "contract_clause"},
		{"POST", alert + "/decisions", `{"kind":"havning","justification":"j","ground":"annat"}`, "ground_other"},
		{"POST", alert + "/decisions", `{"kind":"avropsstopp","justification":"j","ground":"LOU 13:1","contracts":"AVT-1"}`, "contracts"},
		{"POST", alert + "/decisions", `{"kind":"avropsstopp","justification":"j","ground":"LOU 13:1","contracts":["A",""]}`, "contracts[1]"},
		{"POST", alert + "/decisions", `{"kind":"avropsstopp","justification":"j","ground":"LOU 13:1","snooze":true}`, "snooze"},
		{"POST", alert + "/decisions", `{"kind":"ingen_atgard","justification":"j","snooze_until":"i morgon"}`, "snooze_until"},
		{"POST", alert + "/decisions", `{"kind":"ingen_atgard","justification":"j","snooze_until":"2020-01-01"}`, "snooze_until"},
		{"POST", alert + "/decisions", `{"kind":"ingen_atgard","justification":"j","snooze":"yes"}`, "snooze"},
		{"POST", alert + "/decisions", `{"kind":"avropsstopp","justification":"j","ground":"LOU 13:1","decided_by":"cecilia"}`, "decided_by"},
		{"POST", alert + "/decisions", `{"kind":"avropsstopp","justification":"j","ground":"LOU 13:1","evidence":{}}`, "evidence"},
		{"POST", dec + "/approve", `{"ok":true}`, "ok"},
		{"POST", dec + "/approve", `[1]`, "body"},
		{"POST", dec + "/reject", `{}`, "reason"},
		{"POST", dec + "/reject", `{"reason":1}`, "reason"},
		// The pre-award check.
		{"POST", "/api/v1/screen", `{}`, "orgnr"},
		{"POST", "/api/v1/screen", `{"orgnr":"5591234561"}`, "purpose"},
		{"POST", "/api/v1/screen", `{"orgnr":"5591234561","purpose":"buy"}`, "purpose"},
		{"POST", "/api/v1/screen", `{"orgnr":"5591234562","purpose":"award"}`, "orgnr"},
		{"POST", "/api/v1/screen", `{"orgnr":5591234561,"purpose":"award"}`, "orgnr"},
		{"POST", "/api/v1/screen", `{"orgnummer":"5591234561","purpose":"award"}`, "orgnummer"},
		{"POST", "/api/v1/screen", `{"orgnr":"5591234561","purpose":"award","value_sek":-1}`, "value_sek"},
		{"POST", "/api/v1/screen", `{"orgnr":"5591234561","purpose":"award","value_sek":1.5}`, "value_sek"},
		{"POST", "/api/v1/screen", `{"orgnr":"5591234561","purpose":"award","max_age":"snart"}`, "max_age"},
		{"POST", "/api/v1/screen", `{"orgnr":"5591234561","purpose":"award","timeout":"5m"}`, "timeout"},
		{"POST", "/api/v1/screen", `{"orgnr":"5591234561","purpose":"award","category":"HVB barn"}`, "category"},
		// Login.
		{"POST", "/api/v1/login", `{}`, "username"},
		{"POST", "/api/v1/login", `{"username":"anna"}`, "password"},
		{"POST", "/api/v1/login", `{"username":1,"password":"x"}`, "username"},
		{"POST", "/api/v1/login", `{"username":"anna","password":"x","remember":true}`, "remember"},
	} {
		f.trail()
		f.events()
		rec := f.do(dora, tc.method, tc.path, tc.body)
		name := tc.method + " " + tc.path + " " + tc.body
		if len(name) > 120 {
			name = name[:120] + "…"
		}
		if rec.Code != http.StatusBadRequest {
			t.Errorf("%s: %d %s, want 400", name, rec.Code, rec.Body)
			continue
		}
		e := errorOf(t, rec)
		if e.Field != tc.field || !strings.HasPrefix(e.Error, tc.field+": ") {
			t.Errorf("%s: field %q, error %q; want field %q", name, e.Field, e.Error, tc.field)
		}
		if es := f.trail(); len(es) > 0 {
			t.Errorf("%s: %d audit entries", name, len(es))
		}
		if evs := f.events(); len(evs) > 0 {
			t.Errorf("%s: %d events", name, len(evs))
		}
	}
}

// Several problems are all reported; the first names the field.
func TestMalformedSeveral(t *testing.T) {
	f := newFixture(t)
	rec := f.do(f.as("anna"), http.MethodPost, "/api/v1/alerts/"+sampleAlert+"/decisions", `{"kind":"havning"}`)
	e := errorOf(t, rec)
	if rec.Code != http.StatusBadRequest || len(e.Problems) != 2 || e.Field != "justification" ||
		e.Problems[1].Field != "ground" || e.Error != "justification: required; ground: required" {
		t.Errorf("%d %+v", rec.Code, e)
	}
}
