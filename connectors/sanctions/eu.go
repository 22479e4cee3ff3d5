package sanctions

import (
	"encoding/xml"
	"io"
	"strings"

	model "github.com/vaksam/vaksam/engine/sanctions"
)

// euEntity is one sanctionEntity of the EU file, XML 1.1: only the parts
// Vaksam reads.
type euEntity struct {
	LogicalID  string   `xml:"logicalId,attr"`
	EURef      string   `xml:"euReferenceNumber,attr"`
	Designated string   `xml:"designationDate,attr"`
	Remarks    []string `xml:"remark"`
	Regulation []struct {
		Programme       string `xml:"programme,attr"`
		PublicationDate string `xml:"publicationDate,attr"`
	} `xml:"regulation"`
	SubjectType struct {
		Code string `xml:"code,attr"`
	} `xml:"subjectType"`
	NameAlias []struct {
		First  string `xml:"firstName,attr"`
		Last   string `xml:"lastName,attr"`
		Whole  string `xml:"wholeName,attr"`
		Lang   string `xml:"nameLanguage,attr"`
		Strong string `xml:"strong,attr"`
	} `xml:"nameAlias"`
	Citizenship []struct {
		Country string `xml:"countryIso2Code,attr"`
	} `xml:"citizenship"`
	Birthdate []struct {
		Date string `xml:"birthdate,attr"`
		Year string `xml:"year,attr"`
	} `xml:"birthdate"`
	Identification []struct {
		Number  string `xml:"number,attr"`
		Latin   string `xml:"latinNumber,attr"`
		Type    string `xml:"identificationTypeCode,attr"`
		Country string `xml:"countryIso2Code,attr"`
	} `xml:"identification"`
}

// euKind maps the EU subjectType code.
func euKind(code string) model.Kind {
	switch strings.ToLower(strings.TrimSpace(code)) {
	case "person", "p":
		return model.Person
	case "enterprise", "e":
		return model.Organisation
	}
	return model.Other
}

// ReadEUXML reads the EU consolidated financial sanctions file (XML 1.1);
// file names it in errors and problems.
func ReadEUXML(r io.Reader, file string) (Result, error) {
	var res Result
	err := streamXML(r, file, map[string]func(*xml.Decoder, xml.StartElement, string) error{
		// The root: its attributes only, the entities are read as they come.
		"export": func(_ *xml.Decoder, se xml.StartElement, where string) error {
			res.published(se, "generationDate", where)
			return nil
		},
		"sanctionEntity": func(d *xml.Decoder, se xml.StartElement, where string) error {
			var x euEntity
			if err := decodeEntry(d, se, where, file, &x); err != nil {
				return err
			}
			b := newBuilder(model.EU, strings.TrimSpace(x.LogicalID), euKind(x.SubjectType.Code))
			for _, n := range x.NameAlias {
				b.name(model.Name{Full: n.Whole, Weak: strings.EqualFold(n.Strong, "false"),
					Given: strings.TrimSpace(n.First), Family: strings.TrimSpace(n.Last), Lang: strings.ToLower(n.Lang)})
			}
			for _, c := range x.Citizenship {
				b.nationality(c.Country)
			}
			for _, bd := range x.Birthdate {
				if bd.Date != "" {
					b.birth(bd.Date)
				} else {
					b.birth(bd.Year)
				}
			}
			for _, id := range x.Identification {
				v := id.Number
				if v == "" {
					v = id.Latin
				}
				b.identifier(model.Identifier{Type: euIDType(id.Type), Value: v, Country: country(id.Country)})
			}
			b.identifier(model.Identifier{Type: "eu-reference", Value: x.EURef})
			b.e.Remarks = strings.Join(x.Remarks, "\n")
			var regs []euReg
			for _, g := range x.Regulation {
				regs = append(regs, euReg{g.Programme, g.PublicationDate})
			}
			regs = append(regs, euReg{date: x.Designated})
			res.add(b, where, regs)
			return nil
		},
	})
	return res, err
}

type euReg struct{ programme, date string }

// add finishes an EU entity: its programmes and earliest date, then the
// checks; a bad entity goes to Problems.
func (res *Result) add(b *builder, where string, regs []euReg) {
	b.e.Authority = "European Union"
	for _, g := range regs {
		b.programme(g.programme)
		t, err := parseDay(g.date)
		if err != nil {
			res.Problems = append(res.Problems, Problem{Where: where, ID: b.e.ID, Field: "publicationDate", Reason: err.Error()})
			return
		}
		b.listed(t)
	}
	res.keep(b, where)
}

// keep appends the finished entity, or its problem.
func (res *Result) keep(b *builder, where string) {
	e, p := b.finish(where)
	if p != nil {
		res.Problems = append(res.Problems, *p)
		return
	}
	res.Entities = append(res.Entities, *e)
}

// euIDType maps the EU identificationTypeCode to the model's words.
func euIDType(code string) string {
	switch c := strings.ToLower(strings.TrimSpace(code)); c {
	case "passport":
		return "passport"
	case "id":
		return "national-id"
	case "regnumber":
		return "registration"
	case "fiscalcode", "tin", "taxid":
		return "tax"
	case "":
		return "other"
	default:
		return c
	}
}
