package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/shadow"
	"github.com/vaksam/vaksam/rules"
)

// candidate is a pack with one rule, X99, that fires for every
// organisation the register names, beside nothing else: against the
// default pack, it adds X99 and removes every other hit.
const candidate = "../shadow/testdata/kandidat.yaml"

// The shadow's API and page are the admins': a coordinator is refused
// both. An admin runs a candidate (audited), the comparison of a
// screening repeated in shadow is answered in the documented shape and
// shown in an accessible page; the admin requests the promotion, and
// cannot approve it (four eyes); stopping the shadow is audited.
func TestShadowAPIAndPage(t *testing.T) {
	f := newFixture(t)
	f.srv.Shadow = &shadow.Runner{Store: f.st, Live: f.sc, Rules: rules.NewManager(f.sc.Rules(), nil)}
	dora, anna := f.as("dora"), f.as("anna")
	f.trail() // the logins
	body := f.page(dora, "/admin/rules/shadow")
	wantContains(t, "no shadow", body, "Inget regelpaket körs i skuggläge.", `<a href="/admin/rules/shadow" aria-current="page">Skuggläge</a>`)
	if body := f.page(anna, "/"); strings.Contains(body, "/admin/rules/shadow") {
		t.Error("a coordinator's menu links the admins' page")
	}
	if rec := f.get(anna, "/admin/rules/shadow"); rec.Code != http.StatusForbidden {
		t.Errorf("a coordinator's page: %d", rec.Code)
	}
	if rec := f.do(anna, http.MethodGet, "/api/v1/rules/shadow", ""); rec.Code != http.StatusForbidden {
		t.Errorf("a coordinator's GET: %d", rec.Code)
	}
	if rec := f.do(anna, http.MethodPut, "/api/v1/rules/shadow", `{"path":"`+candidate+`"}`); rec.Code != http.StatusForbidden {
		t.Errorf("a coordinator's PUT: %d", rec.Code)
	}
	if rec := f.do(dora, http.MethodPut, "/api/v1/rules/shadow", `{"path":"/nowhere.yaml"}`); rec.Code != http.StatusBadRequest {
		t.Errorf("a PUT of a missing pack: %d", rec.Code)
	}
	var rep shadow.Report
	f.ok(http.StatusOK, dora, http.MethodPut, "/api/v1/rules/shadow", `{"path":"`+candidate+`"}`, &rep)
	if !rep.Active || rep.Screened != 0 {
		t.Fatalf("after the PUT: %+v", rep)
	}
	cand := rep.Ruleset
	f.wantTrail("rules.shadow.set dora " + cand)

	// The live screening's results, repeated in shadow.
	at := time.Date(2026, 11, 22, 6, 0, 0, 0, time.UTC)
	live := map[string]event.Result{}
	if _, err := f.sc.ScreenAll(context.Background(), screening.Options{At: at}, 1, func(a *screening.Assessment) error {
		live[a.Orgnr] = a.Result()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	n, err := f.srv.Shadow.Screen(context.Background(), screening.Options{At: at, Trigger: screening.TriggerSchedule}, nil, live)
	if err != nil || n != len(live) || n == 0 {
		t.Fatalf("shadow screening: %d of %d, %v", n, len(live), err)
	}
	f.ok(http.StatusOK, dora, http.MethodGet, "/api/v1/rules/shadow", "", &rep)
	// X99 is added wherever the register names the organisation; every
	// hit of the default pack is gone.
	if rep.Screened != n || rep.Differing == 0 || len(rep.Organisations) != rep.Differing || len(rep.Indicators) < 2 ||
		rep.Indicators[len(rep.Indicators)-1] != (shadow.IndicatorCount{Indicator: "X99", Added: rep.Differing}) ||
		rep.Indicators[0].Removed == 0 {
		t.Errorf("report: screened %d of %d, differing %d, indicators %+v", rep.Screened, n, rep.Differing, rep.Indicators)
	}
	body = f.page(dora, "/admin/rules/shadow")
	wantContains(t, "the comparison", body, "X99", "Organisationer med ändrat resultat", "Begär att kandidaten tas i bruk")

	wantRedirect(t, "request", f.post(dora, "/admin/rules/shadow/promotion", url.Values{}, true), "/admin/rules/shadow?ok=shadow.requested")
	f.wantTrail("rules.promote.request dora " + cand)
	body = f.page(dora, "/admin/rules/shadow")
	wantContains(t, "requested", body, "En annan administratör måste godkänna")
	rec := f.post(dora, "/admin/rules/shadow/promotion/approve", url.Values{}, true)
	if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "fyra ögon") {
		t.Errorf("the requester's approval on the page: %d", rec.Code)
	}
	if rec := f.do(dora, http.MethodPost, "/api/v1/rules/shadow/promotion/approve", ""); rec.Code != http.StatusForbidden {
		t.Errorf("the requester's approval in the API: %d", rec.Code)
	}
	wantRedirect(t, "clear", f.post(dora, "/admin/rules/shadow/clear", url.Values{}, true), "/admin/rules/shadow?ok=shadow.cleared")
	f.wantTrail("rules.shadow.clear dora " + cand)
	if rec := f.do(dora, http.MethodDelete, "/api/v1/rules/shadow", ""); rec.Code != http.StatusConflict {
		t.Errorf("stopping no shadow: %d", rec.Code)
	}
}
