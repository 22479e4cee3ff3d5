package formats

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/vaksam/vaksam/engine/record"
)

func TestSCBSample(t *testing.T) {
	c := mustParse(t, record.SCB, "scb.json", sample(t, "scb-hamtaforetag.json"))
	wantQuarantine(t, c, nil)
	if len(c.items) != 1 {
		t.Fatalf("%d records, want 1", len(c.items))
	}
	it := c.items[0]
	eq(t, "item", []string{it.Source, it.Subject, it.Key, it.Pos}, []string{"scb", "5591234561", "", "scb.json:1"})
	eq(t, "tax status", it.Parsed, record.TaxStatus{
		Orgnr:         "5591234561",
		Name:          "Omsorgshuset Norr AB",
		FSkatt:        1,
		Moms:          0,
		Employer:      1,
		SizeClass:     3, // "3 ": padded
		CompanyStatus: "20",
		JuridiskForm:  "49",
		SNI:           []string{"87901"},
		Address:       record.Address{Street: "Storgatan 12", PostalCode: "90326", City: "UMEÅ"},
		Registered:    date("2019-04-05"),
	})
	eq(t, "links", it.Links, record.Links{Addresses: []string{"STORGATAN 12|90326"}})
	all := sample(t, "scb-hamtaforetag.json")
	if !bytes.Contains(all, it.Raw) || !bytes.HasPrefix(it.Raw, []byte(`{"PeOrgNr"`)) {
		t.Errorf("Raw is not the row: %.60s", it.Raw)
	}
}

// SCB answers only the variables the account has ordered: a missing
// column or "*" makes the fact unknown and keeps the row; a code that is
// neither valid nor "*", or a row without a usable number, is quarantined.
func TestSCBNotOrdered(t *testing.T) {
	const file = "scb-hamtaforetag-koptavariabler.json"
	c := mustParse(t, record.SCB, "scb.json", sample(t, file))
	noColumn := func(col string) string { return col + ": not delivered by SCB (no such column)" }
	star := func(col string) string { return col + ": not ordered from SCB (*)" }
	noValue := func(col string) string { return col + ": no value in SCB's row" }
	tests := []struct {
		pos  string
		want record.TaxStatus
	}{
		{"scb.json:2", record.TaxStatus{Orgnr: "5591234561", Name: "Omsorgshuset Norr AB", Moms: 1, Employer: 1, SizeClass: 3,
			JuridiskForm: "49", SNI: []string{"87901"}, Registered: date("2019-04-05"),
			Address: record.Address{Street: "Storgatan 12", PostalCode: "90326", City: "UMEÅ"},
			Unknown: map[string]string{"fskatt": star("Fskattstatus")}}},
		{"scb.json:3", record.TaxStatus{Orgnr: "5560021361", Name: "Ängsgårdens Stödboende AB", SizeClass: 5, JuridiskForm: "49",
			SNI: []string{"88101", "87901"}, Address: record.Address{Street: "Ängsvägen 3", PostalCode: "12345", City: "ÅRE"},
			Unknown: map[string]string{"fskatt": noColumn("Fskattstatus"), "moms": noColumn("Momsstatus"), "employer": noColumn("Arbetsgivarstatus")}}},
		{"scb.json:4", record.TaxStatus{Orgnr: "9124001992", Name: "Tolk & Språk Handelsbolag", Moms: 1,
			Unknown: map[string]string{"fskatt": star("Fskattstatus"), "size_class": star("Stkl"), "sni": star("Bransch_2")}}},
		{"scb.json:5", record.TaxStatus{Orgnr: "6001011235", Name: "Anna Ek Omsorg", FSkatt: 1, SizeClass: 1, SNI: []string{"88102"},
			Unknown: map[string]string{"moms": noValue("Momsstatus"), "employer": noValue("Arbetsgivarstatus")}}},
	}
	got := map[string]record.Item{}
	for _, it := range c.items {
		got[it.Pos] = it
	}
	if len(got) != len(tests) {
		t.Errorf("records at %v, want %d", positions(c), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.pos, func(t *testing.T) {
			it, ok := got[tt.pos]
			if !ok {
				t.Fatalf("no record at %s (kept: %v)", tt.pos, positions(c))
			}
			eq(t, "tax status", it.Parsed, tt.want)
			if len(it.Raw) == 0 {
				t.Error("Raw is empty")
			}
		})
	}
	wantQuarantine(t, c, map[string]string{
		"scb.json:6": `Fskattstatus, kod: "J" is not a numeric status code`,
		"scb.json:7": `Momsstatus, kod: "**" is not a numeric status code`,
		"scb.json:8": "PeOrgNr: missing",
		"scb.json:9": "PeOrgNr",
	})
}

