package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/service"
	"github.com/vaksam/vaksam/engine/settings"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/rules"
)

// A store that ran for a simulated month (two follow-up screenings a day,
// fresh data every week, a decision) shrinks with gc, and afterwards every
// stored assessment still verifies and the decision's basis is still there.
func TestGCAfterAMonth(t *testing.T) {
	data := sampleData(t)
	cfg, err := settings.Load("")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 21, 1, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 0, 30)
	a := &app{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, log: discardLogger(), now: func() time.Time { return end }}
	sc, desk, _, err := openScreenerDesk(a, cfg, data)
	if err != nil {
		t.Fatal(err)
	}
	var decision *review.Decision
	for day := 0; day < 30; day++ {
		if day%7 == 6 {
			sc.Store.Close()
			observed := start.AddDate(0, 0, day).Format(time.RFC3339)
			if code, out, errOut := run(t, "ingest", "--data", data, "--source", "kronofogden", "--observed", observed, filepath.Join(samples, "kronofogden.jsonl")); code != exitOK {
				t.Fatalf("ingest: exit %d\n%s%s", code, out, errOut)
			}
			if sc, desk, _, err = openScreenerDesk(a, cfg, data); err != nil {
				t.Fatal(err)
			}
		}
		for _, h := range []int{0, 12} {
			at := start.AddDate(0, 0, day).Add(time.Duration(h) * time.Hour)
			if _, err := sc.ScreenAll(context.Background(), screening.Options{At: at, Save: true}, 2, func(*screening.Assessment) error { return nil }); err != nil {
				t.Fatal(err)
			}
		}
		if day == 2 {
			al, err := desk.OpenAlert(sampleOrg)
			if err != nil || al == nil {
				t.Fatalf("open alert: %v %v", al, err)
			}
			_, raw, err := sc.Store.LatestAssessment(sampleOrg)
			if err != nil {
				t.Fatal(err)
			}
			var x screening.Assessment
			if err := json.Unmarshal(raw, &x); err != nil {
				t.Fatal(err)
			}
			decision, err = desk.Decide(review.DecisionRequest{AlertID: al.ID, Kind: review.Avropsstopp, DecidedBy: "anna",
				Justification: "Skulder hos Kronofogden", Ground: review.GroundLOU132,
				Evidence: review.Evidence{AssessmentAt: x.At, Ruleset: x.Ruleset, Records: x.Records}}, x.At.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	subjects, err := sc.Store.AssessedSubjects()
	if err != nil || len(subjects) == 0 {
		t.Fatalf("assessed: %v %v", subjects, err)
	}
	before := map[string]int{}
	for _, s := range subjects {
		stored, err := sc.Assessments(s)
		if err != nil {
			t.Fatal(err)
		}
		before[s] = len(stored)
	}
	sc.Store.Close()

	code, out, errOut := runAt(t, connectors.NewManualClock(end), "gc", "--data", data, "--dry-run")
	if code != exitOK || !strings.Contains(out, "would remove") {
		t.Fatalf("gc --dry-run: exit %d\n%s%s", code, out, errOut)
	}
	cfgFile := filepath.Join(t.TempDir(), "vaksam.yaml")
	if err := os.WriteFile(cfgFile, []byte("retention:\n  confirmation_days: 7\n  assessment_days: 14\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runAt(t, connectors.NewManualClock(end), "gc", "--data", data, "--config", cfgFile)
	if code != exitOK {
		t.Fatalf("gc: exit %d\n%s%s", code, out, errOut)
	}
	t.Log(strings.TrimSpace(out))
	g := parseGC(t, out)
	// The live data (keys and values the store holds, counted by
	// iterating) shrinks by at least what Prune removed; the disk, once
	// compacted, shrinks too.
	if g.pruned <= 0 || g.live[0]-g.live[1] < g.pruned {
		t.Errorf("gc pruned %d bytes but the live data went %d → %d", g.pruned, g.live[0], g.live[1])
	}
	if !(g.disk[1] < g.disk[0]) {
		t.Errorf("gc did not shrink the store on disk: %q", out)
	}

	// Every assessment left verifies; fewer are left.
	args := append([]string{"assessments", "--data", data, "--verify"}, subjects...)
	code, out, errOut = runAt(t, connectors.NewManualClock(end), args...)
	if code != exitOK || strings.Contains(out, "DIFFERS") || !strings.Contains(out, "verified") {
		t.Fatalf("assessments --verify after gc: exit %d\n%s%s", code, out, errOut)
	}
	sc, desk, _, err = openScreenerDesk(a, cfg, data)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Store.Close()
	if live, err := sc.Store.LiveSize(context.Background()); err != nil || live != g.live[1] {
		t.Errorf("live data after gc: %d (%v), gc said %d", live, err, g.live[1])
	}
	fewer := false
	for _, s := range subjects {
		stored, err := sc.Assessments(s)
		if err != nil || len(stored) == 0 {
			t.Fatalf("%s after gc: %d assessments, %v", s, len(stored), err)
		}
		fewer = fewer || len(stored) < before[s]
	}
	if !fewer {
		t.Errorf("gc removed no assessment: %v", before)
	}
	// The decision's basis: the assessment it rested on, found as the
	// decision page finds it.
	found := false
	if err := sc.Store.Assessments(decision.Orgnr, func(at time.Time, raw []byte) error {
		var x screening.Assessment
		if err := json.Unmarshal(raw, &x); err != nil {
			return err
		}
		found = found || at.Equal(decision.Evidence.AssessmentAt) && x.At.Equal(decision.Evidence.AssessmentAt)
		return nil
	}); err != nil || !found {
		t.Errorf("the decision's basis at %s is gone after gc (%v)", decision.Evidence.AssessmentAt, err)
	}
	if d, err := desk.Decision(decision.ID); err != nil || d.Evidence.AssessmentAt != decision.Evidence.AssessmentAt {
		t.Errorf("decision after gc: %+v %v", d, err)
	}
}

// openScreenerDesk opens data's store with the screener and its desk, as
// the commands do.
func openScreenerDesk(a *app, cfg *settings.Config, data string) (*screening.Screener, *review.Desk, *rules.Set, error) {
	return service.OpenScreener(cfg, "", func() (*store.Store, error) {
		return openLoggedStore(cfg.DataDirOr(data), dataDirFrom(data, cfg.DataDir), a.log)
	}, a.log)
}

// gcReport is what gc printed: the bytes pruned, the live data and the
// size on disk (MB) before and after.
type gcReport struct {
	pruned int64
	live   [2]int64
	disk   [2]float64
}

// parseGC reads gc's report line.
func parseGC(t *testing.T, out string) gcReport {
	t.Helper()
	var g gcReport
	i := strings.Index(out, "MB, ")
	if i < 0 {
		t.Fatalf("gc's report: %q", out)
	}
	if _, err := fmt.Sscanf(out[i:], "MB, %d bytes); live data %d → %d bytes; store %f MB → %f MB",
		&g.pruned, &g.live[0], &g.live[1], &g.disk[0], &g.disk[1]); err != nil {
		t.Fatalf("gc's report %q: %v", out, err)
	}
	return g
}
