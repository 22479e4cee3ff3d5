package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
	"gopkg.in/yaml.v3"

	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/record"
)

// Env is what a rule expression sees.
type Env struct {
	Org    *profile.Profile    `expr:"org"`
	Now    time.Time           `expr:"now"`
	Params map[string]float64  `expr:"params"`
	Lists  map[string][]string `expr:"lists"`
}

// Overrides replace pack parameters and lists by name, from configuration.
type Overrides struct {
	Params map[string]float64  `yaml:"params" json:"params,omitempty"`
	Lists  map[string][]string `yaml:"lists" json:"lists,omitempty"`
	// Shadow is a candidate pack (a file or directory) serve runs in
	// shadow beside the live one (engine/service's Shadow). It is not a
	// part of any set: it is left out of the hash.
	Shadow string `yaml:"shadow" json:"-"`
}

// Rule is a compiled rule.
type Rule struct {
	ID          string
	Pack        string
	Title       Text
	Description string
	Category    string
	Severity    string
	Needs       []string
	Evidence    []string
	Legal       string
	When        string
	File        string
	Line        int
	// Reads lists the profile facts its expressions read, by path
	// ("tax.fskatt"): a rule whose reads include a fact the profile holds
	// as unknown is not checked.
	Reads []string

	when       *vm.Program
	confidence *vm.Program
	message    [2]template // sv, en
	params     map[string]float64
	lists      map[string][]string
}

// Set is a compiled, ready-to-evaluate collection of packs.
type Set struct {
	Rules []*Rule
	// Hash identifies the rule files and overrides: assessments record it.
	Hash  string
	Packs []string
	// Versions are the packs' versions (the highest of a pack's files'),
	// by pack name.
	Versions map[string]int
	byID     map[string]*Rule
}

// Rule returns the rule with an id, or nil.
func (s *Set) Rule(id string) *Rule { return s.byID[id] }

// Version is "pack+pack@hash", the ruleset name assessments carry.
func (s *Set) Version() string { return strings.Join(s.Packs, "+") + "@" + s.Hash }

// LoadPath loads a pack file, or every *.yaml pack in a directory (rule
// tests, *_test.yaml, are skipped).
func LoadPath(path string, ov Overrides) (*Set, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	if !info.IsDir() {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("rules: %w", err)
		}
		return Load(map[string][]byte{path: data}, ov)
	}
	return LoadFS(os.DirFS(path), path, ov)
}

// LoadFS loads every pack file at the top of fsys; names are shown as
// prefix/name.
func LoadFS(fsys fs.FS, prefix string, ov Overrides) (*Set, error) {
	files := map[string][]byte{}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("rules: %s: %w", prefix, err)
	}
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !(strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml")) || IsTestFile(n) {
			continue
		}
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, fmt.Errorf("rules: %w", err)
		}
		files[filepath.Join(prefix, n)] = data
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("rules: %s: no rule pack (*.yaml) found", prefix)
	}
	return Load(files, ov)
}

// IsTestFile reports whether a file name is a rule test file.
func IsTestFile(name string) bool {
	return strings.HasSuffix(name, "_test.yaml") || strings.HasSuffix(name, "_test.yml")
}

