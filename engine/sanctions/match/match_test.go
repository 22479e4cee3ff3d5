package match

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/sanctions"
)

const threshold = 0.85

func person(list sanctions.List, id string, born string, names ...string) sanctions.Entity {
	e := sanctions.Entity{List: list, ID: id, Kind: sanctions.Person}
	if born != "" {
		e.BirthDates = []string{born}
	}
	for _, n := range names {
		weak := strings.HasPrefix(n, "~")
		e.Names = append(e.Names, sanctions.Name{Full: strings.TrimPrefix(n, "~"), Weak: weak})
	}
	return e
}

func org(id string, names ...string) sanctions.Entity {
	e := sanctions.Entity{List: sanctions.EU, ID: id, Kind: sanctions.Organisation}
	for _, n := range names {
		e.Names = append(e.Names, sanctions.Name{Full: n})
	}
	return e
}

func testList() []sanctions.Entity {
	putin := person(sanctions.EU, "eu-putin", "1952-10-07", "Vladimir Vladimirovich PUTIN", "Владимир Владимирович Путин")
	putin.Nationalities = []string{"RU"}
	rosneft := org("eu-rosneft", "ROSNEFT")
	rosneft.Identifiers = []sanctions.Identifier{{Type: "registration", Value: "1027700043502", Country: "RU"}}
	return []sanctions.Entity{
		putin,
		person(sanctions.UN, "un-ali", "1975", "Mohammed ALI", "~Abu Ali"),
		person(sanctions.UN, "un-arabic", "1963", "محمد الزهراني"),
		person(sanctions.UN, "un-omar", "1971", "عمر خالد"),
		person(sanctions.EU, "eu-andersen", "1958", "Anna ANDERSEN"),
		person(sanctions.EU, "eu-johansen", "1949", "Erik JOHANNESSEN"),
		person(sanctions.FtM, "ftm-kadyrov", "1976-10-05", "Ramzan Akhmadovich KADYROV", "Рамзан Ахматович Кадыров"),
		person(sanctions.FtM, "ftm-weak", "1980", "Ivan PETROV", "~The Bear"),
		rosneft,
		org("eu-sovcomflot", "PAO Sovcomflot", "ПАО Совкомфлот"),
		{List: sanctions.FtM, ID: "ftm-vessel", Kind: sanctions.Other, Names: []sanctions.Name{{Full: "Anna"}}},
	}
}

func TestSearch(t *testing.T) {
	ix := New(testList())
	cases := []struct {
		name  string
		q     Query
		want  string // the entity expected first; "" when none may reach the threshold
		match string
	}{
		{"exact", Query{Name: "Vladimir Putin", Kind: sanctions.Person}, "eu-putin", ByName},
		{"order swapped", Query{Name: "PUTIN Vladimir", Kind: sanctions.Person}, "eu-putin", ByName},
		{"misspelled", Query{Name: "Vladimr Puttin"}, "eu-putin", ByName},
		{"cyrillic query", Query{Name: "Владимир Путин", Kind: sanctions.Person}, "eu-putin", ByName},
		{"latin query, cyrillic alias", Query{Name: "Ramzan Kadyrov", Kind: sanctions.Person}, "ftm-kadyrov", ByName},
		{"latin query, arabic listing", Query{Name: "Mohammed Al-Zahrani", Kind: sanctions.Person}, "un-arabic", ByName},
		{"latin query, arabic listing without vowels", Query{Name: "Omar Khaled", Kind: sanctions.Person}, "un-omar", ByName},
		{"birth year agrees", Query{Name: "Mohammed Ali", BirthYear: 1975}, "un-ali", ByName},
		{"legal form dropped", Query{Name: "Rosneft OOO", Kind: sanctions.Organisation}, "eu-rosneft", ByName},
		{"cyrillic legal form", Query{Name: "ООО Роснефть", Kind: sanctions.Organisation}, "eu-rosneft", ByName},
		{"swedish legal form", Query{Name: "Sovcomflot Aktiebolag", Kind: sanctions.Organisation}, "eu-sovcomflot", ByName},
		{"identifier", Query{Name: "Something Else AB", Kind: sanctions.Organisation, Identifiers: []string{"1027700-043 502"}}, "eu-rosneft", ByIdentifier},
		// common Swedish names: similar to listed ones but not them
		{"Anna Andersson, another year", Query{Name: "Anna Andersson", Kind: sanctions.Person, BirthYear: 1990}, "", ""},
		{"Erik Johansson, another year", Query{Name: "Erik Johansson", Kind: sanctions.Person, BirthYear: 1985}, "", ""},
		{"Mohammed Ali, another year", Query{Name: "Mohammed Ali", Kind: sanctions.Person, BirthYear: 1992}, "", ""},
		{"short name differs", Query{Name: "Mohammed Alm", Kind: sanctions.Person}, "", ""},
		{"a person is no organisation", Query{Name: "Rosneft", Kind: sanctions.Person}, "", ""},
		{"vessels never match by name", Query{Name: "Anna"}, "", ""},
		{"weak alias alone stays under", Query{Name: "The Bear"}, "", ""},
		{"empty", Query{}, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ix.Search(c.q, threshold, 5)
			if c.want == "" {
				if len(got) > 0 {
					t.Fatalf("want none, got %s %.3f: %s", got[0].EntityID, got[0].Score, got[0].Explanation)
				}
				return
			}
			if len(got) == 0 {
				t.Fatalf("want %s, got none (best below threshold: %v)", c.want, ix.Search(c.q, 0, 1))
			}
			if got[0].EntityID != c.want || got[0].Match != c.match {
				t.Fatalf("want %s by %s, got %s by %s %.3f: %s", c.want, c.match, got[0].EntityID, got[0].Match, got[0].Score, got[0].Explanation)
			}
			if got[0].Score < threshold || got[0].Score > 1 {
				t.Errorf("score %.3f out of [%v, 1]", got[0].Score, threshold)
			}
		})
	}
}

