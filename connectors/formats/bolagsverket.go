package formats

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
)

func init() { register(record.Bolagsverket, parseBolagsverket) }

// Bolagsverket's fel.typ values.
const (
	felFinnsEj     = "ORGANISATION_FINNS_EJ"
	felOgiltig     = "OGILTIG_BEGARAN"
	felOtillganglg = "OTILLGANGLIG_UPPGIFTSKALLA"
	felTimeout     = "TIMEOUT"
)

// bvFel is the error a field wrapper or an organisation may carry.
type bvFel struct {
	Typ            string `json:"typ"`
	FelBeskrivning string `json:"felBeskrivning"`
}

// The field wrappers: each carries its own dataproducent and fel.

type bvCoded struct {
	Kod           flexString `json:"kod"`
	Klartext      string     `json:"klartext"`
	Dataproducent string     `json:"dataproducent"`
	Fel           *bvFel     `json:"fel"`
}

type bvNames struct {
	Lista []struct {
		Namn               string   `json:"namn"`
		Typ                *bvCoded `json:"organisationsnamntyp"`
		Registreringsdatum string   `json:"registreringsdatum"`
	} `json:"organisationsnamnLista"`
	Dataproducent string `json:"dataproducent"`
	Fel           *bvFel `json:"fel"`
}

type bvDereg struct {
	Avregistreringsdatum string `json:"avregistreringsdatum"`
	Dataproducent        string `json:"dataproducent"`
	Fel                  *bvFel `json:"fel"`
}

type bvProceedings struct {
	Lista []struct {
		Kod       string `json:"kod"`
		Klartext  string `json:"klartext"`
		FromDatum string `json:"fromDatum"`
	} `json:"pagaendeAvvecklingsEllerOmstruktureringsforfarandeLista"`
	Dataproducent string `json:"dataproducent"`
	Fel           *bvFel `json:"fel"`
}

type bvDates struct {
	Registreringsdatum string `json:"registreringsdatum"`
	InfortHosScb       string `json:"infortHosScb"`
	Dataproducent      string `json:"dataproducent"`
	Fel                *bvFel `json:"fel"`
}

type bvDescription struct {
	Beskrivning   string `json:"beskrivning"`
	Dataproducent string `json:"dataproducent"`
	Fel           *bvFel `json:"fel"`
}

type bvSNI struct {
	SNI           []bvCoded `json:"sni"`
	Dataproducent string    `json:"dataproducent"`
	Fel           *bvFel    `json:"fel"`
}

type bvPostal struct {
	Postadress *struct {
		Utdelningsadress string     `json:"utdelningsadress"`
		CoAdress         string     `json:"coAdress"`
		Postnummer       string     `json:"postnummer"`
		Postort          string     `json:"postort"`
		Land             flexString `json:"land"`
	} `json:"postadress"`
	Dataproducent string `json:"dataproducent"`
	Fel           *bvFel `json:"fel"`
}

// fel returns the wrapper's error; nil for an absent (null) field.
func (w *bvCoded) fel() *bvFel       { return felIf(w != nil, func() *bvFel { return w.Fel }) }
func (w *bvNames) fel() *bvFel       { return felIf(w != nil, func() *bvFel { return w.Fel }) }
func (w *bvDereg) fel() *bvFel       { return felIf(w != nil, func() *bvFel { return w.Fel }) }
func (w *bvProceedings) fel() *bvFel { return felIf(w != nil, func() *bvFel { return w.Fel }) }
func (w *bvDates) fel() *bvFel       { return felIf(w != nil, func() *bvFel { return w.Fel }) }
func (w *bvDescription) fel() *bvFel { return felIf(w != nil, func() *bvFel { return w.Fel }) }
func (w *bvSNI) fel() *bvFel         { return felIf(w != nil, func() *bvFel { return w.Fel }) }
func (w *bvPostal) fel() *bvFel      { return felIf(w != nil, func() *bvFel { return w.Fel }) }

func felIf(present bool, f func() *bvFel) *bvFel {
	if !present {
		return nil
	}
	return f()
}

