package scb

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
)

// MaxBatch is the most organisations (rows) SCB answers in one call.
const MaxBatch = 2000

// DefaultBaseURL is the API's base, to which "/Je/HamtaForetag" is added.
const DefaultBaseURL = "https://privateapi.scb.se/nv0101/v1/sokpavar/api"

// Endpoint is the path of the company look-up below the base URL.
const Endpoint = "/Je/HamtaForetag"

// NewLimiter returns SCB's rate limit: one call a second without bursts,
// so that no 10-second window, however SCB counts it, holds more than 10.
func NewLimiter() *rate.Limiter { return rate.NewLimiter(rate.Every(time.Second), 1) }

// Config configures a Client. The client certificate is either a PEM pair
// (CertFile, KeyFile) or a PKCS#12 file (PKCS12File, PKCS12Password), the
// form SCB issues.
type Config struct {
	BaseURL        string // default DefaultBaseURL
	CertFile       string // PEM client certificate (with any intermediates)
	KeyFile        string // PEM private key
	PKCS12File     string // .p12/.pfx with key and certificate
	PKCS12Password string
	CAFile         string // PEM bundle trusted for the server; empty: the system's roots
	Clock          connectors.Clock
	Log            *slog.Logger

	// Limit overrides SCB's rate limit (default NewLimiter()).
	Limit *rate.Limiter
	// Timeout and Retries are passed to connectors.Client (defaults 30 s, 4).
	Timeout time.Duration
	Retries int
}

// Client fetches rows of SCB's company register (Företagsregistret) over
// mutual TLS. It is a connectors.BatchFetcher; FetchAll splits any number
// of organisations into calls of at most MaxBatch.
type Client struct {
	http      *connectors.Client
	transport *http.Transport
	url       string
	clock     connectors.Clock
	log       *slog.Logger
	leaf      *x509.Certificate
	certFile  string
}

var _ connectors.BatchFetcher = (*Client)(nil)

// New loads the client certificate and the CA bundle and returns a client.
// A certificate that cannot be loaded, or is expired, is an error here,
// before any request.
func New(cfg Config) (*Client, error) {
	clock := cfg.Clock
	if clock == nil {
		return nil, errors.New("scb: no clock (cmd/ passes the wall clock)")
	}
	cert, err := loadClientCertificate(cfg, clock.Now())
	if err != nil {
		return nil, err
	}
	roots, err := loadCA(cfg.CAFile)
	if err != nil {
		return nil, err
	}
	base := cfg.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{cert},
		RootCAs:      roots,
		Time:         clock.Now, // a simulation verifies the server on its own clock
	}
	limit := cfg.Limit
	if limit == nil {
		limit = NewLimiter()
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	file := cfg.CertFile
	if file == "" {
		file = cfg.PKCS12File
	}
	return &Client{
		http: &connectors.Client{
			Source:  record.SCB,
			HTTP:    &http.Client{Transport: tr},
			Clock:   clock,
			Limit:   limit,
			Timeout: cfg.Timeout,
			Retries: cfg.Retries,
			Log:     log,
		},
		transport: tr,
		url:       strings.TrimRight(base, "/") + Endpoint,
		clock:     clock,
		log:       log,
		leaf:      cert.Leaf,
		certFile:  file,
	}, nil
}

// Close releases idle connections.
func (c *Client) Close() { c.transport.CloseIdleConnections() }

// Source is the record source and parser name, "scb".
func (c *Client) Source() string { return record.SCB }

// MaxBatch is SCB's limit of rows per call.
func (c *Client) MaxBatch() int { return MaxBatch }

// HTTP returns the shared plumbing, to set Observe (metrics) or tune
// retries.
func (c *Client) HTTP() *connectors.Client { return c.http }

// Certificate returns the client certificate in use (for its expiry).
func (c *Client) Certificate() *x509.Certificate { return c.leaf }

// Query is the request body sent to Je/HamtaForetag. It approximates SCB's
// query model ("Variabler" with Varde1/Varde2/Operator/Variabel): one
// condition per organisation, OrgNr equal to the number, any of which may
// match. SCB's real query language has more (Kategorier, status filters);
// Vaksam needs only the look-up by number, and the fake accepts this form.
type Query struct {
	Variabler []Condition `json:"Variabler"`
}

