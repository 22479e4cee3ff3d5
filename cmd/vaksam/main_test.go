package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

const samples = "../../connectors/formats/testdata"

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	a := &app{stdout: &out, stderr: &errOut, log: discardLogger(),
		now: func() time.Time { return time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC) }}
	code = a.main(context.Background(), args)
	return code, out.String(), errOut.String()
}

func TestHelpOnEveryCommand(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"ingest", "--help"}, {"screen", "--help"}, {"assessments", "--help"}, {"sources", "--help"}, {"rules", "--help"}, {"rules", "check", "--help"}, {"rules", "test", "--help"}, {"rules", "diff", "--help"}, {"demo", "--help"}} {
		code, out, _ := run(t, args...)
		if code != exitOK || !strings.Contains(out, "Usage: vaksam") {
			t.Errorf("%v: exit %d, output %q", args, code, out)
		}
	}
	if code, _, errOut := run(t, "frobnicate"); code != exitUsage || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: exit %d, %q", code, errOut)
	}
}

func TestIngestExitCodes(t *testing.T) {
	data := t.TempDir()
	bad := filepath.Join(t.TempDir(), "roles.jsonl")
	os.WriteFile(bad, []byte(`{"orgnr":"5591234561","person_id":"197505121231","namn":"Erik Lind","roll":"ordforande","fran":"2019-04-02","till":null}
{"orgnr":"5591234561","person_id":"197505121232","namn":"Fel Siffra","roll":"ordforande","fran":"2019-04-02","till":null}
`), 0o644)
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"all accepted", []string{"ingest", "--data", data, "--source", "kronofogden", "--observed", "2026-11-20", samples + "/kronofogden.jsonl"}, exitOK, "1 new, 0 unchanged", ""},
		{"again: unchanged", []string{"ingest", "--data", data, "--source", "kronofogden", "--observed", "2026-11-20", samples + "/kronofogden.jsonl"}, exitOK, "0 new, 1 unchanged", ""},
		{"some quarantined", []string{"ingest", "--data", data, "--source", "roles", "--observed", "2026-11-20", bad}, exitQuarantined, "1 new, 0 unchanged, 0 source errors, 1 quarantined", "roles.jsonl:2"},
		{"missing file", []string{"ingest", "--data", data, "--source", "roles", filepath.Join(data, "nope.jsonl")}, exitFailure, "", "no such file"},
		{"unknown source", []string{"ingest", "--data", data, "--source", "nope", bad}, exitUsage, "", `unknown source "nope"`},
		{"bad time", []string{"ingest", "--data", data, "--source", "roles", "--observed", "yesterday", bad}, exitUsage, "", "--observed"},
		{"dokument needs orgnr", []string{"ingest", "--data", data, "--source", "bolagsverket-dokument", samples + "/bolagsverket-dokumentlista.json"}, exitUsage, "", "--orgnr is required"},
		{"bad orgnr", []string{"ingest", "--data", data, "--source", "bolagsverket-dokument", "--orgnr", "559123-4562", samples + "/bolagsverket-dokumentlista.json"}, exitUsage, "", "Luhn"},
		{"no data dir", []string{"ingest", "--source", "roles", bad}, exitUsage, "", "--data DIR is required"},
	}
	for _, tc := range tests {
		code, out, errOut := run(t, tc.args...)
		if code != tc.code || !strings.Contains(out, tc.stdout) || !strings.Contains(errOut, tc.stderr) {
			t.Errorf("%s: exit %d (want %d)\nstdout %q (want %q)\nstderr %q (want %q)", tc.name, code, tc.code, out, tc.stdout, errOut, tc.stderr)
		}
	}
}