// scbJSONRow makes an SCB row with the given extra columns.
func scbJSONRow(peorgnr, extra string) string {
	s := `{"PeOrgNr":"` + peorgnr + `","Företagsnamn":"Bolag ","Fskattstatus, kod":"1","Momsstatus, kod":" 1","Arbetsgivarstatus, kod":"0 "`
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

func TestSCBQuirks(t *testing.T) {
	// Rows without the size class and industry columns: those facts are
	// unknown.
	notDelivered := map[string]string{"size_class": "Stkl: not delivered by SCB (no such column)", "sni": "Bransch_1: not delivered by SCB (no such column)"}
	tests := []struct {
		name    string
		row     string
		subject string
		want    record.TaxStatus
	}{
		{"padded codes, five SNI", scbJSONRow("165591234561", `"Stkl, kod":"10 ","Bransch_1, kod":"87901","Bransch_2, kod":"     ","Bransch_3, kod":"88101 ","Bransch_4, kod":"","Bransch_5, kod":"43210","Bolagsstatus, kod":" 1 ","PostNr":"903 26","PostAdress":"Gatan 1 ","COAdress":"c/o A","PostOrt":"UMEÅ"`),
			"5591234561", record.TaxStatus{Orgnr: "5591234561", Name: "Bolag", FSkatt: 1, Moms: 1, SizeClass: 10, CompanyStatus: "1",
				SNI: []string{"87901", "88101", "43210"}, Address: record.Address{Street: "Gatan 1", CO: "c/o A", PostalCode: "90326", City: "UMEÅ"}}},
		{"sole trader personnummer", scbJSONRow("196001011235", `"OrgNr":"6001011235","Registreringsdatum":"2015-01-01T00:00:00.000+00:00"`),
			"6001011235", record.TaxStatus{Orgnr: "6001011235", Name: "Bolag", FSkatt: 1, Moms: 1, Registered: date("2015-01-01"), Unknown: notDelivered}},
		{"numbers as numbers, missing size class", `{"PeOrgNr":165591234561,"Fskattstatus, kod":9,"Momsstatus, kod":9,"Arbetsgivarstatus, kod":4,"Stkl, kod":null}`,
			"5591234561", record.TaxStatus{Orgnr: "5591234561", FSkatt: 9, Moms: 9, Employer: 4,
				Unknown: map[string]string{"size_class": "Stkl: no value in SCB's row", "sni": notDelivered["sni"]}}},
		{"only OrgNr", `{"OrgNr":"559123-4561","Fskattstatus, kod":"0","Momsstatus, kod":"3","Arbetsgivarstatus, kod":"2"}`,
			"5591234561", record.TaxStatus{Orgnr: "5591234561", Moms: 3, Employer: 2, Unknown: notDelivered}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, record.SCB, "scb.json", []byte("\xEF\xBB\xBF["+tt.row+"]"))
			wantQuarantine(t, c, nil)
			if len(c.items) != 1 {
				t.Fatalf("%d records, want 1", len(c.items))
			}
			eq(t, "subject", c.items[0].Subject, tt.subject)
			eq(t, "tax status", c.items[0].Parsed, tt.want)
		})
	}
}

