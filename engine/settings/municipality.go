package settings

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vaksam/vaksam/engine/excerpt"
)

// Municipality is the configuration file's municipality section: who
// the service works for, as the printed decision basis (beslutsunderlag)
// names it in its heading.
type Municipality struct {
	// Name is the municipality's name, e.g. "Exempelby kommun"; empty:
	// the printed pages name none.
	Name string `yaml:"name"`
	// LogoText is the line printed as the letterhead's logo, e.g.
	// "EXEMPELBY KOMMUN · Socialnämnden" (text, so that it prints on any
	// printer and reads in any PDF); empty: the name.
	LogoText string `yaml:"logo_text"`
}

// MaxMunicipalityText is the longest name or logo text, in characters.
const MaxMunicipalityText = 120

// DemoMunicipality is the municipality of `vaksam serve --demo` when the
// configuration names none.
var DemoMunicipality = Municipality{Name: "Exempelby kommun", LogoText: "EXEMPELBY KOMMUN · Socialnämnden"}

// checkMunicipality finds the problems of the municipality section: each
// text on one line and at most MaxMunicipalityText characters.
func checkMunicipality(c *Config, src *Source) Problems {
	var ps Problems
	for _, f := range []struct{ path, v string }{{"municipality.name", c.Municipality.Name}, {"municipality.logo_text", c.Municipality.LogoText}} {
		switch {
		case !utf8.ValidString(f.v) || strings.ContainsFunc(f.v, unicode.IsControl):
			ps = append(ps, src.at(f.path, "want one line of text, got %s", excerpt.Quote(f.v)))
		case utf8.RuneCountInString(f.v) > MaxMunicipalityText:
			ps = append(ps, src.at(f.path, "want at most %d characters, got %d", MaxMunicipalityText, utf8.RuneCountInString(f.v)))
		}
	}
	return ps
}
