package bulkfile

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/record"
)

// Validators are a downloaded file's HTTP cache validators, sent back as
// If-None-Match and If-Modified-Since.
type Validators struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

// Version is the ETag, or else the Last-Modified date.
func (v Validators) Version() string {
	if v.ETag != "" {
		return v.ETag
	}
	return v.LastModified
}

// validatorsOf tells a version string apart: an ETag is quoted (or W/"…"),
// a Last-Modified is an HTTP date.
func validatorsOf(version string) Validators {
	switch {
	case version == "":
		return Validators{}
	case strings.HasPrefix(version, `"`) || strings.HasPrefix(version, `W/"`):
		return Validators{ETag: version}
	default:
		if _, err := http.ParseTime(version); err == nil {
			return Validators{LastModified: version}
		}
		return Validators{ETag: version}
	}
}

// tempPrefix starts the name of every temporary zip a Fetcher writes.
const tempPrefix = "bolagsverket-bulk-"

// Fetcher downloads Bolagsverket's bulk zip and streams its text entry. It
// implements connectors.BulkFetcher.
//
// From Client it uses HTTP, Clock, Limit, Retries, Backoff, MaxBackoff,
// Jitter, Log and Observe as Client.Do does, but not Do itself: Do reads
// a body whole, which a gigabyte file must not be. Client.Timeout (default
// 30 s) bounds the wait for the response headers and every stall of the
// body, not the whole download.
type Fetcher struct {
	Client *connectors.Client
	URL    string
	// Dir holds the temporary zip while it is read; it must be the
	// fetcher's own: leftovers of a crashed run (bolagsverket-bulk-*) are
	// removed at the next fetch. Default os.TempDir().
	Dir string
	// Entry names the zip entry to read; default the only entry, or the
	// only *.txt one.
	Entry    string
	Progress *Progress
	// Name is the source downloaded; default "bolagsverket-bulk". Other
	// whole-file sources (connectors/listfetch) use the download alone.
	Name string
	// Header is sent with every request besides the validators (a
	// User-Agent, an Accept); nil: none.
	Header http.Header
	// MaxBytes bounds the body; a larger one is an error and is not
	// retried. Zero: no bound.
	MaxBytes int64
}

// Source is Name, by default "bolagsverket-bulk".
func (f *Fetcher) Source() string {
	if f.Name != "" {
		return f.Name
	}
	return record.BolagsverketBulk
}

// FetchBulk downloads the file unless it is unchanged since the version
// given (an ETag or a Last-Modified date), in which case it returns
// connectors.ErrNotModified. The caller must Close the Bulk's Body: that
// removes the temporary zip.
func (f *Fetcher) FetchBulk(ctx context.Context, since string) (*connectors.Bulk, error) {
	b, _, err := f.FetchConditional(ctx, validatorsOf(since))
	return b, err
}

// FetchConditional is FetchBulk with both validators (If-None-Match and
// If-Modified-Since); it also returns the new file's validators.
func (f *Fetcher) FetchConditional(ctx context.Context, since Validators) (*connectors.Bulk, Validators, error) {
	dir := f.Dir
	if dir == "" {
		dir = os.TempDir()
	}
	removeLeftovers(dir)
	tmp, err := os.CreateTemp(dir, tempPrefix+"*.zip")
	if err != nil {
		return nil, Validators{}, fmt.Errorf("%s: %w", f.Source(), err)
	}
	path := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(path)
		}
	}()
	hdr, err := f.download(ctx, since, tmp)
	if err != nil {
		return nil, Validators{}, err
	}
	if err := tmp.Close(); err != nil {
		return nil, Validators{}, fmt.Errorf("%s: %w", f.Source(), err)
	}
	v := Validators{ETag: hdr.Get("ETag"), LastModified: hdr.Get("Last-Modified")}
	body, name, size, err := openEntry(path, f.Entry)
	if err != nil {
		return nil, Validators{}, fmt.Errorf("%s: %s: %w", f.Source(), connectors.RedactURL(f.URL), err)
	}
	ok = true
	f.Progress.StartImport(size)
	return &connectors.Bulk{Source: f.Source(), Name: name, Body: body, Version: v.Version()}, v, nil
}

