package settings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The sanctions thresholds (S18H, S18M) are params like any other, set in
// the file or the environment; one below the score screening keeps
// candidates from is a problem at its key.
func TestSanctionsParams(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vaksam.yaml")
	file := "data_dir: " + t.TempDir() + "\nrules:\n  params:\n    sanctions_person_score: 0.7\n    sanctions_org_score: 0.95\n"
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	c, src, ps := Read(path, map[string]string{})
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	ps, set := CheckHost(c, src, map[string]string{})
	ps = ruleKeys(ps)
	if set != nil || len(ps) != 1 || ps[0].Path != "rules.params.sanctions_person_score" || !strings.Contains(ps[0].Msg, "below 0.75") {
		t.Errorf("a threshold below the floor: %v", ps)
	}

	c, src, ps = Read(path, map[string]string{"VAKSAM_RULES_PARAMS_SANCTIONS_PERSON_SCORE": "0.8"})
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if c.Rules.Params["sanctions_person_score"] != 0.8 || c.Rules.Params["sanctions_org_score"] != 0.95 {
		t.Errorf("params %v", c.Rules.Params)
	}
	if ps, set := CheckHost(c, src, map[string]string{}); len(ruleKeys(ps)) > 0 || set == nil {
		t.Errorf("thresholds at or above the floor: %v", ps)
	}
}

// ruleKeys are the problems of the rules section (the host's others, a
// signing key not made, are not this test's).
func ruleKeys(ps Problems) Problems {
	var out Problems
	for _, p := range ps {
		if strings.HasPrefix(p.Path, "rules") {
			out = append(out, p)
		}
	}
	return out
}
