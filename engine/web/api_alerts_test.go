package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/review"
)

const soleTraderAlert = "6001011235-1" // Anna Ek Omsorg, a sole trader: L3

func alertIDs(l alertList) []string {
	var out []string
	for _, a := range l.Alerts {
		out = append(out, a.ID)
	}
	return out
}

// alerts lists the alerts as w, with the query ("" or "?…").
func (f *fixture) alerts(w who, query string) alertList {
	f.t.Helper()
	var l alertList
	f.ok(http.StatusOK, w, http.MethodGet, "/api/v1/alerts"+query, "", &l)
	return l
}

func TestListAlerts(t *testing.T) {
	f := newFixture(t)
	// A coordinator: a viewer sees the sole trader masked and finds it
	// only by its number (TestSoleTraderByRole).
	anna := f.as("anna")
	list := func(query string) alertList { t.Helper(); return f.alerts(anna, query) }
	// Priority: both L3, the higher score first.
	l := list("")
	if got := alertIDs(l); !slices.Equal(got, []string{sampleAlert, soleTraderAlert}) || l.Total != 2 || l.Page != 1 ||
		l.PerPage != DefaultPerPage || l.Pages != 1 || l.Links.Next != "" || l.Links.Prev != "" {
		t.Fatalf("alerts %v, page %+v", got, l.pageInfo)
	}
	a := l.Alerts[0]
	if a.State != review.Ny || a.Step != "L3" || a.Name != "Omsorgshuset Norr AB" || !slices.Equal(a.Categories, []string{"C", "S"}) ||
		len(a.Hits) != 8 || a.Revision != 1 {
		t.Errorf("summary %+v", a)
	}
	if got := alertIDs(list("?order=asc")); !slices.Equal(got, []string{soleTraderAlert, sampleAlert}) {
		t.Errorf("priority ascending: %v", got)
	}
	if got := alertIDs(list("?sort=score&order=asc")); !slices.Equal(got, []string{soleTraderAlert, sampleAlert}) {
		t.Errorf("score ascending: %v", got)
	}
	for query, want := range map[string][]string{
		"?category=C":                {sampleAlert},
		"?category=c,P":              {sampleAlert},
		"?category=P":                nil,
		"?step=L2,L3":                {sampleAlert, soleTraderAlert},
		"?step=L4":                   nil,
		"?state=stangd":              nil,
		"?state=all":                 {sampleAlert, soleTraderAlert},
		"?q=omsorgshuset":            {sampleAlert},
		"?q=OMSORG":                  {sampleAlert, soleTraderAlert},
		"?q=559123-4561":             {sampleAlert},
		"?q=" + soleTraderAlert:      {soleTraderAlert},
		"?assignee=none":             {sampleAlert, soleTraderAlert},
		"?assignee=me":               nil,
		"?assignee=anna&state=open":  nil,
		"?q=ingen+sadan&state=ny":    nil,
		"?state=ny,utreds&step=L3":   {sampleAlert, soleTraderAlert},
		"?sort=opened&category=S,C,": {sampleAlert, soleTraderAlert},
	} {
		if got := alertIDs(list(query)); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", query, got, want)
		}
	}
	// Pages.
	l = list("?per_page=1&state=open")
	if got := alertIDs(l); !slices.Equal(got, []string{sampleAlert}) || l.Total != 2 || l.Pages != 2 || l.Links.Prev != "" ||
		l.Links.Next != "/api/v1/alerts?page=2&per_page=1&state=open" {
		t.Fatalf("page 1: %v %+v", got, l.pageInfo)
	}
	rec := f.do(anna, http.MethodGet, "/api/v1/alerts?per_page=1&state=open", "")
	if link := rec.Header().Get("Link"); !strings.Contains(link, `</api/v1/alerts?page=2&per_page=1&state=open>; rel="next"`) {
		t.Errorf("Link %q", link)
	}
	l = list(strings.TrimPrefix(l.Links.Next, "/api/v1/alerts"))
	if got := alertIDs(l); !slices.Equal(got, []string{soleTraderAlert}) || l.Links.Next != "" ||
		l.Links.Prev != "/api/v1/alerts?page=1&per_page=1&state=open" {
		t.Errorf("page 2: %v %+v", got, l.pageInfo)
	}
	if l = list("?page=9"); len(l.Alerts) != 0 || l.Total != 2 || l.Alerts == nil {
		t.Errorf("past the end: %+v", l)
	}
	// Assigned and closed ones.
	f.ok(http.StatusOK, f.as("anna"), http.MethodPost, "/api/v1/alerts/"+soleTraderAlert+"/assign", `{"assignee":"me"}`, nil)
	if got := alertIDs(list("?assignee=anna")); !slices.Equal(got, []string{soleTraderAlert}) {
		t.Errorf("assignee=anna: %v", got)
	}
	if got := alertIDs(list("?state=utreds")); !slices.Equal(got, []string{soleTraderAlert}) {
		t.Errorf("state=utreds: %v", got)
	}
	if got := alertIDs(list("?sort=updated")); !slices.Equal(got, []string{soleTraderAlert, sampleAlert}) {
		t.Errorf("sort=updated: %v", got)
	}
	f.ok(http.StatusOK, f.as("anna"), http.MethodPost, "/api/v1/alerts/"+soleTraderAlert+"/close", `{"reason":"Utrett: inget att anmärka","outcome":"befogat_larm"}`, nil)
	if got := alertIDs(list("")); !slices.Equal(got, []string{sampleAlert}) {
		t.Errorf("open after closing: %v", got)
	}
	if got := alertIDs(list("?state=stangd")); !slices.Equal(got, []string{soleTraderAlert}) {
		t.Errorf("state=stangd: %v", got)
	}
}

