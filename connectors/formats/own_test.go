package formats

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
)

func TestOwnFormatSamples(t *testing.T) {
	erik := pseudonym(t, "197505121231")
	sara := pseudonym(t, "198211304327")
	ali := pseudonym(t, "196907664459")
	type rec struct {
		subject, key string
		parsed       any
		links        record.Links
	}
	tests := []struct {
		source, file string
		want         []rec
	}{
		{record.Kronofogden, "kronofogden.jsonl", []rec{{"5591234561", "", record.Enforcement{
			Orgnr: "5591234561", AsOf: date("2026-10-01"), Public: record.Claims{Count: 3, AmountSEK: 184500}, Private: record.Claims{Count: 1, AmountSEK: 12000},
			PaymentOrders12m: 2, Document: "kfm_5591234561_20261001.pdf"}, record.Links{}}}},
		{record.IVO, "ivo-tillstand.csv", []rec{{"5591234561", "hvb_barn/Norrgården", record.Permit{
			Orgnr: "5591234561", Huvudman: "Omsorgshuset Norr AB", Name: "Norrgården", Type: "hvb_barn", Lagrum: "SoL", Malgrupp: "Barn och unga 13-17 år",
			Places: 8, Address: "Storgatan 12, 90326 Umeå", Kommunkod: "2480", Date: date("2019-09-01"), Status: "giltigt"},
			record.Links{Addresses: []string{"STORGATAN 12|90326"}}}}},
		{record.IVOBeslut, "ivo-beslut.jsonl", []rec{{"5591234561", "3.5.1-01234/2026", record.Decision{
			Orgnr: "5591234561", Date: date("2026-02-14"), Type: "forelaggande", Diarienummer: "3.5.1-01234/2026", Text: "Föreläggande om bemanning nattetid"}, record.Links{}}}},
		{record.Arbetsmiljoverket, "arbetsmiljoverket.jsonl", []rec{{"5591234561", "2025/012345", record.Decision{
			Orgnr: "5591234561", Date: date("2025-09-30"), Type: "sanktionsavgift", Diarienummer: "2025/012345", AmountSEK: 50000, Text: "Brister i riskbedömning hot och våld"}, record.Links{}}}},
		{record.Roles, "roles.jsonl", []rec{
			{"5591234561", erik + "/ordforande/2019-04-02", record.Role{Orgnr: "5591234561", Person: record.PersonRef{ID: erik, Name: "Erik Lind", BirthYear: 1975},
				Role: "ordforande", From: date("2019-04-02")}, record.Links{Persons: []string{erik}}},
			{"5591234561", sara + "/vd/2021-01-15", record.Role{Orgnr: "5591234561", Person: record.PersonRef{ID: sara, Name: "Sara Holm", BirthYear: 1982},
				Role: "vd", From: date("2021-01-15")}, record.Links{Persons: []string{sara}}},
			{"5591234561", ali + "/suppleant/2019-04-02", record.Role{Orgnr: "5591234561", Person: record.PersonRef{ID: ali, Name: "Ali Noor", BirthYear: 1969, Coordination: true},
				Role: "suppleant", From: date("2019-04-02"), To: date("2024-03-01")}, record.Links{Persons: []string{ali}}},
		}},
		{record.Huvudman, "huvudman.jsonl", []rec{{"5591234561", "", record.Owners{Orgnr: "5591234561", AsOf: date("2026-10-01"), Owners: []record.Owner{
			{Person: record.PersonRef{ID: erik, Name: "Erik Lind", BirthYear: 1975}, Share: "mer än 75 %"}}}, record.Links{Persons: []string{erik}}}}},
		{record.Naringsforbud, "naringsforbud.jsonl", []rec{{record.PersonSubjectPrefix + sara, "2026-05-01", record.Ban{
			Person: record.PersonRef{ID: sara, BirthYear: 1982}, From: date("2026-05-01"), To: date("2031-05-01"), Type: "naringsforbud", DecidedBy: "Malmö tingsrätt"},
			record.Links{Persons: []string{sara}}}}},
		{record.Contracts, "avtal.csv", []rec{{"5591234561", "ASN-2024-1001", record.Contract{
			ID: "ASN-2024-1001", Orgnr: "5591234561", Supplier: "Omsorgshuset Norr AB", Category: "hvb_barn", Owner: "skanes_kommuner",
			Start: date("2024-05-01"), End: date("2026-04-30"), EstimatedSEK: 12000000, Places: 4, DailyPrice: 4200, Address: "Storgatan 12, 90326 Umeå"},
			record.Links{Addresses: []string{"STORGATAN 12|90326"}}}}},
		{record.Invoices, "fakturor.csv", []rec{{"5591234561", "F-2026-000123", record.Invoice{
			ID: "F-2026-000123", Orgnr: "5591234561", Supplier: "Omsorgshuset Norr AB", Date: date("2026-09-30"), AmountSEK: 504000,
			ContractID: "ASN-2024-1001", Category: "hvb_barn", CareDays: 120}, record.Links{}}}},
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			data := sample(t, tt.file)
			c := mustParse(t, tt.source, tt.file, data)
			wantQuarantine(t, c, nil)
			if len(c.items) != len(tt.want) {
				t.Fatalf("%d records, want %d", len(c.items), len(tt.want))
			}
			lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
			csv := strings.HasSuffix(tt.file, ".csv")
			for i, w := range tt.want {
				it := c.items[i]
				line := i + 1
				if csv {
					line++ // the header
				}
				eq(t, "item", []string{it.Source, it.Subject, it.Key, it.Pos},
					[]string{tt.source, w.subject, w.key, tt.file + ":" + strconv.Itoa(line)})
				eq(t, "parsed", it.Parsed, w.parsed)
				eq(t, "links", it.Links, w.links)
				if len(w.links.Persons) == 0 && string(it.Raw) != lines[line-1] {
					t.Errorf("Raw = %s, want the line %s", it.Raw, lines[line-1])
				}
			}
		})
	}
}

