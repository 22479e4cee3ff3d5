package sanctions

import (
	"encoding/xml"
	"io"
	"strings"
	"time"

	model "github.com/vaksam/vaksam/engine/sanctions"
)

// unAlias is an INDIVIDUAL_ALIAS or ENTITY_ALIAS.
type unAlias struct {
	Quality string `xml:"QUALITY"`
	Name    string `xml:"ALIAS_NAME"`
}

// unEntry is one INDIVIDUAL or ENTITY of the UN consolidated list.
type unEntry struct {
	DataID      string    `xml:"DATAID"`
	Reference   string    `xml:"REFERENCE_NUMBER"`
	First       string    `xml:"FIRST_NAME"`
	Second      string    `xml:"SECOND_NAME"`
	Third       string    `xml:"THIRD_NAME"`
	Fourth      string    `xml:"FOURTH_NAME"`
	Original    string    `xml:"NAME_ORIGINAL_SCRIPT"`
	ListType    string    `xml:"UN_LIST_TYPE"`
	ListedOn    string    `xml:"LISTED_ON"`
	Comments    string    `xml:"COMMENTS1"`
	Updated     []string  `xml:"LAST_DAY_UPDATED>VALUE"`
	Individual  []unAlias `xml:"INDIVIDUAL_ALIAS"`
	EntityAlias []unAlias `xml:"ENTITY_ALIAS"`
	Birth       []struct {
		Date string `xml:"DATE"`
		Year string `xml:"YEAR"`
		From string `xml:"FROM_YEAR"`
		To   string `xml:"TO_YEAR"`
	} `xml:"INDIVIDUAL_DATE_OF_BIRTH"`
	Documents []struct {
		Type   string `xml:"TYPE_OF_DOCUMENT"`
		Number string `xml:"NUMBER"`
	} `xml:"INDIVIDUAL_DOCUMENT"`
}

// ReadUNXML reads the UN Security Council consolidated list (XML); file
// names it in errors and problems. Nationalities are given by the list as
// country names, not codes, and are not read (yet).
func ReadUNXML(r io.Reader, file string) (Result, error) {
	var res Result
	entry := func(kind model.Kind) func(*xml.Decoder, xml.StartElement, string) error {
		return func(d *xml.Decoder, se xml.StartElement, where string) error {
			var x unEntry
			if err := decodeEntry(d, se, where, file, &x); err != nil {
				return err
			}
			b := newBuilder(model.UN, strings.TrimSpace(x.DataID), kind)
			b.name(model.Name{Full: strings.Join([]string{x.First, x.Second, x.Third, x.Fourth}, " ")})
			b.name(model.Name{Full: x.Original})
			for _, a := range append(x.Individual, x.EntityAlias...) {
				b.name(model.Name{Full: a.Name, Weak: strings.EqualFold(strings.TrimSpace(a.Quality), "Low")})
			}
			for _, bd := range x.Birth {
				switch {
				case strings.TrimSpace(bd.Date) != "":
					b.birth(unDate(bd.Date))
				case strings.TrimSpace(bd.Year) != "":
					b.birth(bd.Year)
				default:
					b.birth(bd.From)
					b.birth(bd.To)
				}
			}
			for _, doc := range x.Documents {
				b.identifier(model.Identifier{Type: unDocType(doc.Type), Value: doc.Number})
			}
			b.identifier(model.Identifier{Type: "un-reference", Value: x.Reference})
			b.programme(x.ListType)
			b.e.Authority = "UN Security Council"
			b.e.Remarks = strings.TrimSpace(x.Comments)
			for _, f := range []struct {
				field, value string
				into         func(t time.Time)
			}{
				{"LISTED_ON", x.ListedOn, func(t time.Time) { b.listed(t) }},
				{"LAST_DAY_UPDATED", last(x.Updated), func(t time.Time) { b.e.Updated = t }},
			} {
				t, err := parseDay(strings.TrimSpace(f.value))
				if err != nil {
					res.Problems = append(res.Problems, Problem{Where: where, ID: b.e.ID, Field: f.field, Reason: err.Error()})
					return nil
				}
				f.into(t)
			}
			res.keep(b, where)
			return nil
		}
	}
	err := streamXML(r, file, map[string]func(*xml.Decoder, xml.StartElement, string) error{
		// The root: its attributes only, the entries are read as they come.
		"CONSOLIDATED_LIST": func(_ *xml.Decoder, se xml.StartElement, where string) error {
			res.published(se, "dateGenerated", where)
			return nil
		},
		"INDIVIDUAL": entry(model.Person),
		"ENTITY":     entry(model.Organisation),
	})
	return res, err
}

func last(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}

// unDate keeps the date part of a UN DATE, which some entries give with a
// time ("1968-04-11T00:00:00").
func unDate(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, 'T'); i == 10 {
		s = s[:i]
	}
	return s
}

// unDocType maps the UN TYPE_OF_DOCUMENT to the model's words.
func unDocType(s string) string {
	switch t := strings.ToLower(strings.TrimSpace(s)); {
	case strings.Contains(t, "passport"):
		return "passport"
	case strings.Contains(t, "national identification"), strings.Contains(t, "identity card"):
		return "national-id"
	case t == "":
		return "other"
	default:
		return t
	}
}
