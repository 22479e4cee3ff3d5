package sanctions

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	model "github.com/vaksam/vaksam/engine/sanctions"
)

// ftmLine is one FollowTheMoney entity as OpenSanctions streams it.
type ftmLine struct {
	ID         string              `json:"id"`
	Schema     string              `json:"schema"`
	Properties map[string][]string `json:"properties"`
	Referents  []string            `json:"referents"`
	Target     bool                `json:"target"`
	LastChange string              `json:"last_change"`
}

// ftmKinds are the schemata that are screened, and their kind.
var ftmKinds = map[string]model.Kind{
	"Person":       model.Person,
	"Organization": model.Organisation,
	"Company":      model.Organisation,
	"LegalEntity":  model.Organisation,
	"PublicBody":   model.Organisation,
	"Vessel":       model.Other,
	"Airplane":     model.Other,
}

// ftmIDs are the identifier properties and the model's words for them.
var ftmIDs = []struct{ prop, typ string }{
	{"registrationNumber", "registration"},
	{"innCode", "inn"},
	{"ogrnCode", "ogrn"},
	{"taxNumber", "tax"},
	{"vatCode", "vat"},
	{"leiCode", "lei"},
	{"idNumber", "national-id"},
	{"passportNumber", "passport"},
	{"imoNumber", "imo"},
}

// ftmSanction is what a Sanction entity adds to its entity.
type ftmSanction struct {
	programme, authority string
	start                time.Time
}

// maxFtMLine bounds one line of the stream (one entity).
const maxFtMLine = 64 << 20

// ReadFtM reads an OpenSanctions FollowTheMoney entity stream
// (entities.ftm.json); file names it in errors and problems. Only target
// entities are screened; Sanction entities are joined to theirs.
func ReadFtM(r io.Reader, file string) (Result, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxFtMLine)
	var res Result
	type kept struct {
		b     *builder
		where string
	}
	var entities []kept
	canonical := map[string]string{} // id or referent → entity id
	sanctions := map[string][]ftmSanction{}
	line := 0
	for sc.Scan() {
		line++
		raw := sc.Bytes()
		if len(strings.TrimSpace(string(raw))) == 0 {
			continue
		}
		where := fmt.Sprintf("%s:%d", file, line)
		var x ftmLine
		if err := json.Unmarshal(raw, &x); err != nil {
			var te *json.UnmarshalTypeError
			field := "entity"
			if errors.As(err, &te) && te.Field != "" {
				field = te.Field
			}
			res.Problems = append(res.Problems, Problem{Where: where, ID: ftmPeekID(raw), Field: field, Reason: "not a FollowTheMoney entity: " + err.Error()})
			continue
		}
		p := x.Properties
		if x.Schema == "Sanction" {
			for _, ent := range p["entity"] {
				s := ftmSanction{programme: first(p["program"]), authority: first(p["authority"])}
				if s.programme == "" {
					s.programme = first(p["programId"])
				}
				dates := append(append([]string{}, p["startDate"]...), p["listingDate"]...)
				for _, d := range dates {
					t, err := time.Parse("2006-01-02", strings.TrimSpace(d))
					if err != nil {
						if checkDate(d) == nil {
							continue // a year or a month: not a designation day
						}
						res.Problems = append(res.Problems, Problem{Where: where, ID: x.ID, Field: "startDate", Reason: fmt.Sprintf("%q is not a date", d), Kept: true})
						continue
					}
					if s.start.IsZero() || t.Before(s.start) {
						s.start = t
					}
				}
				sanctions[ent] = append(sanctions[ent], s)
			}
			continue
		}
		kind, screened := ftmKinds[x.Schema]
		if !screened || !x.Target {
			continue
		}
		b := newBuilder(model.FtM, strings.TrimSpace(x.ID), kind)
		for _, n := range p["name"] {
			b.name(model.Name{Full: n})
		}
		if len(b.e.Names) == 1 && len(p["firstName"]) == 1 && len(p["lastName"]) == 1 {
			b.e.Names[0].Given, b.e.Names[0].Family = p["firstName"][0], p["lastName"][0]
		}
		for _, prop := range []string{"alias", "previousName"} {
			for _, n := range p[prop] {
				b.name(model.Name{Full: n})
			}
		}
		for _, n := range p["weakAlias"] {
			b.name(model.Name{Full: n, Weak: true})
		}
		for _, d := range p["birthDate"] {
			b.birth(d)
		}
		countries := []string{"nationality", "citizenship"}
		if kind != model.Person {
			countries = []string{"jurisdiction", "country"}
		}
		for _, prop := range countries {
			for _, c := range p[prop] {
				b.nationality(c)
			}
		}
		for _, id := range ftmIDs {
			for _, v := range p[id.prop] {
				b.identifier(model.Identifier{Type: id.typ, Value: v})
			}
		}
		if x.LastChange != "" {
			t, err := time.Parse("2006-01-02T15:04:05", x.LastChange)
			if err != nil {
				res.Problems = append(res.Problems, Problem{Where: where, ID: x.ID, Field: "last_change", Reason: fmt.Sprintf("%q is not a time (YYYY-MM-DDThh:mm:ss)", x.LastChange)})
				continue
			}
			b.e.Updated = t
		}
		canonical[x.ID] = x.ID
		for _, ref := range x.Referents {
			if _, taken := canonical[ref]; !taken {
				canonical[ref] = x.ID
			}
		}
		entities = append(entities, kept{b, where})
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return res, fmt.Errorf("%s:%d: a line longer than %d bytes", file, line+1, maxFtMLine)
		}
		return res, fmt.Errorf("%s:%d: %w", file, line+1, err)
	}
	joined := map[string][]ftmSanction{}
	for ent, ss := range sanctions {
		if id, ok := canonical[ent]; ok {
			joined[id] = append(joined[id], ss...)
		}
	}
	for _, k := range entities {
		ss := joined[k.b.e.ID]
		// Sanctions arrive from a map: order them so that the result does
		// not depend on it.
		sort.SliceStable(ss, func(i, j int) bool {
			if ss[i].programme != ss[j].programme {
				return ss[i].programme < ss[j].programme
			}
			return ss[i].authority < ss[j].authority
		})
		var auth []string
		for _, s := range ss {
			k.b.programme(s.programme)
			k.b.listed(s.start)
			if s.authority != "" && k.b.once("a:"+s.authority) {
				auth = append(auth, s.authority)
			}
		}
		k.b.e.Authority = strings.Join(auth, "; ")
		res.keep(k.b, k.where)
	}
	return res, nil
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return strings.TrimSpace(s[0])
}

// ftmPeekID finds the id of a line that is not a valid entity, if it has one.
func ftmPeekID(raw []byte) string {
	var x struct {
		ID any `json:"id"`
	}
	if json.Unmarshal(raw, &x) == nil {
		if s, ok := x.ID.(string); ok {
			return s
		}
	}
	return ""
}
