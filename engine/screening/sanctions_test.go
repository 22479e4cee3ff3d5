package screening_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/sanctions"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/watchlist"
	"github.com/vaksam/vaksam/rules"
	defaultpack "github.com/vaksam/vaksam/rules/default"
)

// The sample supplier Omsorgshuset Norr AB (5591234561): its chair Erik
// Lind (born 1975) and its CEO Sara Holm (born 1982).
const (
	sampleOrg   = "5591234561"
	erikPnr     = "197505121231"
	saraPnr     = "198211304327"
	listedAt    = "2026-11-21T06:00:00+01:00" // after the samples (observed at the end of the 20th)
	screenedAt  = "2026-11-21"
	listVersion = "EU 2026-11-20 (sha256 5eed5eed5eed)"
)

func (f *fixture) pseudonym(t *testing.T, pnr string) string {
	t.Helper()
	p, err := ident.ParsePerson(pnr)
	if err != nil {
		t.Fatal(err)
	}
	return f.persons.Pseudonym(p)
}

// sanctionsFixture is the samples ingested and, later the same day, an
// import of source's list with the entities.
func sanctionsFixture(t *testing.T, source string, es ...sanctions.Entity) *fixture {
	t.Helper()
	f := newFixture(t)
	f.ingestSamples(t, instant(t, "2026-11-20"))
	v := record.ListVersion{SHA256: "5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed", File: "list.xml",
		Published: time.Date(2026, 11, 20, 0, 0, 0, 0, record.Stockholm)}
	if _, err := f.st.Put(watchlist.Snapshot(source, v, es, instant(t, listedAt))); err != nil {
		t.Fatal(err)
	}
	return f
}

func person(id, name string, born ...string) sanctions.Entity {
	return sanctions.Entity{List: sanctions.EU, ID: id, Kind: sanctions.Person, Names: []sanctions.Name{{Full: name}}, BirthDates: born}
}

func hitOf(a *screening.Assessment, id string) *screening.Hit {
	for i := range a.Hits {
		if a.Hits[i].ID == id {
			return &a.Hits[i]
		}
	}
	return nil
}

// sanctionHits are the assessment's S18 hits, sorted.
func sanctionHits(a *screening.Assessment) string {
	var ids []string
	for _, id := range strings.Fields(hitIDs(a)) {
		if strings.HasPrefix(id, "S18") {
			ids = append(ids, id)
		}
	}
	return strings.Join(ids, " ")
}

func candidate(t *testing.T, a *screening.Assessment, entityID string) *profile.Sanction {
	t.Helper()
	for _, s := range a.Sanctions {
		if s.EntityID == entityID {
			return s
		}
	}
	t.Fatalf("no candidate %s among %+v", entityID, a.Sanctions)
	return nil
}

// screenWith screens the sample supplier with the default pack whose
// params are overridden.
func (f *fixture) screenWith(t *testing.T, params map[string]float64) *screening.Assessment {
	t.Helper()
	set, err := defaultpack.Load(rules.Overrides{Params: params})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := screening.NewScreener(f.st, func() *rules.Set { return set }, screening.DefaultConfig(), (&review.Desk{Store: f.st}).OnSave)
	if err != nil {
		t.Fatal(err)
	}
	as, err := sc.Screen(context.Background(), []ident.Org{ident.MustOrg(sampleOrg)}, screening.Options{At: instant(t, screenedAt)})
	if err != nil {
		t.Fatal(err)
	}
	return as[0]
}

// A list that names nobody here: S18 checked and quiet, the list's state
// known.
func TestSanctionsQuiet(t *testing.T) {
	f := sanctionsFixture(t, record.SanctionsEU, person("EU.1.1", "Quetzalcoatl Xylander-Vhoorn", "1931"))
	a := f.screen(t, sampleOrg, instant(t, screenedAt), false)
	if got := sanctionHits(a); got != "" || len(a.Sanctions) != 0 {
		t.Errorf("hits %q sanctions %+v", got, a.Sanctions)
	}
	for _, id := range append(a.NotChecked, a.CriticalNotChecked...) {
		if strings.HasPrefix(id, "S18") {
			t.Errorf("%s not checked with a list imported the day before", id)
		}
	}
	// Three days later the list is stale (window 2 days): S18 is not
	// checked and the assessment incomplete.
	later := f.screen(t, sampleOrg, instant(t, "2026-11-24"), false)
	if !strings.Contains(strings.Join(later.CriticalNotChecked, " "), "S18") || !later.Incomplete {
		t.Errorf("a stale list: critical not checked %v, incomplete %v", later.CriticalNotChecked, later.Incomplete)
	}
}

