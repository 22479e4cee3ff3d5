package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
)

// vaksam report on a store of one city-wide contract, one of the
// committee's own, and invoices on them and without: the JSON, the CSV
// and the PDF are written, named for the configured municipality, and
// the loyalty is what the invoices make it.
func TestReportCommand(t *testing.T) {
	data := t.TempDir()
	st, err := createStore(data)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC)
	d := func(m, day int) time.Time { return time.Date(2026, time.Month(m), day, 0, 0, 0, 0, time.UTC) }
	org := "5560000001"
	var obs []store.Observation
	for _, c := range []record.Contract{
		{ID: "STAD-1", Orgnr: org, Category: "tolk", Owner: "stad", Start: d(1, 1), End: d(12, 31), EstimatedSEK: 500000},
		{ID: "MAL-1", Orgnr: org, Category: "tolk", Owner: "egen", Start: d(1, 1), End: d(12, 31), EstimatedSEK: 300000},
	} {
		obs = append(obs, store.Observation{Observed: at, Item: record.Item{Source: record.Contracts, Subject: org, Key: c.ID, Raw: []byte(c.ID), Parsed: c}})
	}
	for _, i := range []record.Invoice{
		{ID: "F1", Orgnr: org, Date: d(3, 1), AmountSEK: 60000, ContractID: "STAD-1", Category: "tolk"},
		{ID: "F2", Orgnr: org, Date: d(4, 1), AmountSEK: 30000, ContractID: "MAL-1", Category: "tolk"},
		{ID: "F3", Orgnr: org, Date: d(5, 1), AmountSEK: 10000, Category: "tolk"},
		{ID: "F4", Orgnr: org, Date: d(1, 15), AmountSEK: 99999, Category: "tolk"}, // before the period
	} {
		obs = append(obs, store.Observation{Observed: at, Item: record.Item{Source: record.Invoices, Subject: org, Key: i.ID, Raw: []byte(i.ID), Parsed: i}})
	}
	if _, err := st.Put(obs); err != nil {
		t.Fatal(err)
	}
	st.Close()
	cfg := filepath.Join(t.TempDir(), "vaksam.yaml")
	if err := os.WriteFile(cfg, []byte("municipality:\n  name: Testby kommun\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	period := []string{"report", "--data", data, "--config", cfg, "--from", "2026-02-01", "--to", "2026-11-30"}

	code, out, errOut := run(t, period...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r struct {
		Kommun string         `json:"kommun"`
		Total  map[string]any `json:"inkop_totalt"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if r.Kommun != "Testby kommun" || r.Total["ko_avtal_sek"] != 60000.0 || r.Total["annat_avtal_sek"] != 30000.0 ||
		r.Total["utan_avtal_sek"] != 10000.0 || r.Total["avtalstrohet"] != 0.9 {
		t.Errorf("report: %s", out)
	}

	// A past period: the invoices of March, which arrived in November,
	// count as they are known when the report is made.
	code, out, errOut = run(t, "report", "--data", data, "--config", cfg, "--from", "2026-03-01", "--to", "2026-03-31")
	if err := json.Unmarshal([]byte(out), &r); code != exitOK || err != nil || r.Total["ko_avtal_sek"] != 60000.0 || r.Total["totalt_sek"] != 60000.0 {
		t.Errorf("March: exit %d, %v: %s%s", code, err, out, errOut)
	}

	dir := t.TempDir()
	for _, f := range []struct{ name, starts string }{{"r.pdf", "%PDF-"}, {"r.csv", "\uFEFFavsnitt;"}, {"r.json", "{"}} {
		p := filepath.Join(dir, f.name)
		if code, _, errOut := run(t, append(period, "--out", p)...); code != exitOK {
			t.Fatalf("%s: exit %d: %s", f.name, code, errOut)
		}
		b, err := os.ReadFile(p)
		if err != nil || !strings.HasPrefix(string(b), f.starts) {
			t.Errorf("%s: %v, starts %q", f.name, err, string(b[:min(len(b), 10)]))
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "r.csv")); !strings.Contains(string(b), "inkop_totalt;;;avtalstrohet_procent;90,0\r\n") {
		t.Errorf("CSV: %s", b)
	}

	for _, args := range [][]string{
		{"report", "--data", data, "--to", "2026-11-30"},
		{"report", "--data", data, "--from", "2026-12-01", "--to", "2026-11-30"},
		{"report", "--data", data, "--from", "2026-01-01", "--to", "2026-11-30", "--format", "xml"},
		{"report", "--data", data, "--from", "1 januari", "--to", "2026-11-30"},
	} {
		if code, _, errOut := run(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d: %s", args, code, exitUsage, errOut)
		}
	}
	if code, _, _ := run(t, "report", "--data", filepath.Join(data, "nope"), "--from", "2026-01-01", "--to", "2026-11-30"); code == exitOK {
		t.Error("a data directory that does not exist: exit 0")
	}
}