// bvOrganisation is one element of the API's "organisationer" list.
type bvOrganisation struct {
	Organisationsidentitet *struct {
		Identitetsbeteckning string  `json:"identitetsbeteckning"`
		Typ                  bvCoded `json:"typ"`
	} `json:"organisationsidentitet"`
	Namnskyddslopnummer       flexString     `json:"namnskyddslopnummer"`
	Organisationsnamn         *bvNames       `json:"organisationsnamn"`
	Organisationsform         *bvCoded       `json:"organisationsform"`
	AvregistreradOrganisation *bvDereg       `json:"avregistreradOrganisation"`
	Avregistreringsorsak      *bvCoded       `json:"avregistreringsorsak"`
	Forfaranden               *bvProceedings `json:"pagaendeAvvecklingsEllerOmstruktureringsforfarande"`
	JuridiskForm              *bvCoded       `json:"juridiskForm"`
	VerksamOrganisation       *bvCoded       `json:"verksamOrganisation"`
	Organisationsdatum        *bvDates       `json:"organisationsdatum"`
	Verksamhetsbeskrivning    *bvDescription `json:"verksamhetsbeskrivning"`
	NaringsgrenOrganisation   *bvSNI         `json:"naringsgrenOrganisation"`
	PostadressOrganisation    *bvPostal      `json:"postadressOrganisation"`
	Fel                       *bvFel         `json:"fel"`
}

// fels lists the errors the organisation and its fields carry.
func (o *bvOrganisation) fels() []namedFel {
	all := []namedFel{
		{"", o.Fel}, // the organisation's own
		{"organisationsnamn", o.Organisationsnamn.fel()},
		{"organisationsform", o.Organisationsform.fel()},
		{"avregistreradOrganisation", o.AvregistreradOrganisation.fel()},
		{"avregistreringsorsak", o.Avregistreringsorsak.fel()},
		{"pagaendeAvvecklingsEllerOmstruktureringsforfarande", o.Forfaranden.fel()},
		{"juridiskForm", o.JuridiskForm.fel()},
		{"verksamOrganisation", o.VerksamOrganisation.fel()},
		{"organisationsdatum", o.Organisationsdatum.fel()},
		{"verksamhetsbeskrivning", o.Verksamhetsbeskrivning.fel()},
		{"naringsgrenOrganisation", o.NaringsgrenOrganisation.fel()},
		{"postadressOrganisation", o.PostadressOrganisation.fel()},
	}
	out := all[:0]
	for _, f := range all {
		if f.fel != nil && (f.fel.Typ != "" || f.fel.FelBeskrivning != "") {
			out = append(out, f)
		}
	}
	return out
}

type namedFel struct {
	field string
	fel   *bvFel
}

// typField names the fel.typ of the field in a reason.
func (f namedFel) typField() string {
	if f.field == "" {
		return "fel.typ"
	}
	return f.field + ".fel.typ"
}

// flexString reads a JSON string, number or null as text, and an object
// as its "kod" (the API is not consistent about such fields).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		*f = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(strings.TrimSpace(s))
	case len(b) > 0 && b[0] == '{':
		var k struct {
			Kod flexString `json:"kod"`
		}
		if err := json.Unmarshal(b, &k); err != nil {
			return err
		}
		*f = k.Kod
	case len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9'):
		*f = flexString(b)
	default:
		// A type error gets the field's name from encoding/json.
		return &json.UnmarshalTypeError{Value: jsonKind(b), Type: reflect.TypeFor[string]()}
	}
	return nil
}

func (f flexString) String() string { return string(f) }