// Load compiles pack files (name → content) with overrides. It returns
// Errors listing every problem of every file.
func Load(files map[string][]byte, ov Overrides) (*Set, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var errs Errors
	set := &Set{byID: map[string]*Rule{}, Versions: map[string]int{}}
	usedParam := map[string]bool{}
	usedList := map[string]bool{}
	h := sha256.New()
	var packs []*PackDef
	for _, name := range names {
		fmt.Fprintf(h, "%s\x00%d\x00", filepath.Base(name), len(files[name]))
		h.Write(files[name])
		p, perrs := parsePack(name, files[name])
		errs = append(errs, perrs...)
		if p != nil {
			packs = append(packs, p)
		}
	}
	terms := packTerms(packs, &errs)
	for _, p := range packs {
		p.Terms = terms[p.Pack]
		params := map[string]float64{}
		for k, v := range p.Params {
			params[k] = v
			if o, ok := ov.Params[k]; ok {
				params[k] = o
				usedParam[k] = true
			}
		}
		lists := map[string][]string{}
		for k, v := range p.Lists {
			lists[k] = v
			if o, ok := ov.Lists[k]; ok {
				lists[k] = o
				usedList[k] = true
			}
		}
		if !slices.Contains(set.Packs, p.Pack) {
			set.Packs = append(set.Packs, p.Pack)
		}
		set.Versions[p.Pack] = max(set.Versions[p.Pack], p.Version)
		for i := range p.Rules {
			r := compileRule(p, &p.Rules[i], params, lists, &errs)
			if r == nil {
				continue
			}
			if prev, dup := set.byID[r.ID]; dup {
				n := p.Rules[i].pos["id"]
				errs.add(p.file, &n, "rule id %s is already defined at %s:%d", r.ID, prev.File, prev.Line)
				continue
			}
			set.byID[r.ID] = r
			set.Rules = append(set.Rules, r)
		}
	}
	for k := range ov.Params {
		if !usedParam[k] {
			errs = append(errs, Error{File: "configuration", Msg: fmt.Sprintf("params.%s: no rule pack declares this parameter", k)})
		}
	}
	for k := range ov.Lists {
		if !usedList[k] {
			errs = append(errs, Error{File: "configuration", Msg: fmt.Sprintf("lists.%s: no rule pack declares this list", k)})
		}
	}
	if len(errs) > 0 {
		return nil, errs.sorted()
	}
	ovJSON, _ := json.Marshal(ov)
	h.Write(ovJSON)
	set.Hash = hex.EncodeToString(h.Sum(nil))[:12]
	sort.Slice(set.Rules, func(i, j int) bool { return set.Rules[i].ID < set.Rules[j].ID })
	return set, nil
}

// packTerms gathers each pack's terms from all of its files: a message
// of any file of the pack may use a list declared in another. A list
// declared in two files of one pack is an error.
func packTerms(packs []*PackDef, errs *Errors) map[string]map[string]map[string]Text {
	out := map[string]map[string]map[string]Text{}
	where := map[string]string{} // pack/list → the file declaring it
	for _, p := range packs {
		if out[p.Pack] == nil {
			out[p.Pack] = map[string]map[string]Text{}
		}
		names := make([]string, 0, len(p.Terms))
		for n := range p.Terms {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if f, dup := where[p.Pack+"/"+n]; dup {
				errs.add(p.file, nil, "terms.%s is already declared in %s", n, f)
				continue
			}
			where[p.Pack+"/"+n] = p.file
			out[p.Pack][n] = p.Terms[n]
		}
	}
	return out
}

// exprOptions are the options of every compile: a message's functions
// speak its language (msg nil: they are typed, as readsOf needs, but
// checkMessageCall keeps them out of when and confidence).
func exprOptions(asBool bool, msg *message) []expr.Option {
	if msg == nil {
		msg = &message{}
	}
	opts := append([]expr.Option{expr.Env(Env{})}, functions...)
	opts = append(opts, messageFunctions(msg.lang, msg.terms)...)
	if asBool {
		opts = append(opts, expr.AsBool())
	}
	return opts
}

