package formats

import (
	"context"
	"io"
	"strings"

	"github.com/vaksam/vaksam/engine/record"
)

func init() { register(record.Invoices, parseInvoices) }

// Columns of fakturor.csv.
const (
	fakturaID = iota
	fakturaOrgnr
	fakturaLeverantor
	fakturaDatum
	fakturaBelopp
	fakturaAvtal
	fakturaKategori
	fakturaDygn
)

var invoiceTable = table{sep: ';', quoted: true, columns: []string{
	"faktura_id", "orgnr", "leverantor", "fakturadatum", "belopp_sek", "avtal_id", "kategori", "dygn",
}}

// parseInvoices reads fakturor.csv: the municipality's own supplier
// invoices, keyed by faktura_id. An empty avtal_id is a purchase outside
// any contract; dygn (care days) is optional.
func parseInvoices(ctx context.Context, r io.Reader, opt Options, sink Sink) error {
	e := newEmitter(ctx, record.Invoices, opt, sink)
	return invoiceTable.parse(r, e, func(rw *row, _ string) (record.Item, error) {
		id, err := requireText("faktura_id", rw.get(fakturaID))
		if err != nil {
			return record.Item{}, err
		}
		org, err := parseOrgField("orgnr", rw.get(fakturaOrgnr))
		if err != nil {
			return record.Item{}, err
		}
		date, err := parseDateField("fakturadatum", rw.get(fakturaDatum))
		if err != nil {
			return record.Item{}, err
		}
		if strings.TrimSpace(rw.get(fakturaBelopp)) == "" {
			return record.Item{}, fieldErr("belopp_sek", "missing amount")
		}
		amount, err := parseNonNeg("belopp_sek", rw.get(fakturaBelopp))
		if err != nil {
			return record.Item{}, err
		}
		cat, err := categories.checkOpt("kategori", rw.get(fakturaKategori))
		if err != nil {
			return record.Item{}, err
		}
		days, err := parseCount("dygn", rw.get(fakturaDygn))
		if err != nil {
			return record.Item{}, err
		}
		return record.Item{
			Subject: org.String(),
			Key:     id,
			Parsed: record.Invoice{
				ID:         id,
				Orgnr:      org.String(),
				Supplier:   trim(rw.get(fakturaLeverantor)),
				Date:       date,
				AmountSEK:  amount,
				ContractID: trim(rw.get(fakturaAvtal)),
				Category:   cat,
				CareDays:   days,
			},
		}, nil
	})
}
