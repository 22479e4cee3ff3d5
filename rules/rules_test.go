package rules

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/profile"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestLoadGoodAndEvaluate(t *testing.T) {
	set, err := LoadPath("testdata/good.yaml", Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	ev := set.NewEvaluator()
	all := func(string) Usability { return Usable }
	tests := []struct {
		name       string
		p          profile.Profile
		usable     func(string) Usability
		want       []string
		notChecked []string
		msgSV      string
	}{
		{"new company fires", profile.Profile{Registered: date("2026-05-02")}, all, []string{"S08"}, nil, "Registrerat 2026-05-02, 6 månader sedan"},
		{"old company does not", profile.Profile{Registered: date("2019-04-02")}, all, nil, nil, ""},
		{"care SNI fires X01", profile.Profile{Registered: date("2019-04-02"), SNI: []string{"87901"}}, all, []string{"X01"}, nil, "SNI 87901"},
		{"missing source is not checked", profile.Profile{Registered: date("2026-05-02")}, func(s string) Usability {
			if s == "bolagsverket" {
				return Unusable
			}
			return Usable
		}, nil, []string{"S08", "X01"}, ""},
		{"an unknown fact read is not checked", profile.Profile{Registered: date("2026-05-02"), SNI: []string{"87901"},
			Unknown: map[string]profile.UnknownFact{"sni": {Source: "bolagsverket", Reason: "SCB: ORGANISATION_FINNS_EJ"}}}, all, []string{"S08"}, []string{"X01"}, "Registrerat 2026-05-02, 6 månader sedan"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := ev.Eval(&tc.p, date("2026-11-21"), tc.usable)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range res.Hits {
				got = append(got, h.Rule.ID)
				if h.Message.SV != tc.msgSV {
					t.Errorf("message %q, want %q", h.Message.SV, tc.msgSV)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("hits %v, want %v", got, tc.want)
			}
			if strings.Join(res.NotChecked, ",") != strings.Join(tc.notChecked, ",") {
				t.Errorf("not checked %v, want %v", res.NotChecked, tc.notChecked)
			}
		})
	}
}

func TestLoadBadReportsEveryError(t *testing.T) {
	_, err := LoadPath("testdata/bad.yaml", Overrides{})
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("error %v (%T), want Errors", err, err)
	}
	want := []string{
		"testdata/bad.yaml:7:5: unknown key \"titel\"",
		"testdata/bad.yaml:9:15: rule S08: severity \"huge\"",
		"testdata/bad.yaml:10:29: rule S08: when: type profile.Profile has no field registred",
		"testdata/bad.yaml:14:15: rule S09: category \"Q\"",
		"testdata/bad.yaml:16:12: rule S09: needs: unknown source \"bolagsverkett\"",
		"testdata/bad.yaml:17:36: rule S09: when: params.nope is not declared",
		"testdata/bad.yaml:18:14: rule S09: message.sv: {{ org.nam }}",
		// A rule declares every source it reads; IVO's and
		// Arbetsmiljöverket's decisions share a type but not a source.
		"testdata/bad.yaml:23:12: rule S15: needs: reads org.roles.bans from source naringsforbud, which needs does not list",
		"testdata/bad.yaml:23:12: rule S15: needs: reads org.av_decisions from source arbetsmiljoverket, which needs does not list",
	}
	text := err.Error()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("missing error %q in:\n%s", w, text)
		}
	}
	if len(errs) != len(want)+1 { // + the missing title of S08
		t.Errorf("%d errors, want %d:\n%s", len(errs), len(want)+1, text)
	}
}

