package ingest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/vaksam/vaksam/connectors/formats"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
)

// Counts are the outcomes of an ingest.
type Counts struct {
	New          int `json:"new"`
	Unchanged    int `json:"unchanged"`
	SourceErrors int `json:"source_errors"`
	Quarantined  int `json:"quarantined"`
}

// Add adds other to c.
func (c *Counts) Add(o Counts) {
	c.New += o.New
	c.Unchanged += o.Unchanged
	c.SourceErrors += o.SourceErrors
	c.Quarantined += o.Quarantined
}

// String is the counts as `vaksam ingest` prints them.
func (c Counts) String() string {
	return fmt.Sprintf("%d new, %d unchanged, %d source errors, %d quarantined", c.New, c.Unchanged, c.SourceErrors, c.Quarantined)
}

// Records is the number of records read, good or bad.
func (c Counts) Records() int { return c.New + c.Unchanged + c.SourceErrors + c.Quarantined }

// Job is one input to ingest.
type Job struct {
	Source   string
	Name     string // for positions: the file name
	Observed time.Time
	Orgnr    ident.Org // for formats without an organisation number
	Persons  record.Pseudonymizer
}

// Ingester stores parsed records.
type Ingester struct {
	Store     *store.Store
	BatchSize int // records per transaction batch; default 512
	// OnVersion, if set, is called with every record that got a new
	// version (change-driven re-screening hooks in here).
	OnVersion func(record.Item)
	// Observe, if set, is told the counts of every ingest, also of one
	// that failed part way (metrics).
	Observe func(source string, c Counts)
	// Log receives what the parsers note (an unknown code, once per code
	// and import); nil discards.
	Log *slog.Logger
	// Limits bound the records and fields of a source's input (see
	// formats.Limits); a source not in the map, or a zero bound, has the
	// source's default (formats.DefaultLimits).
	Limits map[string]formats.Limits
}

// Files ingests the files in order, each as job says, handing each file's
// counts to each; it returns the total and stops at the first error.
func (in *Ingester) Files(ctx context.Context, paths []string, job Job, each func(path string, c Counts)) (Counts, error) {
	var total Counts
	for _, path := range paths {
		c, err := in.File(ctx, path, job)
		total.Add(c)
		each(path, c)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// File ingests a file.
func (in *Ingester) File(ctx context.Context, path string, job Job) (Counts, error) {
	f, err := os.Open(path)
	if err != nil {
		return Counts{}, fmt.Errorf("ingest %s: %w", job.Source, err)
	}
	defer f.Close()
	if job.Name == "" {
		job.Name = filepath.Base(path)
	}
	return in.Reader(ctx, f, job)
}

// Reader ingests everything a reader yields.
func (in *Ingester) Reader(ctx context.Context, r io.Reader, job Job) (Counts, error) {
	parse, err := formats.Lookup(job.Source)
	if err != nil {
		return Counts{}, fmt.Errorf("ingest: %w", err)
	}
	if job.Observed.IsZero() {
		return Counts{}, fmt.Errorf("ingest %s: no observation time", job.Source)
	}
	if job.Persons == nil {
		return Counts{}, fmt.Errorf("ingest %s: no pseudonymizer", job.Source)
	}
	size := in.BatchSize
	if size <= 0 {
		size = 512
	}
	s := &sink{in: in, job: job, size: size}
	err = parse(ctx, r, formats.Options{Name: job.Name, Orgnr: job.Orgnr, Persons: job.Persons, Log: in.Log, Limits: in.Limits[job.Source]}, s)
	if ferr := s.flush(); err == nil {
		err = ferr
	}
	if in.Observe != nil {
		in.Observe(job.Source, s.counts)
	}
	if err != nil {
		return s.counts, fmt.Errorf("ingest %s %s: %w", job.Source, job.Name, err)
	}
	return s.counts, nil
}

type sink struct {
	in     *Ingester
	job    Job
	size   int
	batch  []store.Observation
	bad    []record.Quarantined
	counts Counts
}

func (s *sink) Record(it record.Item) error {
	s.batch = append(s.batch, store.Observation{Item: it, Observed: s.job.Observed})
	if len(s.batch) >= s.size {
		return s.flush()
	}
	return nil
}

func (s *sink) Quarantine(q record.Quarantined) error {
	if q.Source == "" {
		q.Source = s.job.Source
	}
	s.bad = append(s.bad, q)
	if len(s.bad) >= s.size {
		return s.flush()
	}
	return nil
}

func (s *sink) flush() error {
	if len(s.bad) > 0 {
		if err := s.in.Store.Quarantine(s.bad, s.job.Observed); err != nil {
			return err
		}
		s.counts.Quarantined += len(s.bad)
		s.bad = s.bad[:0]
	}
	if len(s.batch) == 0 {
		return nil
	}
	outs, err := s.in.Store.Put(s.batch)
	for i, o := range outs {
		switch o {
		case store.NewVersion:
			s.counts.New++
			if s.in.OnVersion != nil {
				s.in.OnVersion(s.batch[i].Item)
			}
		case store.Unchanged:
			s.counts.Unchanged++
		case store.SourceError:
			s.counts.SourceErrors++
		}
	}
	s.batch = s.batch[:0]
	return err
}
