package main

import (
	"strings"
	"testing"
)

// printedProblems finds what a printout lost: a cut column, a missing
// row, hash, page number or signatory; a complete printout has none.
func TestPrintedProblems(t *testing.T) {
	const hash = "d7bebd83e868afc6ad540299f7a5b158565334b352c2edf8380c47f112ec44b0"
	complete := `EXEMPELBY KOMMUN
Diarienummer       SN 2026/417
SHA-256        ` + hash + `
                                        Sida 1 av 2
` + "\f" + `Larmets historik
 Rev. Tid               Av              Händelse        Detaljer
       1 2026-12-08     Vaksam          Larmet          Nya träffar: S01
         02:23          (automatiskt)   öppnades
       2 2026-12-08     Gustav          Beslut trädde   Beslut: 5562139989-1-d2
         02:23          Godkännare      i kraft         Skäl: havning
Underskrifter
Namn        Sara Samordnare (samordnare)    Namn        Gustav Godkännare (godkannare)
                                        Sida 2 av 2
`
	page := printedPage{Hashes: []string{hash}, History: [][]string{
		{"1", "2026-12-08 02:23", "Vaksam (automatiskt)", "Larmet öppnades", "Nya träffar: S01"},
		{"2", "2026-12-08 02:23", "Gustav Godkännare", "Beslut trädde i kraft", "Beslut: 5562139989-1-d2\nSkäl: havning"},
	}}
	want := []string{"EXEMPELBY KOMMUN", "SN 2026/417"}
	for _, c := range []struct {
		name, from, to string
		want           string // a problem's start; "" for none
	}{
		{"complete", "", "", ""},
		{"a column cut at the edge", "Nya träffar: S01", "Ny", "printed history row 1 lacks column 5"},
		{"a row lost", "       2 2026-12-08", "         2026-12-08", "the printed history has 1 rows, the page 2"},
		{"a page not numbered", "Sida 2 av 2", "", `page 2 lacks "Sida 2 av 2"`},
		{"a hash lost", hash, "", "the printed decision basis lacks the record version hash"},
		{"no diarienummer", "SN 2026/417", "–", `the printed decision basis lacks "SN 2026/417"`},
		{"the approver not named", "(godkannare)", "", "the signature block lacks (godkannare)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			text := complete
			if c.from != "" {
				text = strings.Replace(text, c.from, c.to, 1)
			}
			ps := printedProblems(text, page, want)
			switch {
			case c.want == "" && len(ps) > 0:
				t.Errorf("problems %q, want none", ps)
			case c.want != "" && (len(ps) == 0 || !strings.HasPrefix(ps[0], c.want)):
				t.Errorf("problems %q, want one starting %q", ps, c.want)
			}
		})
	}
}