func compileRule(p *PackDef, d *RuleDef, params map[string]float64, lists map[string][]string, errs *Errors) *Rule {
	file := p.file
	rn := d.pos["_rule"]
	at := func(key string) *yaml.Node {
		if n, ok := d.pos[key]; ok {
			return &n
		}
		return &rn
	}
	before := len(*errs)
	if d.ID == "" {
		errs.add(file, &rn, "rule: id is required")
	}
	if !severities[d.Severity] {
		errs.add(file, at("severity"), "rule %s: severity %q, want critical, high, medium or low", d.ID, d.Severity)
	}
	if !categories[d.Category] {
		errs.add(file, at("category"), "rule %s: category %q, want S, C or P", d.ID, d.Category)
	}
	if d.Title.SV == "" || d.Title.EN == "" {
		errs.add(file, at("title"), "rule %s: title needs sv and en", d.ID)
	}
	if d.Message.SV == "" || d.Message.EN == "" {
		errs.add(file, at("message"), "rule %s: message needs sv and en", d.ID)
	}
	for _, field := range []struct {
		name string
		list []string
	}{{"needs", d.Needs}, {"evidence", d.Evidence}} {
		for _, s := range field.list {
			if !record.KnownSource(s) && !(field.name == "evidence" && s == profile.EvidenceNetwork) {
				errs.add(file, at(field.name), "rule %s: %s: unknown source %q", d.ID, field.name, s)
			}
		}
	}
	if strings.TrimSpace(d.When) == "" {
		errs.add(file, at("when"), "rule %s: when: an expression is required", d.ID)
		return nil
	}
	r := &Rule{ID: d.ID, Pack: p.Pack, Title: d.Title, Description: d.Description, Category: d.Category, Severity: d.Severity,
		Needs: d.Needs, Evidence: d.Evidence, Legal: d.Legal, When: d.When, File: file, Line: rn.Line, params: params, lists: lists}
	r.when = compileExpr(p, at("when"), d.ID, "when", d.When, true, params, lists, errs)
	sources := []string{d.When}
	if d.Confidence != "" {
		r.confidence = compileExpr(p, at("confidence"), d.ID, "confidence", d.Confidence, false, params, lists, errs)
		sources = append(sources, d.Confidence)
	}
	mn := at("message")
	for i, text := range []string{d.Message.SV, d.Message.EN} {
		t, err := parseTemplate(text, func(src string) (*vm.Program, error) {
			sources = append(sources, src)
			return compileChecked(src, false, params, lists, &message{lang: i, terms: p.Terms})
		})
		if err != nil {
			errs.add(file, mn, "rule %s: message.%s: %v", d.ID, []string{"sv", "en"}[i], err)
		}
		r.message[i] = t
	}
	if len(*errs) > before {
		return nil
	}
	var reads []read
	for _, src := range sources {
		rs, err := readsOf(src)
		if err != nil { // compiled above: cannot happen but for a bug
			errs.add(file, &rn, "rule %s: reading its expressions: %v", d.ID, err)
			return nil
		}
		for _, x := range rs {
			if !slices.Contains(reads, x) {
				reads = append(reads, x)
			}
		}
	}
	for _, problem := range checkNeeds(d.Needs, reads) {
		errs.add(file, at("needs"), "rule %s: needs: %s", d.ID, problem)
	}
	for _, x := range reads {
		r.Reads = append(r.Reads, x.path)
	}
	slices.Sort(r.Reads)
	if len(*errs) > before {
		return nil
	}
	return r
}

func compileExpr(p *PackDef, n *yaml.Node, id, field, src string, asBool bool, params map[string]float64, lists map[string][]string, errs *Errors) *vm.Program {
	prog, err := compileChecked(src, asBool, params, lists, nil)
	if err == nil {
		return prog
	}
	e := Error{File: p.file, Line: n.Line, Column: n.Column, Msg: fmt.Sprintf("rule %s: %s: %s", id, field, firstLine(err))}
	if fe, ok := err.(*file.Error); ok {
		e.Line, e.Column = scalarPosition(p.lines, n, fe.From)
		e.Msg = fmt.Sprintf("rule %s: %s: %s", id, field, fe.Message)
	}
	*errs = append(*errs, e)
	return nil
}

// scalarPosition maps a rune offset inside a scalar's value back to the
// file's line and column. A plain or quoted scalar starts at the node; a
// block scalar's content starts on the next line, its lines joined by
// newlines (literal, |) or, between non-empty lines, by spaces (folded, >).
func scalarPosition(lines []string, n *yaml.Node, offset int) (int, int) {
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
		col := n.Column + offset
		if n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0 {
			col++
		}
		return n.Line, col
	}
	indent := -1
	pos := 0
	for i := n.Line; i < len(lines); i++ { // lines[n.Line] is the line after the indicator
		text := lines[i]
		trimmed := strings.TrimLeft(text, " ")
		if trimmed == "" {
			pos++ // a blank line stands for a newline
			continue
		}
		ind := len(text) - len(trimmed)
		if indent < 0 {
			indent = ind
		} else if ind < indent {
			break
		}
		content := []rune(text[indent:])
		if offset < pos+len(content) || i == len(lines)-1 {
			return i + 1, indent + 1 + offset - pos
		}
		pos += len(content) + 1 // the newline or the folding space
	}
	return n.Line, n.Column
}

func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// message is what a message's expressions are compiled for: its
// language and the pack's terms.
type message struct {
	lang  int
	terms map[string]map[string]Text
}