func TestOverrides(t *testing.T) {
	set, err := LoadPath("testdata/good.yaml", Overrides{Params: map[string]float64{"new_company_months": 3}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := set.NewEvaluator().Eval(&profile.Profile{Registered: date("2026-05-02")}, date("2026-11-21"), func(string) Usability { return Usable })
	if err != nil || len(res.Hits) != 0 {
		t.Errorf("with new_company_months 3, a 6-month-old company fired: %v %v", res.Hits, err)
	}
	base, _ := LoadPath("testdata/good.yaml", Overrides{})
	if base.Hash == set.Hash {
		t.Error("overrides do not change the ruleset hash")
	}
	_, err = LoadPath("testdata/good.yaml", Overrides{Params: map[string]float64{"new_compnay_months": 3}})
	if err == nil || !strings.Contains(err.Error(), "params.new_compnay_months: no rule pack declares") {
		t.Errorf("unknown override: %v", err)
	}
}

func TestManagerKeepsPreviousOnBrokenReload(t *testing.T) {
	good, err := LoadPath("testdata/good.yaml", Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	m := NewManager(good, nil)
	err = m.Reload(func() (*Set, error) { return LoadPath("testdata/bad.yaml", Overrides{}) }, date("2026-11-21"))
	if err == nil || m.Set() != good || m.LastError() == nil {
		t.Fatalf("broken reload: err %v, set replaced %v", err, m.Set() != good)
	}
	data, _ := os.ReadFile("testdata/good.yaml")
	if err := m.Reload(func() (*Set, error) { return Load(map[string][]byte{"x.yaml": data}, Overrides{}) }, date("2026-11-21")); err != nil || m.Set() == good || m.LastError() != nil {
		t.Fatalf("good reload: %v", err)
	}
}

func TestCalendarHelpers(t *testing.T) {
	for _, tc := range []struct {
		from string
		n    int
		want string
	}{
		{"2024-07-31", 19, "2026-02-28"},
		{"2024-01-31", 1, "2024-02-29"},
		{"2026-05-15", -12, "2025-05-15"},
		{"2026-03-31", -1, "2026-02-28"},
	} {
		if got := addMonths(date(tc.from), tc.n).Format(time.DateOnly); got != tc.want {
			t.Errorf("addMonths(%s, %d) = %s, want %s", tc.from, tc.n, got, tc.want)
		}
	}
	if m := monthsBetween(date("2025-11-22"), date("2026-11-21")); m != 11 {
		t.Errorf("monthsBetween = %d, want 11 (a day short of 12)", m)
	}
	if m := monthsBetween(date("2026-11-21"), date("2025-11-21")); m != -12 {
		t.Errorf("monthsBetween backwards = %d", m)
	}
	late := time.Date(2026, 11, 21, 23, 30, 0, 0, time.UTC) // 00:30 on the 22nd in Sweden
	if w := SwedishWall(late); w.Format(time.DateOnly) != "2026-11-22" || w.Location() != time.UTC {
		t.Errorf("SwedishWall = %v", w)
	}
}

func TestDuplicateParamIsAnError(t *testing.T) {
	pack := "pack: t\nversion: 1\nparams:\n  a: 1\n  a: 5\nrules: []\n"
	_, err := Load(map[string][]byte{"t.yaml": []byte(pack)}, Overrides{})
	if err == nil || !strings.Contains(err.Error(), "t.yaml:5:3: params.a given twice") {
		t.Errorf("duplicate parameter: %v", err)
	}
}

func TestErrorPositionsInBlockScalars(t *testing.T) {
	pack := `pack: t
version: 1
rules:
  - id: F01
    title: {sv: a, en: b}
    category: S
    severity: low
    when: >-
      org.name != "" &&
        org.regstered.IsZero()
    message: {sv: x, en: y}
  - id: L01
    title: {sv: a, en: b}
    category: S
    severity: low
    when: |
      org.name != "" &&
      org.nmae == ""
    message: {sv: x, en: y}
`
	_, err := Load(map[string][]byte{"t.yaml": []byte(pack)}, Overrides{})
	for _, want := range []string{"t.yaml:10:13: rule F01: when: type profile.Profile has no field regstered", "t.yaml:18:11: rule L01: when: type profile.Profile has no field nmae"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}

func TestReadsFollowClosuresAndLets(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want []string
	}{
		{`org.tax != nil && org.tax.fskatt in [0, 9]`, []string{"tax", "tax.fskatt"}},
		{`any(org.roles, {.current && any(.bans, {!.from.After(now)})})`, []string{"roles", "roles.current", "roles.bans", "roles.bans.from"}},
		{`len(uniq(map(filter(org.roles, {.current}), {.person}))) == 1`, []string{"roles", "roles.current", "roles.person"}},
		{`let ds = org.av_decisions; any(ds, {.type == "forbud"})`, []string{"av_decisions", "av_decisions.type"}},
		{`org.roles[0].elsewhere[0].bankruptcy.IsZero()`, []string{"roles", "roles.elsewhere", "roles.elsewhere.bankruptcy"}},
		{`org.orgnr == "x" && now.Year() > 2000`, []string{"orgnr"}},
		{`any(org.current_roles, {any(.bans, {.from <= now})})`, []string{"current_roles", "current_roles.bans", "current_roles.bans.from"}},
	} {
		reads, err := readsOf(tc.src)
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		var got []string
		for _, r := range reads {
			got = append(got, r.path)
		}
		slices.Sort(got)
		want := slices.Clone(tc.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: reads %v, want %v", tc.src, got, want)
		}
	}
}

// The lists derived from roles come from the roles source, their bans
// from the trading-ban register, like roles': a rule reading them declares
// both.
func TestDerivedRolesNeedTheirSources(t *testing.T) {
	reads, err := readsOf(`any(org.current_board, {len(.bans) > 0}) || len(org.board) > 3`)
	if err != nil {
		t.Fatal(err)
	}
	if got := checkNeeds([]string{"roles", "naringsforbud"}, reads); len(got) != 0 {
		t.Errorf("with both declared: %v", got)
	}
	got := checkNeeds([]string{"roles"}, reads)
	if len(got) != 1 || !strings.Contains(got[0], "org.current_board.bans from source naringsforbud") {
		t.Errorf("without naringsforbud: %v, want one problem naming org.current_board.bans", got)
	}
	if got := checkNeeds([]string{"naringsforbud"}, reads); len(got) != 1 || !strings.Contains(got[0], "source roles") {
		t.Errorf("without roles: %v, want one problem naming source roles", got)
	}
}

func TestPartialSourceFiresButNeverPasses(t *testing.T) {
	set, err := Load(map[string][]byte{"p.yaml": []byte(`pack: p
version: 1
rules:
  - id: S15
    title: {sv: a, en: b}
    category: S
    severity: critical
    needs: [roles, naringsforbud]
    when: any(org.roles, {.current && len(.bans) > 0})
    message: {sv: x, en: y}
`)}, Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	partial := func(s string) Usability {
		if s == "naringsforbud" {
			return Partial
		}
		return Usable
	}
	banned := &profile.Profile{Roles: []*profile.Role{{Current: true, Bans: []*profile.Ban{{Type: "naringsforbud"}}}}}
	clean := &profile.Profile{Roles: []*profile.Role{{Current: true}}}
	for _, tc := range []struct {
		name           string
		p              *profile.Profile
		usable         func(string) Usability
		hit, unchecked bool
	}{
		{"a ban found on partial data fires", banned, partial, true, false},
		{"no ban on partial data is not checked", clean, partial, false, true},
		{"no ban on complete data passes", clean, func(string) Usability { return Usable }, false, false},
		{"unusable data is not evaluated", banned, func(s string) Usability {
			if s == "naringsforbud" {
				return Unusable
			}
			return Usable
		}, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := set.NewEvaluator().Eval(tc.p, date("2026-11-21"), tc.usable)
			if err != nil {
				t.Fatal(err)
			}
			if (len(res.Hits) == 1) != tc.hit || (len(res.NotChecked) == 1) != tc.unchecked {
				t.Errorf("hits %d, not checked %v; want hit %v, not checked %v", len(res.Hits), res.NotChecked, tc.hit, tc.unchecked)
			}
			if tc.unchecked && (len(res.Blocked) != 1 || !slices.Contains(res.Blocked[0].Sources, "naringsforbud")) {
				t.Errorf("blocked %+v, want by naringsforbud", res.Blocked)
			}
		})
	}
}
