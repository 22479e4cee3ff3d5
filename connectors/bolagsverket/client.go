package bolagsverket

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"golang.org/x/time/rate"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
)

// The API's scopes.
const (
	ScopeRead = "vardefulla-datamangder:read"
	ScopePing = "vardefulla-datamangder:ping"
)

// DefaultScopes are the scopes asked for when Config.Scopes is empty.
var DefaultScopes = []string{ScopeRead, ScopePing}

// RequestsPerMinute is the API's rate limit.
const RequestsPerMinute = 60

// Config configures a Client.
type Config struct {
	// BaseURL is the API's root, e.g.
	// https://gw.api.bolagsverket.se/vardefulla-datamangder/v1.
	BaseURL string
	// TokenURL is the OAuth2 token endpoint, {portal}/oauth2/token.
	TokenURL     string
	ClientID     string
	ClientSecret string
	// Scopes default to DefaultScopes.
	Scopes []string
	// HTTP is the base client: it carries both the token requests and,
	// wrapped in the OAuth2 transport, the API calls. Default: a new
	// http.Client with the default transport.
	HTTP *http.Client
	// Clock is what the rate limiter, retries and Retry-After wait on.
	// Default: the wall clock.
	Clock connectors.Clock
	Log   *slog.Logger

	// Limit replaces the default limiter of RequestsPerMinute (burst 1).
	// Pass the same limiter to clients that share one API account.
	Limit *rate.Limiter
	// Timeout bounds each attempt (connectors.Client's default when 0).
	Timeout time.Duration
	// Retries of 5xx, network errors and 429 (connectors.Client's default
	// when 0).
	Retries int
}

// Client calls Bolagsverket's API "Värdefulla datamängder". It is safe for
// concurrent use; all calls share one rate limiter and one token.
type Client struct {
	base   string
	http   *connectors.Client
	tokens *tokenSource
	log    *slog.Logger
}

// New returns a client. It does not contact the API.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" || cfg.TokenURL == "" {
		return nil, errors.New("bolagsverket: BaseURL and TokenURL are required")
	}
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, errors.New("bolagsverket: ClientID and ClientSecret are required")
	}
	base := cfg.HTTP
	if base == nil {
		base = &http.Client{}
	}
	clock := cfg.Clock
	if clock == nil {
		return nil, errors.New("bolagsverket: no clock (cmd/ passes the wall clock)")
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	scopes := cfg.Scopes
	if len(scopes) == 0 {
		scopes = DefaultScopes
	}
	cc := &clientcredentials.Config{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		TokenURL:     cfg.TokenURL,
		Scopes:       scopes,
	}
	ts := &tokenSource{
		sem: make(chan struct{}, 1),
		fetch: func(ctx context.Context) (*oauth2.Token, error) {
			// Token requests go through the base client, not through
			// the OAuth2 transport.
			return cc.Token(context.WithValue(ctx, oauth2.HTTPClient, base))
		},
		log: log,
	}
	api := &http.Client{
		Transport: &authTransport{
			tokens: ts,
			next:   &oauth2.Transport{Source: ts, Base: base.Transport},
		},
		CheckRedirect: base.CheckRedirect,
		Jar:           base.Jar,
		Timeout:       base.Timeout,
	}
	limit := cfg.Limit
	if limit == nil {
		limit = rate.NewLimiter(rate.Every(time.Minute/RequestsPerMinute), 1)
	}
	return &Client{
		base: strings.TrimRight(cfg.BaseURL, "/"),
		http: &connectors.Client{
			Source:  record.Bolagsverket,
			HTTP:    api,
			Clock:   clock,
			Limit:   limit,
			Timeout: cfg.Timeout,
			Retries: cfg.Retries,
			Log:     log,
		},
		tokens: ts,
		log:    log,
	}, nil
}

// HTTP returns the shared plumbing, to set Observe (metrics) or tune
// backoff before the first call.
func (c *Client) HTTP() *connectors.Client { return c.http }

// IsAlive calls GET /isalive, which answers "OK".
func (c *Client) IsAlive(ctx context.Context) error {
	resp, err := c.do(ctx, connectors.Request{Method: http.MethodGet, URL: c.base + "/isalive"})
	if err != nil {
		return err
	}
	if s := strings.TrimSpace(string(resp.Body)); s != "OK" {
		return fmt.Errorf("bolagsverket: isalive answered %q (request %s)", truncate(s, 80), resp.RequestID)
	}
	return nil
}

// Organisationer fetches the registry facts of an organisation (POST
// /organisationer). The body is returned verbatim, for the parser of
// source "bolagsverket". A 200 whose organisation or fields carry a
// fel.typ (ORGANISATION_FINNS_EJ, OTILLGANGLIG_UPPGIFTSKALLA, ...) is not
// an error here: the parser makes a fact or a source error of it. HTTP
// failures are returned as *connectors.HTTPError.
func (c *Client) Organisationer(ctx context.Context, org ident.Org) (connectors.Fetched, error) {
	return c.post(ctx, "/organisationer", record.Bolagsverket, org, org.String())
}

