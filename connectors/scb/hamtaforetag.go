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
)

// DefaultBaseURL is the API's base, to which "/Je/HamtaForetag" is added.
const DefaultBaseURL = "https://privateapi.scb.se/nv0101/v1/sokpavar/api"

// Endpoint is the path of the company look-up below the base URL.
const Endpoint = "/Je/HamtaForetag"

// Config configures a Client of SCB's current API (New): the HamtaForetag
// transport and the connector. The client certificate is either a PEM
// pair (CertFile, KeyFile) or a PKCS#12 file (PKCS12File, PKCS12Password),
// the form SCB issues.
type Config struct {
	BaseURL        string // default DefaultBaseURL
	CertFile       string // PEM client certificate (with any intermediates)
	KeyFile        string // PEM private key
	PKCS12File     string // .p12/.pfx with key and certificate
	PKCS12Password string
	CAFile         string // PEM bundle trusted for the server; empty: the system's roots
	Clock          connectors.Clock
	Log            *slog.Logger

	// BatchSize is how many organisations one call asks for (see
	// Options.BatchSize); 0 means DefaultBatchSize, 1.
	BatchSize int
	// Limit overrides SCB's rate limit (default NewLimiter()).
	Limit *rate.Limiter
	// Timeout and Retries are passed to connectors.Client (defaults 30 s, 4).
	Timeout time.Duration
	Retries int
}

// New loads the client certificate and the CA bundle and returns a
// connector to SCB's current API over mutual TLS. A certificate that
// cannot be loaded, or is expired, and a batch size out of range are
// errors here, before any request.
func New(cfg Config) (*Client, error) {
	if _, err := batchSize(cfg.BatchSize); err != nil {
		return nil, err
	}
	h, err := NewHamtaForetag(cfg)
	if err != nil {
		return nil, err
	}
	return NewClient(h, Options{HTTP: h.HTTPClient(), Clock: cfg.Clock, Log: cfg.Log, BatchSize: cfg.BatchSize,
		Limit: cfg.Limit, Timeout: cfg.Timeout, Retries: cfg.Retries})
}

// HamtaForetag is the Transport of SCB's current company register API:
// POST {base}/Je/HamtaForetag over mutual TLS with the client certificate
// SCB issued, one Query per look-up, the answer one JSON array of rows.
type HamtaForetag struct {
	url       string
	clock     connectors.Clock
	transport *http.Transport
	leaf      *x509.Certificate
	certFile  string
}

var _ Transport = (*HamtaForetag)(nil)

// NewHamtaForetag loads the client certificate and the CA bundle of cfg
// (BaseURL, the certificate fields, CAFile and Clock; the rest is the
// connector's).
func NewHamtaForetag(cfg Config) (*HamtaForetag, error) {
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
	file := cfg.CertFile
	if file == "" {
		file = cfg.PKCS12File
	}
	return &HamtaForetag{
		url:       strings.TrimRight(base, "/") + Endpoint,
		clock:     clock,
		transport: tr,
		leaf:      cert.Leaf,
		certFile:  file,
	}, nil
}

// HTTPClient returns the client that presents the certificate.
func (h *HamtaForetag) HTTPClient() *http.Client { return &http.Client{Transport: h.transport} }

// Close releases idle connections.
func (h *HamtaForetag) Close() { h.transport.CloseIdleConnections() }

// Lookup checks that the certificate is still valid and posts the Query
// for orgs. A refused handshake comes back as a *TLSError.
func (h *HamtaForetag) Lookup(ctx context.Context, send Sender, orgs []ident.Org) (Answer, error) {
	if err := checkValidity(h.certFile, h.leaf, h.clock.Now()); err != nil {
		return Answer{}, err
	}
	body, err := json.Marshal(NewQuery(orgs))
	if err != nil {
		return Answer{}, fmt.Errorf("scb: %w", err)
	}
	resp, err := send(ctx, connectors.Request{
		Method:      http.MethodPost,
		URL:         h.url,
		Body:        body,
		ContentType: "application/json",
		Header:      http.Header{"Accept": {"application/json"}},
	})
	if err != nil {
		return Answer{}, explainTLS(err)
	}
	return Answer{RequestID: resp.RequestID, Body: resp.Body}, nil
}

// Query is the request body sent to Je/HamtaForetag. It approximates SCB's
// query model ("Variabler" with Varde1/Varde2/Operator/Variabel): one
// condition per organisation, OrgNr equal to the number. That several
// conditions mean "any of these" is an assumption no client in the wild
// confirms, hence DefaultBatchSize 1. SCB's real query language has more
// (Kategorier, status filters); Vaksam needs only the look-up by number,
// and the fake accepts this form.
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
	orgs = dedupe(orgs)
	q := Query{Variabler: make([]Condition, 0, len(orgs))}
	for _, o := range orgs {
		q.Variabler = append(q.Variabler, Condition{Varde1: o.String(), Operator: OperatorEquals, Variabel: VariableOrgNr})
	}
	return q
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
	if connectors.IsTLSFailure(err) {
		return &TLSError{Err: err}
	}
	return err
}
