package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/review"
)

// Bulk changes through the API: who may make them, each field's problem
// named with nothing changed, and each alert changed as the single change
// would, evented and audited.
func TestBulkAPIRoles(t *testing.T) {
	for _, tc := range []struct {
		action, body string
		may, mayNot  []string // users; "token x" for a token
	}{
		{"assign", `{"alerts":["` + sampleAlert + `"],"assignee":"anna","justification":"Fördelning vecka 48"}`,
			[]string{"anna", "cecilia", "dora", "token robot"}, []string{"bo", "token panel"}},
		{"snooze", `{"alerts":["` + sampleAlert + `"],"justification":"Utrett, inget att anmärka"}`,
			[]string{"anna", "gustav", "token robot"}, []string{"bo", "token panel"}},
		{"close", `{"alerts":["` + sampleAlert + `"],"justification":"Dubblett","outcome":"befogat_larm"}`,
			[]string{"anna", "cecilia", "dora"}, []string{"bo", "token panel"}},
	} {
		for _, u := range tc.mayNot {
			t.Run(tc.action+" "+u+" may not", func(t *testing.T) {
				f := newFixture(t)
				rec := f.do(f.who(u), http.MethodPost, "/api/v1/alerts/bulk/"+tc.action, tc.body)
				if rec.Code != http.StatusForbidden {
					t.Fatalf("%d %s, want 403", rec.Code, rec.Body)
				}
				if a, _ := f.desk.Alert(sampleAlert); a.Revision != 1 {
					t.Errorf("alert changed: %+v", a)
				}
			})
		}
		for _, u := range tc.may {
			t.Run(tc.action+" "+u+" may", func(t *testing.T) {
				f := newFixture(t)
				var ans bulkAnswer
				f.ok(http.StatusOK, f.who(u), http.MethodPost, "/api/v1/alerts/bulk/"+tc.action, tc.body, &ans)
				if ans.Done != 1 || ans.Refused != 0 || len(ans.Results) != 1 || !ans.Results[0].OK || ans.Results[0].ID != sampleAlert {
					t.Fatalf("answer %+v", ans)
				}
			})
		}
	}
}

// who is a user's session, or "token x"'s bearer.
func (f *fixture) who(name string) who {
	if id, ok := strings.CutPrefix(name, "token "); ok {
		return f.token(id)
	}
	return f.as(name)
}

func TestBulkAPIFields(t *testing.T) {
	f := newFixture(t)
	anna := f.as("anna")
	f.trail()
	many := make([]string, MaxBulk+1)
	for i := range many {
		many[i] = `"x` + strings.Repeat("1", i%7) + `-` + string(rune('a'+i%26)) + `"`
	}
	for _, tc := range []struct {
		action, body, field string
	}{
		{"assign", `{"alerts":[],"assignee":"anna","justification":"x"}`, "alerts"},
		{"assign", `{"assignee":"anna","justification":"x"}`, "alerts"},
		{"assign", `{"alerts":["` + sampleAlert + `","` + sampleAlert + `"],"assignee":"anna","justification":"x"}`, "alerts"},
		{"assign", `{"alerts":[" "],"assignee":"anna","justification":"x"}`, "alerts"},
		{"close", `{"alerts":[` + strings.Join(many, ",") + `],"justification":"x"}`, "alerts"},
		{"assign", `{"alerts":["` + sampleAlert + `"],"assignee":"anna","justification":"  "}`, "justification"},
		{"assign", `{"alerts":["` + sampleAlert + `"],"justification":"x"}`, "assignee"},
		{"assign", `{"alerts":["` + sampleAlert + `"],"assignee":"bo","justification":"x"}`, "assignee"},
		{"assign", `{"alerts":["` + sampleAlert + `"],"assignee":"eva","justification":"x"}`, "assignee"},
		{"close", `{"alerts":["` + sampleAlert + `"],"assignee":"anna","justification":"x","outcome":"befogat_larm"}`, "assignee"},
		{"close", `{"alerts":["` + sampleAlert + `"],"snooze_until":"2027-01-10","justification":"x","outcome":"befogat_larm"}`, "snooze_until"},
		{"snooze", `{"alerts":["` + sampleAlert + `"],"snooze_until":"2026-11-01","justification":"x"}`, "snooze_until"},
		{"snooze", `{"alerts":["` + sampleAlert + `"],"snooze_until":"i morgon","justification":"x"}`, "snooze_until"},
		{"snooze", `{"alerts":["` + sampleAlert + `"],"justification":"x","kind":"havning"}`, "kind"},
		{"close", `{"alerts":["` + sampleAlert + `"],"justification":"x"}`, "outcome"},
		{"close", `{"alerts":["` + sampleAlert + `"],"justification":"x","outcome":"kanske"}`, "outcome"},
		{"close", `{"alerts":["` + sampleAlert + `"],"justification":"x","outcome":"falsklarm"}`, "outcome"},
		{"assign", `{"alerts":["` + sampleAlert + `"],"assignee":"anna","justification":"x","outcome":"befogat_larm"}`, "outcome"},
	} {
		rec := f.do(anna, http.MethodPost, "/api/v1/alerts/bulk/"+tc.action, tc.body)
		if e := errorOf(t, rec); rec.Code != http.StatusBadRequest || e.Field != tc.field {
			t.Errorf("%s %s: %d %+v, want 400 naming %s", tc.action, tc.body, rec.Code, e, tc.field)
		}
	}
	f.wantTrail()
	if a, _ := f.desk.Alert(sampleAlert); a.Revision != 1 {
		t.Errorf("alert changed: %+v", a)
	}
}