// compileChecked compiles an expression and checks that every params.X
// and lists.X it names is declared; in a message (msg not nil), that
// every term(name, …) names a list of the pack's terms. The functions of
// messageFunctions are a message's only.
func compileChecked(src string, asBool bool, params map[string]float64, lists map[string][]string, msg *message) (*vm.Program, error) {
	tree, err := parser.Parse(src)
	if err != nil {
		return nil, err
	}
	var undeclared *file.Error
	ast.Walk(&tree.Node, visitor(func(n ast.Node) {
		if c, ok := n.(*ast.CallNode); ok && undeclared == nil {
			undeclared = checkMessageCall(c, msg)
		}
		m, ok := n.(*ast.MemberNode)
		if !ok || undeclared != nil {
			return
		}
		base, ok := m.Node.(*ast.IdentifierNode)
		prop, ok2 := m.Property.(*ast.StringNode)
		if !ok || !ok2 {
			return
		}
		loc := n.Location()
		switch {
		case base.Value == "params" && !hasKey(params, prop.Value):
			undeclared = &file.Error{Location: loc, Message: fmt.Sprintf("params.%s is not declared in the pack's params", prop.Value)}
		case base.Value == "lists" && !hasKey(lists, prop.Value):
			undeclared = &file.Error{Location: loc, Message: fmt.Sprintf("lists.%s is not declared in the pack's lists", prop.Value)}
		}
	}))
	if undeclared != nil {
		return nil, undeclared.Bind(file.NewSource(src))
	}
	// Type-check without the patches first: expr does not check again the
	// arguments of a call that a first checking pass has typed, so a
	// patched compile alone would let org.registred inside
	// monthsBetween(...) through.
	if _, err := expr.Compile(src, exprOptions(asBool, msg)...); err != nil {
		return nil, err
	}
	opts := append(exprOptions(asBool, msg), timeFunctions...)
	opts = append(opts, expr.Patch(constants{params: params, lists: lists}), expr.Patch(timeMethods{}))
	return expr.Compile(src, opts...)
}

// checkMessageCall refuses a call of a message's function outside a
// message, and a term(name, …) whose name is not a literal naming a list
// of the pack's terms.
func checkMessageCall(c *ast.CallNode, msg *message) *file.Error {
	fn, ok := c.Callee.(*ast.IdentifierNode)
	if !ok || !slices.Contains(messageOnly, fn.Value) {
		return nil
	}
	loc := c.Location()
	if msg == nil {
		return &file.Error{Location: loc, Message: fmt.Sprintf("%s() may only be used in a message", fn.Value)}
	}
	if fn.Value != "term" || len(c.Arguments) == 0 {
		return nil
	}
	name, ok := c.Arguments[0].(*ast.StringNode)
	switch {
	case !ok:
		return &file.Error{Location: loc, Message: "term: the first argument is the name of a list of the pack's terms, in quotes"}
	case !hasKey(msg.terms, name.Value):
		return &file.Error{Location: loc, Message: fmt.Sprintf("terms.%s is not declared in the pack's terms", name.Value)}
	}
	return nil
}

func hasKey[V any](m map[string]V, k string) bool { _, ok := m[k]; return ok }

type visitor func(ast.Node)

func (v visitor) Visit(n *ast.Node) { v(*n) }

// Only returns a Set with the one rule id (for measuring and debugging).
func (s *Set) Only(id string) *Set {
	r := s.byID[id]
	if r == nil {
		return &Set{Hash: s.Hash, Packs: s.Packs, Versions: s.Versions, byID: map[string]*Rule{}}
	}
	return &Set{Rules: []*Rule{r}, Hash: s.Hash, Packs: s.Packs, Versions: s.Versions, byID: map[string]*Rule{id: r}}
}

// Pack returns a Set with only the rules of the named pack, or nil when no
// rule belongs to it. Rule tests of one pack run against it, so that other
// packs loaded beside it do not change their outcome.
func (s *Set) Pack(name string) *Set {
	sub := &Set{Hash: s.Hash, Packs: []string{name}, Versions: map[string]int{name: s.Versions[name]}, byID: map[string]*Rule{}}
	for _, r := range s.Rules {
		if r.Pack == name {
			sub.Rules = append(sub.Rules, r)
			sub.byID[r.ID] = r
		}
	}
	if len(sub.Rules) == 0 {
		return nil
	}
	return sub
}

// Param is a parameter of the rule's pack as the rule sees it (after
// the overrides); false when the pack has none by that name.
func (r *Rule) Param(name string) (float64, bool) {
	v, ok := r.params[name]
	return v, ok
}