func TestPersonRawPseudonymised(t *testing.T) {
	data := sample(t, "roles.jsonl")
	c := mustParse(t, record.Roles, "roles.jsonl", data)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	for i, pnr := range []string{"197505121231", "198211304327", "196907664459"} {
		want := strings.Replace(lines[i], pnr, pseudonym(t, pnr), 1)
		if string(c.items[i].Raw) != want {
			t.Errorf("Raw = %s, want %s", c.items[i].Raw, want)
		}
	}
	// Escaped and hyphenated forms are replaced too.
	in := `{"orgnr":"5591234561","person_id":"19750512-123\u0031","namn":"Erik Lind","roll":"vd","fran":"2019-04-02","till":null}`
	c = mustParse(t, record.Roles, "r.jsonl", []byte(in))
	want := `{"orgnr":"5591234561","person_id":"` + pseudonym(t, "197505121231") + `","namn":"Erik Lind","roll":"vd","fran":"2019-04-02","till":null}`
	if len(c.items) != 1 || string(c.items[0].Raw) != want {
		t.Fatalf("got %d records, Raw %s, want %s", len(c.items), c.items[0].Raw, want)
	}
}

func TestOwnFormatsBroken(t *testing.T) {
	const org = `"orgnr":"5591234561"`
	kf := func(s string) string {
		return `{` + s + `,"per_datum":"2026-10-01","allmanna_mal":{"antal":3,"belopp_sek":184500},"enskilda_mal":{"antal":1,"belopp_sek":12000},"betalningsforelagganden_12m":2,"konkursansokan":false,"foretagsrekonstruktion":false,"dokument":"a.pdf"}`
	}
	dec := func(typ, extra string) string {
		return `{` + org + `,"datum":"2026-02-14","typ":"` + typ + `","diarienummer":"1/2026"` + extra + `}`
	}
	role := func(pnr, roll, fran string) string {
		return `{` + org + `,"person_id":"` + pnr + `","namn":"Erik Lind","roll":"` + roll + `","fran":"` + fran + `","till":null}`
	}
	ivoHead := "orgnr;huvudman;verksamhetsnamn;verksamhetstyp;lagrum;malgrupp;platser;besoksadress;kommunkod;tillstandsdatum;status"
	ivoRow := func(orgnr, platser, status string) string {
		return orgnr + ";Bolaget;Gården;hvb_barn;SoL;Barn;" + platser + ";Gatan 1, 11122 Ort;2480;2019-09-01;" + status
	}
	avtalHead := "avtal_id;orgnr;leverantor;kategori;avtalsagare;startdatum;slutdatum;uppskattat_varde_sek;platser;dygnspris_sek;adress"
	avtal := func(id, kat, agare, start, varde string) string {
		return id + ";5591234561;Bolaget;" + kat + ";" + agare + ";" + start + ";2026-04-30;" + varde + ";4;4200;\"Gatan 1; uppgång B, 11122 Ort\""
	}
	fakHead := "faktura_id;orgnr;leverantor;fakturadatum;belopp_sek;avtal_id;kategori;dygn"
	tests := []struct {
		source string
		lines  []string
		good   []int          // lines of accepted records
		bad    map[int]string // line: part of the reason
	}{
		{record.Kronofogden, []string{
			kf(org),
			kf(`"orgnr":"559123456"`),
			`{"orgnr":"5591234561","per_datum":"2026-10-01","allmanna_mal":{"antal":-1,"belopp_sek":0}}`,
			`{"orgnr":"5591234561","per_datum":"2026-10-01","enskilda_mal":{"antal":1,"belopp_sek":-5}}`,
			`{"orgnr":"5591234561","per_datum":"2026-10-01","allmana_mal":{}}`,
			`{"orgnr":"5591234561","per_datum":"2026-10-01","allmanna_mal":{"antal":"3"}}`,
			`{"orgnr":"5591234561","per_datum":"1/10/2026"}`,
			`{"orgnr":"5591234561","per_datum":"2026-10-01"`,
			"   ",
			`{"orgnr":"5591234561","per_datum":"2026-10-01"} {}`,
			kf(`"orgnr":"9124001992"`),
		}, []int{1, 11}, map[int]string{
			2:  "orgnr: \"559123456\": has 9 digits",
			3:  "allmanna_mal.antal: negative value -1",
			4:  "enskilda_mal.belopp_sek: negative value -5",
			5:  `unknown field "allmana_mal"`,
			6:  "allmanna_mal.antal: JSON string where a whole number is expected",
			7:  "per_datum",
			8:  "invalid JSON",
			10: "trailing data",
		}},
		{record.IVOBeslut, []string{
			dec("vite", `,"belopp_sek":100000`), dec("sanktionsavgift", ""), dec("forbud", `,"belopp_sek":-1`), dec("forbud", `,"diarienr":"x"`), dec("aterkallelse", ""),
		}, []int{1, 5}, map[int]string{2: `typ: unknown value "sanktionsavgift"`, 3: "belopp_sek: negative", 4: `unknown field "diarienr"`}},
		{record.Arbetsmiljoverket, []string{
			dec("sanktionsavgift", `,"belopp_sek":50000`), dec("vite", ""), `{` + org + `,"datum":"2026-02-14","typ":"forbud"}`, dec("forelaggande", ""),
		}, []int{1, 4}, map[int]string{2: `typ: unknown value "vite"`, 3: "diarienummer: missing"}},
		{record.Roles, []string{
			role("197505121231", "vd", "2019-04-02"),
			role("197505121232", "vd", "2019-04-02"),
			role("197505121231", "kassör", "2019-04-02"),
			role("7505121231", "vd", "2019-04-02"),
			role("197505121231", "vd", ""),
			`{` + org + `,"person_id":"198211304327","namn":"Sara Holm","roll":"vd","fran":"2021-01-15","till":"2020-01-01"}`,
			`{` + org + `,"person_id":"198211304327","name":"Sara Holm","roll":"vd","fran":"2021-01-15"}`,
			role("196907664459", "suppleant", "2019-04-02"),
		}, []int{1, 8}, map[int]string{
			2: "person_id: \"19750512XXXX\": check digit",
			3: `roll: unknown value "kassör"`,
			4: "person_id: \"750512XXXX\": has 10 digits, want 12",
			5: "fran: missing date",
			6: "till: 2020-01-01 is before fran 2021-01-15",
			7: `unknown field "name"`,
		}},
		{record.Huvudman, []string{
			`{` + org + `,"per_datum":"2026-10-01","huvudman":[]}`,
			`{` + org + `,"per_datum":"2026-10-01","huvudman":[{"person_id":"197505121231","namn":"A","andel":"25 %"},{"person_id":"198211304320","namn":"B","andel":"25 %"}]}`,
			`{` + org + `,"per_datum":"2026-10-01"}`,
			`{` + org + `,"per_datum":"2026-10-01","huvudman":[{"person_id":"197505121231","namn":"A","andel":"25 %","roll":"x"}]}`,
			`{` + org + `,"per_datum":"2026-10-01","huvudman":[{"person_id":"197505121231","namn":"A","andel":"25 %"},{"person_id":"198211304327","namn":"B","andel":"75 %"}]}`,
		}, []int{1, 5}, map[int]string{
			2: "huvudman[1].person_id: \"19821130XXXX\": check digit",
			3: "huvudman: missing list",
			4: `unknown field "roll"`,
		}},
		{record.Naringsforbud, []string{
			`{"person_id":"198211304327","fran":"2026-05-01","till":"2031-05-01","typ":"naringsforbud","beslutad_av":"Malmö tingsrätt"}`,
			`{"person_id":"198211304327","fran":"2026-05-01","till":"2031-05-01","typ":"permanent","beslutad_av":"Malmö tingsrätt"}`,
			`{"person_id":"198213304327","fran":"2026-05-01","typ":"tillfalligt"}`,
			`{"person_id":"198211304327","fran":"2026-05-32","typ":"tillfalligt"}`,
			`{"person_id":"198211304327","fran":"2026-06-01","till":null,"typ":"tillfalligt"}`,
		}, []int{1, 5}, map[int]string{
			2: `typ: unknown value "permanent"`,
			3: "person_id: \"19821330XXXX\": month 13 out of range",
			4: "fran",
		}},
		{record.IVO, []string{
			ivoHead,
			ivoRow("5591234561", "8", "giltigt"),
			ivoRow("5591234561", "-2", "giltigt"),
			ivoRow("5591234561", "8", "okänd"),
			ivoRow("5591234561", "8", "giltigt") + ";extra",
			"5591234561;Bolaget;Gården;HVB barn;SoL;Barn;8;Gatan 1;2480;2019-09-01;giltigt",
			ivoRow("559123456X", "8", "upphort"),
			ivoRow("5560021361", "", "aterkallat"),
		}, []int{2, 8}, map[int]string{
			3: "platser: negative value -2",
			4: `status: unknown value "okänd"`,
			5: "has 12 fields, want 11",
			6: `verksamhetstyp: "HVB barn" is not a type code`,
			7: "orgnr",
		}},
		{record.Contracts, []string{
			avtalHead,
			avtal("A-1", "hvb_barn", "egen", "2024-05-01", "12000000"),
			avtal("A-2", "hvb", "egen", "2024-05-01", "1"),
			avtal("A-3", "tolk", "kommunen", "2024-05-01", "1"),
			avtal("A-4", "tolk", "adda", "2024-05-01", "-1"),
			avtal("A-5", "tolk", "adda", "", "1"),
			avtal("", "tolk", "adda", "2024-05-01", "1"),
			avtal("A-7", "tolk", "adda", "2027-05-01", "1"),
			avtal("A-8", "larm", "stad", "2024-05-01", "12,5"),
			avtal("A-9", "ovrigt", "skanes_kommuner", "2024-05-01", ""),
		}, []int{2, 10}, map[int]string{
			3: `kategori: unknown value "hvb"`,
			4: `avtalsagare: unknown value "kommunen"`,
			5: "uppskattat_varde_sek: negative value -1",
			6: "startdatum: missing date",
			7: "avtal_id: missing value",
			8: "slutdatum: 2026-04-30 is before startdatum 2027-05-01",
			9: `uppskattat_varde_sek: "12,5" is not a whole number`,
		}},
		{record.Invoices, []string{
			fakHead,
			"F-1;5591234561;Bolaget;2026-09-30;504000;ASN-1;hvb_barn;120",
			"F-2;5591234561;Bolaget;2026-09-30;-504000;ASN-1;hvb_barn;120",
			"F-3;5591234561;Bolaget;2026-09-30;;ASN-1;hvb_barn;120",
			"F-4;5591234561;Bolaget;2026-09-31;100;ASN-1;hvb_barn;120",
			"F-5;5591234561;Bolaget;2026-09-30;100;;taxi;",
			"F-6;5591234561;Bolaget;2026-09-30;100;ASN-1;hvb_barn;tolv",
			"F-7;5591234561;Bolaget;2026-09-30;100",
			"F-8;5591234561;Bolaget;2026-09-30;100;;;",
		}, []int{2, 9}, map[int]string{
			3: "belopp_sek: negative value -504000",
			4: "belopp_sek: missing amount",
			5: "fakturadatum",
			6: `kategori: unknown value "taxi"`,
			7: `dygn: "tolv" is not a whole number`,
			8: "has 5 fields, want 8",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			c := mustParse(t, tt.source, "in", []byte(strings.Join(tt.lines, "\n")+"\n"))
			var good []string
			for _, n := range tt.good {
				good = append(good, "in:"+strconv.Itoa(n))
			}
			eq(t, "accepted", positions(c), good)
			bad := map[string]string{}
			for n, r := range tt.bad {
				bad["in:"+strconv.Itoa(n)] = r
			}
			wantQuarantine(t, c, bad)
			for _, q := range c.quars {
				n := 0
				for i := range tt.lines {
					if "in:"+strconv.Itoa(i+1) == q.Pos {
						n = i
					}
				}
				if tt.source != record.Roles && tt.source != record.Huvudman && tt.source != record.Naringsforbud && string(q.Raw) != tt.lines[n] {
					t.Errorf("%s: quarantined Raw = %q, want the line", q.Pos, q.Raw)
				}
				if q.Source != tt.source {
					t.Errorf("%s: Source = %q", q.Pos, q.Source)
				}
			}
		})
	}
}

