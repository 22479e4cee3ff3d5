package rules

import (
	"strings"
	"testing"
)

// A key given twice in a rule pack is an error wherever it stands
// (yaml.v3 keeps both in the node tree, the pack decoder refuses the
// second; in lists yaml.v3 refuses it itself), and a long value is quoted
// as a short excerpt.
func TestPackRefusesDuplicateKeysAndQuotesExcerpts(t *testing.T) {
	rule := "\n  - id: X1\n    title: {sv: a, en: b}\n    category: S\n    severity: high\n    when: \"true\"\n    message: {sv: a, en: b}\n"
	big := strings.Repeat("9", 1<<20)
	tests := []struct {
		name, pack, want string
	}{
		{"pack key", "pack: a\npack: b\nrules:" + rule, `key "pack" given twice`},
		{"rule key", "pack: a\nrules:" + rule + "    severity: low\n", `key "severity" given twice`},
		{"text key", "pack: a\nrules:" + strings.Replace(rule, "{sv: a, en: b}", "{sv: a, sv: c, en: b}", 1), `key "sv" given twice`},
		{"params", "pack: a\nparams:\n  p: 1\n  p: 2\nrules:" + rule, "params.p given twice"},
		{"lists", "pack: a\nlists:\n  l: [a]\n  l: [b]\nrules:" + rule, `"l" already defined`},
		{"long param value", "pack: a\nparams:\n  p: x" + big + "\nrules:" + rule, `params.p: want a number, got "x` + strings.Repeat("9", 63) + `"… (1048577 bytes)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := parsePack("p.yaml", []byte(tt.pack))
			if !strings.Contains(errs.Error(), tt.want) {
				t.Fatalf("errors %.500q, want %q", errs.Error(), tt.want)
			}
			if n := len(errs.Error()); n > 500 {
				t.Errorf("errors of %d bytes", n)
			}
		})
	}
}
