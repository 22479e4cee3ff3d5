package formats

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
)

// The cases of shared/formats/README.md "Corrections from the real
// services": what the real Bolagsverket answers and bulk file showed.

func TestBolagsverketFinnsEjPerProducer(t *testing.T) {
	c := mustParse(t, record.Bolagsverket, "scb-finns-ej.json", sample(t, "bolagsverket-scb-finns-ej.json"))
	wantQuarantine(t, c, nil)
	if len(c.items) != 1 {
		t.Fatalf("%d records, want 1", len(c.items))
	}
	it := c.items[0]
	eq(t, "item", []string{it.Subject, it.SourceError}, []string{"5567223705", ""})
	scb := func(field string) string { return "SCB: ORGANISATION_FINNS_EJ (" + field + ")" }
	eq(t, "company", it.Parsed, record.Company{
		Orgnr:              "5567223705",
		Name:               "Vårdbolaget Syd AB",
		Form:               "AB",
		Registered:         date("2021-03-01"),
		Deregistered:       date("2026-09-30"),
		DeregisteredReason: "KKAV",
		Proceedings:        []record.Proceeding{{Code: "KK", From: date("2026-04-14")}},
		Description:        "Bedriva hem för vård eller boende.",
		Address:            record.Address{Street: "Industrigatan 4", PostalCode: "21214", City: "MALMÖ", Country: "Sverige"},
		Unknown:            map[string]string{"juridisk_form": scb("juridiskForm"), "active": scb("verksamOrganisation"), "sni": scb("naringsgrenOrganisation")},
	})
}

func TestBolagsverketNotFound(t *testing.T) {
	finnsEj := `{"typ":"ORGANISATION_FINNS_EJ","felBeskrivning":"x"}`
	tests := []struct {
		name string
		org  string
		want bool
	}{
		{"every wrapper present says FINNS_EJ", bvOrg("5560021361", "ORGNR",
			`"organisationsnamn":{"organisationsnamnLista":null,"dataproducent":"Bolagsverket","fel":`+finnsEj+`},`+
				`"juridiskForm":{"kod":null,"dataproducent":"SCB","fel":`+finnsEj+`}`), true},
		{"the organisation's own fel", bvOrg("5560021361", "ORGNR", `"fel":`+finnsEj), true},
		{"only SCB's wrappers say FINNS_EJ", bvOrg("5560021361", "ORGNR",
			`"organisationsnamn":{"organisationsnamnLista":[{"namn":"A AB"}],"dataproducent":"Bolagsverket","fel":null},`+
				`"juridiskForm":{"kod":null,"dataproducent":"SCB","fel":`+finnsEj+`}`), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, record.Bolagsverket, "b.json", []byte(bvDoc(tt.org)))
			wantQuarantine(t, c, nil)
			if len(c.items) != 1 {
				t.Fatalf("%d records, want 1", len(c.items))
			}
			co := c.items[0].Parsed.(record.Company)
			if co.NotFound != tt.want {
				t.Errorf("NotFound = %v, want %v (%+v)", co.NotFound, tt.want, co)
			}
			if !tt.want && co.Name != "A AB" {
				t.Errorf("Name = %q: Bolagsverket's facts lost", co.Name)
			}
		})
	}
}

func TestBolagsverketAnswerWithoutIdentity(t *testing.T) {
	data := sample(t, "bolagsverket-otillganglig-utan-identitet.json")
	asked := ident.MustOrg("5560021361")

	// With the organisation asked for: a source error for it, never a
	// quarantine.
	c, err := parseOpt(t, record.Bolagsverket, data, Options{Name: "req-1", Persons: testPersons, Orgnr: asked})
	if err != nil {
		t.Fatal(err)
	}
	wantQuarantine(t, c, nil)
	if len(c.items) != 1 {
		t.Fatalf("%d records, want 1", len(c.items))
	}
	it := c.items[0]
	if it.Subject != "5560021361" || !strings.Contains(it.SourceError, "OTILLGANGLIG_UPPGIFTSKALLA") {
		t.Errorf("item %s, source error %q; want 5560021361 with OTILLGANGLIG_UPPGIFTSKALLA", it.Subject, it.SourceError)
	}

	// A not-found answer without identity is the asked organisation's.
	c, err = parseOpt(t, record.Bolagsverket, []byte(`{"organisationer":[{"organisationsidentitet":null,"organisationsnamn":{"organisationsnamnLista":null,"dataproducent":"Bolagsverket","fel":{"typ":"ORGANISATION_FINNS_EJ"}}}]}`),
		Options{Name: "req-2", Persons: testPersons, Orgnr: asked})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.items) != 1 || !c.items[0].Parsed.(record.Company).NotFound || c.items[0].Subject != "5560021361" {
		t.Errorf("items %+v, want 5560021361 not found", c.items)
	}

	// An answer without identity whose fields are all there is still not
	// trusted as facts.
	c, err = parseOpt(t, record.Bolagsverket, []byte(`{"organisationer":[{"organisationsidentitet":null,"organisationsnamn":{"organisationsnamnLista":[{"namn":"X AB"}],"dataproducent":"Bolagsverket","fel":null}}]}`),
		Options{Name: "req-3", Persons: testPersons, Orgnr: asked})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.items) != 1 || c.items[0].SourceError == "" {
		t.Errorf("items %+v, want one with a source error", c.items)
	}

	// Without knowing what was asked, nothing can be keyed: a quarantine
	// that says how to give the number.
	c, err = parseOpt(t, record.Bolagsverket, data, Options{Name: "file.json", Persons: testPersons})
	if err != nil {
		t.Fatal(err)
	}
	wantQuarantine(t, c, map[string]string{"file.json:1": "organisationsidentitet: missing, and the organisation asked for is not known (give it with --orgnr"})
}

