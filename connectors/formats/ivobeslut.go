package formats

import (
	"context"
	"io"

	"github.com/vaksam/vaksam/engine/record"
)

func init() {
	register(record.IVOBeslut, func(ctx context.Context, r io.Reader, opt Options, sink Sink) error {
		return parseDecisions(ctx, r, opt, sink, record.IVOBeslut, ivoDecisionType)
	})
}

// decisionLine is one line of ivo-beslut.jsonl or arbetsmiljoverket.jsonl.
type decisionLine struct {
	Orgnr        string `json:"orgnr"`
	Datum        string `json:"datum"`
	Typ          string `json:"typ"`
	Diarienummer string `json:"diarienummer"`
	BeloppSEK    *int64 `json:"belopp_sek"`
	Text         string `json:"text"`
}

// parseDecisions reads one supervisory decision per line; types are the
// source's own list. The key is the diarienummer.
func parseDecisions(ctx context.Context, r io.Reader, opt Options, sink Sink, source string, types enum) error {
	e := newEmitter(ctx, source, opt, sink)
	return parseJSONL(r, e, func(v *decisionLine, _ []byte) (record.Item, error) {
		org, err := parseOrgField("orgnr", v.Orgnr)
		if err != nil {
			return record.Item{}, err
		}
		date, err := parseDateField("datum", v.Datum)
		if err != nil {
			return record.Item{}, err
		}
		typ, err := types.check("typ", v.Typ)
		if err != nil {
			return record.Item{}, err
		}
		dnr, err := requireText("diarienummer", v.Diarienummer)
		if err != nil {
			return record.Item{}, err
		}
		var amount int64
		if v.BeloppSEK != nil {
			if amount, err = checkNonNeg("belopp_sek", *v.BeloppSEK); err != nil {
				return record.Item{}, err
			}
		}
		return record.Item{
			Subject: org.String(),
			Key:     dnr,
			Parsed: record.Decision{
				Orgnr:        org.String(),
				Date:         date,
				Type:         typ,
				Diarienummer: dnr,
				AmountSEK:    amount,
				Text:         trim(v.Text),
			},
		}, nil
	})
}
