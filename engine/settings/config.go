// Package settings is Vaksam's configuration: the YAML file
// (docs/vaksam.example.yaml) decoded strictly, every problem at
// FILE:LINE:COL with its key path, the environment's VAKSAM_* overrides
// over it, the checks of `vaksam config check`, the defaults, and the
// screening thresholds merged over screening.DefaultConfig. Every command
// reads its configuration through Load.
package settings

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vaksam/vaksam/engine/excerpt"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/rules"
)

// This file reads a configuration: the YAML file, then the environment's
// VAKSAM_* overrides over it, decoded into config by walking the YAML node
// tree against config's types (their yaml tags), so that every unknown key
// and every wrong type is found at once, each with its line and key path.
// Load and `vaksam config check` share it.

// EnvConfig names the configuration file when --config is not given.
const EnvConfig = "VAKSAM_CONFIG"

// EnvPrefix starts every override of a configuration key.
const EnvPrefix = "VAKSAM_"

// Problem is one mistake in a configuration, with where it is: a line of
// the file, or the environment variable the value came from.
type Problem struct {
	File   string // the configuration file, or the rule file of a rule pack error
	Line   int    // 0: no line (a missing key, a file that cannot be read)
	Column int
	Env    string // the value came from this environment variable
	Path   string // the key path: nats.url, users[2].roles
	Msg    string
	// about is the key the problem is about when Path is its section's
	// (users[2] for a problem of users[2].roles), for withoutEchoes.
	about string
}

func (p Problem) String() string {
	var where string
	switch {
	case p.Env != "":
		where = "$" + p.Env
	case p.File != "" && p.Line > 0:
		where = fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
	default:
		where = p.File
	}
	var parts []string
	for _, s := range []string{where, p.Path, p.Msg} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ": ")
}

// Problems is every mistake found; it is an error when not empty, one
// Problem a line.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Sorted orders problems as they appear: those of the configuration file
// by line and column, then those of other files (a rule pack), then those
// without a line, then those from the environment.
func (ps Problems) Sorted(file string) Problems {
	rank := func(p Problem) int {
		switch {
		case p.Env != "":
			return 3
		case p.Line == 0:
			return 2
		case p.File != file:
			return 1
		}
		return 0
	}
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if rank(a) != rank(b) {
			return rank(a) < rank(b)
		}
		if a.Env != b.Env {
			return a.Env < b.Env
		}
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return ps
}

// Source records where the values of a configuration came from, to
// place the problems found after decoding.
type Source struct {
	file    string                // the file read, "" when none
	nodes   map[string]*yaml.Node // key path → its value's node
	env     map[*yaml.Node]string // nodes made from an environment variable → the variable
	FromEnv []envValue            // the overrides applied, in order of the variables' names
	// unread: the file could not be read or parsed; nothing was decoded.
	Unread bool
}

// envValue is one key set from the environment.
type envValue struct {
	Path, Var string
}

// at returns a problem placed at the key path's value; a path the file
// does not hold is placed at its nearest ancestor that it holds, below the
// top level (a missing top-level key has no line).
func (s *Source) at(path, format string, a ...any) Problem {
	p := Problem{File: s.file, Path: path, Msg: fmt.Sprintf(format, a...)}
	for q := path; q != ""; q = parentPath(q) {
		if n, ok := s.nodes[q]; ok {
			s.place(&p, n)
			return p
		}
	}
	return p
}

// place sets a problem's position to a node's.
func (s *Source) place(p *Problem, n *yaml.Node) {
	if v, ok := s.env[n]; ok {
		p.Env = v
		return
	}
	if n != nil && n.Line > 0 {
		p.Line, p.Column = n.Line, n.Column
	}
}

