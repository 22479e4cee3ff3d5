package connectors

import (
	"context"
	"fmt"
	"io"

	"github.com/vaksam/vaksam/engine/ident"
)

// Fetched is one response of a source, in the source's own format, ready
// to be ingested with the parser named by Source.
type Fetched struct {
	Source string    // parser and record source, e.g. "bolagsverket"
	Name   string    // the request id: the position of the records it holds
	Orgnr  ident.Org // for formats that do not carry it (bolagsverket-dokument)
	Body   []byte
}

// Fetcher fetches one source's records about one organisation.
type Fetcher interface {
	Source() string
	Fetch(ctx context.Context, org ident.Org) (Fetched, error)
}

// BatchFetcher fetches one source's records about several organisations
// in one call (SCB's API takes up to 2 000 a call).
type BatchFetcher interface {
	Source() string
	MaxBatch() int
	FetchBatch(ctx context.Context, orgs []ident.Org) (Fetched, error)
}

// Bulk is a whole register's file, streamed.
type Bulk struct {
	Source string
	Name   string        // file name or URL, for positions
	Body   io.ReadCloser // the decompressed file
	// Version identifies the file (ETag or Last-Modified), so an unchanged
	// file is recognised and skipped.
	Version string
}

// BulkFetcher downloads a whole register. It returns ErrNotModified when
// the file has not changed since the version given.
type BulkFetcher interface {
	Source() string
	FetchBulk(ctx context.Context, since string) (*Bulk, error)
}

// ErrNotModified says a bulk file is unchanged since the version asked
// about.
var ErrNotModified = fmt.Errorf("not modified")
