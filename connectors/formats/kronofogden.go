package formats

import (
	"context"
	"io"

	"github.com/vaksam/vaksam/engine/record"
)

func init() { register(record.Kronofogden, parseKronofogden) }

// kronofogdenLine is one line of kronofogden.jsonl.
type kronofogdenLine struct {
	Orgnr          string      `json:"orgnr"`
	PerDatum       string      `json:"per_datum"`
	AllmannaMal    claimsField `json:"allmanna_mal"`
	EnskildaMal    claimsField `json:"enskilda_mal"`
	Betalningsf12m int64       `json:"betalningsforelagganden_12m"`
	Konkursansokan bool        `json:"konkursansokan"`
	Rekonstruktion bool        `json:"foretagsrekonstruktion"`
	Dokument       string      `json:"dokument"`
}

type claimsField struct {
	Antal     int64 `json:"antal"`
	BeloppSEK int64 `json:"belopp_sek"`
}

func (c claimsField) claims(field string) (record.Claims, error) {
	n, err := countOf(field+".antal", c.Antal)
	if err != nil {
		return record.Claims{}, err
	}
	amount, err := checkNonNeg(field+".belopp_sek", c.BeloppSEK)
	if err != nil {
		return record.Claims{}, err
	}
	return record.Claims{Count: n, AmountSEK: amount}, nil
}

// parseKronofogden reads kronofogden.jsonl: one enforcement extract per
// organisation and date.
func parseKronofogden(ctx context.Context, r io.Reader, opt Options, sink Sink) error {
	e := newEmitter(ctx, record.Kronofogden, opt, sink)
	return parseJSONL(r, e, func(v *kronofogdenLine, _ []byte) (record.Item, error) {
		org, err := parseOrgField("orgnr", v.Orgnr)
		if err != nil {
			return record.Item{}, err
		}
		asOf, err := parseDateField("per_datum", v.PerDatum)
		if err != nil {
			return record.Item{}, err
		}
		pub, err := v.AllmannaMal.claims("allmanna_mal")
		if err != nil {
			return record.Item{}, err
		}
		priv, err := v.EnskildaMal.claims("enskilda_mal")
		if err != nil {
			return record.Item{}, err
		}
		orders, err := countOf("betalningsforelagganden_12m", v.Betalningsf12m)
		if err != nil {
			return record.Item{}, err
		}
		return record.Item{
			Subject: org.String(),
			Parsed: record.Enforcement{
				Orgnr:              org.String(),
				AsOf:               asOf,
				Public:             pub,
				Private:            priv,
				PaymentOrders12m:   orders,
				BankruptcyPetition: v.Konkursansokan,
				Reconstruction:     v.Rekonstruktion,
				Document:           trim(v.Dokument),
			},
		}, nil
	})
}
