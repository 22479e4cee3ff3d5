package formats

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/record"
)

func TestBolagsverketSample(t *testing.T) {
	c := mustParse(t, record.Bolagsverket, "org.json", sample(t, "bolagsverket-organisationer.json"))
	wantQuarantine(t, c, nil)
	if len(c.items) != 1 {
		t.Fatalf("%d records, want 1", len(c.items))
	}
	it := c.items[0]
	eq(t, "item", []string{it.Source, it.Subject, it.Key, it.Pos, it.SourceError}, []string{"bolagsverket", "5591234561", "", "org.json:1", ""})
	eq(t, "company", it.Parsed, record.Company{
		Orgnr:        "5591234561",
		Name:         "Omsorgshuset Norr AB",
		Form:         "AB",
		JuridiskForm: "49",
		Registered:   date("2019-04-02"),
		Active:       boolp(true),
		Proceedings:  []record.Proceeding{{Code: "KK", From: date("2025-11-03")}},
		SNI:          []string{"87901"},
		Description:  "Bedriva HVB för barn och unga", // trailing space trimmed
		Address:      record.Address{Street: "Storgatan 12", PostalCode: "90326", City: "UMEÅ"},
	})
	eq(t, "links", it.Links, record.Links{Addresses: []string{"STORGATAN 12|90326"}})
	// Raw is the organisation object, verbatim.
	all := sample(t, "bolagsverket-organisationer.json")
	if !bytes.HasPrefix(it.Raw, []byte("{\n \"organisationsidentitet\"")) || !bytes.Contains(all, it.Raw) || !json.Valid(it.Raw) {
		t.Errorf("Raw is not the organisation object: %.80s", it.Raw)
	}
	if _, ok := it.Parsed.(record.Company); !ok {
		t.Errorf("Parsed is %T, want record.Company", it.Parsed)
	}
}

func TestBolagsverketNotFoundSample(t *testing.T) {
	c := mustParse(t, record.Bolagsverket, "finns-ej.json", sample(t, "bolagsverket-organisationer-finns-ej.json"))
	wantQuarantine(t, c, nil)
	if len(c.items) != 1 {
		t.Fatalf("%d records, want 1", len(c.items))
	}
	it := c.items[0]
	eq(t, "item", []string{it.Subject, it.Key, it.Pos, it.SourceError}, []string{"5560021361", "", "finns-ej.json:1", ""})
	eq(t, "company", it.Parsed, record.Company{Orgnr: "5560021361", NotFound: true})
}

// bvOrg builds an organisation object with the given identity and fields.
func bvOrg(id, kod, fields string) string {
	s := `{"organisationsidentitet":{"identitetsbeteckning":"` + id + `","typ":{"kod":"` + kod + `","klartext":"x"}}`
	if fields != "" {
		s += "," + fields
	}
	return s + "}"
}

func bvDoc(orgs ...string) string { return `{"organisationer":[` + strings.Join(orgs, ",") + `]}` }

