package formats

import (
	"context"
	"io"
	"time"

	"github.com/vaksam/vaksam/engine/record"
)

func init() { register(record.Roles, parseRoles) }

// roleLine is one line of roles.jsonl.
type roleLine struct {
	Orgnr    string  `json:"orgnr"`
	PersonID string  `json:"person_id"`
	Namn     string  `json:"namn"`
	Roll     string  `json:"roll"`
	Fran     string  `json:"fran"`
	Till     *string `json:"till"`
}

// parseRoles reads roles.jsonl: one role assignment per line. The person
// number is replaced by its pseudonym in the parsed record and the raw
// bytes; the key is pseudonym/role/from-date.
func parseRoles(ctx context.Context, r io.Reader, opt Options, sink Sink) error {
	e, err := newPersonEmitter(ctx, record.Roles, opt, sink)
	if err != nil {
		return err
	}
	return parseJSONL(r, e, func(v *roleLine, line []byte) (record.Item, error) {
		org, err := parseOrgField("orgnr", v.Orgnr)
		if err != nil {
			return record.Item{}, err
		}
		person, err := personField(opt.Persons, "person_id", v.PersonID, v.Namn)
		if err != nil {
			return record.Item{}, err
		}
		roll, err := roleNames.check("roll", v.Roll)
		if err != nil {
			return record.Item{}, err
		}
		from, err := parseDateField("fran", v.Fran)
		if err != nil {
			return record.Item{}, err
		}
		var to time.Time
		if v.Till != nil {
			if to, err = optDateField("till", *v.Till); err != nil {
				return record.Item{}, err
			}
			if !to.IsZero() && to.Before(from) {
				return record.Item{}, fieldErr("till", "%s is before fran %s", to.Format(time.DateOnly), from.Format(time.DateOnly))
			}
		}
		return record.Item{
			Subject: org.String(),
			Key:     person.ID + "/" + roll + "/" + from.Format(time.DateOnly),
			Raw:     replaceJSONStrings(line, map[string]string{v.PersonID: person.ID}),
			Parsed:  record.Role{Orgnr: org.String(), Person: person, Role: roll, From: from, To: to},
			Links:   record.Links{Persons: []string{person.ID}},
		}, nil
	})
}
