package sanctions

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	model "github.com/vaksam/vaksam/engine/sanctions"
)

// Hand-written: the parts of the EU XML the real sample lacks (a weak
// alias, citizenship), in the file's own shape.
const euWeak = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<export xmlns="http://eu.europa.ec/fpi/fsd/export">
  <sanctionEntity euReferenceNumber="EU.1.1" logicalId="42">
    <regulation programme="RUS" publicationDate="2022-03-15"/>
    <subjectType code="person" classificationCode="P"/>
    <nameAlias firstName="Ivan" lastName="Petrov" wholeName="Ivan  Petrov" strong="true"/>
    <nameAlias wholeName="Vanya" strong="false"/>
    <nameAlias firstName="Ivan" lastName="Petroff" wholeName="" strong="true"/>
    <citizenship countryIso2Code="ru"/>
    <citizenship countryIso2Code="00"/>
    <birthdate year="1970"/>
  </sanctionEntity>
</export>`

func TestEUXMLWeakAliasAndCitizenship(t *testing.T) {
	res, err := ReadEUXML(strings.NewReader(euWeak), "weak.xml")
	if err != nil || len(res.Problems) != 0 {
		t.Fatal(err, res.Problems)
	}
	check(t, res.Entities, []want{{id: "42", kind: model.Person, primary: "Ivan Petrov", names: 3, given: "Ivan", family: "Petrov",
		strong: []string{"Ivan Petroff"}, weak: []string{"Vanya"}, births: []string{"1970"}, nations: []string{"RU"}, programmes: []string{"RUS"}, listed: "2022-03-15"}})
}

// TestBadEntitiesQuarantined: a bad entity is left out with a problem that
// names the file, line or id and the field; the good ones are still read.
func TestBadEntitiesQuarantined(t *testing.T) {
	eu := func(body string) string {
		return "<export>\n" + body + "\n" + `<sanctionEntity logicalId="2"><nameAlias wholeName="Good One"/></sanctionEntity>` + "\n</export>"
	}
	un := func(body string) string {
		return "<CONSOLIDATED_LIST><INDIVIDUALS>\n" + body + "\n<INDIVIDUAL><DATAID>2</DATAID><FIRST_NAME>GOOD</FIRST_NAME></INDIVIDUAL>\n</INDIVIDUALS></CONSOLIDATED_LIST>"
	}
	ftm := func(line string) string {
		return line + "\n" + `{"id":"good","schema":"Person","properties":{"name":["Good One"]},"target":true}` + "\n"
	}
	csvHead := "Entity_LogicalId;NameAlias_WholeName;BirthDate_BirthDate\n"
	for _, c := range []struct {
		name, input string
		read        func(io.Reader, string) (Result, error)
		want        string // the problem, as printed
	}{
		{"eu no id", eu(`<sanctionEntity><nameAlias wholeName="X"/></sanctionEntity>`), ReadEUXML, "f:2: id: missing"},
		{"eu no name", eu(`<sanctionEntity logicalId="7"></sanctionEntity>`), ReadEUXML, "f:2: entity 7: name: the entity has no name"},
		{"eu bad birth", eu(`<sanctionEntity logicalId="7"><nameAlias wholeName="X"/><birthdate birthdate="1970-13-01"/></sanctionEntity>`), ReadEUXML,
			`f:2: entity 7: birth date: "1970-13-01" is not a date`},
		{"eu bad regulation date", eu(`<sanctionEntity logicalId="7"><nameAlias wholeName="X"/><regulation publicationDate="16/02/2018"/></sanctionEntity>`), ReadEUXML,
			`f:2: entity 7: publicationDate: "16/02/2018" is not a date (YYYY-MM-DD)`},
		{"csv no id", csvHead + ";X;\n2;Good One;\n", ReadEUCSV, "f:2: Entity_LogicalId: missing"},
		{"csv bad birth", csvHead + "7;X;about 1970\n2;Good One;\n", ReadEUCSV, `f:2: entity 7: birth date: "about 1970" is not a date`},
		{"un no name", un(`<INDIVIDUAL><DATAID>7</DATAID></INDIVIDUAL>`), ReadUNXML, "f:2: entity 7: name: the entity has no name"},
		{"un bad listed", un(`<INDIVIDUAL><DATAID>7</DATAID><FIRST_NAME>X</FIRST_NAME><LISTED_ON>yesterday</LISTED_ON></INDIVIDUAL>`), ReadUNXML,
			`f:2: entity 7: LISTED_ON: "yesterday" is not a date (YYYY-MM-DD)`},
		{"un bad birth year", un(`<INDIVIDUAL><DATAID>7</DATAID><FIRST_NAME>X</FIRST_NAME><INDIVIDUAL_DATE_OF_BIRTH><YEAR>19xx</YEAR></INDIVIDUAL_DATE_OF_BIRTH></INDIVIDUAL>`), ReadUNXML,
			`f:2: entity 7: birth date: "19xx" is not a date`},
		{"ftm not json", ftm(`{"id":"bad","schema":`), ReadFtM, "f:1: entity: not a FollowTheMoney entity"},
		{"ftm wrong type", ftm(`{"id":"bad","schema":"Person","properties":{"name":"X"},"target":true}`), ReadFtM,
			"f:1: entity bad: properties: not a FollowTheMoney entity"},
		{"ftm no name", ftm(`{"id":"bad","schema":"Person","properties":{},"target":true}`), ReadFtM, "f:1: entity bad: name: the entity has no name"},
		{"ftm bad birth", ftm(`{"id":"bad","schema":"Person","properties":{"name":["X"],"birthDate":["1970-02-30"]},"target":true}`), ReadFtM,
			`f:1: entity bad: birth date: "1970-02-30" is not a date`},
		{"ftm bad last_change", ftm(`{"id":"bad","schema":"Person","properties":{"name":["X"]},"target":true,"last_change":"now"}`), ReadFtM,
			`f:1: entity bad: last_change: "now" is not a time`},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := c.read(strings.NewReader(c.input), "f")
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Entities) != 1 || res.Entities[0].Primary() != "Good One" && res.Entities[0].Primary() != "GOOD" {
				t.Errorf("entities %+v, want the good one only", res.Entities)
			}
			if len(res.Problems) != 1 || !strings.HasPrefix(res.Problems[0].String(), c.want) {
				t.Errorf("problems %v, want one starting %q", res.Problems, c.want)
			}
		})
	}
}

// TestBrokenFiles: a file that is not the format is an error naming the
// file and line.
func TestBrokenFiles(t *testing.T) {
	for _, c := range []struct {
		name, input string
		read        func(io.Reader, string) (Result, error)
		want        string
	}{
		{"eu xml cut", "<export>\n<sanctionEntity logicalId=\"1\">\n<nameAlias wholeName=\"X\"", ReadEUXML, "f:3: not well-formed XML"},
		{"eu xml bad charset", `<?xml version="1.0" encoding="ISO-8859-1"?><export/>`, ReadEUXML, `encoding "ISO-8859-1": only UTF-8 is read`},
		{"un xml mismatched", "<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n<INDIVIDUAL><DATAID>1</DATA></INDIVIDUAL>", ReadUNXML, "f:3: not well-formed XML"},
		{"csv empty", "", ReadEUCSV, "f:1: empty file"},
		{"csv commas", "Entity_LogicalId,NameAlias_WholeName\n1,X\n", ReadEUCSV, "f:1: header: no column Entity_LogicalId"},
		{"ftm too long", strings.Repeat("x", maxFtMLine+1), ReadFtM, "f:1: a line longer than"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.read(strings.NewReader(c.input), "f")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// TestCSVGroupsScatteredRows: an entity's rows need not be adjacent.
func TestCSVGroupsScatteredRows(t *testing.T) {
	in := "\ufeffEntity_LogicalId;Entity_SubjectType_ClassificationCode;NameAlias_WholeName;Citizenship_CountryIso2Code;Identification_Number;Identification_TypeCode\n" +
		"1;enterprise;Acme LLC;;1027700000000;regnumber\n2;person;Jane Roe;;;\n1;enterprise;Acme;;;\n2;person;;SE;;\n"
	res, err := ReadEUCSV(strings.NewReader(in), "f")
	if err != nil || len(res.Problems) != 0 {
		t.Fatal(err, res.Problems)
	}
	check(t, res.Entities, []want{
		{id: "1", kind: model.Organisation, primary: "Acme LLC", names: 2, strong: []string{"Acme"},
			identifiers: []model.Identifier{{Type: "registration", Value: "1027700000000"}}},
		{id: "2", kind: model.Person, primary: "Jane Roe", names: 1, nations: []string{"SE"}},
	})
}

// TestFtMJoinsByReferent: a Sanction may point at a referent of its
// entity, and may come before it; non-target entities are not screened.
func TestFtMJoinsByReferent(t *testing.T) {
	in := `{"id":"s1","schema":"Sanction","properties":{"entity":["eu-fsf-1"],"programId":["EU-UKR"],"authority":["EU"],"startDate":["2022-02-23"]}}
{"id":"s2","schema":"Sanction","properties":{"entity":["nobody"],"program":["X"]}}
{"id":"NK-1","schema":"Company","properties":{"name":["Acme"]},"referents":["eu-fsf-1"],"target":true}
{"id":"NK-2","schema":"Company","properties":{"name":["Owner Co"]},"target":false}
`
	res, err := ReadFtM(strings.NewReader(in), "f")
	if err != nil || len(res.Problems) != 0 {
		t.Fatal(err, res.Problems)
	}
	check(t, res.Entities, []want{{id: "NK-1", kind: model.Organisation, primary: "Acme", programmes: []string{"EU-UKR"}, authority: "EU", listed: "2022-02-23"}})
}

func fuzzReader(f *testing.F, read func(io.Reader, string) (Result, error), sample string) {
	f.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", sample))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(euWeak))
	f.Fuzz(func(t *testing.T, in []byte) {
		res, err := read(bytes.NewReader(in), "fuzz")
		if err != nil && !strings.HasPrefix(err.Error(), "fuzz") {
			t.Errorf("error does not name the file: %v", err)
		}
		for _, e := range res.Entities {
			if e.ID == "" || len(e.Names) == 0 {
				t.Errorf("an entity without id or name passed: %+v", e)
			}
		}
		for _, p := range res.Problems {
			if !strings.HasPrefix(p.Where, "fuzz:") || p.Field == "" || p.Reason == "" {
				t.Errorf("a problem without place, field or reason: %+v", p)
			}
		}
	})
}

func FuzzEUXML(f *testing.F) { fuzzReader(f, ReadEUXML, "eu_fsf_1_1.xml") }
func FuzzEUCSV(f *testing.F) { fuzzReader(f, ReadEUCSV, "eu_fsf_1_1.csv") }
func FuzzUNXML(f *testing.F) { fuzzReader(f, ReadUNXML, "un_consolidated.xml") }
func FuzzFtM(f *testing.F)   { fuzzReader(f, ReadFtM, "entities.ftm.json") }

// TestFtMBadSanctionDateKeepsEntity: a Sanction whose start date is not a
// date loses the date only; a year alone is no designation day but no
// problem either.
func TestFtMBadSanctionDateKeepsEntity(t *testing.T) {
	in := `{"id":"NK-1","schema":"Person","properties":{"name":["Jane Roe"]},"target":true}
{"id":"s1","schema":"Sanction","properties":{"entity":["NK-1"],"program":["P1"],"startDate":["soon"]}}
{"id":"s2","schema":"Sanction","properties":{"entity":["NK-1"],"program":["P2"],"listingDate":["2019"]}}
`
	res, err := ReadFtM(strings.NewReader(in), "f")
	if err != nil {
		t.Fatal(err)
	}
	check(t, res.Entities, []want{{id: "NK-1", kind: model.Person, primary: "Jane Roe", programmes: []string{"P1", "P2"}}})
	if !res.Entities[0].Listed.IsZero() {
		t.Errorf("listed %v, want none", res.Entities[0].Listed)
	}
	if len(res.Problems) != 1 || !res.Problems[0].Kept || res.Problems[0].String() != `f:2: entity s1: startDate: "soon" is not a date (detail dropped, entity kept)` {
		t.Errorf("problems %v", res.Problems)
	}
}
