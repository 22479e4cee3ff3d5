package formats

import (
	"context"
	"fmt"
	"io"

	"github.com/vaksam/vaksam/engine/record"
)

func init() { register(record.Huvudman, parseHuvudman) }

// huvudmanLine is one line of huvudman.jsonl.
type huvudmanLine struct {
	Orgnr    string         `json:"orgnr"`
	PerDatum string         `json:"per_datum"`
	Huvudman *[]ownerRecord `json:"huvudman"`
}

type ownerRecord struct {
	PersonID string `json:"person_id"`
	Namn     string `json:"namn"`
	Andel    string `json:"andel"`
}

// parseHuvudman reads huvudman.jsonl: the beneficial owners registered
// for an organisation at a date ([] when none is). Every person number is
// replaced by its pseudonym.
func parseHuvudman(ctx context.Context, r io.Reader, opt Options, sink Sink) error {
	e, err := newPersonEmitter(ctx, record.Huvudman, opt, sink)
	if err != nil {
		return err
	}
	return parseJSONL(r, e, func(v *huvudmanLine, line []byte) (record.Item, error) {
		org, err := parseOrgField("orgnr", v.Orgnr)
		if err != nil {
			return record.Item{}, err
		}
		asOf, err := parseDateField("per_datum", v.PerDatum)
		if err != nil {
			return record.Item{}, err
		}
		if v.Huvudman == nil {
			return record.Item{}, fieldErr("huvudman", "missing list ([] when none is registered)")
		}
		owners := make([]record.Owner, 0, len(*v.Huvudman))
		persons := make([]string, 0, len(*v.Huvudman))
		repl := make(map[string]string, len(*v.Huvudman))
		for i, o := range *v.Huvudman {
			p, err := personField(opt.Persons, fmt.Sprintf("huvudman[%d].person_id", i), o.PersonID, o.Namn)
			if err != nil {
				return record.Item{}, err
			}
			owners = append(owners, record.Owner{Person: p, Share: trim(o.Andel)})
			persons = append(persons, p.ID)
			repl[o.PersonID] = p.ID
		}
		return record.Item{
			Subject: org.String(),
			Raw:     replaceJSONStrings(line, repl),
			Parsed:  record.Owners{Orgnr: org.String(), AsOf: asOf, Owners: owners},
			Links:   record.Links{Persons: persons},
		}, nil
	})
}
