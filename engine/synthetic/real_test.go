package synthetic

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
)

// realCases lists the manifest's real-format cases of a kind.
func realCases(m *Manifest, kind string) []RealCase {
	var l []RealCase
	for _, c := range m.RealFormat {
		if c.Kind == kind {
			l = append(l, c)
		}
	}
	return l
}

// jsonObjects reads every JSON value of a file (one a line, or one
// document) and calls fn with each.
func jsonObjects(t *testing.T, path string, fn func(v any)) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	for dec.More() {
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		fn(v)
	}
}

// bvOrgs returns the organisation objects of Bolagsverket's answers in
// step files, by the number they are keyed under ("" without identity).
func bvOrgs(t *testing.T, dir string, m *Manifest) map[string][]map[string]any {
	t.Helper()
	out := map[string][]map[string]any{}
	for _, s := range m.Steps {
		if s.Source != record.Bolagsverket {
			continue
		}
		jsonObjects(t, filepath.Join(dir, s.File), func(v any) {
			for _, o := range v.(map[string]any)["organisationer"].([]any) {
				obj := o.(map[string]any)
				id := ""
				if oi, ok := obj["organisationsidentitet"].(map[string]any); ok {
					id = oi["identitetsbeteckning"].(string)
				}
				out[id] = append(out[id], obj)
			}
		})
	}
	return out
}

// fel returns a wrapper's producer and fel.typ.
func fel(obj map[string]any, field string) (producer, typ, text string) {
	w, _ := obj[field].(map[string]any)
	if w == nil {
		return "", "", ""
	}
	producer, _ = w["dataproducent"].(string)
	if f, ok := w["fel"].(map[string]any); ok {
		typ, _ = f["typ"].(string)
		text, _ = f["felBeskrivning"].(string)
	}
	return producer, typ, text
}

