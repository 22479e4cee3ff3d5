package perf

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/connectors/bulkfile"
	"github.com/vaksam/vaksam/connectors/formats"
	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
)

// countSink counts what a parse yields and keeps nothing.
type countSink struct{ records, bad int }

func (s *countSink) Record(record.Item) error            { s.records++; return nil }
func (s *countSink) Quarantine(record.Quarantined) error { s.bad++; return nil }

// measureImport imports a Bolagsverket bulk file of Orgs rows in the real
// format (bulkfile.WriteSampleZip) over HTTP into an empty store, against
// its floor: the same fetch, unzip and parse with the records dropped.
func measureImport(ctx context.Context, dir string, pop *population, o Options) ([]Measure, error) {
	work, err := os.MkdirTemp(dir, "bulk-")
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(work)
	zipPath := filepath.Join(work, "bolagsverket_bulkfil.zip")
	if err := bulkfile.WriteSampleZip(zipPath, pop.Orgs); err != nil {
		return nil, err
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"bench"`)
		http.ServeFile(w, r, zipPath)
	}))
	defer srv.Close()
	// The fetch waits on a clock of its own (a retry's backoff passes at
	// once): the bench measures durations, it keeps no time.
	clock := connectors.NewManualClock(pop.At)
	defer clock.AutoAdvance()()
	fetcher := func() *bulkfile.Fetcher {
		return &bulkfile.Fetcher{Client: &connectors.Client{Source: record.BolagsverketBulk, HTTP: srv.Client(), Clock: clock}, URL: srv.URL, Dir: work}
	}
	persons, err := benchPersons()
	if err != nil {
		return nil, err
	}
	parse, err := formats.Lookup(record.BolagsverketBulk)
	if err != nil {
		return nil, err
	}
	want := bulkfile.SampleRecords(pop.Orgs)
	floor, floorRSS, err := timed(func() error {
		bl, err := fetcher().FetchBulk(ctx, "")
		if err != nil {
			return err
		}
		defer bl.Body.Close()
		var sink countSink
		if err := parse(ctx, bl.Body, formats.Options{Name: bl.Name, Persons: persons}, &sink); err != nil {
			return err
		}
		if sink.records != want {
			return fmt.Errorf("parsed %d records, want %d", sink.records, want)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bench: bulk parse floor: %w", err)
	}
	var imp time.Duration
	var impRSS peakRSS
	err = withStore(filepath.Join(work, "store"), func(st *store.Store) error {
		var err error
		imp, impRSS, err = timed(func() error {
			res, err := bulkfile.Import(ctx, fetcher(), &ingest.Ingester{Store: st}, filepath.Join(work, "state.json"), pop.At, bulkfile.Options{Persons: persons})
			if err == nil && res.Counts.New != want {
				err = fmt.Errorf("imported %d new records, want %d", res.Counts.New, want)
			}
			return err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("bench: bulk import: %w", err)
	}
	return []Measure{
		measure("bulk_import", "s", imp.Seconds(), floor.Seconds(), goalImportRatio, OnRatio,
			fmt.Sprintf("Bolagsverket bulk import of %d rows into an empty store ÷ fetch+unzip+parse", pop.Orgs)),
		measure("bulk_import_rss", "MiB", mib(impRSS.Anon), mib(floorRSS.Anon), goalImportMiB, OnValue,
			"peak anonymous resident set (heap, stacks; not mapped files) while importing ÷ the parse floor's"),
		measure("bulk_import_rss_with_files", "MiB", mib(impRSS.All), mib(floorRSS.All), goalImportMiB, OnValue,
			"peak resident set with the pages of Badger's mapped files while importing ÷ the parse floor's"),
	}, nil
}
