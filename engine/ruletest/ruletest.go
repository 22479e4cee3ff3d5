package ruletest

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/watchlist"
	"github.com/vaksam/vaksam/rules"
)

// File is a rule test file.
type File struct {
	// Pack, when set, runs the file's tests against that pack's rules
	// only, whatever other packs are loaded beside it.
	Pack     string             `yaml:"pack"`
	Fixtures map[string][]Input `yaml:"fixtures"`
	Tests    []Test             `yaml:"tests"`
}

// Input is one input file's content for a source.
type Input struct {
	Source   string `yaml:"source"`
	Observed string `yaml:"observed"`
	Orgnr    string `yaml:"orgnr"`
	Data     string `yaml:"data"`
}

// Test is one case.
type Test struct {
	Name       string    `yaml:"name"`
	At         string    `yaml:"at"`
	Orgnr      string    `yaml:"orgnr"`
	Purpose    string    `yaml:"purpose"`
	Use        []string  `yaml:"use"`
	Records    []Input   `yaml:"records"`
	Rules      []string  `yaml:"rules"`
	Expect     *[]string `yaml:"expect"`
	NotChecked *[]string `yaml:"not_checked"`
	Incomplete *bool     `yaml:"incomplete"`
	// Missing lists the sources the assessment's missing entries name.
	Missing *[]string      `yaml:"missing"`
	Step    ladder.Step    `yaml:"step"`
	Verdict ladder.Verdict `yaml:"verdict"`
	// Messages are hits' messages as they must read, by rule id: each
	// language given is compared whole (a rule that did not fire fails).
	Messages map[string]rules.Text `yaml:"messages"`

	line int
}

// Result is the outcome of one test.
type Result struct {
	File, Name string
	Line       int
	Failures   []string
	Hits       []string
}

// Passed reports whether the test passed.
func (r Result) Passed() bool { return len(r.Failures) == 0 }

func (r Result) String() string {
	status := "PASS"
	if !r.Passed() {
		status = "FAIL"
	}
	s := fmt.Sprintf("%s %s:%d %s", status, r.File, r.Line, r.Name)
	for _, f := range r.Failures {
		s += "\n    " + f
	}
	return s
}

// Runner runs rule tests against a rule set.
type Runner struct {
	Set     *rules.Set
	Config  screening.Config
	Persons record.Pseudonymizer
}

// TestFiles lists the *_test.yaml files in fsys's top directory.
func TestFiles(fsys fs.FS) ([]string, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && rules.IsTestFile(e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// RunFS runs every test file in fsys's top directory, showing names as
// prefix/name.
func (r *Runner) RunFS(ctx context.Context, fsys fs.FS, prefix string) ([]Result, error) {
	names, err := TestFiles(fsys)
	if err != nil {
		return nil, err
	}
	var out []Result
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return out, err
		}
		res, err := r.Run(ctx, filepath.Join(prefix, n), data)
		if err != nil {
			return out, err
		}
		out = append(out, res...)
	}
	return out, nil
}

// Parse decodes a test file strictly.
func Parse(name string, data []byte) (*File, error) {
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err == nil && len(doc.Content) > 0 {
		root := doc.Content[0]
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value == "tests" {
				for j, tn := range root.Content[i+1].Content {
					if j < len(f.Tests) {
						f.Tests[j].line = tn.Line
					}
				}
			}
		}
	}
	return &f, nil
}

// Run runs the tests of one file.
func (r *Runner) Run(ctx context.Context, name string, data []byte) ([]Result, error) {
	f, err := Parse(name, data)
	if err != nil {
		return nil, err
	}
	set := r.Set
	if f.Pack != "" {
		if set = r.Set.Pack(f.Pack); set == nil {
			return nil, fmt.Errorf("%s: pack %q: no rule of that pack is loaded", name, f.Pack)
		}
	}
	var out []Result
	for _, t := range f.Tests {
		res := Result{File: name, Name: t.Name, Line: t.line}
		if err := r.runOne(ctx, set, f, &t, &res); err != nil {
			res.Failures = append(res.Failures, err.Error())
		}
		out = append(out, res)
	}
	return out, nil
}

