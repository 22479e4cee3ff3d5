package web

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/rules"
)

const (
	criticalOrg = "5560160680" // L3 with only a critical hit: score 0
	highOrg     = "5560160698" // L2 with a high score
)

// saveAssessment stores a follow-up assessment of org with the hits (id →
// severity), as the screening would have, and opens its alert.
func saveAssessment(t *testing.T, f *fixture, org, name string, step ladder.Step, score float64, at time.Time, hits map[string]string) {
	t.Helper()
	a := &screening.Assessment{Orgnr: org, Name: name, At: at, Step: step, Score: score, Verdict: screening.Review,
		Ruleset: f.sc.Rules().Version(), Missing: []screening.Missing{}, NotChecked: []string{},
		Records: []profile.Ref{{Source: "bolagsverket", Key: org, Version: 1, Observed: at}}}
	for id, sev := range hits {
		a.Hits = append(a.Hits, screening.Hit{ID: id, Severity: sev, Category: id[:1], Confidence: 1,
			Message: rules.Text{SV: id, EN: id}})
	}
	if err := f.sc.Save(a); err != nil {
		t.Fatal(err)
	}
}

var (
	numCell   = regexp.MustCompile(`<td[^>]* class="num">([^<]*(?:<strong[^>]*>[^<]*</strong>[^<]*)?)</td>`)
	zeroScore = regexp.MustCompile(`(?i)(poäng|score)\s*0\b|\b0\s*(poäng|points)`)
)

// The done-when of issue 15's first item: a supplier at L3 with only a
// critical hit never shows a score of 0: not in the queue, on the alert
// page (summary and history), on the supplier page (latest assessment,
// history table, alerts, chart), in either language. The queue puts it
// above an L2 alert with a high score.
func TestUICriticalNeverScoreZero(t *testing.T) {
	f := newFixture(t)
	at := instant(t, "2026-11-21")
	saveAssessment(t, f, criticalOrg, "Kritiska Bolaget AB", ladder.L3, 0, at, map[string]string{"S06": rules.Critical})
	saveAssessment(t, f, highOrg, "Höga Poäng AB", ladder.L2, 70, at, map[string]string{"C04": rules.High, "C02": rules.Medium, "P01": rules.High})
	anna := f.as("anna")
	alert := criticalOrg + "-1"

	row := func(t *testing.T, page, id string) string {
		t.Helper()
		m := regexp.MustCompile(`(?s)<tr[^>]*>\s*(?:<td[^>]*><input[^>]*></td>\s*)?<th[^>]* scope="row"><a href="/alerts/` + id + `">.*?</tr>`).FindString(page)
		if m == "" {
			t.Fatalf("no queue row for %s", id)
		}
		return m
	}
	for _, tc := range []struct {
		lang, word, text string
	}{{"sv", "Kritisk", "kritisk träff"}, {"en", "Critical", "critical hit"}} {
		t.Run(tc.lang, func(t *testing.T) {
			q := f.page(anna, "/?lang="+tc.lang)
			r := row(t, q, alert)
			cells := numCell.FindAllStringSubmatch(r, -1)
			if len(cells) != 1 || !strings.Contains(cells[0][1], tc.word) || strings.Contains(cells[0][1], "+") {
				t.Errorf("queue score cell %q, want %s alone", cells, tc.word)
			}
			if hi := strings.Index(q, `href="/alerts/`+highOrg+`-1"`); hi < 0 || hi < strings.Index(q, `href="/alerts/`+alert+`"`) {
				t.Errorf("the L2 alert (score 70) is not below the L3 one (score 0)")
			}
			if r := row(t, q, sampleAlert); !strings.Contains(r, tc.word+"</strong> +\u00a0100\u00a0") {
				t.Errorf("a critical alert with points shows neither: %s", r)
			}

			pages := map[string]string{
				"alert":    f.page(anna, "/alerts/"+alert+"?lang="+tc.lang),
				"supplier": f.page(anna, "/suppliers/"+criticalOrg+"?lang="+tc.lang),
			}
			if !regexp.MustCompile(`<dd><strong class="score-critical"[^>]*>` + tc.word + `</strong></dd>`).MatchString(pages["alert"]) {
				t.Error("the alert's summary does not say " + tc.word)
			}
			sup := pages["supplier"]
			for _, want := range []string{
				"L3", ", " + tc.text + " (", // the latest assessment
				`<path class="point critical"`, ">" + tc.word + "</text>", // the chart's band and diamond
				"2026-11-21: " + tc.text + " (L3)", // the diamond's title
			} {
				if !strings.Contains(sup, want) {
					t.Errorf("supplier page lacks %q", want)
				}
			}
			if strings.Contains(sup, `<circle class="point"`) {
				t.Error("the critical assessment is drawn as an ordinary point")
			}
			for name, page := range map[string]string{"queue row": r, "alert": pages["alert"], "supplier": sup} {
				if m := zeroScore.FindString(page); m != "" {
					t.Errorf("%s shows a score of 0: %q", name, m)
				}
				for _, c := range numCell.FindAllStringSubmatch(page, -1) {
					if strings.TrimSpace(c[1]) == "0" {
						t.Errorf("%s has a cell 0: %q", name, c[0])
					}
				}
			}
			// Every score cell of the alert's history and of the supplier's
			// tables says it.
			for name, page := range pages {
				if n := strings.Count(page, `class="score-critical"`); n < 2 {
					t.Errorf("%s: %d critical score cells, want the summary and history at least", name, n)
				}
			}
		})
	}
}