func TestOwnFormatsHeader(t *testing.T) {
	for _, tt := range []struct{ source, header, want string }{
		{record.IVO, "orgnr;huvudman;verksamhetsnamn;verksamhetstyp;lagrum;malgrupp;platser;besoksadress;kommunkod;tillstandsdatum", `missing column "status"`},
		{record.Contracts, "avtal_id;orgnr;leverantor;kategori;avtalsagare;startdatum;slutdatum;uppskattat_varde_sek;platser;dygnspris_sek;adress;anteckning", `unknown column "anteckning"`},
		{record.Invoices, "faktura_id;orgnr;leverantor;fakturadatum;belopp;avtal_id;kategori;dygn", `missing column "belopp_sek"`},
	} {
		_, err := parse(t, tt.source, "in", []byte(tt.header+"\n"))
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "in:1") {
			t.Errorf("%s: err = %v, want %s", tt.source, err, tt.want)
		}
	}
	// A header with BOM and CRLF and columns in another order is fine.
	c := mustParse(t, record.Invoices, "in", []byte("\xEF\xBB\xBFdygn;faktura_id;orgnr;leverantor;fakturadatum;belopp_sek;avtal_id;kategori\r\n;F-1;5591234561;B;2026-01-02;10;;\r\n"))
	wantQuarantine(t, c, nil)
	eq(t, "invoice", c.items[0].Parsed, record.Invoice{ID: "F-1", Orgnr: "5591234561", Supplier: "B", Date: date("2026-01-02"), AmountSEK: 10})
}

