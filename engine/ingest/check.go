package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vaksam/vaksam/connectors/formats"
	"github.com/vaksam/vaksam/engine/record"
)

// CheckFile parses a file as File would, storing nothing, and returns how
// many records it read, good and bad. A whole file that is refused before
// any of its records is stored: one the parser cannot read at all (not
// the format, no header, cut off mid-element) is an error here, where
// File would have stored the records before the point it failed at. The
// sanctions lists' downloads check each new file so (a list is a
// snapshot: half of one is not a list).
func (in *Ingester) CheckFile(ctx context.Context, path string, job Job) (Counts, error) {
	parse, err := formats.Lookup(job.Source)
	if err != nil {
		return Counts{}, fmt.Errorf("ingest: %w", err)
	}
	if job.Persons == nil {
		return Counts{}, fmt.Errorf("ingest %s: no pseudonymizer", job.Source)
	}
	if job.Name == "" {
		job.Name = filepath.Base(path)
	}
	f, err := os.Open(path)
	if err != nil {
		return Counts{}, fmt.Errorf("ingest %s: %w", job.Source, err)
	}
	defer f.Close()
	var c countingSink
	if err := parse(ctx, f, formats.Options{Name: job.Name, Orgnr: job.Orgnr, Persons: job.Persons, Limits: in.Limits[job.Source]}, &c); err != nil {
		return c.Counts, fmt.Errorf("ingest %s %s: %w", job.Source, job.Name, err)
	}
	return c.Counts, nil
}

// countingSink counts what a parser reads: records as New, and the
// quarantined ones.
type countingSink struct{ Counts }

func (c *countingSink) Record(record.Item) error { c.New++; return nil }

func (c *countingSink) Quarantine(record.Quarantined) error { c.Quarantined++; return nil }