// parseBolagsverket reads the API's responses, {"organisationer":[...]},
// one or several documents in a row, one Item per organisation.
func parseBolagsverket(ctx context.Context, r io.Reader, opt Options, sink Sink) error {
	e := newEmitter(ctx, record.Bolagsverket, opt, sink)
	s := newJSONStream(r, e)
	return finish(eachDocument(s, func() error {
		docLine := s.nextLine()
		if _, err := s.delim('{', "response", false); err != nil {
			return err
		}
		var problem []string
		sawList := false
		for {
			key, ok, err := s.key()
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			if key != "organisationer" {
				raw, line, err := s.value()
				if err != nil {
					return err
				}
				switch key {
				case "fel":
					var f *bvFel
					if json.Unmarshal(raw, &f) == nil && f != nil && f.Typ != "" {
						if err := e.quarantine(line, "response fel.typ "+felText(f), raw); err != nil {
							return err
						}
					}
				case "title", "detail", "status":
					problem = append(problem, key+" "+strings.Trim(string(raw), `"`))
				}
				continue
			}
			sawList = true
			isNull, err := s.delim('[', "organisationer", true)
			if err != nil {
				return err
			}
			if isNull {
				continue
			}
			for s.dec.More() {
				if err := e.done(); err != nil {
					return err
				}
				raw, line, err := s.value()
				if err != nil {
					return err
				}
				if err := bolagsverketOrg(e, line, raw); err != nil {
					return err
				}
			}
			if _, err := s.delim(']', "organisationer", false); err != nil {
				return err
			}
		}
		if !sawList && len(problem) > 0 {
			return e.quarantine(docLine, "error response: "+strings.Join(problem, ", "), nil)
		}
		return nil
	}))
}

// eachDocument calls doc for each top-level JSON value in the stream.
func eachDocument(s *jsonStream, doc func() error) error {
	for {
		if err := s.e.done(); err != nil {
			return err
		}
		eof, err := s.atEOF()
		if err != nil {
			return err
		}
		if eof {
			return nil
		}
		if err := doc(); err != nil {
			return err
		}
	}
}

func felText(f *bvFel) string {
	if d := strings.TrimSpace(f.FelBeskrivning); d != "" {
		return f.Typ + ": " + d
	}
	return f.Typ
}

// bolagsverketOrg turns one organisation object into a record or a
// quarantine.
func bolagsverketOrg(e *emitter, line int, raw json.RawMessage) error {
	it, err := bolagsverketItem(raw)
	if err != nil {
		return e.quarantine(line, err.Error(), raw)
	}
	var id struct {
		Organisationsidentitet struct {
			Identitetsbeteckning string `json:"identitetsbeteckning"`
		} `json:"organisationsidentitet"`
	}
	if json.Unmarshal(raw, &id) == nil {
		withOwner(&it, id.Organisationsidentitet.Identitetsbeteckning, e.persons)
	}
	it.Raw = raw
	return e.record(line, it)
}

// withOwner records a sole trader's owner, pseudonymised, when the
// identity is a 12-digit personnummer: the owner is the business's
// representative, and a trading ban on them concerns it.
func withOwner(it *record.Item, identity string, persons record.Pseudonymizer) {
	c, ok := it.Parsed.(record.Company)
	if !ok || persons == nil || c.NotFound {
		return
	}
	p, err := ident.ParsePerson(strings.TrimSpace(identity))
	if err != nil {
		return
	}
	owner := record.Person(persons, p, "")
	c.Owner = &owner
	it.Parsed = c
	it.Links.Persons = append(it.Links.Persons, owner.ID)
}

