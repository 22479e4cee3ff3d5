package sanctions

import (
	"encoding/xml"
	"fmt"
	"regexp"
	"strings"
	"time"

	model "github.com/vaksam/vaksam/engine/sanctions"
)

// Problem is one quarantined entity, or one detail of an entity that was
// dropped, and why.
type Problem struct {
	Where  string `json:"where"`          // "file:line"
	ID     string `json:"id,omitempty"`   // the list's id of the entity, when known
	Field  string `json:"field"`          // the list's own name for the field
	Reason string `json:"reason"`         // what is wrong with it
	Kept   bool   `json:"kept,omitempty"` // the entity was kept without the detail
}

func (p Problem) String() string {
	s := p.Where + ": "
	if p.ID != "" {
		s += "entity " + p.ID + ": "
	}
	s += p.Field + ": " + p.Reason
	if p.Kept {
		s += " (detail dropped, entity kept)"
	}
	return s
}

// Result is what a reader read: the screened entities, in the list's
// order, and the problems.
type Result struct {
	Entities []model.Entity `json:"entities"`
	Problems []Problem      `json:"problems,omitempty"`
	// Published is when the file says the list was generated: the EU
	// XML's export generationDate, the UN list's dateGenerated; zero when
	// the format does not say (the EU CSV's rows, an FtM stream) or the
	// value is not a time (then a kept Problem says so).
	Published time.Time `json:"published,omitzero"`
}

// published reads a list's generation time (RFC 3339, with or without
// fractional seconds) from attribute attr of its root element se; a value
// that is not a time is a kept Problem at where.
func (res *Result) published(se xml.StartElement, attr, where string) {
	for _, a := range se.Attr {
		if a.Name.Local != attr {
			continue
		}
		v := strings.TrimSpace(a.Value)
		if v == "" {
			return
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			res.Problems = append(res.Problems, Problem{Where: where, Field: attr, Reason: fmt.Sprintf("%q is not a time (RFC 3339)", v), Kept: true})
			return
		}
		res.Published = t
		return
	}
}

var partialDate = regexp.MustCompile(`^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$`)

// checkDate reports whether s is "YYYY", "YYYY-MM" or "YYYY-MM-DD" with a
// month and day that exist.
func checkDate(s string) error {
	if !partialDate.MatchString(s) {
		return fmt.Errorf("%q is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", s)
	}
	layout := "2006-01-02"[:len(s)]
	if _, err := time.Parse(layout, s); err != nil {
		return fmt.Errorf("%q is not a date: %v", s, err)
	}
	return nil
}

// parseDay parses a YYYY-MM-DD date (the lists' designation and update
// dates); "" is the zero time.
func parseDay(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	return t, nil
}

// country normalises an ISO 3166-1 alpha-2 code; "" when the list gives
// none or an unknown one (the EU writes "00").
func country(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != 2 || s == "00" || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' {
		return ""
	}
	return s
}

// builder collects one entity's details without duplicates.
type builder struct {
	e    model.Entity
	seen map[string]bool
}

func newBuilder(list model.List, id string, kind model.Kind) *builder {
	return &builder{e: model.Entity{List: list, ID: id, Kind: kind}, seen: map[string]bool{}}
}

func (b *builder) once(key string) bool {
	if b.seen[key] {
		return false
	}
	b.seen[key] = true
	return true
}

// name adds a name; a name already given strong is not repeated weak, and a
// strong one replaces an earlier weak one.
func (b *builder) name(n model.Name) {
	n.Full = strings.Join(strings.Fields(n.Full), " ")
	if n.Full == "" {
		// Some entries give the parts only.
		n.Full = strings.Join(strings.Fields(n.Given+" "+n.Family), " ")
	}
	if n.Full == "" {
		return
	}
	for i := range b.e.Names {
		if b.e.Names[i].Full == n.Full {
			if b.e.Names[i].Weak && !n.Weak {
				b.e.Names[i].Weak = false
			}
			return
		}
	}
	b.e.Names = append(b.e.Names, n)
}

func (b *builder) birth(s string) {
	if s = strings.TrimSpace(s); s != "" && b.once("b:"+s) {
		b.e.BirthDates = append(b.e.BirthDates, s)
	}
}

func (b *builder) nationality(s string) {
	if c := country(s); c != "" && b.once("n:"+c) {
		b.e.Nationalities = append(b.e.Nationalities, c)
	}
}

func (b *builder) identifier(id model.Identifier) {
	id.Value = strings.TrimSpace(id.Value)
	if id.Value != "" && b.once("i:"+id.Type+"\x00"+id.Value+"\x00"+id.Country) {
		b.e.Identifiers = append(b.e.Identifiers, id)
	}
}

func (b *builder) programme(s string) {
	if s = strings.TrimSpace(s); s != "" && b.once("p:"+s) {
		b.e.Programmes = append(b.e.Programmes, s)
	}
}

// listed keeps the earliest designation date.
func (b *builder) listed(t time.Time) {
	if !t.IsZero() && (b.e.Listed.IsZero() || t.Before(b.e.Listed)) {
		b.e.Listed = t
	}
}

// finish checks the entity: it is quarantined (nil and a Problem) when it
// has no id, no name or a birth date that is not a date.
func (b *builder) finish(where string) (*model.Entity, *Problem) {
	e := &b.e
	bad := func(field, reason string) (*model.Entity, *Problem) {
		return nil, &Problem{Where: where, ID: e.ID, Field: field, Reason: reason}
	}
	if strings.TrimSpace(e.ID) == "" {
		return bad("id", "missing")
	}
	if len(e.Names) == 0 {
		return bad("name", "the entity has no name")
	}
	for _, d := range e.BirthDates {
		if err := checkDate(d); err != nil {
			return bad("birth date", err.Error())
		}
	}
	return e, nil
}
