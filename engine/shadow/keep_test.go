package shadow

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/vaksam/vaksam/rules"
)

// A pack kept over another can be undone (the approval it belongs to was
// not recorded): the previous one is back; once done, only the new one
// is there.
func TestKeepPackUndo(t *testing.T) {
	src := t.TempDir()
	write := func(name, comment string) (string, string) {
		t.Helper()
		b, err := os.ReadFile("testdata/kandidat.yaml")
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(src, name)
		if err := os.WriteFile(p, append(b, comment...), 0o600); err != nil {
			t.Fatal(err)
		}
		set, err := rules.LoadPath(p, rules.Overrides{})
		if err != nil {
			t.Fatal(err)
		}
		return p, set.Version()
	}
	a, va := write("a.yaml", "# a\n")
	b, vb := write("b.yaml", "# b\n")
	dir := PromotedDir(t.TempDir())
	kept := func() string {
		t.Helper()
		set, err := rules.LoadPath(dir, rules.Overrides{})
		if err != nil {
			t.Fatal(err)
		}
		return set.Version()
	}
	done, _, err := keepPack(a, dir, va, rules.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	if err := done(); err != nil || kept() != va {
		t.Fatalf("kept %s (%v), want %s", kept(), err, va)
	}
	if _, _, err := keepPack(b, dir, va, rules.Overrides{}); err == nil || kept() != va {
		t.Errorf("a pack that is not the version named: %v; kept %s", err, kept())
	}
	_, undo, err := keepPack(b, dir, vb, rules.Overrides{})
	if err != nil || kept() != vb {
		t.Fatalf("kept %s (%v), want %s", kept(), err, vb)
	}
	if err := undo(); err != nil || kept() != va {
		t.Errorf("after undo: %s (%v), want %s", kept(), err, va)
	}
	done, _, err = keepPack(b, dir, vb, rules.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	if err := done(); err != nil || kept() != vb {
		t.Errorf("after done: %s (%v), want %s", kept(), err, vb)
	}
	if _, err := os.Stat(dir + ".old"); !os.IsNotExist(err) {
		t.Errorf("the previous pack is still beside it: %v", err)
	}
}