// A viewer sees an alert without personal data; a coordinator sees the
// representatives, and that view is recorded.
func TestAlertPersons(t *testing.T) {
	f := newFixture(t)
	bo, anna := f.as("bo"), f.as("anna")
	f.trail()
	for _, w := range []who{bo, f.token("panel")} {
		rec := f.ok(http.StatusOK, w, http.MethodGet, "/api/v1/alerts/"+sampleAlert, "", nil)
		body := rec.Body.String()
		for _, name := range []string{"Sara Holm", "Erik Lind", "Ali Noor"} {
			if strings.Contains(body, name) {
				t.Errorf("%s sees %s", w.name, name)
			}
		}
		var d alertDetail
		decode(t, rec, &d)
		if d.Persons != nil || !d.PersonsWithheld || d.Alert.ID != sampleAlert || len(d.Alert.History) != 1 || d.Assessment == nil {
			t.Fatalf("%s: %+v", w.name, d)
		}
		for _, h := range d.Assessment.Hits {
			withheld := h.Message == withheldMessage
			if want := h.ID == "S15"; withheld != want {
				t.Errorf("%s: hit %s message %q", w.name, h.ID, h.Message.SV)
			}
			if len(h.Evidence) == 0 {
				t.Errorf("%s: hit %s without evidence", w.name, h.ID)
			}
		}
	}
	f.wantTrail() // no personal data shown, nothing recorded

	var d alertDetail
	rec := f.ok(http.StatusOK, anna, http.MethodGet, "/api/v1/alerts/"+sampleAlert, "", &d)
	if d.PersonsWithheld || d.Persons == nil || !strings.Contains(rec.Body.String(), "Sara Holm (VD) har näringsförbud") {
		t.Fatalf("coordinator: %s", rec.Body)
	}
	var sara *representative
	for i, r := range d.Persons.Representatives {
		if r.Name == "Sara Holm" {
			sara = &d.Persons.Representatives[i]
		}
	}
	if sara == nil || !sara.TradingBan || !sara.Current || sara.Role != "vd" || len(d.Persons.Representatives) != 3 ||
		len(d.Persons.BeneficialOwners) != 1 || d.Persons.BeneficialOwners[0].Name != "Erik Lind" {
		t.Errorf("persons %+v", d.Persons)
	}
	e := f.wantTrail(audit.ViewPersons + " anna " + sampleAlert)[0]
	if e.Detail["view"] != "alert" || e.Detail["representatives"] != "3" || e.Detail["hit_messages"] != "shown" {
		t.Errorf("detail %v", e.Detail)
	}
	// A sole trader: a viewer sees no hit message at all.
	var st alertDetail
	f.ok(http.StatusOK, bo, http.MethodGet, "/api/v1/alerts/"+soleTraderAlert, "", &st)
	if st.Assessment == nil || len(st.Assessment.Hits) == 0 {
		t.Fatalf("sole trader: %+v", st)
	}
	for _, h := range st.Assessment.Hits {
		if h.Message != withheldMessage {
			t.Errorf("sole trader's hit %s shown to a viewer: %q", h.ID, h.Message.SV)
		}
	}
	f.ok(http.StatusOK, anna, http.MethodGet, "/api/v1/alerts/"+soleTraderAlert, "", &st)
	f.wantTrail(audit.ViewPersons + " anna " + soleTraderAlert)
}