func TestDokument(t *testing.T) {
	c := mustParse(t, record.BolagsverketDokument, "dok.json", sample(t, "bolagsverket-dokumentlista.json"))
	wantQuarantine(t, c, nil)
	if len(c.items) != 1 {
		t.Fatalf("%d records, want 1", len(c.items))
	}
	it := c.items[0]
	eq(t, "item", []string{it.Source, it.Subject, it.Key, it.Pos}, []string{"bolagsverket-dokument", "5591234561", "", "dok.json:1"})
	eq(t, "documents", it.Parsed, record.Documents{Orgnr: "5591234561", Documents: []record.Document{{
		ID: "02f54e4f-7a31-4c5e-9a0e-3f1d2b6c8e11_paket", Format: "application/zip", PeriodTo: date("2024-12-31"), Registered: date("2025-06-27")}}})
	if !bytes.Equal(it.Raw, bytes.TrimSpace(sample(t, "bolagsverket-dokumentlista.json"))) {
		t.Errorf("Raw = %s", it.Raw)
	}

	in := "{\"dokument\":[]}\n{\"dokument\":[{\"dokumentId\":\"a\",\"rapporteringsperiodTom\":\"2024-12-31T00:00:00.000+00:00\"},\n {\"dokumentId\":\"b\",\"rapporteringsperiodTom\":\"2024-13-31\"}]}\n{\"dokument\":null}"
	c = mustParse(t, record.BolagsverketDokument, "dok.json", []byte(in))
	eq(t, "positions", positions(c), []string{"dok.json:1", "dok.json:4"})
	eq(t, "empty", c.items[0].Parsed, record.Documents{Orgnr: "5591234561", Documents: []record.Document{}})
	wantQuarantine(t, c, map[string]string{"dok.json:2": "dokument[1].rapporteringsperiodTom"})

	_, err := parseOpt(t, record.BolagsverketDokument, sample(t, "bolagsverket-dokumentlista.json"), Options{Name: "d", Persons: testPersons})
	if err == nil || !strings.Contains(err.Error(), "Orgnr") {
		t.Errorf("without Orgnr: err = %v", err)
	}
}

func TestOptionsAndContext(t *testing.T) {
	for _, src := range []string{record.Roles, record.Huvudman, record.Naringsforbud} {
		if _, err := parseOpt(t, src, nil, Options{Name: "x"}); !errors.Is(err, errNoPersons) {
			t.Errorf("%s without Persons: err = %v", src, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, src := range Names() {
		f, _ := Lookup(src)
		err := f(ctx, bytes.NewReader(bulkRows(3)), Options{Name: "x", Persons: testPersons, Orgnr: ident.MustOrg("5591234561")}, &collector{})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: err = %v", src, err)
		}
	}
	if _, err := Lookup("nope"); err == nil {
		t.Error("Lookup of an unknown source: no error")
	}
	for _, s := range record.Sources {
		if _, err := Lookup(s); err != nil {
			t.Errorf("no parser for %s", s)
		}
	}
	if !slices.Equal(Names(), slices.Sorted(slices.Values(record.Sources))) {
		t.Errorf("parsers %v, source registry %v", Names(), record.Sources)
	}
}
