package sanctions

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	model "github.com/vaksam/vaksam/engine/sanctions"
)

func readSample(t *testing.T, name string, read func(f *os.File, file string) (Result, error)) Result {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := read(f, name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(res.Problems) != 0 {
		t.Fatalf("%s: problems in a real sample: %v", name, res.Problems)
	}
	return res
}

// want is what a test expects of one entity; empty fields are not checked.
type want struct {
	id          string
	kind        model.Kind
	primary     string
	names       int
	strong      []string // names that must be there, not weak
	weak        []string // names that must be there, weak
	given       string   // the primary name's parts
	family      string
	births      []string
	nations     []string
	identifiers []model.Identifier
	programmes  []string
	authority   string
	listed      string
	updated     string
}

func check(t *testing.T, got []model.Entity, ws []want) {
	t.Helper()
	if len(got) != len(ws) {
		var ids []string
		for _, e := range got {
			ids = append(ids, e.ID)
		}
		t.Fatalf("got %d entities %v, want %d", len(got), ids, len(ws))
	}
	for i, w := range ws {
		e := got[i]
		t.Run(w.id, func(t *testing.T) {
			if e.ID != w.id || e.Kind != w.kind || e.Primary() != w.primary {
				t.Errorf("id, kind, primary = %q %q %q, want %q %q %q", e.ID, e.Kind, e.Primary(), w.id, w.kind, w.primary)
			}
			if w.names != 0 && len(e.Names) != w.names {
				t.Errorf("%d names, want %d: %+v", len(e.Names), w.names, e.Names)
			}
			has := func(full string, weak bool) {
				t.Helper()
				for _, n := range e.Names {
					if n.Full == full {
						if n.Weak != weak {
							t.Errorf("name %q weak = %v, want %v", full, n.Weak, weak)
						}
						return
					}
				}
				t.Errorf("no name %q in %+v", full, e.Names)
			}
			for _, n := range w.strong {
				has(n, false)
			}
			for _, n := range w.weak {
				has(n, true)
			}
			if w.given != "" || w.family != "" {
				if e.Names[0].Given != w.given || e.Names[0].Family != w.family {
					t.Errorf("primary parts %q / %q, want %q / %q", e.Names[0].Given, e.Names[0].Family, w.given, w.family)
				}
			}
			if !slices.Equal(e.BirthDates, w.births) {
				t.Errorf("birth dates %v, want %v", e.BirthDates, w.births)
			}
			if !slices.Equal(e.Nationalities, w.nations) {
				t.Errorf("nationalities %v, want %v", e.Nationalities, w.nations)
			}
			for _, id := range w.identifiers {
				if !slices.Contains(e.Identifiers, id) {
					t.Errorf("no identifier %+v in %+v", id, e.Identifiers)
				}
			}
			if !slices.Equal(e.Programmes, w.programmes) {
				t.Errorf("programmes %q, want %q", e.Programmes, w.programmes)
			}
			if w.authority != "" && e.Authority != w.authority {
				t.Errorf("authority %q, want %q", e.Authority, w.authority)
			}
			if w.listed != "" && e.Listed.Format(time.DateOnly) != w.listed {
				t.Errorf("listed %v, want %s", e.Listed, w.listed)
			}
			if w.updated != "" && e.Updated.Format(time.DateTime) != w.updated {
				t.Errorf("updated %v, want %s", e.Updated, w.updated)
			}
		})
	}
}

func TestEUXMLSample(t *testing.T) {
	res := readSample(t, "eu_fsf_1_1.xml", func(f *os.File, n string) (Result, error) { return ReadEUXML(f, n) })
	check(t, res.Entities, []want{
		{id: "1", kind: model.Person, primary: "Robert Gabriel Mugabe", names: 1, given: "Robert", family: "Mugabe",
			births:      []string{"1924-02-21"},
			identifiers: []model.Identifier{{Type: "passport", Value: "AD001095"}, {Type: "eu-reference", Value: "EU.36.64"}},
			programmes:  []string{"ZWE"}, authority: "European Union", listed: "2018-02-16"},
		{id: "207", kind: model.Organisation, primary: "İslami Büyük Doğu Akıncılar Cephesi", names: 5,
			strong:     []string{"Фронт на великите ислямски източни воини", "IBDA-C"},
			programmes: []string{"TERR"}, listed: "2018-03-22"},
	})
	if want := time.Date(2018, 12, 21, 14, 39, 54, 511e6, time.FixedZone("", 3600)); !res.Published.Equal(want) {
		t.Errorf("published %v, want the export's generationDate %v", res.Published, want)
	}
	if l := res.Entities[1].Names[2].Lang; l != "bg" {
		t.Errorf("the Bulgarian name's language is %q, want bg", l)
	}
}

func TestEUCSVSample(t *testing.T) {
	res := readSample(t, "eu_fsf_1_1.csv", func(f *os.File, n string) (Result, error) { return ReadEUCSV(f, n) })
	check(t, res.Entities, []want{
		{id: "13", kind: model.Person, primary: "Saddam Hussein Al-Tikriti", names: 2, given: "Saddam", family: "Hussein Al-Tikriti",
			strong:      []string{"Abu Ali"},
			identifiers: []model.Identifier{{Type: "eu-reference", Value: "EU.27.28"}},
			programmes:  []string{"IRQ"}, listed: "2003-07-08"},
	})
	if r := res.Entities[0].Remarks; r != "(UNSC RESOLUTION 1483)" {
		t.Errorf("remarks %q: the two rows' remark is one", r)
	}
}

func TestUNSample(t *testing.T) {
	res := readSample(t, "un_consolidated.xml", func(f *os.File, n string) (Result, error) { return ReadUNXML(f, n) })
	if want := time.Date(2026, 2, 27, 0, 0, 9, 554e6, time.UTC); !res.Published.Equal(want) {
		t.Errorf("published %v, want the list's dateGenerated %v", res.Published, want)
	}
	check(t, res.Entities, []want{
		{id: "6907994", kind: model.Person, primary: "FRANK KAKOLELE BWAMBALE",
			strong:      []string{"FRANK KAKORERE", "AIGLE BLANC"},
			identifiers: []model.Identifier{{Type: "un-reference", Value: "CDi.002"}},
			programmes:  []string{"DRC"}, authority: "UN Security Council", listed: "2005-11-01"},
		{id: "6908704", kind: model.Person, primary: "Ahmad Oumar Imhamad al-Fitouri", names: 7,
			strong: []string{"احمد عمر امحمد الفيتوري"}, weak: []string{"Al-Dabachi", "The Uncle", "Al Dabbashi"},
			births: []string{"1988-05-07"},
			identifiers: []model.Identifier{{Type: "passport", Value: "LY53FP76"}, {Type: "national-id", Value: "119880387067"},
				{Type: "un-reference", Value: "LYi.023"}},
			programmes: []string{"Libya"}, listed: "2018-06-07", updated: "2020-02-25 00:00:00"},
		{id: "6908021", kind: model.Person, primary: "BOSCO TAGANDA", names: 9,
			strong: []string{"Bosco Ntaganda"}, weak: []string{"Terminator", "Major"},
			births: []string{"1973", "1974"}, programmes: []string{"DRC"}, updated: "2023-03-01 00:00:00"},
		{id: "113457", kind: model.Organisation, primary: "AL-ITIHAAD AL-ISLAMIYA / AIAI", names: 2,
			strong: []string{"الاتحاد الاسلامي"}, programmes: []string{"Al-Qaida"}, listed: "2001-10-06"},
	})
}

func TestFtMSample(t *testing.T) {
	res := readSample(t, "entities.ftm.json", func(f *os.File, n string) (Result, error) { return ReadFtM(f, n) })
	check(t, res.Entities, []want{
		{id: "NK-aU5ybkbRFJucf8YMwsJvDw", kind: model.Person, primary: "Aleksandr Vyacheslavovich Zakharov",
			strong: []string{"Александр Вячеславович Захаров", "Zakharov Oleksandr Viacheslavovych"},
			births: []string{"1965-09-21"}, nations: []string{"RU"},
			identifiers: []model.Identifier{{Type: "inn", Value: "183111242406"}, {Type: "tax", Value: "183111242406"}},
			programmes:  []string{"EU-UKR", "Ordinance of 4 March 2022 on measures related to the situation in Ukraine (RS 946.231.176.72), annexes 2, 8, 9, 10, 11, 12,13, 14, 14a, 15, 15a, 15b, 25 and 33"},
			authority:   "Federal Public Service Finance; State Secretariat for Economic Affairs",
			listed:      "2025-02-24", updated: "2026-04-24 10:57:01"},
		{id: "NK-abdzbEBkqyT29GyREbiURZ", kind: model.Organisation, primary: `Товариство з обмеженою відповідальністю "ЦСТ"`,
			strong:  []string{"Zala Aero Group", "ZALA Aero LLC", "Limited Liability Company CST"},
			weak:    []string{"TsST LLC", "ZALA", "CST"},
			nations: []string{"RU"},
			identifiers: []model.Identifier{{Type: "registration", Value: "1091841000624"}, {Type: "inn", Value: "1841015504"},
				{Type: "ogrn", Value: "1101841007938"}},
			programmes: []string{"Autonomous (Russia)", "EU-UKR", "Russia / Russie"},
			authority:  "Department of Foreign Affairs and Trade; Federal Public Service Finance; Global Affairs Canada",
			listed:     "2023-02-24"},
		{id: "NK-mCEmxFfuhfdjpC8gsxH74o", kind: model.Person, primary: "Abashkin Konstantin", names: 5,
			births: []string{"1986-06-24"}, nations: []string{"RU"},
			identifiers: []model.Identifier{{Type: "inn", Value: "183112969152"}}},
	})
}
