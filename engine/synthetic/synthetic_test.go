package synthetic

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	euread "github.com/vaksam/vaksam/connectors/sanctions"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
)

var testNow = time.Date(2026, 10, 1, 9, 30, 0, 0, time.UTC)

func generate(t *testing.T, seed int64, orgs int) (string, *Manifest) {
	t.Helper()
	dir := t.TempDir()
	m, err := Generate(dir, Config{Seed: seed, Orgs: orgs, Now: testNow})
	if err != nil {
		t.Fatalf("Generate(seed %d, orgs %d): %v", seed, orgs, err)
	}
	return dir, m
}

// readTree maps every file under dir (relative, slash-separated) to its bytes.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestDeterministic(t *testing.T) {
	d1, _ := generate(t, 7, 3000)
	d2, _ := generate(t, 7, 3000)
	a, b := readTree(t, d1), readTree(t, d2)
	if len(a) != len(b) {
		t.Fatalf("file counts differ: %d vs %d", len(a), len(b))
	}
	for name, x := range a {
		if y, ok := b[name]; !ok {
			t.Errorf("%s missing in second run", name)
		} else if !bytes.Equal(x, y) {
			t.Errorf("%s differs between runs with the same seed", name)
		}
	}
}

func TestSeedChangesOutput(t *testing.T) {
	d1, m1 := generate(t, 1, 1000)
	d2, m2 := generate(t, 2, 1000)
	for _, f := range []string{"roles.jsonl", "avtal.csv", "fakturor.csv", "scb/hamtaforetag-0001.json"} {
		x, _ := os.ReadFile(filepath.Join(d1, f))
		y, _ := os.ReadFile(filepath.Join(d2, f))
		if bytes.Equal(x, y) {
			t.Errorf("%s is identical for seeds 1 and 2", f)
		}
	}
	if m1.Planted[0].Orgnr == m2.Planted[0].Orgnr {
		t.Errorf("first planted organisation has the same number for both seeds")
	}
}

var allIndicators = []string{"S01", "S02", "S03", "S04", "S05", "S06", "S07", "S08", "S09", "S10", "S11", "S12", "S13",
	"S14", "S15", "S16", "S17", "S19", "S20", "C01", "C02", "C03", "C04", "C05", "P01", "P02", "P03", "P04"}

// plantedOnce are the indicators one organisation is planted for: S18,
// the chair the sanctions list names with their personnummer
// (sanctions.go).
var plantedOnce = []string{"S18"}

func TestPlantedAndClean(t *testing.T) {
	for _, orgs := range []int{100, 250_000} {
		if orgs > 1000 && testing.Short() {
			continue
		}
		g := newGen(t.TempDir(), Config{Seed: 3, Orgs: orgs, Now: testNow})
		g.plan()
		count := map[string]int{}
		for _, s := range g.specs {
			if s.kind == kPlanted || s.kind == kPred {
				for _, id := range s.inds {
					count[id]++
				}
			}
		}
		for _, id := range allIndicators {
			if count[id] < 3 {
				t.Errorf("orgs %d: indicator %s has %d planted organisations, want >= 3", orgs, id, count[id])
			}
		}
	}
	_, m := generate(t, 3, 100)
	count := map[string]int{}
	seen := map[string]bool{}
	for _, p := range m.Planted {
		if seen[p.Orgnr] {
			t.Errorf("planted %s listed twice", p.Orgnr)
		}
		seen[p.Orgnr] = true
		if p.Name == "" || len(p.Indicators) == 0 {
			t.Errorf("planted %s: empty name or indicators", p.Orgnr)
		}
		for _, id := range p.Indicators {
			count[id]++
		}
	}
	for _, id := range allIndicators {
		if count[id] < 3 {
			t.Errorf("indicator %s has %d planted organisations in the manifest, want >= 3", id, count[id])
		}
	}
	for _, id := range plantedOnce {
		if count[id] != 1 {
			t.Errorf("indicator %s has %d planted organisations in the manifest, want 1", id, count[id])
		}
	}
	for id := range count {
		if !slices.Contains(allIndicators, id) && !slices.Contains(plantedOnce, id) {
			t.Errorf("unexpected indicator %s in the manifest", id)
		}
	}
	if len(m.Clean) < 20 {
		t.Errorf("%d clean organisations, want >= 20", len(m.Clean))
	}
	for _, c := range m.Clean {
		if seen[c] {
			t.Errorf("%s is both planted and clean", c)
		}
	}
	if m.Orgs < 100 {
		t.Errorf("manifest says %d organisations", m.Orgs)
	}
}

