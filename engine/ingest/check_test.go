package ingest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
)

// CheckFile reads a file as File would and stores nothing; a file the
// parser refuses is an error naming it.
func TestCheckFileStoresNothing(t *testing.T) {
	in, st, persons := testIngester(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "beslut.jsonl")
	bad := filepath.Join(dir, "avtal.csv")
	if err := os.WriteFile(good, []byte(goodAndBad), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("<html><body>Access denied</body></html>\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	obs := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	c, err := in.CheckFile(context.Background(), good, Job{Source: record.IVOBeslut, Persons: persons})
	if err != nil || c.New != 2 || c.Quarantined != 2 {
		t.Fatalf("good file: %+v, %v; want 2 records and 2 quarantined", c, err)
	}
	_, err = in.CheckFile(context.Background(), bad, Job{Source: record.Contracts, Persons: persons})
	if err == nil || !strings.Contains(err.Error(), "avtal.csv") || !strings.Contains(err.Error(), "header") {
		t.Fatalf("err %v, want the missing header of avtal.csv", err)
	}
	for _, subj := range []string{"5591234561", "5560021361"} {
		if recs, err := st.Subject(subj, store.ScanOptions{At: obs}); err != nil || len(recs) != 0 {
			t.Errorf("%s: %d records stored by a check (%v)", subj, len(recs), err)
		}
	}
	if q, err := st.Quarantined(record.IVOBeslut); err != nil || len(q) != 0 {
		t.Errorf("quarantine: %d stored by a check (%v)", len(q), err)
	}
}

// testIngester is an Ingester over a new store in a temporary directory,
// and a pseudonymizer.
func testIngester(t *testing.T) (*Ingester, *store.Store, record.Pseudonymizer) {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	persons, err := record.NewHMACPseudonymizer([]byte("ingest tests: not a secret"))
	if err != nil {
		t.Fatal(err)
	}
	return &Ingester{Store: st}, st, persons
}
