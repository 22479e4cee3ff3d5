package web

import (
	"context"
	"html"
	"io/fs"
	"net/http"
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/backtest"
	"github.com/vaksam/vaksam/rules"
	defaultpack "github.com/vaksam/vaksam/rules/default"
)

// candidateYAML is the built-in supplier pack with S11's threshold
// lowered (any change of address fires).
func candidateYAML(t *testing.T) string {
	t.Helper()
	b, err := fs.ReadFile(defaultpack.FS(), "supplier.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out := strings.Replace(string(b), "address_change_max: 2 ", "address_change_max: 0 ", 1)
	if out == string(b) {
		t.Fatal("supplier.yaml has no address_change_max: 2")
	}
	return out
}

// The page Regeltest: an admin's, not a coordinator's or a viewer's; a
// pasted candidate is backtested and its report shown (the organisations
// engine/backtest reports, audited); an uploaded broken one shows its
// errors with file:line:col; the dates are bounded; CSRF is required.
func TestUIBacktest(t *testing.T) {
	f := newFixture(t)
	dora := f.as("dora")
	page := f.page(dora, BacktestPath)
	wantContains(t, "form", page, `<a href="/admin/regeltest" aria-current="page">Regeltest</a>`, `<h1>Regeltest</h1>`, `enctype="multipart/form-data"`, `name="pack"`, `type="file"`)
	wantContains(t, "in English", f.page(dora, BacktestPath+"?lang=en"), `<h1>Rule backtest</h1>`, "Run backtest")
	for _, u := range []string{"anna", "bo", "cecilia"} {
		wantNot(t, u+"'s menu", f.page(f.as(u), "/suppliers"), "/admin/regeltest")
		if rec := f.get(f.as(u), BacktestPath); rec.Code != http.StatusForbidden {
			t.Errorf("GET as %s: %d, want 403", u, rec.Code)
		}
		if rec := f.upload(f.as(u), BacktestPath, true, part{name: "pack", value: "x"}); rec.Code != http.StatusForbidden {
			t.Errorf("POST as %s: %d, want 403", u, rec.Code)
		}
	}
	if rec := f.upload(dora, BacktestPath, false, part{name: "pack", value: candidateYAML(t)}); rec.Code != http.StatusForbidden {
		t.Errorf("POST without the CSRF token: %d, want 403", rec.Code)
	}
	for _, e := range f.trail() { // the logins
		if e.Action == AuditBacktest {
			t.Errorf("a refused request is on the trail: %+v", e)
		}
	}

	// What engine/backtest reports for the same candidate, as of the day.
	cand, err := rules.Load(map[string][]byte{"kandidat.yaml": []byte(candidateYAML(t))}, rules.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	dates, err := backtest.ParseRange("", "2026-11-21", "7d", f.clk.Now(), BacktestMaxDates)
	if err != nil {
		t.Fatal(err)
	}
	want, err := backtest.Run(context.Background(), backtest.Params{Store: f.st, Running: f.sc.Rules(), Candidate: cand,
		Config: f.sc.Settings(), Dates: dates})
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Dates) != 1 || len(want.Dates[0].Indicators) == 0 {
		t.Fatalf("the candidate changes nothing on the samples: %+v", want.Dates)
	}
	rec := f.upload(dora, BacktestPath, true, part{name: "pack", value: candidateYAML(t)}, part{name: "to", value: "2026-11-21"},
		part{name: "every", value: "7"})
	if rec.Code != http.StatusOK {
		t.Fatalf("backtest: %d %s", rec.Code, rec.Body)
	}
	checkHTML(t, "backtest", rec)
	body := rec.Body.String()
	for _, p := range cardProblems(body) {
		t.Error(p)
	}
	wantContains(t, "report", body, "Resultat", html.EscapeString(want.Candidate), "Per 2026-11-21")
	for _, c := range want.Dates[0].Indicators {
		wantContains(t, "indicator "+c.ID, body, `<span class="key">`+c.ID+`</span>`)
		for _, o := range append(c.Newly, c.Stopped...) {
			wantContains(t, c.ID+" "+o.Orgnr, body, html.EscapeString(o.Name))
		}
	}
	es := f.wantTrail(AuditBacktest + " dora rules")
	if d := es[0].Detail; d["candidate"] != want.Candidate || d["dates"] != "1" {
		t.Errorf("audit detail %v", d)
	}

	broken := "pack: prov\nversion: 1\nrules:\n  - id: X01\n    title: {sv: a, en: b}\n    colour: red\n"
	rec = f.upload(dora, BacktestPath, true, part{name: "file", file: "prov.yaml", data: []byte(broken)})
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("broken candidate: %d, want 400", rec.Code)
	}
	checkHTML(t, "broken", rec)
	wantContains(t, "broken", rec.Body.String(), "prov.yaml:6:5", `role="alert"`)

	rec = f.upload(dora, BacktestPath, true, part{name: "pack", value: candidateYAML(t)}, part{name: "from", value: "2026-01-01"},
		part{name: "to", value: "2026-11-21"}, part{name: "every", value: "7"})
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "more than 26") {
		t.Errorf("47 dates: %d, want 400 naming the bound", rec.Code)
	}
	rec = f.upload(dora, BacktestPath, true, part{name: "from", value: "igår"})
	wantContains(t, "empty", rec.Body.String(), "Klistra in ett regelpaket", "Felaktigt: time")
	f.wantTrail()
}