func TestBirthYearMovesScore(t *testing.T) {
	ix := New(testList())
	score := func(year int) (float64, Explanation) {
		t.Helper()
		got := ix.Search(Query{Name: "Anna Anderssen", Kind: sanctions.Person, BirthYear: year}, 0, 1)
		if len(got) == 0 {
			t.Fatalf("year %d: no candidate", year)
		}
		return got[0].Score, got[0].Explanation
	}
	none, _ := score(0)
	agree, xa := score(1958)
	disagree, xd := score(1990)
	if !(agree > none && none >= threshold && disagree < threshold) {
		t.Fatalf("agree %.3f, none %.3f, disagree %.3f: want agree > none ≥ %v > disagree", agree, none, disagree, threshold)
	}
	for _, c := range []struct {
		x       Explanation
		outcome string
	}{{xa, "agree"}, {xd, "disagree"}} {
		if len(c.x.Features) != 1 || c.x.Features[0].Feature != "birth_year" || c.x.Features[0].Outcome != c.outcome {
			t.Errorf("features %+v, want birth_year %s", c.x.Features, c.outcome)
		}
	}
}

// A birth year corroborates a name whose every part found a counterpart;
// it does not lift a name one of whose parts is unmatched.
func TestBirthYearCorroboratesOnlyAWholeName(t *testing.T) {
	ix := New([]sanctions.Entity{person(sanctions.EU, "eu-lkhtyb", "1991", "Mohammed Lkhtyb")})
	got := ix.Search(Query{Name: "Mohammed Ali", Kind: sanctions.Person, BirthYear: 1992}, 0, 1)
	if len(got) != 1 {
		t.Fatalf("candidates %v, want the one entity below the threshold", got)
	}
	if got[0].Score >= threshold || got[0].Score != got[0].Explanation.NameScore {
		t.Errorf("score %.3f (name %.3f): the agreeing birth year lifted a name with an unmatched part", got[0].Score, got[0].Explanation.NameScore)
	}
	if f := got[0].Explanation.Features; len(f) != 1 || f[0].Feature != "birth_year" || f[0].Effect != 0 {
		t.Errorf("features %+v, want birth_year with no effect", f)
	}
}

func TestExplanation(t *testing.T) {
	ix := New(testList())
	got := ix.Search(Query{Name: "Putin Vladimir", Nationality: "ru"}, threshold, 1)
	if len(got) != 1 {
		t.Fatalf("got %v", got)
	}
	x := got[0].Explanation
	if x.Name == "" || len(x.Alignment) != 2 || x.Alignment[0].Query != "putin" || x.Alignment[0].Name != "putin" {
		t.Errorf("alignment %+v", x.Alignment)
	}
	if len(x.Features) != 1 || x.Features[0].Feature != "nationality" || x.Features[0].Effect <= 0 {
		t.Errorf("features %+v", x.Features)
	}
	if s := x.String(); !strings.Contains(s, "putin~putin") || !strings.Contains(s, "nationality agree") {
		t.Errorf("String() = %q", s)
	}
}

func TestNormaliseIdentifier(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"556016-0680", "5560160680"},
		{"ab 12.34/5", "AB12345"},
	} {
		if got := NormaliseIdentifier(c.in); got != c.want {
			t.Errorf("%q: got %q, want %q", c.in, got, c.want)
		}
	}
}