// TestSmall generates the smallest population and checks the steps.
func TestSmall(t *testing.T) {
	dir, m := generate(t, 11, 100)
	checkSteps(t, dir, m)
	// The manifest on disk is the one returned.
	var disk Manifest
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &disk); err != nil {
		t.Fatal(err)
	}
	if len(disk.Steps) != len(m.Steps) || len(disk.Planted) != len(m.Planted) || disk.Seed != 11 {
		t.Errorf("manifest.json does not match the returned manifest")
	}
}

func checkSteps(t *testing.T, dir string, m *Manifest) {
	t.Helper()
	inSteps := map[string]bool{}
	latest := map[string]time.Time{}
	var prev time.Time
	for _, s := range m.Steps {
		if !record.KnownSource(s.Source) {
			t.Errorf("step %s: unknown source %q", s.File, s.Source)
		}
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(s.File))); err != nil {
			t.Errorf("step file: %v", err)
		}
		if inSteps[s.File] {
			t.Errorf("%s listed twice", s.File)
		}
		inSteps[s.File] = true
		if s.Observed.Before(prev) {
			t.Errorf("step %s observed before the step preceding it", s.File)
		}
		prev = s.Observed
		if s.Observed.After(testNow) {
			t.Errorf("step %s observed after now", s.File)
		}
		// The organisation asked for is given for the answers that do not
		// name it: document lists, and Bolagsverket's answers without
		// organisationsidentitet.
		if (s.Source == record.BolagsverketDokument || s.Source == record.Bolagsverket && withoutIdentity(t, dir, s.File)) != (s.Orgnr != "") {
			t.Errorf("step %s: orgnr %q for source %s", s.File, s.Orgnr, s.Source)
		}
		if s.Observed.After(latest[s.Source]) {
			latest[s.Source] = s.Observed
		}
	}
	fresh := map[string]int{record.Bolagsverket: 7, record.SCB: 31, record.Roles: 31, record.Kronofogden: 92, record.IVO: 92}
	for src, days := range fresh {
		if testNow.Sub(latest[src]) > time.Duration(days)*24*time.Hour {
			t.Errorf("latest %s step observed %v, outside its %d-day window", src, latest[src], days)
		}
	}
	snaps := 0
	for _, s := range m.Steps {
		if s.Source == record.Bolagsverket {
			snaps++
		}
	}
	if snaps < 2 {
		t.Errorf("%d bolagsverket snapshots, want history", snaps)
	}
	for name := range readTree(t, dir) {
		if name != "manifest.json" && !inSteps[name] {
			t.Errorf("file %s is not in the steps", name)
		}
	}
}

// withoutIdentity reports whether a Bolagsverket answer file holds an
// organisation without organisationsidentitet.
func withoutIdentity(t *testing.T, dir, file string) bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(file)))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Contains(b, []byte(`"organisationsidentitet":null`))
}