func (r *Runner) runOne(ctx context.Context, set *rules.Set, f *File, t *Test, res *Result) error {
	at, err := record.ParseInstant(t.At)
	if err != nil {
		return fmt.Errorf("at: %w", err)
	}
	org, err := ident.ParseOrg(t.Orgnr)
	if err != nil {
		return fmt.Errorf("orgnr: %w", err)
	}
	under := t.Rules
	if len(under) == 0 && t.Expect != nil {
		under = *t.Expect
	}
	if len(under) == 0 && t.NotChecked == nil && t.Incomplete == nil && t.Step == "" && t.Verdict == "" {
		return fmt.Errorf("name the rules under test (rules:) or expect some")
	}
	for _, id := range under {
		if set.Rule(id) == nil {
			return fmt.Errorf("rules: no rule %s in the pack", id)
		}
	}
	st, err := store.Open("", store.Options{InMemory: true, Small: true})
	if err != nil {
		return err
	}
	defer st.Close()
	in := &ingest.Ingester{Store: st}
	inputs := []Input{}
	for _, u := range t.Use {
		fx, ok := f.Fixtures[u]
		if !ok {
			return fmt.Errorf("use: no fixture %q", u)
		}
		inputs = append(inputs, fx...)
	}
	inputs = append(inputs, t.Records...)
	for i, inp := range inputs {
		observed := at.Add(-24 * time.Hour)
		if inp.Observed != "" {
			if observed, err = record.ParseInstant(inp.Observed); err != nil {
				return fmt.Errorf("records[%d].observed: %w", i, err)
			}
		}
		job := ingest.Job{Source: inp.Source, Name: fmt.Sprintf("%s[%d]", inp.Source, i), Observed: observed, Persons: r.Persons}
		if inp.Orgnr != "" {
			if job.Orgnr, err = ident.ParseOrg(inp.Orgnr); err != nil {
				return fmt.Errorf("records[%d].orgnr: %w", i, err)
			}
		}
		c, err := in.Reader(ctx, strings.NewReader(inp.Data), job)
		if err != nil {
			return fmt.Errorf("records[%d]: %w", i, err)
		}
		if c.Quarantined > 0 {
			qs, _ := st.Quarantined(inp.Source)
			var reasons []string
			for _, q := range qs {
				reasons = append(reasons, q.Pos+": "+q.Reason)
			}
			return fmt.Errorf("records[%d] (%s): %d record(s) quarantined: %s", i, inp.Source, c.Quarantined, strings.Join(reasons, "; "))
		}
	}
	sc := &screening.Screener{Store: st, Rules: func() *rules.Set { return set }, Config: r.Config, Lists: &watchlist.Cache{}}
	as, err := sc.Screen(ctx, []ident.Org{org}, screening.Options{At: at, Purpose: t.Purpose})
	if err != nil {
		return err
	}
	a := as[0]
	fired := map[string]bool{}
	for _, h := range a.Hits {
		fired[h.ID] = true
		res.Hits = append(res.Hits, h.ID)
	}
	if t.Expect != nil {
		want := map[string]bool{}
		for _, id := range *t.Expect {
			want[id] = true
		}
		for _, id := range under {
			switch {
			case want[id] && !fired[id]:
				res.Failures = append(res.Failures, fmt.Sprintf("%s: expected to fire, did not%s", id, notCheckedNote(a, id)))
			case !want[id] && fired[id]:
				res.Failures = append(res.Failures, fmt.Sprintf("%s: fired, expected not to: %s", id, hitMessage(a, id)))
			}
		}
	}
	if t.NotChecked != nil && !sameSet(*t.NotChecked, a.NotChecked) {
		res.Failures = append(res.Failures, fmt.Sprintf("not_checked %v, want %v", a.NotChecked, *t.NotChecked))
	}
	if t.Incomplete != nil && a.Incomplete != *t.Incomplete {
		res.Failures = append(res.Failures, fmt.Sprintf("incomplete %v, want %v (missing %v)", a.Incomplete, *t.Incomplete, a.Missing))
	}
	if t.Missing != nil {
		var got []string
		for _, m := range a.Missing {
			got = append(got, m.Source)
		}
		if !sameSet(*t.Missing, got) {
			res.Failures = append(res.Failures, fmt.Sprintf("missing %v, want sources %v", a.Missing, *t.Missing))
		}
	}
	if t.Step != "" && a.Step != t.Step {
		res.Failures = append(res.Failures, fmt.Sprintf("step %s, want %s", a.Step, t.Step))
	}
	if t.Verdict != "" && a.Verdict != t.Verdict {
		res.Failures = append(res.Failures, fmt.Sprintf("verdict %s, want %s", a.Verdict, t.Verdict))
	}
	res.Failures = append(res.Failures, messageFailures(a, t.Messages)...)
	return nil
}

// messageFailures compares the hits' messages with the test's, in rule
// id order.
func messageFailures(a *screening.Assessment, want map[string]rules.Text) []string {
	ids := make([]string, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []string
	for _, id := range ids {
		i := slices.IndexFunc(a.Hits, func(h screening.Hit) bool { return h.ID == id })
		if i < 0 {
			out = append(out, fmt.Sprintf("%s: no hit, so no message to compare", id))
			continue
		}
		got, w := a.Hits[i].Message, want[id]
		if w.SV != "" && got.SV != w.SV {
			out = append(out, fmt.Sprintf("%s: message.sv %q, want %q", id, got.SV, w.SV))
		}
		if w.EN != "" && got.EN != w.EN {
			out = append(out, fmt.Sprintf("%s: message.en %q, want %q", id, got.EN, w.EN))
		}
	}
	return out
}

func notCheckedNote(a *screening.Assessment, id string) string {
	for _, n := range a.NotChecked {
		if n == id {
			return fmt.Sprintf(" (not checked: missing %v)", a.Missing)
		}
	}
	return ""
}

func hitMessage(a *screening.Assessment, id string) string {
	for _, h := range a.Hits {
		if h.ID == id {
			return h.Message.EN
		}
	}
	return ""
}

func sameSet(a, b []string) bool {
	x := append([]string(nil), a...)
	y := append([]string(nil), b...)
	sort.Strings(x)
	sort.Strings(y)
	return strings.Join(x, ",") == strings.Join(y, ",")
}
