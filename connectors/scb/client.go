package scb

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/time/rate"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
)

// MaxBatch is the most organisations (rows) SCB answers in one call.
const MaxBatch = 2000

// DefaultBatchSize is how many organisations one call asks for unless
// configured otherwise: one. Whether a call with several OrgNr conditions
// means "any of these" (a batch) is not confirmed against SCB's service
// (every client in the wild sends one organisation per call), so more is
// an opt-in (Options.BatchSize, sources.scb.batch_size) until it is.
const DefaultBatchSize = 1

// NewLimiter returns SCB's rate limit: one call a second without bursts,
// so that no 10-second window, however SCB counts it, holds more than 10.
func NewLimiter() *rate.Limiter { return rate.NewLimiter(rate.Every(time.Second), 1) }

// Transport carries one look-up to SCB's company register and back. The
// connector (Client) decides which organisations a look-up asks for (no
// duplicates, at most its batch size) and owns the HTTP terms: every
// request a transport makes goes through send, which waits for SCB's rate
// limit before each attempt and retries. A transport decides what the
// requests are: endpoint, authentication, query and, for an API that
// pages, how many requests one look-up takes.
//
// HamtaForetag is the transport of SCB's current API (POST Je/HamtaForetag
// with a client certificate). The successor SCB announced for September
// 2026 (API key, pagination) is to be one more type implementing Transport,
// given to NewClient with the http.Client it needs.
type Transport interface {
	// Lookup asks SCB for the rows of orgs and returns its answer. The
	// rows must be in the format connectors/formats reads as "scb": JSON
	// arrays of row objects (several arrays, one per page, are fine).
	Lookup(ctx context.Context, send Sender, orgs []ident.Org) (Answer, error)
}

// Sender sends one HTTP request to SCB on the connector's terms (rate
// limit, retries with backoff, Retry-After on 429, timeouts, request id).
type Sender func(ctx context.Context, r connectors.Request) (*connectors.Response, error)

// Answer is what a Transport got for one look-up.
type Answer struct {
	RequestID string // names the records' position
	Body      []byte // the rows, as SCB sent them
}

// Options configure a Client, whatever its transport.
type Options struct {
	HTTP  *http.Client     // how requests reach SCB (TLS, proxies); required
	Clock connectors.Clock // required
	Log   *slog.Logger     // default discarded

	// BatchSize is how many organisations one call asks for, 1 to
	// MaxBatch; 0 means DefaultBatchSize.
	BatchSize int
	// Limit overrides SCB's rate limit (default NewLimiter()).
	Limit *rate.Limiter
	// Timeout and Retries are passed to connectors.Client (defaults 30 s, 4).
	Timeout time.Duration
	Retries int
}

// Client is the SCB connector: it splits organisations into calls of its
// batch size, keeps SCB's rate limit and hands each answer over in the
// "scb" format, through a Transport. It is a connectors.BatchFetcher whose
// MaxBatch is the batch size.
type Client struct {
	transport Transport
	http      *connectors.Client
	batch     int
	log       *slog.Logger
}

var _ connectors.BatchFetcher = (*Client)(nil)

// NewClient returns a connector that looks organisations up through t.
func NewClient(t Transport, opt Options) (*Client, error) {
	if t == nil {
		return nil, errors.New("scb: no transport")
	}
	if opt.Clock == nil {
		return nil, errors.New("scb: no clock (cmd/ passes the wall clock)")
	}
	if opt.HTTP == nil {
		return nil, errors.New("scb: no HTTP client")
	}
	batch, err := batchSize(opt.BatchSize)
	if err != nil {
		return nil, err
	}
	limit := opt.Limit
	if limit == nil {
		limit = NewLimiter()
	}
	log := opt.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Client{
		transport: t,
		http: &connectors.Client{
			Source:  record.SCB,
			HTTP:    opt.HTTP,
			Clock:   opt.Clock,
			Limit:   limit,
			Timeout: opt.Timeout,
			Retries: opt.Retries,
			Log:     log,
		},
		batch: batch,
		log:   log,
	}, nil
}

// batchSize checks a configured batch size; 0 is the default.
func batchSize(n int) (int, error) {
	switch {
	case n == 0:
		return DefaultBatchSize, nil
	case n < 0 || n > MaxBatch:
		return 0, fmt.Errorf("scb: batch size %d: want 1 to %d organisations a call (0: the default, %d)", n, MaxBatch, DefaultBatchSize)
	}
	return n, nil
}