// The rule set is named in words, with the stored name as the tooltip;
// a set that no longer runs is an earlier version.
func TestUIRulesetLabel(t *testing.T) {
	f := newFixture(t)
	v := &view{Lang: "sv", s: f.srv}
	cur := f.sc.Rules().Version()
	if got := v.RulesetText(cur); got != "Vaksams standardregler, version 2 (gällande)" {
		t.Errorf("current: %q", got)
	}
	if got := v.RulesetText("default@0123456789ab"); got != "Vaksams standardregler, tidigare version" {
		t.Errorf("earlier: %q", got)
	}
	if got := v.RulesetText("egna@0123456789ab"); got != "egna, tidigare version" {
		t.Errorf("another pack: %q", got)
	}
	if got := (&view{Lang: "en"}).RulesetText(cur); got != "Vaksam's default rules" {
		t.Errorf("without a running set: %q", got)
	}
	html := string(v.Ruleset(cur))
	if !strings.Contains(html, `title="`+cur+`"`) || !strings.Contains(html, "kontrollsumma "+strings.TrimPrefix(cur, "default@")) {
		t.Errorf("ruleset markup %s", html)
	}
	page := f.page(f.as("anna"), "/alerts/"+sampleAlert)
	if !strings.Contains(page, "Vaksams standardregler, version 2 (gällande)") || strings.Contains(page, `class="key">`+cur) {
		t.Error("the alert page does not name the rule set in words")
	}
}

// The screening's reasons for missing data (stored in English) read in
// Swedish on a Swedish page; what has no pattern shows as stored.
func TestUIMissingReason(t *testing.T) {
	for _, tc := range []struct{ en, sv string }{
		{"no record for this organisation", "ingen uppgift om organisationen"},
		{"organisation not found in the register (ORGANISATION_FINNS_EJ)", "organisationen finns inte i registret (ORGANISATION_FINNS_EJ)"},
		{"stale: last observed 2026-10-01 08:00, window 35 days", "inaktuell: senast hämtad 2026-10-01 08:00, får vara högst 35 dagar gammal"},
		{"older than the requested max age 24h0m0s: last observed 2026-10-01 08:00", "äldre än den begärda högsta åldern 24h0m0s: senast hämtad 2026-10-01 08:00"},
		{"source error: timeout", "fel hos källan: timeout"},
		{"2 of 3 current representatives never looked up in the trading-ban register", "2 av 3 nuvarande företrädare har aldrig slagits upp i näringsförbudsregistret"},
		{"unknown tax.fskatt: Fskattstatus: not ordered from SCB (*); unknown sni: SCB: ORGANISATION_FINNS_EJ (naringsgrenOrganisation)",
			"okänd uppgift (tax.fskatt): Fskattstatus: inte beställd från SCB (*); okänd uppgift (sni): SCB: ORGANISATION_FINNS_EJ (naringsgrenOrganisation)"},
		{"Bransch_1: not delivered by SCB (no such column)", "Bransch_1: levereras inte av SCB (kolumnen saknas)"},
		{"something new", "something new"},
	} {
		if got := missingReason("sv", tc.en); got != tc.sv {
			t.Errorf("%q:\n got %q\nwant %q", tc.en, got, tc.sv)
		}
		if got := missingReason("en", tc.en); got != tc.en {
			t.Errorf("en %q: %q", tc.en, got)
		}
	}
}

// A format whose first count is 1 takes its singular form.
func TestUIPlural(t *testing.T) {
	for _, tc := range []struct {
		lang string
		n    int
		want string
	}{
		{"sv", 1, "1 organisation är registrerad på Storgatan 1."},
		{"sv", 12, "12 organisationer är registrerade på Storgatan 1."},
		{"en", 1, "1 organisation is registered at Storgatan 1."},
		{"en", 0, "0 organisations are registered at Storgatan 1."},
	} {
		if got := uiT(tc.lang, "net.coloaddr", tc.n, "Storgatan 1"); got != tc.want {
			t.Errorf("%s %d: %q, want %q", tc.lang, tc.n, got, tc.want)
		}
	}
	for k := range uiText {
		if base, ok := strings.CutSuffix(k, ".one"); ok {
			if _, ok := uiText[base]; !ok {
				t.Errorf("%s: the singular of no format", k)
			}
			if strings.Count(uiText[k].sv, "%") != strings.Count(uiText[base].sv, "%") {
				t.Errorf("%s takes other arguments than %s", k, base)
			}
		}
	}
}
