package rules

import (
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/vaksam/vaksam/engine/excerpt"
	"github.com/vaksam/vaksam/engine/ladder"
)

// Severities, from a hard gate to the lightest.
// (the ladder's words: package ladder).
const (
	Critical = string(ladder.Critical)
	High     = string(ladder.High)
	Medium   = string(ladder.Medium)
	Low      = string(ladder.Low)
)

var severities = map[string]bool{Critical: true, High: true, Medium: true, Low: true}
var categories = map[string]bool{"S": true, "C": true, "P": true}

// Text is a message in Swedish and English.
type Text struct {
	SV string `yaml:"sv" json:"sv"`
	EN string `yaml:"en" json:"en"`
}

// RuleDef is a rule as written in a pack.
type RuleDef struct {
	ID          string   `yaml:"id"`
	Title       Text     `yaml:"title"`
	Description string   `yaml:"description"`
	Category    string   `yaml:"category"`
	Severity    string   `yaml:"severity"`
	Needs       []string `yaml:"needs"`
	When        string   `yaml:"when"`
	Confidence  string   `yaml:"confidence"`
	Message     Text     `yaml:"message"`
	Evidence    []string `yaml:"evidence"`
	Legal       string   `yaml:"legal"`

	pos map[string]yaml.Node // field → its node, for positions
}

// PackDef is a rule pack file as written.
type PackDef struct {
	Pack        string              `yaml:"pack"`
	Version     int                 `yaml:"version"`
	Description string              `yaml:"description"`
	Params      map[string]float64  `yaml:"params"`
	Lists       map[string][]string `yaml:"lists"`
	// Terms are named lists of words: a code a source uses (a
	// proceeding's KK, a decision's forelaggande) → what it means in
	// Swedish and English. A message says a code in its own language with
	// term("name", code).
	Terms map[string]map[string]Text `yaml:"terms"`
	Rules []RuleDef                  `yaml:"rules"`

	file     string
	lines    []string // the file's lines, to place errors inside block scalars
	paramPos map[string]yaml.Node
}

// Error is one problem in a rule file, with its position.
type Error struct {
	File   string
	Line   int
	Column int
	Msg    string
}

func (e Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

// Errors is every problem found in a load; it is an error when not empty.
type Errors []Error

func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

func (es *Errors) add(file string, n *yaml.Node, format string, a ...any) {
	e := Error{File: file, Msg: fmt.Sprintf(format, a...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	*es = append(*es, e)
}

func (es Errors) sorted() Errors {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].File != es[j].File {
			return es[i].File < es[j].File
		}
		if es[i].Line != es[j].Line {
			return es[i].Line < es[j].Line
		}
		return es[i].Column < es[j].Column
	})
	return es
}

// schema lists the keys each mapping may hold.
var (
	packKeys = []string{"pack", "version", "description", "params", "lists", "terms", "rules"}
	ruleKeys = []string{"id", "title", "description", "category", "severity", "needs", "when", "confidence", "message", "evidence", "legal"}
	textKeys = []string{"sv", "en"}
)

// parsePack decodes one pack file strictly, collecting every error.
func parsePack(file string, data []byte) (*PackDef, Errors) {
	var errs Errors
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		errs = append(errs, YAMLError(file, err))
		return nil, errs
	}
	if len(doc.Content) == 0 {
		errs.add(file, nil, "empty file")
		return nil, errs
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		errs.add(file, root, "a rule pack is a mapping with keys %s", strings.Join(packKeys, ", "))
		return nil, errs
	}
	p := &PackDef{file: file, lines: strings.Split(string(data), "\n"), paramPos: map[string]yaml.Node{}}
	fields := checkKeys(file, root, packKeys, &errs)
	decodeField(file, fields, "pack", &p.Pack, &errs)
	decodeField(file, fields, "version", &p.Version, &errs)
	decodeField(file, fields, "description", &p.Description, &errs)
	if n, ok := fields["params"]; ok {
		if n.Kind != yaml.MappingNode {
			errs.add(file, n, "params: want a mapping of name: number")
		} else {
			p.Params = map[string]float64{}
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if _, dup := p.paramPos[k.Value]; dup {
					errs.add(file, k, "params.%s given twice", k.Value)
					continue
				}
				var f float64
				if err := v.Decode(&f); err != nil || v.Kind != yaml.ScalarNode {
					errs.add(file, v, "params.%s: want a number, got %s", excerpt.Name(k.Value), excerpt.Quote(v.Value))
					continue
				}
				p.Params[k.Value] = f
				p.paramPos[k.Value] = *k
			}
		}
	}
	if n, ok := fields["lists"]; ok {
		if err := n.Decode(&p.Lists); err != nil {
			errs.add(file, n, "lists: want a mapping of name: [strings]: %v", err)
		}
	}
	if n, ok := fields["terms"]; ok {
		p.Terms = decodeTerms(file, n, &errs)
	}
	if p.Pack == "" {
		errs.add(file, root, "pack: a name is required")
	}
	n, ok := fields["rules"]
	if !ok || n.Kind != yaml.SequenceNode {
		errs.add(file, root, "rules: a list of rules is required")
		return p, errs
	}
	for _, rn := range n.Content {
		if rn.Kind != yaml.MappingNode {
			errs.add(file, rn, "a rule is a mapping with keys %s", strings.Join(ruleKeys, ", "))
			continue
		}
		r := RuleDef{pos: map[string]yaml.Node{}}
		rf := checkKeys(file, rn, ruleKeys, &errs)
		for k, v := range rf {
			r.pos[k] = *v
		}
		r.pos["_rule"] = *rn
		decodeField(file, rf, "id", &r.ID, &errs)
		decodeText(file, rf, "title", &r.Title, &errs)
		decodeField(file, rf, "description", &r.Description, &errs)
		decodeField(file, rf, "category", &r.Category, &errs)
		decodeField(file, rf, "severity", &r.Severity, &errs)
		decodeField(file, rf, "needs", &r.Needs, &errs)
		decodeField(file, rf, "when", &r.When, &errs)
		decodeField(file, rf, "confidence", &r.Confidence, &errs)
		decodeText(file, rf, "message", &r.Message, &errs)
		decodeField(file, rf, "evidence", &r.Evidence, &errs)
		decodeField(file, rf, "legal", &r.Legal, &errs)
		p.Rules = append(p.Rules, r)
	}
	return p, errs
}

