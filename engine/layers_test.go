package engine

import (
	"bufio"
	"errors"
	"fmt"
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// layers places every package of the module, lowest first (see
// docs/architecture.md). A package's own code may import packages of its
// own layer and of the layers below it, never of a layer above: data
// travels up from the sources to cmd, and what a lower package needs from
// a higher one is passed in (a func, an interface, a value). Tests are
// exempt: they use the real parts above them.
//
// A new package needs a line here: put it in the lowest layer that holds
// every package it imports (the test's failure message names the layers
// it may go in).
var layers = []struct {
	name string
	pkgs []string
}{
	// The words every layer speaks: identifiers, record types and the
	// source registry, the action ladder, signatures, logging, excerpts.
	{"vocabulary", []string{"engine", "engine/sanctions", "engine/sanctions/match", "engine/excerpt", "engine/ident", "engine/strictjson", "engine/ladder",
		"engine/record", "engine/logging", "engine/sign", "engine/health"}},
	// The authorities' formats and the clients that fetch them.
	{"sources", []string{"connectors", "connectors/formats", "connectors/bolagsverket", "connectors/scb", "connectors/sanctions", "connectors/peppol"}},
	// Badger: record versions, assessments, alerts, outbox, audit.
	{"store", []string{"engine/store"}},
	// Getting records into the store: ingest, bulk file, file drops, the
	// fetch schedule, synthetic data.
	{"intake", []string{"engine/ingest", "connectors/bulkfile", "connectors/listfetch", "connectors/filedrop", "connectors/schedule", "engine/synthetic"}},
	// A subject's records as of a time, as one typed Profile.
	{"profile", []string{"engine/profile", "engine/watchlist"}},
	// Rule packs compiled against the Profile.
	{"rules", []string{"rules", "rules/default"}},
	// Assessments and what they announce; the audit trail; rule tests.
	{"screening", []string{"engine/screening", "engine/event", "engine/audit", "engine/ruletest"}},
	// Alerts, decisions, and the coordinators' queries over them; rule
	// pack backtests (which read the outcomes of alerts); the candidate
	// pack in shadow; the committee's report.
	{"review", []string{"engine/review", "engine/workplace", "engine/backtest", "engine/shadow", "engine/report"}},
	// The ways out and in: NATS, HTTP (API and UI), metrics, sign-on.
	{"adapters", []string{"engine/access", "engine/access/oidctest", "engine/bus", "engine/web", "engine/metrics", "engine/buildinfo"}},
	// A running Vaksam: its configuration and the parts it starts.
	{"service", []string{"engine/settings", "engine/service", "engine/demo", "engine/perf"}},
	// The binary: flags and printing.
	{"cmd", []string{"cmd/vaksam"}},
}

// layerOf maps a package (relative to the module) to its layer's index.
func layerOf() map[string]int {
	out := map[string]int{}
	for i, l := range layers {
		for _, p := range l.pkgs {
			out[p] = i
		}
	}
	return out
}

// layerNames is the order of the layers, for messages.
func layerNames() string {
	var names []string
	for _, l := range layers {
		names = append(names, l.name)
	}
	return strings.Join(names, " → ")
}

// modulePackage is one package of the module and the module's packages
// its own (non-test) code imports.
type modulePackage struct {
	path    string // relative to the module root: "engine/store"
	imports []string
}

// modulePackages lists every package under root (the module root) with
// its imports of packages of the same module.
func modulePackages(root, module string) ([]modulePackage, error) {
	var out []modulePackage
	err := filepath.WalkDir(root, func(dir string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if name := d.Name(); dir != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		pkg, err := build.ImportDir(dir, 0)
		var noGo *build.NoGoError
		if errors.As(err, &noGo) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			return err
		}
		mp := modulePackage{path: filepath.ToSlash(rel)}
		for _, imp := range pkg.Imports {
			if imp == module || strings.HasPrefix(imp, module+"/") {
				mp.imports = append(mp.imports, strings.TrimPrefix(strings.TrimPrefix(imp, module), "/"))
			}
		}
		out = append(out, mp)
		return nil
	})
	return out, err
}

// moduleRoot finds go.mod above the working directory and returns its
// directory and module path.
func moduleRoot(t *testing.T) (string, string) {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		f, err := os.Open(filepath.Join(dir, "go.mod"))
		if err == nil {
			defer f.Close()
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				if m, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
					return dir, strings.Trim(strings.TrimSpace(m), `"`)
				}
			}
			t.Fatalf("%s/go.mod: no module line", dir)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}

