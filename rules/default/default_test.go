package defaultpack

import (
	"context"
	"testing"

	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/ruletest"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/rules"
)

// TestRuleTests runs every *_test.yaml of the pack, one subtest each.
func TestRuleTests(t *testing.T) {
	set, err := Load(rules.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	persons, err := record.NewHMACPseudonymizer([]byte("rule tests: not a deployment secret"))
	if err != nil {
		t.Fatal(err)
	}
	r := &ruletest.Runner{Set: set, Config: screening.DefaultConfig(), Persons: persons}
	results, err := r.RunFS(context.Background(), FS(), "rules/default")
	if err != nil {
		t.Fatal(err)
	}
	if len(results) == 0 {
		t.Fatal("no rule tests found")
	}
	for _, res := range results {
		t.Run(res.Name, func(t *testing.T) {
			for _, f := range res.Failures {
				t.Errorf("%s:%d: %s", res.File, res.Line, f)
			}
		})
	}
}

// TestEveryIndicatorHasFiringAndQuietTests checks the pack's test coverage:
// each rule needs a test where it must fire and one where it must not.
func TestEveryIndicatorHasFiringAndQuietTests(t *testing.T) {
	set, err := Load(rules.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	names, err := ruletest.TestFiles(FS())
	if err != nil {
		t.Fatal(err)
	}
	fires, quiet := map[string]bool{}, map[string]bool{}
	for _, n := range names {
		data, err := FS().(interface{ ReadFile(string) ([]byte, error) }).ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		f, err := ruletest.Parse(n, data)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range f.Tests {
			if tc.Expect == nil {
				continue
			}
			want := map[string]bool{}
			for _, id := range *tc.Expect {
				want[id] = true
				fires[id] = true
			}
			under := tc.Rules
			if len(under) == 0 {
				under = *tc.Expect
			}
			for _, id := range under {
				if !want[id] {
					quiet[id] = true
				}
			}
		}
	}
	for _, r := range set.Rules {
		if !fires[r.ID] {
			t.Errorf("%s has no test where it must fire", r.ID)
		}
		if !quiet[r.ID] {
			t.Errorf("%s has no test where it must not fire", r.ID)
		}
	}
}
