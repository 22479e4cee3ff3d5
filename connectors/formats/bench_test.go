package formats

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
)

// discard is a Sink that drops everything.
type discard struct{ n, q int }

func (d *discard) Record(record.Item) error            { d.n++; return nil }
func (d *discard) Quarantine(record.Quarantined) error { d.q++; return nil }

// bulkRows makes a Bolagsverket bulk file of n realistic rows.
func bulkRows(n int) []byte {
	var b bytes.Buffer
	b.WriteString("organisationsidentitet;namnskyddslopnummer;registreringsland;organisationsnamn;organisationsform;avregistreringsdatum;avregistreringsorsak;pagandeAvvecklingsEllerOmstruktureringsforfarande;registreringsdatum;verksamhetsbeskrivning;postadress\n")
	for i := 0; i < n; i++ {
		d9 := fmt.Sprintf("559%06d", i%1000000)
		org := d9 + string(ident.LuhnDigit(d9))
		proc := ""
		if i%20 == 0 {
			proc = "|KK-AVOMFO$2025-11-03"
		}
		fmt.Fprintf(&b, `"%s$ORGNR-IDORG";"";"SE-LAND";"Omsorgsbolaget nummer %d AB$FORETAGSNAMN-ORGNAM$2019-04-02";"AB-ORGFO";"";"";"%s";"2019-04-02";"Bolaget skall bedriva verksamhet inom vård och omsorg, hem för vård eller boende samt därmed förenlig verksamhet och äga och förvalta fast egendom";"Storgatan %d$$UMEÅ$90326$SE-LAND"`+"\n", org, i, proc, i%200)
	}
	return b.Bytes()
}

func BenchmarkBolagsverketBulk(b *testing.B) {
	const rows = 100000
	benchParse(b, record.BolagsverketBulk, bulkRows(rows), rows, Options{Name: "bulk.txt", Persons: testPersons})
}

// benchParse runs the parser of source over data, which holds rows
// records, none of them quarantined.
func benchParse(b *testing.B, source string, data []byte, rows int, opt Options) {
	f, _ := Lookup(source)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d := &discard{}
		if err := f(context.Background(), bytes.NewReader(data), opt, d); err != nil {
			b.Fatal(err)
		}
		if d.n != rows || d.q != 0 {
			b.Fatalf("%d records, %d quarantined", d.n, d.q)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkBolagsverketAPI reads one answer document of many
// organisations (the sample's organisation, numbered), as one line.
func BenchmarkBolagsverketAPI(b *testing.B) {
	const rows = 5000
	sample := sample(b, "bolagsverket-organisationer.json")
	var doc struct {
		Organisationer []json.RawMessage `json:"organisationer"`
	}
	if err := json.Unmarshal(sample, &doc); err != nil {
		b.Fatal(err)
	}
	orgs := make([]string, rows)
	for i := range orgs {
		d9 := fmt.Sprintf("559%06d", i)
		orgs[i] = strings.Replace(string(doc.Organisationer[0]), "5591234561", d9+string(ident.LuhnDigit(d9)), 1)
	}
	benchParse(b, record.Bolagsverket, []byte(bvDoc(orgs...)), rows, Options{Name: "b.json", Persons: testPersons})
}

// BenchmarkRolesJSONL reads an own JSON-lines file.
func BenchmarkRolesJSONL(b *testing.B) {
	const rows = 50000
	var buf bytes.Buffer
	for i := 0; i < rows; i++ {
		d9 := fmt.Sprintf("559%06d", i)
		fmt.Fprintf(&buf, `{"orgnr":"%s","person_id":"197505121231","namn":"Erik Lind %d","roll":"ordforande","fran":"2019-04-02","till":null}`+"\n", d9+string(ident.LuhnDigit(d9)), i)
	}
	benchParse(b, record.Roles, buf.Bytes(), rows, Options{Name: "roles.jsonl", Persons: testPersons})
}
