package workplace

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/vaksam/vaksam/engine/store"
)

func TestOrgDigitsAndAddressPrefix(t *testing.T) {
	for q, want := range map[string]string{"559123-4561": "5591234561", "16559123-4561": "5591234561", "5591 23": "559123",
		"Storgatan 12": "", "": ""} {
		if got := OrgDigits(q); got != want {
			t.Errorf("OrgDigits(%q) = %q, want %q", q, got, want)
		}
	}
	for q, want := range map[string]string{"Storgatan 12": "STORGATAN 12", "storgatan  12,": "STORGATAN 12",
		"Storgatan 12, 903 26 Umeå": "STORGATAN 12|90326", "Box 4, Umeå": "BOX 4", "--": ""} {
		if got := AddressPrefix(q); got != want {
			t.Errorf("AddressPrefix(%q) = %q, want %q", q, got, want)
		}
	}
}

func TestAppendLower(t *testing.T) {
	for _, in := range []string{"Omsorgshuset NORR AB", "ÅSA ÖSTBERG ÄLDREVÅRD", "\u212a and \u0130", "bad \xff byte", ""} {
		if got, want := string(appendLower([]byte("x"), []byte(in))), "x"+string(bytes.ToLower([]byte(in))); got != want {
			t.Errorf("appendLower(%q) = %q, want %q", in, got, want)
		}
	}
}

func found(r *SearchResult) []string {
	var out []string
	for _, f := range r.Found {
		out = append(out, f.Orgnr+" "+string(f.By))
	}
	return out
}

// Search by name and number over the screened organisations; a hidden
// one only by its whole number.
func TestSearch(t *testing.T) {
	w := desk(t)
	for _, c := range []struct {
		q      string
		hidden string
		want   []string
	}{
		{"", "", []string{"5560000001 ", "5560000002 ", "5560000004 ", "5560000003 "}}, // by name: Alfa, Beta, Delta, Gamma
		{"omsorg", "", []string{"5560000001 name"}},
		{"556000000", "", []string{"5560000001 number", "5560000002 number", "5560000004 number", "5560000003 number"}},
		{"556000-0002", "", []string{"5560000002 number"}},
		{"beta", "5560000002", nil},
		{"556000000", "5560000002", []string{"5560000001 number", "5560000004 number", "5560000003 number"}},
		{"5560000002", "5560000002", []string{"5560000002 number"}},
		{"ingen", "", nil},
	} {
		r, err := w.Search(SearchQuery{Text: c.q, At: day(6), Hidden: func(o string) bool { return o == c.hidden }})
		if err != nil {
			t.Fatal(err)
		}
		if got := found(r); !slices.Equal(got, c.want) {
			t.Errorf("q=%q hidden %q: %v, want %v", c.q, c.hidden, got, c.want)
		}
	}
}

// BenchmarkSearchByName is the cost of a search by name over n screened
// organisations: one pass over the result heads (store.Results).
func BenchmarkSearchByName(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			st, err := store.Open(b.TempDir(), store.Options{Small: true})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			summary := []byte(`{"step":"L1","verdict":"clear","score":10,"incomplete":false,"hits":["C02"]}`)
			for lo := 0; lo < n; lo += 1000 {
				if err := st.Update(func(tx *store.Tx) error {
					for i := lo; i < min(lo+1000, n); i++ {
						if err := tx.SetLastResult(fmt.Sprintf("55%08d", i), store.Result{At: day(1), Digest: "d", Summary: summary,
							Name: fmt.Sprintf("Leverantör %d Omsorg AB", i)}); err != nil {
							return err
						}
					}
					return nil
				}); err != nil {
					b.Fatal(err)
				}
			}
			w := &Workplace{Store: st}
			b.ResetTimer()
			for b.Loop() {
				r, err := w.Search(SearchQuery{Text: "leverantör 4711 ", At: day(2)})
				if err != nil || len(r.Found) == 0 {
					b.Fatal(err, r)
				}
			}
		})
	}
}
