package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	defaultpack "github.com/vaksam/vaksam/rules/default"
)

// TestRulesDiffCommand runs `vaksam rules diff` on the samples' store: a
// candidate that lowers S11's threshold reports the same JSON on a second
// run; a broken candidate fails with file:line:col; a missing --rules is
// a usage error.
func TestRulesDiffCommand(t *testing.T) {
	data := sampleData(t)
	t.Setenv("VAKSAM_CONFIG", "")
	cand := t.TempDir()
	entries, err := fs.ReadDir(defaultpack.FS(), ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := fs.ReadFile(defaultpack.FS(), e.Name())
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == "supplier.yaml" {
			b = []byte(strings.Replace(string(b), "address_change_max: 2 ", "address_change_max: 0 ", 1))
		}
		if err := os.WriteFile(filepath.Join(cand, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"rules", "diff", "--data", data, "--rules", cand, "--from", "2026-11-06", "--to", "2026-11-20", "--every", "7d"}
	code, first, errOut := run(t, append(args, "--json")...)
	if code != exitOK || !strings.Contains(first, `"candidate": "default@`) || strings.Count(first, `"at":`) != 3 {
		t.Fatalf("rules diff --json: exit %d, %s%s", code, first, errOut)
	}
	if _, second, _ := run(t, append(args, "--json")...); second != first {
		t.Fatalf("a second run differs:\n%s\n---\n%s", first, second)
	}
	if code, out, errOut := run(t, args...); code != exitOK || !strings.Contains(out, "as of 2026-11-20: ") || strings.Contains(out, "as of 2026-11-20: 0 ") {
		t.Fatalf("rules diff: exit %d, %s%s", code, out, errOut)
	}

	broken := filepath.Join(t.TempDir(), "broken.yaml")
	os.WriteFile(broken, []byte("pack: broken\nversion: 1\nrules:\n  - id: X01\n    title: {sv: a, en: b}\n    colour: red\n"), 0o600)
	if code, _, errOut := run(t, "rules", "diff", "--data", data, "--rules", broken); code != exitFailure || !strings.Contains(errOut, broken+":6:5") {
		t.Errorf("broken candidate: exit %d, %q; want exit 1 and %s:6:5", code, errOut, broken)
	}
	if code, _, errOut := run(t, "rules", "diff", "--data", data); code != exitUsage || !strings.Contains(errOut, "--rules") {
		t.Errorf("no --rules: exit %d, %q; want a usage error", code, errOut)
	}
	if code, _, errOut := run(t, "rules", "diff", "--data", data, "--rules", cand, "--every", "soon"); code != exitUsage || !strings.Contains(errOut, "--every") {
		t.Errorf("bad --every: exit %d, %q; want a usage error", code, errOut)
	}
}
