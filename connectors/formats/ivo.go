package formats

import (
	"context"
	"io"

	"github.com/vaksam/vaksam/engine/excerpt"
	"github.com/vaksam/vaksam/engine/record"
)

func init() { register(record.IVO, parseIVO) }

// Columns of ivo-tillstand.csv, in the order the parser names them.
const (
	ivoOrgnr = iota
	ivoHuvudman
	ivoNamn
	ivoTyp
	ivoLagrum
	ivoMalgrupp
	ivoPlatser
	ivoAdress
	ivoKommunkod
	ivoDatum
	ivoStatus
)

var ivoTable = table{sep: ';', quoted: true, columns: []string{
	"orgnr", "huvudman", "verksamhetsnamn", "verksamhetstyp", "lagrum", "malgrupp",
	"platser", "besoksadress", "kommunkod", "tillstandsdatum", "status",
}}

// parseIVO reads ivo-tillstand.csv: one IVO permit per row, keyed by
// verksamhetstyp/verksamhetsnamn.
func parseIVO(ctx context.Context, r io.Reader, opt Options, sink Sink) error {
	e := newEmitter(ctx, record.IVO, opt, sink)
	return ivoTable.parse(r, e, func(rw *row, _ string) (record.Item, error) {
		org, err := parseOrgField("orgnr", rw.get(ivoOrgnr))
		if err != nil {
			return record.Item{}, err
		}
		name, err := requireText("verksamhetsnamn", rw.get(ivoNamn))
		if err != nil {
			return record.Item{}, err
		}
		typ, err := requireText("verksamhetstyp", rw.get(ivoTyp))
		if err != nil {
			return record.Item{}, err
		}
		if !isIdentifier(typ) {
			return record.Item{}, fieldErr("verksamhetstyp", "%s is not a type code such as hvb_barn", excerpt.Quote(typ))
		}
		places, err := parseCount("platser", rw.get(ivoPlatser))
		if err != nil {
			return record.Item{}, err
		}
		kommun := trim(rw.get(ivoKommunkod))
		if kommun != "" && (len(kommun) != 4 || !isDigits(kommun)) {
			return record.Item{}, fieldErr("kommunkod", "%s is not a four-digit municipality code", excerpt.Quote(kommun))
		}
		date, err := optDateField("tillstandsdatum", rw.get(ivoDatum))
		if err != nil {
			return record.Item{}, err
		}
		status, err := ivoPermitStatus.check("status", rw.get(ivoStatus))
		if err != nil {
			return record.Item{}, err
		}
		addr := trim(rw.get(ivoAdress))
		return record.Item{
			Subject: org.String(),
			Key:     typ + "/" + name,
			Parsed: record.Permit{
				Orgnr:     org.String(),
				Huvudman:  trim(rw.get(ivoHuvudman)),
				Name:      name,
				Type:      typ,
				Lagrum:    trim(rw.get(ivoLagrum)),
				Malgrupp:  trim(rw.get(ivoMalgrupp)),
				Places:    places,
				Address:   addr,
				Kommunkod: kommun,
				Date:      date,
				Status:    status,
			},
			Links: record.Links{Addresses: oneLineAddressLinks(addr)},
		}, nil
	})
}