// Dokumentlista fetches the list of annual reports an organisation has
// filed (POST /dokumentlista), for the parser of source
// "bolagsverket-dokument"; Fetched.Orgnr names the organisation, which the
// list does not.
func (c *Client) Dokumentlista(ctx context.Context, org ident.Org) (connectors.Fetched, error) {
	return c.post(ctx, "/dokumentlista", record.BolagsverketDokument, org, org.String())
}

// post asks path about the identity id (normally org's number; tests send
// invalid ones).
func (c *Client) post(ctx context.Context, path, source string, org ident.Org, id string) (connectors.Fetched, error) {
	body, err := json.Marshal(struct {
		ID string `json:"identitetsbeteckning"`
	}{id})
	if err != nil {
		return connectors.Fetched{}, err
	}
	resp, err := c.do(ctx, connectors.Request{
		Method:      http.MethodPost,
		URL:         c.base + path,
		Body:        body,
		ContentType: "application/json",
		Header:      http.Header{"Accept": {"application/json"}},
	})
	if err != nil {
		return connectors.Fetched{}, err
	}
	return connectors.Fetched{Source: source, Name: resp.RequestID, Orgnr: org, Body: resp.Body}, nil
}

// do sends a request; a 401 (the token expired or was revoked: the
// transport has dropped it) is tried once more with a fresh token.
func (c *Client) do(ctx context.Context, r connectors.Request) (*connectors.Response, error) {
	resp, err := c.http.Do(ctx, r)
	var he *connectors.HTTPError
	if errors.As(err, &he) && he.Status == http.StatusUnauthorized {
		c.log.Info("bolagsverket: token rejected, retrying with a new one", "request_id", he.RequestID)
		return c.http.Do(ctx, r)
	}
	return resp, err
}

// Organisations returns the Fetcher of source "bolagsverket".
func (c *Client) Organisations() connectors.Fetcher { return orgFetcher{c} }

// Documents returns the Fetcher of source "bolagsverket-dokument".
func (c *Client) Documents() connectors.Fetcher { return docFetcher{c} }

type orgFetcher struct{ c *Client }

func (f orgFetcher) Source() string { return record.Bolagsverket }
func (f orgFetcher) Fetch(ctx context.Context, org ident.Org) (connectors.Fetched, error) {
	return f.c.Organisationer(ctx, org)
}

type docFetcher struct{ c *Client }

func (f docFetcher) Source() string { return record.BolagsverketDokument }
func (f docFetcher) Fetch(ctx context.Context, org ident.Org) (connectors.Fetched, error) {
	return f.c.Dokumentlista(ctx, org)
}

// tokenSource caches the client-credentials token and can be told to drop
// it (clientcredentials' own cache, ReuseTokenSource, cannot). One fetch
// runs at a time; waiting for it honours the caller's context.
type tokenSource struct {
	sem   chan struct{}
	fetch func(context.Context) (*oauth2.Token, error)
	log   *slog.Logger
	tok   *oauth2.Token // guarded by sem
}

// Token is for oauth2.Transport, which gives no context; authTransport has
// normally fetched the token with the request's context already.
func (s *tokenSource) Token() (*oauth2.Token, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return s.tokenCtx(ctx)
}

func (s *tokenSource) tokenCtx(ctx context.Context) (*oauth2.Token, error) {
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-s.sem }()
	if s.tok.Valid() {
		return s.tok, nil
	}
	tok, err := s.fetch(ctx)
	if err != nil {
		return nil, fmt.Errorf("bolagsverket: token: %w", err)
	}
	s.log.Debug("bolagsverket: new token", "expires", tok.Expiry)
	s.tok = tok
	return tok, nil
}

// invalidate drops the cached token if it is still access (another
// request may have replaced it already).
func (s *tokenSource) invalidate(access string) {
	s.sem <- struct{}{}
	defer func() { <-s.sem }()
	if s.tok != nil && (access == "" || s.tok.AccessToken == access) {
		s.tok = nil
	}
}

// authTransport fetches the token with the request's context (so that a
// cancelled fetch does not wait for the token endpoint), lets
// oauth2.Transport set it, and drops it when the API answers 401.
type authTransport struct {
	tokens *tokenSource
	next   http.RoundTripper
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := t.tokens.tokenCtx(req.Context())
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	resp, err := t.next.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusUnauthorized {
		used := tok.AccessToken
		if resp.Request != nil {
			if h := resp.Request.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
				used = h[7:]
			}
		}
		t.tokens.invalidate(used)
	}
	return resp, err
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
