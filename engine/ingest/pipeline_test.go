package ingest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
)

// decisions makes n decision lines for distinct organisations, then the
// first again: a record seen twice in one input, batches apart.
func decisions(n int) string {
	var b strings.Builder
	line := func(i int) {
		d9 := fmt.Sprintf("55%07d", 2_000_000+i)
		fmt.Fprintf(&b, `{"orgnr":"%s","datum":"2026-02-14","typ":"forelaggande","diarienummer":"3.5.1-%05d/2026","text":"t"}`+"\n", d9+string(ident.LuhnDigit(d9)), i)
	}
	for i := 0; i < n; i++ {
		line(i)
	}
	line(0)
	return b.String()
}

// An input of many batches is stored in order: the repeated record is
// compared with its first appearance, stored by an earlier batch, and
// OnVersion sees the records in input order.
func TestBatchesStoredInOrder(t *testing.T) {
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	persons, _ := record.NewHMACPseudonymizer([]byte("ingest tests: not a secret"))
	var seen []string
	in := &Ingester{Store: st, BatchSize: 7, OnVersion: func(it record.Item) { seen = append(seen, it.Pos) }}
	const n = 100
	obs := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	c, err := in.Reader(context.Background(), strings.NewReader(decisions(n)), Job{Source: record.IVOBeslut, Name: "b.jsonl", Observed: obs, Persons: persons})
	if err != nil {
		t.Fatal(err)
	}
	if c.New != n || c.Unchanged != 1 || c.Quarantined != 0 {
		t.Fatalf("counts %+v, want %d new, 1 unchanged", c, n)
	}
	for i, pos := range seen {
		if want := fmt.Sprintf("b.jsonl:%d", i+1); pos != want {
			t.Fatalf("OnVersion %d: %s, want %s", i, pos, want)
		}
	}
}

// A batch the store refuses (a key part with a NUL byte) stops the
// ingest with the store's error, whichever batch it is, and the ingest
// returns with what was stored before it.
func TestStoreFailureStopsTheIngest(t *testing.T) {
	persons, _ := record.NewHMACPseudonymizer([]byte("ingest tests: not a secret"))
	lines := strings.SplitAfter(decisions(50), "\n")
	lines[20] = strings.Replace(lines[20], "/2026", `\u0000`, 1)
	input := strings.Join(lines, "")
	for _, size := range []int{1, 7, 1000} {
		st, err := store.Open(t.TempDir(), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		in := &Ingester{Store: st, BatchSize: size}
		c, err := in.Reader(context.Background(), strings.NewReader(input), Job{Source: record.IVOBeslut, Name: "b.jsonl", Observed: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC), Persons: persons})
		if err == nil || !strings.Contains(err.Error(), "NUL byte") || c.New > 20 {
			t.Errorf("batch size %d: %+v, %v; want the store's error and at most the 20 records before it", size, c, err)
		}
		st.Close()
	}
}
