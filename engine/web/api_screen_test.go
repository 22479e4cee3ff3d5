package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/screening"
)

func TestScreen(t *testing.T) {
	f := newFixture(t)
	robot := f.token("robot")
	before, err := f.desk.Alert(sampleAlert)
	if err != nil || before.Step != screening.L3 || !before.Open() {
		t.Fatalf("the fixture's alert %+v %v, want open at L3", before, err)
	}
	var a screening.Assessment
	rec := f.ok(http.StatusOK, robot, http.MethodPost, "/api/v1/screen", `{"orgnr":"559123-4561","purpose":"award","category":"hvb_barn","value_sek":4800000}`, &a)
	if a.Orgnr != sampleOrg || a.Verdict != screening.Block || a.Purpose != screening.Award || a.Step != screening.L5 || len(a.Hits) == 0 {
		t.Fatalf("assessment %+v", a)
	}
	if !strings.Contains(rec.Body.String(), "Sara Holm") {
		t.Errorf("a coordinator's check lacks the trading ban's person")
	}
	// The check is its caller's answer: the alert does not follow it.
	es := f.wantTrail(AuditScreen+" robot "+sampleOrg, audit.ViewPersons+" robot "+sampleOrg)
	if es[0].Detail["verdict"] != "block" || es[0].Detail["purpose"] != "award" || es[1].Detail["view"] != "screen" {
		t.Errorf("details %v %v", es[0].Detail, es[1].Detail)
	}
	// The check was recorded as an assessment (and the organisation is
	// watched); it says something else than the follow-up, so its own
	// assessment event went out, and nothing else.
	if got := f.events(); len(got) != 1 || got[0].Subject != event.AssessmentRoot+".L5."+sampleOrg {
		t.Errorf("events %v", got)
	}
	if got, err := f.desk.Alert(sampleAlert); err != nil || got.Revision != before.Revision || got.Step != screening.L3 || got.State != before.State {
		t.Errorf("alert after the check: %+v %v", got, err)
	}
	// The supplier's current assessment is still the follow-up's, and
	// the check is shown beside it; the alert shows the follow-up's.
	var d supplierDetail
	f.ok(http.StatusOK, robot, http.MethodGet, "/api/v1/suppliers/"+sampleOrg, "", &d)
	if d.Latest == nil || d.Latest.Step != screening.L3 || d.Latest.Purpose != screening.Monitor ||
		d.LatestCheck == nil || d.LatestCheck.Step != screening.L5 || d.LatestCheck.Purpose != screening.Award || !d.LatestCheck.At.Equal(a.At) {
		t.Errorf("supplier: latest %+v, latest_check %+v", d.Latest, d.LatestCheck)
	}
	var l supplierList
	f.ok(http.StatusOK, robot, http.MethodGet, "/api/v1/suppliers?q="+sampleOrg, "", &l)
	if len(l.Suppliers) != 1 || l.Suppliers[0].Step != screening.L3 || !l.Suppliers[0].AssessedAt.Equal(d.Latest.At) {
		t.Errorf("search: %+v", l.Suppliers)
	}
	var ad alertDetail
	f.ok(http.StatusOK, robot, http.MethodGet, "/api/v1/alerts/"+sampleAlert, "", &ad)
	if ad.Assessment == nil || ad.Assessment.Step != screening.L3 || ad.Assessment.Purpose != screening.Monitor {
		t.Errorf("alert's assessment %+v", ad.Assessment)
	}
	page := f.page(f.as("anna"), "/suppliers/"+sampleOrg)
	wantContains(t, "supplier page", page, "Senaste kontroll före upphandling", "Kontroll före tilldelning: ", "ersätter inte uppföljningens bedömning")
	// The next follow-up screening finds the result it left: nothing
	// to publish, the alert as it was.
	if _, err := f.sc.Screen(context.Background(), []ident.Org{ident.MustOrg(sampleOrg)}, screening.Options{At: f.clk.Now(), Save: true}); err != nil {
		t.Fatal(err)
	}
	if got := f.events(); len(got) != 0 {
		t.Errorf("the follow-up after the check emitted %v", got)
	}
	if got, err := f.desk.Alert(sampleAlert); err != nil || got.Revision != before.Revision {
		t.Errorf("alert after the next follow-up: %+v %v", got, err)
	}
	f.trail()

	// An organisation the register does not know: 404 with the assessment.
	rec = f.do(robot, http.MethodPost, "/api/v1/screen", `{"orgnr":"`+unknownOrg+`","purpose":"calloff"}`)
	e := errorOf(t, rec)
	if rec.Code != http.StatusNotFound || e.Field != "orgnr" || e.Assessment == nil || !e.Assessment.NotRegistered {
		t.Fatalf("not registered: %d %s", rec.Code, rec.Body)
	}
	f.wantTrail(AuditScreen + " robot " + unknownOrg)

	// An organisation never followed up, only checked: no current
	// assessment, the check beside it, labelled so.
	const neverFollowed = "5560160680"
	f.ok(http.StatusOK, robot, http.MethodPost, "/api/v1/screen", `{"orgnr":"`+neverFollowed+`","purpose":"direct"}`, nil)
	d = supplierDetail{}
	f.ok(http.StatusOK, robot, http.MethodGet, "/api/v1/suppliers/"+neverFollowed, "", &d)
	if d.Latest != nil || d.LatestCheck == nil || d.LatestCheck.Purpose != screening.Direct {
		t.Errorf("only checked: latest %+v, latest_check %+v", d.Latest, d.LatestCheck)
	}
	page = f.page(f.as("anna"), "/suppliers/"+neverFollowed)
	wantContains(t, "supplier page, only checked", page, "Kontroll före direktupphandling: ", "leverantören har ingen bedömning i uppföljningen")
	f.trail()

	// A session needs the CSRF token like any POST; a viewer may not.
	f.ok(http.StatusOK, f.as("anna"), http.MethodPost, "/api/v1/screen", `{"orgnr":"5591234561","purpose":"direct"}`, nil)
	if rec := f.do(f.token("panel"), http.MethodPost, "/api/v1/screen", `{"orgnr":"5591234561","purpose":"direct"}`); rec.Code != http.StatusForbidden {
		t.Errorf("viewer token: %d", rec.Code)
	}
}