// parentPath returns the path one level up: users[2].roles → users[2] →
// users → "".
func parentPath(path string) string {
	if strings.HasSuffix(path, "]") {
		if i := strings.LastIndex(path, "["); i >= 0 {
			return path[:i]
		}
	}
	if i := strings.LastIndex(path, "."); i >= 0 {
		return path[:i]
	}
	return ""
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// Path returns the configuration file a command reads: the flag's
// value, or else $VAKSAM_CONFIG.
func Path(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	return os.Getenv(EnvConfig)
}

// Environment returns the process environment as a map.
func Environment() map[string]string {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return env
}

// Read reads the configuration file at path ("": none) and applies
// the environment's overrides over it. It returns every problem of the
// configuration's form: YAML syntax, unknown or repeated keys, wrong
// types, durations that do not parse or are negative, overrides that do not
// parse. CheckValues and CheckHost find the rest; they have nothing to
// check when src.unread.
func Read(path string, env map[string]string) (*Config, *Source, Problems) {
	c := &Config{}
	src := &Source{file: path, nodes: map[string]*yaml.Node{}, env: map[*yaml.Node]string{}}
	root := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			src.Unread = true
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return c, src, Problems{{File: path, Msg: fmt.Sprintf("cannot read the configuration: %v", err)}}
		}
		doc, p := parseYAML(path, data)
		if p != nil {
			src.Unread = true
			return c, src, Problems{*p}
		}
		if doc != nil {
			root = doc
		}
	}
	d := &configDecoder{src: src}
	d.applyEnv(root, env)
	d.decode(root, reflect.ValueOf(c).Elem(), "")
	return c, src, d.probs
}

// parseYAML parses a configuration file's single document; nil for an
// empty file.
func parseYAML(path string, data []byte) (*yaml.Node, *Problem) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return nil, nil
	} else if err != nil {
		p := yamlSyntaxProblem(path, err)
		return nil, &p
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		p := Problem{File: path, Msg: "more than one YAML document (---): the configuration is one document"}
		if err == nil && more.Line > 0 {
			p.Line, p.Column = more.Line, more.Column
		} else if err != nil {
			p = yamlSyntaxProblem(path, err)
		}
		return nil, &p
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return nil, nil
	}
	return root, nil
}

// yamlSyntaxProblem turns a YAML syntax error ("yaml: line 3: ...") into a
// Problem with its line.
func yamlSyntaxProblem(path string, err error) Problem {
	e := rules.YAMLError(path, err)
	return Problem{File: e.File, Line: e.Line, Column: e.Column, Msg: "YAML: " + e.Msg}
}

// configDecoder decodes a node tree into config's types, collecting
// problems.
type configDecoder struct {
	src   *Source
	probs Problems
}

func (d *configDecoder) add(n *yaml.Node, path, format string, a ...any) {
	p := Problem{File: d.src.file, Path: path, Msg: fmt.Sprintf(format, a...)}
	d.src.place(&p, n)
	d.probs = append(d.probs, p)
}

var (
	durationType = reflect.TypeFor[time.Duration]()
	daysType     = reflect.TypeFor[screening.Days]()
	secretType   = reflect.TypeFor[Secret]()
)

// decode sets v from n; path is n's key path. A null node leaves v as it
// is (the zero value: the default).
func (d *configDecoder) decode(n *yaml.Node, v reflect.Value, path string) {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	d.src.nodes[path] = n
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return
	}
	t := v.Type()
	if t == durationType {
		d.duration(n, v, path)
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		e := reflect.New(t.Elem())
		d.decode(n, e.Elem(), path)
		v.Set(e)
	case reflect.Struct:
		d.structure(n, v, path)
	case reflect.Map:
		d.mapping(n, v, path)
	case reflect.Slice:
		d.list(n, v, path)
	default:
		d.scalar(n, v, path)
	}
}

func (d *configDecoder) structure(n *yaml.Node, v reflect.Value, path string) {
	fields := yamlFields(v.Type())
	allowed := strings.Join(fieldNames(fields), ", ")
	if n.Kind != yaml.MappingNode {
		if v.Type() == secretType {
			// Never echo it: it may be the secret itself.
			d.add(n, path, "a secret is given by reference, never by value: {file: PATH} or {env: VARIABLE}")
			return
		}
		d.add(n, path, "want a mapping with the keys %s, got %s", allowed, describe(n))
		return
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		kp := joinPath(path, k.Value)
		if k.Kind != yaml.ScalarNode {
			d.add(k, path, "a key must be a name, got %s", describe(k))
			continue
		}
		f, ok := fieldByName(fields, k.Value)
		if !ok {
			kp = joinPath(path, excerpt.Name(k.Value))
			if s := closest(k.Value, fieldNames(fields)); s != "" {
				d.add(k, kp, "unknown key; did you mean %s? (allowed: %s)", s, allowed)
			} else {
				d.add(k, kp, "unknown key (allowed: %s)", allowed)
			}
			continue
		}
		if prev := seen[k.Value]; prev != nil {
			d.add(k, kp, "given twice (first at line %d)", prev.Line)
			continue
		}
		seen[k.Value] = k
		d.decode(val, v.FieldByIndex(f.index), kp)
	}
}

