package formats

import (
	"context"
	"io"
	"time"

	"github.com/vaksam/vaksam/engine/record"
)

func init() { register(record.Naringsforbud, parseNaringsforbud) }

// banLine is one line of naringsforbud.jsonl.
type banLine struct {
	PersonID   string `json:"person_id"`
	Fran       string `json:"fran"`
	Till       string `json:"till"`
	Typ        string `json:"typ"`
	BeslutadAv string `json:"beslutad_av"`
}

// parseNaringsforbud reads naringsforbud.jsonl: trading bans on persons.
// The subject is the person (PersonSubjectPrefix + pseudonym), the key
// the date the ban starts. The register is looked up per person, so an
// extract also says whom it checked: a line of typ "inget" (no dates) is
// a person looked up without a ban, keyed record.NoBan.
func parseNaringsforbud(ctx context.Context, r io.Reader, opt Options, sink Sink) error {
	e, err := newPersonEmitter(ctx, record.Naringsforbud, opt, sink)
	if err != nil {
		return err
	}
	return parseJSONL(r, e, func(v *banLine, line []byte) (record.Item, error) {
		person, err := personField(opt.Persons, "person_id", v.PersonID, "")
		if err != nil {
			return record.Item{}, err
		}
		if trim(v.Typ) == record.NoBan {
			if trim(v.Fran) != "" || trim(v.Till) != "" {
				return record.Item{}, fieldErr("typ", "%q (no ban) takes no fran or till", record.NoBan)
			}
			return record.Item{
				Subject: record.PersonSubjectPrefix + person.ID,
				Key:     record.NoBan,
				Raw:     replaceJSONStrings(line, map[string]string{v.PersonID: person.ID}),
				Parsed:  record.Ban{Person: person, Type: record.NoBan, DecidedBy: trim(v.BeslutadAv)},
				Links:   record.Links{Persons: []string{person.ID}},
			}, nil
		}
		from, err := parseDateField("fran", v.Fran)
		if err != nil {
			return record.Item{}, err
		}
		to, err := optDateField("till", v.Till)
		if err != nil {
			return record.Item{}, err
		}
		if !to.IsZero() && to.Before(from) {
			return record.Item{}, fieldErr("till", "%s is before fran %s", to.Format(time.DateOnly), from.Format(time.DateOnly))
		}
		typ, err := banTypes.check("typ", v.Typ)
		if err != nil {
			return record.Item{}, err
		}
		return record.Item{
			Subject: record.PersonSubjectPrefix + person.ID,
			Key:     from.Format(time.DateOnly),
			Raw:     replaceJSONStrings(line, map[string]string{v.PersonID: person.ID}),
			Parsed:  record.Ban{Person: person, From: from, To: to, Type: typ, DecidedBy: trim(v.BeslutadAv)},
			Links:   record.Links{Persons: []string{person.ID}},
		}, nil
	})
}