// One justification for several alerts: each is changed, evented and
// audited as the single change is; one refused leaves the others done.
func TestBulkAPIChanges(t *testing.T) {
	f := newFixture(t)
	anna := f.as("anna")
	f.trail()
	var ans bulkAnswer
	f.ok(http.StatusOK, anna, http.MethodPost, "/api/v1/alerts/bulk/assign",
		`{"alerts":["`+sampleAlert+`","`+soleTraderAlert+`"],"assignee":"gustav","justification":"Gustav tar Skåne"}`, &ans)
	if ans.Action != "assign" || ans.Done != 2 || !ans.Results[0].Changed || !ans.Results[1].Changed {
		t.Fatalf("assign: %+v", ans)
	}
	for _, id := range []string{sampleAlert, soleTraderAlert} {
		a, _ := f.desk.Alert(id)
		if h := a.History[len(a.History)-1]; a.Assignee != "gustav" || a.State != review.Utreds || h.Reason != "Gustav tar Skåne" {
			t.Errorf("%s: %+v", id, a)
		}
	}
	es := f.wantTrail("alert.assign anna "+sampleAlert, "alert.assign anna "+soleTraderAlert)
	if es[0].Detail["reason"] != "Gustav tar Skåne" || es[0].Detail["assignee"] != "gustav" {
		t.Errorf("audit detail %v", es[0].Detail)
	}
	if got := f.subjects("vaksam.alert."); len(got) != 2 || !strings.HasPrefix(got[0], "vaksam.alert.assigned.") {
		t.Errorf("events %v", got)
	}
	// Again: nothing changes.
	ans = bulkAnswer{}
	f.ok(http.StatusOK, anna, http.MethodPost, "/api/v1/alerts/bulk/assign",
		`{"alerts":["`+sampleAlert+`"],"assignee":"gustav","justification":"igen"}`, &ans)
	if ans.Done != 1 || ans.Results[0].Changed {
		t.Errorf("assign again: %+v", ans)
	}
	f.wantTrail()

	// A halt is in force on one: snoozing it is refused as the single
	// "no action" would be, the other is snoozed.
	f.ok(http.StatusCreated, anna, http.MethodPost, "/api/v1/alerts/"+sampleAlert+"/decisions",
		`{"kind":"avropsstopp","justification":"Skulder","ground":"LOU 13:2"}`, nil)
	f.trail()
	ans = bulkAnswer{}
	f.ok(http.StatusOK, anna, http.MethodPost, "/api/v1/alerts/bulk/snooze",
		`{"alerts":["`+sampleAlert+`","`+soleTraderAlert+`","5560000000-9"],"justification":"Vilar till nya uppgifter","snooze_until":"2027-03-01"}`, &ans)
	if ans.Done != 1 || ans.Refused != 2 {
		t.Fatalf("snooze: %+v", ans)
	}
	if r := ans.Results[0]; r.OK || r.Status != http.StatusConflict || r.Code != review.CodeInvalidState || r.Changed {
		t.Errorf("halted one: %+v", r)
	}
	if r := ans.Results[2]; r.OK || r.Status != http.StatusNotFound {
		t.Errorf("unknown one: %+v", r)
	}
	a, _ := f.desk.Alert(soleTraderAlert)
	if a.State != review.Stangd || !a.Snoozed || a.SnoozeUntil.IsZero() || a.CloseReason != "Vilar till nya uppgifter" {
		t.Errorf("snoozed %+v", a)
	}
	f.wantTrail("decision.create anna " + soleTraderAlert + "-d1")
	// Closing the halted one is refused too.
	ans = bulkAnswer{}
	f.ok(http.StatusOK, anna, http.MethodPost, "/api/v1/alerts/bulk/close", `{"alerts":["`+sampleAlert+`"],"justification":"Klart","outcome":"bekraftad_risk"}`, &ans)
	if ans.Refused != 1 || ans.Results[0].Code != review.CodeHaltInForce {
		t.Errorf("close halted: %+v", ans)
	}
}

