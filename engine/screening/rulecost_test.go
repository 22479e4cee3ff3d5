package screening_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/rules"
	defaultpack "github.com/vaksam/vaksam/rules/default"
)

func BenchmarkRuleCost(b *testing.B) {
	st, at := populationStore(b, *benchOrgs)
	subs, err := screening.ScanSubjects(context.Background(), st, at, 2)
	if err != nil {
		b.Fatal(err)
	}
	pop := profile.NewPopulation(subs, at, profile.Config{})
	var ps []*profile.Profile
	for i, s := range subs {
		if i%50 == 0 {
			ps = append(ps, profile.Build(s, pop, at))
		}
	}
	set, _ := defaultpack.Load(rules.Overrides{})
	all := func(string) rules.Usability { return rules.Usable }
	costs := map[string]time.Duration{}
	for _, r := range set.Rules {
		single := set.Only(r.ID)
		ev := single.NewEvaluator()
		const rounds = 20 // one pass over a few hundred profiles is too short to time
		start := time.Now()
		for range rounds {
			for _, p := range ps {
				ev.Eval(p, at, all)
			}
		}
		costs[r.ID] = time.Since(start) / time.Duration(rounds*len(ps))
	}
	ids := make([]string, 0, len(costs))
	for id := range costs {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return costs[ids[i]] > costs[ids[j]] })
	for _, id := range ids {
		b.Logf("%s %v", id, costs[id])
	}
}
