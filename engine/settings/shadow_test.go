package settings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rules.shadow names a candidate pack, also from the environment; config
// check compiles it as strictly as the live pack and reports a broken
// one at its key, and ShadowSet returns it compiled, or nil when unset.
func TestShadowPack(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.yaml"), filepath.Join(dir, "bad.yaml")
	for _, f := range []struct{ path, src string }{{good, "../../rules/testdata/good.yaml"}, {bad, "../../rules/testdata/bad.yaml"}} {
		b, err := os.ReadFile(f.src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f.path, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "vaksam.yaml")
	if err := os.WriteFile(path, []byte("data_dir: "+t.TempDir()+"\nrules:\n  shadow: "+good+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, src, ps := Read(path, map[string]string{})
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if ps, _ := CheckHost(c, src, map[string]string{}); len(ruleKeys(ps)) > 0 {
		t.Errorf("a good candidate: %v", ps)
	}
	if set, err := c.ShadowSet(); err != nil || set == nil || set.Packs[0] != "test" {
		t.Errorf("ShadowSet: %v, %v", set, err)
	}

	c, src, ps = Read(path, map[string]string{"VAKSAM_RULES_SHADOW": bad})
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if c.Rules.Shadow != bad {
		t.Fatalf("rules.shadow from the environment: %q", c.Rules.Shadow)
	}
	ps, _ = CheckHost(c, src, map[string]string{})
	if ps = ruleKeys(ps); len(ps) != 1 || ps[0].Path != "rules.shadow" || !strings.Contains(ps[0].Msg, "bad.yaml") {
		t.Errorf("a broken candidate: %v", ps)
	}
	if _, err := c.ShadowSet(); err == nil {
		t.Error("ShadowSet of a broken pack: no error")
	}

	c.Rules.Shadow = ""
	if set, err := c.ShadowSet(); set != nil || err != nil {
		t.Errorf("no candidate: %v, %v", set, err)
	}
}