// Condition is one variable condition of a Query.
type Condition struct {
	Varde1   string `json:"Varde1"`
	Varde2   string `json:"Varde2"`
	Operator string `json:"Operator"`
	Variabel string `json:"Variabel"`
}

// Query constants.
const (
	OperatorEquals = "ArLikaMed"
	VariableOrgNr  = "OrgNr (10 siffror)"
)

// NewQuery returns the query for orgs (duplicates dropped, order kept).
func NewQuery(orgs []ident.Org) Query {
	q := Query{Variabler: make([]Condition, 0, len(orgs))}
	seen := make(map[string]bool, len(orgs))
	for _, o := range orgs {
		if o.IsZero() || seen[o.String()] {
			continue
		}
		seen[o.String()] = true
		q.Variabler = append(q.Variabler, Condition{Varde1: o.String(), Operator: OperatorEquals, Variabel: VariableOrgNr})
	}
	return q
}

// FetchBatch fetches the rows of at most MaxBatch organisations in one
// call. Organisations SCB does not know are simply absent from the rows.
// The body is passed on as SCB sent it, even when it is not valid JSON:
// ingesting it quarantines what cannot be read, with the request id as
// position.
func (c *Client) FetchBatch(ctx context.Context, orgs []ident.Org) (connectors.Fetched, error) {
	q := NewQuery(orgs)
	if len(q.Variabler) == 0 {
		return connectors.Fetched{}, errors.New("scb: no organisations to fetch")
	}
	if len(q.Variabler) > MaxBatch {
		return connectors.Fetched{}, fmt.Errorf("scb: %d organisations in one call, SCB takes at most %d (use FetchAll)", len(q.Variabler), MaxBatch)
	}
	if err := checkValidity(c.certFile, c.leaf, c.clock.Now()); err != nil {
		return connectors.Fetched{}, err
	}
	body, err := json.Marshal(q)
	if err != nil {
		return connectors.Fetched{}, fmt.Errorf("scb: %w", err)
	}
	resp, err := c.http.Do(ctx, connectors.Request{
		Method:      http.MethodPost,
		URL:         c.url,
		Body:        body,
		ContentType: "application/json",
		Header:      http.Header{"Accept": {"application/json"}},
	})
	if err != nil {
		return connectors.Fetched{}, explainTLS(err)
	}
	if !json.Valid(resp.Body) {
		c.log.Warn("scb: response is not valid JSON; passing it on to be quarantined", "request_id", resp.RequestID, "bytes", len(resp.Body))
	}
	c.log.Debug("scb: fetched", "request_id", resp.RequestID, "orgs", len(q.Variabler), "bytes", len(resp.Body))
	return connectors.Fetched{Source: record.SCB, Name: resp.RequestID, Body: resp.Body}, nil
}

// FetchAll fetches any number of organisations in calls of at most
// MaxBatch, in order, handing each response to fn as it arrives (so the
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

// TLSError is a failed TLS handshake with SCB: the server refused the
// client certificate, or the client did not trust the server's.
type TLSError struct{ Err error }

func (e *TLSError) Error() string {
	return "scb: TLS handshake failed (client certificate not accepted by the server, or server certificate not trusted: check the certificate SCB issued and CAFile): " + e.Err.Error()
}

func (e *TLSError) Unwrap() error { return e.Err }

// explainTLS turns a handshake failure into a TLSError.
func explainTLS(err error) error {
	var (
		alert tls.AlertError
		verr  *tls.CertificateVerificationError
		uerr  x509.UnknownAuthorityError
		herr  x509.HostnameError
		cerr  x509.CertificateInvalidError
		rerr  tls.RecordHeaderError
	)
	if errors.As(err, &alert) || errors.As(err, &verr) || errors.As(err, &uerr) ||
		errors.As(err, &herr) || errors.As(err, &cerr) || errors.As(err, &rerr) ||
		strings.Contains(err.Error(), "remote error: tls:") {
		return &TLSError{Err: err}
	}
	return err
}
