// Package defaultpack embeds Vaksam's default rule pack: every indicator of
// shared/INDICATORS.md but S18, in three files by theme (supplier.yaml,
// care.yaml, buyer.yaml), and its rule tests (*_test.yaml).
package defaultpack

import (
	"embed"
	"io/fs"

	"github.com/vaksam/vaksam/rules"
)

//go:embed *.yaml
var files embed.FS

// FS returns the pack's files and tests.
func FS() fs.FS { return files }

// Load compiles the default pack with configuration overrides.
func Load(ov rules.Overrides) (*rules.Set, error) {
	return rules.LoadFS(files, "rules/default", ov)
}
