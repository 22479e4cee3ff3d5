package formats

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/vaksam/vaksam/engine/record"
)

func init() { register(record.BolagsverketDokument, parseBolagsverketDokument) }

type bvDokumentlista struct {
	Dokument []struct {
		DokumentID             string `json:"dokumentId"`
		Filformat              string `json:"filformat"`
		RapporteringsperiodTom string `json:"rapporteringsperiodTom"`
		Registreringstidpunkt  string `json:"registreringstidpunkt"`
	} `json:"dokument"`
}

// parseBolagsverketDokument reads the API's document list,
// {"dokument":[...]}. The list does not name the organisation: it is the
// request's, Options.Orgnr. Each response document gives one Item.
func parseBolagsverketDokument(ctx context.Context, r io.Reader, opt Options, sink Sink) error {
	if opt.Orgnr.IsZero() {
		return errors.New("bolagsverket-dokument: Options.Orgnr is required (the document list does not name the organisation)")
	}
	e := newEmitter(ctx, record.BolagsverketDokument, opt, sink)
	s := newJSONStream(r, e)
	return finish(eachDocument(s, func() error {
		raw, line, err := s.value()
		if err != nil || raw == nil {
			return err
		}
		docs, err := dokumentlista(raw)
		if err != nil {
			return e.quarantine(line, err.Error(), raw)
		}
		docs.Orgnr = opt.Orgnr.String()
		return e.record(line, record.Item{Subject: docs.Orgnr, Raw: raw, Parsed: docs})
	}))
}

func dokumentlista(raw json.RawMessage) (record.Documents, error) {
	var l bvDokumentlista
	if err := json.Unmarshal(raw, &l); err != nil {
		return record.Documents{}, fmt.Errorf("%s", jsonReason(err))
	}
	docs := record.Documents{Documents: make([]record.Document, 0, len(l.Dokument))}
	for i, d := range l.Dokument {
		field := fmt.Sprintf("dokument[%d].", i)
		id, err := requireText(field+"dokumentId", d.DokumentID)
		if err != nil {
			return record.Documents{}, err
		}
		to, err := parseDateField(field+"rapporteringsperiodTom", d.RapporteringsperiodTom)
		if err != nil {
			return record.Documents{}, err
		}
		reg, err := optDateField(field+"registreringstidpunkt", d.Registreringstidpunkt)
		if err != nil {
			return record.Documents{}, err
		}
		docs.Documents = append(docs.Documents, record.Document{ID: id, Format: trim(d.Filformat), PeriodTo: to, Registered: reg})
	}
	return docs, nil
}
