package synthetic

import (
	"bufio"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/vaksam/vaksam/engine/record"
)

// The org loop only encodes; a second goroutine does the file system
// calls, in order.
type ioJob struct {
	f     *os.File
	data  *[]byte
	close bool
	path  string // whole-file write
}

type asyncIO struct {
	jobs chan ioJob
	done chan struct{}
	err  error
	pool sync.Pool
}

func newAsyncIO() *asyncIO {
	a := &asyncIO{jobs: make(chan ioJob, 64), done: make(chan struct{})}
	a.pool.New = func() any { b := make([]byte, 0, 256<<10); return &b }
	go func() {
		defer close(a.done)
		for j := range a.jobs {
			if a.err == nil {
				var err error
				switch {
				case j.path != "":
					err = os.WriteFile(j.path, *j.data, 0o644)
				case j.close:
					err = j.f.Close()
				default:
					_, err = j.f.Write(*j.data)
				}
				a.err = err
			} else if j.f != nil && j.close {
				j.f.Close()
			}
			if j.data != nil {
				*j.data = (*j.data)[:0]
				a.pool.Put(j.data)
			}
		}
	}()
	return a
}

func (a *asyncIO) copyOf(p []byte) *[]byte {
	b := a.pool.Get().(*[]byte)
	*b = append((*b)[:0], p...)
	return b
}

// wait finishes all queued work.
func (a *asyncIO) wait() error {
	close(a.jobs)
	<-a.done
	return a.err
}

type asyncFile struct {
	a *asyncIO
	f *os.File
}

func (w *asyncFile) Write(p []byte) (int, error) {
	w.a.jobs <- ioJob{f: w.f, data: w.a.copyOf(p)}
	return len(p), nil
}

type fileW struct {
	af *asyncFile
	w  *bufio.Writer
}