// The real-format cases are in the files as the real services write
// them, for the smallest population and a larger one.
func TestRealFormatFiles(t *testing.T) {
	for _, orgs := range []int{100, 3000} {
		dir, m := generate(t, 13, orgs)
		for _, kind := range kindOrder {
			if len(realCases(m, kind)) == 0 {
				t.Errorf("orgs %d: no real-format case of kind %s", orgs, kind)
			}
		}
		bv := bvOrgs(t, dir, m)
		roles := rolesByOrg(t, dir)
		bulk := bulkRows(t, dir)

		for _, c := range realCases(m, KindSCBOnly) {
			if len(bv[c.Orgnr]) == 0 {
				t.Errorf("%s: Bolagsverket never answers about it", c.Orgnr)
			}
			for _, obj := range bv[c.Orgnr] {
				for _, f := range []string{"juridiskForm", "verksamOrganisation", "naringsgrenOrganisation"} {
					if p, typ, text := fel(obj, f); p != "SCB" || typ != "ORGANISATION_FINNS_EJ" || text == "" {
						t.Errorf("%s: %s has producer %q, fel %q %q; want SCB, ORGANISATION_FINNS_EJ with its text", c.Orgnr, f, p, typ, text)
					}
				}
				for _, f := range []string{"organisationsnamn", "organisationsform", "postadressOrganisation"} {
					if p, typ, _ := fel(obj, f); p != "Bolagsverket" || typ != "" {
						t.Errorf("%s: %s has producer %q, fel %q; want Bolagsverket's own facts", c.Orgnr, f, p, typ)
					}
				}
			}
			if l := bv[c.Orgnr]; len(l) > 0 {
				// The newest answer reports the ongoing bankruptcy.
				b, _ := json.Marshal(l[len(l)-1]["pagaendeAvvecklingsEllerOmstruktureringsforfarande"])
				if !strings.Contains(string(b), `"kod":"KK"`) {
					t.Errorf("%s: the newest answer's proceedings %s, want KK", c.Orgnr, b)
				}
			}
			scbRows := 0
			for _, s := range m.Steps {
				if s.Source == record.SCB {
					jsonObjects(t, filepath.Join(dir, s.File), func(v any) {
						for _, r := range v.([]any) {
							if r.(map[string]any)["OrgNr"] == c.Orgnr {
								scbRows++
							}
						}
					})
				}
			}
			if scbRows != 0 {
				t.Errorf("%s: SCB has %d rows for a company it does not know", c.Orgnr, scbRows)
			}
		}

		preds := realCases(m, KindBulkModifiers)
		for _, c := range preds {
			if len(bv[c.Orgnr]) != 0 {
				t.Errorf("%s: in %d API answers, want only its bulk-file row", c.Orgnr, len(bv[c.Orgnr]))
			}
			rows := bulk[c.Orgnr]
			if len(rows) != 1 || rows[0][6] != "KKAV-AVORG" || rows[0][5] == "" || !strings.Contains(rows[0][7], "KKAVOV-AVSLAVOMFO$null") {
				t.Errorf("%s: bulk rows %q, want one, deregistered with KKAV-AVORG, KKAVOV-AVSLAVOMFO$null among its proceedings", c.Orgnr, rows)
			}
		}
		for _, c := range realCases(m, KindModifierBankruptcy) {
			// A current board member of the case held a role at one of
			// the bulk-only companies.
			linked := false
			for _, r := range roles[c.Orgnr] {
				if r.Till != nil || r.Roll != "ordforande" && r.Roll != "styrelseledamot" {
					continue
				}
				for _, p := range preds {
					linked = linked || slices.ContainsFunc(roles[p.Orgnr], func(x roleLine) bool { return x.PersonID == r.PersonID })
				}
			}
			if !linked {
				t.Errorf("%s: no board member sat on a company known only from the bulk file", c.Orgnr)
			}
		}
		modifiers := map[string]int{}
		for orgnr, rows := range bulk {
			if slices.ContainsFunc(m.RealFormat, func(c RealCase) bool { return c.Orgnr == orgnr }) {
				continue
			}
			for _, code := range []string{"FRUHOR-AVSLAVOMFO$null", "LIUHAVD-AVSLAVOMFO$null"} {
				if strings.Contains(rows[0][7], code) {
					modifiers[code]++
				}
			}
		}
		if len(modifiers) != 2 {
			t.Errorf("orgs %d: ordinary bulk rows with ended proceedings without date: %v, want both codes", orgs, modifiers)
		}

		for _, kind := range []string{KindUnknownBirthDate, KindUnknownBirthDateMember} {
			for _, c := range realCases(m, kind) {
				var board []roleLine
				for _, r := range roles[c.Orgnr] {
					if r.Till == nil && (r.Roll == "ordforande" || r.Roll == "styrelseledamot") && !slices.ContainsFunc(board, func(x roleLine) bool { return x.PersonID == r.PersonID }) {
						board = append(board, r)
					}
				}
				i := slices.IndexFunc(board, func(r roleLine) bool { return r.Roll == "styrelseledamot" })
				if wantBoard := map[string]int{KindUnknownBirthDate: 1, KindUnknownBirthDateMember: 2}[kind]; len(board) != wantBoard || i < 0 {
					t.Errorf("%s %s: board %v, want %d members, a styrelseledamot among them", kind, c.Orgnr, board, wantBoard)
					continue
				}
				p, err := ident.ParsePerson(board[i].PersonID)
				if err != nil {
					t.Errorf("%s: %v", c.Orgnr, err)
					continue
				}
				y, mo, d := p.BirthDate()
				if !p.Coordination() || y != c.BirthYear || mo != 0 && d != 0 || kind == KindUnknownBirthDate && (mo != 0 || d != 0) {
					t.Errorf("%s %s: born %d-%02d-%02d (coordination %v), want a samordningsnummer of %d with month or day unknown",
						kind, c.Orgnr, y, mo, d, p.Coordination(), c.BirthYear)
				}
			}
		}

		for _, c := range realCases(m, KindWithoutIdentity) {
			var last, failed Step
			for _, s := range m.Steps {
				switch {
				case s.Source == record.Bolagsverket && s.Orgnr == c.Orgnr:
					failed = s
				case s.Source == record.Bolagsverket && s.Orgnr == "":
					last = s
				}
			}
			if failed.File == "" || !failed.Observed.After(last.Observed) {
				t.Errorf("%s: answer without identity %+v, last snapshot %+v: want it observed after", c.Orgnr, failed, last)
				continue
			}
			var anon []map[string]any
			jsonObjects(t, filepath.Join(dir, failed.File), func(v any) {
				for _, o := range v.(map[string]any)["organisationer"].([]any) {
					anon = append(anon, o.(map[string]any))
				}
			})
			if len(anon) != 1 || anon[0]["organisationsidentitet"] != nil {
				t.Fatalf("%s: %d organisations in %s, want one without identity", c.Orgnr, len(anon), failed.File)
			}
			for _, f := range UnavailableFields {
				if p, typ, _ := fel(anon[0], f); p != "Bolagsverket" || typ != "OTILLGANGLIG_UPPGIFTSKALLA" {
					t.Errorf("%s: %s has producer %q, fel %q", c.Orgnr, f, p, typ)
				}
			}
			if len(bv[c.Orgnr]) == 0 {
				t.Errorf("%s: no good answer before the failed one", c.Orgnr)
			}
		}
	}
}

type roleLine struct {
	Orgnr    string  `json:"orgnr"`
	PersonID string  `json:"person_id"`
	Roll     string  `json:"roll"`
	Till     *string `json:"till"`
}

func rolesByOrg(t *testing.T, dir string) map[string][]roleLine {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "roles.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]roleLine{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r roleLine
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		out[r.Orgnr] = append(out[r.Orgnr], r)
	}
	return out
}

// bulkRows reads Bolagsverket's bulk file: its rows by organisation number.
func bulkRows(t *testing.T, dir string) map[string][][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "bolagsverket-bulkfil.txt"))
	if err != nil {
		t.Fatal(err)
	}
	rd := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF"))))
	rd.Comma = ';'
	recs, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][][]string{}
	for _, r := range recs[1:] {
		id, _, _ := strings.Cut(r[0], "$")
		out[id] = append(out[id], r)
	}
	return out
}
