package formats

import (
	"context"
	"io"
	"strings"

	"github.com/vaksam/vaksam/engine/record"
)

func init() { register(record.BolagsverketBulk, parseBolagsverketBulk) }

// Columns of Bolagsverket's bulk file that the parser reads.
const (
	bvbID = iota
	bvbLopnr
	bvbNamn
	bvbForm
	bvbAvregDatum
	bvbAvregOrsak
	bvbForfarande
	bvbRegDatum
	bvbBeskrivning
	bvbPostadress
)

// The header spells the proceedings column without the "e" of the API.
const bvbForfarandeCol = "pagandeAvvecklingsEllerOmstruktureringsforfarande"

var bolagsverketBulkTable = table{sep: ';', quoted: true, bulk: true, columns: []string{
	"organisationsidentitet", "namnskyddslopnummer", "organisationsnamn", "organisationsform",
	"avregistreringsdatum", "avregistreringsorsak", bvbForfarandeCol, "registreringsdatum",
	"verksamhetsbeskrivning", "postadress",
}}

// parseBolagsverketBulk reads Bolagsverket's weekly bulk file: ';'
// between double-quoted fields, a header row; inside a field '$' separates
// sub-fields and '|' repeats, and codes carry suffixes (-IDORG, -ORGNAM,
// -ORGFO, -AVORG, -AVOMFO, -AVSLAVOMFO for an ended proceeding). The file
// is about a gigabyte: it is read row by row, NUL bytes are dropped, and a
// row that still cannot be read is quarantined.
func parseBolagsverketBulk(ctx context.Context, r io.Reader, opt Options, sink Sink) error {
	e := newEmitter(ctx, record.BolagsverketBulk, opt, sink)
	return bolagsverketBulkTable.parse(r, e, func(rw *row, _ string) (record.Item, error) {
		line := rw.line
		id, _, _ := strings.Cut(rw.get(bvbID), "$")
		org, err := parseOrgField("organisationsidentitet", id)
		if err != nil {
			return record.Item{}, err
		}
		lopnr := trim(rw.get(bvbLopnr))
		c := record.Company{
			Orgnr:              org.String(),
			Lopnr:              lopnr,
			Name:               bulkName(rw.get(bvbNamn)),
			Form:               bulkCode(rw.get(bvbForm)),
			DeregisteredReason: bulkCode(rw.get(bvbAvregOrsak)),
			Description:        trim(rw.get(bvbBeskrivning)),
		}
		if c.Registered, err = optDateField("registreringsdatum", rw.get(bvbRegDatum)); err != nil {
			return record.Item{}, err
		}
		if c.Deregistered, err = optDateField("avregistreringsdatum", rw.get(bvbAvregDatum)); err != nil {
			return record.Item{}, err
		}
		for rest := rw.get(bvbForfarande); rest != ""; {
			var rep string
			rep, rest, _ = strings.Cut(rest, "|")
			if trim(rep) == "" {
				continue
			}
			code, date, _ := strings.Cut(rep, "$")
			date, _, _ = strings.Cut(date, "$")
			code, suffix := cutSuffix(trim(code))
			p, err := proceeding(e, line, bvbForfarandeCol, code, bvbForfarandeCol, date, suffix == "AVSLAVOMFO")
			if err != nil {
				return record.Item{}, err
			}
			c.Proceedings = append(c.Proceedings, p)
		}
		// street$co$city$postcode$country
		street, rest, _ := strings.Cut(rw.get(bvbPostadress), "$")
		co, rest, _ := strings.Cut(rest, "$")
		city, rest, _ := strings.Cut(rest, "$")
		postcode, rest, _ := strings.Cut(rest, "$")
		country, _, _ := strings.Cut(rest, "$")
		c.Address = record.Address{
			Street:     trim(street),
			CO:         trim(co),
			PostalCode: cleanPostalCode(postcode),
			City:       trim(city),
			Country:    trim(country),
		}
		it := companyItem(org, lopnr, c)
		withOwner(&it, id, e.persons)
		return it, nil
	})
}

// bulkName picks the company name (FORETAGSNAMN) among the repeats
// "name$TYPE-ORGNAM$date|...", or else the first name.
func bulkName(s string) string {
	first := ""
	for rest := s; rest != ""; {
		var rep string
		rep, rest, _ = strings.Cut(rest, "|")
		name, typ, _ := strings.Cut(rep, "$")
		typ, _, _ = strings.Cut(typ, "$")
		name = trim(name)
		if name == "" {
			continue
		}
		if code, _ := cutSuffix(typ); code == "FORETAGSNAMN" {
			return name
		}
		if first == "" {
			first = name
		}
	}
	return first
}

// bulkCode returns a code without its suffix: "AB-ORGFO" gives "AB".
func bulkCode(s string) string {
	code, _ := cutSuffix(trim(s))
	return code
}

// cutSuffix splits "KK-AVOMFO" into "KK" and "AVOMFO".
func cutSuffix(s string) (code, suffix string) {
	i := strings.LastIndexByte(s, '-')
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i+1:]
}
