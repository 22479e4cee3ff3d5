package formats

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"

	"github.com/vaksam/vaksam/engine/excerpt"
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

// bvMeta is what every wrapper carries besides its value.
type bvMeta struct {
	Dataproducent string `json:"dataproducent"`
	Fel           *bvFel `json:"fel"`
}

func (m *bvMeta) meta() *bvMeta { return m }

// metaOf returns a wrapper's bvMeta, nil for an absent (null) wrapper.
func metaOf[T any, P interface {
	*T
	meta() *bvMeta
}](w P) *bvMeta {
	if w == nil {
		return nil
	}
	return w.meta()
}

type bvCoded struct {
	Kod      flexString `json:"kod"`
	Klartext string     `json:"klartext"`
	bvMeta
}

type bvNames struct {
	Lista []struct {
		Namn               string   `json:"namn"`
		Typ                *bvCoded `json:"organisationsnamntyp"`
		Registreringsdatum string   `json:"registreringsdatum"`
	} `json:"organisationsnamnLista"`
	bvMeta
}

type bvDereg struct {
	Avregistreringsdatum string `json:"avregistreringsdatum"`
	bvMeta
}

type bvProceeding struct {
	Kod       string `json:"kod"`
	Klartext  string `json:"klartext"`
	FromDatum string `json:"fromDatum"`
}

// bvProceedings is the proceedings wrapper. The wire spells its keys
// "pagaende…"; Bolagsverket's own OpenAPI example spells them "pagande…":
// both are read.
type bvProceedings struct {
	Lista    []bvProceeding `json:"pagaendeAvvecklingsEllerOmstruktureringsforfarandeLista"`
	ListaAlt []bvProceeding `json:"pagandeAvvecklingsEllerOmstruktureringsforfarandeLista"`
	bvMeta
}

func (p *bvProceedings) list() []bvProceeding { return append(p.Lista, p.ListaAlt...) }

type bvDates struct {
	Registreringsdatum string `json:"registreringsdatum"`
	InfortHosScb       string `json:"infortHosScb"`
	bvMeta
}

type bvDescription struct {
	Beskrivning string `json:"beskrivning"`
	bvMeta
}

type bvSNI struct {
	SNI []bvCoded `json:"sni"`
	bvMeta
}

type bvPostal struct {
	Postadress *struct {
		Utdelningsadress string     `json:"utdelningsadress"`
		CoAdress         string     `json:"coAdress"`
		Postnummer       string     `json:"postnummer"`
		Postort          string     `json:"postort"`
		Land             flexString `json:"land"`
	} `json:"postadress"`
	bvMeta
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
	ForfarandenAlt            *bvProceedings `json:"pagandeAvvecklingsEllerOmstruktureringsforfarande"`
	JuridiskForm              *bvCoded       `json:"juridiskForm"`
	VerksamOrganisation       *bvCoded       `json:"verksamOrganisation"`
	Organisationsdatum        *bvDates       `json:"organisationsdatum"`
	Verksamhetsbeskrivning    *bvDescription `json:"verksamhetsbeskrivning"`
	NaringsgrenOrganisation   *bvSNI         `json:"naringsgrenOrganisation"`
	PostadressOrganisation    *bvPostal      `json:"postadressOrganisation"`
	Fel                       *bvFel         `json:"fel"`
}

// proceedings returns the proceedings wrapper under either spelling.
func (o *bvOrganisation) proceedings() *bvProceedings {
	if o.Forfaranden != nil {
		return o.Forfaranden
	}
	return o.ForfarandenAlt
}

// wrappers lists the field wrappers with the record.Company field each
// gives (its JSON name).
func (o *bvOrganisation) wrappers() []namedFel {
	w := func(field, fact string, m *bvMeta) namedFel {
		if m == nil {
			return namedFel{field: field, fact: fact}
		}
		return namedFel{field: field, fact: fact, present: true, producer: trim(m.Dataproducent), fel: m.Fel}
	}
	return []namedFel{
		w("organisationsnamn", "name", metaOf(o.Organisationsnamn)),
		w("organisationsform", "form", metaOf(o.Organisationsform)),
		w("avregistreradOrganisation", "deregistered", metaOf(o.AvregistreradOrganisation)),
		w("avregistreringsorsak", "deregistered_reason", metaOf(o.Avregistreringsorsak)),
		w("pagaendeAvvecklingsEllerOmstruktureringsforfarande", "proceedings", metaOf(o.proceedings())),
		w("juridiskForm", "juridisk_form", metaOf(o.JuridiskForm)),
		w("verksamOrganisation", "active", metaOf(o.VerksamOrganisation)),
		w("organisationsdatum", "registered", metaOf(o.Organisationsdatum)),
		w("verksamhetsbeskrivning", "description", metaOf(o.Verksamhetsbeskrivning)),
		w("naringsgrenOrganisation", "sni", metaOf(o.NaringsgrenOrganisation)),
		w("postadressOrganisation", "address", metaOf(o.PostadressOrganisation)),
	}
}

