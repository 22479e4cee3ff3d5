package formats

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/record"
	model "github.com/vaksam/vaksam/engine/sanctions"
)

// listSample reads a real-format sample of connectors/sanctions.
func listSample(t *testing.T, name string) []byte {
	t.Helper()
	return readFile(t, filepath.Join("..", "sanctions", "testdata", name))
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// listVersion returns the version record, which must be the last item,
// and checks that every item is under the list's subject.
func listVersion(t *testing.T, c *collector, list string) record.ListVersion {
	t.Helper()
	if len(c.items) == 0 {
		t.Fatal("no records")
	}
	for _, it := range c.items {
		if it.Subject != record.ListSubject(list) {
			t.Errorf("%s/%s: subject %q, want %q", it.Source, it.Key, it.Subject, record.ListSubject(list))
		}
	}
	last := c.items[len(c.items)-1]
	v, ok := last.Parsed.(record.ListVersion)
	if !ok || last.Key != "" {
		t.Fatalf("last record %q is %T, want the version record", last.Key, last.Parsed)
	}
	var fromRaw record.ListVersion
	if err := json.Unmarshal(last.Raw, &fromRaw); err != nil || !reflect.DeepEqual(fromRaw, v) {
		t.Errorf("version Raw %s does not say Parsed %+v (%v)", last.Raw, v, err)
	}
	return v
}

// listEntity returns the parsed entity of the record keyed id.
func listEntity(t *testing.T, c *collector, id string) model.Entity {
	t.Helper()
	for _, it := range c.items {
		if it.Key == id {
			e := it.Parsed.(model.Entity)
			var fromRaw model.Entity
			if err := json.Unmarshal(it.Raw, &fromRaw); err != nil || !reflect.DeepEqual(fromRaw, e) {
				t.Errorf("%s: Raw %s is not the entity %+v (%v)", id, it.Raw, e, err)
			}
			return e
		}
	}
	t.Fatalf("no record keyed %s", id)
	return model.Entity{}
}

func TestSanctionsSamples(t *testing.T) {
	for _, tt := range []struct {
		source, file string
		ids          []string
		published    time.Time
	}{
		{record.SanctionsEU, "eu_fsf_1_1.xml", []string{"1", "207"}, time.Date(2018, 12, 21, 13, 39, 54, 511e6, time.UTC)},
		{record.SanctionsEU, "eu_fsf_1_1.csv", []string{"13"}, time.Time{}},
		{record.SanctionsUN, "un_consolidated.xml", []string{"6907994", "6908704", "6908021", "113457"}, time.Date(2026, 2, 27, 0, 0, 9, 554e6, time.UTC)},
		{record.SanctionsFtM, "entities.ftm.json", []string{"NK-aU5ybkbRFJucf8YMwsJvDw", "NK-abdzbEBkqyT29GyREbiURZ", "NK-mCEmxFfuhfdjpC8gsxH74o"}, time.Time{}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			data := listSample(t, tt.file)
			c := mustParse(t, tt.source, tt.file, data)
			wantQuarantine(t, c, nil)
			list := record.SanctionsSources[tt.source]
			v := listVersion(t, c, list)
			sum := sha256.Sum256(data)
			want := record.ListVersion{List: list, Published: tt.published, SHA256: hex.EncodeToString(sum[:]), File: tt.file, Entities: len(tt.ids)}
			if !v.Published.Equal(want.Published) {
				t.Errorf("published %v, want %v", v.Published, want.Published)
			}
			v.Published = want.Published
			if v != want {
				t.Errorf("version %+v, want %+v", v, want)
			}
			var keys, pos []string
			for _, it := range c.items[:len(c.items)-1] {
				if it.Source != tt.source {
					t.Errorf("%s: source %q", it.Key, it.Source)
				}
				keys = append(keys, it.Key)
				pos = append(pos, it.Pos)
				if e := listEntity(t, c, it.Key); string(e.List) != list || e.ID != it.Key {
					t.Errorf("%s: entity of list %q id %q", it.Key, e.List, e.ID)
				}
			}
			eq(t, "keys", keys, tt.ids)
			for i, id := range tt.ids {
				if pos[i] != tt.file+"#"+id {
					t.Errorf("%s: pos %q, want %s#%s", id, pos[i], tt.file, id)
				}
			}
		})
	}
	// The same list again is the same records and digest.
	a := mustParse(t, record.SanctionsUN, "un.xml", listSample(t, "un_consolidated.xml"))
	b := mustParse(t, record.SanctionsUN, "un.xml", listSample(t, "un_consolidated.xml"))
	eq(t, "a second parse", b.items, a.items)
}