func TestSCBBroken(t *testing.T) {
	rows := []string{
		"[",
		scbJSONRow("165591234561", ""), // 2
		scbJSONRow("165591234561", `"Fskattstatus, kod":"J"`),                           // 3: duplicate key, refused
		scbJSONRow("165591234562", ""),                                                  // 4
		"  " + scbJSONRow("165560021361", `"Stkl, kod":"17"`),                           // 5
		scbJSONRow("165560021361", `"OrgNr":"5591234561"`),                              // 6
		`{"PeOrgNr":"165560021361","Momsstatus, kod":"1","Arbetsgivarstatus, kod":"1"}`, // 7
		scbJSONRow("165560021361", `"Registreringsdatum":"2019-02-30"`),                 // 8
		`"inte ett objekt"`,            // 9
		scbJSONRow("169124001992", ""), // 10
		"]",
		"[" + scbJSONRow("165560021361", "") + "]", // 12
	}
	text := rows[0] + "\n" + strings.Join(rows[1:10], ",\n") + "\n" + strings.Join(rows[10:], "\n")
	c := mustParse(t, record.SCB, "scb.json", []byte(text))
	eq(t, "positions", positions(c), []string{"scb.json:2", "scb.json:7", "scb.json:10", "scb.json:12"})
	// Line 7 has no F-skatt column: kept, its F-skatt unknown.
	eq(t, "line 7 unknown", c.items[1].Parsed.(record.TaxStatus).Unknown["fskatt"], "Fskattstatus: not delivered by SCB (no such column)")
	wantQuarantine(t, c, map[string]string{
		"scb.json:3": `Fskattstatus, kod given twice`,
		"scb.json:4": "PeOrgNr",
		"scb.json:5": "Stkl, kod: unknown status code 17",
		"scb.json:6": "OrgNr: 5591234561 does not match PeOrgNr 5560021361",
		"scb.json:8": "Registreringsdatum",
		"scb.json:9": "JSON string where an object is expected",
	})
}

func TestSCBBulkSample(t *testing.T) {
	c := mustParse(t, record.SCBBulk, "scb.txt", sample(t, "scb-bulkfil.txt"))
	wantQuarantine(t, c, nil)
	if len(c.items) != 2 {
		t.Fatalf("%d records, want 2", len(c.items))
	}
	ab, sole := c.items[0], c.items[1]
	eq(t, "ab item", []string{ab.Source, ab.Subject, ab.Key, ab.Pos}, []string{"scb-bulk", "5591234561", "", "scb.txt:2"})
	eq(t, "ab", ab.Parsed, record.Company{
		Orgnr: "5591234561", Name: "Omsorgshuset Norr AB", JuridiskForm: "49", Registered: date("2019-04-05"), Active: boolp(true),
		SNI: []string{"87901"}, Address: record.Address{Street: "Storgatan 12", PostalCode: "90326", City: "UMEÅ"},
	})
	eq(t, "ab links", ab.Links, record.Links{Addresses: []string{"STORGATAN 12|90326"}})
	// Raw is the row, decoded from ISO-8859-1.
	if !strings.Contains(string(ab.Raw), "\tUMEÅ\t") {
		t.Errorf("Raw = %q", ab.Raw)
	}
	eq(t, "sole trader item", []string{sole.Subject, sole.Pos}, []string{"6001011235", "scb.txt:3"})
	eq(t, "sole trader", sole.Parsed, record.Company{
		Orgnr: "6001011235", Name: "Anna Ek Omsorg", JuridiskForm: "10", Registered: date("2015-01-01"), Active: boolp(false),
		SNI: []string{"88102"}, Address: record.Address{Street: "Box 4", PostalCode: "97101", City: "LULEÅ"},
	})
}