// TestIdentityNumbers checks every organisation and person number in
// every file, and that the files parse as their formats.
func TestIdentityNumbers(t *testing.T) {
	dir, m := generate(t, 5, 6000)
	nOrg, nPerson := 0, 0
	org := func(where, s string) {
		nOrg++
		if _, err := ident.ParseOrg(s); err != nil {
			t.Errorf("%s: organisation number: %v", where, err)
		}
	}
	pers := func(where, s string) {
		nPerson++
		if _, err := ident.ParsePerson(s); err != nil {
			t.Errorf("%s: person number: %v", where, err)
		}
	}
	var walk func(where string, v any)
	walk = func(where string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, val := range x {
				s, isStr := val.(string)
				switch {
				case isStr && (k == "orgnr" || k == "identitetsbeteckning" || k == "PeOrgNr" || k == "OrgNr"):
					org(where, s)
				case isStr && k == "person_id":
					pers(where, s)
				default:
					walk(where, val)
				}
			}
		case []any:
			for _, e := range x {
				walk(where, e)
			}
		}
	}
	for _, s := range m.Steps {
		p := filepath.Join(dir, filepath.FromSlash(s.File))
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.HasSuffix(s.File, ".json") || strings.HasSuffix(s.File, ".jsonl"):
			sc := bufio.NewScanner(bytes.NewReader(b))
			sc.Buffer(nil, 64<<20)
			for line := 1; sc.Scan(); line++ {
				var v any
				if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
					t.Fatalf("%s:%d: %v", s.File, line, err)
				}
				walk(s.File, v)
			}
			if s.Orgnr != "" {
				org(s.File, s.Orgnr)
			}
		case s.Source == record.SCBBulk:
			text, err := charmap.ISO8859_1.NewDecoder().Bytes(b)
			if err != nil {
				t.Fatal(err)
			}
			rows := strings.Split(strings.TrimSuffix(string(text), "\n"), "\n")
			head := strings.Split(rows[0], "\t")
			col := -1
			for k, h := range head {
				if h == "PeOrgNr" {
					col = k
				}
			}
			if col < 0 || len(rows) < 2 {
				t.Fatalf("%s: no PeOrgNr column or no rows", s.File)
			}
			for _, r := range rows[1:] {
				f := strings.Split(r, "\t")
				if len(f) != len(head) {
					t.Fatalf("%s: %d fields, header has %d", s.File, len(f), len(head))
				}
				org(s.File, f[col])
			}
		case s.Source == record.BolagsverketBulk:
			rd := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF"))))
			rd.Comma = ';'
			recs, err := rd.ReadAll()
			if err != nil {
				t.Fatalf("%s: %v", s.File, err)
			}
			for _, r := range recs[1:] {
				id, _, _ := strings.Cut(r[0], "$")
				org(s.File, id)
			}
		case strings.HasSuffix(s.File, ".csv"):
			rd := csv.NewReader(bytes.NewReader(b))
			rd.Comma = ';'
			recs, err := rd.ReadAll()
			if err != nil {
				t.Fatalf("%s: %v", s.File, err)
			}
			if recs[0][1] != "orgnr" && recs[0][0] != "orgnr" {
				t.Fatalf("%s: unexpected header %v", s.File, recs[0])
			}
			col := 1
			if recs[0][0] == "orgnr" {
				col = 0
			}
			for _, r := range recs[1:] {
				org(s.File, r[col])
			}
		case s.Source == record.SanctionsEU:
			res, err := euread.ReadEUXML(bytes.NewReader(b), s.File)
			if err != nil || len(res.Problems) > 0 {
				t.Fatalf("%s: %v, problems %v", s.File, err, res.Problems)
			}
			for _, e := range res.Entities {
				for _, id := range e.Identifiers {
					if id.Country == "SE" {
						pers(s.File, id.Value)
					}
				}
			}
		default:
			t.Errorf("unchecked file %s", s.File)
		}
	}
	for _, p := range m.Planted {
		org("manifest", p.Orgnr)
	}
	if nOrg < 10000 || nPerson < 5000 {
		t.Errorf("checked only %d organisation and %d person numbers", nOrg, nPerson)
	}
}