func TestFold(t *testing.T) {
	for _, c := range []struct {
		in, want string
		org      bool
	}{
		{"Владимир Путин", "vladimir putin", false},
		{"Αλέξανδρος Παπαδόπουλος", "alexandros papadopoulos", false},
		{"Jörg-Åke O'Brien", "jorg ake obrien", false},
		{"Mohammed Al-Zahrani", "mohammed alzahrani", false},
		{"ООО «Роснефть»", "rosneft", true},
		{"Rosneft Trading S.A.", "rosneft trading", true},
		{"Nordic Fish Aktiebolag (publ)", "nordic fish", true},
		{"AB", "ab", true}, // nothing but a legal form: kept
	} {
		toks := fold(c.in)
		if c.org {
			toks = orgTokens(toks)
		}
		if got := strings.Join(toks, " "); got != c.want {
			t.Errorf("%q: got %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSearchBadInput(t *testing.T) {
	ix := New(testList())
	for _, c := range []struct {
		name  string
		q     Query
		limit int
	}{
		{"no limit", Query{Name: "Vladimir Putin"}, 0},
		{"punctuation only", Query{Name: "--- ,,, ..."}, 5},
		{"unknown identifier", Query{Identifiers: []string{"", "  "}}, 5},
		{"endless name", Query{Name: strings.Repeat("Zyx Qwv ", 100000)}, 5},
	} {
		if got := ix.Search(c.q, threshold, c.limit); len(got) != 0 {
			t.Errorf("%s: got %v", c.name, got)
		}
	}
}

func TestExplanationOfAliasesAndIdentifiers(t *testing.T) {
	ix := New(testList())
	cases := []struct {
		name    string
		q       Query
		check   func(c Candidate) bool
		explain string // a part of Explanation.String()
	}{
		{"cyrillic alias", Query{Name: "Рамзан Ахматович Кадыров"}, func(c Candidate) bool {
			return c.Explanation.Alias && !c.Explanation.Weak && c.Name == "Рамзан Ахматович Кадыров"
		}, "alias"},
		{"weak alias", Query{Name: "The Bear", BirthYear: 1980}, func(c Candidate) bool {
			return c.Explanation.Weak && len(c.Explanation.Features) == 2 && c.Explanation.Features[0].Effect < 0
		}, "weak alias"},
		{"identifier", Query{Identifiers: []string{"1027700043502"}}, func(c Candidate) bool { return c.Match == ByIdentifier && c.Score == 1 }, "identifier 1027700043502 matched exactly"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ix.Search(c.q, 0.5, 1)
			if len(got) != 1 || !c.check(got[0]) {
				t.Fatalf("got %+v", got)
			}
			if s := got[0].Explanation.String(); !strings.Contains(s, c.explain) {
				t.Errorf("String() = %q, want it to say %q", s, c.explain)
			}
		})
	}
}

func TestSearchConcurrently(t *testing.T) {
	ix := New(testList())
	queries := []string{"Vladimir Putin", "Ramzan Kadyrov", "Rosneft", "Anna Andersson"}
	want := make([][]Candidate, len(queries))
	for i, q := range queries {
		want[i] = ix.Search(Query{Name: q}, 0.5, 3)
	}
	done := make(chan error)
	for g := range 4 {
		go func() {
			for i := range 50 {
				k := (g + i) % len(queries)
				got := ix.Search(Query{Name: queries[k]}, 0.5, 3)
				if len(got) != len(want[k]) || (len(got) > 0 && got[0].EntityID != want[k][0].EntityID) {
					done <- fmt.Errorf("%q: got %v, want %v", queries[k], got, want[k])
					return
				}
			}
			done <- nil
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// best keeps what a stable sort by weight, cut at maxScored, keeps: the
// same names, whatever the weights and the order they were found in.
func TestBestIsAStableSortsCut(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	s := &scratch{hits: make([]uint16, 1000)}
	for round := range 200 {
		n := maxScored + 1 + rnd.IntN(300)
		found := rnd.Perm(1000)[:n]
		var names []int32
		for _, en := range found {
			names = append(names, int32(en))
			s.hits[en] = uint16(1 + rnd.IntN(1+round%24))
		}
		want := slices.Clone(names)
		slices.SortStableFunc(want, func(a, b int32) int { return int(s.hits[b]) - int(s.hits[a]) })
		want = want[:maxScored]
		got := s.best(slices.Clone(names))
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: best kept %v, the stable sort %v", round, got, want)
		}
	}
}
