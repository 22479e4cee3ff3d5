package store

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"
)

// AddressesFrom reads the address index's entries under a prefix, at
// most limit of them.
func TestAddressesFrom(t *testing.T) {
	s := openTest(t)
	entries := map[string][]string{
		"STORGATAN 12|90326":  {"5591234561", "5560360793"},
		"STORGATAN 120|11122": {"5566778899"},
		"STORGATAN 2|90326":   {"5560000001"},
		"TORGET 1|90326":      {"5560000002"},
	}
	if err := s.db.Update(func(txn *badger.Txn) error {
		for addr, orgs := range entries {
			for _, o := range orgs {
				if err := txn.Set(append(indexPrefix('a', addr), o...), nil); err != nil {
					return err
				}
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		prefix string
		limit  int
		want   string
		more   bool
	}{
		{"STORGATAN 12", 0, "STORGATAN 120|11122=5566778899 STORGATAN 12|90326=5560360793,5591234561", false},
		{"STORGATAN 12|", 0, "STORGATAN 12|90326=5560360793,5591234561", false},
		{"STORGATAN 12", 2, "STORGATAN 120|11122=5566778899 STORGATAN 12|90326=5560360793", true}, // in key order
		{"TORGET", 0, "TORGET 1|90326=5560000002", false},
		{"GRÄNDEN", 0, "", false},
		{"", 0, "", false},
	} {
		got, more, err := s.AddressesFrom(tc.prefix, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		var parts []string
		for _, a := range slices.Sorted(maps.Keys(got)) {
			parts = append(parts, a+"="+strings.Join(got[a], ","))
		}
		if g := strings.Join(parts, " "); g != tc.want || more != tc.more {
			t.Errorf("%q limit %d: %q more %v, want %q more %v", tc.prefix, tc.limit, g, more, tc.want, tc.more)
		}
	}
}

// ResultsWhere decodes and passes on only what keep accepts, with the
// stored JSON to judge by.
func TestResultsWhere(t *testing.T) {
	s := openTest(t)
	if err := s.Update(func(tx *Tx) error {
		for i, name := range []string{"Alfa Omsorg AB", "Beta Vård AB", "Gamma Omsorg AB"} {
			if err := tx.SetLastResult(fmt.Sprintf("556000000%d", i), Result{At: day("2026-11-20"), Digest: "d", Name: name}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var seen, got []string
	err := s.ResultsWhere(func(subject string, stored []byte) bool {
		seen = append(seen, subject)
		return strings.Contains(string(stored), "Omsorg")
	}, func(subject string, r Result) error {
		got = append(got, r.Name)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(seen) != "[5560000000 5560000001 5560000002]" || fmt.Sprint(got) != "[Alfa Omsorg AB Gamma Omsorg AB]" {
		t.Errorf("keep saw %v, fn got %v", seen, got)
	}
}
