package formats

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/excerpt"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
)

// genReader yields its parts in order; a part of n repeated bytes is
// made as it is read, never held whole.
type genReader struct {
	parts []genPart
	read  int64
}

type genPart struct {
	text   string
	repeat byte  // with n: the byte repeated
	n      int64 // bytes of repeat left
}

func (g *genReader) Read(p []byte) (int, error) {
	for len(g.parts) > 0 {
		part := &g.parts[0]
		switch {
		case part.text != "":
			n := copy(p, part.text)
			part.text = part.text[n:]
			g.read += int64(n)
			return n, nil
		case part.n > 0:
			n := int(min(int64(len(p)), part.n))
			for i := range p[:n] {
				p[i] = part.repeat
			}
			part.n -= int64(n)
			g.read += int64(n)
			return n, nil
		}
		g.parts = g.parts[1:]
	}
	return 0, io.EOF
}

func (g *genReader) size() (n int64) {
	for _, p := range g.parts {
		n += int64(len(p.text)) + p.n
	}
	return n
}

const hundredMB = 100 << 20

// A 100 MB line is read past, not held: the records around it are kept,
// it is quarantined with an excerpt of it and the reason, and the line
// reader never holds more than the limit of it.
func TestHundredMegabyteLine(t *testing.T) {
	roles := strings.Split(strings.TrimSpace(string(sample(t, "roles.jsonl"))), "\n")
	contracts := strings.Split(strings.TrimSpace(string(sample(t, "avtal.csv"))), "\n")
	tests := []struct {
		source      string
		before      string // the lines before the long one
		long        string // what the long line starts with
		after       string
		wantItems   []string
		wantLongPos string
	}{
		{record.Roles, roles[0] + "\n", `{"orgnr":"5591234561","namn":"`, "\n" + roles[1] + "\n",
			[]string{"in:1", "in:3"}, "in:2"},
		{record.Contracts, contracts[0] + "\n" + contracts[1] + "\n", "", "\r\n" + contracts[1] + "\n",
			[]string{"in:2", "in:4"}, "in:3"},
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			g := &genReader{parts: []genPart{{text: tt.before}, {text: tt.long}, {repeat: 'x', n: hundredMB}, {text: tt.after}}}
			total := g.size()
			f, _ := Lookup(tt.source)
			c := &collector{}
			if err := f(context.Background(), g, Options{Name: "in", Persons: testPersons}, c); err != nil {
				t.Fatal(err)
			}
			if g.read != total {
				t.Errorf("read %d of %d bytes: the input was not read to its end", g.read, total)
			}
			eq(t, "positions", positions(c), tt.wantItems)
			size := len(tt.long) + hundredMB
			wantQuarantine(t, c, map[string]string{tt.wantLongPos: fmt.Sprintf("line of %d bytes exceeds the limit of %d", size, DefaultLineLimit)})
			q := c.quars[0]
			if len(q.Raw) > excerpt.Record || !bytes.HasPrefix([]byte(tt.long+"xxxx"), q.Raw[:min(len(q.Raw), len(tt.long)+4)]) || len(q.Raw) < len(tt.long) {
				t.Errorf("quarantined Raw is %d bytes %.40q…, want the line's first %d at most", len(q.Raw), q.Raw, excerpt.Record)
			}
		})
	}
}