// SCB's real JE bulk file: 34 named columns (values, then change flags
// m…), a tab ending every line, the header too, CRLF, ISO-8859-1, PeOrgNr
// with 10 and 12 digits. Every row imports.
func TestSCBBulkJEFile(t *testing.T) {
	data := sample(t, "scb-bulkfil-je.txt")
	header, _, _ := bytes.Cut(data, []byte("\r\n"))
	if n := len(bytes.Split(header, []byte("\t"))); n != 35 || !bytes.HasSuffix(header, []byte("\t")) {
		t.Fatalf("fixture header has %d fields, want 35 ending in a tab", n)
	}
	c := mustParse(t, record.SCBBulk, "je.txt", data)
	wantQuarantine(t, c, nil)
	tests := []struct {
		pos, subject string
		want         record.Company
	}{
		{"je.txt:2", "5591234561", record.Company{Orgnr: "5591234561", Name: "Omsorgshuset Norr AB", JuridiskForm: "49", Registered: date("2019-04-05"),
			Active: boolp(true), SNI: []string{"87901"}, Address: record.Address{Street: "Storgatan 12", PostalCode: "90326", City: "UMEÅ"}}},
		{"je.txt:3", "5560021361", record.Company{Orgnr: "5560021361", Name: "Ängsgårdens Stödboende AB", JuridiskForm: "49", Registered: date("2001-09-17"),
			Active: boolp(true), SNI: []string{"88101", "87901"}, Address: record.Address{Street: "Ängsvägen 3", CO: "c/o Öberg", PostalCode: "12345", City: "ÅRE"}}},
		{"je.txt:4", "6001011235", record.Company{Orgnr: "6001011235", Name: "Anna Ek Omsorg", JuridiskForm: "10", Registered: date("2015-01-01"),
			Active: boolp(false), SNI: []string{"88102"}, Address: record.Address{Street: "Box 4", PostalCode: "97101", City: "LULEÅ"}}},
		{"je.txt:5", "9124001992", record.Company{Orgnr: "9124001992", Name: "Tolk & Språk Handelsbolag", JuridiskForm: "31", Registered: date("2012-03-01"),
			Active: boolp(true), SNI: []string{"74300", "85599"}, Address: record.Address{Street: "Kyrkogatan 7", PostalCode: "21120", City: "MALMÖ"}}},
	}
	if len(c.items) != len(tests) {
		t.Fatalf("%d records at %v, want %d", len(c.items), positions(c), len(tests))
	}
	for i, tt := range tests {
		t.Run(tt.pos, func(t *testing.T) {
			it := c.items[i]
			eq(t, "item", []string{it.Source, it.Subject, it.Pos}, []string{record.SCBBulk, tt.subject, tt.pos})
			eq(t, "company", it.Parsed, tt.want)
			if bytes.ContainsAny(it.Raw, "\r") {
				t.Errorf("Raw keeps the CR: %q", it.Raw)
			}
		})
	}
}

// The trailing tab is tolerated wherever it is: a header without it over
// rows with it, and rows without it under a header with it. "*" is no
// status and no SNI code.
func TestSCBBulkTrailingTabAndStar(t *testing.T) {
	const hdr = "PeOrgNr\tForetagsnamn\tFtgStat\tJurForm\tNg1\tNg2\tNg3\tNg4\tNg5\tGatuadress\tPostNr\tPostOrt\tRegDatKtid"
	const vals = "165591234561\tBolag AB\t1\t49\t87901\t\t\t\t\tGatan 1\t11122\tORT\t20190405"
	want := record.Company{Orgnr: "5591234561", Name: "Bolag AB", JuridiskForm: "49", Registered: date("2019-04-05"), Active: boolp(true),
		SNI: []string{"87901"}, Address: record.Address{Street: "Gatan 1", PostalCode: "11122", City: "ORT"}}
	starred := want
	starred.Active, starred.SNI = nil, []string{"88101"}
	tests := []struct {
		name, text string
		want       record.Company
	}{
		{"header without, row with", hdr + "\r\n" + vals + "\t\r\n", want},
		{"header with, row without", hdr + "\t\r\n" + vals + "\r\n", want},
		{"both with, LF only", hdr + "\t\n" + vals + "\t\n", want},
		{"star", hdr + "\t\r\n" + "165591234561\tBolag AB\t*\t49\t*\t88101\t\t\t\tGatan 1\t11122\tORT\t20190405\t\r\n", starred},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, record.SCBBulk, "scb.txt", latin1(t, tt.text))
			wantQuarantine(t, c, nil)
			if len(c.items) != 1 {
				t.Fatalf("%d records, want 1", len(c.items))
			}
			eq(t, "company", c.items[0].Parsed, tt.want)
		})
	}
	// A non-empty extra field is still a broken row.
	c := mustParse(t, record.SCBBulk, "scb.txt", latin1(t, hdr+"\r\n"+vals+"\tx\r\n"))
	wantQuarantine(t, c, map[string]string{"scb.txt:2": "has 14 fields, want 13"})
}

