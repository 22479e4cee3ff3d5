package connectors

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/time/rate"

	"github.com/vaksam/vaksam/engine/logging"
)

// Client is the HTTP plumbing every source shares. The zero value is not
// usable: set at least HTTP, Clock and Source.
type Client struct {
	Source string
	HTTP   *http.Client
	Clock  Clock
	// Limit is the source's rate limit; nil means none.
	Limit *rate.Limiter
	// Timeout bounds each attempt (default 30 s).
	Timeout time.Duration
	// Retries is how many times a 5xx, a network error or a 429 is tried
	// again (default 4).
	Retries int
	// Backoff is the first retry's maximum wait, doubled each time up to
	// MaxBackoff (defaults 500 ms and 30 s); each wait is drawn uniformly
	// from [0, max] (full jitter).
	Backoff, MaxBackoff time.Duration
	// Jitter returns a number in [0, 1); default crypto/rand.
	Jitter func() float64
	Log    *slog.Logger
	// Observe, if set, is told about every attempt (for metrics).
	Observe func(Attempt)
}

// reserveMu orders rate-limit reservations by the clock (see WaitTurn);
// limiters may be shared between clients, so it is one for all.
var reserveMu sync.Mutex

// Attempt describes one HTTP attempt.
type Attempt struct {
	Source    string
	RequestID string
	Status    int // 0 on a network error
	Err       error
	Duration  time.Duration
	Waited    time.Duration // time spent waiting for the rate limiter
}

// Request describes a request to make; Body is re-sent on each attempt.
type Request struct {
	Method      string
	URL         string
	Body        []byte
	ContentType string
	Header      http.Header
}

// Response is a successful (2xx or 304) response, read whole.
type Response struct {
	Status    int
	Header    http.Header
	Body      []byte
	RequestID string
}

// HTTPError is a response the client gave up on: a 4xx, or a 5xx or 429
// after the last retry. Problem holds an RFC 7807 body when there was one.
type HTTPError struct {
	Source    string
	Status    int
	RequestID string
	Problem   *Problem
	Body      string

	retryAfter string // the Retry-After header, if any
}

// Problem is an RFC 7807 problem body (Bolagsverket adds requestId and
// timestamp).
type Problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail"`
	Instance  string `json:"instance"`
	Timestamp string `json:"timestamp"`
	RequestID string `json:"requestId"`
}

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("%s: HTTP %d", e.Source, e.Status)
	if p := e.Problem; p != nil {
		msg += ": " + strings.TrimSpace(p.Title+" "+p.Detail)
		if p.RequestID != "" {
			msg += " (requestId " + p.RequestID + ")"
		}
	} else if e.Body != "" {
		msg += ": " + e.Body
	}
	if e.RequestID != "" && (e.Problem == nil || e.Problem.RequestID != e.RequestID) {
		msg += " [request " + e.RequestID + "]"
	}
	return msg
}

// Temporary reports whether trying later may succeed (5xx, 429).
func (e *HTTPError) Temporary() bool {
	return e.Status >= 500 || e.Status == http.StatusTooManyRequests
}

// RequestIDFor returns the request id the calls made for ctx send: the
// one ctx carries (logging.WithRequestID) when it is valid, else a new one.
func RequestIDFor(ctx context.Context) string {
	return logging.AcceptRequestID(logging.RequestID(ctx))
}

func (c *Client) jitter() float64 {
	if c.Jitter != nil {
		return c.Jitter()
	}
	return mrand.Float64()
}

// BackoffFor returns the wait before retry n (0-based), with full jitter.
func (c *Client) BackoffFor(n int) time.Duration {
	base, max := c.Backoff, c.MaxBackoff
	if base <= 0 {
		base = 500 * time.Millisecond
	}
	if max <= 0 {
		max = 30 * time.Second
	}
	d := float64(base) * math.Pow(2, float64(n))
	if d > float64(max) {
		d = float64(max)
	}
	return time.Duration(c.jitter() * d)
}

