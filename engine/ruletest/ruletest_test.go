package ruletest

import (
	"context"
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/rules"
)

const kfm = `{"orgnr":"5591234561","per_datum":"2026-10-01","allmanna_mal":{"antal":1,"belopp_sek":1000},"enskilda_mal":{"antal":0,"belopp_sek":0},"betalningsforelagganden_12m":0,"konkursansokan":false,"foretagsrekonstruktion":false,"dokument":"x.pdf"}`

const pack = `pack: t
version: 1
rules:
  - id: T01
    title: {sv: Skuld, en: Debt}
    category: S
    severity: high
    needs: [kronofogden]
    when: org.enforcement.public_sek > 0
    message: {sv: 'skuld', en: 'debt'}
`

// The runner must fail tests whose expectations are wrong; otherwise every
// rule test passes whatever the rules do.
func TestRunnerReportsFailures(t *testing.T) {
	set, err := rules.Load(map[string][]byte{"t.yaml": []byte(pack)}, rules.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	persons, _ := record.NewHMACPseudonymizer([]byte("ruletest tests: not a secret"))
	r := &Runner{Set: set, Config: screening.DefaultConfig(), Persons: persons}
	file := `tests:
  - name: fires and is expected to
    at: 2026-11-21
    orgnr: "5591234561"
    records: [{source: kronofogden, data: '` + kfm + `'}]
    expect: [T01]
  - name: fires but is expected not to
    at: 2026-11-21
    orgnr: "5591234561"
    records: [{source: kronofogden, data: '` + kfm + `'}]
    rules: [T01]
    expect: []
  - name: expected to fire without data
    at: 2026-11-21
    orgnr: "5591234561"
    expect: [T01]
  - name: an unknown rule
    at: 2026-11-21
    orgnr: "5591234561"
    expect: [T99]
  - name: a record that does not parse
    at: 2026-11-21
    orgnr: "5591234561"
    records: [{source: kronofogden, data: '{"orgnr":"5591234561","per_datum":"igår"}'}]
    expect: [T01]
  - name: incomplete as expected
    at: 2026-11-21
    orgnr: "5591234561"
    incomplete: true
    verdict: review
`
	res, err := r.Run(context.Background(), "t_test.yaml", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		pass    bool
		failure string
		line    int
	}{
		{true, "", 2},
		{false, "T01: fired, expected not to", 7},
		{false, "T01: expected to fire, did not (not checked", 13},
		{false, "no rule T99", 17},
		{false, `quarantined: kronofogden[0]:1: per_datum: date "igår"`, 21},
		{true, "", 26},
	}
	if len(res) != len(want) {
		t.Fatalf("%d results, want %d", len(res), len(want))
	}
	for i, w := range want {
		got := res[i]
		if got.Passed() != w.pass || !strings.Contains(strings.Join(got.Failures, "\n"), w.failure) || got.Line != w.line {
			t.Errorf("%q: passed %v line %d failures %v; want passed %v line %d failure %q", got.Name, got.Passed(), got.Line, got.Failures, w.pass, w.line, w.failure)
		}
	}
	if _, err := Parse("x_test.yaml", []byte("tests:\n  - nmae: typo\n")); err == nil || !strings.Contains(err.Error(), "field nmae not found") {
		t.Errorf("unknown key in a test file: %v", err)
	}
}

// A test file that names its pack is not disturbed by other packs loaded
// beside it.
func TestPackScopedFile(t *testing.T) {
	other := strings.Replace(strings.Replace(pack, "pack: t", "pack: other", 1), "T01", "O01", 1)
	set, err := rules.Load(map[string][]byte{"t.yaml": []byte(pack), "o.yaml": []byte(other)}, rules.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	persons, _ := record.NewHMACPseudonymizer([]byte("ruletest tests: not a secret"))
	r := &Runner{Set: set, Config: screening.DefaultConfig(), Persons: persons}
	file := `pack: t
tests:
  - name: only T01 fires and is not checked otherwise
    at: 2026-11-21
    orgnr: "5591234561"
    records: [{source: kronofogden, data: '` + kfm + `'}]
    expect: [T01]
    not_checked: []
    step: L2
`
	res, err := r.Run(context.Background(), "t_test.yaml", []byte(file))
	if err != nil || len(res) != 1 || !res[0].Passed() || len(res[0].Hits) != 1 {
		t.Errorf("pack-scoped test: %v %+v", err, res)
	}
	if _, err := r.Run(context.Background(), "x_test.yaml", []byte("pack: nope\ntests: []\n")); err == nil || !strings.Contains(err.Error(), `pack "nope"`) {
		t.Errorf("unknown pack: %v", err)
	}
}