func TestBolagsverketQuirks(t *testing.T) {
	timeout := `"juridiskForm":{"kod":null,"klartext":null,"dataproducent":"SCB","fel":{"typ":"TIMEOUT","felBeskrivning":"Tidsgränsen överskreds"}}`
	tests := []struct {
		name    string
		in      string
		subject string
		key     string
		srcErr  string
		want    record.Company
	}{
		{"trailing spaces and both date forms", bvDoc(bvOrg("5591234561", "ORGNR",
			`"organisationsnamn":{"organisationsnamnLista":[{"namn":"Bifirma  ","organisationsnamntyp":{"kod":"BIFIRMA"}},{"namn":"Bolaget AB   ","organisationsnamntyp":{"kod":"FORETAGSNAMN"}}],"dataproducent":"Bolagsverket","fel":null},`+
				`"organisationsform":{"kod":"AB  ","klartext":"Aktiebolag","dataproducent":"Bolagsverket","fel":null},`+
				`"organisationsdatum":{"registreringsdatum":"2023-05-05T00:00:00.000+00:00","dataproducent":"Bolagsverket","fel":null},`+
				`"avregistreradOrganisation":{"avregistreringsdatum":"2024-01-31","dataproducent":"Bolagsverket","fel":null},`+
				`"avregistreringsorsak":{"kod":"LIK","klartext":"Likvidation","dataproducent":"Bolagsverket","fel":null},`+
				`"verksamOrganisation":{"kod":"NEJ","dataproducent":"SCB","fel":null}`)),
			"5591234561", "", "", record.Company{Orgnr: "5591234561", Name: "Bolaget AB", Form: "AB", Registered: date("2023-05-05"),
				Deregistered: date("2024-01-31"), DeregisteredReason: "LIK", Active: boolp(false)}},
		{"null proceedings", bvDoc(bvOrg("5591234561", "ORGNR", `"pagaendeAvvecklingsEllerOmstruktureringsforfarande":null`)),
			"5591234561", "", "", record.Company{Orgnr: "5591234561"}},
		{"empty proceedings list", bvDoc(bvOrg("5591234561", "ORGNR", `"pagaendeAvvecklingsEllerOmstruktureringsforfarande":{"pagaendeAvvecklingsEllerOmstruktureringsforfarandeLista":[],"dataproducent":"Bolagsverket","fel":null}`)),
			"5591234561", "", "", record.Company{Orgnr: "5591234561"}},
		{"null proceedings list", bvDoc(bvOrg("5591234561", "ORGNR", `"pagaendeAvvecklingsEllerOmstruktureringsforfarande":{"pagaendeAvvecklingsEllerOmstruktureringsforfarandeLista":null,"dataproducent":"Bolagsverket","fel":null}`)),
			"5591234561", "", "", record.Company{Orgnr: "5591234561"}},
		{"proceedings codes and timestamp date", bvDoc(bvOrg("5591234561", "ORGNR", `"pagaendeAvvecklingsEllerOmstruktureringsforfarande":{"pagaendeAvvecklingsEllerOmstruktureringsforfarandeLista":[{"kod":"LI","klartext":"Likvidation","fromDatum":"2024-02-01T00:00:00.000+00:00"},{"kod":"FR","klartext":"Företagsrekonstruktion","fromDatum":"2024-03-01"},{"kod":"DEOL","klartext":"x","fromDatum":null}],"dataproducent":"Bolagsverket","fel":null}`)),
			"5591234561", "", "", record.Company{Orgnr: "5591234561", Proceedings: []record.Proceeding{{Code: "LI", From: date("2024-02-01")}, {Code: "FR", From: date("2024-03-01")}, {Code: "DEOL"}}}},
		{"five SNI slots, padded codes", bvDoc(bvOrg("5591234561", "ORGNR", `"naringsgrenOrganisation":{"sni":[{"kod":"87901","klartext":"a"},{"kod":"     ","klartext":""},{"kod":"88101 ","klartext":"b"},{"kod":"     ","klartext":""},{"kod":"     ","klartext":""}],"dataproducent":"SCB","fel":null}`)),
			"5591234561", "", "", record.Company{Orgnr: "5591234561", SNI: []string{"87901", "88101"}}},
		{"sole trader with lopnr", bvDoc(bvOrg("196001011235", "PERSON", `"namnskyddslopnummer":2,"organisationsnamn":{"organisationsnamnLista":[{"namn":"Anna Ek Omsorg","organisationsnamntyp":{"kod":"FORETAGSNAMN"}}],"dataproducent":"Bolagsverket","fel":null}`)),
			"6001011235", "2", "", record.Company{Orgnr: "6001011235", Lopnr: "2", Name: "Anna Ek Omsorg", Owner: soleTraderOwner()}},
		{"ORGANISATION_FINNS_EJ at the organisation", bvDoc(bvOrg("5591234561", "ORGNR", `"fel":{"typ":"ORGANISATION_FINNS_EJ","felBeskrivning":"finns ej"}`)),
			"5591234561", "", "", record.Company{Orgnr: "5591234561", NotFound: true}},
		{"OTILLGANGLIG_UPPGIFTSKALLA in a field", bvDoc(bvOrg("5591234561", "ORGNR", `"verksamOrganisation":{"kod":null,"dataproducent":"SCB","fel":{"typ":"OTILLGANGLIG_UPPGIFTSKALLA","felBeskrivning":"SCB svarar inte"}},"organisationsform":{"kod":"AB","dataproducent":"Bolagsverket","fel":null}`)),
			"5591234561", "", "OTILLGANGLIG_UPPGIFTSKALLA: SCB svarar inte", record.Company{Orgnr: "5591234561", Form: "AB"}},
		{"TIMEOUT in a field", bvDoc(bvOrg("5591234561", "ORGNR", timeout)),
			"5591234561", "", "TIMEOUT: Tidsgränsen överskreds", record.Company{Orgnr: "5591234561"}},
		{"TIMEOUT at the top", bvDoc(bvOrg("5591234561", "ORGNR", `"fel":{"typ":"TIMEOUT"}`)),
			"5591234561", "", "TIMEOUT", record.Company{Orgnr: "5591234561"}},
		{"BOM", "\xEF\xBB\xBF" + bvDoc(bvOrg("559123-4561", "ORGNR", "")),
			"5591234561", "", "", record.Company{Orgnr: "5591234561"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, record.Bolagsverket, "b.json", []byte(tt.in))
			wantQuarantine(t, c, nil)
			if len(c.items) != 1 {
				t.Fatalf("%d records, want 1", len(c.items))
			}
			it := c.items[0]
			eq(t, "item", []string{it.Subject, it.Key, it.SourceError, it.Pos}, []string{tt.subject, tt.key, tt.srcErr, "b.json:1"})
			eq(t, "company", it.Parsed, tt.want)
		})
	}
}

