package watchlist_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/sanctions"
	"github.com/vaksam/vaksam/engine/sanctions/match"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/watchlist"
)

const unSample = "../../connectors/sanctions/testdata/un_consolidated.xml"

// importList ingests a list file through the generic ingest path, as
// vaksam ingest does.
func importList(t *testing.T, in *ingest.Ingester, source, name, data string, at time.Time) ingest.Counts {
	t.Helper()
	persons, err := record.NewHMACPseudonymizer([]byte("watchlist tests: not a deployment secret"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := in.Reader(context.Background(), strings.NewReader(data), ingest.Job{Source: source, Name: name, Observed: at, Persons: persons})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A second import of a changed list writes new versions only for the
// entities that changed (and the list's version); an entity the second
// file no longer carries has left the list as of the second import, and
// is still listed as of the first.
func TestListImportsAreSnapshots(t *testing.T) {
	st, err := store.Open(t.TempDir(), store.Options{Small: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	in := &ingest.Ingester{Store: st}
	b, err := os.ReadFile(filepath.Clean(unSample))
	if err != nil {
		t.Fatal(err)
	}
	first := string(b)
	// The second file: entity 6907994's remarks changed, entity 113457
	// (the only ENTITY) delisted, a new generation date.
	i, j := strings.Index(first, "<ENTITY>"), strings.Index(first, "</ENTITY>")
	if i < 0 || j < i {
		t.Fatal("the UN sample has no ENTITY")
	}
	second := first[:i] + first[j+len("</ENTITY>"):]
	second = strings.Replace(second, "Left the CNDP in January 2008.", "Left the CNDP in January 2008 (amended).", 1)
	second = strings.Replace(second, `dateGenerated="2026-02-27T00:00:09.554Z"`, `dateGenerated="2026-03-02T00:00:00Z"`, 1)
	if second == first {
		t.Fatal("the second file is the first")
	}

	t1 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	t2 := t1.AddDate(0, 0, 1)
	if c := importList(t, in, record.SanctionsUN, "un-1.xml", first, t1); c != (ingest.Counts{New: 5}) {
		t.Errorf("first import: %+v, want 4 entities and the version new", c)
	}
	if c := importList(t, in, record.SanctionsUN, "un-2.xml", second, t2); c != (ingest.Counts{New: 2, Unchanged: 2}) {
		t.Errorf("second import: %+v, want the changed entity and the version new, 2 entities unchanged", c)
	}

	before, err := watchlist.Load(st, t1)
	if err != nil {
		t.Fatal(err)
	}
	after, err := watchlist.Load(st, t2)
	if err != nil {
		t.Fatal(err)
	}
	lb, la := before.List(record.SanctionsUN), after.List(record.SanctionsUN)
	if lb == nil || la == nil {
		t.Fatalf("the UN list as of the imports: %v, %v", lb, la)
	}
	if lb.Entities != 4 || la.Entities != 3 {
		t.Errorf("entities %d then %d, want 4 then 3", lb.Entities, la.Entities)
	}
	if lb.Version.File != "un-1.xml" || la.Version.File != "un-2.xml" || lb.Version.SHA256 == la.Version.SHA256 ||
		!la.Version.Published.Equal(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)) || la.Version.Entities != 3 {
		t.Errorf("versions %+v then %+v", lb.Version, la.Version)
	}
	if before.Entry(sanctions.UN, "113457") == nil {
		t.Error("113457 not listed as of the first import")
	}
	if e := after.Entry(sanctions.UN, "113457"); e != nil {
		t.Errorf("113457 still listed as of the second import, which does not carry it: %+v", e.Ref)
	}
	changed0, changed1 := before.Entry(sanctions.UN, "6907994"), after.Entry(sanctions.UN, "6907994")
	if changed0 == nil || changed1 == nil || changed0.Ref.Version != 1 || changed1.Ref.Version != 2 || changed0.Hash == changed1.Hash ||
		!strings.Contains(changed1.Entity.Remarks, "(amended)") {
		t.Errorf("the changed entity: %+v then %+v", changed0, changed1)
	}
	if same := after.Entry(sanctions.UN, "6908704"); same == nil || same.Ref.Version != 1 {
		t.Errorf("an unchanged entity: %+v, want still version 1", same)
	}
	// The delisted entity is found by name only as of the first import.
	q := func(v *watchlist.View) int {
		n := 0
		for _, c := range v.Search(match.Query{Name: "AL-ITIHAAD AL-ISLAMIYA", Kind: sanctions.Organisation}, 0.85, 10) {
			if c.EntityID == "113457" {
				n++
			}
		}
		return n
	}
	if q(before) != 1 || q(after) != 0 {
		t.Errorf("search for the delisted entity: %d then %d candidates, want 1 then 0", q(before), q(after))
	}
}