// TestSanctionsEUDetect reads the EU list as XML or CSV by its content,
// after a byte order mark and white space.
func TestSanctionsEUDetect(t *testing.T) {
	xmlData := listSample(t, "eu_fsf_1_1.xml")
	csvData := listSample(t, "eu_fsf_1_1.csv")
	for name, data := range map[string][]byte{
		"xml with a BOM and blank lines": append([]byte("\xEF\xBB\xBF\n \r\n"), xmlData...),
		"csv with a BOM":                 append([]byte("\xEF\xBB\xBF"), csvData...),
	} {
		c := mustParse(t, record.SanctionsEU, "eu", data)
		if v := listVersion(t, c, "eu"); v.Entities == 0 {
			t.Errorf("%s: no entities", name)
		}
	}
	// Neither: the CSV reader names the file and what it missed.
	_, err := parse(t, record.SanctionsEU, "eu.txt", []byte("name,id\nx,1\n"))
	if err == nil || !strings.Contains(err.Error(), "eu.txt:1") || !strings.Contains(err.Error(), "Entity_LogicalId") {
		t.Errorf("not a list: err = %v", err)
	}
	// A file broken after good entities stores none of them: a list is
	// stored whole or not at all.
	un := string(listSample(t, "un_consolidated.xml"))
	broken := un[:strings.Index(un, "<ENTITY>")] + "<ENTITY><DATAID>1</DATAID>"
	c, err := parse(t, record.SanctionsUN, "un.xml", []byte(broken))
	if err == nil || !strings.Contains(err.Error(), "un.xml:") || len(c.items)+len(c.quars) != 0 {
		t.Errorf("broken XML: err = %v, %d records, %d quarantined", err, len(c.items), len(c.quars))
	}
}

// euSwedish is a hand-written EU XML 1.1 file (the samples list no Swede):
// a person identified by a personnummer (and one who is mistyped), an
// enterprise by an organisation number, an entity without an id, one id
// twice, and a generation date that is not a time.
const euSwedish = `<?xml version="1.0" encoding="UTF-8"?>
<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="yesterday">
  <sanctionEntity logicalId="900" euReferenceNumber="EU.9.1">
    <regulation programme="TEST" publicationDate="2026-01-02"/>
    <subjectType code="person" classificationCode="P"/>
    <nameAlias wholeName="Tolvan Tolvansson" strong="true"/>
    <identification number="19121212-1212" identificationTypeCode="id" countryIso2Code="SE"/>
    <identification number="19121212-1213" identificationTypeCode="fiscalcode" countryIso2Code="SE"/>
    <identification number="AB123456" identificationTypeCode="passport" countryIso2Code="SE"/>
    <remark>Personnummer 191212121212, phone 0046812345678.</remark>
  </sanctionEntity>
  <sanctionEntity logicalId="901" euReferenceNumber="EU.9.2">
    <regulation programme="TEST" publicationDate="2026-01-02"/>
    <subjectType code="enterprise" classificationCode="E"/>
    <nameAlias wholeName="Exempel AB" strong="true"/>
    <identification number="559123-4561" identificationTypeCode="regnumber" countryIso2Code="SE"/>
    <identification number="1027700132195" identificationTypeCode="regnumber" countryIso2Code="RU"/>
  </sanctionEntity>
  <sanctionEntity euReferenceNumber="EU.9.3">
    <subjectType code="person"/>
    <nameAlias wholeName="No Id"/>
  </sanctionEntity>
  <sanctionEntity logicalId="901" euReferenceNumber="EU.9.4">
    <subjectType code="enterprise"/>
    <nameAlias wholeName="Exempel AB again"/>
  </sanctionEntity>
</export>
`

