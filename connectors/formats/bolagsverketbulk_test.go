package formats

import (
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/record"
)

const bulkHeader = "organisationsidentitet;namnskyddslopnummer;registreringsland;organisationsnamn;organisationsform;avregistreringsdatum;avregistreringsorsak;pagandeAvvecklingsEllerOmstruktureringsforfarande;registreringsdatum;verksamhetsbeskrivning;postadress"

// bulkRow quotes fields into a bulk-file row.
func bulkRow(fields ...string) string {
	for i, f := range fields {
		fields[i] = `"` + strings.ReplaceAll(f, `"`, `""`) + `"`
	}
	return strings.Join(fields, ";")
}

// goodBulkRow is a valid row for orgnr with the given name.
func goodBulkRow(orgnr, name string) string {
	return bulkRow(orgnr+"$ORGNR-IDORG", "", "SE-LAND", name+"$FORETAGSNAMN-ORGNAM$2019-04-02", "AB-ORGFO", "", "", "", "2019-04-02", "Vård", "Storgatan 1$$UMEÅ$90326$SE-LAND")
}

func TestBolagsverketBulkSample(t *testing.T) {
	c := mustParse(t, record.BolagsverketBulk, "bulk.txt", sample(t, "bolagsverket-bulkfil.txt"))
	wantQuarantine(t, c, nil)
	if len(c.items) != 2 {
		t.Fatalf("%d records, want 2", len(c.items))
	}
	ab, sole := c.items[0], c.items[1]
	eq(t, "ab item", []string{ab.Source, ab.Subject, ab.Key, ab.Pos}, []string{"bolagsverket-bulk", "5591234561", "1", "bulk.txt:2"})
	eq(t, "ab", ab.Parsed, record.Company{
		Orgnr:       "5591234561",
		Lopnr:       "1",
		Name:        "Omsorgshuset Norr AB",
		Form:        "AB",
		Registered:  date("2019-04-02"),
		Proceedings: []record.Proceeding{{Code: "KK", From: date("2025-11-03")}},
		Description: "Bedriva HVB för barn och unga",
		Address:     record.Address{Street: "Storgatan 12", PostalCode: "90326", City: "UMEÅ", Country: "SE-LAND"},
	})
	eq(t, "ab links", ab.Links, record.Links{Addresses: []string{"STORGATAN 12|90326"}})
	lines := strings.Split(string(sample(t, "bolagsverket-bulkfil.txt")), "\n")
	if string(ab.Raw) != lines[1] {
		t.Errorf("Raw = %s, want the line %s", ab.Raw, lines[1])
	}
	eq(t, "sole trader item", []string{sole.Subject, sole.Key, sole.Pos}, []string{"6001011235", "1", "bulk.txt:3"})
	eq(t, "sole trader", sole.Parsed, record.Company{
		Orgnr:              "6001011235",
		Lopnr:              "1",
		Name:               "Anna Ek Omsorg",
		Form:               "E",
		Registered:         date("2015-01-01"),
		Deregistered:       date("2021-06-30"),
		DeregisteredReason: "VERKUPP",
		Description:        "Hemtjänst",
		Address:            record.Address{Street: "Box 4", PostalCode: "97101", City: "LULEÅ", Country: "SE-LAND"},
		Owner:              soleTraderOwner(),
	})
	eq(t, "sole trader links", sole.Links.Persons, []string{soleTraderOwner().ID})
}