// The line reader keeps at most the limit of a long line (structural:
// what it holds, not how much memory the process happened to use).
func TestLineReaderHoldsAtMostTheLimit(t *testing.T) {
	const limit = 1 << 20
	g := &genReader{parts: []genPart{{text: "first\n"}, {repeat: 'x', n: hundredMB}, {text: "\nlast"}}}
	lr := newLineReader(g, limit)
	var got []string
	for {
		line, n, err := lr.next()
		if err == io.EOF {
			break
		}
		if long, ok := err.(*tooLong); ok {
			got = append(got, fmt.Sprintf("%d: too long %d, head %d", n, long.size, len(long.head)))
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d: %s", n, line))
	}
	eq(t, "lines", got, []string{"1: first", fmt.Sprintf("2: too long %d, head %d", hundredMB, excerpt.Record), "3: last"})
	if c := cap(lr.long.buf); c > 2*(limit+2) {
		t.Errorf("the line reader's buffer grew to %d bytes for a limit of %d", c, limit)
	}
	if n := lr.br.Size(); n > limit+2 {
		t.Errorf("read buffer of %d bytes", n)
	}
}

// A line of exactly the limit is kept; one byte more is quarantined; the
// line ending does not count.
func TestLineLimitEdges(t *testing.T) {
	const limit = 300
	for _, ending := range []string{"\n", "\r\n"} {
		in := strings.Repeat("a", limit) + ending + strings.Repeat("b", limit+1) + ending + "c"
		lr := newLineReader(strings.NewReader(in), limit)
		line, _, err := lr.next()
		if err != nil || len(line) != limit {
			t.Fatalf("%q: line of the limit: %d bytes, %v", ending, len(line), err)
		}
		_, n, err := lr.next()
		if long, ok := err.(*tooLong); !ok || n != 2 || long.size != limit+1 {
			t.Fatalf("%q: line of limit+1: line %d, %v", ending, n, err)
		}
		if line, n, err := lr.next(); string(line) != "c" || n != 3 || err != nil {
			t.Fatalf("%q: next line %q %d %v", ending, line, n, err)
		}
	}
}

// Every importer has bounds: a record over Limits.Record and a field over
// Limits.Field are quarantined with an excerpt and the reason, and the
// good records around them are kept.
func TestBoundsOfEveryImporter(t *testing.T) {
	lim := Limits{Record: 8 << 10, Field: 1 << 10}
	huge := strings.Repeat("x", 3*lim.Record)
	long := strings.Repeat("y", lim.Field+1)
	// lineFormat: the sample, with a long line and a line with a long
	// field inserted as the first records.
	lineFormat := func(file string, header bool) func(t *testing.T) (string, string, string) {
		return func(t *testing.T) (base, tooLong, longField string) {
			lines := strings.Split(strings.TrimRight(string(sample(t, file)), "\n"), "\n")
			head, rows := lines[:0:0], lines
			if header {
				head, rows = lines[:1], lines[1:]
			}
			good := rows[0]
			var withLong string
			if header {
				sep := ";"
				if !strings.Contains(good, sep) {
					sep = "\t"
				}
				i := strings.Index(good, sep) + 1
				withLong = good[:i] + long + good[i:]
			} else {
				i := strings.Index(good, `":"`) + 3
				withLong = good[:i] + long + good[i:]
			}
			join := func(extra ...string) string {
				return strings.Join(append(append(append([]string{}, head...), extra...), rows...), "\n") + "\n"
			}
			return join(), join(huge), join(withLong)
		}
	}
	bvOrgLine := bvOrg("5591234561", "ORGNR", `"organisationsnamn":{"organisationsnamnLista":[{"namn":"Bolaget AB"}]}`)
	scbRow := scbJSONRow("165591234561", "")
	dok := func(t *testing.T) string {
		var b bytes.Buffer
		if err := json.Compact(&b, sample(t, "bolagsverket-dokumentlista.json")); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	tests := []struct {
		source string
		make   func(t *testing.T) (base, tooLong, longField string)
		// first is the line of the first record; the inserted one is
		// there, and the base's records move down one line.
		first int
	}{
		{record.Kronofogden, lineFormat("kronofogden.jsonl", false), 1},
		{record.IVOBeslut, lineFormat("ivo-beslut.jsonl", false), 1},
		{record.Arbetsmiljoverket, lineFormat("arbetsmiljoverket.jsonl", false), 1},
		{record.Roles, lineFormat("roles.jsonl", false), 1},
		{record.Huvudman, lineFormat("huvudman.jsonl", false), 1},
		{record.Naringsforbud, lineFormat("naringsforbud.jsonl", false), 1},
		{record.IVO, lineFormat("ivo-tillstand.csv", true), 2},
		{record.Contracts, lineFormat("avtal.csv", true), 2},
		{record.Invoices, lineFormat("fakturor.csv", true), 2},
		{record.BolagsverketBulk, lineFormat("bolagsverket-bulkfil.txt", true), 2},
		{record.SCBBulk, lineFormat("scb-bulkfil.txt", true), 2},
		{record.Bolagsverket, func(t *testing.T) (string, string, string) {
			doc := func(extra string) string {
				return "{\"organisationer\":[\n" + extra + bvOrgLine + ",\n" + bvOrg("5560021361", "ORGNR", "") + "\n]}"
			}
			return doc(""), doc(`{"x":"` + huge + "\"},\n"), doc(bvOrg("9124001992", "ORGNR", `"verksamhetsbeskrivning":{"beskrivning":"`+long+`"}`) + ",\n")
		}, 2},
		{record.SCB, func(t *testing.T) (string, string, string) {
			doc := func(extra string) string {
				return "[\n" + extra + scbRow + ",\n" + scbJSONRow("165560021361", "") + "\n]"
			}
			return doc(""), doc(`"` + huge + "\",\n"), doc(scbJSONRow("169124001992", `"PostAdress":"`+long+`"`) + ",\n")
		}, 2},
		{record.BolagsverketDokument, func(t *testing.T) (string, string, string) {
			d := dok(t)
			return d + "\n" + d + "\n", `{"dokument":[` + strings.Repeat(`{"dokumentId":"`+strings.Repeat("1", 500)+`"},`, 40) + "{}]}\n" + d + "\n" + d + "\n",
				strings.Replace(d, `"dokumentId":"`, `"dokumentId":"`+long, 1) + "\n" + d + "\n" + d + "\n"
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			base, tooLong, longField := tt.make(t)
			opt := Options{Name: "in", Persons: testPersons, Orgnr: ident.MustOrg("5591234561"), Limits: lim}
			want, err := parseOpt(t, tt.source, []byte(base), opt)
			if err != nil || len(want.items) == 0 {
				t.Fatalf("base input: %v, %d records", err, len(want.items))
			}
			at := fmt.Sprintf("in:%d", tt.first)
			for _, c := range []struct{ name, in, reason string }{
				{"record", tooLong, fmt.Sprintf("bytes exceeds the limit of %d", lim.Record)},
				{"field", longField, fmt.Sprintf("bytes exceeds the limit of %d", lim.Field)},
			} {
				got, err := parseOpt(t, tt.source, []byte(c.in), opt)
				if err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				if len(got.items) != len(want.items) {
					t.Errorf("%s: %d records, want the base's %d", c.name, len(got.items), len(want.items))
				}
				wantQuarantines := map[string]string{at: c.reason}
				for _, q := range want.quars {
					wantQuarantines[shift(q.Pos)] = q.Reason
				}
				wantQuarantine(t, got, wantQuarantines)
				for _, q := range got.quars {
					if q.Pos == at && len(q.Raw) > excerpt.Record {
						t.Errorf("%s: quarantined Raw of %d bytes, want an excerpt of %d at most", c.name, len(q.Raw), excerpt.Record)
					}
				}
			}
		})
	}
}

// shift moves a position one line down.
func shift(pos string) string {
	var n int
	name, line, _ := strings.Cut(pos, ":")
	fmt.Sscan(line, &n)
	return fmt.Sprintf("%s:%d", name, n+1)
}

func TestDefaultLimits(t *testing.T) {
	for _, source := range Names() {
		l := DefaultLimits(source)
		want := Limits{Record: DefaultLineLimit, Field: DefaultFieldLimit}
		if docSources[source] {
			want.Record = DefaultDocValueLimit
		}
		if l != want {
			t.Errorf("%s: %+v, want %+v", source, l, want)
		}
	}
	if DefaultLineLimit != 1<<20 || DefaultDocValueLimit <= DefaultLineLimit {
		t.Errorf("line limit %d, document value limit %d", DefaultLineLimit, DefaultDocValueLimit)
	}
}

// A 100 MB value in an answer that is one line (a JSON document) is read
// past: the organisations around it are kept, and the stream never holds
// more than the limit of it.
func TestHundredMegabyteDocumentValue(t *testing.T) {
	org1, org2 := bvOrg("5591234561", "ORGNR", ""), bvOrg("5560021361", "ORGNR", "")
	newGen := func() *genReader {
		return &genReader{parts: []genPart{{text: `{"organisationer":[` + org1 + `,{"organisationsidentitet":"`}, {repeat: 'x', n: hundredMB}, {text: `"},` + org2 + "]}"}}}
	}
	g := newGen()
	total := g.size()
	c := &collector{}
	f, _ := Lookup(record.Bolagsverket)
	if err := f(context.Background(), g, Options{Name: "in", Persons: testPersons}, c); err != nil {
		t.Fatal(err)
	}
	if g.read != total {
		t.Errorf("read %d of %d bytes", g.read, total)
	}
	if len(c.items) != 2 || c.items[0].Subject != "5591234561" || c.items[1].Subject != "5560021361" {
		t.Errorf("records %v, want both organisations", positions(c))
	}
	wantQuarantine(t, c, map[string]string{"in:1": fmt.Sprintf("value of %d bytes exceeds the limit of %d", hundredMB+len(`{"organisationsidentitet":""}`), DefaultDocValueLimit)})
	if q := c.quars[0]; len(q.Raw) > excerpt.Record || !bytes.HasPrefix(q.Raw, []byte(`{"organisationsidentitet":"xxx`)) {
		t.Errorf("quarantined Raw: %d bytes %.50q", len(q.Raw), q.Raw)
	}

	// The stream's own buffer, walked as the parser does.
	e := newEmitter(context.Background(), record.Bolagsverket, Options{Name: "in"}, &collector{})
	s := newJSONStream(newGen(), e)
	if _, err := s.delim('{', "response", false); err != nil {
		t.Fatal(err)
	}
	if k, ok, err := s.key(); k != "organisationer" || !ok || err != nil {
		t.Fatalf("key %q %v %v", k, ok, err)
	}
	if _, err := s.delim('[', "organisationer", false); err != nil {
		t.Fatal(err)
	}
	var kept []int
	for s.more() {
		raw, _, err := s.value()
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, len(raw))
	}
	eq(t, "values", kept, []int{len(org1), 0, len(org2)})
	if n := cap(s.cur.buf); n > 2*DefaultDocValueLimit {
		t.Errorf("the stream's buffer grew to %d bytes for a limit of %d", n, DefaultDocValueLimit)
	}
}

// A member name given twice is refused in every JSON an importer reads:
// the record is quarantined, not read with the last one winning.
func TestImportersRefuseDuplicateKeys(t *testing.T) {
	tests := []struct {
		source string
		in     string
		items  []string // positions of the records kept
		quar   map[string]string
	}{
		{record.Roles, `{"orgnr":"5591234561","person_id":"197505121231","namn":"Erik Lind","roll":"ordforande","roll":"revisor","fran":"2019-04-02","till":null}` + "\n" +
			`{"orgnr":"5591234561","person_id":"198211304327","namn":"Sara Holm","roll":"vd","fran":"2021-01-15","till":null}`,
			[]string{"in:2"}, map[string]string{"in:1": "roll given twice"}},
		{record.Kronofogden, `{"orgnr":"5591234561","orgnr":"5560021361"}`, nil, map[string]string{"in:1": "orgnr given twice"}},
		{record.Bolagsverket, "{\"organisationer\":[\n" + bvOrg("5591234561", "ORGNR", `"organisationsidentitet":{"identitetsbeteckning":"5560021361"}`) + ",\n" + bvOrg("5560021361", "ORGNR", "") + "\n]}",
			[]string{"in:3"}, map[string]string{"in:2": "organisationsidentitet given twice"}},
		{record.Bolagsverket, "{\"organisationer\":[\n" + bvOrg("5591234561", "ORGNR", "") + "\n],\n\"organisationer\":[" + bvOrg("5560021361", "ORGNR", "") + "]}",
			[]string{"in:2"}, map[string]string{"in:4": `key "organisationer" given twice`}},
		{record.SCB, "[\n" + scbJSONRow("165591234561", `"PeOrgNr":"165560021361"`) + "\n]", nil, map[string]string{"in:2": "PeOrgNr given twice"}},
		{record.BolagsverketDokument, `{"dokument":[{"dokumentId":"a","dokumentId":"b","rapporteringsperiodTom":"2024-12-31"}]}`, nil,
			map[string]string{"in:1": "dokument[0].dokumentId given twice"}},
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			c := mustParse(t, tt.source, "in", []byte(tt.in))
			eq(t, "positions", positions(c), tt.items)
			wantQuarantine(t, c, tt.quar)
		})
	}
}