func TestSanctionsSwedishIdentifiers(t *testing.T) {
	c := mustParse(t, record.SanctionsEU, "se.xml", []byte(euSwedish))
	pn := pseudonym(t, "191212121212")
	tolvan := listEntity(t, c, "900")
	eq(t, "person's identifiers", tolvan.Identifiers, []model.Identifier{
		{Type: record.PseudonymIdentifier, Value: pn, Country: "SE"},
		{Type: "passport", Value: "AB123456", Country: "SE"},
		{Type: "eu-reference", Value: "EU.9.1"},
	})
	eq(t, "birth year from the personnummer", tolvan.BirthDates, []string{"1912"})
	if want := "Personnummer " + pn + ", phone 0046812345678."; tolvan.Remarks != want {
		t.Errorf("remarks %q, want %q", tolvan.Remarks, want)
	}
	org := listEntity(t, c, "901")
	eq(t, "organisation's identifiers", org.Identifiers, []model.Identifier{
		{Type: "registration", Value: "5591234561", Country: "SE"},
		{Type: "registration", Value: "1027700132195", Country: "RU"},
		{Type: "eu-reference", Value: "EU.9.2"},
	})
	for _, it := range c.items {
		if bytes.Contains(it.Raw, []byte("1212121212")) || bytes.Contains(it.Raw, []byte("1212-121")) {
			t.Errorf("%s: a person number in Raw: %s", it.Key, it.Raw)
		}
	}
	wantQuarantine(t, c, map[string]string{
		"se.xml:19":  "id: missing",
		"se.xml#901": "entity 901: id: listed twice in the file (entity 2 and 3 of the list)",
	})
	v := listVersion(t, c, "eu")
	if v.Entities != 2 || v.Quarantined != 2 || !v.Published.IsZero() {
		t.Errorf("version %+v: want 2 entities, 2 quarantined, no publication time (generationDate is no time)", v)
	}
}

// TestSanctionsForeignNumbers checks that an identifier of another
// country is not read as a Swedish number even when it passes as one, and
// that an FtM person of Swedish nationality has the personnummer among
// its bare identifiers replaced.
func TestSanctionsForeignNumbers(t *testing.T) {
	stream := `{"id":"x-ru","schema":"Person","target":true,"properties":{"name":["Ivan Petrov"],"nationality":["ru"],"idNumber":["191212121212"]}}
{"id":"x-se","schema":"Person","target":true,"properties":{"name":["Tolvan Tolvansson"],"nationality":["se"],"idNumber":["191212121212"],"birthDate":["1912-12-12"]}}
{"id":"x-none","schema":"Person","target":true,"properties":{"name":["Tolvan Tolvansson"],"idNumber":["191212121212"]}}
{"id":"x-org","schema":"Company","target":true,"properties":{"name":["Foreign Ltd"],"registrationNumber":["5591234561"]}}
{"id":"x-trader","schema":"Company","target":true,"properties":{"name":["Tolvans Firma"],"jurisdiction":["se"],"registrationNumber":["191212121212"]}}
`
	c := mustParse(t, record.SanctionsFtM, "s.ftm.json", []byte(stream))
	eq(t, "a Russian number", listEntity(t, c, "x-ru").Identifiers, []model.Identifier{{Type: "national-id", Value: "191212121212"}})
	se := listEntity(t, c, "x-se")
	eq(t, "a Swede's number", se.Identifiers, []model.Identifier{{Type: record.PseudonymIdentifier, Value: pseudonym(t, "191212121212"), Country: "SE"}})
	eq(t, "birth dates as listed", se.BirthDates, []string{"1912-12-12"})
	// A person the list gives no country for: a personnummer is one.
	eq(t, "a number of nobody's country", listEntity(t, c, "x-none").Identifiers, []model.Identifier{{Type: record.PseudonymIdentifier, Value: pseudonym(t, "191212121212"), Country: "SE"}})
	// An organisation's bare number is not read as Swedish without a tie
	// to Sweden; a Swedish sole trader's number is its owner's.
	eq(t, "an organisation's bare number", listEntity(t, c, "x-org").Identifiers, []model.Identifier{{Type: "registration", Value: "5591234561"}})
	eq(t, "a sole trader's number", listEntity(t, c, "x-trader").Identifiers, []model.Identifier{{Type: record.PseudonymIdentifier, Value: pseudonym(t, "191212121212"), Country: "SE"}})
	if v := listVersion(t, c, "ftm"); v.Entities != 5 || v.File != "s.ftm.json" {
		t.Errorf("version %+v", v)
	}
}