// Close releases the transport's idle connections, if it holds any.
func (c *Client) Close() {
	if cl, ok := c.transport.(interface{ Close() }); ok {
		cl.Close()
	}
}

// Source is the record source and parser name, "scb".
func (c *Client) Source() string { return record.SCB }

// MaxBatch is the batch size: the most organisations one call asks for.
func (c *Client) MaxBatch() int { return c.batch }

// HTTP returns the shared plumbing, to set Observe (metrics) or tune
// retries.
func (c *Client) HTTP() *connectors.Client { return c.http }

// Certificate returns the client certificate in use (for its expiry), or
// nil when the transport uses none.
func (c *Client) Certificate() *x509.Certificate {
	if h, ok := c.transport.(*HamtaForetag); ok {
		return h.leaf
	}
	return nil
}

// FetchBatch looks up at most MaxBatch() organisations in one call.
// Organisations SCB does not know are simply absent from the rows. The
// body is passed on as SCB sent it, even when it is not valid JSON:
// ingesting it quarantines what cannot be read, with the request id as
// position.
func (c *Client) FetchBatch(ctx context.Context, orgs []ident.Org) (connectors.Fetched, error) {
	orgs = dedupe(orgs)
	if len(orgs) == 0 {
		return connectors.Fetched{}, errors.New("scb: no organisations to fetch")
	}
	if len(orgs) > c.batch {
		return connectors.Fetched{}, fmt.Errorf("scb: %d organisations in one call, this client sends at most %d (the batch size; use FetchAll)", len(orgs), c.batch)
	}
	ans, err := c.transport.Lookup(ctx, c.http.Do, orgs)
	if err != nil {
		return connectors.Fetched{}, err
	}
	if !validJSON(ans.Body) {
		c.log.Warn("scb: response is not valid JSON; passing it on to be quarantined", "request_id", ans.RequestID, "bytes", len(ans.Body))
	}
	c.log.Debug("scb: fetched", "request_id", ans.RequestID, "orgs", len(orgs), "bytes", len(ans.Body))
	return connectors.Fetched{Source: record.SCB, Name: ans.RequestID, Body: ans.Body}, nil
}

// validJSON reports whether b is one or more JSON values.
func validJSON(b []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	n := 0
	for {
		var v json.RawMessage
		err := dec.Decode(&v)
		if err == io.EOF {
			return n > 0
		}
		if err != nil {
			return false
		}
		n++
	}
}

// FetchAll fetches any number of organisations in calls of the batch
// size, in order, handing each response to fn as it arrives (so the
// caller can ingest it before the next call). It stops at the first error,
// from a call or from fn.
func (c *Client) FetchAll(ctx context.Context, orgs []ident.Org, fn func(connectors.Fetched) error) error {
	return FetchAll(ctx, c, orgs, fn)
}

// FetchAll runs a BatchFetcher over orgs in batches of its MaxBatch.
// (It would fit in package connectors; it lives here until it is needed
// elsewhere.)
func FetchAll(ctx context.Context, f connectors.BatchFetcher, orgs []ident.Org, fn func(connectors.Fetched) error) error {
	for _, batch := range Batches(dedupe(orgs), f.MaxBatch()) {
		got, err := f.FetchBatch(ctx, batch)
		if err != nil {
			return err
		}
		if err := fn(got); err != nil {
			return err
		}
	}
	return nil
}

// Batches splits orgs into consecutive slices of at most n.
func Batches(orgs []ident.Org, n int) [][]ident.Org {
	if n <= 0 {
		n = len(orgs)
	}
	var out [][]ident.Org
	for len(orgs) > 0 {
		k := min(n, len(orgs))
		out = append(out, orgs[:k:k])
		orgs = orgs[k:]
	}
	return out
}

func dedupe(orgs []ident.Org) []ident.Org {
	seen := make(map[string]bool, len(orgs))
	out := make([]ident.Org, 0, len(orgs))
	for _, o := range orgs {
		if o.IsZero() || seen[o.String()] {
			continue
		}
		seen[o.String()] = true
		out = append(out, o)
	}
	return out
}
