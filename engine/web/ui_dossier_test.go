package web

import (
	"encoding/json"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/review"
)

// dossierTimes are the timeline's times in the order the page shows them.
var dossierTimes = regexp.MustCompile(`<td[^>]*><time datetime="([^"]+)">`)

func timelineOf(t *testing.T, body string) []time.Time {
	t.Helper()
	i := strings.Index(body, `id="timeline-h"`)
	j := strings.Index(body, `id="network-h"`)
	if i < 0 || j < i {
		t.Fatalf("no timeline before the network")
	}
	var out []time.Time
	for _, m := range dossierTimes.FindAllStringSubmatch(body[i:j], -1) {
		at, err := time.Parse(time.RFC3339, m[1])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, at)
	}
	return out
}

func TestUIDossier(t *testing.T) {
	f := newFixture(t)
	anna, bo := f.as("anna"), f.as("bo")
	var a networkAnswer
	f.ok(http.StatusOK, anna, http.MethodGet, "/api/v1/suppliers/"+sampleOrg+"/network", "", &a)
	linkSoleTrader(t, f, strings.TrimPrefix(nodeNamed(a, "Sara Holm").ID, "p:"))
	wantRedirect(t, "halt", f.post(anna, "/alerts/"+sampleAlert+"/decisions", decideForm(review.Avropsstopp), true), "/alerts/")
	wantRedirect(t, "terminate", f.post(anna, "/alerts/"+sampleAlert+"/decisions", decideForm(review.Havning), true), "/alerts/")
	f.trail()

	for _, tc := range []struct {
		who     who
		persons bool
	}{{anna, true}, {bo, false}} {
		t.Run(tc.who.name, func(t *testing.T) {
			body := f.page(tc.who, "/suppliers/"+sampleOrg)
			// The summary, the spend, the open decisions.
			wantContains(t, "summary", body, `<dd class="orgnr">559123-4561</dd>`, "Ärende", "<dd>Aktiebolag (AB)</dd>",
				"Inga avtal gäller. Fakturerat senaste 12 månaderna: 504\u00a0000\u00a0kr; totalt: 504\u00a0000\u00a0kr.",
				"Öppna beslut och kontradiktion", sampleAlert+"-d1", "Avropsstopp", "Gäller",
				sampleAlert+"-d2", "Hävning av avtal", "Väntar på godkännande", "Leverantören är inte underrättad",
				"Ändringar i källornas uppgifter, nyast först")
			// The timeline: newest first, no record keys.
			times := timelineOf(t, body)
			if len(times) < 10 {
				t.Fatalf("timeline of %d entries", len(times))
			}
			for i := 1; i < len(times); i++ {
				if times[i].After(times[i-1]) {
					t.Errorf("timeline entry %d (%s) after the one before (%s)", i, times[i], times[i-1])
				}
			}
			if !times[0].Equal(instant(t, "2026-11-20").Truncate(time.Second)) {
				t.Errorf("newest entry %s, want the roles added on 2026-11-20", times[0])
			}
			tl := body[strings.Index(body, `id="timeline-h"`):strings.Index(body, `id="network-h"`)]
			wantNot(t, "timeline", tl, "Postnyckel", " v1<", "[person]")
			if pseudonymPattern.MatchString(tl) {
				t.Errorf("a pseudonym in the timeline")
			}
			// The network: drawn from the answer the page carries, and a table.
			wantContains(t, "network", body, `class="netview" data-network="`, `/static/vendor/cytoscape/cytoscape.min.js?v=`,
				`/static/network.js?v=`, `<ul class="netlist" aria-labelledby="netlist-h"></ul>`, "Nätverket som tabell",
				"Avregistrerat 2021-06-30 (VERKUPP)")
			graph := html.UnescapeString(regexp.MustCompile(`data-network="([^"]*)"`).FindStringSubmatch(body)[1])
			if tc.persons {
				wantContains(t, "network with persons", body, "Sara Holm (Styrelseledamot, avslutad) – <strong>näringsförbud</strong>",
					`<a href="/suppliers/6001011235">Anna Ek Omsorg</a> <span class="key nowrap">600101-1235</span>`)
				wantContains(t, "graph with persons", graph, `"name":"Sara Holm"`, `"trading_ban":true`)
			} else {
				wantContains(t, "network without persons", body, "en företrädare (Styrelseledamot, avslutad)", "Din roll får inte se personuppgifter",
					SoleTrader)
				wantNot(t, "network without persons", body, "Sara Holm", "Anna Ek Omsorg", soleTrader)
				wantContains(t, "graph without persons", graph, `"withheld":true`, `"persons_withheld":true`)
			}
		})
	}
	// In English.
	wantContains(t, "in English", f.page(bo, "/suppliers/"+sampleOrg+"?lang=en"), "Limited company (AB)", "Open decisions and hearings",
		"data, newest first", "The network as a table", "a representative (Board member, ended)")
	// The coordinator's view is audited with the network's persons; the
	// viewer's is not.
	es := f.wantTrail(audit.ViewPersons + " anna " + sampleOrg)
	if d := es[0].Detail; d["view"] != "supplier" || d["network_persons"] != "3" {
		t.Errorf("audit detail %v", d)
	}

	// The static files: the library with its licence, the script.
	for _, p := range []string{"/static/vendor/cytoscape/cytoscape.min.js", "/static/vendor/cytoscape/LICENSE", "/static/network.js"} {
		rec := f.get(anon, p)
		if rec.Code != http.StatusOK || rec.Body.Len() == 0 {
			t.Errorf("%s: %d", p, rec.Code)
		}
	}
	if rec := f.get(anon, "/static/vendor/cytoscape/LICENSE"); !strings.Contains(rec.Body.String(), "Cytoscape Consortium") ||
		!strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") {
		t.Errorf("licence: %s %q", rec.Header().Get("Content-Type"), rec.Body.String()[:min(80, rec.Body.Len())])
	}
	if rec := f.get(anon, "/static/vendor/nothing.js"); rec.Code != http.StatusNotFound {
		t.Errorf("a file not there: %d", rec.Code)
	}
}

