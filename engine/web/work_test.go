package web

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/review"
)

// The fixture's alerts reached L3 on Saturday 21 November 2026: five
// working days (the default SLA for L3) make them due Friday the 27th.
const fixtureDue = "2026-11-27"

// The API's alerts carry their status and deadline, and the list filters
// the alerts past due.
func TestAPIStatusAndDue(t *testing.T) {
	f := newFixture(t)
	anna := f.as("anna")
	list := func(query string) alertList { t.Helper(); return f.alerts(anna, query) }
	l := list("")
	if a := l.Alerts[0]; a.Status != review.StatusNy || a.Due != fixtureDue || a.PastDue {
		t.Fatalf("summary %+v", a.work)
	}
	if got := alertIDs(list("?past_due=true")); got != nil {
		t.Errorf("past due on the 22nd: %v", got)
	}
	rec := f.do(anna, http.MethodGet, "/api/v1/alerts?past_due=ja", "")
	if e := errorOf(t, rec); rec.Code != http.StatusBadRequest || e.Field != "past_due" {
		t.Errorf("past_due=ja: %d %+v", rec.Code, e)
	}
	// A termination awaiting approval: its status says so, and its
	// decider became its handler; no deadline runs.
	f.ok(http.StatusCreated, anna, http.MethodPost, "/api/v1/alerts/"+sampleAlert+"/decisions",
		`{"kind":"havning","justification":"Skulder","ground":"LOU 13:2"}`, nil)
	var d alertDetail
	f.ok(http.StatusOK, anna, http.MethodGet, "/api/v1/alerts/"+sampleAlert, "", &d)
	if d.Status != review.StatusVantarGodkannande || d.Due != "" || d.Alert.Assignee != "anna" || d.Alert.State != review.Utreds {
		t.Errorf("pending: %+v, alert %s %s", d.work, d.Alert.State, d.Alert.Assignee)
	}
	// On Saturday the 28th the other one is past due.
	f.clk.Add(6 * 24 * time.Hour)
	anna = f.relogin("anna")
	if got := alertIDs(list("?past_due=true")); !slices.Equal(got, []string{soleTraderAlert}) {
		t.Errorf("past due on the 28th: %v", got)
	}
	if got := alertIDs(list("?past_due=false")); len(got) != 2 {
		t.Errorf("past_due=false: %v", got)
	}
}

// The queue and the alert page show the status, the deadline and past
// due; the queue's filter keeps those past due; a halted supplier's step
// is not "proposed"; "Tilldela handläggare" preselects nobody.
func TestUIStatusAndDue(t *testing.T) {
	f := newFixture(t)
	anna := f.as("anna")
	body := f.page(anna, "/")
	wantContains(t, "queue", body, `<span class="badge state work-ny">Nytt</span>`, `<time datetime="`+fixtureDue+`">`,
		`<input id="f-pastdue" name="past_due" type="checkbox" value="true">`)
	wantNot(t, "queue", body, "Försenat", "Försenade larm")
	page := f.page(anna, "/alerts/"+sampleAlert)
	wantContains(t, "alert", page, `<option value="" selected>Välj handläggare</option>`, "Handläggs senast",
		"Avropsstopp föreslås")
	wantNot(t, "alert", page, `<option value="anna" selected>`)
	if rec := f.get(anna, "/?past_due=ja"); rec.Code != http.StatusBadRequest {
		t.Errorf("past_due=ja: %d", rec.Code)
	}

	wantRedirect(t, "halt", f.post(anna, "/alerts/"+sampleAlert+"/decisions", decideForm(review.Avropsstopp), true), "/alerts/")
	page = f.page(anna, "/alerts/"+sampleAlert)
	wantContains(t, "halted alert", page, `work-avropsstopp">Avropsstopp gäller</span>`, "Avropsstopp beslutat", "Ingen tidsfrist löper")
	wantNot(t, "halted alert", page, "Avropsstopp föreslås")
	row := regexp.MustCompile(`(?s)<tr[^>]*>\n<td[^>]*><input[^>]*value="` + sampleAlert + `".*?</tr>`).FindString(f.page(anna, "/"))
	wantContains(t, "halted in the queue", row, "Avropsstopp beslutat", "Avropsstopp gäller")
	wantNot(t, "halted in the queue", row, "Avropsstopp föreslås")
	// A termination awaiting approval after the halt: the status says it
	// waits, the step still that the halt was decided.
	wantRedirect(t, "terminate", f.post(anna, "/alerts/"+sampleAlert+"/decisions", decideForm(review.Havning), true), "/alerts/")
	page = f.page(anna, "/alerts/"+sampleAlert)
	wantContains(t, "termination waits", page, `work-vantar_godkannande">Beslut väntar på godkännande</span>`, "Avropsstopp beslutat")
	wantNot(t, "termination waits", page, "Avropsstopp föreslås", ">Nytt<")
	var d alertDetail
	f.ok(http.StatusOK, anna, http.MethodGet, "/api/v1/alerts/"+sampleAlert, "", &d)
	if d.Status != review.StatusVantarGodkannande || !d.Halted {
		t.Errorf("API: %+v", d.work)
	}

	f.clk.Add(6 * 24 * time.Hour)
	anna = f.relogin("anna")
	body = f.page(anna, "/?past_due=true")
	rows := regexp.MustCompile(`<th[^>]* scope="row"><a href="/alerts/([^"]+)">`).FindAllStringSubmatch(body, -1)
	if len(rows) != 1 || rows[0][1] != soleTraderAlert {
		t.Errorf("past due rows %v", rows)
	}
	wantContains(t, "past due", body, `<tr class="past-due">`, `badge work-pastdue">Försenat</span>`, "Försenade larm: 1",
		`name="past_due" type="checkbox" value="true" checked>`)
	// The bulk form keeps the filter.
	wantContains(t, "past due", body, `action="/alerts/bulk?past_due=true"`)
}

// relogin signs the user in again (a session expires as the clock moves).
func (f *fixture) relogin(user string) who {
	f.t.Helper()
	f.mu.Lock()
	delete(f.sessions, user)
	f.mu.Unlock()
	return f.as(user)
}

// The assignee list starts at "Välj handläggare": posted as it is, the
// form is refused naming the field, and nobody is assigned.
func TestUIAssignStartsEmpty(t *testing.T) {
	f := newFixture(t)
	anna := f.as("anna")
	rec := f.post(anna, "/alerts/"+sampleAlert+"/assign", url.Values{"assignee": {""}}, true)
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("empty assignee: %d", rec.Code)
	}
	checkHTML(t, "empty assignee", rec)
	wantContains(t, "empty assignee", rec.Body.String(), `id="assign-user-error">`, `<option value="" selected>Välj handläggare</option>`)
	if a, _ := f.desk.Alert(sampleAlert); a.Assignee != "" || a.Revision != 1 {
		t.Errorf("assigned: %+v", a)
	}
	// Refused with a user chosen, that user stays chosen.
	rec = f.post(anna, "/alerts/"+sampleAlert+"/assign", url.Values{"assignee": {"bo"}}, true)
	wantContains(t, "viewer chosen", rec.Body.String(), `<option value="">Välj handläggare</option>`)
}
