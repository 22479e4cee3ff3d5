package formats

import (
	"context"
	"io"

	"golang.org/x/text/encoding/charmap"

	"github.com/vaksam/vaksam/engine/excerpt"
	"github.com/vaksam/vaksam/engine/record"
)

func init() { register(record.SCBBulk, parseSCBBulk) }

// Columns of SCB's bulk file that the parser reads.
const (
	scbbPeOrgNr = iota
	scbbNamn
	scbbPersonNamn
	scbbFtgStat
	scbbJurForm
	scbbNg1
	scbbNg2
	scbbNg3
	scbbNg4
	scbbNg5
	scbbGatuadress
	scbbCOAdress
	scbbPostNr
	scbbPostOrt
	scbbRegDat
)

var scbBulkTable = table{sep: '\t', bulk: true, trailingSep: true, columns: []string{
	"PeOrgNr", "Foretagsnamn", "Namn", "FtgStat", "JurForm", "Ng1", "Ng2", "Ng3", "Ng4", "Ng5",
	"Gatuadress", "COAdress", "PostNr", "PostOrt", "RegDatKtid",
}, optional: []string{"Namn", "COAdress"}}

// parseSCBBulk reads SCB's bulk file of legal units (JE): ISO-8859-1,
// tab-separated, a header row, CRLF; the real file has 34 named columns
// (the values, then their change flags m…) and ends every line with a tab.
// Columns are read by name and others ignored. PeOrgNr comes with 10 or 12
// digits. SNI codes are kept verbatim (SNI 2007 or SNI 2025). The file has
// no tax statuses: its records are Company, never TaxStatus. A "*" (not
// ordered) in FtgStat leaves the activity unknown and in Ng1…Ng5 is no
// code. The record's Raw is the row decoded to UTF-8.
func parseSCBBulk(ctx context.Context, r io.Reader, opt Options, sink Sink) error {
	e := newEmitter(ctx, record.SCBBulk, opt, sink)
	utf8 := charmap.ISO8859_1.NewDecoder().Reader(r)
	return scbBulkTable.parse(utf8, e, func(rw *row, _ string) (record.Item, error) {
		org, err := parseOrgField("PeOrgNr", rw.get(scbbPeOrgNr))
		if err != nil {
			return record.Item{}, err
		}
		var active *bool
		switch st := trim(rw.get(scbbFtgStat)); {
		case st == "", st == notOrdered:
		case !isDigits(st):
			return record.Item{}, fieldErr("FtgStat", "%s is not a numeric status code", excerpt.Quote(st))
		default:
			a := st == "1"
			active = &a
		}
		reg, err := optDateField("RegDatKtid", rw.get(scbbRegDat))
		if err != nil {
			return record.Item{}, err
		}
		name := trim(rw.get(scbbNamn))
		if name == "" {
			name = trim(rw.get(scbbPersonNamn))
		}
		var sni []string
		for i := scbbNg1; i <= scbbNg5; i++ {
			if code := trim(rw.get(i)); code != notOrdered {
				sni = appendSNI(sni, code)
			}
		}
		addr := record.Address{
			Street:     trim(rw.get(scbbGatuadress)),
			CO:         trim(rw.get(scbbCOAdress)),
			PostalCode: cleanPostalCode(rw.get(scbbPostNr)),
			City:       trim(rw.get(scbbPostOrt)),
		}
		return record.Item{
			Subject: org.String(),
			Parsed: record.Company{
				Orgnr:        org.String(),
				Name:         name,
				JuridiskForm: trim(rw.get(scbbJurForm)),
				Registered:   reg,
				Active:       active,
				SNI:          sni,
				Address:      addr,
			},
			Links: record.Links{Addresses: addressLinks(addr)},
		}, nil
	})
}
