package watchlist

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/sanctions"
	"github.com/vaksam/vaksam/engine/store"
)

// storeList puts one import of a list into st as engine/record lists.go
// says: the entities, then the version record, all observed at at.
func storeList(t testing.TB, st *store.Store, source string, at time.Time, entities ...sanctions.Entity) {
	t.Helper()
	list := record.SanctionsSources[source]
	var obs []store.Observation
	for _, e := range entities {
		obs = append(obs, store.Observation{Observed: at, Item: record.Item{Source: source, Subject: record.ListSubject(list),
			Key: e.ID, Raw: []byte(e.ID), Parsed: e}})
	}
	obs = append(obs, store.Observation{Observed: at, Item: record.Item{Source: source, Subject: record.ListSubject(list),
		Raw: []byte("version"), Parsed: record.ListVersion{List: list, Published: at.Add(-time.Hour), SHA256: strings.Repeat("ab", 32),
			Entities: len(entities)}}})
	if _, err := st.Put(obs); err != nil {
		t.Fatalf("put %s: %v", source, err)
	}
}

func openTestStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "store"), store.Options{Small: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

var (
	searchedPerson = sanctions.Entity{List: sanctions.EU, ID: "EU.1234.56", Kind: sanctions.Person,
		Names: []sanctions.Name{{Full: "Viktor Fjodorovitj Janukovytj"}, {Full: "Viktor Yanukovych"}}, BirthDates: []string{"1950-07-09"},
		Programmes: []string{"UKR"}}
	searchedOrg = sanctions.Entity{List: sanctions.EU, ID: "EU.777.1", Kind: sanctions.Organisation,
		Names: []sanctions.Name{{Full: "Rosoboronexport OAO"}}}
)

func TestFind(t *testing.T) {
	st := openTestStore(t)
	day := time.Date(2026, 11, 2, 6, 0, 0, 0, time.UTC)
	storeList(t, st, record.SanctionsEU, day, searchedPerson, searchedOrg)
	v, err := Load(st, day.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}

	res := v.Find(SearchQuery{Name: "Yanukovich Viktor", Threshold: SearchThreshold, Limit: SearchLimit})
	if len(res.Candidates) == 0 || res.Candidates[0].EntityID != searchedPerson.ID || !res.Candidates[0].Match {
		t.Fatalf("a misspelled, reordered alias: got %+v", res.Candidates)
	}
	c := res.Candidates[0]
	if c.List != sanctions.EU || c.Name != "Viktor Yanukovych" || c.Primary != searchedPerson.Primary() || c.EntityKind != sanctions.Person ||
		c.By != "name" || !strings.HasPrefix(c.ListVersion, "EU 2026-11-02 (sha256 abababababab)") || c.Summary == "" || !c.Explanation.Alias {
		t.Errorf("candidate: %+v", c)
	}
	if len(res.Lists) != 1 || res.Lists[0].Entities != 2 || res.Note != "" {
		t.Errorf("lists %+v note %q", res.Lists, res.Note)
	}

	// The same name with a birth year that disagrees falls below the
	// threshold but stays in view as a near miss.
	res = v.Find(SearchQuery{Name: "Viktor Yanukovych", Kind: sanctions.Person, BirthYear: 1985, Threshold: SearchThreshold, Limit: SearchLimit})
	if len(res.Candidates) != 1 || res.Candidates[0].Match || res.Candidates[0].Score < res.Floor || res.Candidates[0].Score >= SearchThreshold {
		t.Fatalf("near miss: floor %v, got %+v", res.Floor, res.Candidates)
	}
	// A higher floor leaves it out.
	res = v.Find(SearchQuery{Name: "Viktor Yanukovych", Kind: sanctions.Person, BirthYear: 1985, Threshold: 0.99, Limit: SearchLimit})
	for _, c := range res.Candidates {
		if c.Score < 0.89 {
			t.Errorf("below the floor %v: %+v", res.Floor, c)
		}
	}

	// The kind filters: the organisation is not found as a person.
	if res := v.Find(SearchQuery{Name: "Rosoboronexport", Kind: sanctions.Person, Threshold: SearchThreshold, Limit: SearchLimit}); len(res.Candidates) != 0 {
		t.Errorf("organisation as a person: %+v", res.Candidates)
	}
	res = v.Find(SearchQuery{Name: "Rosoboronexport AB", Kind: sanctions.Organisation, Threshold: SearchThreshold, Limit: 1})
	if len(res.Candidates) != 1 || res.Candidates[0].EntityID != searchedOrg.ID || !res.Candidates[0].Match {
		t.Errorf("organisation: %+v", res.Candidates)
	}

	// JSON: one object with the members.
	var buf bytes.Buffer
	if err := res.Write(&buf, true); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, buf.String())
	}
	cand := got["candidates"].([]any)[0].(map[string]any)
	for _, k := range []string{"list", "entity_id", "name", "score", "match", "explanation", "list_version"} {
		if _, ok := cand[k]; !ok {
			t.Errorf("candidate lacks %s: %s", k, buf.String())
		}
	}
	if got["query"] != "Rosoboronexport AB" || got["threshold"] != SearchThreshold || cand["match"] != true {
		t.Errorf("json: %s", buf.String())
	}
	buf.Reset()
	if err := res.Write(&buf, false); err != nil {
		t.Fatal(err)
	}
	if out := buf.String(); !strings.Contains(out, "EU.777.1") || !strings.Contains(out, "match") || !strings.Contains(out, "EU 2026-11-02") {
		t.Errorf("text:\n%s", out)
	}
}