const scbBulkHeader = "ForAndrTyp\tCOAdress\tForetagsnamn\tFtgStat\tGatuadress\tJEStat\tJurForm\tNamn\tNg1\tNg2\tNg3\tNg4\tNg5\tPeOrgNr\tPostNr\tPostOrt\tRegDatKtid\tReklamsparrtyp"

func latin1(t *testing.T, s string) []byte {
	t.Helper()
	b, err := charmap.ISO8859_1.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSCBBulkLatin1AndSNI(t *testing.T) {
	in := scbBulkHeader + "\r\n" +
		"\tc/o Öberg\tÅsa Öbergs Äldreomsorg\t1\tÄngsvägen 3\t1\t10\tÖberg, Åsa\t88101\t87901\t \t43210\t 86900 \t197505121231\t123 45\tÅRE\t\t\r\n"
	c := mustParse(t, record.SCBBulk, "scb.txt", latin1(t, in))
	wantQuarantine(t, c, nil)
	if len(c.items) != 1 {
		t.Fatalf("%d records, want 1", len(c.items))
	}
	eq(t, "company", c.items[0].Parsed, record.Company{
		Orgnr: "7505121231", Name: "Åsa Öbergs Äldreomsorg", JuridiskForm: "10", Active: boolp(true),
		SNI:     []string{"88101", "87901", "43210", "86900"},
		Address: record.Address{Street: "Ängsvägen 3", CO: "c/o Öberg", PostalCode: "12345", City: "ÅRE"},
	})
	eq(t, "links", c.items[0].Links.Addresses, []string{"ÄNGSVÄGEN 3|12345"})
}

func TestSCBBulkBroken(t *testing.T) {
	row := func(orgnr, ftgstat, reg string) string {
		return "\t\tBolag\t" + ftgstat + "\tGatan 1\t1\t49\t\t87901\t\t\t\t\t" + orgnr + "\t11122\tORT\t" + reg + "\t"
	}
	lines := []string{
		scbBulkHeader,
		row("165591234561", "1", "20190405"), // 2
		row("16559123456", "1", ""),          // 3
		row("165560021361", "A", ""),         // 4
		row("165560021361", "1", "20191305"), // 5
		"\tkort rad",                         // 6
		"",                                   // 7
		row("169124001992", "0", ""),         // 8
	}
	c := mustParse(t, record.SCBBulk, "scb.txt", latin1(t, strings.Join(lines, "\n")))
	eq(t, "positions", positions(c), []string{"scb.txt:2", "scb.txt:8"})
	wantQuarantine(t, c, map[string]string{
		"scb.txt:3": "PeOrgNr: \"16559123456\": has 11 digits",
		"scb.txt:4": `FtgStat: "A" is not a numeric status code`,
		"scb.txt:5": "RegDatKtid",
		"scb.txt:6": "has 2 fields, want 18",
	})
	_, err := parse(t, record.SCBBulk, "scb.txt", []byte(strings.Replace(scbBulkHeader, "FtgStat", "FtgStatus", 1)+"\n"))
	if err == nil || !strings.Contains(err.Error(), `missing column "FtgStat"`) {
		t.Errorf("err = %v, want a missing column", err)
	}
}

// TestSCBPositions checks the line of every row of a long array whose rows
// are spread over lines unevenly, across the decoder's buffer boundaries.
func TestSCBPositions(t *testing.T) {
	var b strings.Builder
	b.WriteString("[\n")
	var want []string
	line := 2
	for i := 0; i < 3000; i++ {
		if i > 0 {
			b.WriteString(",")
			for j := 0; j < i%4; j++ {
				b.WriteString("\n")
				line++
			}
			b.WriteString(strings.Repeat(" ", i%7))
		}
		want = append(want, "scb.json:"+strconv.Itoa(line))
		b.WriteString(scbJSONRow("165591234561", `"PostAdress":"Gatan `+strconv.Itoa(i)+`"`))
	}
	b.WriteString("\n]\n")
	c := mustParse(t, record.SCB, "scb.json", []byte(b.String()))
	wantQuarantine(t, c, nil)
	eq(t, "positions", positions(c), want)
}
