package formats

import (
	"context"
	"io"
	"time"

	"github.com/vaksam/vaksam/engine/record"
)

func init() { register(record.Contracts, parseContracts) }

// Columns of avtal.csv.
const (
	avtalID = iota
	avtalOrgnr
	avtalLeverantor
	avtalKategori
	avtalAgare
	avtalStart
	avtalSlut
	avtalVarde
	avtalPlatser
	avtalDygnspris
	avtalAdress
)

var contractTable = table{sep: ';', quoted: true, columns: []string{
	"avtal_id", "orgnr", "leverantor", "kategori", "avtalsagare", "startdatum", "slutdatum",
	"uppskattat_varde_sek", "platser", "dygnspris_sek", "adress",
}}

// parseContracts reads avtal.csv: the municipality's own contracts, keyed
// by avtal_id.
func parseContracts(ctx context.Context, r io.Reader, opt Options, sink Sink) error {
	e := newEmitter(ctx, record.Contracts, opt, sink)
	return contractTable.parse(r, e, func(rw *row, _ string) (record.Item, error) {
		id, err := requireText("avtal_id", rw.get(avtalID))
		if err != nil {
			return record.Item{}, err
		}
		org, err := parseOrgField("orgnr", rw.get(avtalOrgnr))
		if err != nil {
			return record.Item{}, err
		}
		cat, err := categories.check("kategori", rw.get(avtalKategori))
		if err != nil {
			return record.Item{}, err
		}
		owner, err := contractOwners.check("avtalsagare", rw.get(avtalAgare))
		if err != nil {
			return record.Item{}, err
		}
		start, err := parseDateField("startdatum", rw.get(avtalStart))
		if err != nil {
			return record.Item{}, err
		}
		end, err := optDateField("slutdatum", rw.get(avtalSlut))
		if err != nil {
			return record.Item{}, err
		}
		if !end.IsZero() && end.Before(start) {
			return record.Item{}, fieldErr("slutdatum", "%s is before startdatum %s", end.Format(time.DateOnly), start.Format(time.DateOnly))
		}
		value, err := parseNonNeg("uppskattat_varde_sek", rw.get(avtalVarde))
		if err != nil {
			return record.Item{}, err
		}
		places, err := parseCount("platser", rw.get(avtalPlatser))
		if err != nil {
			return record.Item{}, err
		}
		price, err := parseNonNeg("dygnspris_sek", rw.get(avtalDygnspris))
		if err != nil {
			return record.Item{}, err
		}
		addr := trim(rw.get(avtalAdress))
		return record.Item{
			Subject: org.String(),
			Key:     id,
			Parsed: record.Contract{
				ID:           id,
				Orgnr:        org.String(),
				Supplier:     trim(rw.get(avtalLeverantor)),
				Category:     cat,
				Owner:        owner,
				Start:        start,
				End:          end,
				EstimatedSEK: value,
				Places:       places,
				DailyPrice:   price,
				Address:      addr,
			},
			Links: record.Links{Addresses: oneLineAddressLinks(addr)},
		}, nil
	})
}
