package rules

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"

	"github.com/vaksam/vaksam/engine/profile"
)

// TestPatchedProgramsComputeTheSame compiles expressions with and without
// the constant and time-method rewrites and evaluates both on profiles
// with zero and set dates: the rewrites must not change a result.
func TestPatchedProgramsComputeTheSame(t *testing.T) {
	params := map[string]float64{"months": 12, "grace": 7, "max": 1.5}
	lists := map[string][]string{"forms": {"AB", "E"}, "sni": {"879"}, "empty": {}}
	exprs := []string{
		`org.registered.IsZero()`,
		`!org.deregistered.IsZero() && !org.deregistered.After(now)`,
		`org.registered.Before(addMonths(now, -params.months))`,
		`addMonths(org.registered, 12 + params.grace).Before(now)`,
		`org.registered.Equal(org.deregistered)`,
		`any(org.proceedings, {.code in ["KK", "LI"] && !.from.After(now)})`,
		`org.form in lists.forms`,
		`org.form in lists.empty`,
		`hasPrefixAny(org.sni, lists.sni)`,
		`len(lists.forms) + params.max`,
		`params["months"] * 2`,
		`lists["forms"][0]`,
		`-params.months`,
		`count(org.address_changes, {.at.After(addMonths(now, -params.months)) && !.at.After(now)}) > params.max`,
		`string(params.max) + " " + join(lists.forms, ",")`,
		`org.reports?.latest_period_end.IsZero() ?? "no reports"`,
		`org.reports?.latest_period_end.Before(now)`,
	}
	now := date("2026-11-21")
	profiles := []*profile.Profile{
		{},
		{Form: "AB", SNI: []string{"87901"}, Registered: date("2026-05-02"), Deregistered: date("2026-05-02"),
			Proceedings:    []*profile.Proceeding{{Code: "KK", From: date("2026-11-21")}, {Code: "FR", From: date("2025-01-01")}},
			AddressChanges: []*profile.Change{{At: date("2026-01-01")}, {At: date("2026-11-22")}, {At: date("2025-11-21")}}},
		{Form: "HB", SNI: []string{"47110"}, Registered: date("2019-04-02"), Deregistered: date("2027-01-01"), Reports: &profile.Reports{Count: 1, LatestPeriodEnd: date("2025-12-31")},
			Proceedings: []*profile.Proceeding{{Code: "LI", From: date("2026-11-22")}}},
	}
	for _, src := range exprs {
		plain, err := expr.Compile(src, exprOptions(false, nil)...)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		patched, err := compileChecked(src, false, params, lists, nil)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		for i, p := range profiles {
			env := Env{Org: p, Now: now, Params: params, Lists: lists}
			want, err := expr.Run(plain, &env)
			if err != nil {
				t.Fatalf("%s: %v", src, err)
			}
			got, err := expr.Run(patched, &env)
			if err != nil {
				t.Fatalf("%s, patched: %v", src, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s on profile %d: patched %v (%T), unpatched %v (%T)", src, i, got, got, want, want)
			}
		}
	}
}

// TestPatchesRemoveLookupsAndMethodCalls checks that the rewrites apply:
// a compiled program no longer reads params or lists from the
// environment nor calls a time method, looks a string up in a list's set, and takes the values the rule was
// compiled with (an override), not the environment's.
func TestPatchesRemoveLookupsAndMethodCalls(t *testing.T) {
	src := `org.form in lists.forms && !org.registered.IsZero() && org.registered.After(addMonths(now, -params.months))`
	prog, err := compileChecked(src, true, map[string]float64{"months": 12}, map[string][]string{"forms": {"AB"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	ast.Walk(new(prog.Node()), visitor(func(n ast.Node) {
		switch x := n.(type) {
		case *ast.IdentifierNode:
			if x.Value == "params" || x.Value == "lists" {
				left = append(left, x.Value)
			}
		case *ast.MemberNode:
			if s, ok := x.Property.(*ast.StringNode); ok && timeFunction[s.Value] != "" {
				left = append(left, s.Value)
			}
		case *ast.BinaryNode:
			if c, ok := x.Right.(*ast.ConstantNode); ok && x.Operator == "in" {
				if _, set := c.Value.(map[string]struct{}); !set {
					left = append(left, fmt.Sprintf("in over %T", c.Value))
				}
			}
		}
	}))
	if len(left) > 0 {
		t.Errorf("the compiled tree still reads %v", left)
	}
	// The environment's params and lists differ from the compiled ones:
	// the result follows the compiled ones.
	p := &profile.Profile{Form: "AB", Registered: date("2026-05-02")}
	env := Env{Org: p, Now: date("2026-11-21"), Params: map[string]float64{"months": 1}, Lists: map[string][]string{"forms": {"E"}}}
	out, err := expr.Run(prog, &env)
	if err != nil {
		t.Fatal(err)
	}
	if out != true {
		t.Errorf("got %v, want true (registered 6 months ago, within 12, form AB listed)", out)
	}
}
