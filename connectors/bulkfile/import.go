package bulkfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/record"
)

// Options are what Import needs besides the fetcher and the store.
type Options struct {
	Persons  record.Pseudonymizer // required by ingest
	Progress *Progress            // rows imported; nil is silent
}

// Result tells what an Import did.
type Result struct {
	NotModified bool // the file was unchanged: nothing was ingested
	Version     string
	Name        string
	Observed    time.Time // the observation time the records were stored with
	Resumed     bool      // an interrupted import of the same version was redone with its time
	Rows        int64     // lines read from the file, header included
	Counts      ingest.Counts
}

// conditionalFetcher is a BulkFetcher that takes both validators.
type conditionalFetcher interface {
	FetchConditional(ctx context.Context, since Validators) (*connectors.Bulk, Validators, error)
}

// Import fetches the bulk file unless it is unchanged since the version
// in the state file, and ingests it.
//
// observedAt (the caller's clock when it decided to fetch) becomes the
// records' observation time and is written to the state file as pending
// before any record is stored. When a previous import of the same version
// did not finish (a crash, a kill), its pending observation time is used
// instead: the records already stored are then stored again identically
// and the store ends as an uninterrupted import would have left it. Only
// when the ingest has finished is the version recorded as done.
func Import(ctx context.Context, f connectors.BulkFetcher, in *ingest.Ingester, statePath string, observedAt time.Time, opt Options) (Result, error) {
	st, err := LoadState(statePath)
	if err != nil {
		return Result{}, err
	}
	var (
		b *connectors.Bulk
		v Validators
	)
	if cf, ok := f.(conditionalFetcher); ok {
		b, v, err = cf.FetchConditional(ctx, st.Validators)
	} else {
		b, err = f.FetchBulk(ctx, st.Version)
		if b != nil {
			v = validatorsOf(b.Version)
		}
	}
	if errors.Is(err, connectors.ErrNotModified) {
		if st.Pending != nil {
			// The version that was being imported is no longer served;
			// its records stay as observed, and nothing can finish it.
			st.Pending = nil
			if err := SaveState(statePath, st); err != nil {
				return Result{}, err
			}
		}
		return Result{NotModified: true, Version: st.Version, Observed: st.Observed}, nil
	}
	if err != nil {
		return Result{}, err
	}
	defer b.Body.Close()

	res := Result{Version: b.Version, Name: b.Name, Observed: observedAt}
	if p := st.Pending; p != nil && p.Version != "" && p.Version == b.Version && !p.Observed.IsZero() {
		res.Observed, res.Resumed = p.Observed, true
	}
	st.Pending = &Pending{Version: b.Version, Validators: v, Observed: res.Observed}
	if err := SaveState(statePath, st); err != nil {
		return res, err
	}
	body := &rowCounter{r: b.Body, progress: opt.Progress}
	source := b.Source
	if source == "" {
		source = f.Source()
	}
	res.Counts, err = in.Reader(ctx, body, ingest.Job{Source: source, Name: b.Name, Observed: res.Observed, Persons: opt.Persons})
	res.Rows = body.rows
	opt.Progress.rows(body.rows)
	opt.Progress.Finish()
	if err != nil {
		return res, fmt.Errorf("bulkfile: %w", err)
	}
	if err := b.Body.Close(); err != nil {
		return res, fmt.Errorf("bulkfile: %w", err)
	}
	st.Version, st.Validators, st.Observed, st.Pending = b.Version, v, res.Observed, nil
	if err := SaveState(statePath, st); err != nil {
		return res, err
	}
	return res, nil
}

// rowCounter counts the lines read through it and feeds the progress bar.
type rowCounter struct {
	r        io.Reader
	rows     int64
	shown    int64
	progress *Progress
}

func (c *rowCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.rows += int64(bytes.Count(p[:n], []byte{'\n'}))
		c.progress.add(n)
		if c.rows-c.shown >= 10000 {
			c.shown = c.rows
			c.progress.rows(c.rows)
		}
	}
	return n, err
}
