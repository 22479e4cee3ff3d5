package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/connectors/listfetch"
	"github.com/vaksam/vaksam/engine/ingest"
)

// listsEvery is how often Run looks whether a list is due; each list's
// own interval (sources.sanctions.*.every) says when it is.
const listsEvery = 5 * time.Minute

// setupLists makes a Downloader of every enabled sanctions list, each
// with its own directory under the data directory (<data>/lists/<source>:
// its state and the last file), importing through the ingest path of
// `vaksam ingest --source X FILE` once the file has been read whole.
func (f *Fetcher) setupLists() error {
	lists, err := f.Sources.Sanctions.Lists()
	if err != nil {
		return err
	}
	for _, l := range lists {
		f.lists = append(f.lists, &listfetch.Downloader{List: l, Dir: filepath.Join(f.Data, "lists", l.Source),
			Client: &connectors.Client{Source: l.Source, HTTP: f.httpClient(), Clock: f.Clock, Log: f.Log, Timeout: 2 * time.Minute, Observe: f.Observe},
			Import: f.importList(l.Source), Check: f.checkList(l.Source)})
	}
	return nil
}

// importList ingests a downloaded list file as the source's.
func (f *Fetcher) importList(source string) listfetch.ImportFunc {
	return func(ctx context.Context, path, name string, observed time.Time) (ingest.Counts, error) {
		return f.ingester().File(ctx, path, ingest.Job{Source: source, Name: name, Observed: observed, Persons: f.Persons})
	}
}

// checkList reads a new list file whole before its import, storing
// nothing: a file the parser refuses leaves the previous list whole.
func (f *Fetcher) checkList(source string) listfetch.CheckFunc {
	return func(ctx context.Context, path, name string) error {
		_, err := f.ingester().CheckFile(ctx, path, ingest.Job{Source: source, Name: name, Persons: f.Persons})
		return err
	}
}

// importLists checks every list that is due, and re-screens what the
// imports changed.
func (f *Fetcher) importLists(ctx context.Context) error {
	out := f.Out
	if out == nil {
		out = io.Discard
	}
	var errs []error
	for _, d := range f.lists {
		res, ran, err := d.RunIfDue(ctx, f.Clock.Now())
		if !ran {
			if err != nil {
				errs = append(errs, err)
			}
			continue
		}
		listfetch.Log(f.Log, d.List, res, err)
		switch {
		case err != nil:
			errs = append(errs, err)
		case res.NotModified:
			fmt.Fprintf(out, "%s: unchanged since the last download; %d records observed again\n", d.Source, res.Counts.Records())
		default:
			c := res.Counts
			fmt.Fprintf(out, "%s: %s: %d new, %d unchanged, %d quarantined\n", d.Source, res.File, c.New, c.Unchanged, c.Quarantined)
		}
	}
	f.flushChanges(ctx)
	return errors.Join(errs...)
}
