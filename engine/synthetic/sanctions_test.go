package synthetic

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	euread "github.com/vaksam/vaksam/connectors/sanctions"
	"github.com/vaksam/vaksam/engine/sanctions"
	"github.com/vaksam/vaksam/engine/sanctions/match"
)

// The S18 thresholds of the default pack (rules/default/supplier.yaml):
// a person's name alone, an organisation's name.
const (
	personThreshold = 0.85
	orgThreshold    = 0.90
	// floor is the lowest score screening keeps as a candidate
	// (watchlist.Floor).
	floor = 0.75
)

type sanctionRole struct {
	Orgnr    string  `json:"orgnr"`
	PersonID string  `json:"person_id"`
	Namn     string  `json:"namn"`
	Roll     string  `json:"roll"`
	Till     *string `json:"till"`
}

// currentRoles reads roles.jsonl: the current roles, auditors aside, as
// screening queries the lists for them.
func currentRoles(t *testing.T, dir string, m *Manifest) []sanctionRole {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "roles.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	today := m.Now.Format("2006-01-02")
	var out []sanctionRole
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r sanctionRole
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if r.Roll != "revisor" && (r.Till == nil || *r.Till > today) {
			out = append(out, r)
		}
	}
	return out
}

func realCase(t *testing.T, m *Manifest, kind string) RealCase {
	t.Helper()
	i := slices.IndexFunc(m.RealFormat, func(c RealCase) bool { return c.Kind == kind })
	if i < 0 {
		t.Fatalf("no real-format case %s", kind)
	}
	return m.RealFormat[i]
}

// The synthetic EU list reads as the EU's file; of the whole population
// only the planted chair reaches a threshold (by their personnummer and by
// name and birth year), the near match's chair is a candidate below the
// threshold, and no other representative or supplier comes near: the
// planted cases keep exactly their indicators.
func TestSanctionsList(t *testing.T) {
	for _, orgs := range []int{100, 5000} {
		dir, m := generate(t, 3, orgs)
		f, err := os.Open(filepath.Join(dir, filepath.FromSlash(SanctionsFile)))
		if err != nil {
			t.Fatal(err)
		}
		res, err := euread.ReadEUXML(f, SanctionsFile)
		f.Close()
		if err != nil || len(res.Problems) > 0 {
			t.Fatalf("orgs %d: the list does not read as the EU's: %v, problems %v", orgs, err, res.Problems)
		}
		if len(res.Entities) != sanctionsEntities+2 {
			t.Errorf("orgs %d: %d entities, want %d", orgs, len(res.Entities), sanctionsEntities+2)
		}
		if !slices.ContainsFunc(m.Steps, func(s Step) bool { return s.Source == "sanctions-eu" && s.File == SanctionsFile }) {
			t.Errorf("orgs %d: no step ingests the list", orgs)
		}
		listed, near := realCase(t, m, KindSanctionsIdentifier), realCase(t, m, KindSanctionsNearName)
		var planted []Planted
		for _, p := range m.Planted {
			if slices.Contains(p.Indicators, "S18") {
				planted = append(planted, p)
			}
		}
		if len(planted) != 1 || planted[0].Orgnr != listed.Orgnr || len(planted[0].Indicators) != 1 {
			t.Errorf("orgs %d: planted S18 %+v, want %s with S18 alone", orgs, planted, listed.Orgnr)
		}

		// Exactly one entity carries a Swedish identification.
		var swedish []sanctions.Entity
		for _, e := range res.Entities {
			if slices.ContainsFunc(e.Identifiers, func(id sanctions.Identifier) bool { return id.Country == "SE" }) {
				swedish = append(swedish, e)
			}
		}
		if len(swedish) != 1 {
			t.Fatalf("orgs %d: %d entities with a Swedish identification, want 1", orgs, len(swedish))
		}

		ix := match.New(res.Entities)
		roles := currentRoles(t, dir, m)
		var reached []string
		nearBest := 0.0
		for _, r := range roles {
			year, _ := strconv.Atoi(r.PersonID[:4])
			q := match.Query{Name: r.Namn, Kind: sanctions.Person, BirthYear: year, Identifiers: []string{r.PersonID}}
			cs := ix.Search(q, floor, 3)
			for _, c := range cs {
				if c.Score >= personThreshold {
					reached = append(reached, r.Orgnr+" "+r.Namn+" "+c.Match)
				}
			}
			if r.Orgnr == near.Orgnr && r.Roll == "ordforande" && len(cs) > 0 {
				nearBest = cs[0].Score
			}
			if r.Orgnr == listed.Orgnr && r.Roll == "ordforande" {
				if len(cs) == 0 || cs[0].Match != match.ByIdentifier || cs[0].EntityID != swedish[0].ID {
					t.Errorf("orgs %d: the listed chair %s is not found by their personnummer: %+v", orgs, r.Namn, cs)
				}
			}
		}
		// The chair may hold several roles; each role is one query here.
		for _, x := range reached {
			if x[:10] != listed.Orgnr || x[len(x)-len(match.ByIdentifier):] != match.ByIdentifier {
				t.Errorf("orgs %d: %s reaches the threshold", orgs, x)
			}
		}
		if len(reached) == 0 {
			t.Errorf("orgs %d: nobody reaches the threshold", orgs)
		}
		if nearBest < floor || nearBest >= personThreshold {
			t.Errorf("orgs %d: the near match scores %.3f, want a candidate below the threshold [%.2f, %.2f)", orgs, nearBest, floor, personThreshold)
		}

		// No supplier's name comes near a listed enterprise.
		g := newGen(t.TempDir(), Config{Seed: 3, Orgs: orgs, Now: testNow})
		g.plan()
		if err := g.planContracts(); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < g.n; i++ {
			o := g.build(i)
			if cs := ix.Search(match.Query{Name: o.name, Kind: sanctions.Organisation, Identifiers: []string{o.orgnr}}, orgThreshold, 1); len(cs) > 0 {
				t.Errorf("orgs %d: supplier %s %s matches %s (%.3f)", orgs, o.orgnr, o.name, cs[0].Name, cs[0].Score)
			}
		}
	}
}
