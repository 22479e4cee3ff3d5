package watchlist_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/watchlist"
)

// BenchmarkAffected measures what a list import costs the continuous
// screening: one scan of a store of 20 000 organisations with three
// current representatives each (Population) and their 80 000 names run
// against an update of 200 changed entities at RescreenFloor. It reports
// the time per re-screening decision (s/op), per organisation (ns/org)
// and the organisations found.
//
//	go test -run '^$' -bench Affected -benchtime 3x ./engine/watchlist/
func BenchmarkAffected(b *testing.B) {
	const orgs, changed = 20_000, 200
	st, err := store.Open(b.TempDir(), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	first := []string{"Anna", "Eva", "Maria", "Karin", "Lena", "Sara", "Emma", "Erik", "Lars", "Karl", "Anders", "Johan", "Per", "Nils", "Mikael", "Olga", "Ivan", "Ahmed"}
	last := []string{"Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson", "Lindberg", "Berg", "Petrov", "Hassan", "Novak"}
	// The listed: foreign names, a few of which the population shares.
	listedFirst := []string{"Dmitri", "Sergei", "Oleg", "Yusuf", "Tariq", "Hamid", "Viktor", "Ivan", "Ahmed", "Olga"}
	listedLast := []string{"Kuznetsov", "Volkov", "Sokolov", "Al-Rashid", "Haddad", "Mansour", "Petrenko", "Petrov", "Hassan", "Novak"}
	r := rand.New(rand.NewPCG(3, 5))
	at := time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC)
	var obs []store.Observation
	for i := range orgs {
		orgnr := fmt.Sprintf("559%07d", i)
		obs = append(obs, store.Observation{Observed: at, Item: record.Item{Source: record.Bolagsverket, Subject: orgnr,
			Parsed: record.Company{Orgnr: orgnr, Name: fmt.Sprintf("%s %s AB", last[r.IntN(len(last))], []string{"Omsorg", "Bygg", "Vård", "Städ"}[i%4])}}})
		for j, role := range []string{"vd", "ordforande", "styrelseledamot"} {
			id := fmt.Sprintf("p%d-%d", i, j)
			obs = append(obs, store.Observation{Observed: at, Item: record.Item{Source: record.Roles, Subject: orgnr, Key: id + "/" + role,
				Parsed: record.Role{Orgnr: orgnr, Role: role, From: at.AddDate(-3, 0, 0),
					Person: record.PersonRef{ID: id, Name: first[r.IntN(len(first))] + " " + last[r.IntN(len(last))], BirthYear: 1940 + r.IntN(66)}}}})
		}
		if len(obs) >= 4096 {
			if _, err := st.Put(obs); err != nil {
				b.Fatal(err)
			}
			obs = obs[:0]
		}
	}
	if _, err := st.Put(obs); err != nil {
		b.Fatal(err)
	}
	change := watchlist.Change{Source: record.SanctionsFtM}
	for i := range changed {
		change.Added = append(change.Added, person(fmt.Sprintf("NK-%d", i),
			listedFirst[r.IntN(len(listedFirst))]+" "+listedLast[r.IntN(len(listedLast))], 1940+r.IntN(66)))
	}
	var found int
	b.ResetTimer()
	for range b.N {
		out, err := watchlist.Affected(context.Background(), st, []watchlist.Change{change}, at.Add(time.Hour), watchlist.RescreenFloor)
		if err != nil {
			b.Fatal(err)
		}
		found = len(out)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/orgs, "ns/org")
	b.ReportMetric(float64(found), "orgs-found")
}