// The whole life of an alert through the API: assign, comment, halt,
// terminate with four eyes (a rejection, then an approval), lift the
// halt, close.
func TestAlertWorkflow(t *testing.T) {
	f := newFixture(t)
	bo, anna, cecilia, gustav := f.as("bo"), f.as("anna"), f.as("cecilia"), f.as("gustav")
	f.trail()
	base := "/api/v1/alerts/" + sampleAlert

	var al review.Alert
	f.ok(http.StatusOK, anna, http.MethodPost, base+"/assign", `{"assignee":"me"}`, &al)
	if al.State != review.Utreds || al.Assignee != "anna" {
		t.Fatalf("assigned %+v", al)
	}
	f.wantTrail(audit.AlertAssign + " anna " + sampleAlert)
	if got := f.subjects(event.AlertRoot); !slices.Equal(got, []string{event.AlertRoot + ".assigned." + sampleOrg}) {
		t.Errorf("events %v", got)
	}

	var c review.Comment
	rec := f.ok(http.StatusCreated, anna, http.MethodPost, base+"/comments", `{"text":"Ringde VD, inget svar."}`, &c)
	if c.ID != sampleAlert+"-c1" || c.By != "anna" || c.Text != "Ringde VD, inget svar." || rec.Header().Get("Location") == "" {
		t.Errorf("comment %+v", c)
	}
	if e := f.wantTrail(review.AuditComment + " anna " + sampleAlert)[0]; strings.Contains(strings.Join(mapValues(e.Detail), " "), "Ringde") {
		t.Errorf("the comment's text is in the audit detail %v", e.Detail)
	}
	var cs commentList
	f.ok(http.StatusOK, bo, http.MethodGet, base+"/comments", "", &cs)
	if len(cs.Comments) != 1 || cs.Comments[0].Text != c.Text {
		t.Errorf("comments %+v", cs)
	}

	// Halt: in force at once, the action published.
	var halt review.Decision
	f.ok(http.StatusCreated, anna, http.MethodPost, base+"/decisions",
		`{"kind":"avropsstopp","justification":"Näringsförbud för VD och skulder","ground":"LOU 13:1","contracts":["ASN-2024-1001"]}`, &halt)
	if halt.Status != review.Bekraftad || halt.DecidedBy != "anna" || halt.Evidence.Ruleset == "" || len(halt.Evidence.Records) == 0 ||
		!halt.Evidence.AssessmentAt.Equal(instant(t, "2026-11-21")) || !slices.Equal(halt.Contracts, []string{"ASN-2024-1001"}) {
		t.Fatalf("halt %+v", halt)
	}
	if got := f.subjects(event.ActionRoot); !slices.Equal(got, []string{event.ActionRoot + ".halt." + sampleOrg}) {
		t.Errorf("actions %v, want the halt", got)
	}
	f.wantTrail(audit.DecisionCreate + " anna " + halt.ID)
	// Closing is refused while the halt is in force.
	rec = f.do(anna, http.MethodPost, base+"/close", `{"reason":"klart","outcome":"befogat_larm"}`)
	if rec.Code != http.StatusConflict {
		t.Errorf("close under a halt: %d %s", rec.Code, rec.Body)
	}

	// Terminate: cecilia (an approver) takes it on and decides; it waits.
	f.ok(http.StatusOK, cecilia, http.MethodPost, base+"/assign", `{"assignee":"cecilia"}`, &al)
	termination := `{"kind":"havning","justification":"Väsentligt avtalsbrott","ground":"avtalsvillkor","contract_clause":"§ 12.3","contracts":["ASN-2024-1001"]}`
	var term review.Decision
	f.ok(http.StatusCreated, cecilia, http.MethodPost, base+"/decisions", termination, &term)
	if term.Status != review.VantarGodkannande || term.ContractClause != "§ 12.3" {
		t.Fatalf("termination %+v", term)
	}
	if got := f.subjects(event.ActionRoot); len(got) != 0 {
		t.Errorf("a pending decision published %v", got)
	}
	var queue decisionList
	f.ok(http.StatusOK, bo, http.MethodGet, "/api/v1/decisions?status=vantar_godkannande", "", &queue)
	if len(queue.Decisions) != 1 || queue.Decisions[0].ID != term.ID || queue.Total != 1 {
		t.Errorf("queue %+v", queue)
	}
	// Not by a coordinator, not by herself.
	if rec := f.do(anna, http.MethodPost, "/api/v1/decisions/"+term.ID+"/approve", ""); rec.Code != http.StatusForbidden {
		t.Errorf("coordinator approving: %d", rec.Code)
	}
	rec = f.do(cecilia, http.MethodPost, "/api/v1/decisions/"+term.ID+"/approve", "")
	if e := errorOf(t, rec); rec.Code != http.StatusForbidden || !strings.Contains(e.Error, "four eyes") {
		t.Errorf("approving her own: %d %+v", rec.Code, e)
	}
	if rec := f.do(cecilia, http.MethodPost, "/api/v1/decisions/"+term.ID+"/reject", `{"reason":"x"}`); rec.Code != http.StatusForbidden {
		t.Errorf("rejecting her own: %d %s", rec.Code, rec.Body)
	}
	f.wantTrail(audit.AlertAssign+" cecilia "+sampleAlert, audit.DecisionCreate+" cecilia "+term.ID)

	// Gustav rejects it; cecilia decides again; gustav approves.
	var rej review.Decision
	f.ok(http.StatusOK, gustav, http.MethodPost, "/api/v1/decisions/"+term.ID+"/reject", `{"reason":"Avtalsvillkoret behöver citeras"}`, &rej)
	if rej.Status != review.Avslagen || rej.RejectedBy != "gustav" {
		t.Errorf("rejected %+v", rej)
	}
	if rec := f.do(gustav, http.MethodPost, "/api/v1/decisions/"+term.ID+"/approve", `{}`); rec.Code != http.StatusConflict {
		t.Errorf("approving a rejected decision: %d", rec.Code)
	}
	f.ok(http.StatusCreated, cecilia, http.MethodPost, base+"/decisions", termination, &term)
	f.events()
	// Not before the supplier was heard.
	if rec := f.do(gustav, http.MethodPost, "/api/v1/decisions/"+term.ID+"/approve", `{}`); rec.Code != http.StatusConflict ||
		!strings.Contains(errorOf(t, rec).Error, "the supplier has not been heard") {
		t.Errorf("approving before the hearing: %d %s", rec.Code, rec.Body)
	}
	// The supplier is heard: informed, and its response recorded.
	f.ok(http.StatusOK, cecilia, http.MethodPost, "/api/v1/decisions/"+term.ID+"/hearing",
		`{"informed_at":"2026-11-22","deadline":"2026-12-06","channel":"brev"}`, nil)
	body, ct := multipartBody(t, part{name: "received_at", value: "2026-11-22"}, part{name: "text", value: "Vi bestrider uppgifterna."})
	if rec := f.do(cecilia, http.MethodPost, "/api/v1/decisions/"+term.ID+"/hearing/response", body, "Content-Type", ct); rec.Code != http.StatusOK {
		t.Fatalf("response: %d %s", rec.Code, rec.Body)
	}
	var ok review.Decision
	f.ok(http.StatusOK, gustav, http.MethodPost, "/api/v1/decisions/"+term.ID+"/approve", `{}`, &ok)
	if ok.Status != review.Bekraftad || ok.ApprovedBy != "gustav" || ok.DecidedBy != "cecilia" {
		t.Errorf("approved %+v", ok)
	}
	evs := f.events()
	var terminate *event.Action
	for _, ev := range evs {
		if ev.Subject == event.ActionRoot+".terminate."+sampleOrg {
			terminate = &event.Action{}
			if err := json.Unmarshal(ev.Data, terminate); err != nil {
				t.Fatal(err)
			}
		}
	}
	if terminate == nil || terminate.DecidedBy != "cecilia" || terminate.ApprovedBy != "gustav" || terminate.Ground != "avtalsvillkor: § 12.3" {
		t.Fatalf("terminate action %+v in %d events", terminate, len(evs))
	}
	f.wantTrail(audit.DecisionReject+" gustav "+rej.ID, audit.DecisionCreate+" cecilia "+term.ID,
		audit.HearingInform+" cecilia "+term.ID, audit.HearingRespond+" cecilia "+term.ID, audit.DecisionApprove+" gustav "+term.ID)
	var got review.Decision
	f.ok(http.StatusOK, bo, http.MethodGet, "/api/v1/decisions/"+term.ID, "", &got)
	if got.Status != review.Bekraftad || got.ID != term.ID {
		t.Errorf("GET decision %+v", got)
	}

	// Lift the halt, then close.
	f.ok(http.StatusCreated, anna, http.MethodPost, base+"/decisions", `{"kind":"hav_avropsstopp","justification":"Avtalet är hävt","ground":"LOU 13:1"}`, nil)
	if got := f.subjects(event.ActionRoot); !slices.Equal(got, []string{event.ActionRoot + ".resume." + sampleOrg}) {
		t.Errorf("actions %v, want the resume", got)
	}
	f.ok(http.StatusOK, anna, http.MethodPost, base+"/close", `{"reason":"Avtalet hävt","outcome":"bekraftad_risk"}`, &al)
	if al.State != review.Stangd || al.ClosedBy != "anna" {
		t.Errorf("closed %+v", al)
	}
	if rec := f.do(anna, http.MethodPost, base+"/close", `{"reason":"igen","outcome":"bekraftad_risk"}`); rec.Code != http.StatusConflict {
		t.Errorf("closing twice: %d", rec.Code)
	}
	var all decisionList
	f.ok(http.StatusOK, bo, http.MethodGet, "/api/v1/decisions?alert="+sampleAlert+"&per_page=2", "", &all)
	if all.Total != 4 || len(all.Decisions) != 2 || all.Links.Next == "" {
		t.Errorf("decisions of the alert: %+v", all.pageInfo)
	}
	var detail alertDetail
	f.ok(http.StatusOK, bo, http.MethodGet, base, "", &detail)
	if len(detail.Decisions) != 4 || detail.Comments != 1 || detail.Alert.State != review.Stangd {
		t.Errorf("detail: %d decisions, %d comments, %s", len(detail.Decisions), detail.Comments, detail.Alert.State)
	}
	r, err := f.log.Verify()
	if err != nil || !r.Intact() {
		t.Errorf("audit trail: %+v %v", r, err)
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// ingen_atgard with a snooze date given as a date.
func TestDecisionSnoozeDate(t *testing.T) {
	f := newFixture(t)
	var d review.Decision
	f.ok(http.StatusCreated, f.as("anna"), http.MethodPost, "/api/v1/alerts/"+sampleAlert+"/decisions",
		`{"kind":"ingen_atgard","justification":"Utrett","snooze_until":"2027-01-31"}`, &d)
	want := time.Date(2027, 1, 30, 23, 0, 0, 0, time.UTC) // midnight in Stockholm
	if !d.Snooze || !d.SnoozeUntil.Equal(want) {
		t.Errorf("snooze %v until %s, want %s", d.Snooze, d.SnoozeUntil, want)
	}
	var a review.Alert
	f.ok(http.StatusOK, f.as("bo"), http.MethodGet, "/api/v1/alerts/"+sampleAlert, "", &struct {
		Alert *review.Alert `json:"alert"`
	}{&a})
	if a.State != review.Stangd || !a.Snoozed {
		t.Errorf("alert %+v", a)
	}
}

// Four eyes is per person: anna signs in as a coordinator and proposes a
// termination; the approver token she also holds cannot approve or
// reject it, gustav's token can, and the decision names the token, the
// audit trail its person.
func TestFourEyesPerPersonAPI(t *testing.T) {
	f := newFixture(t)
	anna := f.as("anna")
	base := "/api/v1/alerts/" + sampleAlert
	var term review.Decision
	f.ok(http.StatusCreated, anna, http.MethodPost, base+"/decisions",
		`{"kind":"havning","justification":"Väsentligt avtalsbrott","ground":"LOU 13:1","contracts":["ASN-2024-1001"]}`, &term)
	f.ok(http.StatusOK, anna, http.MethodPost, "/api/v1/decisions/"+term.ID+"/hearing",
		`{"informed_at":"2026-11-22","deadline":"2026-12-06","channel":"brev"}`, nil)
	body, ct := multipartBody(t, part{name: "received_at", value: "2026-11-22"}, part{name: "text", value: "Vi bestrider uppgifterna."})
	if rec := f.do(anna, http.MethodPost, "/api/v1/decisions/"+term.ID+"/hearing/response", body, "Content-Type", ct); rec.Code != http.StatusOK {
		t.Fatalf("response: %d %s", rec.Code, rec.Body)
	}
	f.trail()
	for path, body := range map[string]string{"/approve": `{}`, "/reject": `{"reason":"x"}`} {
		rec := f.do(f.token("anna-godk"), http.MethodPost, "/api/v1/decisions/"+term.ID+path, body)
		if e := errorOf(t, rec); rec.Code != http.StatusForbidden || !strings.Contains(e.Error, "four eyes") {
			t.Errorf("anna's own token %s: %d %+v, want 403 four eyes", path, rec.Code, e)
		}
	}
	var ok review.Decision
	f.ok(http.StatusOK, f.token("gustav-godk"), http.MethodPost, "/api/v1/decisions/"+term.ID+"/approve", `{}`, &ok)
	if ok.Status != review.Bekraftad || ok.ApprovedBy != "gustav-godk" || ok.DecidedBy != "anna" {
		t.Errorf("approved %+v", ok)
	}
	if es := f.wantTrail(audit.DecisionApprove + " gustav-godk " + term.ID); es[0].Detail["person"] != "gustav" {
		t.Errorf("the approval's audit detail %v names no person gustav", es[0].Detail)
	}

	// A decision proposed with a token records the token and its person.
	f2 := newFixture(t)
	var term2 review.Decision
	f2.ok(http.StatusCreated, f2.token("anna-godk"), http.MethodPost, base+"/decisions",
		`{"kind":"havning","justification":"Väsentligt avtalsbrott","ground":"LOU 13:1"}`, &term2)
	if term2.DecidedBy != "anna-godk" || term2.DecidedByPerson != "anna" {
		t.Errorf("decision by a token: %+v", term2)
	}
}