func TestBolagsverketProceedingsSpellings(t *testing.T) {
	for _, key := range []string{"pagaende", "pagande"} {
		t.Run(key, func(t *testing.T) {
			w := key + "AvvecklingsEllerOmstruktureringsforfarande"
			in := bvDoc(bvOrg("5591234561", "ORGNR", `"`+w+`":{"`+w+`Lista":[{"kod":"KK","klartext":"Konkurs","fromDatum":"2024-01-26"},{"kod":"LI","fromDatum":"2024-05-26"}],"dataproducent":"Bolagsverket","fel":null}`))
			c := mustParse(t, record.Bolagsverket, "b.json", []byte(in))
			wantQuarantine(t, c, nil)
			eq(t, "proceedings", c.items[0].Parsed.(record.Company).Proceedings,
				[]record.Proceeding{{Code: "KK", From: date("2024-01-26")}, {Code: "LI", From: date("2024-05-26")}})
		})
	}
}

func TestBolagsverketTypKodNotTrusted(t *testing.T) {
	// A sole trader sent with typ.kod ORGNR is still a sole trader, and an
	// organisation sent with PERSON is not one: the number decides.
	c := mustParse(t, record.Bolagsverket, "b.json", []byte(bvDoc(bvOrg("196001011235", "ORGNR", ""), bvOrg("5591234561", "PERSON", ""))))
	wantQuarantine(t, c, nil)
	if len(c.items) != 2 {
		t.Fatalf("%d records, want 2", len(c.items))
	}
	if c.items[0].Parsed.(record.Company).Owner == nil {
		t.Error("sole trader sent as ORGNR has no owner")
	}
	if c.items[1].Parsed.(record.Company).Owner != nil {
		t.Error("organisation sent as PERSON got an owner")
	}
}

func TestBolagsverketBulkEndedProceedings(t *testing.T) {
	var logged bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logged, nil))
	data := sample(t, "bolagsverket-bulkfil-avslutade.txt")
	c, err := parseOpt(t, record.BolagsverketBulk, append(append([]byte(nil), data...), data[bytes.IndexByte(data, '\n')+1:]...),
		Options{Name: "bulk.txt", Persons: testPersons, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	wantQuarantine(t, c, nil)
	if len(c.items) != 10 {
		t.Fatalf("%d records, want 10 (the file twice)", len(c.items))
	}
	got := map[string][]record.Proceeding{}
	for _, it := range c.items[:5] {
		got[it.Subject] = it.Parsed.(record.Company).Proceedings
	}
	eq(t, "proceedings", got, map[string][]record.Proceeding{
		"5568110208": {{Code: "KK", Raw: "KKAVOV", Ended: true}},
		"5568110216": {{Code: "FR", Raw: "FRUHOR", From: date("2024-06-01"), Ended: true}},
		"5568110224": {{Code: "LI", Raw: "LIUHAVD", Ended: true}, {Code: "KK"}},
		"5568110232": {{Code: "QQNY", Raw: "QQNY", Unrecognised: true, From: date("2026-01-15")}},
		"5568110240": {{Code: "KK", From: date("2026-10-23")}},
	})
	// The unknown code is logged once per parse, however often it occurs.
	if n := strings.Count(logged.String(), "unknown proceeding code"); n != 1 || !strings.Contains(logged.String(), "code=QQNY") {
		t.Errorf("logged %d notes of the unknown code, want 1:\n%s", n, logged.String())
	}
}

func TestNaringsforbudLookupWithoutBan(t *testing.T) {
	in := `{"person_id":"198211304327","typ":"inget","beslutad_av":"Bolagsverket"}
{"person_id":"198211304327","fran":"2026-05-01","typ":"inget"}
{"person_id":"198211304327","fran":"2026-05-01","till":"2031-05-01","typ":"naringsforbud","beslutad_av":"Malmö tingsrätt"}
`
	c := mustParse(t, record.Naringsforbud, "nf.jsonl", []byte(in))
	wantQuarantine(t, c, map[string]string{"nf.jsonl:2": `typ: "inget" (no ban) takes no fran or till`})
	if len(c.items) != 2 {
		t.Fatalf("%d records, want 2", len(c.items))
	}
	b := c.items[0].Parsed.(record.Ban)
	if c.items[0].Key != record.NoBan || b.Type != record.NoBan || !b.From.IsZero() {
		t.Errorf("look-up without ban: key %q, %+v", c.items[0].Key, b)
	}
	if strings.Contains(string(c.items[0].Raw), "198211304327") {
		t.Error("the person number reached the record")
	}
}