// fels lists the errors the organisation and its fields carry.
func (o *bvOrganisation) fels() []namedFel {
	all := append([]namedFel{{present: true, fel: o.Fel}}, o.wrappers()...) // the organisation's own first
	out := all[:0]
	for _, f := range all {
		if f.fel != nil && (f.fel.Typ != "" || f.fel.FelBeskrivning != "") {
			out = append(out, f)
		}
	}
	return out
}

// notFound reports whether the answer says the organisation does not
// exist: ORGANISATION_FINNS_EJ on the organisation itself, or on every
// wrapper present. FINNS_EJ is per data producer: a company SCB does not
// know yet has it on SCB's wrappers only, and is not unknown.
func (o *bvOrganisation) notFound() bool {
	if o.Fel != nil && o.Fel.Typ == felFinnsEj {
		return true
	}
	present := 0
	for _, w := range o.wrappers() {
		if !w.present {
			continue
		}
		present++
		if w.fel == nil || w.fel.Typ != felFinnsEj {
			return false
		}
	}
	return present > 0
}

type namedFel struct {
	field    string // the wrapper's name in the answer; "" for the organisation
	fact     string // the record.Company field it gives (JSON name)
	present  bool   // the wrapper is not null
	producer string // its dataproducent: Bolagsverket or SCB
	fel      *bvFel
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
				if raw == nil {
					continue // quarantined
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
					problem = append(problem, key+" "+excerpt.Cut(strings.Trim(string(raw), `"`), excerpt.Short))
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
			for s.more() {
				if err := e.done(); err != nil {
					return err
				}
				raw, line, err := s.value()
				if err != nil {
					return err
				}
				if raw == nil {
					continue // quarantined
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
	typ := excerpt.Cut(f.Typ, excerpt.Short)
	if d := strings.TrimSpace(f.FelBeskrivning); d != "" {
		return typ + ": " + excerpt.Cut(d, 4*excerpt.Short)
	}
	return typ
}

// bolagsverketOrg turns one organisation object into a record or a
// quarantine.
func bolagsverketOrg(e *emitter, line int, raw json.RawMessage) error {
	it, identity, err := bolagsverketItem(e, line, raw)
	if err != nil {
		return e.quarantine(line, err.Error(), raw)
	}
	withOwner(&it, identity, e.persons)
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

// bolagsverketItem reads one organisation of an answer. asked is the
// organisation the request named (zero when unknown): partial failures
// and not-found answers may come with organisationsidentitet null, and
// then the number asked for is the key. The identity as the answer gave
// it is returned for withOwner. typ.kod is not trusted (Bolagsverket has
// sent PERSON for one sole trader and ORGNR for another): the number
// decides.
func bolagsverketItem(e *emitter, line int, raw json.RawMessage) (record.Item, string, error) {
	asked := e.orgnr
	var o bvOrganisation
	if err := json.Unmarshal(raw, &o); err != nil {
		return record.Item{}, "", fmt.Errorf("%s", jsonReason(err))
	}
	var org ident.Org
	identity := ""
	if o.Organisationsidentitet != nil && strings.TrimSpace(o.Organisationsidentitet.Identitetsbeteckning) != "" {
		identity = o.Organisationsidentitet.Identitetsbeteckning
		var err error
		if org, err = parseOrgField("organisationsidentitet.identitetsbeteckning", identity); err != nil {
			return record.Item{}, "", err
		}
	} else if asked.IsZero() {
		return record.Item{}, "", fieldErr("organisationsidentitet", "missing, and the organisation asked for is not known (give it with --orgnr or the Vaksam-Orgnr header)")
	} else {
		org = asked
	}
	lopnr := o.Namnskyddslopnummer.String()
	var srcErr []string
	unknown := map[string]string{}
	for _, f := range o.fels() {
		switch f.fel.Typ {
		case felFinnsEj:
			if f.fact != "" {
				unknown[f.fact] = fmt.Sprintf("%s: %s (%s)", cmp.Or(f.producer, "Bolagsverket"), felFinnsEj, f.field)
			}
		case felOtillganglg, felTimeout:
			if t := felText(f.fel); !slices.Contains(srcErr, t) {
				srcErr = append(srcErr, t)
			}
		case felOgiltig:
			return record.Item{}, "", fieldErr(f.typField(), "%s", felText(f.fel))
		default:
			return record.Item{}, "", fieldErr(f.typField(), "unknown value %s", excerpt.Quote(f.fel.Typ))
		}
	}
	if o.notFound() {
		return companyItem(org, lopnr, record.Company{Orgnr: org.String(), Lopnr: lopnr, NotFound: true}), identity, nil
	}
	if identity == "" && len(srcErr) == 0 {
		// Without its identity an answer is only trusted as an error.
		srcErr = append(srcErr, "answer without organisationsidentitet")
	}
	c, err := bolagsverketCompany(e, line, &o, org, lopnr)
	if err != nil {
		return record.Item{}, "", err
	}
	for fact, why := range unknown {
		if c.Unknown == nil {
			c.Unknown = map[string]string{}
		}
		c.Unknown[fact] = why
	}
	it := companyItem(org, lopnr, c)
	it.SourceError = strings.Join(srcErr, "; ")
	return it, identity, nil
}

// bolagsverketCompany reads the facts of the wrappers that answered.
func bolagsverketCompany(e *emitter, line int, o *bvOrganisation, org ident.Org, lopnr string) (record.Company, error) {
	var err error
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
			return c, err
		}
	}
	if f := o.Avregistreringsorsak; f != nil {
		c.DeregisteredReason = f.Kod.String()
	}
	if p := o.proceedings(); p != nil {
		for i, x := range p.list() {
			field := fmt.Sprintf("pagaendeAvvecklingsEllerOmstruktureringsforfarande[%d]", i)
			pr, err := proceeding(e, line, field+".kod", x.Kod, field+".fromDatum", x.FromDatum, false)
			if err != nil {
				return c, err
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
			return c, fieldErr("verksamOrganisation.kod", "unknown value %s, want JA or NEJ", excerpt.Quote(k))
		}
	}
	if d := o.Organisationsdatum; d != nil {
		if c.Registered, err = optDateField("organisationsdatum.registreringsdatum", d.Registreringsdatum); err != nil {
			return c, err
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
	return c, nil
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

// proceeding reads a liquidation, bankruptcy or restructuring code and
// its start date. Only a missing code is an error: the real weekly bulk
// file writes ended proceedings as the base code with a modifier
// ("KKAVOV-AVSLAVOMFO" is an ended KK), so the base proceeding is what
// rules read and the code as delivered is kept in Raw; a code that is
// no known proceeding, and a date that is null or unreadable, are kept as
// unknown and noted once per code and parse, never a reason to lose the
// company's other facts.
func proceeding(e *emitter, line int, codeField, code, dateField, from string, ended bool) (record.Proceeding, error) {
	code = trim(code)
	if code == "" {
		return record.Proceeding{}, fieldErr(codeField, "missing value, want a proceeding code such as KK, LI or FR")
	}
	p := record.Proceeding{Code: proceedingBase(code), Ended: ended}
	switch {
	case p.Code == "":
		p.Code, p.Raw, p.Unrecognised = code, code, true
		e.noteOnce("proceeding code "+code, line, "unknown proceeding code kept verbatim", "field", codeField, "code", code)
	case p.Code != code:
		p.Raw = code
	}
	if d := trim(from); d != "" && d != "null" {
		t, err := parseDateField(dateField, d)
		if err != nil {
			e.noteOnce("proceeding date "+d, line, "unreadable proceeding date kept as unknown", "field", dateField, "date", d)
		}
		p.From = t
	}
	return p, nil
}

// proceedingBase returns the known proceeding code that code starts
// with ("KK" for "KKAVOV", "FR" for "FRUHOR"), the longest when several
// do, or "" when none does.
func proceedingBase(code string) string {
	base := ""
	for _, k := range proceedingCodes {
		if strings.HasPrefix(code, k) && len(k) > len(base) {
			base = k
		}
	}
	return base
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
