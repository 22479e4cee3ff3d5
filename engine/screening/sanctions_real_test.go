package screening_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/record"
)

// The three lists' real-format samples (connectors/sanctions/testdata)
// import through their parsers, and a supplier whose new board members
// two of them list, by name and birth year, is screened against all three:
// the OpenSanctions entry (a person, his Cyrillic spellings among the
// names) and the UN entry each raise S18H with the list version they rest
// on; the EU sample lists neither.
func TestSanctionsRealListFilesScreen(t *testing.T) {
	f := newFixture(t)
	f.ingestSamples(t, instant(t, "2026-11-20"))
	lists := "../../connectors/sanctions/testdata"
	for _, l := range []struct{ source, file string }{
		{record.SanctionsEU, "eu_fsf_1_1.xml"}, {record.SanctionsUN, "un_consolidated.xml"}, {record.SanctionsFtM, "entities.ftm.json"},
	} {
		if c := f.ingestFile(t, l.source, filepath.Join(lists, l.file), "", instant(t, listedAt)); c.Quarantined > 0 || c.Records() == 0 {
			t.Fatalf("%s: %+v", l.file, c)
		}
	}
	// The sample supplier's roles, and two new board members.
	roles, err := os.ReadFile(filepath.Join(samples, "roles.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var keep []string
	for _, line := range strings.Split(string(roles), "\n") {
		if strings.Contains(line, `"orgnr":"`+sampleOrg+`"`) {
			keep = append(keep, line)
		}
	}
	keep = append(keep,
		`{"orgnr":"5591234561","person_id":"196509213457","namn":"Aleksandr Zakharov","roll":"styrelseledamot","fran":"2026-06-01","till":null}`,
		`{"orgnr":"5591234561","person_id":"197312013456","namn":"Bosco Ntaganda","roll":"suppleant","fran":"2026-06-01","till":null}`)
	path := filepath.Join(t.TempDir(), "roles.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(keep, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.ingestFile(t, record.Roles, path, "", instant(t, listedAt))

	a := f.screen(t, sampleOrg, instant(t, "2026-11-21T12:00:00+01:00"), false)
	if got := sanctionHits(a); got != "S18H" {
		t.Fatalf("S18 hits %q, want S18H; candidates %+v", got, a.Sanctions)
	}
	seen := map[string]string{}
	for _, s := range a.Sanctions {
		if s.Score >= 0.9 && s.BirthYear == "agree" {
			seen[s.List] = s.Name + " ~ " + s.Listed + " (" + s.Version + ")"
		}
	}
	if !strings.Contains(seen["ftm"], "Aleksandr Zakharov") || !strings.Contains(seen["un"], "Bosco Ntaganda") || seen["eu"] != "" {
		t.Errorf("corroborated candidates per list: %v", seen)
	}
	if h := hitOf(a, "S18H"); h == nil || !strings.Contains(h.Message.SV, "Zakharov") || !strings.Contains(h.Message.SV, "Ntaganda") {
		t.Errorf("S18H %+v", h)
	}
}