func TestBolagsverketBulkQuirks(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want record.Company
	}{
		{"BOM and CRLF", "\xEF\xBB\xBF" + bulkHeader + "\r\n" + goodBulkRow("5591234561", "A AB") + "\r\n",
			record.Company{Orgnr: "5591234561", Name: "A AB", Form: "AB", Registered: date("2019-04-02"), Description: "Vård",
				Address: record.Address{Street: "Storgatan 1", PostalCode: "90326", City: "UMEÅ", Country: "SE-LAND"}}},
		{"NUL bytes", bulkHeader + "\n" + strings.Replace(goodBulkRow("5591234561", "A\x00 AB"), "Vård", "V\x00\x00ård", 1) + "\x00\n",
			record.Company{Orgnr: "5591234561", Name: "A AB", Form: "AB", Registered: date("2019-04-02"), Description: "Vård",
				Address: record.Address{Street: "Storgatan 1", PostalCode: "90326", City: "UMEÅ", Country: "SE-LAND"}}},
		{"escaped and stray quotes", bulkHeader + "\n" +
			`"5591234561$ORGNR-IDORG";"";"SE-LAND";"Firma "Bästa" AB$FORETAGSNAMN-ORGNAM$2019-04-02";"AB-ORGFO";"";"";"";"2019-04-02";"Säger ""hej"" 12" rör";"Box 1$c/o X$KIRUNA$98131$SE-LAND"` + "\n",
			record.Company{Orgnr: "5591234561", Name: `Firma "Bästa" AB`, Form: "AB", Registered: date("2019-04-02"), Description: `Säger "hej" 12" rör`,
				Address: record.Address{Street: "Box 1", CO: "c/o X", PostalCode: "98131", City: "KIRUNA", Country: "SE-LAND"}}},
		{"names, repeats and ended proceedings", bulkHeader + "\n" +
			bulkRow("5591234561$ORGNR-IDORG", "", "SE-LAND", "Bifirman$BIFIRMA-ORGNAM$2020-01-01|Bolaget AB$FORETAGSNAMN-ORGNAM$2019-04-02", "AB-ORGFO", "", "",
				"|FR-AVSLAVOMFO$2023-01-10|KK-AVOMFO$2025-11-03|LI-AVOMFO$2025-01-01T00:00:00.000+00:00", "20190402", "", "$$$$") + "\n",
			record.Company{Orgnr: "5591234561", Name: "Bolaget AB", Form: "AB", Registered: date("2019-04-02"), Proceedings: []record.Proceeding{
				{Code: "FR", From: date("2023-01-10"), Ended: true}, {Code: "KK", From: date("2025-11-03")}, {Code: "LI", From: date("2025-01-01")}}}},
		{"quoted field over two lines", bulkHeader + "\n" +
			bulkRow("5591234561$ORGNR-IDORG", "", "SE-LAND", "A AB$FORETAGSNAMN-ORGNAM$2019-04-02", "AB-ORGFO", "", "", "", "2019-04-02", "V\nård", "Storgatan 1$$UMEÅ$90326$SE-LAND") + "\n",
			record.Company{Orgnr: "5591234561", Name: "A AB", Form: "AB", Registered: date("2019-04-02"), Description: "V\nård",
				Address: record.Address{Street: "Storgatan 1", PostalCode: "90326", City: "UMEÅ", Country: "SE-LAND"}}},
		{"unknown column tolerated, columns in another order", "extra;postadress;" + strings.Replace(bulkHeader, ";postadress", "", 1) + "\n" +
			`"x";"Gatan 2$$ORT$11122$";"5591234561$ORGNR-IDORG";"";"";"N AB$FORETAGSNAMN-ORGNAM$2019-04-02";"AB-ORGFO";"";"";"";"";""` + "\n",
			record.Company{Orgnr: "5591234561", Name: "N AB", Form: "AB", Address: record.Address{Street: "Gatan 2", PostalCode: "11122", City: "ORT"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, record.BolagsverketBulk, "bulk.txt", []byte(tt.in))
			wantQuarantine(t, c, nil)
			if len(c.items) != 1 {
				t.Fatalf("%d records, want 1", len(c.items))
			}
			eq(t, "company", c.items[0].Parsed, tt.want)
			if c.items[0].Pos != "bulk.txt:2" {
				t.Errorf("Pos = %s", c.items[0].Pos)
			}
		})
	}
}

func TestBolagsverketBulkBroken(t *testing.T) {
	lines := []string{
		bulkHeader,
		goodBulkRow("5591234561", "Ett AB"), // 2
		goodBulkRow("5591234562", "Fel kontrollsiffra AB"),               // 3
		`"5560021361$ORGNR-IDORG";"";"SE-LAND";"Stray "; AB";"AB-ORGFO"`, // 4: too few fields
		"", // 5
		bulkRow("9124001992$ORGNR-IDORG", "", "", "Två HB", "HB-ORGFO", "", "", "", "2019-02-30", "", ""), // 6
		`"5560021361$ORGNR-IDORG";"";"SE-LAND";"Öppen AB$FORETAGSNAMN-ORGNAM;"AB-ORGFO";"";"";"";"";"";"`, // 7: a quote never closed
		goodBulkRow("5560021361", "Tre AB"), // 8
		bulkRow("5591234561$ORGNR-IDORG", "", "", "X AB$FORETAGSNAMN-ORGNAM", "AB-ORGFO", "", "", "|ZZ-AVOMFO$2020-01-01", "", "", ""), // 9
		goodBulkRow("5591234561", "Fyra AB"), // 10
	}
	c := mustParse(t, record.BolagsverketBulk, "bulk.txt", []byte(strings.Join(lines, "\n")))
	eq(t, "positions", positions(c), []string{"bulk.txt:2", "bulk.txt:8", "bulk.txt:9", "bulk.txt:10"})
	wantQuarantine(t, c, map[string]string{
		"bulk.txt:3": "organisationsidentitet: \"5591234562\": check digit",
		"bulk.txt:4": "has 6 fields, want 11",
		"bulk.txt:6": "registreringsdatum",
		"bulk.txt:7": "unterminated quoted field",
	})
	for _, q := range c.quars {
		if q.Pos == "bulk.txt:4" && string(q.Raw) != lines[3] {
			t.Errorf("quarantined Raw = %q, want the line", q.Raw)
		}
	}
}

func TestBolagsverketBulkHeader(t *testing.T) {
	_, err := parse(t, record.BolagsverketBulk, "bulk.txt", []byte(strings.Replace(bulkHeader, "postadress", "postaddress", 1)+"\n"))
	if err == nil || !strings.Contains(err.Error(), `missing column "postadress"`) {
		t.Errorf("err = %v, want a missing column", err)
	}
	// The API's spelling is not the bulk file's.
	_, err = parse(t, record.BolagsverketBulk, "bulk.txt", []byte(strings.Replace(bulkHeader, "pagande", "pagaende", 1)+"\n"))
	if err == nil || !strings.Contains(err.Error(), "pagandeAvvecklingsEllerOmstruktureringsforfarande") {
		t.Errorf("err = %v, want a missing column", err)
	}
	_, err = parse(t, record.BolagsverketBulk, "bulk.txt", nil)
	if err == nil {
		t.Error("empty input: no error")
	}
}