func TestBolagsverketSoleTraderSeveralLopnr(t *testing.T) {
	name := func(n string) string {
		return `"organisationsnamn":{"organisationsnamnLista":[{"namn":"` + n + `","organisationsnamntyp":{"kod":"FORETAGSNAMN"}}],"dataproducent":"Bolagsverket","fel":null}`
	}
	in := bvDoc(
		bvOrg("196001011235", "PERSON", `"namnskyddslopnummer":1,`+name("Anna Ek Omsorg")),
		bvOrg("196001011235", "PERSON", `"namnskyddslopnummer":"2",`+name("Anna Eks Städ")),
	)
	c := mustParse(t, record.Bolagsverket, "b.json", []byte(in))
	wantQuarantine(t, c, nil)
	var got [][3]string
	for _, it := range c.items {
		got = append(got, [3]string{it.Subject, it.Key, it.Parsed.(record.Company).Name})
	}
	eq(t, "records", got, [][3]string{{"6001011235", "1", "Anna Ek Omsorg"}, {"6001011235", "2", "Anna Eks Städ"}})
}

func TestBolagsverketDocuments(t *testing.T) {
	// Several responses concatenated, one per line, and pretty-printed;
	// bad organisations among good ones.
	lines := []string{
		bvDoc(bvOrg("5591234561", "ORGNR", "")),
		bvDoc(bvOrg("5560021361", "ORGNR", "")),
		"",
		`{"organisationer": [`,
		"  " + bvOrg("9124001992", "ORGNR", "") + ",",
		"  " + bvOrg("5591234561", "ORGNR", `"fel":{"typ":"OGILTIG_BEGARAN","felBeskrivning":"Ogiltig"}`) + ",",
		"",
		"  " + bvOrg("5591234561", "ORGNR", `"verksamOrganisation":{"kod":"KANSKE","dataproducent":"SCB","fel":null}`) + ",",
		bvOrg("5591234561", "ORGNR", `"juridiskForm":{"kod":"49","dataproducent":"SCB","fel":{"typ":"NY_TYP"}}`),
		"]}",
		`{"organisationer":null}`,
		`{"organisationer":[` + bvOrg("5591234562", "ORGNR", "") + ",",
		bvOrg("5591234561", "ORGNR", `"verksamOrganisation":{"kod":["JA"]}`) + "]}",
		bvDoc(bvOrg("5591234561", "ORGNR", `"organisationsdatum":{"registreringsdatum":"2019-13-01"}`)),
		bvDoc(bvOrg("5591234561", "ORGNR", `"pagaendeAvvecklingsEllerOmstruktureringsforfarande":{"pagaendeAvvecklingsEllerOmstruktureringsforfarandeLista":[{"kod":"XX"}]}`)),
		bvDoc(bvOrg("5591234561", "ORGNR", "")),
	}
	c := mustParse(t, record.Bolagsverket, "b.json", []byte(strings.Join(lines, "\n")))
	eq(t, "positions", positions(c), []string{"b.json:1", "b.json:2", "b.json:5", "b.json:15", "b.json:16"})
	wantQuarantine(t, c, map[string]string{
		"b.json:6":  "fel.typ: OGILTIG_BEGARAN: Ogiltig",
		"b.json:8":  `verksamOrganisation.kod: unknown value "KANSKE"`,
		"b.json:9":  `juridiskForm.fel.typ: unknown value "NY_TYP"`,
		"b.json:12": "organisationsidentitet.identitetsbeteckning",
		"b.json:13": "verksamOrganisation.kod: JSON array",
		"b.json:14": "organisationsdatum.registreringsdatum",
	})
	for _, q := range c.quars {
		if !json.Valid(q.Raw) || !bytes.HasPrefix(q.Raw, []byte(`{"organisationsidentitet"`)) {
			t.Errorf("quarantine %s: Raw is not the organisation object: %s", q.Pos, q.Raw)
		}
	}
}

func TestBolagsverketBrokenJSON(t *testing.T) {
	in := bvDoc(bvOrg("5591234561", "ORGNR", "")) + "\n" +
		`{"organisationer":[` + "\n" + bvOrg("5560021361", "ORGNR", "") + ",\n" + `{"organisationsidentitet":{` + "\n" + `"x": }]}` + "\n" +
		bvDoc(bvOrg("9124001992", "ORGNR", ""))
	c := mustParse(t, record.Bolagsverket, "b.json", []byte(in))
	// The decoder cannot resynchronise: what came before is kept, the
	// error is quarantined where it was found.
	eq(t, "positions", positions(c), []string{"b.json:1", "b.json:3"})
	wantQuarantine(t, c, map[string]string{"b.json:5": "invalid JSON"})

	c = mustParse(t, record.Bolagsverket, "b.json", []byte(`{"organisationer":[`+bvOrg("5591234561", "ORGNR", "")))
	eq(t, "positions", positions(c), []string{"b.json:1"})
	wantQuarantine(t, c, map[string]string{"b.json:1": "unexpected end"})

	c = mustParse(t, record.Bolagsverket, "b.json", []byte(`{"type":"about:blank","status":400,"title":"Bad Request","detail":"Ogiltigt organisationsnummer"}`))
	wantQuarantine(t, c, map[string]string{"b.json:1": "error response: status 400, title Bad Request"})

	c = mustParse(t, record.Bolagsverket, "b.json", []byte(`["x"]`))
	wantQuarantine(t, c, map[string]string{"b.json:1": `response: want "{"`})
}