func (d *configDecoder) mapping(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.add(n, path, "want a mapping, got %s", describe(n))
		return
	}
	t := v.Type()
	if v.IsNil() {
		v.Set(reflect.MakeMap(t))
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		kp := joinPath(path, k.Value)
		key := reflect.New(t.Key()).Elem()
		if k.Kind != yaml.ScalarNode || k.Decode(key.Addr().Interface()) != nil {
			d.add(k, path, "a key must be a name, got %s", describe(k))
			continue
		}
		if prev := seen[k.Value]; prev != nil {
			d.add(k, kp, "given twice (first at line %d)", prev.Line)
			continue
		}
		seen[k.Value] = k
		elem := reflect.New(t.Elem()).Elem()
		d.decode(val, elem, kp)
		v.SetMapIndex(key, elem)
	}
}

func (d *configDecoder) list(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.add(n, path, "want a list, got %s", describe(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, c := range n.Content {
		d.decode(c, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
	}
	v.Set(s)
}

func (d *configDecoder) scalar(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode {
		d.add(n, path, "want %s, got %s", kindName(v.Type()), describe(n))
		return
	}
	if err := n.Decode(v.Addr().Interface()); err != nil {
		d.add(n, path, "want %s, got %s", kindName(v.Type()), describe(n))
	}
}

func (d *configDecoder) duration(n *yaml.Node, v reflect.Value, path string) {
	const want = "want a duration such as 90s, 15m or 6h"
	if n.Kind != yaml.ScalarNode {
		d.add(n, path, "%s, got %s", want, describe(n))
		return
	}
	if n.Value == "0" {
		v.SetInt(0)
		return
	}
	dur, err := time.ParseDuration(n.Value)
	switch {
	case err != nil:
		d.add(n, path, "%s, got %s", want, describe(n))
	case dur < 0:
		d.add(n, path, "must not be negative, got %s", n.Value)
	default:
		v.SetInt(int64(dur))
	}
}

// describe names what a node holds, for "want X, got Y".
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return excerpt.Quote(n.Value)
}

// kindName says what a scalar type wants.
func kindName(t reflect.Type) string {
	if t == daysType {
		return "a whole number of days"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number, 0 or more"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return t.String()
}

// field is a struct field as YAML names it.
type field struct {
	name  string
	index []int
	typ   reflect.Type
}

// yamlFields lists a struct's fields by their yaml names, in order, as
// yaml.v3 names them (the tag, or the lower-cased field name; inline
// structs flattened; "-" and unexported fields left out).
func yamlFields(t reflect.Type) []field {
	var out []field
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if strings.Contains(","+opts+",", ",inline,") && f.Type.Kind() == reflect.Struct {
			for _, in := range yamlFields(f.Type) {
				in.index = append([]int{i}, in.index...)
				out = append(out, in)
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out = append(out, field{name: name, index: []int{i}, typ: f.Type})
	}
	return out
}

func fieldByName(fs []field, name string) (field, bool) {
	for _, f := range fs {
		if f.name == name {
			return f, true
		}
	}
	return field{}, false
}

func fieldNames(fs []field) []string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.name
	}
	return names
}

// closest returns the name within two edits of s, if exactly one is.
func closest(s string, names []string) string {
	if len(s) > 64 {
		return "" // no typo of a name; and edit distance costs len(s) times len(name)
	}
	best, n := "", 0
	for _, name := range names {
		if editDistance(s, name) <= 2 {
			best, n = name, n+1
		}
	}
	if n != 1 {
		return ""
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// envKey is a configuration key the environment may set: a scalar or a
// list of scalars (VAKSAM_HTTP_LISTEN), or a mapping's entries, one
// variable each (VAKSAM_SCREENING_FRESHNESS_<SOURCE>).
type envKey struct {
	Name   string       // the variable, or the prefix of a mapping's variables
	Path   []string     // the yaml keys
	Type   reflect.Type // the value's type (a mapping's element type)
	Prefix bool         // a mapping: Name + the entry's key in upper case
}

// envKeys lists the keys of config the environment may set, from its
// types: every scalar and list of scalars, and the entries of mappings of
// those. Lists of sections (users, tokens) are not overridable. The list
// is made once; callers must not change it.
var envKeys = sync.OnceValue(func() []envKey {
	var out []envKey
	var walk func(t reflect.Type, path []string)
	walk = func(t reflect.Type, path []string) {
		for _, f := range yamlFields(t) {
			p := append(append([]string{}, path...), f.name)
			ft := f.typ
			if ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct {
				ft = ft.Elem()
			}
			name := EnvPrefix + strings.ToUpper(strings.Join(p, "_"))
			switch {
			case envScalar(ft) || envList(ft):
				out = append(out, envKey{Name: name, Path: p, Type: ft})
			case ft.Kind() == reflect.Struct:
				walk(ft, p)
			case ft.Kind() == reflect.Map && ft.Key().Kind() == reflect.String && (envScalar(ft.Elem()) || envList(ft.Elem())):
				out = append(out, envKey{Name: name + "_", Path: p, Type: ft.Elem(), Prefix: true})
			}
		}
	}
	walk(reflect.TypeFor[Config](), nil)
	return out
})

func envScalar(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

func envList(t reflect.Type) bool { return t.Kind() == reflect.Slice && envScalar(t.Elem()) }

// envOverrides returns the keys env sets, one a variable, in order of the
// variables' names: a mapping's entry as its own key, the entry's key (the
// variable's name after the prefix, in lower case) ending its Path. An
// empty variable counts as unset.
func envOverrides(env map[string]string) []envKey {
	var out []envKey
	for _, k := range envKeys() {
		if !k.Prefix {
			if env[k.Name] != "" {
				out = append(out, k)
			}
			continue
		}
		for name, v := range env {
			if v != "" && len(name) > len(k.Name) && strings.HasPrefix(name, k.Name) {
				path := append(append([]string{}, k.Path...), strings.ToLower(name[len(k.Name):]))
				out = append(out, envKey{Name: name, Path: path, Type: k.Type})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// applyEnv sets the keys the environment overrides in the node tree, so
// that their values are decoded (and their problems found) like the
// file's. A list is given comma separated.
func (d *configDecoder) applyEnv(root *yaml.Node, env map[string]string) {
	for _, k := range envOverrides(env) {
		d.setEnv(root, k, env[k.Name])
	}
}

// setEnv puts an environment variable's value at its key's path in the
// tree, making the mappings on the way.
func (d *configDecoder) setEnv(root *yaml.Node, k envKey, value string) {
	path, name := k.Path, k.Name
	n := root
	for i, seg := range path {
		idx := valueIndex(n, seg)
		if i == len(path)-1 {
			v := d.envNode(value, k.Type, name)
			if idx >= 0 {
				n.Content[idx] = v
			} else {
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: seg}, v)
			}
			d.src.FromEnv = append(d.src.FromEnv, envValue{Path: strings.Join(path, "."), Var: name})
			return
		}
		if idx < 0 {
			child := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: seg}, child)
			n = child
			continue
		}
		child := n.Content[idx]
		for child.Kind == yaml.AliasNode && child.Alias != nil {
			child = child.Alias
		}
		if child.Kind == yaml.ScalarNode && child.ShortTag() == "!!null" {
			*child = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: child.Line, Column: child.Column}
		}
		if child.Kind != yaml.MappingNode {
			d.probs = append(d.probs, Problem{File: d.src.file, Env: name, Path: strings.Join(path, "."),
				Msg: fmt.Sprintf("not applied: %s in the file is not a mapping", strings.Join(path[:i+1], "."))})
			return
		}
		n = child
	}
}

// valueIndex returns the index in a mapping node's Content of key's value,
// or -1 when the mapping does not hold key.
func valueIndex(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return i + 1
		}
	}
	return -1
}

// envNode makes the node of a variable's value: a string as it is, other
// scalars typed as YAML reads them, a list split at commas.
func (d *configDecoder) envNode(value string, t reflect.Type, name string) *yaml.Node {
	var n *yaml.Node
	if envList(t) {
		n = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, part := range strings.Split(value, ",") {
			if part = strings.TrimSpace(part); part != "" {
				n.Content = append(n.Content, d.envNode(part, t.Elem(), name))
			}
		}
	} else {
		n = &yaml.Node{Kind: yaml.ScalarNode, Value: value}
		if t.Kind() == reflect.String {
			n.Tag = "!!str"
		}
	}
	d.src.env[n] = name
	return n
}
