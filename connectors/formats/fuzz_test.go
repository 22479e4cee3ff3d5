package formats

import (
	"testing"

	"github.com/vaksam/vaksam/engine/record"
)

// fuzzParser fuzzes the parser of source, seeded with the sample files
// and extra inputs: it must never panic, and every record and quarantine
// must carry its source and a position.
func fuzzParser(f *testing.F, source string, seeds ...[]byte) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, _ := parse(t, source, "fuzz", data)
		for _, it := range c.items {
			if it.Pos == "" || it.Source != source {
				t.Fatalf("record without position or source: %+v", it)
			}
			if it.Subject == "" || it.Parsed == nil {
				t.Fatalf("record without subject or parsed form: %+v", it)
			}
		}
		for _, q := range c.quars {
			if q.Pos == "" || q.Source != source || q.Reason == "" {
				t.Fatalf("quarantine without position, source or reason: %+v", q)
			}
		}
	})
}

func seed(f *testing.F, name string) []byte { return sample(f, name) }

func FuzzBolagsverket(f *testing.F) {
	fuzzParser(f, record.Bolagsverket, seed(f, "bolagsverket-organisationer.json"), seed(f, "bolagsverket-organisationer-finns-ej.json"),
		[]byte(bvDoc(bvOrg("196001011235", "PERSON", `"namnskyddslopnummer":2,"fel":{"typ":"TIMEOUT"}`))+"\n"+bvDoc()))
}

func FuzzBolagsverketBulk(f *testing.F) {
	fuzzParser(f, record.BolagsverketBulk, seed(f, "bolagsverket-bulkfil.txt"),
		[]byte(bulkHeader+"\n\"5591234561$ORGNR-IDORG\";\"\";\"x\";\"a \"b\" c\";\"\x00\";\"\";\"\";\"|KK-AVSLAVOMFO$2020-01-01\";\"\";\"\n\";\"$$$$\""))
}

func FuzzBolagsverketDokument(f *testing.F) {
	fuzzParser(f, record.BolagsverketDokument, seed(f, "bolagsverket-dokumentlista.json"))
}

func FuzzSCB(f *testing.F) {
	fuzzParser(f, record.SCB, seed(f, "scb-hamtaforetag.json"), []byte("["+scbJSONRow("196001011235", `"Stkl, kod":"3 "`)+"]"))
}

func FuzzSCBBulk(f *testing.F) {
	fuzzParser(f, record.SCBBulk, seed(f, "scb-bulkfil.txt"))
}

func FuzzKronofogden(f *testing.F) {
	fuzzParser(f, record.Kronofogden, seed(f, "kronofogden.jsonl"))
}

func FuzzCSVOwnIVO(f *testing.F) {
	fuzzParser(f, record.IVO, seed(f, "ivo-tillstand.csv"))
}

func FuzzIVOBeslut(f *testing.F) {
	fuzzParser(f, record.IVOBeslut, seed(f, "ivo-beslut.jsonl"))
}

func FuzzArbetsmiljoverket(f *testing.F) {
	fuzzParser(f, record.Arbetsmiljoverket, seed(f, "arbetsmiljoverket.jsonl"))
}

func FuzzRoles(f *testing.F) {
	fuzzParser(f, record.Roles, seed(f, "roles.jsonl"))
}

func FuzzHuvudman(f *testing.F) {
	fuzzParser(f, record.Huvudman, seed(f, "huvudman.jsonl"))
}

func FuzzNaringsforbud(f *testing.F) {
	fuzzParser(f, record.Naringsforbud, seed(f, "naringsforbud.jsonl"))
}

func FuzzCSVOwnContracts(f *testing.F) {
	fuzzParser(f, record.Contracts, seed(f, "avtal.csv"))
}

func FuzzCSVOwnInvoices(f *testing.F) {
	fuzzParser(f, record.Invoices, seed(f, "fakturor.csv"))
}

// listSeed is a real-format sample of a sanctions list.
func listSeed(f *testing.F, name string) []byte {
	return readFile(f, "../sanctions/testdata/"+name)
}

func FuzzSanctionsEU(f *testing.F) {
	fuzzParser(f, record.SanctionsEU, listSeed(f, "eu_fsf_1_1.xml"), listSeed(f, "eu_fsf_1_1.csv"), []byte(euSwedish))
}

func FuzzSanctionsUN(f *testing.F) {
	fuzzParser(f, record.SanctionsUN, listSeed(f, "un_consolidated.xml"))
}

func FuzzSanctionsFtM(f *testing.F) {
	fuzzParser(f, record.SanctionsFtM, listSeed(f, "entities.ftm.json"))
}
