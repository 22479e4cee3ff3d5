package rules

import (
	"reflect"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
)

// Rewrites of a compiled expression's tree that keep what it computes and
// remove what costs at every evaluation: expr fetches a field, a map entry
// or a method by reflection and boxes the value it finds, and a method
// call on a time.Time goes through a reflect-made method value.

// constants replaces params.X and lists.X by the rule's values: they are
// fixed when the rule is compiled, so the VM need not look them up in a
// map (by reflection, boxing the number) at every evaluation, and expr's
// optimizer can fold them (12 + params.report_grace_months) and turn
// `x in lists.Y` into a set lookup. The environment still carries params
// and lists for what is not a plain member (params[name]).
type constants struct {
	params map[string]float64
	lists  map[string][]string
}

func (c constants) Visit(node *ast.Node) {
	if in, ok := (*node).(*ast.BinaryNode); ok {
		c.inSet(node, in)
		return
	}
	m, ok := (*node).(*ast.MemberNode)
	if !ok || m.Optional {
		return
	}
	base, ok := m.Node.(*ast.IdentifierNode)
	prop, ok2 := m.Property.(*ast.StringNode)
	if !ok || !ok2 {
		return
	}
	switch base.Value {
	case "params":
		if v, ok := c.params[prop.Value]; ok {
			ast.Patch(node, &ast.FloatNode{Value: v})
		}
	case "lists":
		if v, ok := c.lists[prop.Value]; ok {
			ast.Patch(node, &ast.ConstantNode{Value: v})
		}
	}
}

// inSet turns `x in lists.Y` (already a constant slice: the tree is
// walked children first) with a string x into a lookup in a constant set,
// as expr's optimizer does for a literal list of strings; over a slice,
// expr compares x with each element by reflection, boxing each.
func (c constants) inSet(node *ast.Node, in *ast.BinaryNode) {
	if in.Operator != "in" || in.Left.Type() == nil || in.Left.Type().Kind() != reflect.String {
		return
	}
	list, ok := in.Right.(*ast.ConstantNode)
	if !ok {
		return
	}
	strs, ok := list.Value.([]string)
	if !ok {
		return
	}
	set := make(map[string]struct{}, len(strs))
	for _, s := range strs {
		set[s] = struct{}{}
	}
	right := &ast.ConstantNode{Value: set}
	right.SetType(reflect.TypeOf(set))
	right.SetLocation(list.Location())
	ast.Patch(node, &ast.BinaryNode{Operator: "in", Left: in.Left, Right: right})
}

// timeMethods rewrites x.IsZero(), x.After(y), x.Before(y) and x.Equal(y)
// on a time.Time into calls of the functions of timeFunctions, which call
// the method directly.
type timeMethods struct{}

var timeType = reflect.TypeFor[time.Time]()

// timeFunction names the function a time method is rewritten to. The
// names cannot be written in an expression (they are not identifiers), so
// a rule cannot call them by name.
var timeFunction = map[string]string{"IsZero": "time.IsZero", "After": "time.After", "Before": "time.Before", "Equal": "time.Equal"}

func (timeMethods) Visit(node *ast.Node) {
	call, ok := (*node).(*ast.CallNode)
	if !ok {
		return
	}
	m, ok := call.Callee.(*ast.MemberNode)
	if !ok || m.Optional {
		return
	}
	prop, ok := m.Property.(*ast.StringNode)
	if !ok || m.Node.Type() != timeType {
		return
	}
	fn, ok := timeFunction[prop.Value]
	args := 1
	if prop.Value == "IsZero" {
		args = 0
	}
	if !ok || len(call.Arguments) != args {
		return
	}
	ast.Patch(node, &ast.CallNode{
		Callee:    &ast.IdentifierNode{Value: fn},
		Arguments: append([]ast.Node{m.Node}, call.Arguments...),
	})
}

var timeFunctions = []expr.Option{
	expr.Function(timeFunction["IsZero"], func(a ...any) (any, error) {
		return a[0].(time.Time).IsZero(), nil
	}, new(func(time.Time) bool)),
	expr.Function(timeFunction["After"], func(a ...any) (any, error) {
		return a[0].(time.Time).After(a[1].(time.Time)), nil
	}, new(func(time.Time, time.Time) bool)),
	expr.Function(timeFunction["Before"], func(a ...any) (any, error) {
		return a[0].(time.Time).Before(a[1].(time.Time)), nil
	}, new(func(time.Time, time.Time) bool)),
	expr.Function(timeFunction["Equal"], func(a ...any) (any, error) {
		return a[0].(time.Time).Equal(a[1].(time.Time)), nil
	}, new(func(time.Time, time.Time) bool)),
}