func checkKeys(file string, n *yaml.Node, allowed []string, errs *Errors) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		known := false
		for _, a := range allowed {
			known = known || a == k.Value
		}
		switch {
		case !known:
			errs.add(file, k, "unknown key %s (allowed: %s)", excerpt.Quote(k.Value), strings.Join(allowed, ", "))
		case out[k.Value] != nil:
			errs.add(file, k, "key %s given twice", excerpt.Quote(k.Value))
		default:
			out[k.Value] = n.Content[i+1]
		}
	}
	return out
}

func decodeField(file string, fields map[string]*yaml.Node, key string, dst any, errs *Errors) {
	n, ok := fields[key]
	if !ok {
		return
	}
	if err := n.Decode(dst); err != nil {
		errs.add(file, n, "%s: %s", key, strings.TrimPrefix(err.Error(), "yaml: "))
	}
}

func decodeText(file string, fields map[string]*yaml.Node, key string, dst *Text, errs *Errors) {
	n, ok := fields[key]
	if !ok {
		return
	}
	if n.Kind != yaml.MappingNode {
		errs.add(file, n, "%s: want a mapping with sv and en", key)
		return
	}
	tf := checkKeys(file, n, textKeys, errs)
	decodeField(file, tf, "sv", &dst.SV, errs)
	decodeField(file, tf, "en", &dst.EN, errs)
}

// decodeTerms reads terms: a mapping of list name → code → {sv, en},
// both languages required.
func decodeTerms(file string, n *yaml.Node, errs *Errors) map[string]map[string]Text {
	if n.Kind != yaml.MappingNode {
		errs.add(file, n, "terms: want a mapping of name: {code: {sv, en}}")
		return nil
	}
	out := map[string]map[string]Text{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if _, dup := out[k.Value]; dup {
			errs.add(file, k, "terms.%s given twice", excerpt.Name(k.Value))
			continue
		}
		if v.Kind != yaml.MappingNode {
			errs.add(file, v, "terms.%s: want a mapping of code: {sv, en}", excerpt.Name(k.Value))
			continue
		}
		words := map[string]Text{}
		for j := 0; j+1 < len(v.Content); j += 2 {
			code, tn := v.Content[j], v.Content[j+1]
			field := fmt.Sprintf("terms.%s.%s", excerpt.Name(k.Value), excerpt.Name(code.Value))
			if _, dup := words[code.Value]; dup {
				errs.add(file, code, "%s given twice", field)
				continue
			}
			var t Text
			decodeText(file, map[string]*yaml.Node{field: tn}, field, &t, errs)
			if tn.Kind == yaml.MappingNode && (t.SV == "" || t.EN == "") {
				errs.add(file, tn, "%s: needs sv and en", field)
			}
			words[code.Value] = t
		}
		out[k.Value] = words
	}
	return out
}

// YAMLError turns a yaml.v3 syntax error into an Error with its line
// (yaml.v3 gives no column: it is 1).
func YAMLError(file string, err error) Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil {
		msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
		return Error{File: file, Line: line, Column: 1, Msg: msg}
	}
	return Error{File: file, Msg: msg}
}