func TestSpendOf(t *testing.T) {
	now := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name string
		prof profile.Profile
		want spendSummary
	}{
		{"nothing", profile.Profile{}, spendSummary{}},
		{"contracts in force and ended", profile.Profile{Contracts: []*profile.Contract{
			{ID: "A", Active: true, EstimatedSEK: 1000}, {ID: "B", Active: false, EstimatedSEK: 5000}, {ID: "C", Active: true, EstimatedSEK: 200}}},
			spendSummary{Active: 2, ActiveValue: 1200}},
		{"invoices within and before the year", profile.Profile{Invoices: []*profile.Invoice{
			{ID: "1", Date: day(2026, 11, 1), AmountSEK: 100}, {ID: "2", Date: day(2025, 11, 22), AmountSEK: 10},
			{ID: "3", Date: day(2025, 11, 21), AmountSEK: 1000}, {ID: "4", Date: day(2026, 12, 1), AmountSEK: 7}}},
			spendSummary{Invoiced12m: 110, InvoicedTotal: 1117}},
	} {
		if got := spendOf(&tc.prof, now); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

// The timeline says what changed, from what to what.
func TestDescribeChanges(t *testing.T) {
	js := func(v any) []byte {
		t.Helper()
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tax := record.TaxStatus{FSkatt: 1, Moms: 1, Employer: 1, SizeClass: 3}
	lost := tax
	lost.FSkatt, lost.SizeClass = 9, 2
	debt := record.Enforcement{Public: record.Claims{Count: 1, AmountSEK: 1000}}
	more := debt
	more.Public, more.AsOf = record.Claims{Count: 3, AmountSEK: 184500}, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, source string
		cur, prev    []byte
		want         []string
	}{
		{"tax, first", record.SCB, js(tax), nil, []string{"F-skatt godkänd, moms registrerad, arbetsgivare registrerad, storleksklass 3"}},
		{"tax, changed", record.SCB, js(lost), js(tax), []string{"F-skatt: godkänd → avregistrerad", "Storleksklass: 3 → 2"}},
		{"tax, the same", record.SCB, js(tax), js(tax), []string{"F-skatt godkänd, moms registrerad, arbetsgivare registrerad, storleksklass 3"}},
		{"debts, changed", record.Kronofogden, js(more), js(debt), []string{
			"Kronofogden per 2026-10-01: allmänna mål 3 (184\u00a0500\u00a0kr), enskilda mål 0 (0\u00a0kr), betalningsförelägganden senaste 12 mån 0",
			"Allmänna mål hos Kronofogden: 1 (1\u00a0000\u00a0kr) → 3 (184\u00a0500\u00a0kr)"}},
	} {
		got := describe("sv", tc.source, tc.cur, tc.prev, true, true)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
