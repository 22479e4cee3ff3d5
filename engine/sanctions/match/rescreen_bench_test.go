package match

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/sanctions"
)

// Common Swedish first names and surnames (SCB's name statistics) the
// re-screened population is made of.
var (
	sweFirst = []string{"Anna", "Eva", "Maria", "Karin", "Kristina", "Lena", "Sara", "Emma", "Kerstin", "Ingrid", "Marie", "Malin", "Jenny", "Hanna", "Linnea", "Elin", "Ida", "Johanna", "Sofia", "Birgitta",
		"Erik", "Lars", "Karl", "Anders", "Johan", "Per", "Nils", "Carl", "Mikael", "Jan", "Hans", "Peter", "Olof", "Lennart", "Gunnar", "Sven", "Fredrik", "Bengt", "Daniel", "Alexander"}
	sweLast = []string{"Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson", "Jönsson", "Lindberg", "Jakobsson", "Magnusson", "Olofsson",
		"Lindström", "Lindqvist", "Lindgren", "Berg", "Axelsson", "Bergström", "Lundberg", "Lind", "Lundgren", "Lundqvist", "Mattsson", "Berglund", "Fredriksson", "Sandberg", "Henriksson", "Forsberg", "Sjöberg", "Wallin", "Engström", "Danielsson"}
)

// representatives makes n representatives deterministically: Swedish
// names (a first name, sometimes a second, a surname, sometimes a double
// surname) born 1940–2005, and foreign ones, one in 2 500 (Latin,
// Cyrillic and Arabic-origin names as the synthetic list has them).
func representatives(n int) []Query {
	r := rand.New(rand.NewPCG(1, 1000000))
	out := make([]Query, n)
	for i := range out {
		q := Query{Kind: sanctions.Person, BirthYear: 1940 + r.IntN(66)}
		switch {
		case i%2500 == 0:
			switch r.IntN(3) {
			case 0:
				q.Name = pick(r, latinGiven) + " " + pick(r, latinStems) + pick(r, latinParts)
			case 1:
				q.Name = latin(pick(r, cyrGiven) + " " + pick(r, cyrStems) + pick(r, cyrEnds))
			default:
				q.Name = pick(r, arabLatinG) + " " + latin(pick(r, arabFamily))
			}
		default:
			q.Name = pick(r, sweFirst)
			if r.IntN(3) == 0 {
				q.Name += " " + pick(r, sweFirst)
			}
			q.Name += " " + pick(r, sweLast)
			if r.IntN(10) == 0 {
				q.Name += " " + pick(r, sweLast)
			}
		}
		out[i] = q
	}
	return out
}

// BenchmarkRescreen re-screens 1 000 000 representatives against a list
// update of 200 changed entities: the index holds the update only, and
// every representative is searched at the threshold, on GOMAXPROCS
// workers. It reports the whole re-screening's time (s/rescreen), the
// cost per name (ns/name) and the representatives reaching the threshold
// (hits).
//
//	go test -run '^$' -bench Rescreen -benchtime 1x ./engine/sanctions/match/
func BenchmarkRescreen(b *testing.B) {
	const people, changed = 1_000_000, 200
	update := syntheticList(400)[:changed]
	reps := representatives(people)
	ix := New(update)
	workers := runtime.GOMAXPROCS(0)
	var hits atomic.Int64
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		hits.Store(0)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < len(reps); i += workers {
					if len(ix.Search(reps[i], evalThreshold, 10)) > 0 {
						hits.Add(1)
					}
				}
			}()
		}
		wg.Wait()
	}
	per := time.Since(start) / time.Duration(b.N)
	b.StopTimer()
	b.ReportMetric(per.Seconds(), "s/rescreen")
	b.ReportMetric(float64(per.Nanoseconds())/people, "ns/name")
	b.ReportMetric(float64(hits.Load()), "hits")
	b.ReportMetric(float64(ix.Len()), "names")
	b.ReportMetric(float64(workers), "workers")
}
