package rules

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"

	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/record"
)

// A read is a profile fact an expression reads: its path as rules write
// it ("tax.fskatt", "roles.bans") and the source it comes from (the
// field's source tag, see profile.Profile); "" for facts that need no
// source (the organisation number, the time).
type read struct {
	path   string
	source string
}

// fieldIndex maps every fact path of the profile ("tax.fskatt",
// "roles.bans.from") to its read. Paths, not types, carry the source: the
// same Decision type holds IVO's decisions and Arbetsmiljöverket's.
var fieldIndex = sync.OnceValue(func() map[string]read {
	out := map[string]read{}
	var walk func(t reflect.Type, prefix, inherited string, depth int)
	walk = func(t reflect.Type, prefix, inherited string, depth int) {
		if t == reflect.TypeFor[time.Time]() || depth > 8 {
			return
		}
		for i := range t.NumField() {
			f := t.Field(i)
			name := f.Tag.Get("expr")
			if !f.IsExported() || name == "" || name == "-" {
				continue
			}
			src := cmp.Or(f.Tag.Get("source"), inherited)
			path := name
			if prefix != "" {
				path = prefix + "." + name
			}
			out[path] = read{path: path, source: src}
			if et := elem(f.Type); et.Kind() == reflect.Struct {
				walk(et, path, src, depth+1)
			}
		}
	}
	walk(reflect.TypeFor[profile.Profile](), "", "", 0)
	return out
})

// elem strips pointers, slices and maps down to the value type.
func elem(t reflect.Type) reflect.Type {
	for {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
			t = t.Elem()
		default:
			return t
		}
	}
}

// readsOf returns the profile facts an expression reads. It type-checks
// the expression again without the optimizer, which would fold some
// member accesses (map over filter) out of the tree's reach, and follows
// each member access back to org, through closures (the elements of the
// collection a predicate ranges over) and let variables.
func readsOf(src string) ([]read, error) {
	prog, err := expr.Compile(src, append(exprOptions(false, nil), expr.Optimize(false))...)
	if err != nil {
		return nil, err
	}
	w := &readWalker{index: fieldIndex(), vars: map[string]string{}}
	w.walk(prog.Node(), "")
	return w.reads, nil
}

type readWalker struct {
	index map[string]read
	vars  map[string]string // let variables bound to a fact path
	reads []read
}

// noPath marks a value that is not a profile fact.
const noPath = "\x00"

// walk visits n and its children; elem is the path of the elements the
// innermost closure ranges over (the # of a predicate).
func (w *readWalker) walk(n ast.Node, elem string) {
	if n == nil {
		return
	}
	switch x := n.(type) {
	case *ast.MemberNode:
		if p := w.path(x, elem); p != noPath {
			if r, ok := w.index[p]; ok && !slices.Contains(w.reads, r) {
				w.reads = append(w.reads, r)
			}
		}
	case *ast.BuiltinNode:
		// A closure argument ranges over the first argument's elements.
		inner := noPath
		if len(x.Arguments) > 0 {
			inner = w.path(x.Arguments[0], elem)
		}
		for i, a := range x.Arguments {
			if c, ok := a.(*ast.PredicateNode); ok && i > 0 {
				w.walk(c.Node, inner)
				continue
			}
			w.walk(a, elem)
		}
		return
	case *ast.VariableDeclaratorNode:
		w.walk(x.Value, elem)
		prev, had := w.vars[x.Name]
		w.vars[x.Name] = w.path(x.Value, elem)
		w.walk(x.Expr, elem)
		if had {
			w.vars[x.Name] = prev
		} else {
			delete(w.vars, x.Name)
		}
		return
	}
	w.children(n, elem)
}

// children walks every child node of n, found by reflection so that no
// node type is missed.
func (w *readWalker) children(n ast.Node, elem string) {
	v := reflect.ValueOf(n).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		switch {
		case f.Type() == reflect.TypeFor[ast.Node]():
			if !f.IsNil() {
				w.walk(f.Interface().(ast.Node), elem)
			}
		case f.Type() == reflect.TypeFor[[]ast.Node]():
			for _, c := range f.Interface().([]ast.Node) {
				w.walk(c, elem)
			}
		}
	}
}

// path returns the fact path a node's value is, or noPath.
func (w *readWalker) path(n ast.Node, elem string) string {
	switch x := n.(type) {
	case *ast.IdentifierNode:
		if x.Value == "org" {
			return ""
		}
		if p, ok := w.vars[x.Value]; ok {
			return p
		}
	case *ast.PointerNode:
		if x.Name == "" {
			return elem
		}
	case *ast.ChainNode:
		return w.path(x.Node, elem)
	case *ast.MemberNode:
		base := w.path(x.Node, elem)
		prop, ok := x.Property.(*ast.StringNode)
		if base == noPath || !ok {
			// An index (org.roles[0]) is an element of the collection.
			if _, isIndex := x.Property.(*ast.IntegerNode); isIndex && base != noPath {
				return base
			}
			return noPath
		}
		if base == "" {
			return prop.Value
		}
		return base + "." + prop.Value
	case *ast.BuiltinNode:
		switch x.Name {
		case "filter", "uniq", "sortBy", "sort", "first", "last", "find", "findLast", "take":
			// The same elements as the first argument's.
			if len(x.Arguments) > 0 {
				return w.path(x.Arguments[0], elem)
			}
		}
	}
	return noPath
}

// checkNeeds reports every source the rule's expressions read that its
// needs do not list: a rule declares every source it reads, so that
// missing or stale data makes it not checked instead of quietly passing.
func checkNeeds(needs []string, reads []read) []string {
	var problems []string
	seen := map[string]bool{}
	for _, r := range reads {
		if r.source == "" || seen[r.source] || slices.ContainsFunc(needs, func(n string) bool { return record.Covers(n, r.source) }) {
			continue
		}
		seen[r.source] = true
		var paths []string
		for _, x := range reads {
			if x.source == r.source {
				paths = append(paths, "org."+x.path)
			}
		}
		problems = append(problems, fmt.Sprintf("reads %s from source %s, which needs does not list", strings.Join(paths, ", "), r.source))
	}
	return problems
}

// blockedBy returns the unknown facts among a rule's reads: a fact is
// unknown when its path, or a path that contains it, is in unknown.
func blockedBy(paths []string, unknown map[string]profile.UnknownFact) []string {
	if len(unknown) == 0 {
		return nil
	}
	var out []string
	for _, p := range paths {
		for k := range unknown {
			if p == k || strings.HasPrefix(p, k+".") {
				out = append(out, k)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
