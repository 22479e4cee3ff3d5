package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/profile"
)

// termsPack has a terms list in one file and a rule using it in another,
// as the default pack's care.yaml uses supplier.yaml's terms.
var termsPack = map[string][]byte{
	"a.yaml": []byte(`pack: t
version: 3
terms:
  proceedings:
    KK: {sv: konkurs, en: bankruptcy}
rules: []
`),
	"b.yaml": []byte(`pack: t
version: 2
rules:
  - id: T01
    title: {sv: a, en: b}
    category: S
    severity: critical
    needs: [bolagsverket]
    when: len(org.proceedings) > 0
    message:
      sv: '{{ join(map(org.proceedings, {term("proceedings", .code) + " sedan " + dateText(.from)}), ", ") }}; {{ plural(len(org.proceedings), "förfarande", "förfaranden") }}'
      en: '{{ join(map(org.proceedings, {term("proceedings", .code) + " since " + dateText(.from)}), ", ") }}; {{ plural(len(org.proceedings), "proceeding", "proceedings") }}'
`),
}

// Messages say codes in words in their own language, dates as Swedish
// authorities write them in running text, and counts with the right
// number; a code the list lacks is shown as it is.
func TestMessageTermsDatesPlurals(t *testing.T) {
	set, err := Load(termsPack, Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	if set.Versions["t"] != 3 {
		t.Errorf("versions %v, want t: 3 (the highest of its files)", set.Versions)
	}
	ev := set.NewEvaluator()
	tests := []struct {
		name   string
		procs  []*profile.Proceeding
		sv, en string
	}{
		{"one known code", []*profile.Proceeding{{Code: "KK", From: date("2026-10-23")}},
			"konkurs sedan 23 oktober 2026; 1 förfarande", "bankruptcy since 23 October 2026; 1 proceeding"},
		{"an unknown code and no date", []*profile.Proceeding{{Code: "KK", From: date("2026-03-01")}, {Code: "XX"}},
			"konkurs sedan 1 mars 2026, XX sedan okänt datum; 2 förfaranden", "bankruptcy since 1 March 2026, XX since unknown date; 2 proceedings"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := ev.Eval(&profile.Profile{Proceedings: tc.procs}, date("2026-11-21"), func(string) Usability { return Usable })
			if err != nil || len(res.Hits) != 1 {
				t.Fatalf("hits %v, %v", res.Hits, err)
			}
			if m := res.Hits[0].Message; m.SV != tc.sv || m.EN != tc.en {
				t.Errorf("message\n sv %q\n en %q\nwant\n sv %q\n en %q", m.SV, m.EN, tc.sv, tc.en)
			}
		})
	}
}

// A term list is declared before use, named by a literal, used only in
// messages, declared once per pack, and each word has both languages.
func TestTermsErrors(t *testing.T) {
	rule := func(when, msg string) string {
		return `
  - id: T01
    title: {sv: a, en: b}
    category: S
    severity: low
    needs: [bolagsverket]
    when: ` + when + `
    message: {sv: '` + msg + `', en: x}
`
	}
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"undeclared list", map[string]string{"a.yaml": "pack: t\nrules:" + rule(`org.name != ""`, `{{ term("nope", org.name) }}`)},
			`rule T01: message.sv: {{ term("nope", org.name) }}: terms.nope is not declared in the pack's terms`},
		{"list not a literal", map[string]string{"a.yaml": "pack: t\nterms: {w: {A: {sv: a, en: b}}}\nrules:" + rule(`org.name != ""`, `{{ term(org.name, org.name) }}`)},
			"term: the first argument is the name of a list of the pack's terms, in quotes"},
		{"term in when", map[string]string{"a.yaml": "pack: t\nterms: {w: {A: {sv: a, en: b}}}\nrules:" + rule(`term("w", org.name) != ""`, `x`)},
			"rule T01: when: term() may only be used in a message"},
		{"date in when", map[string]string{"a.yaml": "pack: t\nrules:" + rule(`dateText(org.registered) != ""`, `x`)},
			"rule T01: when: dateText() may only be used in a message"},
		{"word without English", map[string]string{"a.yaml": "pack: t\nterms: {w: {A: {sv: a}}}\nrules: []\n"},
			"a.yaml:2:16: terms.w.A: needs sv and en"},
		{"list in two files", map[string]string{"a.yaml": "pack: t\nterms: {w: {A: {sv: a, en: b}}}\nrules: []\n",
			"b.yaml": "pack: t\nterms: {w: {A: {sv: a, en: b}}}\nrules: []\n"},
			"b.yaml: terms.w is already declared in a.yaml"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string][]byte{}
			for n, s := range tc.files {
				files[n] = []byte(s)
			}
			_, err := Load(files, Overrides{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// Amounts in whole kronor: Swedish groups from five digits on with a
// no-break space, English with commas from four.
func TestSEKText(t *testing.T) {
	for _, tc := range []struct {
		v      any
		sv, en string
	}{
		{int64(4500), "4500\u00a0kr", "SEK 4,500"},
		{int64(184500), "184\u00a0500\u00a0kr", "SEK 184,500"},
		{1234567.6, "1\u00a0234\u00a0568\u00a0kr", "SEK 1,234,568"},
		{0, "0\u00a0kr", "SEK 0"},
		{int64(-12000), "−12\u00a0000\u00a0kr", "SEK -12,000"},
	} {
		if sv, en := sekText(tc.v, langSV), sekText(tc.v, langEN); sv != tc.sv || en != tc.en {
			t.Errorf("%v: %q, %q; want %q, %q", tc.v, sv, en, tc.sv, tc.en)
		}
	}
}

func TestLongDate(t *testing.T) {
	for _, tc := range []struct {
		t      time.Time
		sv, en string
	}{
		{date("2026-10-23"), "23 oktober 2026", "23 October 2026"},
		{date("2027-01-01"), "1 januari 2027", "1 January 2027"},
		{time.Time{}, "okänt datum", "unknown date"},
	} {
		if sv, en := longDate(tc.t, langSV), longDate(tc.t, langEN); sv != tc.sv || en != tc.en {
			t.Errorf("%v: %q, %q; want %q, %q", tc.t, sv, en, tc.sv, tc.en)
		}
	}
}
