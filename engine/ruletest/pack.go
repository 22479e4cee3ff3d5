package ruletest

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/rules"
)

// RunPack runs the rule tests beside a pack with set and cfg: those in
// the directory path names, or in the directory of the file it names;
// with path "", those of builtin, the built-in pack (rules/default). It
// returns the results and where it read the tests. The tests' persons
// are pseudonymised with a fixed key: rule tests hold no deployment's
// secret.
func RunPack(ctx context.Context, set *rules.Set, cfg screening.Config, path string, builtin fs.FS) ([]Result, string, error) {
	var (
		fsys   = builtin
		prefix = "rules/default"
	)
	if path != "" {
		dir := path
		if info, err := os.Stat(path); err == nil && !info.IsDir() {
			dir = filepath.Dir(path)
		}
		fsys, prefix = os.DirFS(dir), dir
	}
	persons, err := record.NewHMACPseudonymizer([]byte("vaksam rule tests: not a deployment secret"))
	if err != nil {
		return nil, prefix, err
	}
	r := &Runner{Set: set, Config: cfg, Persons: persons}
	results, err := r.RunFS(ctx, fsys, prefix)
	return results, prefix, err
}