// The screening core's acceptance: every sample ingested as of 2026-11-20
// quarantines nothing, and the sample supplier screened the next day
// reports exactly these hits, block, L3.
func TestSamplesThroughTheCommand(t *testing.T) {
	data := sampleData(t)
	code, out, errOut := run(t, "screen", "--data", data, "--at", "2026-11-21", "--json", "5591234561")
	if code != exitOK {
		t.Fatalf("screen: exit %d: %s", code, errOut)
	}
	var a struct {
		Orgnr, Name, Step, Verdict, Ruleset string
		At                                  time.Time
		Score                               float64
		Incomplete                          bool
		Missing                             []struct{ ID, Source, Reason string }
		NotChecked                          []string `json:"not_checked"`
		Hits                                []struct {
			ID, Severity, Category string
			Message                struct{ SV, EN string }
			Evidence               []struct {
				Source, Key string
				Version     int
				Observed    time.Time
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var ids []string
	for _, h := range a.Hits {
		ids = append(ids, h.ID)
		if h.Message.SV == "" || h.Message.EN == "" || len(h.Evidence) == 0 || h.Evidence[0].Version < 1 {
			t.Errorf("hit %s incomplete: %+v", h.ID, h)
		}
	}
	sort.Strings(ids)
	if got := strings.Join(ids, " "); got != "C03 C04 S04 S05 S06 S15 S17 S20" {
		t.Errorf("hits %s", got)
	}
	if a.Verdict != "block" || a.Step != "L3" || a.Orgnr != "5591234561" || a.Incomplete || a.NotChecked == nil || a.Missing == nil {
		t.Errorf("assessment %+v", a)
	}
	// The stored assessment is shown again, and screening again as of its
	// time, after later data arrived, gives the same result.
	later := filepath.Join(t.TempDir(), "kfm.jsonl")
	os.WriteFile(later, []byte(`{"orgnr":"5591234561","per_datum":"2026-11-27","allmanna_mal":{"antal":0,"belopp_sek":0},"enskilda_mal":{"antal":0,"belopp_sek":0},"betalningsforelagganden_12m":0,"konkursansokan":false,"foretagsrekonstruktion":false,"dokument":"kfm.pdf"}`+"\n"), 0o644)
	if code, _, errOut := run(t, "ingest", "--data", data, "--source", "kronofogden", "--observed", "2026-11-28", later); code != exitOK {
		t.Fatalf("ingest later extract: %d %s", code, errOut)
	}
	code, out, errOut = run(t, "assessments", "--data", data, "--verify", "5591234561")
	if code != exitOK || !strings.Contains(out, "step L3  verdict block") || !strings.Contains(out, "verified: screening again") {
		t.Errorf("assessments --verify: exit %d\n%s%s", code, out, errOut)
	}
	// The sample supplier's contract ended in April, so it is watched only
	// after a pre-award check; then its sources are reported.
	code, out, _ = run(t, "sources", "--data", data, "--at", "2026-11-21")
	if code != exitOK || !strings.Contains(out, "0 watched organisations") {
		t.Errorf("sources before a pre-award check: exit %d\n%s", code, out)
	}
	if code, _, errOut := run(t, "screen", "--data", data, "--at", "2026-11-21", "--purpose", "award", "5591234561"); code != exitOK {
		t.Fatalf("pre-award screen: %s", errOut)
	}
	code, out, _ = run(t, "sources", "--data", data, "--at", "2026-11-21")
	if code != exitOK || !strings.Contains(out, "1 watched organisations") || !strings.Contains(out, "bolagsverket  7d      1      0      0         0        2026-11-20 23:59") {
		t.Errorf("sources after a pre-award check: exit %d\n%s", code, out)
	}
	// An organisation Bolagsverket does not know is incomplete, never clear.
	code, out, _ = run(t, "screen", "--data", data, "--at", "2026-11-21", "5560021361")
	if code != exitOK || !strings.Contains(out, "INCOMPLETE") || !strings.Contains(out, "verdict review") {
		t.Errorf("unknown organisation: exit %d\n%s", code, out)
	}
	code, _, errOut = run(t, "screen", "--data", data, "559123-456")
	if code != exitUsage || !strings.Contains(errOut, "559123-456") {
		t.Errorf("malformed orgnr: exit %d, %q", code, errOut)
	}
}

func TestRulesCheckReportsPositions(t *testing.T) {
	if code, out, _ := run(t, "rules", "check"); code != exitOK || !strings.Contains(out, "31 rules") {
		t.Errorf("built-in pack: exit %d, %q", code, out)
	}
	code, _, errOut := run(t, "rules", "check", "../../rules/testdata/bad.yaml")
	if code != exitFailure || !strings.Contains(errOut, "bad.yaml:7:5: unknown key \"titel\"") || !strings.Contains(errOut, "bad.yaml:10:29:") {
		t.Errorf("bad pack: exit %d\n%s", code, errOut)
	}
}

func TestDemo(t *testing.T) {
	code, out, errOut := run(t, "demo", "--orgs", "200", "--limit", "5")
	if code != exitOK {
		t.Fatalf("demo: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"generated 200 organisations", "0 quarantined", "ORGNR", "organisations screened: L0", "planted cases caught:",
		"sources answering as the real services do:", "scb-only-answer", "bulk-modifier-codes", "modifier-code-bankruptcy",
		"tax-status-withheld", "unknown-birth-date", "answer-without-identity"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	// Every real-format case is assessed as the rules say.
	if m := regexp.MustCompile(`assessed as the rules say: (\d+)/(\d+)\n`).FindStringSubmatch(out); m == nil || m[1] != m[2] || m[1] == "0" {
		t.Errorf("demo output: real-format cases not all as the rules say:\n%s", out)
	}
}

func TestConfigOverridesAndMistakes(t *testing.T) {
	data := t.TempDir()
	if code, out, errOut := run(t, "ingest", "--data", data, "--source", "kronofogden", "--observed", "2026-11-20", samples+"/kronofogden.jsonl"); code != exitOK {
		t.Fatalf("ingest: %d %s %s", code, out, errOut)
	}
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	// Kronofogden's window shortened to 0 days would be invalid; 1 day makes
	// the extract observed yesterday evening still fresh, and an extract
	// from 20 November stale on the 23rd.
	fresh := write("fresh.yaml", "screening:\n  freshness: {kronofogden: 1}\n")
	code, out, errOut := run(t, "screen", "--data", data, "--at", "2026-11-23", "--config", fresh, "--json", "5591234561")
	if code != exitOK || !strings.Contains(out, `"reason":"stale: last observed 2026-11-20 23:59, window 1 days"`) {
		t.Errorf("freshness override: exit %d\n%s%s", code, out, errOut)
	}
	// A parameter override changes what fires: the sample's sanction fee
	// of 2025-09-30 is within 24 months, not within 6.
	if code, out, errOut := run(t, "ingest", "--data", data, "--source", "arbetsmiljoverket", "--observed", "2026-11-20", samples+"/arbetsmiljoverket.jsonl"); code != exitOK {
		t.Fatalf("ingest: %d %s %s", code, out, errOut)
	}
	months := write("months.yaml", "rules:\n  params: {av_months: 6}\n")
	for _, tc := range []struct {
		args []string
		s20  bool
	}{{nil, true}, {[]string{"--config", months}, false}} {
		args := append([]string{"screen", "--data", data, "--at", "2026-11-21", "--json"}, tc.args...)
		code, out, errOut := run(t, append(args, "5591234561")...)
		if code != exitOK || strings.Contains(out, `"id":"S20"`) != tc.s20 {
			t.Errorf("%v: exit %d, S20 fired %v, want %v\n%s", tc.args, code, !tc.s20, tc.s20, errOut)
		}
	}
	// A parameter no pack declares is refused with its name.
	bad := write("bad.yaml", "rules:\n  params: {debt_sek: 5}\n")
	code, _, errOut = run(t, "screen", "--data", data, "--config", bad, "5591234561")
	if code != exitFailure || !strings.Contains(errOut, "params.debt_sek: no rule pack declares this parameter") {
		t.Errorf("unknown parameter: exit %d, %q", code, errOut)
	}
	typo := write("typo.yaml", "screening:\n  freshnes: {kronofogden: 1}\n")
	code, _, errOut = run(t, "screen", "--data", data, "--config", typo, "5591234561")
	if code != exitFailure || !strings.Contains(errOut, "typo.yaml:2:3: screening.freshnes: unknown key; did you mean freshness?") {
		t.Errorf("typo in configuration: exit %d, %q", code, errOut)
	}
	if code, out, _ := run(t, "rules", "check", "--config", months); code != exitOK || !strings.Contains(out, "31 rules") {
		t.Errorf("valid override: exit %d %q", code, out)
	}
}

// A sole trader's number is shown as the holder's number is written at the
// time: YYMMDD+NNNC once they are 100. A 12-digit input, or a 10-digit one
// with '+', tells the century; 10 digits without '+' say younger than 100.
func TestSoleTraderOver100ShownWithPlus(t *testing.T) {
	data := t.TempDir()
	for _, tt := range []struct{ in, want string }{
		{"192001011234", "200101+1234"},
		{"19200101-1234", "200101+1234"},
		{"200101+1234", "200101+1234"},
		{"2001011234", "200101-1234"}, // born 2020
	} {
		code, out, errOut := run(t, "screen", "--data", data, "--at", "2026-11-21", tt.in)
		if code != exitOK || !strings.HasPrefix(out, tt.want+"  ") {
			t.Errorf("screen %s: exit %d, %q, %s", tt.in, code, out, errOut)
		}
		code, out, errOut = run(t, "assessments", "--data", data, tt.in)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if code != exitOK || len(lines) == 0 {
			t.Fatalf("assessments %s: exit %d, %s", tt.in, code, errOut)
		}
		for _, l := range lines {
			if !strings.HasPrefix(l, tt.want+"  ") {
				t.Errorf("assessments %s: %q does not start with %s", tt.in, l, tt.want)
			}
		}
	}
	// Nobody holds a number with a birth date after today (2026-11-21).
	if code, _, errOut := run(t, "screen", "--data", data, "202701011237"); code != exitUsage || !strings.Contains(errOut, "after the reference date 2026-11-21") {
		t.Errorf("future birth date: exit %d, %q", code, errOut)
	}
}
