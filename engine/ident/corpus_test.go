package ident

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The corpus (testdata/README.md says where it comes from): Skatteverket's
// test personnummer and samordningsnummer, and the personnummer project's
// lists of valid and invalid numbers in several forms.
const corpusDir = "testdata/personnummer-meta"

// corpusAt is the reference time of the corpus test: after every birth
// date in it (the newest are from 2023).
var corpusAt = time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)

// corpusEntry is one number of the corpus in the forms the source gives,
// and whether the source says it is a valid personnummer or
// samordningsnummer.
type corpusEntry struct {
	id    string   // the 12-digit form, the key of deliberate differences
	forms []string // every form to parse
	valid bool
	coord bool // a samordningsnummer, when the source says
	org   bool // a valid organisation number (and so no person)
}

func readCorpusJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpusDir, name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// loadCorpus reads every number of the corpus.
func loadCorpus(t *testing.T) []corpusEntry {
	var out []corpusEntry
	for _, f := range []struct {
		name  string
		coord bool
	}{{"allPins.json", false}, {"allCoords.json", true}} {
		var nums []string
		readCorpusJSON(t, f.name, &nums)
		for _, n := range nums {
			out = append(out, corpusEntry{id: n, forms: []string{n}, valid: true, coord: f.coord})
		}
	}
	type formatted struct {
		Long      string `json:"long_format"`
		Short     string `json:"short_format"`
		Separated string `json:"separated_format"`
		SepLong   string `json:"separated_long"`
		Valid     bool   `json:"valid"`
		Type      string `json:"type"`
		Comment   string `json:"comment"`
	}
	for _, name := range []string{"list.json", "interim.json", "orgnumber.json"} {
		var items []formatted
		readCorpusJSON(t, name, &items)
		for _, x := range items {
			e := corpusEntry{id: x.Long, valid: x.Valid, coord: x.Type == "con",
				org: x.Type == "org" && strings.HasPrefix(x.Comment, "Valid Organisationsnummer")}
			if e.id == "" {
				e.id = x.Short
			}
			for _, s := range []string{x.Long, x.Short, x.Separated, x.SepLong} {
				if s != "" {
					e.forms = append(e.forms, s)
				}
			}
			out = append(out, e)
		}
	}
	return out
}