// The queue's bulk form: shown to those who may use it, with the actions
// each may take; refused whole with the field named, done with a flash.
func TestUIBulk(t *testing.T) {
	f := newFixture(t)
	anna, bo := f.as("anna"), f.as("bo")
	body := f.page(anna, "/")
	wantContains(t, "coordinator's queue", body, `<form id="bulk" method="post" action="/alerts/bulk"`,
		`<option value="assign">`, `<option value="snooze">`, `<option value="close">`,
		`name="alerts" value="`+sampleAlert+`" form="bulk"`)
	wantNot(t, "viewer's queue", f.page(bo, "/"), `id="bulk"`, `name="alerts"`)
	wantContains(t, "approver's queue", f.page(f.as("cecilia"), "/"), `<form id="bulk"`, `<option value="close">`)
	if rec := f.post(bo, "/alerts/bulk", url.Values{"action": {"close"}, "alerts": {sampleAlert}, "justification": {"x"}}, true); rec.Code != http.StatusForbidden {
		t.Fatalf("viewer posting: %d", rec.Code)
	}
	if rec := f.post(anna, "/alerts/bulk", url.Values{"action": {"close"}, "alerts": {sampleAlert}, "justification": {"x"}}, false); rec.Code != http.StatusForbidden {
		t.Fatalf("without the CSRF token: %d", rec.Code)
	}
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"action": {"close"}, "justification": {"x"}}, `id="bulk-alerts-error">Välj minst ett larm`},
		{url.Values{"action": {"close"}, "alerts": {sampleAlert}}, `id="bulk-justification-error">Skriv en motivering`},
		{url.Values{"action": {"assign"}, "alerts": {sampleAlert}, "justification": {"x"}}, `id="bulk-assignee-error">Välj en handläggare`},
		{url.Values{"action": {"havning"}, "alerts": {sampleAlert}, "justification": {"x"}}, `id="bulk-action-error">Välj en åtgärd.`},
		{url.Values{"action": {"close"}, "alerts": {sampleAlert}, "justification": {"x"}}, `id="bulk-outcome-error">Välj utfall`},
		{url.Values{"action": {"close"}, "alerts": {sampleAlert}, "justification": {"x"}, "outcome": {"falsklarm"}}, `id="bulk-outcome-error">Välj utfall`},
	} {
		rec := f.post(anna, "/alerts/bulk?step=L3", tc.form, true)
		if rec.Code != http.StatusBadRequest {
			t.Fatalf("%v: %d", tc.form, rec.Code)
		}
		checkHTML(t, "refused bulk form", rec)
		wantContains(t, "refused bulk form", rec.Body.String(), tc.want, `action="/alerts/bulk?step=L3"`)
	}
	if a, _ := f.desk.Alert(sampleAlert); a.Revision != 1 {
		t.Fatalf("alert changed: %+v", a)
	}
	wantRedirect(t, "bulk assign", f.post(anna, "/alerts/bulk?step=L3", url.Values{"action": {"assign"}, "assignee": {"me"},
		"alerts": {sampleAlert, soleTraderAlert}, "justification": {"Mina nu"}}, true), "/?ok=bulk&step=L3")
	wantContains(t, "flash", f.page(anna, "/?ok=bulk"), "De valda larmen ändrades.")
	for _, id := range []string{sampleAlert, soleTraderAlert} {
		if a, _ := f.desk.Alert(id); a.Assignee != "anna" {
			t.Errorf("%s: %+v", id, a)
		}
	}
	// One refused: the queue lists it with why.
	f.ok(http.StatusCreated, anna, http.MethodPost, "/api/v1/alerts/"+sampleAlert+"/decisions",
		`{"kind":"avropsstopp","justification":"Skulder","ground":"LOU 13:2"}`, nil)
	rec := f.post(anna, "/alerts/bulk", url.Values{"action": {"close"}, "alerts": {sampleAlert, soleTraderAlert}, "justification": {"Klart"},
		"outcome": {"befogat_larm"}}, true)
	if rec.Code != http.StatusOK {
		t.Fatalf("partly refused: %d", rec.Code)
	}
	checkHTML(t, "partly refused", rec)
	wantContains(t, "partly refused", rec.Body.String(), "1 larm ändrades och 1 ändrades inte:",
		`<a href="/alerts/`+sampleAlert+`" class="key">`+sampleAlert+`</a>: avropsstopp gäller – häv det först`)
	if a, _ := f.desk.Alert(soleTraderAlert); a.State != review.Stangd || a.Outcome != review.OutcomeJustified {
		t.Errorf("the other one: %+v", a)
	}
	if got := f.subjects("vaksam.alert.closed."); !slices.ContainsFunc(got, func(s string) bool { return strings.HasSuffix(s, "6001011235") }) {
		t.Errorf("closed events %v", got)
	}
}
