package ingest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
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
//
// A sanctions list's file is the whole list, a snapshot (record/lists.go):
// two of them at one observation time would be one list version blending
// both, so a list is imported one file at a time.
func (in *Ingester) Files(ctx context.Context, paths []string, job Job, each func(path string, c Counts)) (Counts, error) {
	if _, list := record.SanctionsSources[job.Source]; list && len(paths) > 1 {
		return Counts{}, fmt.Errorf("ingest %s: %d files at one observation time: a list file is the whole list, import one at a time", job.Source, len(paths))
	}
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
//
// Parsing and storing overlap: once a batch is full it is handed to a
// writer goroutine and the parser goes on filling the next one, so at most
// two batches are held whatever the input's size. Batches are stored one
// after the other, in input order, each after the previous one committed:
// a record that appears twice is compared with its first appearance, and
// OnVersion is called in input order (from the writer goroutine, never
// concurrently with itself). An input of one batch is stored without a
// goroutine.
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
	if ferr := s.finish(); err == nil {
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

// batch is what one flush stores: bad records, then records.
type batch struct {
	obs []store.Observation
	bad []record.Quarantined
}

// sink collects the parser's output in batches. The first full batch
// starts the writer goroutine (write); later ones wait for it to take the
// previous batch, and reuse the buffers it hands back (free).
type sink struct {
	in   *Ingester
	job  Job
	size int
	cur  batch
	// The writer, once started: batches to store, emptied buffers back,
	// and its end. counts and werr are the writer's until done is closed.
	write  chan batch
	free   chan batch
	done   chan struct{}
	failed atomic.Bool
	werr   error
	counts Counts
}

func (s *sink) Record(it record.Item) error {
	ob := store.Observation{Item: it, Observed: s.job.Observed}
	// Encode the parsed form here, beside the parser, rather than in the
	// writer's transaction.
	if err := ob.Prepare(); err != nil {
		return err
	}
	s.cur.obs = append(s.cur.obs, ob)
	if len(s.cur.obs) >= s.size {
		return s.flush()
	}
	return nil
}

func (s *sink) Quarantine(q record.Quarantined) error {
	if q.Source == "" {
		q.Source = s.job.Source
	}
	s.cur.bad = append(s.cur.bad, q)
	if len(s.cur.bad) >= s.size {
		return s.flush()
	}
	return nil
}

// flush hands the current batch to the writer, starting it the first
// time, and reports a failure of the writer's.
func (s *sink) flush() error {
	if s.write == nil {
		s.write, s.free, s.done = make(chan batch), make(chan batch, 1), make(chan struct{})
		s.free <- batch{}
		go s.writer()
	}
	if s.failed.Load() {
		return s.werr
	}
	s.write <- s.cur
	s.cur = <-s.free
	return nil
}

// finish stores what is left and waits for the writer.
func (s *sink) finish() error {
	if s.write == nil {
		return s.store(s.cur)
	}
	if !s.failed.Load() {
		s.write <- s.cur
	}
	close(s.write)
	<-s.done
	return s.werr
}

// writer stores batches in order until the sink closes write; after a
// failure it only hands buffers back.
func (s *sink) writer() {
	defer close(s.done)
	for b := range s.write {
		if s.werr == nil {
			if err := s.store(b); err != nil {
				s.werr = err
				s.failed.Store(true)
			}
		}
		clear(b.obs) // drop the items for the collector
		clear(b.bad)
		select {
		case s.free <- batch{obs: b.obs[:0], bad: b.bad[:0]}:
		default:
		}
	}
}

// store writes one batch and counts its outcomes.
func (s *sink) store(b batch) error {
	if len(b.bad) > 0 {
		if err := s.in.Store.Quarantine(b.bad, s.job.Observed); err != nil {
			return err
		}
		s.counts.Quarantined += len(b.bad)
	}
	if len(b.obs) == 0 {
		return nil
	}
	outs, err := s.in.Store.Put(b.obs)
	for i, o := range outs {
		switch o {
		case store.NewVersion:
			s.counts.New++
			if s.in.OnVersion != nil {
				s.in.OnVersion(b.obs[i].Item)
			}
		case store.Unchanged:
			s.counts.Unchanged++
		case store.SourceError:
			s.counts.SourceErrors++
		}
	}
	return err
}
