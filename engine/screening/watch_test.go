package screening_test

import (
	"slices"
	"testing"

	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/screening"
)

// A record of an organisation reaches the organisations that share a
// representative with it, whether the record links its board (the
// registry's roles) or not (a bulk file's row saying it went bankrupt), and
// only those.
func TestAffectedReachesTheBoardsOtherOrganisations(t *testing.T) {
	f := newFixture(t)
	at := instant(t, "2026-11-21")
	const bankrupt, sibling, stranger = "5591234561", "5560360793", "5561112227"
	f.ingestString(t, "roles", `{"orgnr":"`+bankrupt+`","person_id":"197505121231","namn":"Erik Lind","roll":"ordforande","fran":"2019-04-02","till":null}
{"orgnr":"`+sibling+`","person_id":"197505121231","namn":"Erik Lind","roll":"styrelseledamot","fran":"2020-01-01","till":null}
{"orgnr":"`+bankrupt+`","person_id":"198211304327","namn":"Sara Holm","roll":"vd","fran":"2021-01-15","till":null}
{"orgnr":"`+stranger+`","person_id":"196907664459","namn":"Ali Noor","roll":"suppleant","fran":"2019-04-02","till":null}
`, at.AddDate(0, 0, -1))

	for _, tc := range []struct {
		name string
		item record.Item
	}{
		{"bulk row without links", record.Item{Source: record.BolagsverketBulk, Subject: bankrupt}},
		{"registry record", record.Item{Source: record.Bolagsverket, Subject: bankrupt}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := screening.Affected(f.st, []record.Item{tc.item}, at)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{bankrupt, sibling} {
				if !slices.Contains(got, want) {
					t.Errorf("affected %v: lacks %s", got, want)
				}
			}
			if slices.Contains(got, stranger) {
				t.Errorf("affected %v: holds %s, which shares nobody with %s", got, stranger, bankrupt)
			}
			if !slices.IsSorted(got) {
				t.Errorf("affected %v: not sorted", got)
			}
		})
	}
}
