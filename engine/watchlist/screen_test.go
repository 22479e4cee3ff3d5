package watchlist

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/sanctions"
	"github.com/vaksam/vaksam/engine/sanctions/match"
	"github.com/vaksam/vaksam/engine/store"
)

var (
	day1 = time.Date(2026, 11, 2, 6, 0, 0, 0, time.UTC)
	day2 = time.Date(2026, 11, 9, 6, 0, 0, 0, time.UTC)
	day3 = time.Date(2026, 11, 16, 6, 0, 0, 0, time.UTC)
)

const (
	listedOrgnr = "5566778899"
	listedPseud = "pnr-7f3a91"
)

func openStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{Small: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func putList(t *testing.T, st *store.Store, source string, at time.Time, es ...sanctions.Entity) {
	t.Helper()
	v := record.ListVersion{List: record.SanctionsSources[source], SHA256: strings.Repeat("ab", 32), File: "list-" + at.Format("0102")}
	v.Published = at.Truncate(24 * time.Hour)
	if _, err := st.Put(Snapshot(source, v, es, at)); err != nil {
		t.Fatal(err)
	}
}

func listedOrg() sanctions.Entity {
	return sanctions.Entity{List: sanctions.EU, ID: "EU.100.1", Kind: sanctions.Organisation,
		Names:       []sanctions.Name{{Full: "Nordic Shadow Trading AB"}},
		Identifiers: []sanctions.Identifier{{Type: "registration", Value: "556677-8899", Country: "SE"}}}
}

func listedByPseudonym() sanctions.Entity {
	return sanctions.Entity{List: sanctions.EU, ID: "EU.200.7", Kind: sanctions.Person,
		Names:       []sanctions.Name{{Full: "Kalle Okänd"}},
		Identifiers: []sanctions.Identifier{{Type: record.PseudonymIdentifier, Value: listedPseud, Country: "SE"}}}
}

func listedByName() sanctions.Entity {
	return sanctions.Entity{List: sanctions.EU, ID: "EU.300.2", Kind: sanctions.Person,
		Names: []sanctions.Name{{Full: "Ivan Sergeyevich Petrov"}, {Full: "Ivan Petrov"}}, BirthDates: []string{"1965-04-12"}}
}

func TestLoadAsOfTwoImports(t *testing.T) {
	st := openStore(t)
	putList(t, st, record.SanctionsEU, day1, listedOrg(), listedByName())
	putList(t, st, record.SanctionsEU, day2, listedOrg())

	first, err := Load(st, day1.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !first.Listed(sanctions.EU, "EU.300.2") || !first.Listed(sanctions.EU, "EU.100.1") {
		t.Fatalf("as of the first import both are listed; got %v %v", first.Listed(sanctions.EU, "EU.300.2"), first.Listed(sanctions.EU, "EU.100.1"))
	}
	if l := first.List(record.SanctionsEU); l == nil || !l.Observed.Equal(day1) || l.Entities != 2 {
		t.Fatalf("first list = %+v", l)
	}
	second, err := Load(st, day2.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if second.Listed(sanctions.EU, "EU.300.2") {
		t.Error("as of the second import the entity it did not carry has left the list")
	}
	if !second.Listed(sanctions.EU, "EU.100.1") {
		t.Error("as of the second import the entity it carried is listed")
	}
	if cs := second.Search(personQuery("Ivan Petrov", 1965, ""), Floor, 5); len(cs) != 0 {
		t.Errorf("a delisted entity is still found: %+v", cs)
	}
	if l := second.List(record.SanctionsUN); l != nil {
		t.Errorf("no UN list stored, got %+v", l)
	}
	before, err := Load(st, day1.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(before.Lists) != 0 || before.Listed(sanctions.EU, "EU.100.1") {
		t.Errorf("before the first import no list: %+v", before.Lists)
	}
}

func TestCacheReusesAndRebuilds(t *testing.T) {
	st := openStore(t)
	putList(t, st, record.SanctionsEU, day1, listedOrg(), listedByName())
	var c Cache
	a, err := c.View(st, day1.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.View(st, day1.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if a.index != b.index {
		t.Error("the same list versions: the index is reused")
	}
	if !b.At.Equal(day1.Add(2 * time.Hour)) {
		t.Errorf("the reused view's time = %v", b.At)
	}
	putList(t, st, record.SanctionsEU, day2, listedOrg())
	d, err := c.View(st, day2.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if d.index == a.index || d.Listed(sanctions.EU, "EU.300.2") {
		t.Error("a new import: the view is built again without the delisted entity")
	}
	// Back in time: the older versions again, built anew.
	e, err := c.View(st, day1.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !e.Listed(sanctions.EU, "EU.300.2") {
		t.Error("as of the first import the entity is listed again")
	}
}

func personQuery(name string, year int, pseudonym string) match.Query {
	q := match.Query{Name: name, Kind: sanctions.Person, BirthYear: year}
	if pseudonym != "" {
		q.Identifiers = []string{pseudonym}
	}
	return q
}

func testProfile(at time.Time, roles ...*profile.Role) *profile.Profile {
	return &profile.Profile{Orgnr: "5590001111", Name: "Omsorgshuset i Mälardalen AB", At: at, Roles: roles,
		Sources: map[string]*profile.SourceState{record.Roles: {Present: true, LastObserved: at, Records: len(roles)}}}
}

func role(person, name, r string, year int) *profile.Role {
	return &profile.Role{Person: person, Name: name, Role: r, Current: true, BirthYear: year}
}

func noJudgements(t *testing.T) func(string) ([]Judgement, error) {
	return func(string) ([]Judgement, error) {
		t.Helper()
		t.Error("judgements read without a name candidate")
		return nil, nil
	}
}

func TestScreenOrganisationIdentifier(t *testing.T) {
	st := openStore(t)
	putList(t, st, record.SanctionsEU, day1, listedOrg(), listedByName())
	v, err := Load(st, day1.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	p := testProfile(v.At)
	p.Orgnr = listedOrgnr
	if err := Screen(v, p, noJudgements(t)); err != nil {
		t.Fatal(err)
	}
	if len(p.Sanctions) != 1 {
		t.Fatalf("sanctions = %+v", p.Sanctions)
	}
	s := p.Sanctions[0]
	if s.Subject != SubjectOrganisation || !s.Identifier || !s.Corroborated || s.Score != 1 || s.EntityID != "EU.100.1" ||
		s.Kind != "organisation" || s.Source != record.SanctionsEU || s.List != "eu" || s.Dismissed {
		t.Errorf("organisation candidate = %+v", s)
	}
	if want := "EU 2026-11-02 (sha256 abababababab)"; s.Version != want {
		t.Errorf("version = %q, want %q", s.Version, want)
	}
	if !strings.Contains(s.Explanation, "identifier 5566778899 matched exactly") {
		t.Errorf("explanation = %q", s.Explanation)
	}
	if s.Ref.Source != record.SanctionsEU || s.Ref.Key != "EU.100.1" || s.Ref.Version == 0 {
		t.Errorf("ref = %+v", s.Ref)
	}
	if got := p.Linked[record.SanctionsEU]; len(got) != 1 || got[0] != s.Ref {
		t.Errorf("linked = %+v", p.Linked)
	}
	st0 := p.Sources[record.SanctionsEU]
	if st0 == nil || !st0.Present || !st0.LastObserved.Equal(day1) || st0.Records != 2 {
		t.Errorf("source state = %+v", st0)
	}
	if p.Sources[record.SanctionsUN] != nil {
		t.Error("the UN list is not stored: its source stays absent")
	}
	if p.Sources[record.Roles] == nil {
		t.Error("the profile's other sources are kept")
	}
}

func TestScreenPersons(t *testing.T) {
	st := openStore(t)
	putList(t, st, record.SanctionsEU, day1, listedOrg(), listedByPseudonym(), listedByName())
	v, err := Load(st, day1.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	p := testProfile(v.At,
		role(listedPseud, "Karl Andersson", "styrelseledamot", 1971), // a pseudonym match, another name
		role("pnr-1111", "Ivan Petrov", "vd", 1965),
		role("pnr-1111", "Ivan Petrov", "styrelseledamot", 1965),
		role("pnr-2222", "Ivan Petrov", "revisor", 1965),                                           // an auditor is not screened
		&profile.Role{Person: "pnr-3333", Name: "Ivan Petrov", Role: "suppleant", BirthYear: 1965}, // not current
	)
	if err := Screen(v, p, func(string) ([]Judgement, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
	if len(p.Sanctions) != 2 {
		t.Fatalf("sanctions: want the pseudonym match and one name match, got %+v", p.Sanctions)
	}
	id, name := p.Sanctions[0], p.Sanctions[1]
	if id.Person != listedPseud || !id.Identifier || id.Score != 1 || id.EntityID != "EU.200.7" || id.Roles != "styrelseledamot" || id.Subject != "person" {
		t.Errorf("pseudonym candidate = %+v", id)
	}
	if name.Person != "pnr-1111" || name.Identifier || name.Roles != "vd,styrelseledamot" || name.EntityID != "EU.300.2" ||
		name.BirthYear != "agree" || !name.Corroborated || name.Score < 0.9 || name.Listed != "Ivan Petrov" {
		t.Errorf("name candidate = %+v", name)
	}
	if !strings.Contains(name.Explanation, "birth_year agree") {
		t.Errorf("explanation = %q", name.Explanation)
	}

	// Another birth year: the birth year disagrees, nothing corroborates.
	p = testProfile(v.At, role("pnr-4444", "Ivan Petrov", "vd", 1990))
	if err := Screen(v, p, func(string) ([]Judgement, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
	for _, s := range p.Sanctions {
		if s.Corroborated || s.BirthYear != "disagree" {
			t.Errorf("born 1990 against 1965: %+v", s)
		}
	}
}

func TestJudgements(t *testing.T) {
	st := openStore(t)
	putList(t, st, record.SanctionsEU, day1, listedByPseudonym(), listedByName())
	v, err := Load(st, day1.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	entry := v.Entry(sanctions.EU, "EU.300.2")
	idEntry := v.Entry(sanctions.EU, "EU.200.7")
	judged := func(subject string, e *Entry) Judgement {
		return Judgement{Orgnr: "5590001111", Subject: subject, List: sanctions.EU, EntityID: e.Entity.ID, EntityHash: e.Hash,
			Reason: "annan person: född i Sverige, aldrig bott utomlands", Author: "samordnare@kommun.se", At: day1.Add(30 * time.Minute)}
	}
	js := []Judgement{judged("pnr-1111", entry), judged(listedPseud, idEntry)}
	var asked []string
	read := func(orgnr string) ([]Judgement, error) { asked = append(asked, orgnr); return js, nil }
	screen := func(v *View) *profile.Profile {
		t.Helper()
		// The identifier match first, then the name candidate.
		p := testProfile(v.At, role(listedPseud, "Karl Andersson", "ordforande", 1971), role("pnr-1111", "Ivan Petrov", "vd", 1965))
		if err := Screen(v, p, read); err != nil {
			t.Fatal(err)
		}
		if len(p.Sanctions) != 2 {
			t.Fatalf("sanctions = %+v", p.Sanctions)
		}
		return p
	}
	p := screen(v)
	if len(asked) != 1 || asked[0] != "5590001111" {
		t.Errorf("judgements read for %v", asked)
	}
	if !p.Sanctions[1].Dismissed {
		t.Error("the judgement about the name candidate applies")
	}
	if p.Sanctions[0].Dismissed || !p.Sanctions[0].Identifier {
		t.Error("a judgement never dismisses an identifier match")
	}
	// Before the judgement was made, it does not apply.
	early, err := Load(st, day1.Add(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if p := screen(early); p.Sanctions[1].Dismissed {
		t.Error("a judgement made later does not apply as of an earlier time")
	}
	// The entry changes (a new alias): the judgement is void.
	changed := listedByName()
	changed.Names = append(changed.Names, sanctions.Name{Full: "Ivan S. Petrov"})
	putList(t, st, record.SanctionsEU, day3, listedByPseudonym(), changed)
	later, err := Load(st, day3.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if p := screen(later); p.Sanctions[1].Dismissed {
		t.Error("the list entry changed: the judgement is void")
	}
	// Reading the judgements fails: screening says so.
	p = testProfile(v.At, role("pnr-1111", "Ivan Petrov", "vd", 1965))
	boom := errors.New("boom")
	if err := Screen(v, p, func(string) ([]Judgement, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("err = %v", err)
	}
}

func TestScreenWithoutLists(t *testing.T) {
	p := testProfile(day1, role("pnr-1111", "Ivan Petrov", "vd", 1965))
	if err := Screen(nil, p, nil); err != nil || p.Sanctions != nil || p.Sources[record.SanctionsEU] != nil {
		t.Errorf("no lists wired: nothing changes; %v %+v", err, p.Sources)
	}
	st := openStore(t)
	v, err := Load(st, day1)
	if err != nil {
		t.Fatal(err)
	}
	if err := Screen(v, p, noJudgements(t)); err != nil || p.Sanctions != nil || p.Sources[record.SanctionsEU] != nil {
		t.Errorf("no list stored: the sources stay absent; %v %+v", err, p.Sources)
	}
}
