package service_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/screening"
)

// What changes for a watched organisation re-screens it: a board member
// taking a seat on another company's board, a new company at its postal
// address.
func TestRescreenWhatChangedForTheWatched(t *testing.T) {
	scr, _, st, _ := setup(t)
	const watched, other = "5591234561", "5560160680"
	persons, _ := record.NewHMACPseudonymizer([]byte("service tests: not a deployment secret"))
	header, err := os.ReadFile(filepath.Join(samples, "bolagsverket-bulkfil.txt"))
	if err != nil {
		t.Fatal(err)
	}
	bulkHeader, _, _ := strings.Cut(string(header), "\n")
	at := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ name, source, data string }{
		{"a board member's other company", "roles",
			`{"orgnr":"` + other + `","person_id":"197505121231","namn":"Erik Lind","roll":"suppleant","fran":"2024-01-02","till":null}` + "\n"},
		{"a new company at its address", "bolagsverket-bulk", bulkHeader + "\n" +
			`"5566778899$ORGNR-IDORG";"1";"SE-LAND";"Granne AB$FORETAGSNAMN-ORGNAM$2026-10-02";"AB-ORGFO";"";"";"";"2026-10-02";"Konsultverksamhet";"Storgatan 12$$UMEÅ$90326$SE-LAND"` + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var changed []record.Item
			in := &ingest.Ingester{Store: st, OnVersion: func(it record.Item) { changed = append(changed, it) }}
			c, err := in.Reader(context.Background(), strings.NewReader(tc.data),
				ingest.Job{Source: tc.source, Name: tc.name, Observed: at.Add(-time.Hour), Persons: persons})
			if err != nil || c.Quarantined > 0 || len(changed) == 0 {
				t.Fatalf("ingest: %v, %+v, %d new versions", err, c, len(changed))
			}
			at = at.Add(time.Minute)
			as, err := scr.Rescreen(context.Background(), changed, at)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(as, func(a *screening.Assessment) bool { return a.Orgnr == watched }) {
				var got []string
				for _, a := range as {
					got = append(got, a.Orgnr)
				}
				t.Errorf("re-screened %v, not the watched %s", got, watched)
			}
		})
	}
}
