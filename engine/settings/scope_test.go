package settings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// serve.screen_scope: watched or all, unset the watched organisations when
// there are any, and each problem at its FILE:LINE:COL.
func TestScreenScope(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		some, none string // the scope with watched organisations, and without
		problem    string
	}{
		{"absent", "", ScopeWatched, ScopeAll, ""},
		{"null", "serve:\n  screen_scope:\n", ScopeWatched, ScopeAll, ""},
		{"watched", "serve:\n  screen_scope: watched\n", ScopeWatched, ScopeWatched, ""},
		{"all", "serve:\n  screen_scope: all\n", ScopeAll, ScopeAll, ""},
		{"misspelt", "serve:\n  screen_every: 1h\n  screen_scope: watch\n", "", "", `:3:17: serve.screen_scope: want watched or all, got "watch"`},
		{"not a string", "serve:\n  screen_scope: [all]\n", "", "", ":2:17: serve.screen_scope:"},
		{"unknown key", "serve:\n  scope: all\n", "", "", ":2:3: serve.scope:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := checked(t, tc.yaml, tc.problem)
			if c == nil {
				return
			}
			if got := c.Serve.Scope(true); got != tc.some {
				t.Errorf("with watched organisations: scope %q, want %q", got, tc.some)
			}
			if got := c.Serve.Scope(false); got != tc.none {
				t.Errorf("without: scope %q, want %q", got, tc.none)
			}
		})
	}
}

// checked reads a configuration file holding text and checks its values:
// with problem, it wants exactly one problem, at FILE+problem, and returns
// nil; without, it wants none and returns the configuration.
func checked(t *testing.T, text, problem string) *Config {
	t.Helper()
	path := filepath.Join(t.TempDir(), "vaksam.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	c, src, ps := Read(path, nil)
	if len(ps) == 0 {
		ps = CheckValues(c, src)
	}
	if problem != "" {
		if len(ps) != 1 || !strings.HasPrefix(ps[0].String(), path+problem) {
			t.Fatalf("problems %q, want one starting %q", ps, path+problem)
		}
		return nil
	}
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	return c
}