// failingCheck answers every check with an error.
type failingCheck struct{ err error }

func (c failingCheck) Check(context.Context, event.ScreenRequest) (*screening.Assessment, error) {
	return nil, c.err
}

func TestScreenUnavailable(t *testing.T) {
	f := newFixture(t)
	f.srv.Check = failingCheck{&bus.RequestError{Code: 503, Msg: "the store is unavailable"}}
	h := f.srv.Handler()
	f.h = h
	rec := f.do(f.token("robot"), http.MethodPost, "/api/v1/screen", `{"orgnr":"5591234561","purpose":"award"}`)
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("503 from the service: %d %s", rec.Code, rec.Body)
	}
	f.srv.Check = nil
	rec = f.do(f.token("robot"), http.MethodPost, "/api/v1/screen", `{"orgnr":"5591234561","purpose":"award"}`)
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("no checker: %d %s", rec.Code, rec.Body)
	}
	f.wantTrail()
}

func TestAuditList(t *testing.T) {
	f := newFixture(t)
	dora := f.as("dora")
	f.ok(http.StatusCreated, f.as("anna"), http.MethodPost, "/api/v1/alerts/"+sampleAlert+"/comments", `{"text":"x"}`, nil)
	var l auditList
	f.ok(http.StatusOK, dora, http.MethodGet, "/api/v1/audit", "", &l)
	if len(l.Entries) < 5 || l.Head.Seq != l.Entries[len(l.Entries)-1].Seq || l.Next != "" || l.Entries[0].Seq != 1 {
		t.Fatalf("audit: %d entries, head %+v, next %q", len(l.Entries), l.Head, l.Next)
	}
	actions := map[string]bool{}
	for _, e := range l.Entries {
		actions[e.Action] = true
		if e.Hash != audit.HashOf(e) {
			t.Errorf("entry %d: hash does not recompute from the answer", e.Seq)
		}
	}
	for _, a := range []string{audit.AlertOpen, audit.Login, "alert.comment"} {
		if !actions[a] {
			t.Errorf("no %s entry in %v", a, actions)
		}
	}
	// In pages.
	var p auditList
	f.ok(http.StatusOK, dora, http.MethodGet, "/api/v1/audit?from=2&limit=2", "", &p)
	if len(p.Entries) != 2 || p.Entries[0].Seq != 2 || p.Next != "/api/v1/audit?from=4&limit=2" {
		t.Errorf("page: %d entries from %d, next %q", len(p.Entries), p.Entries[0].Seq, p.Next)
	}
	var end auditList
	f.ok(http.StatusOK, dora, http.MethodGet, "/api/v1/audit?from=999", "", &end)
	if len(end.Entries) != 0 || end.Entries == nil || end.Next != "" {
		t.Errorf("past the end: %+v", end)
	}
	if rec := f.do(f.as("cecilia"), http.MethodGet, "/api/v1/audit", ""); rec.Code != http.StatusForbidden {
		t.Errorf("approver: %d", rec.Code)
	}
}