func TestFindNoLists(t *testing.T) {
	v, err := Load(openTestStore(t), time.Date(2026, 11, 2, 6, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	res := v.Find(SearchQuery{Name: "Anna Berg", Threshold: SearchThreshold, Limit: SearchLimit})
	if res.Note != NoListsNote || len(res.Candidates) != 0 || res.Candidates == nil || res.Lists == nil {
		t.Fatalf("%+v", res)
	}
	var buf bytes.Buffer
	if err := res.Write(&buf, false); err != nil || !strings.Contains(buf.String(), "no sanctions list is stored") {
		t.Errorf("%v %q", err, buf.String())
	}
}

func TestParseSearch(t *testing.T) {
	q, err := ParseSearch(" Anna Berg ", "person", "1961", "0.9", "5")
	if err != nil || q != (SearchQuery{Name: "Anna Berg", Kind: sanctions.Person, BirthYear: 1961, Threshold: 0.9, Limit: 5}) {
		t.Fatalf("%+v %v", q, err)
	}
	q, err = ParseSearch("Anna Berg", "", "", "", "")
	if err != nil || q.Threshold != SearchThreshold || q.Limit != SearchLimit || q.Kind != "" {
		t.Fatalf("defaults: %+v %v", q, err)
	}
	for _, c := range []struct{ name, kind, year, threshold, limit, field string }{
		{"", "", "", "", "", "name"},
		{strings.Repeat("a", MaxSearchName+1), "", "", "", "", "name"},
		{"x", "vessel", "", "", "", "type"},
		{"x", "", "sixty", "", "", "birth_year"},
		{"x", "organisation", "1961", "", "", "birth_year"},
		{"x", "", "", "1.5", "", "threshold"},
		{"x", "", "", "0", "", "threshold"},
		{"x", "", "", "NaN", "", "threshold"},
		{"x", "", "", "", "0", "limit"},
		{"x", "", "", "", "1000", "limit"},
	} {
		_, err := ParseSearch(c.name, c.kind, c.year, c.threshold, c.limit)
		var pe *ParamError
		if !errors.As(err, &pe) || pe.Field != c.field {
			t.Errorf("%+v: %v, want a problem with %s", c, err, c.field)
		}
	}
}

func TestJudge(t *testing.T) {
	st := openTestStore(t)
	day := time.Date(2026, 11, 2, 6, 0, 0, 0, time.UTC)
	const pseudonym = "PABCDEFGHIJKLMNOPQRST"
	judgedRep := sanctions.Entity{List: sanctions.UN, ID: "QDi.1", Kind: sanctions.Person, Names: []sanctions.Name{{Full: "Anna Berg"}},
		Identifiers: []sanctions.Identifier{{Type: record.PseudonymIdentifier, Value: pseudonym, Country: "SE"}}}
	storeList(t, st, record.SanctionsUN, day, judgedRep)
	storeList(t, st, record.SanctionsEU, day, searchedOrg)
	v, err := Load(st, day)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Judge("5591234561", pseudonym, sanctions.UN, "QDi.1", "x", "anna", day); !errors.Is(err, ErrIdentifierMatch) {
		t.Errorf("the representative's own pseudonym: %v", err)
	}
	if _, err := v.Judge("5591234561", SubjectOrganisation, sanctions.UN, "QDi.2", "x", "anna", day); !errors.Is(err, ErrNotListed) {
		t.Errorf("not listed: %v", err)
	}
	j, err := v.Judge("5591234561", "PZZZZZZZZZZZZZZZZZZZZ", sanctions.UN, "QDi.1", " Annan person ", "anna", day)
	if err != nil || j.Reason != "Annan person" || j.EntityHash != v.Entry(sanctions.UN, "QDi.1").Hash {
		t.Fatalf("%+v %v", j, err)
	}
	if s := v.State(j); !s.InForce || s.State != InForce || !strings.HasPrefix(s.ListVersion, "UN ") {
		t.Errorf("%+v", s)
	}
	// The next import changes the entry and drops the organisation.
	judgedRep.Remarks = "changed"
	storeList(t, st, record.SanctionsUN, day.Add(24*time.Hour), judgedRep)
	storeList(t, st, record.SanctionsEU, day.Add(24*time.Hour))
	v, err = Load(st, day.Add(25*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if s := v.State(j); s.InForce || s.State != EntryChanged {
		t.Errorf("changed: %+v", s)
	}
	gone := Judgement{List: sanctions.EU, EntityID: searchedOrg.ID, EntityHash: "x"}
	if s := v.State(gone); s.InForce || s.State != NotListed {
		t.Errorf("left the list: %+v", s)
	}
}