func removeLeftovers(dir string) {
	old, _ := filepath.Glob(filepath.Join(dir, tempPrefix+"*.zip"))
	for _, p := range old {
		os.Remove(p)
	}
}

// entryBody streams a zip entry; Close closes the archive and removes it.
type entryBody struct {
	io.ReadCloser
	zr   *zip.ReadCloser
	path string
	once sync.Once
	err  error
}

func (b *entryBody) Close() error {
	b.once.Do(func() {
		b.err = errors.Join(b.ReadCloser.Close(), b.zr.Close(), os.Remove(b.path))
	})
	return b.err
}

// openEntry opens the zip at path and the entry to read: the one named, the
// only entry, or the only *.txt entry. The entry is decompressed as it is
// read (and its CRC checked at the end); nothing is extracted to disk.
func openEntry(path, want string) (io.ReadCloser, string, int64, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, "", 0, fmt.Errorf("open zip: %w", err)
	}
	var pick *zip.File
	var txt []*zip.File
	for _, e := range zr.File {
		if e.FileInfo().IsDir() {
			continue
		}
		if want != "" && (e.Name == want || filepath.Base(e.Name) == want) {
			pick = e
			break
		}
		if strings.EqualFold(filepath.Ext(e.Name), ".txt") {
			txt = append(txt, e)
		}
	}
	switch {
	case pick != nil:
	case want != "":
		err = fmt.Errorf("zip has no entry %q", want)
	case len(zr.File) == 1:
		pick = zr.File[0]
	case len(txt) == 1:
		pick = txt[0]
	default:
		err = fmt.Errorf("zip has %d entries, %d of them *.txt: name the one to read", len(zr.File), len(txt))
	}
	if err != nil {
		zr.Close()
		return nil, "", 0, err
	}
	rc, err := pick.Open()
	if err != nil {
		zr.Close()
		return nil, "", 0, fmt.Errorf("open %s: %w", pick.Name, err)
	}
	size := int64(-1)
	if pick.UncompressedSize64 <= math.MaxInt64 {
		size = int64(pick.UncompressedSize64)
	}
	return &entryBody{ReadCloser: rc, zr: zr, path: path}, filepath.Base(pick.Name), size, nil
}

// Download GETs the file into w (truncated before each attempt, left at
// the end of the body) as FetchConditional does, without opening it: the
// response headers, or connectors.ErrNotModified on a 304. Errors and logs
// name the URL with its query values redacted (connectors.RedactURL).
func (f *Fetcher) Download(ctx context.Context, since Validators, w *os.File) (http.Header, error) {
	return f.download(ctx, since, w)
}

// download GETs the file into w (truncated before each attempt), with
// the Client's rate limit, retries and backoff. It returns the response
// headers, or connectors.ErrNotModified on a 304.
func (f *Fetcher) download(ctx context.Context, since Validators, w *os.File) (http.Header, error) {
	c := f.Client
	retries := c.Retries
	if retries == 0 {
		retries = 4
	}
	id := connectors.RequestIDFor(ctx)
	var last error
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("%s: %w", f.Source(), err)
		}
		waited, err := f.Client.WaitTurn(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s: rate limit: %w", f.Source(), err)
		}
		if _, err := w.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
		if err := w.Truncate(0); err != nil {
			return nil, err
		}
		start := c.Clock.Now()
		hdr, status, err := f.once(ctx, since, id, w)
		if c.Observe != nil {
			c.Observe(connectors.Attempt{Source: f.Source(), RequestID: id, Status: status, Err: err, Duration: c.Clock.Now().Sub(start), Waited: waited})
		}
		if err == nil || errors.Is(err, connectors.ErrNotModified) {
			return hdr, err
		}
		last = err
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: %w", f.Source(), ctx.Err())
		}
		wait := f.Client.BackoffFor(attempt)
		retryable := false
		var se *statusError
		switch {
		case errors.As(err, &se) && se.Status == http.StatusTooManyRequests:
			retryable = true
			if d, ok := connectors.ParseRetryAfter(se.retryAfter, c.Clock.Now()); ok {
				wait = d
			}
		case errors.As(err, &se):
			retryable = se.Status >= 500
		default:
			retryable = connectors.Retryable(err)
		}
		if !retryable || attempt >= retries {
			if se != nil {
				return nil, se.HTTPError
			}
			return nil, last
		}
		if c.Log != nil {
			c.Log.Warn("retrying", "source", f.Source(), "request_id", id, "attempt", attempt+1, "wait", wait, "err", err)
		}
		if err := c.Clock.Sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("%s: %w (after %v)", f.Source(), err, last)
		}
	}
}

