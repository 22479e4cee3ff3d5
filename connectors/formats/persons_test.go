package formats

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/record"
)

// TestNoPersonNumbers parses every sample and broken inputs of the formats
// that carry persons, and checks that no person number (12- or 10-digit,
// with or without hyphen) is left in any record's or quarantine's Raw,
// Parsed, Subject, Key, Links or Reason. A sole trader's number is the
// supplier's identifier and is allowed where it is the subject.
func TestNoPersonNumbers(t *testing.T) {
	persons := []string{"197505121231", "198211304327", "196907664459", "197505121232", "198211304320", "198213304327"}
	inputs := map[string][]string{
		record.Roles: {string(sample(t, "roles.jsonl")),
			`{"orgnr":"5591234561","person_id":"197505121232","namn":"Erik Lind","roll":"vd","fran":"2019-04-02"}` + "\n" +
				`{"orgnr":"5591234561","person_id":"19750512-1231","namn":"Erik Lind","roll":"kassör","fran":"2019-04-02"}` + "\n" +
				`{"orgnr":"5591234561","person_id":"7505121231","namn":"Erik Lind","roll":"vd","fran":"2019-04-02"}` + "\n" +
				`{"orgnr":"5591234561","person_id":198211304327,"namn":"Sara Holm","roll":"vd","fran":"2019-04-02"}` + "\n" +
				`{"orgnr":"5591234561","person_id":"198211304327","namn":"Sara Holm","roll":"vd","fran":"2019-04-02","not":"198211304327"}` + "\n" +
				`{"orgnr":"5591234561","person_id":"198211304327","namn":"Sara Holm 1982113043` + "\n" +
				`{"orgnr":"5591234561","person_id":"19821130432` + "\n" +
				`{"orgnr":"5591234561","person_id":"1982113043271","namn":"Sara Holm","roll":"vd","fran":"2019-04-02"}` + "\n" +
				`{"orgnr":"5591234561","person_id":"196907664459","namn":"Ali","roll":"vd","fran":"2019-04-02","till":"2018-01-01"}`},
		record.Huvudman: {string(sample(t, "huvudman.jsonl")),
			`{"orgnr":"5591234561","per_datum":"2026-10-01","huvudman":[{"person_id":"197505121231","namn":"A","andel":"1"},{"person_id":"198211304320","namn":"B","andel":"2"}]}` + "\n" +
				`{"orgnr":"5591234561","per_datum":"2026-10-01","huvudman":[{"person_id":"197505121231","namn":"A","andel":"1"},{"person_id":"198211304327","namn":"B","andel":"2"}]}` + "\n" +
				`{"orgnr":"5591234561","per_datum":"2026-1-01","huvudman":[{"person_id":"19750512-1231","namn":"A","andel":"1"}]}`},
		record.Naringsforbud: {string(sample(t, "naringsforbud.jsonl")),
			`{"person_id":"198213304327","fran":"2026-05-01","typ":"tillfalligt"}` + "\n" +
				`{"person_id":"198211304327","fran":"2026-05-01","typ":"permanent"}` + "\n" +
				`{"person_id":"8211304327","fran":"2026-05-01","typ":"naringsforbud"}` + "\n" +
				`{"person_id":"198211304327","fran":"2026-05-01","typ":"naringsforbud"}`},
	}
	files := map[string]string{
		record.Bolagsverket: "bolagsverket-organisationer.json", record.BolagsverketBulk: "bolagsverket-bulkfil.txt",
		record.BolagsverketDokument: "bolagsverket-dokumentlista.json", record.SCB: "scb-hamtaforetag.json", record.SCBBulk: "scb-bulkfil.txt",
		record.Kronofogden: "kronofogden.jsonl", record.IVO: "ivo-tillstand.csv", record.IVOBeslut: "ivo-beslut.jsonl",
		record.Arbetsmiljoverket: "arbetsmiljoverket.jsonl", record.Contracts: "avtal.csv", record.Invoices: "fakturor.csv",
	}
	for src, f := range files {
		inputs[src] = append(inputs[src], string(sample(t, f)))
	}
	var forms []string
	for _, p := range persons {
		forms = append(forms, p, p[2:], p[:8]+"-"+p[8:], p[2:8]+"-"+p[8:])
	}
	records, quarantined := 0, 0
	for src, ins := range inputs {
		for _, in := range ins {
			c := mustParse(t, src, "in", []byte(in))
			var texts []string
			for _, it := range c.items {
				j, err := json.Marshal(struct {
					Subject, Key string
					Parsed       any
					Links        record.Links
				}{it.Subject, it.Key, it.Parsed, it.Links})
				if err != nil {
					t.Fatal(err)
				}
				texts = append(texts, string(it.Raw), string(j))
				records++
			}
			for _, q := range c.quars {
				texts = append(texts, string(q.Raw), q.Reason)
				quarantined++
			}
			for _, text := range texts {
				for _, f := range forms {
					if strings.Contains(text, f) {
						t.Errorf("%s: person number %s left in %s", src, f[:4]+"…", text)
					}
				}
			}
		}
	}
	if records < 20 || quarantined < 10 {
		t.Errorf("only %d records and %d quarantined: the test does not test much", records, quarantined)
	}
}

func TestScrubPersonNumbers(t *testing.T) {
	erik := pseudonym(t, "197505121231")
	for _, tt := range []struct{ in, want string }{
		{`x 197505121231 y`, `x ` + erik + ` y`},
		{`19750512-1231`, erik},
		{`7505121231;5591234561;165591234561`, `XXXXXXXXXX;5591234561;165591234561`},
		{`750512-1231 197505121232 1975051212311`, `XXXXXXXXXXX XXXXXXXXXXXX XXXXXXXXXXXXX`},
		{`no digits`, `no digits`},
		{`123456789 2026-05-01 5560021361`, `123456789 2026-05-01 5560021361`},
	} {
		if got := string(scrubPersonNumbers([]byte(tt.in), testPersons)); got != tt.want {
			t.Errorf("scrub(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