func bolagsverketItem(raw json.RawMessage) (record.Item, error) {
	var o bvOrganisation
	if err := json.Unmarshal(raw, &o); err != nil {
		return record.Item{}, fmt.Errorf("%s", jsonReason(err))
	}
	if o.Organisationsidentitet == nil {
		return record.Item{}, fieldErr("organisationsidentitet", "missing")
	}
	org, err := parseOrgField("organisationsidentitet.identitetsbeteckning", o.Organisationsidentitet.Identitetsbeteckning)
	if err != nil {
		return record.Item{}, err
	}
	lopnr := o.Namnskyddslopnummer.String()
	notFound := false
	var srcErr []string
	for _, f := range o.fels() {
		switch f.fel.Typ {
		case felFinnsEj:
			notFound = true
		case felOtillganglg, felTimeout:
			if t := felText(f.fel); !slices.Contains(srcErr, t) {
				srcErr = append(srcErr, t)
			}
		case felOgiltig:
			return record.Item{}, fieldErr(f.typField(), "%s", felText(f.fel))
		default:
			return record.Item{}, fieldErr(f.typField(), "unknown value %q", f.fel.Typ)
		}
	}
	if notFound {
		return companyItem(org, lopnr, record.Company{Orgnr: org.String(), Lopnr: lopnr, NotFound: true}), nil
	}
	c := record.Company{Orgnr: org.String(), Lopnr: lopnr}
	if n := o.Organisationsnamn; n != nil {
		for _, x := range n.Lista {
			if c.Name == "" || x.Typ != nil && x.Typ.Kod == "FORETAGSNAMN" {
				c.Name = trim(x.Namn)
				if x.Typ != nil && x.Typ.Kod == "FORETAGSNAMN" {
					break
				}
			}
		}
	}
	if f := o.Organisationsform; f != nil {
		c.Form = f.Kod.String()
	}
	if f := o.JuridiskForm; f != nil {
		c.JuridiskForm = f.Kod.String()
	}
	if d := o.AvregistreradOrganisation; d != nil {
		if c.Deregistered, err = optDateField("avregistreradOrganisation.avregistreringsdatum", d.Avregistreringsdatum); err != nil {
			return record.Item{}, err
		}
	}
	if f := o.Avregistreringsorsak; f != nil {
		c.DeregisteredReason = f.Kod.String()
	}
	if p := o.Forfaranden; p != nil {
		for i, x := range p.Lista {
			field := fmt.Sprintf("pagaendeAvvecklingsEllerOmstruktureringsforfarande[%d]", i)
			pr, err := proceeding(field+".kod", x.Kod, field+".fromDatum", x.FromDatum, false)
			if err != nil {
				return record.Item{}, err
			}
			c.Proceedings = append(c.Proceedings, pr)
		}
	}
	if v := o.VerksamOrganisation; v != nil {
		switch k := v.Kod.String(); k {
		case "JA", "NEJ":
			a := k == "JA"
			c.Active = &a
		case "":
		default:
			return record.Item{}, fieldErr("verksamOrganisation.kod", "unknown value %q, want JA or NEJ", k)
		}
	}
	if d := o.Organisationsdatum; d != nil {
		if c.Registered, err = optDateField("organisationsdatum.registreringsdatum", d.Registreringsdatum); err != nil {
			return record.Item{}, err
		}
	}
	if d := o.Verksamhetsbeskrivning; d != nil {
		c.Description = trim(d.Beskrivning)
	}
	if n := o.NaringsgrenOrganisation; n != nil {
		for _, k := range n.SNI {
			c.SNI = appendSNI(c.SNI, k.Kod.String())
		}
	}
	if p := o.PostadressOrganisation; p != nil && p.Postadress != nil {
		a := p.Postadress
		c.Address = record.Address{
			Street:     trim(a.Utdelningsadress),
			CO:         trim(a.CoAdress),
			PostalCode: cleanPostalCode(a.Postnummer),
			City:       trim(a.Postort),
			Country:    a.Land.String(),
		}
	}
	it := companyItem(org, lopnr, c)
	it.SourceError = strings.Join(srcErr, "; ")
	return it, nil
}

// companyItem makes the Item for Bolagsverket's facts about an
// organisation (API or bulk file): the subject is the 10-digit number, the
// key the namnskyddslöpnummer that tells a sole trader's businesses apart.
func companyItem(org ident.Org, lopnr string, c record.Company) record.Item {
	return record.Item{
		Subject: org.String(),
		Key:     lopnr,
		Parsed:  c,
		Links:   record.Links{Addresses: addressLinks(c.Address)},
	}
}

// proceeding validates a liquidation, bankruptcy or restructuring code
// and its optional start date.
func proceeding(codeField, code, dateField, from string, ended bool) (record.Proceeding, error) {
	code, err := proceedingCodes.check(codeField, code)
	if err != nil {
		return record.Proceeding{}, err
	}
	t, err := optDateField(dateField, from)
	if err != nil {
		return record.Proceeding{}, err
	}
	return record.Proceeding{Code: code, From: t, Ended: ended}, nil
}

// jsonKind names the kind of a JSON value for error messages.
func jsonKind(b []byte) string {
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	}
	return "value"
}
