package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/store"
)

// benchMeasures are the lines vaksam bench prints, in order.
var benchMeasures = []string{"screen_all", "screen_all_per_org", "screen_saved", "screen_saved_unchanged", "screen_rss",
	"screen_rss_with_files", "store_growth_unchanged", "preaward_p50", "preaward_p99", "preaward_first_after_write", "bulk_import",
	"bulk_import_rss", "bulk_import_rss_with_files"}

// TestBench runs vaksam bench end to end on a tiny store, reused by the
// second run, and checks the shape of both outputs: every measure, in
// order, with a positive value, floor and ratio, and met as the goal
// says. It asserts no timing.
func TestBench(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := run(t, "bench", "--orgs", "200", "--dir", dir, "--json")
	if code != 0 {
		t.Fatalf("bench --json: exit %d\n%s", code, errOut)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	var names []string
	values := map[string]float64{}
	for sc.Scan() {
		var m struct {
			Name                      string
			Value, Floor, Ratio, Goal *float64
			Unit                      string
			GoalOn                    string `json:"goal_on"`
			Met                       *bool
		}
		var raw map[string]any
		if err := json.Unmarshal(sc.Bytes(), &raw); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		for _, f := range []string{"name", "value", "unit", "floor", "ratio", "goal", "met"} {
			if _, ok := raw[f]; !ok {
				t.Errorf("line %q lacks %q", sc.Text(), f)
			}
		}
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil || m.Value == nil || m.Floor == nil || m.Ratio == nil || m.Goal == nil || m.Met == nil {
			t.Fatalf("line %q: %+v %v", sc.Text(), m, err)
		}
		names = append(names, m.Name)
		values[m.Name] = *m.Value
		if *m.Floor <= 0 || *m.Goal <= 0 || m.Unit == "" {
			t.Errorf("%s: floor %v, goal %v, unit %q", m.Name, *m.Floor, *m.Goal, m.Unit)
		}
		if name := m.Name; name != "store_growth_unchanged" && (*m.Value <= 0 || *m.Ratio <= 0) {
			// The store may even shrink when nothing changed.
			t.Errorf("%s: value %v, ratio %v", name, *m.Value, *m.Ratio)
		}
		if math.Abs(*m.Ratio - *m.Value / *m.Floor) > 1e-9*math.Abs(*m.Ratio) {
			t.Errorf("%s: ratio %v is not value %v ÷ floor %v", m.Name, *m.Ratio, *m.Value, *m.Floor)
		}
		bounded := *m.Value
		switch m.GoalOn {
		case "ratio":
			bounded = *m.Ratio
		case "value":
		default:
			t.Errorf("%s: goal_on %q", m.Name, m.GoalOn)
		}
		if *m.Met != (bounded <= *m.Goal) {
			t.Errorf("%s: met %v with %s %v and goal %v", m.Name, *m.Met, m.GoalOn, bounded, *m.Goal)
		}
	}
	if strings.Join(names, " ") != strings.Join(benchMeasures, " ") {
		t.Errorf("measures %v, want %v", names, benchMeasures)
	}
	// The anonymous resident set is part of the whole.
	for _, rss := range []string{"screen_rss", "bulk_import_rss"} {
		if values[rss] > values[rss+"_with_files"] {
			t.Errorf("%s %v above %s_with_files %v", rss, values[rss], rss, values[rss+"_with_files"])
		}
	}

	// Serve's screenings saved into a copy: the directory's store holds no
	// assessment, so the next run's first saving screening is a first one.
	if _, err := os.Stat(filepath.Join(dir, "store.scratch")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the copy for the saving screenings is left: %v", err)
	}
	st, err := store.Open(filepath.Join(dir, "store"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	assessed, err := st.AssessedSubjects()
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil || len(assessed) != 0 {
		t.Errorf("the bench directory's store holds %d assessed organisations (%v), want none", len(assessed), err)
	}

	code, out, errOut = run(t, "bench", "--orgs", "200", "--dir", dir)
	if code != 0 {
		t.Fatalf("bench: exit %d\n%s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if head := strings.Fields(lines[0]); strings.Join(head, " ") != "measure value unit floor ratio goal met" {
		t.Errorf("table header %q", lines[0])
	}
	if len(lines) != 1+len(benchMeasures) {
		t.Fatalf("table of %d lines, want %d:\n%s", len(lines), 1+len(benchMeasures), out)
	}
	for i, name := range benchMeasures {
		f := strings.Fields(lines[i+1])
		if f[0] != name || !strings.HasSuffix(f[4], "×") || (f[len(f)-1] != "yes" && f[len(f)-1] != "no") {
			t.Errorf("table line %q, want measure %s", lines[i+1], name)
		}
	}
	if n := len(strings.Fields(lines[1])); n != 8 { // the goal "≤ 1.5×" is two fields
		t.Errorf("table line %q: %d fields", lines[1], n)
	}
	code, _, errOut = run(t, "bench", "--orgs", "300", "--dir", dir)
	if code == 0 || !strings.Contains(errOut, "holds 200 organisations") {
		t.Errorf("bench of another size in the same directory: exit %d\n%s", code, errOut)
	}
}
