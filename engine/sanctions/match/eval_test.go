package match

import (
	"bufio"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/sanctions"
)

// evalQuery is one labelled query of testdata/eval.jsonl.
type evalQuery struct {
	Query     string         `json:"query"`
	Kind      sanctions.Kind `json:"kind"`
	BirthYear int            `json:"birth_year"`
	Expect    string         `json:"expect"`  // "list:id" of the entity it is; "" when it is none
	Variant   string         `json:"variant"` // how the query differs from the listed name
}

// readJSONL decodes every line of a testdata file into a T.
func readJSONL[T any](t *testing.T, path string) []T {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []T
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("%s:%d: %v", path, n, err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// evalFloors are what the matcher reaches on testdata/eval.jsonl at the
// documented threshold (doc.go); a change that lowers either fails.
const evalThreshold = 0.85

// TestEvaluation measures precision and recall of the matcher on the
// labelled queries of testdata/eval.jsonl (see testdata/README.md) against
// the real list samples and the public entities, alone and with 20 000
// synthetic decoy names (syntheticList, the benchmark's list). A hit is a (query, entity) pair reaching the threshold;
// it is true when the entity is the query's label. Recall is the share of
// labelled queries whose entity is hit, precision the share of hits that
// are true.
func TestEvaluation(t *testing.T) {
	listed := readJSONL[sanctions.Entity](t, "testdata/samples.jsonl")
	listed = append(listed, readJSONL[sanctions.Entity](t, "testdata/public.jsonl")...)
	qs := readJSONL[evalQuery](t, "testdata/eval.jsonl")
	// the floors are what the matcher reaches (rounded down): a change
	// that lowers either fails
	for _, tc := range []struct {
		decoys                  int
		recallMin, precisionMin float64
	}{
		{0, 0.98, 1},
		{20000, 0.98, 0.87},
	} {
		t.Run(fmt.Sprintf("decoys=%d", tc.decoys), func(t *testing.T) {
			list := slices.Clone(listed)
			if tc.decoys > 0 {
				list = append(list, syntheticList(tc.decoys)...)
			}
			recall, precision := evaluate(t, New(list), listed, qs)
			if recall < tc.recallMin {
				t.Errorf("recall %.3f, below the floor %.2f", recall, tc.recallMin)
			}
			if precision < tc.precisionMin {
				t.Errorf("precision %.3f, below the floor %.2f", precision, tc.precisionMin)
			}
		})
	}
}

// evaluate runs the queries against ix, logs every miss and false
// positive, and returns recall and precision.
func evaluate(t *testing.T, ix *Index, listed []sanctions.Entity, qs []evalQuery) (recall, precision float64) {
	t.Helper()
	known := map[string]bool{}
	for _, e := range listed {
		known[string(e.List)+":"+e.ID] = true
	}
	if len(qs) < 150 {
		t.Fatalf("%d labelled queries, want at least 150", len(qs))
	}
	var pos, found, hits, trueHits int
	byVariant := map[string]*[2]int{} // variant → labelled queries found, labelled queries
	for _, q := range qs {
		if q.Expect != "" && !known[q.Expect] {
			t.Fatalf("query %q expects %s, which is in no list of testdata", q.Query, q.Expect)
		}
		if q.Expect != "" {
			pos++
			if byVariant[q.Variant] == nil {
				byVariant[q.Variant] = &[2]int{}
			}
			byVariant[q.Variant][1]++
		}
		ok := false
		for _, c := range ix.Search(Query{Name: q.Query, Kind: q.Kind, BirthYear: q.BirthYear}, evalThreshold, 10) {
			hits++
			if string(c.List)+":"+c.EntityID == q.Expect {
				trueHits++
				ok = true
				continue
			}
			t.Logf("false positive (%s): %q born %d hit %s:%s %.3f: %s", q.Variant, q.Query, q.BirthYear, c.List, c.EntityID, c.Score, c.Explanation)
		}
		if q.Expect != "" && !ok {
			best := ix.Search(Query{Name: q.Query, Kind: q.Kind, BirthYear: q.BirthYear}, 0, 50)
			score := 0.0
			for _, c := range best {
				if string(c.List)+":"+c.EntityID == q.Expect {
					score = c.Score
					break
				}
			}
			t.Logf("miss (%s): %q born %d, want %s (its score %.3f)", q.Variant, q.Query, q.BirthYear, q.Expect, score)
		} else if ok {
			found++
			byVariant[q.Variant][0]++
		}
	}
	recall = float64(found) / float64(pos)
	precision = 1.0
	if hits > 0 {
		precision = float64(trueHits) / float64(hits)
	}
	for _, v := range slices.Sorted(maps.Keys(byVariant)) {
		t.Logf("recall of %s: %d/%d", v, byVariant[v][0], byVariant[v][1])
	}
	t.Logf("%d queries (%d labelled with an entity), %d names indexed, threshold %.2f: recall %.3f (%d/%d), precision %.3f (%d/%d)",
		len(qs), pos, ix.Len(), evalThreshold, recall, found, pos, precision, trueHits, hits)
	return recall, precision
}