// TestHeaders keeps the CSV headers those of the samples.
func TestHeaders(t *testing.T) {
	dir, _ := generate(t, 9, 100)
	want := map[string]string{
		"avtal.csv":                "avtal_id;orgnr;leverantor;kategori;avtalsagare;startdatum;slutdatum;uppskattat_varde_sek;platser;dygnspris_sek;adress",
		"fakturor.csv":             "faktura_id;orgnr;leverantor;fakturadatum;belopp_sek;avtal_id;kategori;dygn",
		"ivo-tillstand.csv":        "orgnr;huvudman;verksamhetsnamn;verksamhetstyp;lagrum;malgrupp;platser;besoksadress;kommunkod;tillstandsdatum;status",
		"bolagsverket-bulkfil.txt": "\uFEFForganisationsidentitet;namnskyddslopnummer;registreringsland;organisationsnamn;organisationsform;avregistreringsdatum;avregistreringsorsak;pagandeAvvecklingsEllerOmstruktureringsforfarande;registreringsdatum;verksamhetsbeskrivning;postadress",
	}
	for f, h := range want {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if got, _, _ := strings.Cut(string(b), "\n"); got != h {
			t.Errorf("%s header:\n got %q\nwant %q", f, got, h)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	if _, err := Generate(t.TempDir(), Config{Seed: 1, Orgs: 100}); err == nil {
		t.Error("zero Now accepted")
	}
	if _, err := Generate(t.TempDir(), Config{Seed: 1, Orgs: 0, Now: testNow}); err == nil {
		t.Error("Orgs 0 accepted")
	}
}

// The SCB bulk file has SCB's real shape: 34 named columns (values, then
// change flags m…), a tab ending every line, CRLF, PeOrgNr with 10 and 12
// digits.
func TestSCBBulkFileShape(t *testing.T) {
	dir, _ := generate(t, 5, 1000)
	b, err := os.ReadFile(filepath.Join(dir, "scb-bulkfil.txt"))
	if err != nil {
		t.Fatal(err)
	}
	text, err := charmap.ISO8859_1.NewDecoder().Bytes(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(text, []byte("\t\r\n")) {
		t.Fatalf("the file does not end with a tab and CRLF: %q", text[max(0, len(text)-20):])
	}
	lines := strings.Split(strings.TrimSuffix(string(text), "\r\n"), "\r\n")
	const header = "ForAndrTyp\tCOAdress\tForetagsnamn\tFtgStat\tGatuadress\tJEStat\tJurForm\tNamn\tNg1\tNg2\tNg3\tNg4\tNg5\tPeOrgNr\tPostNr\tPostOrt\tRegDatKtid\tReklamsparrtyp\t" +
		"mCOAdress\tmForetagsnamn\tmFtgStat\tmGatuadress\tmJEStat\tmJurForm\tmNamn\tmNg1\tmNg2\tmNg3\tmNg4\tmNg5\tmPostNr\tmPostOrt\tmRegDatKtid\tmReklamsparrtyp\t"
	if lines[0] != header {
		t.Errorf("header\n got %q\nwant %q", lines[0], header)
	}
	digits := map[int]int{}
	for i, l := range lines[1:] {
		f := strings.Split(l, "\t")
		if len(f) != 35 || f[34] != "" || strings.Contains(l, "\n") {
			t.Fatalf("line %d: %d fields, want 35 ending in an empty one: %q", i+2, len(f), l)
		}
		for _, flag := range f[18:34] {
			if flag != "0" && flag != "1" {
				t.Fatalf("line %d: change flag %q", i+2, flag)
			}
		}
		digits[len(f[13])]++
	}
	if len(lines) < 50 || digits[10] == 0 || digits[12] == 0 || digits[10]+digits[12] != len(lines)-1 {
		t.Errorf("%d rows, PeOrgNr lengths %v: want 10 and 12 digits only, both present", len(lines)-1, digits)
	}
}

// Some otherwise clean suppliers have SCB rows that withhold tax
// statuses, as SCB answers an account that has not ordered them: "*" for
// F-skatt, or no tax status columns. The rows ingest with those facts
// unknown; every other organisation's SCB facts are all known.
func TestIncompleteSCBRows(t *testing.T) {
	dir, m := generate(t, 5, 300)
	if len(m.Incomplete) < 2 {
		t.Fatalf("%d incomplete organisations, want 2", len(m.Incomplete))
	}
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	persons, err := record.NewHMACPseudonymizer([]byte("synthetic tests: not a secret"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := m.Ingest(context.Background(), &ingest.Ingester{Store: st}, dir, persons)
	if err != nil || c.Quarantined > 0 {
		q, _ := st.Quarantined("")
		t.Fatalf("ingest: %v, quarantined %v", err, q)
	}
	want := map[string]map[string]string{}
	for _, in := range m.Incomplete {
		want[in.Orgnr] = in.Unknown
	}
	wantReasons := map[string]string{"*": "not ordered from SCB (*)", "no column": "not delivered by SCB (no such column)"}
	contracts, _ := os.ReadFile(filepath.Join(dir, "avtal.csv"))
	var star int
	for _, in := range m.Incomplete {
		if !strings.Contains(string(contracts), ";"+in.Orgnr+";") {
			t.Errorf("%s has no contract: it would not be screened as a supplier", in.Orgnr)
		}
		if in.Unknown["fskatt"] == "*" {
			star++
		}
	}
	if star == 0 {
		t.Error("no organisation with * for Fskattstatus")
	}
	checked := 0
	err = st.Scan(store.ScanOptions{At: testNow}, func(_ string, recs []store.Resolved) error {
		for _, r := range recs {
			if r.ID.Source != record.SCB || r.Current == nil {
				continue
			}
			var ts record.TaxStatus
			if err := json.Unmarshal(r.Current.Parsed, &ts); err != nil {
				return err
			}
			checked++
			w := want[ts.Orgnr]
			if len(ts.Unknown) != len(w) {
				t.Errorf("%s: unknown %v, want %v", ts.Orgnr, ts.Unknown, w)
			}
			for fact, how := range w {
				if !strings.HasSuffix(ts.Unknown[fact], wantReasons[how]) {
					t.Errorf("%s: unknown[%s] = %q, want %q", ts.Orgnr, fact, ts.Unknown[fact], wantReasons[how])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Every organisation has an SCB row but those SCB does not know.
	if want := m.Orgs - len(realCases(m, KindSCBOnly)); checked != want {
		t.Errorf("checked %d SCB records, want %d", checked, want)
	}
}