// statusError carries a response's Retry-After beside the HTTPError
// (whose own field for it is unexported).
type statusError struct {
	*connectors.HTTPError
	retryAfter string
}

func (e *statusError) Unwrap() error { return e.HTTPError }

// stallError is a body that stopped arriving for longer than the timeout.
type stallError struct{ d time.Duration }

func (e *stallError) Error() string   { return fmt.Sprintf("no data for %v", e.d) }
func (e *stallError) Timeout() bool   { return true }
func (e *stallError) Temporary() bool { return true }

// once makes one attempt: it sends the request and copies a 2xx body into
// w. The timeout covers the wait for headers and each stall of the body.
func (f *Fetcher) once(ctx context.Context, since Validators, id string, w io.Writer) (http.Header, int, error) {
	timeout := f.Client.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var stalled atomic.Bool
	timer := time.AfterFunc(timeout, func() { stalled.Store(true); cancel() })
	defer timer.Stop()
	wrap := func(err error) error {
		if stalled.Load() {
			err = &stallError{timeout}
		}
		return fmt.Errorf("%s: request %s: %w", f.Source(), id, connectors.RedactURLError(err))
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.URL, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", f.Source(), connectors.RedactURLError(err))
	}
	for k, vs := range f.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if since.ETag != "" {
		req.Header.Set("If-None-Match", since.ETag)
	}
	if since.LastModified != "" {
		req.Header.Set("If-Modified-Since", since.LastModified)
	}
	req.Header.Set("X-Request-Id", id)
	resp, err := f.Client.HTTP.Do(req)
	if err != nil {
		return nil, 0, wrap(err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified:
		return resp.Header, resp.StatusCode, connectors.ErrNotModified
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
	default:
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		he := &connectors.HTTPError{Source: f.Source(), Status: resp.StatusCode, RequestID: id}
		var p connectors.Problem
		if json.Unmarshal(data, &p) == nil && (p.Title != "" || p.Type != "" || p.Detail != "") {
			he.Problem = &p
		} else {
			he.Body = strings.TrimSpace(string(data))
			if len(he.Body) > 200 {
				he.Body = he.Body[:200] + "…"
			}
		}
		return nil, resp.StatusCode, &statusError{HTTPError: he, retryAfter: resp.Header.Get("Retry-After")}
	}
	if f.MaxBytes > 0 && resp.ContentLength > f.MaxBytes {
		return nil, resp.StatusCode, fmt.Errorf("%s: request %s: the file has %d bytes, more than the limit of %d", f.Source(), id, resp.ContentLength, f.MaxBytes)
	}
	f.Progress.StartDownload(resp.ContentLength)
	var r io.Reader = &stallReader{r: resp.Body, timer: timer, timeout: timeout, progress: f.Progress}
	if f.MaxBytes > 0 {
		r = io.LimitReader(r, f.MaxBytes+1)
	}
	n, err := io.Copy(w, r)
	if err != nil {
		return nil, resp.StatusCode, wrap(fmt.Errorf("read body: %w", err))
	}
	if f.MaxBytes > 0 && n > f.MaxBytes {
		return nil, resp.StatusCode, fmt.Errorf("%s: request %s: the file has more than the limit of %d bytes", f.Source(), id, f.MaxBytes)
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return nil, resp.StatusCode, wrap(fmt.Errorf("read body: %d of %d bytes: %w", n, resp.ContentLength, io.ErrUnexpectedEOF))
	}
	f.Progress.Finish()
	return resp.Header, resp.StatusCode, nil
}

// stallReader restarts the stall timer on every read that brings data.
type stallReader struct {
	r        io.Reader
	timer    *time.Timer
	timeout  time.Duration
	progress *Progress
}

func (s *stallReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if n > 0 {
		s.timer.Reset(s.timeout)
		s.progress.add(n)
	}
	return n, err
}
