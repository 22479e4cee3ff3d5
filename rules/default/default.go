// Package defaultpack embeds Vaksam's default rule pack: every indicator of
// shared/INDICATORS.md, S18 (sanctions) as three rules by the strength of
// the match (S18, S18H, S18M), in three files by theme (supplier.yaml,
// care.yaml, buyer.yaml), and its rule tests (*_test.yaml).
package defaultpack

import (
	"embed"
	"fmt"
	"io/fs"

	"github.com/vaksam/vaksam/engine/watchlist"
	"github.com/vaksam/vaksam/rules"
)

//go:embed *.yaml
var files embed.FS

// FS returns the pack's files and tests.
func FS() fs.FS { return files }

// SanctionsThresholds are the params S18H and S18M compare candidates'
// scores with. Screening keeps candidates from watchlist.Floor up, so a
// threshold below it would silently act as Floor: Load refuses one.
var SanctionsThresholds = []string{"sanctions_person_score", "sanctions_strong_score", "sanctions_org_score"}

// Load compiles the default pack with configuration overrides.
func Load(ov rules.Overrides) (*rules.Set, error) {
	var errs rules.Errors
	for _, k := range SanctionsThresholds {
		if v, ok := ov.Params[k]; ok && v < watchlist.Floor {
			errs = append(errs, rules.Error{File: "configuration",
				Msg: fmt.Sprintf("params.%s: %g is below %g, the lowest score screening keeps a sanctions candidate with", k, v, watchlist.Floor)})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return rules.LoadFS(files, "rules/default", ov)
}