func (g *gen) create(rel, source string, observed time.Time, orgnr string) (*fileW, error) {
	p := filepath.Join(g.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(p)
	if err != nil {
		return nil, err
	}
	g.steps = append(g.steps, Step{Source: source, File: rel, Observed: observed, Orgnr: orgnr})
	af := &asyncFile{a: g.io, f: f}
	return &fileW{af: af, w: bufio.NewWriterSize(af, 256<<10)}, nil
}

func (fw *fileW) close() error {
	if err := fw.w.Flush(); err != nil {
		return err
	}
	fw.af.a.jobs <- ioJob{f: fw.af.f, close: true}
	return nil
}

// bvWriter writes Bolagsverket API responses, one {"organisationer":[...]}
// document of up to 1000 organisations per line.
type bvWriter struct {
	fw *fileW
	n  int
}

func (b *bvWriter) add(rec []byte) {
	if b.n == 0 {
		b.fw.w.WriteString(`{"organisationer":[`)
	} else {
		b.fw.w.WriteByte(',')
	}
	b.fw.w.Write(rec)
	b.n++
	if b.n == 1000 {
		b.fw.w.WriteString("]}\n")
		b.n = 0
	}
}

func (b *bvWriter) close() error {
	if b.n > 0 {
		b.fw.w.WriteString("]}\n")
	}
	return b.fw.close()
}

// scbWriter writes SCB API answers: JSON arrays of at most 2000 rows, one
// file per call.
type scbWriter struct {
	g    *gen
	fw   *fileW
	n    int
	file int
}

func (s *scbWriter) add(rec []byte) error {
	if s.fw == nil {
		s.file++
		fw, err := s.g.create(fmt.Sprintf("scb/hamtaforetag-%04d.json", s.file), record.SCB, s.g.observed(10), "")
		if err != nil {
			return err
		}
		s.fw = fw
		fw.w.WriteByte('[')
	} else {
		s.fw.w.WriteByte(',')
	}
	s.fw.w.Write(rec)
	s.n++
	if s.n == 2000 {
		return s.flush()
	}
	return nil
}

func (s *scbWriter) flush() error {
	if s.fw == nil {
		return nil
	}
	s.fw.w.WriteString("]\n")
	err := s.fw.close()
	s.fw, s.n = nil, 0
	return err
}

func date(t time.Time) string { return t.Format(time.DateOnly) }

const dayBase = 25567 // days from 1900-01-01 to 1970-01-01

// date formats a calendar date (UTC midnight) through a cache.
func (g *gen) date(t time.Time) string {
	d := t.Unix()
	if d < 0 {
		d -= 86399
	}
	k := d/86400 + dayBase
	if k < 0 || k >= 80000 || t.Hour() != 0 {
		return date(t)
	}
	if g.dates == nil {
		g.dates = make([]string, 80000)
	}
	if s := g.dates[k]; s != "" {
		return s
	}
	s := date(t)
	g.dates[k] = s
	return s
}

func stamp(t time.Time) string { return t.Format("2006-01-02") + "T00:00:00.000+00:00" }

func upper(s string) string { return strings.ToUpper(s) }

// appendStr appends s as a JSON string (UTF-8 kept as is).
func appendStr(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, fmt.Sprintf(`\u%04x`, c)...)
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

func appendKV(b []byte, k, v string) []byte {
	b = appendStr(b, k)
	b = append(b, ':')
	return appendStr(b, v)
}

func csvField(s string) string {
	if strings.ContainsAny(s, ";\"\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

type formInfo struct {
	kod, text, jur, jurText, sektor, sektorText string
}

var forms = [...]formInfo{
	formAB: {"AB", "Aktiebolag", "49", "Övriga aktiebolag", "11000", "Icke-finansiella bolag"},
	formHB: {"HB", "Handelsbolag", "31", "Handelsbolag, kommanditbolag", "11000", "Icke-finansiella bolag"},
	formIF: {"I", "Ideell förening", "61", "Ideella föreningar", "15000", "Hushållens icke-vinstdrivande organisationer"},
	formE:  {"E", "Enskild näringsverksamhet", "10", "Enskild näringsidkare", "14000", "Hushåll"},
}

func procAt(o *org, t time.Time) []proceeding {
	var l []proceeding
	for _, p := range o.proc {
		if !p.from.After(t) {
			l = append(l, p)
		}
	}
	return l
}

func (g *gen) deregAt(o *org, s int) bool {
	return !o.dereg.IsZero() && !o.dereg.After(g.snapDate(s))
}

// inSnap reports whether organisation o appears in snapshot s: the last
// holds all, earlier ones the special organisations, those whose data
// differ from the last, and a 2 % sample.
func (g *gen) inSnap(o *org, s int) bool {
	if !o.reg.Before(g.snapDate(s)) || o.realKind() == realBulkOnly {
		return false
	}
	if s == lastSnap || o.sp != nil || g.h(o.i, saltSample)%50 == 0 {
		return true
	}
	// Different from the last snapshot, or the first to show a change.
	differ := func(a, b int) bool {
		return o.addrAt(a) != o.addrAt(b) ||
			len(procAt(o, g.snapDate(a))) != len(procAt(o, g.snapDate(b))) ||
			g.deregAt(o, a) != g.deregAt(o, b)
	}
	return differ(s, lastSnap) || (s > 0 && differ(s, s-1))
}

const (
	bvProd  = `,"dataproducent":"Bolagsverket","fel":null}`
	scbProd = `,"dataproducent":"SCB","fel":null}`
)

// appendBV appends the API's organisation object for o as seen at
// snapshot s.
func (g *gen) appendBV(b []byte, o *org, s int) []byte {
	at := g.snapDate(s)
	fi := forms[o.form]
	b = append(b, `{"organisationsidentitet":{"identitetsbeteckning":`...)
	b = appendStr(b, o.apiID)
	if o.form == formE {
		b = append(b, `,"typ":{"kod":"PERSON","klartext":"Personnummer"}},"namnskyddslopnummer":"1"`...)
	} else {
		b = append(b, `,"typ":{"kod":"ORGNR","klartext":"Organisationsnummer"}},"namnskyddslopnummer":null`...)
	}
	b = append(b, `,"organisationsnamn":{"organisationsnamnLista":[{"namn":`...)
	b = appendStr(b, o.name)
	b = append(b, `,"organisationsnamntyp":{"kod":"FORETAGSNAMN","klartext":"Företagsnamn"},"registreringsdatum":`...)
	b = appendStr(b, g.date(o.reg))
	b = append(b, `,"verksamhetsbeskrivningSarskiltForetagsnamn":null}`...)
	if o.bifa != "" {
		b = append(b, `,{"namn":`...)
		b = appendStr(b, o.bifa)
		b = append(b, `,"organisationsnamntyp":{"kod":"BIFIRMA","klartext":"Bifirma"},"registreringsdatum":`...)
		b = appendStr(b, g.date(o.reg.AddDate(1, 0, 0)))
		b = append(b, `,"verksamhetsbeskrivningSarskiltForetagsnamn":`...)
		b = appendStr(b, o.desc)
		b = append(b, '}')
	}
	b = append(b, ']')
	b = append(b, bvProd...)
	b = append(b, `,"registreringsland":{"kod":"SE-LAND","klartext":"Sverige"},"reklamsparr":null,"organisationsform":{"kod":`...)
	b = appendStr(b, fi.kod)
	b = append(b, `,"klartext":`...)
	b = appendStr(b, fi.text)
	b = append(b, bvProd...)
	if g.deregAt(o, s) {
		b = append(b, `,"avregistreradOrganisation":{"avregistreringsdatum":`...)
		b = appendStr(b, g.date(o.dereg))
		b = append(b, bvProd...)
		b = append(b, `,"avregistreringsorsak":{"kod":`...)
		b = appendStr(b, o.deregCode)
		b = append(b, `,"klartext":`...)
		b = appendStr(b, o.deregText)
		b = append(b, bvProd...)
	} else {
		b = append(b, `,"avregistreradOrganisation":null,"avregistreringsorsak":null`...)
	}
	b = append(b, `,"pagaendeAvvecklingsEllerOmstruktureringsforfarande":`...)
	if pl := procAt(o, at); len(pl) > 0 || o.procEmptyList {
		b = append(b, `{"pagaendeAvvecklingsEllerOmstruktureringsforfarandeLista":[`...)
		for k, p := range pl {
			if k > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"kod":`...)
			b = appendStr(b, p.code)
			b = append(b, `,"klartext":`...)
			b = appendStr(b, p.text)
			b = append(b, `,"fromDatum":`...)
			b = appendStr(b, g.date(p.from))
			b = append(b, '}')
		}
		b = append(b, ']')
		b = append(b, bvProd...)
	} else {
		b = append(b, "null"...)
	}
	// A company SCB does not know: FINNS_EJ on the wrappers SCB produces,
	// Bolagsverket's own filled.
	unknownAtSCB := o.realKind() == realSCBOnly
	if unknownAtSCB {
		b = append(b, `,"juridiskForm":`+scbFinnsEj(`"kod":null,"klartext":null`)...)
		b = append(b, `,"verksamOrganisation":`+scbFinnsEj(`"kod":null,"klartext":null`)...)
	} else {
		b = append(b, `,"juridiskForm":{"kod":`...)
		b = appendStr(b, fi.jur)
		b = append(b, `,"klartext":`...)
		b = appendStr(b, fi.jurText)
		b = append(b, scbProd...)
		active := "JA"
		if g.deregAt(o, s) {
			active = "NEJ"
		}
		b = append(b, `,"verksamOrganisation":{"kod":"`...)
		b = append(b, active...)
		b = append(b, '"')
		b = append(b, scbProd...)
	}
	b = append(b, `,"organisationsdatum":{"registreringsdatum":`...)
	b = appendStr(b, g.date(o.reg))
	b = append(b, `,"infortHosScb":`...)
	if unknownAtSCB {
		b = append(b, "null"...)
	} else {
		b = appendStr(b, stamp(o.scbIn))
	}
	b = append(b, bvProd...)
	b = append(b, `,"verksamhetsbeskrivning":{"beskrivning":`...)
	b = appendStr(b, o.desc)
	b = append(b, bvProd...)
	if unknownAtSCB {
		b = append(b, `,"naringsgrenOrganisation":`+scbFinnsEj(`"sni":null`)...)
	} else {
		b = g.appendSNI(b, o)
	}
	return g.appendPostadress(b, o, s)
}

// appendSNI appends the naringsgrenOrganisation wrapper: five SNI slots.
func (g *gen) appendSNI(b []byte, o *org) []byte {
	b = append(b, `,"naringsgrenOrganisation":{"sni":[`...)
	for k := 0; k < 5; k++ {
		if k > 0 {
			b = append(b, ',')
		}
		if k < len(o.sni) {
			b = append(b, `{"kod":`...)
			b = appendStr(b, o.sni[k])
			b = append(b, `,"klartext":`...)
			b = appendStr(b, sniTexts[o.sni[k]])
			b = append(b, '}')
		} else {
			b = append(b, `{"kod":"     ","klartext":""}`...)
		}
	}
	b = append(b, ']')
	return append(b, scbProd...)
}

// appendPostadress appends the postal address wrapper as of snapshot s,
// closing the organisation object.
func (g *gen) appendPostadress(b []byte, o *org, s int) []byte {
	a := o.addrAt(s)
	b = append(b, `,"postadressOrganisation":{"postadress":{"utdelningsadress":`...)
	b = appendStr(b, a.street)
	b = append(b, `,"coAdress":`...)
	if a.co != "" {
		b = appendStr(b, a.co)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"postnummer":`...)
	b = appendStr(b, a.postcode)
	b = append(b, `,"postort":`...)
	b = appendStr(b, towns[a.town].upper)
	b = append(b, `,"land":null}`...)
	b = append(b, bvProd...)
	return append(b, '}')
}

var (
	fskattText = map[int]string{0: "Är inte godkänd för F-skatt", 1: "Är godkänd för F-skatt", 9: "Är avregistrerad för F-skatt"}
	momsText   = map[int]string{0: "Är inte registrerad för moms", 1: "Är registrerad för moms", 9: "Är avregistrerad för moms"}
	agText     = map[int]string{0: "Är inte registrerad som arbetsgivare", 1: "Är registrerad som arbetsgivare", 9: "Är avregistrerad som arbetsgivare"}
	stklText   = []string{"Uppgift saknas", "0 anställda", "1-4 anställda", "5-9 anställda", "10-19 anställda",
		"20-49 anställda", "50-99 anställda", "100-199 anställda"}
)

// withheldFacts are the facts an SCB row leaves unknown, by org.withheld,
// and how: "*" (not ordered) or "no column".
var withheldFacts = map[int]map[string]string{
	withheldFskattStar: {"fskatt": "*"},
	withheldTaxColumns: {"fskatt": "no column", "moms": "no column", "employer": "no column"},
}

// appendSCB appends the SCB company register row for o.
func (g *gen) appendSCB(b []byte, o *org) []byte {
	a := o.cur()
	tw := towns[a.town]
	fi := forms[o.form]
	pe := "16" + o.orgnr
	if o.form == formE {
		pe = o.pe12
	}
	kv := func(k, v string) {
		if b[len(b)-1] != '{' {
			b = append(b, ',')
		}
		b = appendKV(b, k, v)
	}
	b = append(b, '{')
	kv("PeOrgNr", pe)
	kv("OrgNr", o.orgnr)
	kv("Företagsnamn", o.name)
	kv("COAdress", a.co)
	kv("PostAdress", a.street)
	kv("PostNr", a.postcode)
	kv("PostOrt", tw.upper)
	kv("Säteskommun, kod", tw.kommunkod)
	kv("Säteskommun", tw.name)
	kv("Säteslän, kod", "12")
	kv("Säteslän", "Skåne län")
	kv("Antal arbetsställen", "1")
	stkl := strconv.Itoa(o.stkl)
	if len(stkl) < 2 {
		stkl += " "
	}
	kv("Stkl, kod", stkl)
	kv("Storleksklass", stklText[o.stkl])
	live := len(o.proc) == 0 && o.dereg.IsZero()
	if live || o.sp == nil || o.sp.kind == kPlanted {
		kv("Företagsstatus, kod", "1")
		kv("Företagsstatus", "Är verksam")
	} else {
		kv("Företagsstatus, kod", "0")
		kv("Företagsstatus", "Är inte verksam")
	}
	kv("Registrerad hos SKV, kod", "1")
	kv("Registrerad hos SKV", "Är registrerad")
	kv("Juridisk form, kod", fi.jur)
	kv("Juridisk form", fi.jurText)
	kv("Startdatum", g.date(o.reg))
	end := ""
	if !o.dereg.IsZero() {
		end = g.date(o.dereg)
	}
	kv("Slutdatum", end)
	kv("Registreringsdatum", g.date(o.scbIn))
	for k := range 5 { // an account that ordered SNI gets all five slots
		n := strconv.Itoa(k + 1)
		code := ""
		if k < len(o.sni) {
			code = o.sni[k]
		}
		kv("Bransch_"+n+", kod", code)
		kv("Bransch_"+n, sniTexts[code])
	}
	if o.withheld != withheldTaxColumns {
		kv("Arbetsgivarstatus, kod", strconv.Itoa(o.employer))
		kv("Arbetsgivarstatus", agText[o.employer])
		kv("Momsstatus, kod", strconv.Itoa(o.moms))
		kv("Momsstatus", momsText[o.moms])
	}
	switch o.withheld {
	case withheldNone:
		kv("Fskattstatus, kod", strconv.Itoa(o.fskatt))
		kv("Fskattstatus", fskattText[o.fskatt])
	case withheldFskattStar:
		kv("Fskattstatus, kod", "*")
		kv("Fskattstatus", "*")
	}
	bs, bst := "", ""
	switch {
	case !o.dereg.IsZero():
		bs, bst = "90", "Avregistrerad"
	case len(o.proc) > 0 && o.proc[0].code == "KK":
		bs, bst = "20", "Konkurs inledd"
	case len(o.proc) > 0 && o.proc[0].code == "LI":
		bs, bst = "30", "Likvidation inledd"
	case len(o.proc) > 0 && o.proc[0].code == "FR":
		bs, bst = "40", "Företagsrekonstruktion inledd"
	}
	kv("Bolagsstatus, kod", bs)
	kv("Bolagsstatus", bst)
	kv("Sektor, kod", fi.sektor)
	kv("Sektor", fi.sektorText)
	kv("Ägarkategori", "Privat svensk ägd")
	return append(b, '}')
}

// Document list: the newest annual report is for the last financial year
// (calendar year) whose report is due, filed about five months after it.
func (g *gen) appendDocs(b []byte, o *org) []byte {
	t := g.today
	y := t.Year() - 1
	if time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC).AddDate(0, 6, 0).After(t) {
		y--
	}
	if o.docs == docStale {
		y -= 2
	}
	b = append(b, `{"dokument":[`...)
	first := true
	if o.docs != docEmpty {
		for k := 0; k < 3; k++ {
			pt := time.Date(y-k, 12, 31, 0, 0, 0, 0, time.UTC)
			if pt.Before(o.reg.AddDate(0, 6, 0)) {
				break
			}
			h := mix(g.seed^0xD0C, uint64(o.i)*8+uint64(k))
			if !first {
				b = append(b, ',')
			}
			first = false
			id := fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x_paket", uint32(h), uint16(h>>32), uint16(h>>48)&0xfff,
				0x8000|uint16(h>>20)&0x3fff, mix(h, 1)&0xffffffffffff)
			b = append(b, `{"dokumentId":`...)
			b = appendStr(b, id)
			b = append(b, `,"filformat":"application/zip","rapporteringsperiodTom":`...)
			b = appendStr(b, g.date(pt))
			b = append(b, `,"registreringstidpunkt":`...)
			b = appendStr(b, g.date(pt.AddDate(0, 4, int(h%50))))
			b = append(b, '}')
		}
	}
	return append(b, "]}\n"...)
}

type writers struct {
	bv                                  [lastSnap + 1]*bvWriter
	scb                                 *scbWriter
	kfm, ivo, ivoB, roles, hm, av, bulk *fileW
	scbBulk                             *fileW
	// nf is the trading-ban register's extract: a look-up of every
	// current representative (typ inget, or the ban found).
	nf *fileW
}

func (g *gen) writeAll() error {
	g.io = newAsyncIO()
	err := g.writeFiles()
	if werr := g.io.wait(); err == nil {
		err = werr
	}
	return err
}

func (g *gen) writeFiles() error {
	var w writers
	var err error
	open := func(rel, src string, days int) *fileW {
		if err != nil {
			return nil
		}
		var fw *fileW
		fw, err = g.create(rel, src, g.observed(days), "")
		return fw
	}
	for s := 0; s <= lastSnap; s++ {
		fw := open(fmt.Sprintf("bolagsverket/organisationer-%s.jsonl", g.date(g.snapDate(s))), record.Bolagsverket, snapDays[s])
		w.bv[s] = &bvWriter{fw: fw}
	}
	w.bulk = open("bolagsverket-bulkfil.txt", record.BolagsverketBulk, 6)
	w.kfm = open("kronofogden.jsonl", record.Kronofogden, 19)
	w.ivo = open("ivo-tillstand.csv", record.IVO, 30)
	w.ivoB = open("ivo-beslut.jsonl", record.IVOBeslut, 30)
	w.roles = open("roles.jsonl", record.Roles, 3)
	w.hm = open("huvudman.jsonl", record.Huvudman, 5)
	w.av = open("arbetsmiljoverket.jsonl", record.Arbetsmiljoverket, 30)
	w.scbBulk = open("scb-bulkfil.txt", record.SCBBulk, 20)
	w.nf = open("naringsforbud.jsonl", record.Naringsforbud, 4)
	if err != nil {
		return err
	}
	w.scb = &scbWriter{g: g}

	w.bulk.w.WriteString("\uFEFForganisationsidentitet;namnskyddslopnummer;registreringsland;organisationsnamn;organisationsform;avregistreringsdatum;avregistreringsorsak;pagandeAvvecklingsEllerOmstruktureringsforfarande;registreringsdatum;verksamhetsbeskrivning;postadress\n")
	w.ivo.w.WriteString("orgnr;huvudman;verksamhetsnamn;verksamhetstyp;lagrum;malgrupp;platser;besoksadress;kommunkod;tillstandsdatum;status\n")
	enc := charmap.ISO8859_1.NewEncoder()
	line, _ := enc.String(scbBulkHeader())
	w.scbBulk.w.WriteString(line)

	docsAll := g.n <= 20_000
	if err := os.MkdirAll(filepath.Join(g.dir, "bolagsverket-dokument"), 0o755); err != nil {
		return err
	}
	kfmDate := g.daysAgo(20)
	hmDate := g.daysAgo(5)
	var buf []byte
	ci := 0
	for i := 0; i < g.n; i++ {
		o := g.build(i)
		g.noteSanctionNames(o)
		c0 := ci
		for ci < len(g.contracts) && g.contracts[ci].org == i {
			ci++
		}
		cs := g.contracts[c0:ci]

		for s := 0; s <= lastSnap; s++ {
			if g.inSnap(o, s) {
				buf = g.appendBV(buf[:0], o, s)
				w.bv[s].add(buf)
			}
		}
		if o.realKind() != realSCBOnly {
			buf = g.appendSCB(buf[:0], o)
			if err := w.scb.add(buf); err != nil {
				return err
			}
		}
		if o.realKind() == realNoIdentity {
			if err := g.writeWithoutIdentity(o); err != nil {
				return err
			}
		}
		for _, r := range o.roles {
			buf = append(buf[:0], `{"orgnr":`...)
			buf = appendStr(buf, o.orgnr)
			buf = append(buf, `,"person_id":`...)
			buf = appendStr(buf, r.p.pnr)
			buf = append(buf, `,"namn":`...)
			buf = appendStr(buf, r.p.name)
			buf = append(buf, `,"roll":`...)
			buf = appendStr(buf, r.roll)
			buf = append(buf, `,"fran":`...)
			buf = appendStr(buf, g.date(r.from))
			buf = append(buf, `,"till":`...)
			if r.to.IsZero() {
				buf = append(buf, "null"...)
			} else {
				buf = appendStr(buf, g.date(r.to))
			}
			buf = append(buf, "}\n"...)
			w.roles.w.Write(buf)
		}
		buf = g.appendLookups(buf[:0], o)
		w.nf.w.Write(buf)
		if !o.noOwners {
			buf = append(buf[:0], `{"orgnr":`...)
			buf = appendStr(buf, o.orgnr)
			buf = append(buf, `,"per_datum":`...)
			buf = appendStr(buf, g.date(hmDate))
			buf = append(buf, `,"huvudman":[`...)
			if !o.ownersEmpty {
				for k, ow := range o.owners {
					if k > 0 {
						buf = append(buf, ',')
					}
					buf = append(buf, `{"person_id":`...)
					buf = appendStr(buf, ow.p.pnr)
					buf = append(buf, `,"namn":`...)
					buf = appendStr(buf, ow.p.name)
					buf = append(buf, `,"andel":`...)
					buf = appendStr(buf, ow.share)
					buf = append(buf, '}')
				}
			}
			buf = append(buf, "]}\n"...)
			w.hm.w.Write(buf)
		}
		if len(cs) > 0 {
			fmt.Fprintf(w.kfm.w, `{"orgnr":"%s","per_datum":"%s","allmanna_mal":{"antal":%d,"belopp_sek":%d},"enskilda_mal":{"antal":%d,"belopp_sek":%d},"betalningsforelagganden_12m":%d,"konkursansokan":false,"foretagsrekonstruktion":false,"dokument":"kfm_%s_%s.pdf"}`+"\n",
				o.orgnr, g.date(kfmDate), o.kfmPublic, o.kfmPublicSEK, o.kfmPrivate, o.kfmPrivateSEK, o.kfmOrders, o.orgnr, kfmDate.Format("20060102"))
		}
		for _, c := range cs {
			if c.permitStatus == "" {
				continue
			}
			fields := []string{o.orgnr, o.name, c.permitUnit, categories[c.permitType].key, "SoL", c.malgrupp,
				strconv.Itoa(c.permitPlaces), c.permitAddr, c.permitKommun, g.date(c.permitDate), c.permitStatus}
			for k, f := range fields {
				fields[k] = csvField(f)
			}
			w.ivo.w.WriteString(strings.Join(fields, ";") + "\n")
		}
		for _, d := range o.ivoDec {
			writeDecision(w.ivoB.w, o.orgnr, d)
		}
		for _, d := range o.avDec {
			writeDecision(w.av.w, o.orgnr, d)
		}
		g.bans = append(g.bans, o.bans...)
		if o.docs != docNone && (docsAll || len(cs) > 0 || (o.sp != nil && o.sp.kind != kAcct)) {
			buf = g.appendDocs(buf[:0], o)
			rel := "bolagsverket-dokument/" + o.orgnr + ".json"
			g.steps = append(g.steps, Step{Source: record.BolagsverketDokument, File: rel, Observed: g.observed(5), Orgnr: o.orgnr})
			g.io.jobs <- ioJob{path: filepath.Join(g.dir, filepath.FromSlash(rel)), data: g.io.copyOf(buf)}
		}
		if o.sp == nil && g.h(i, saltBulk)%7 == 0 || o.realKind() == realBulkOnly {
			g.writeBulk(w.bulk.w, o)
		}
		if o.sp == nil && g.h(i, saltBulk+1)%5 == 0 {
			line, err := enc.String(g.scbBulkRow(o))
			if err != nil {
				return fmt.Errorf("synthetic: scb-bulk line not ISO-8859-1: %w", err)
			}
			w.scbBulk.w.WriteString(line)
		}
		if c, ok := g.realCase(o); ok {
			g.real = append(g.real, c)
		}
		if o.sp != nil {
			switch o.sp.kind {
			case kPlanted, kPred, kChain:
				if len(o.sp.inds) == 0 {
					break
				}
				inds := append([]string(nil), o.sp.inds...)
				sort.Strings(inds)
				g.planted = append(g.planted, Planted{Orgnr: o.orgnr, Name: o.name, Indicators: inds})
			case kClean:
				if o.withheld != withheldNone {
					g.incomplete = append(g.incomplete, Incomplete{Orgnr: o.orgnr, Name: o.name, Unknown: maps.Clone(withheldFacts[o.withheld])})
				} else {
					g.clean = append(g.clean, o.orgnr)
				}
			}
		}
	}
	if err := w.scb.flush(); err != nil {
		return err
	}
	for s := 0; s <= lastSnap; s++ {
		if err := w.bv[s].close(); err != nil {
			return err
		}
	}
	for _, fw := range []*fileW{w.bulk, w.kfm, w.ivo, w.ivoB, w.roles, w.hm, w.av, w.scbBulk} {
		if err := fw.close(); err != nil {
			return err
		}
	}
	if err := g.writeBans(w.nf); err != nil {
		return err
	}
	if err := g.writeContracts(); err != nil {
		return err
	}
	return g.writeSanctions()
}

func writeDecision(w *bufio.Writer, orgnr string, d decision) {
	b := []byte(`{"orgnr":`)
	b = appendStr(b, orgnr)
	b = append(b, `,"datum":`...)
	b = appendStr(b, date(d.date))
	b = append(b, `,"typ":`...)
	b = appendStr(b, d.typ)
	b = append(b, `,"diarienummer":`...)
	b = appendStr(b, d.dnr)
	if d.amount > 0 {
		b = append(b, `,"belopp_sek":`...)
		b = strconv.AppendInt(b, d.amount, 10)
	}
	b = append(b, `,"text":`...)
	b = appendStr(b, d.text)
	b = append(b, "}\n"...)
	w.Write(b)
}

// appendLookups appends the trading-ban look-ups of o's current
// representatives (auditors aside; a sole trader's owner): the register
// is looked up per person and says "inget" for one without a ban. A
// banned person's look-up is the ban itself (writeBans).
func (g *gen) appendLookups(buf []byte, o *org) []byte {
	var seen []string
	lookup := func(pnr string) {
		if slices.Contains(seen, pnr) || slices.ContainsFunc(o.bans, func(b ban) bool { return b.p.pnr == pnr }) {
			return
		}
		seen = append(seen, pnr)
		buf = append(buf, `{"person_id":`...)
		buf = appendStr(buf, pnr)
		buf = append(buf, `,"typ":"inget","beslutad_av":"Bolagsverket"}`+"\n"...)
	}
	for _, r := range o.roles {
		if r.roll != "revisor" && (r.to.IsZero() || r.to.After(g.today)) {
			lookup(r.p.pnr)
		}
	}
	if o.form == formE && o.pe12 != "" {
		lookup(o.pe12)
	}
	return buf
}

func (g *gen) writeBans(fw *fileW) error {
	bans := append([]ban(nil), g.bans...)
	// Two bans on people who represent no organisation here.
	bans = append(bans,
		ban{g.personFor(g.loner(0), false), g.daysAgo(400), g.today.AddDate(3, 0, 0), "naringsforbud", "Malmö tingsrätt"},
		ban{g.personFor(g.loner(1), false), g.daysAgo(90), g.today.AddDate(0, 0, 200), "tillfalligt", "Kristianstads tingsrätt"})
	for _, b := range bans {
		line := []byte(`{"person_id":`)
		line = appendStr(line, b.p.pnr)
		line = append(line, `,"fran":`...)
		line = appendStr(line, g.date(b.from))
		line = append(line, `,"till":`...)
		line = appendStr(line, g.date(b.to))
		line = append(line, `,"typ":`...)
		line = appendStr(line, b.typ)
		line = append(line, `,"beslutad_av":`...)
		line = appendStr(line, b.by)
		line = append(line, "}\n"...)
		fw.w.Write(line)
	}
	return fw.close()
}

func bulkQ(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// writeBulk writes o's row of the Bolagsverket bulk file.
func (g *gen) writeBulk(w *bufio.Writer, o *org) {
	a := o.cur()
	id := o.orgnr + "$ORGNR-IDORG"
	if o.form == formE {
		id = o.pe12 + "$PERSON-IDORG"
	}
	proc, dereg, reason := "", "", ""
	switch {
	case o.realKind() == realBulkOnly:
		// The bankrupt predecessor known only from this row: a
		// reconstruction that ended (upphört), then the bankruptcy, ended
		// (avslutad) and the company deregistered; the file gives neither
		// date.
		proc = "|FRUHOR-AVSLAVOMFO$null|KKAVOV-AVSLAVOMFO$null"
		dereg, reason = g.date(o.dereg), o.deregCode+"-AVORG"
	case g.h(o.i, saltBulk)%350 == 0:
		// An ended reconstruction, years ago: not ongoing.
		proc = "|FR-AVSLAVOMFO$" + g.date(o.reg.AddDate(0, 6, 0))
	default:
		// Ended proceedings with modifiers and no date, as the real file
		// has them: a reconstruction that ended, a liquidation cancelled.
		// Early rows, so that the smallest populations have both.
		switch g.bulkRows % 20 {
		case 1:
			proc = "|FRUHOR-AVSLAVOMFO$null"
		case 3:
			proc = "|LIUHAVD-AVSLAVOMFO$null"
		}
		g.bulkRows++
	}
	f := []string{
		id, "1", "SE-LAND", o.name + "$FORETAGSNAMN-ORGNAM$" + g.date(o.reg), forms[o.form].kod + "-ORGFO", dereg, reason, proc,
		g.date(o.reg), o.desc, a.street + "$" + a.co + "$" + towns[a.town].upper + "$" + a.postcode + "$SE-LAND",
	}
	for k := range f {
		f[k] = bulkQ(f[k])
	}
	w.WriteString(strings.Join(f, ";") + "\n")
}

// scbBulkValues are the value columns of SCB's bulk file of legal units
// (JE), in its order; each but ForAndrTyp and PeOrgNr is followed, after
// all values, by its change flag m<name>.
var scbBulkValues = []string{"ForAndrTyp", "COAdress", "Foretagsnamn", "FtgStat", "Gatuadress", "JEStat", "JurForm", "Namn",
	"Ng1", "Ng2", "Ng3", "Ng4", "Ng5", "PeOrgNr", "PostNr", "PostOrt", "RegDatKtid", "Reklamsparrtyp"}

// scbBulkFlagged reports whether value column name has a change flag.
func scbBulkFlagged(name string) bool { return name != "ForAndrTyp" && name != "PeOrgNr" }

// scbBulkLine ends a line of SCB's bulk file as SCB does: a tab, then CRLF.
func scbBulkLine(fields []string) string { return strings.Join(fields, "\t") + "\t\r\n" }

// scbBulkHeader is the bulk file's header: 18 value columns, 16 change
// flags (34 names, 35 fields with the trailing tab).
func scbBulkHeader() string {
	h := slices.Clone(scbBulkValues)
	for _, v := range scbBulkValues {
		if scbBulkFlagged(v) {
			h = append(h, "m"+v)
		}
	}
	return scbBulkLine(h)
}

// scbBulkRow is o's line in SCB's bulk file: the values, then a change
// flag per value (1 for a value changed since the previous file: a few).
func (g *gen) scbBulkRow(o *org) string {
	a := o.cur()
	pe := "16" + o.orgnr
	if g.h(o.i, saltBulk+4)%3 == 0 {
		pe = o.orgnr // the real file has 10-digit numbers too
	}
	namn := ""
	if o.form == formE {
		pe = o.pe12
		p := g.personFor(g.own(o.i, 0), false)
		if sp := strings.IndexByte(p.name, ' '); sp > 0 {
			namn = p.name[sp+1:] + ", " + p.name[:sp]
		}
	}
	ng := make([]string, 5)
	copy(ng, o.sni)
	rek := ""
	if g.h(o.i, saltBulk+2)%4 == 0 {
		rek = "1"
	}
	f := []string{"", a.co, o.name, "1", a.street, "1", forms[o.form].jur, namn, ng[0], ng[1], ng[2], ng[3], ng[4],
		pe, a.postcode, towns[a.town].upper, o.scbIn.Format("20060102"), rek}
	changed := g.h(o.i, saltBulk+3)
	for k, v := range scbBulkValues {
		if scbBulkFlagged(v) {
			flag := "0"
			if changed>>(2*k)&3 == 0 { // one flag in four
				flag = "1"
			}
			f = append(f, flag)
		}
	}
	return scbBulkLine(f)
}

// writeContracts writes avtal.csv and fakturor.csv.
func (g *gen) writeContracts() error {
	av, err := g.create("avtal.csv", record.Contracts, g.observed(1), "")
	if err != nil {
		return err
	}
	av.w.WriteString("avtal_id;orgnr;leverantor;kategori;avtalsagare;startdatum;slutdatum;uppskattat_varde_sek;platser;dygnspris_sek;adress\n")
	for _, c := range g.contracts {
		pl, pr := "", ""
		if c.price > 0 {
			pl, pr = strconv.Itoa(c.places), strconv.FormatInt(c.price, 10)
		}
		f := []string{c.id, c.orgnr, c.name, categories[c.cat].key, c.owner, g.date(c.start), g.date(c.end),
			strconv.FormatInt(c.est, 10), pl, pr, c.addr}
		for k := range f {
			f[k] = csvField(f[k])
		}
		av.w.WriteString(strings.Join(f, ";") + "\n")
	}
	if err := av.close(); err != nil {
		return err
	}
	fa, err := g.create("fakturor.csv", record.Invoices, g.observed(1), "")
	if err != nil {
		return err
	}
	fa.w.WriteString("faktura_id;orgnr;leverantor;fakturadatum;belopp_sek;avtal_id;kategori;dygn\n")
	seq := 0
	var b []byte
	row := func(orgnr, name string, d time.Time, amt int64, id string, cat, dygn int) {
		seq++
		b = append(b[:0], "F-"...)
		b = strconv.AppendInt(b, int64(d.Year()), 10)
		b = append(b, '-')
		b = append(b, digits(uint64(seq), 7)...)
		b = append(b, ';')
		b = append(b, orgnr...)
		b = append(b, ';')
		b = append(b, csvField(name)...)
		b = append(b, ';')
		b = append(b, g.date(d)...)
		b = append(b, ';')
		b = strconv.AppendInt(b, amt, 10)
		b = append(b, ';')
		b = append(b, id...)
		b = append(b, ';')
		b = append(b, categories[cat].key...)
		b = append(b, ';')
		if dygn > 0 {
			b = strconv.AppendInt(b, int64(dygn), 10)
		}
		b = append(b, '\n')
		fa.w.Write(b)
	}
	for _, c := range g.contracts {
		g.eachInvoice(c, func(d time.Time, amt int64, dygn int) { row(c.orgnr, c.name, d, amt, c.id, c.cat, dygn) })
	}
	for _, e := range g.extraInv {
		row(e.orgnr, e.name, e.date, e.amount, "", e.cat, 0)
	}
	return fa.close()
}