func TestSanctionsIdentifierMatches(t *testing.T) {
	org := sanctions.Entity{List: sanctions.EU, ID: "EU.10.1", Kind: sanctions.Organisation,
		Names:       []sanctions.Name{{Full: "Polar Star Holding Ltd"}},
		Identifiers: []sanctions.Identifier{{Type: "registration", Value: "559123-4561", Country: "SE"}}}
	f := newFixture(t)
	sara := f.pseudonym(t, saraPnr)
	listed := sanctions.Entity{List: sanctions.EU, ID: "EU.20.4", Kind: sanctions.Person, Names: []sanctions.Name{{Full: "Sarah Holmes"}},
		Identifiers: []sanctions.Identifier{{Type: record.PseudonymIdentifier, Value: sara, Country: "SE"}}}
	f = sanctionsFixture(t, record.SanctionsEU, org, listed)
	a := f.screen(t, sampleOrg, instant(t, screenedAt), false)
	h := hitOf(a, "S18")
	if h == nil || h.Severity != rules.Critical || h.Confidence != 1 {
		t.Fatalf("S18: %+v (hits %s)", h, hitIDs(a))
	}
	if a.Verdict != screening.Block || a.Step < screening.L3 {
		t.Errorf("verdict %s step %s, want block at L3 or higher", a.Verdict, a.Step)
	}
	for _, want := range []string{
		"Organisationen finns på sanktionslistan: Polar Star Holding Ltd (EU.10.1, " + listVersion + "); identifieraren stämmer exakt",
		"Sara Holm (VD) finns på sanktionslistan: Sarah Holmes (EU.20.4, " + listVersion + ")",
	} {
		if !strings.Contains(h.Message.SV, want) {
			t.Errorf("S18 message %q lacks %q", h.Message.SV, want)
		}
	}
	if !strings.Contains(h.Message.EN, "Sara Holm (CEO) is on the sanctions list: Sarah Holmes (EU.20.4, ") {
		t.Errorf("S18 message (en) %q", h.Message.EN)
	}
	cited := 0
	for _, e := range h.Evidence {
		if e.Source == record.SanctionsEU && (e.Key == "EU.10.1" || e.Key == "EU.20.4") {
			cited++
		}
	}
	if cited != 2 {
		t.Errorf("S18 cites %+v, want both list entries", h.Evidence)
	}
	if s := candidate(t, a, "EU.20.4"); !s.Identifier || s.Person != sara || s.Version != listVersion {
		t.Errorf("candidate %+v", s)
	}
	// A coordinator's judgement never sets an identifier match aside.
	judge(t, f, watchlist.SubjectOrganisation, "EU.10.1")
	judge(t, f, sara, "EU.20.4")
	if a := f.screen(t, sampleOrg, instant(t, screenedAt), false); hitOf(a, "S18") == nil {
		t.Error("a judgement dismissed an identifier match")
	}
}

// judge stores a "not the same" judgement on the list entry as it is on
// the day of the screening.
func judge(t *testing.T, f *fixture, subject, entityID string) {
	t.Helper()
	v, err := watchlist.Load(f.st, instant(t, screenedAt))
	if err != nil {
		t.Fatal(err)
	}
	e := v.Entry(sanctions.EU, entityID)
	if e == nil {
		t.Fatalf("%s not listed", entityID)
	}
	j := watchlist.Judgement{Orgnr: sampleOrg, Subject: subject, List: sanctions.EU, EntityID: entityID, EntityHash: e.Hash,
		Reason: "annan person", Author: "samordnare", At: instant(t, listedAt).Add(time.Hour)}
	if err := f.st.Update(func(tx *store.Tx) error { return watchlist.PutJudgement(tx, j) }); err != nil {
		t.Fatal(err)
	}
}