// Do sends the request, waiting for the rate limiter before each attempt
// and retrying as described on Client. Every attempt sends the same
// request id as X-Request-Id: the one ctx carries (a pre-award check's,
// an HTTP request's), else a new one (RequestIDFor). It is returned with
// the response or the error and told to Observe.
func (c *Client) Do(ctx context.Context, r Request) (*Response, error) {
	retries := c.Retries
	if retries == 0 {
		retries = 4
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	id := RequestIDFor(ctx)
	var last error
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("%s: %w", c.Source, err)
		}
		waited, err := c.WaitTurn(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s: rate limit: %w", c.Source, err)
		}
		start := c.Clock.Now()
		resp, err := c.once(ctx, r, id, timeout)
		a := Attempt{Source: c.Source, RequestID: id, Err: err, Duration: c.Clock.Now().Sub(start), Waited: waited}
		if resp != nil {
			a.Status = resp.Status
		}
		var he *HTTPError
		if errors.As(err, &he) {
			a.Status = he.Status
		}
		if c.Observe != nil {
			c.Observe(a)
		}
		if err == nil {
			return resp, nil
		}
		last = err
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: %w", c.Source, ctx.Err())
		}
		retryable := false
		wait := c.BackoffFor(attempt)
		switch {
		case errors.As(err, &he) && he.Status == http.StatusTooManyRequests:
			retryable = true
			if d, ok := ParseRetryAfter(he.retryAfter, c.Clock.Now()); ok {
				wait = d
			}
		case errors.As(err, &he):
			retryable = he.Status >= 500
		default:
			retryable = Retryable(err)
		}
		if !retryable || attempt >= retries {
			return nil, last
		}
		c.logger().WarnContext(ctx, "retrying", "source", c.Source, "request_id", id, "attempt", attempt+1, "wait", wait, "err", err)
		if err := c.Clock.Sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("%s: %w (after %v)", c.Source, err, last)
		}
	}
}

func (c *Client) logger() *slog.Logger {
	if c.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Log
}

// WaitTurn reserves a token from the limiter and sleeps until it is due,
// on the client's clock; it returns how long it waited.
func (c *Client) WaitTurn(ctx context.Context) (time.Duration, error) {
	if c.Limit == nil {
		return 0, nil
	}
	// Reading the clock and reserving happen together: a limiter handed
	// a time earlier than one it has already seen (another goroutine
	// reserved after the clock moved) would space requests too closely.
	reserveMu.Lock()
	res := c.Limit.ReserveN(c.Clock.Now(), 1)
	reserveMu.Unlock()
	if !res.OK() {
		return 0, fmt.Errorf("burst too small")
	}
	d := res.DelayFrom(c.Clock.Now())
	if err := c.Clock.Sleep(ctx, d); err != nil {
		res.CancelAt(c.Clock.Now())
		return 0, err
	}
	return d, nil
}

func (c *Client) once(ctx context.Context, r Request, id string, timeout time.Duration) (*Response, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.Source, err)
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if r.ContentType != "" {
		req.Header.Set("Content-Type", r.ContentType)
	}
	req.Header.Set("X-Request-Id", id)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: request %s: %w", c.Source, id, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("%s: request %s: read body: %w", c.Source, id, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 || resp.StatusCode == http.StatusNotModified {
		return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data, RequestID: id}, nil
	}
	he := &HTTPError{Source: c.Source, Status: resp.StatusCode, RequestID: id}
	var p Problem
	if json.Unmarshal(data, &p) == nil && (p.Title != "" || p.Type != "" || p.Detail != "") {
		he.Problem = &p
	} else {
		he.Body = strings.TrimSpace(string(data))
		if len(he.Body) > 200 {
			he.Body = he.Body[:200] + "…"
		}
	}
	he.retryAfter = resp.Header.Get("Retry-After")
	return nil, he
}

// ParseRetryAfter reads a Retry-After header: seconds, or an HTTP date.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d, true
		}
		return 0, true
	}
	return 0, false
}

// Retryable reports whether a transport error may pass if tried again: a
// network error or a timeout, but not a refused certificate or refused
// credentials.
func Retryable(err error) bool {
	if IsTLSFailure(err) {
		return false // a refused certificate is not fixed by trying again
	}
	var token *oauth2.RetrieveError
	if errors.As(err, &token) && token.Response != nil && token.Response.StatusCode < 500 {
		return false // nor are refused client credentials
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return true
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, context.DeadlineExceeded)
}

// IsTLSFailure reports a handshake refused over certificates or a TLS
// alert: another attempt cannot succeed.
func IsTLSFailure(err error) bool {
	var (
		alert   tls.AlertError
		verify  *tls.CertificateVerificationError
		unknown x509.UnknownAuthorityError
		invalid x509.CertificateInvalidError
		host    x509.HostnameError
		header  tls.RecordHeaderError
	)
	return errors.As(err, &alert) || errors.As(err, &verify) || errors.As(err, &unknown) ||
		errors.As(err, &invalid) || errors.As(err, &host) || errors.As(err, &header) ||
		strings.Contains(err.Error(), "remote error: tls:")
}