// loadDeliberate reads the numbers the source calls valid and engine/ident
// rejects on purpose.
func loadDeliberate(t *testing.T) map[string]string {
	f, err := os.Open("testdata/deliberate-differences.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		if sc.Text() == "" || strings.HasPrefix(sc.Text(), "#") {
			continue
		}
		id, why, ok := strings.Cut(sc.Text(), "\t")
		if !ok || why == "" {
			t.Fatalf("deliberate-differences.tsv:%d: want number<TAB>why", line)
		}
		out[id] = why
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCorpus runs every number of the corpus through ParsePerson,
// ParsePersonAt, ParseOrg and ParseOrgAt and reports where engine/ident and
// the source disagree, other than in the documented deliberate differences.
func TestCorpus(t *testing.T) {
	corpus := loadCorpus(t)
	deliberate := loadDeliberate(t)
	if len(corpus) < 10000 {
		t.Fatalf("corpus has %d numbers, want at least 10 000", len(corpus))
	}
	var disagree []string
	seen := map[string]bool{}
	counts := map[string]int{}
	for _, e := range corpus {
		seen[e.id] = true
		why, isDeliberate := deliberate[e.id]
		want := e.valid && !isDeliberate
		for _, form := range e.forms {
			if msg := checkCorpusForm(e, form, want); msg != "" {
				disagree = append(disagree, fmt.Sprintf("%s (source: valid=%v%s): %s", form, e.valid, ifNotEmpty(" deliberate: ", why), msg))
			}
		}
		switch {
		case e.org:
			counts["organisation numbers"]++
		case want && e.coord:
			counts["valid samordningsnummer"]++
			if e.id[4:6] == "00" || e.id[6:8] == "60" {
				counts["valid samordningsnummer with an unknown month or day"]++
			}
		case want:
			counts["valid personnummer"]++
		default:
			counts["invalid"]++
		}
	}
	for id := range deliberate {
		if !seen[id] {
			disagree = append(disagree, id+": listed as a deliberate difference but not in the corpus")
		}
	}
	t.Logf("%d numbers: %v; %d deliberate differences", len(corpus), counts, len(deliberate))
	if counts["valid samordningsnummer with an unknown month or day"] == 0 {
		t.Error("the corpus has no samordningsnummer with an unknown birth date")
	}
	if len(disagree) > 0 {
		if len(disagree) > 30 {
			disagree = append(disagree[:30], fmt.Sprintf("… %d more", len(disagree)-30))
		}
		t.Errorf("%d disagreements with the corpus:\n%s", len(disagree), strings.Join(disagree, "\n"))
	}
}

func ifNotEmpty(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

// checkCorpusForm checks one form of a corpus entry and says what is
// wrong, or "" if engine/ident agrees with what is wanted.
func checkCorpusForm(e corpusEntry, form string, want bool) string {
	p, err := ParsePersonAt(form, corpusAt)
	if !want {
		if err == nil {
			return "ParsePersonAt accepts it"
		}
		if e.org {
			if o, err := ParseOrg(form); err != nil || o.Personal() {
				return fmt.Sprintf("not a legal person's organisation number: %v", err)
			}
		} else if o, err := ParseOrgAt(form, corpusAt); err == nil && o.Personal() {
			return "ParseOrgAt accepts it as a sole trader's number"
		}
		return ""
	}
	if err != nil {
		return fmt.Sprintf("ParsePersonAt: %v", err)
	}
	d := p.String()
	if len(form) >= 12 && onlyDigits(form) != d {
		return "ParsePersonAt gives " + d
	}
	if p.Coordination() != e.coord {
		return fmt.Sprintf("Coordination() = %v", p.Coordination())
	}
	year, _ := strconv.Atoi(d[:4])
	month, _ := strconv.Atoi(d[4:6])
	day, _ := strconv.Atoi(d[6:8])
	if e.coord {
		day -= 60
	}
	if y, m, dd := p.BirthDate(); y != year || int(m) != month || dd != day || p.BirthYear() != year {
		return fmt.Sprintf("BirthDate() = %d-%02d-%02d, BirthYear() = %d", y, m, dd, p.BirthYear())
	}
	if len(onlyDigits(form)) == 12 {
		if q, err := ParsePerson(form); err != nil || q != p {
			return fmt.Sprintf("ParsePerson: %v, %v", q, err)
		}
	}
	// The 10-digit form shown as of corpusAt: '+' for those born 1925 or
	// before, '-' for those born 1927 or later (1926 depends on the day).
	shown := p.Separated(corpusAt)
	switch {
	case year <= corpusAt.Year()-101 && shown[6] != '+', year >= corpusAt.Year()-99 && shown[6] != '-':
		return "Separated = " + shown
	}
	if back, err := ParsePersonAt(shown, corpusAt); err != nil || back != p {
		return fmt.Sprintf("shown as %s, reads back as %v, %v", shown, back, err)
	}
	// A sole trader's number, in the 12-digit form, the 10-digit form
	// without century, and as shown.
	if o, err := ParseOrg(d); err != nil || !o.Personal() || o.String() != d[2:] || o.Separated(corpusAt) != shown {
		return fmt.Sprintf("ParseOrg: %v, %v", o, err)
	}
	if o, err := ParseOrg(d[2:]); err != nil || !o.Personal() {
		return fmt.Sprintf("ParseOrg of the 10 digits: %v, %v", o, err)
	}
	if o, err := ParseOrgAt(shown, corpusAt); err != nil || o.String() != d[2:] || o.Separated(corpusAt) != shown {
		return fmt.Sprintf("ParseOrgAt(%s): %v, %v", shown, o, err)
	}
	// Nobody holds it before its birth date; an unknown month counts as 1
	// January, an unknown day as the 1st.
	first := time.Date(year, time.Month(month), max(day, 1), 0, 0, 0, 0, time.UTC)
	if month == 0 {
		first = time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if _, err := ParsePersonAt(d, first.AddDate(0, 0, -1)); err == nil {
		return "valid as of the day before its birth date"
	}
	if _, err := ParsePersonAt(d, first); err != nil {
		return fmt.Sprintf("as of its birth date: %v", err)
	}
	// Any other check digit is wrong.
	other := d[:11] + string('0'+(d[11]-'0'+1)%10)
	if _, err := ParsePerson(other); err == nil {
		return "valid with check digit " + other[11:]
	}
	return ""
}
