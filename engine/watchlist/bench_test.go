package watchlist

import (
	"fmt"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/sanctions"
)

// BenchmarkScreen is what the sanctions lists add to screening one
// organisation: its name and number and four representatives searched in
// a View of 60 000 listed names (persons and organisations in equal
// measure), the candidates made facts.
func BenchmarkScreen(b *testing.B) {
	given := []string{"Ivan", "Olga", "Ahmed", "Maria", "Sergei", "Fatima", "Hans", "Elena", "Omar", "Viktor", "Anna", "Yusuf", "Dmitri", "Leila", "Pavel", "Sara", "Karim", "Irina", "Tariq", "Nadia"}
	stems := []string{"Petr", "Smirn", "Kuzn", "Volk", "Sokol", "Haddad", "Nasser", "Khal", "Morozov", "Lebed", "Bogdan", "Sabri", "Hamdan", "Orlov", "Zayts", "Farouk", "Mansour", "Belov", "Titov", "Rahim"}
	ends := []string{"ov", "ova", "enko", "in", "ski", "i", "an", "ev", "uk", "ovich", "ani", "ayev", "ich", "ko", "ar"}
	var es []sanctions.Entity
	for i := 0; len(es) < 60000; i++ {
		e := sanctions.Entity{List: sanctions.EU, ID: fmt.Sprintf("B.%d", i)}
		name := given[i%len(given)] + " " + stems[i/len(given)%len(stems)] + ends[i/(len(given)*len(stems))%len(ends)]
		if i%2 == 1 {
			e.Kind, e.Names = sanctions.Organisation, []sanctions.Name{{Full: fmt.Sprintf("%s Trading %d LLC", stems[i%len(stems)], i/2)}}
		} else {
			e.Kind, e.Names, e.BirthDates = sanctions.Person, []sanctions.Name{{Full: name}}, []string{fmt.Sprint(1940 + i%60)}
		}
		es = append(es, e)
	}
	st := openStore(b)
	at := time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC)
	if _, err := st.Put(Snapshot(record.SanctionsEU, record.ListVersion{SHA256: "b0"}, es, at)); err != nil {
		b.Fatal(err)
	}
	v, err := Load(st, at.Add(time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	p := testProfile(v.At, role("pnr-1", "Ivan Petrov", "vd", 1965), role("pnr-2", "Anna Lindqvist", "ordforande", 1971),
		role("pnr-3", "Erik Johansson", "styrelseledamot", 1980), role("pnr-4", "Fatima Haddadi", "suppleant", 1990))
	b.ResetTimer()
	for b.Loop() {
		q := *p
		if err := Screen(v, &q, func(string) ([]Judgement, error) { return nil, nil }); err != nil {
			b.Fatal(err)
		}
	}
}
