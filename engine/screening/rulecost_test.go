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

// sampleProfiles builds the profile of every 50th organisation of the
// benchmark store.
func sampleProfiles(b *testing.B) ([]*profile.Profile, time.Time) {
	b.Helper()
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
	return ps, at
}

// BenchmarkEvaluateSample is the default pack on every 50th profile of the
// benchmark store, every source usable: the rules' share of a whole-store
// screening, per profile (allocs/op counts one pass over the sample).
func BenchmarkEvaluateSample(b *testing.B) {
	ps, at := sampleProfiles(b)
	set, _ := defaultpack.Load(rules.Overrides{})
	ev := set.NewEvaluator()
	all := func(string) rules.Usability { return rules.Usable }
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for _, p := range ps {
			if _, err := ev.Eval(p, at, all); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(ps)), "ns/profile")
	b.ReportMetric(float64(len(ps)), "profiles")
}

func BenchmarkRuleCost(b *testing.B) {
	ps, at := sampleProfiles(b)
	set, _ := defaultpack.Load(rules.Overrides{})
	all := func(string) rules.Usability { return rules.Usable }
	costs := map[string]time.Duration{}
	allocs := map[string]float64{}
	for _, r := range set.Rules {
		single := set.Only(r.ID)
		ev := single.NewEvaluator()
		pass := func() {
			for _, p := range ps {
				ev.Eval(p, at, all)
			}
		}
		const rounds = 20 // one pass over a few hundred profiles is too short to time
		start := time.Now()
		for range rounds {
			pass()
		}
		costs[r.ID] = time.Since(start) / time.Duration(rounds*len(ps))
		allocs[r.ID] = testing.AllocsPerRun(1, pass) / float64(len(ps))
	}
	ids := make([]string, 0, len(costs))
	for id := range costs {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return costs[ids[i]] > costs[ids[j]] })
	for _, id := range ids {
		b.Logf("%s %v %.1f allocs", id, costs[id], allocs[id])
	}
}