// checkLayers returns every import that runs against the layers, every
// package the table does not place, and every table entry that is not a
// package.
func checkLayers(pkgs []modulePackage) []string {
	layer := layerOf()
	var problems []string
	importers := map[string][]string{}
	for _, p := range pkgs {
		for _, imp := range p.imports {
			importers[imp] = append(importers[imp], p.path)
		}
	}
	exists := map[string]bool{}
	for _, p := range pkgs {
		exists[p.path] = true
		at, placed := layer[p.path]
		if !placed {
			problems = append(problems, placeAdvice(p, importers[p.path], layer))
			continue
		}
		for _, imp := range p.imports {
			if to, ok := layer[imp]; ok && to > at {
				problems = append(problems, fmt.Sprintf("%s (layer %s) imports %s (layer %s, higher): imports run one way, %s. "+
					"Move what %s needs into a package of layer %s or lower, or pass it in (a func, an interface, a value)",
					p.path, layers[at].name, imp, layers[to].name, layerNames(), p.path, layers[at].name))
			}
		}
	}
	for _, l := range layers {
		for _, p := range l.pkgs {
			if !exists[p] {
				problems = append(problems, fmt.Sprintf("%s is in layer %s of engine/layers_test.go but is not a package of the module: remove it from the table", p, l.name))
			}
		}
	}
	slices.Sort(problems)
	return problems
}

// placeAdvice tells where an unplaced package may go: no lower than the
// highest layer it imports, no higher than the lowest layer that imports
// it.
func placeAdvice(p modulePackage, importers []string, layer map[string]int) string {
	lo, hi := 0, len(layers)-1
	var below, above []string
	for _, imp := range p.imports {
		if l, ok := layer[imp]; ok {
			lo = max(lo, l)
			below = append(below, imp+" ("+layers[l].name+")")
		}
	}
	for _, imp := range importers {
		if l, ok := layer[imp]; ok {
			hi = min(hi, l)
			above = append(above, imp+" ("+layers[l].name+")")
		}
	}
	where := fmt.Sprintf("in layer %s", layers[lo].name)
	switch {
	case lo > hi:
		where = fmt.Sprintf("nowhere yet: it imports %s, above %s, which imports it; move code first", layers[lo].name, layers[hi].name)
	case lo < hi:
		where = fmt.Sprintf("in one of the layers %s to %s (the lowest that reads right)", layers[lo].name, layers[hi].name)
	}
	return fmt.Sprintf("%s is in no layer: add %q to a layer's pkgs in engine/layers_test.go (and to docs/architecture.md), %s. "+
		"It imports [%s]; it is imported by [%s]", p.path, p.path, where, strings.Join(below, ", "), strings.Join(above, ", "))
}

// TestLayers fails when a package's code imports a package of a higher
// layer, or when a package is in no layer.
func TestLayers(t *testing.T) {
	root, module := moduleRoot(t)
	pkgs, err := modulePackages(root, module)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < len(layerOf()) {
		t.Fatalf("found %d packages under %s, fewer than the %d the table places", len(pkgs), root, len(layerOf()))
	}
	for _, p := range checkLayers(pkgs) {
		t.Error(p)
	}
}

// TestLayersCheck shows the check failing on a backwards import, an
// unplaced package and a stale entry.
func TestLayersCheck(t *testing.T) {
	pkgs := []modulePackage{
		{path: "engine/record", imports: []string{"engine/ident"}},
		{path: "engine/store", imports: []string{"engine/record", "engine/screening"}},
		{path: "engine/newthing", imports: []string{"engine/store"}},
		{path: "engine/screening", imports: []string{"engine/store", "engine/newthing"}},
	}
	got := strings.Join(checkLayers(pkgs), "\n")
	for _, want := range []string{
		"engine/store (layer store) imports engine/screening (layer screening, higher)",
		`engine/newthing is in no layer: add "engine/newthing" to a layer's pkgs in engine/layers_test.go`,
		"in one of the layers store to screening",
		"engine/web is in layer adapters of engine/layers_test.go but is not a package of the module",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems do not say %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "engine/record (layer") {
		t.Errorf("a downward import was reported:\n%s", got)
	}
}

// TestPackagesDocumented: every package of the module is named where a
// reader looks for it, in the README's layout and in docs/architecture.md.
func TestPackagesDocumented(t *testing.T) {
	root, module := moduleRoot(t)
	pkgs, err := modulePackages(root, module)
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range []string{"README.md", "docs/architecture.md"} {
		text, err := os.ReadFile(filepath.Join(root, doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pkgs {
			if p.path != "engine" && !strings.Contains(string(text), "`"+p.path+"`") {
				t.Errorf("%s does not name package %s (as `%s`)", doc, p.path, p.path)
			}
		}
	}
}
