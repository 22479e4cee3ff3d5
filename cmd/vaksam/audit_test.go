package main

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
)

// reviewActivity gives a data directory an alert, its assignment and a
// halt: three audit entries.
func reviewActivity(t *testing.T, data string) (alertID, decisionID string) {
	t.Helper()
	st, err := createStore(data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	desk := &review.Desk{Store: st}
	sc, err := screening.NewScreener(st, nil, screening.Config{}, desk.OnSave)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	ref := profile.Ref{Source: "kronofogden", Key: sampleOrg, Version: 1, Observed: at.Add(-time.Hour)}
	if err := sc.Save(&screening.Assessment{Orgnr: sampleOrg, Name: "Omsorgshuset Norr AB", At: at, Step: screening.L3, Score: 40,
		Verdict: screening.Review, Ruleset: "default@test", Missing: []screening.Missing{}, NotChecked: []string{},
		Hits:    []screening.Hit{{ID: "S04", Severity: "high", Category: "S", Confidence: 1, Evidence: []profile.Ref{ref}}},
		Records: []profile.Ref{ref}}); err != nil {
		t.Fatal(err)
	}
	al, err := desk.OpenAlert(sampleOrg)
	if err != nil || al == nil {
		t.Fatalf("alert %v %v", al, err)
	}
	if _, err := desk.Assign(al.ID, "anna", "anna", at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	dec, err := desk.Decide(review.DecisionRequest{AlertID: al.ID, Kind: review.Avropsstopp, DecidedBy: "anna",
		Justification: "Skulder hos Kronofogden", Ground: review.GroundLOU132,
		Evidence: review.Evidence{AssessmentAt: at, Ruleset: "default@test", Records: []profile.Ref{ref}}}, at.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return al.ID, dec.ID
}

// rewrite changes the stored JSON of an audit entry behind the store's
// back, as someone with the data directory could.
func rewrite(t *testing.T, data string, seq uint64, change func(e map[string]any)) {
	t.Helper()
	st, err := createStore(data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	key := []byte("d\x00audit\x00" + audit.ID(seq))
	err = st.DB().Update(func(txn *badger.Txn) error {
		item, err := txn.Get(key)
		if err != nil {
			return err
		}
		var e map[string]any
		if err := item.Value(func(b []byte) error { return json.Unmarshal(b, &e) }); err != nil {
			return err
		}
		if change == nil {
			return txn.Delete(key)
		}
		change(e)
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		return txn.Set(key, b)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAuditCommand(t *testing.T) {
	data := t.TempDir()
	alertID, decisionID := reviewActivity(t, data)

	code, out, errOut := run(t, "audit", "verify", "--data", data)
	if code != exitOK || !regexp.MustCompile(`^audit trail: 3 entries, head [0-9a-f]{64}: intact\n$`).MatchString(out) {
		t.Fatalf("verify intact: exit %d\n%s%s", code, out, errOut)
	}
	head := strings.TrimSuffix(strings.Fields(out)[5], ":")

	code, out, errOut = run(t, "audit", "list", "--data", data)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != exitOK || len(lines) != 3 {
		t.Fatalf("list: exit %d\n%s%s", code, out, errOut)
	}
	for i, want := range []string{
		"     1  2026-11-20 11:00:00  vaksam       alert.open        " + alertID + "  hits_added=S04 revision=1 score=40 state=ny step=L3  ",
		"     2  2026-11-20 12:00:00  anna         alert.assign      " + alertID + "  assignee=anna revision=2 score=40 state=utreds step=L3  ",
		"     3  2026-11-20 13:00:00  anna         decision.create   " + decisionID + "  alert_revision=3 alert_state=beslutad ground=\"LOU 13:2\" kind=avropsstopp status=bekraftad  " + head[:12],
	} {
		if !strings.HasPrefix(lines[i], want) {
			t.Errorf("line %d\n%q\nwant\n%q", i+1, lines[i], want)
		}
	}
	code, out, _ = run(t, "audit", "list", "--data", data, "--from", "2", "--limit", "1", "--json")
	var e audit.Entry
	if err := json.Unmarshal([]byte(out), &e); code != exitOK || err != nil || e.Seq != 2 || e.Actor != "anna" ||
		e.Action != audit.AlertAssign || e.Object != alertID || e.Hash != audit.HashOf(e) || strings.Count(out, "\n") != 1 {
		t.Fatalf("list --json: exit %d %v\n%s", code, err, out)
	}

	// An altered actor is named by its sequence number.
	rewrite(t, data, 2, func(e map[string]any) { e["actor"] = "bertil" })
	code, out, errOut = run(t, "audit", "verify", "--data", data)
	if code != exitFailure || !strings.Contains(out, "audit trail: 3 entries, head "+head+": 1 problem(s)") ||
		!strings.Contains(out, "\n  seq 2: content does not match its hash (altered)") || !strings.Contains(errOut, "not intact") {
		t.Fatalf("verify altered: exit %d\n%s%s", code, out, errOut)
	}
	// Every problem is listed: the last entry removed as well.
	rewrite(t, data, 3, nil)
	code, out, _ = run(t, "audit", "verify", "--data", data)
	if code != exitFailure || !strings.Contains(out, "2 problem(s)") || !strings.Contains(out, "seq 2: content does not match") ||
		!strings.Contains(out, "seq 3: missing (removed)") {
		t.Fatalf("verify removed: exit %d\n%s", code, out)
	}
}

func TestAuditCommandMistakes(t *testing.T) {
	for _, args := range [][]string{{"audit", "--help"}, {"audit", "verify", "--help"}, {"audit", "list", "--help"}} {
		if code, out, _ := run(t, args...); code != exitOK || !strings.Contains(out, "Usage: vaksam audit") {
			t.Errorf("%v: exit %d\n%s", args, code, out)
		}
	}
	empty := t.TempDir()
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"audit"}, exitUsage, "want 'audit verify' or 'audit list'"},
		{[]string{"audit", "frob"}, exitUsage, "want 'audit verify' or 'audit list'"},
		{[]string{"audit", "verify"}, exitUsage, "--data DIR is required"},
		{[]string{"audit", "list", "--data", empty, "--limit", "-1"}, exitUsage, "--limit"},
		{[]string{"audit", "verify", "--data", empty, "extra"}, exitUsage, "unexpected argument"},
		{[]string{"audit", "verify", "--data", filepath.Join(empty, "nope")}, exitFailure, "--data " + filepath.Join(empty, "nope") + ": no such directory"},
		{[]string{"audit", "verify", "--data", empty}, exitFailure, "no store in " + empty},
	} {
		if code, _, errOut := run(t, tc.args...); code != tc.code || !strings.Contains(errOut, tc.stderr) {
			t.Errorf("%v: exit %d (want %d)\n%s", tc.args, code, tc.code, errOut)
		}
	}
	// An empty store has an empty, intact trail.
	st, err := createStore(empty)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if code, out, _ := run(t, "audit", "verify", "--data", empty); code != exitOK || !strings.Contains(out, "0 entries, head "+audit.Genesis+": intact") {
		t.Errorf("empty: exit %d\n%s", code, out)
	}
	if code, out, _ := run(t, "audit", "list", "--data", empty); code != exitOK || out != "" {
		t.Errorf("list empty: exit %d\n%s", code, out)
	}
}
