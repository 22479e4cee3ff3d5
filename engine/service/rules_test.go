package service_test

import (
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/service"
)

// The first start records the rule set and thresholds; a start or reload
// with the same ones records nothing; changed thresholds are recorded
// with the ones they replace.
func TestAuditRulesRecordsChanges(t *testing.T) {
	scr, _, st, _ := setup(t)
	sc := scr.Screener
	at := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	log := &audit.Log{Store: st}
	entries := func() []audit.Entry {
		t.Helper()
		es, err := log.Entries(1, 100)
		if err != nil {
			t.Fatal(err)
		}
		return es
	}
	for range 2 {
		if err := service.AuditRules(sc, at); err != nil {
			t.Fatal(err)
		}
	}
	es := entries()
	if len(es) != 1 || es[0].Action != audit.RulesReload || es[0].Object != sc.Rules().Version() || es[0].Detail["from"] != "" {
		t.Fatalf("after two starts: %+v, want one rules.reload to %s", es, sc.Rules().Version())
	}
	first := es[0].Detail["thresholds"]
	cfg := sc.Settings()
	cfg.Scoring.CategoryCap++
	sc.SetConfig(cfg)
	if err := service.AuditRules(sc, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	es = entries()
	if len(es) != 2 || es[1].Detail["from_thresholds"] != first || es[1].Detail["thresholds"] == first {
		t.Fatalf("after new thresholds: %+v", es)
	}
}