// Each name branch, at its threshold and just below, one listed entity at
// a time: the thresholds are set from the score the matcher gives it.
func TestSanctionsNameBoundaries(t *testing.T) {
	erik := person("EU.30.1", "Erik Lindh", "1975") // corroborated by the birth year
	sara := person("EU.40.1", "Sarah Holm")         // no birth year on the list
	org := sanctions.Entity{List: sanctions.EU, ID: "EU.50.1", Kind: sanctions.Organisation, Names: []sanctions.Name{{Full: "Omsorgshuset Nord"}}}
	above := func(x float64) float64 { return min(1, x+1e-9) }
	below := func(x float64) float64 { return x - 1e-9 }
	// params: every threshold 1 (nothing fires) but the ones given.
	params := func(kv ...any) map[string]float64 {
		out := map[string]float64{"sanctions_strong_score": 1, "sanctions_org_score": 1, "sanctions_person_score": 1}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i].(string)] = kv[i+1].(float64)
		}
		return out
	}
	for _, b := range []struct {
		name   string
		entity sanctions.Entity
		check  func(*profile.Sanction) bool
		cases  func(score float64) []boundary
	}{
		{"corroborated person", erik, func(s *profile.Sanction) bool {
			return s.Corroborated && s.BirthYear == "agree" && s.Roles == "ordforande"
		},
			func(x float64) []boundary {
				return []boundary{
					{"at the strong threshold", params("sanctions_strong_score", x), "S18H"},
					{"just below it", params("sanctions_strong_score", above(x)), ""},
					{"below it, at the name threshold: medium", params("sanctions_strong_score", above(x), "sanctions_person_score", x), "S18M"},
					{"below both", params("sanctions_strong_score", above(x), "sanctions_person_score", above(x)), ""},
				}
			}},
		{"person's name alone", sara, func(s *profile.Sanction) bool { return !s.Corroborated && s.BirthYear == "" && s.Roles == "vd" },
			func(x float64) []boundary {
				return []boundary{
					{"at the name threshold", params("sanctions_person_score", x), "S18M"},
					{"just below it", params("sanctions_person_score", above(x)), ""},
					{"never high without corroboration", params("sanctions_strong_score", below(x)), ""},
				}
			}},
		{"organisation's name", org, func(s *profile.Sanction) bool { return s.Subject == "organisation" && !s.Identifier },
			func(x float64) []boundary {
				return []boundary{
					{"at the organisation threshold", params("sanctions_org_score", x), "S18H"},
					{"just below it", params("sanctions_org_score", above(x)), ""},
					{"an organisation is never medium", params("sanctions_person_score", below(x)), ""},
				}
			}},
	} {
		t.Run(b.name, func(t *testing.T) {
			f := sanctionsFixture(t, record.SanctionsEU, b.entity)
			s := candidate(t, f.screenWith(t, nil), b.entity.ID)
			if !b.check(s) || s.Score >= 1 || s.Score < watchlist.Floor {
				t.Fatalf("pick a name that scores between the floor and 1, as the branch needs: %+v", s)
			}
			t.Logf("score %.6f", s.Score)
			for _, c := range b.cases(s.Score) {
				a := f.screenWith(t, c.params)
				if got := sanctionHits(a); got != c.want {
					t.Errorf("%s: hits %q, want %q (params %v)", c.name, got, c.want, c.params)
				}
				if c.want != "" {
					if h := hitOf(a, c.want); h == nil || h.Confidence != s.Score {
						t.Errorf("%s: confidence %+v, want the score %v", c.name, h, s.Score)
					}
				}
			}
		})
	}
}

type boundary struct {
	name   string
	params map[string]float64
	want   string
}

// The messages of the name rules, and the judgements that quiet them.
func TestSanctionsNameMatches(t *testing.T) {
	f := sanctionsFixture(t, record.SanctionsEU,
		person("EU.30.1", "Erik Lindh", "1975"),
		person("EU.40.1", "Sarah Holm"),
		sanctions.Entity{List: sanctions.EU, ID: "EU.50.1", Kind: sanctions.Organisation, Names: []sanctions.Name{{Full: "Omsorgshuset Nord"}}},
	)
	base := f.screenWith(t, nil)
	erik, sara, org := candidate(t, base, "EU.30.1"), candidate(t, base, "EU.40.1"), candidate(t, base, "EU.50.1")
	a := f.screenWith(t, map[string]float64{"sanctions_strong_score": erik.Score, "sanctions_org_score": org.Score, "sanctions_person_score": sara.Score})
	h, m := hitOf(a, "S18H"), hitOf(a, "S18M")
	if h == nil || m == nil {
		t.Fatalf("hits %s", hitIDs(a))
	}
	for _, want := range []string{"Erik Lind (ordförande) liknar Erik Lindh (EU.30.1, " + listVersion + "): namnträff " +
		fmt.Sprintf("%d %%, födelseåret stämmer", int(erik.Score*100+0.5)),
		"Organisationen liknar Omsorgshuset Nord (EU.50.1, "} {
		if !strings.Contains(h.Message.SV, want) {
			t.Errorf("S18H message %q lacks %q", h.Message.SV, want)
		}
	}
	if want := "Sara Holm (VD) liknar Sarah Holm (EU.40.1, " + listVersion + "): namnträff " +
		fmt.Sprintf("%d %%, inget födelseår att jämföra", int(sara.Score*100+0.5)); !strings.Contains(m.Message.SV, want) {
		t.Errorf("S18M message %q lacks %q", m.Message.SV, want)
	}
	if want := "Sara Holm (CEO) resembles Sarah Holm (EU.40.1, "; !strings.Contains(m.Message.EN, want) {
		t.Errorf("S18M message (en) %q lacks %q", m.Message.EN, want)
	}

	// Judged not the same: the name rules are quiet for them.
	judge(t, f, f.pseudonym(t, erikPnr), "EU.30.1")
	judge(t, f, f.pseudonym(t, saraPnr), "EU.40.1")
	judge(t, f, watchlist.SubjectOrganisation, "EU.50.1")
	a = f.screenWith(t, map[string]float64{"sanctions_strong_score": erik.Score, "sanctions_org_score": org.Score, "sanctions_person_score": sara.Score})
	if got := sanctionHits(a); got != "" {
		t.Errorf("dismissed candidates fire %q", got)
	}
	for _, s := range a.Sanctions {
		if !s.Dismissed {
			t.Errorf("not dismissed: %+v", s)
		}
	}
}

// OpenSanctions stands in for the EU list: with only its import, S18 is
// checked and fires on it.
func TestSanctionsFtMStandsInForEU(t *testing.T) {
	org := sanctions.Entity{List: sanctions.FtM, ID: "NK-abc123", Kind: sanctions.Organisation,
		Names:       []sanctions.Name{{Full: "Polar Star Holding Ltd"}},
		Identifiers: []sanctions.Identifier{{Type: "registration", Value: "5591234561"}}}
	f := newFixture(t)
	f.ingestSamples(t, instant(t, "2026-11-15")) // the EU list of the samples is stale by the 21st
	if _, err := f.st.Put(watchlist.Snapshot(record.SanctionsFtM, record.ListVersion{SHA256: "ff"}, []sanctions.Entity{org}, instant(t, listedAt))); err != nil {
		t.Fatal(err)
	}
	a := f.screen(t, "5591234561", instant(t, screenedAt), false)
	h := hitOf(a, "S18")
	if h == nil {
		t.Fatalf("S18 does not fire on OpenSanctions (hits %s, critical not checked %v)", hitIDs(a), a.CriticalNotChecked)
	}
	if strings.Contains(strings.Join(a.CriticalNotChecked, " "), "S18") {
		t.Errorf("S18 not checked: %v", a.CriticalNotChecked)
	}
	cited := false
	for _, e := range h.Evidence {
		cited = cited || e.Source == record.SanctionsFtM && e.Key == "NK-abc123"
	}
	if !cited {
		t.Errorf("S18 cites %+v", h.Evidence)
	}
}

// A sanctions threshold below the floor screening keeps candidates from
// is refused; one at it loads.
func TestSanctionsThresholdsNotBelowTheFloor(t *testing.T) {
	for _, k := range defaultpack.SanctionsThresholds {
		if _, err := defaultpack.Load(rules.Overrides{Params: map[string]float64{k: watchlist.Floor - 0.01}}); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s below the floor: %v", k, err)
		}
		if _, err := defaultpack.Load(rules.Overrides{Params: map[string]float64{k: watchlist.Floor}}); err != nil {
			t.Errorf("%s at the floor: %v", k, err)
		}
	}
}
