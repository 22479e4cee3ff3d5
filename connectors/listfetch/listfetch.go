package listfetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/connectors/bulkfile"
	"github.com/vaksam/vaksam/engine/ingest"
)

// Defaults of a List.
const (
	DefaultEvery    = 6 * time.Hour
	DefaultMaxBytes = 1 << 30
	// DefaultUserAgent names Vaksam; the EU's server refuses a request
	// without a browser-like or named agent (HTTP 403).
	DefaultUserAgent = "Vaksam/1 (sanctions screening; +https://github.com/vaksam/vaksam)"
	// RetryAfterFailure is the wait before a failed download is tried
	// again, when the list's interval is longer.
	RetryAfterFailure = time.Hour
)

// Documented examples of list URLs (none is enabled by default).
const (
	ExampleFtMURL = "https://data.opensanctions.org/datasets/latest/sanctions/entities.ftm.json"
	ExampleEUURL  = "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=TOKEN"
	ExampleUNURL  = "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
)

// List is one list's download.
type List struct {
	Source string // the record source, e.g. record.SanctionsEU
	URL    string // may carry a credential in its query; never shown
	// UserAgent is sent as User-Agent; default DefaultUserAgent.
	UserAgent string
	// Header holds more headers sent with every request.
	Header http.Header
	// Every is the interval between checks; default DefaultEvery.
	Every time.Duration
	// MaxBytes bounds the file; default DefaultMaxBytes.
	MaxBytes int64
}

// Redacted is the URL with its query values and password replaced, for
// logs and messages.
func (l List) Redacted() string { return connectors.RedactURL(l.URL) }

func (l List) every() time.Duration {
	if l.Every > 0 {
		return l.Every
	}
	return DefaultEvery
}

// CheckFunc reads the file at path as its import would, storing nothing:
// an error refuses the file before any of it is stored (engine/service
// uses ingest.Ingester.CheckFile). A list is a snapshot, and half a file
// imported would be half a list.
type CheckFunc func(ctx context.Context, path, name string) error

// ImportFunc imports the file at path, of the Downloader's source, under
// name, with every record observed at observed. The real one (engine/
// service) is ingest.Ingester.File with the source's parser.
type ImportFunc func(ctx context.Context, path, name string, observed time.Time) (ingest.Counts, error)

// Downloader downloads one list and imports it.
type Downloader struct {
	List
	// Client carries the clock, retries, rate limit, logger and Observe
	// hook (its Source is ignored: List.Source is used).
	Client *connectors.Client
	// Dir is the downloader's own directory: its state, the last file and
	// the temporary download.
	Dir    string
	Import ImportFunc
	// Check, if set, reads every new file before Import (not the last
	// file imported again on a 304: it was checked).
	Check CheckFunc
}

// State is what the state file remembers.
type State struct {
	Validators bulkfile.Validators `json:"validators"`
	// File is the name the last file was imported under, SHA256 its
	// digest, Imported when it was downloaded and imported.
	File     string    `json:"file,omitempty"`
	SHA256   string    `json:"sha256,omitempty"`
	Imported time.Time `json:"imported,omitzero"`
	// Checked is the last successful check (a 200 imported, or a 304 and
	// the last file imported again); Attempted the last try, failed or not.
	Checked   time.Time `json:"checked,omitzero"`
	Attempted time.Time `json:"attempted,omitzero"`
	// Error is the last failed try's error (its URL redacted).
	Error string `json:"error,omitempty"`
}

// Result says what a Run did.
type Result struct {
	// NotModified: the source answered 304; the last file was imported
	// again (Counts) to record the new observation.
	NotModified bool
	File        string
	SHA256      string
	Observed    time.Time
	Counts      ingest.Counts
}

const (
	stateFile = "state.json"
	lastFile  = "last"
	tempGlob  = "download-*.tmp"
)

// LoadState reads the downloader's state; no state file is the zero State.
func (d *Downloader) LoadState() (State, error) {
	var st State
	b, err := os.ReadFile(filepath.Join(d.Dir, stateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("%s: state: %w", d.Source, err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, fmt.Errorf("%s: state %s: %w", d.Source, filepath.Join(d.Dir, stateFile), err)
	}
	return st, nil
}

func (d *Downloader) saveState(st State) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if err := bulkfile.WriteFileAtomic(filepath.Join(d.Dir, stateFile), append(b, '\n')); err != nil {
		return fmt.Errorf("%s: %w", d.Source, err)
	}
	return nil
}

// Next is when the list is due to be checked: at once when it never was,
// Every after the last successful check, and, after a failed try, the
// sooner of that and RetryAfterFailure after the try.
func (d *Downloader) Next(st State) time.Time {
	if st.Checked.IsZero() && st.Attempted.IsZero() {
		return time.Time{}
	}
	next := st.Checked.Add(d.every())
	if st.Attempted.After(st.Checked) {
		retry := st.Attempted.Add(min(d.every(), RetryAfterFailure))
		if st.Checked.IsZero() || retry.Before(next) {
			next = retry
		}
	}
	return next
}

// RunIfDue runs the download when it is due at now; ran says whether it
// did.
func (d *Downloader) RunIfDue(ctx context.Context, now time.Time) (res Result, ran bool, err error) {
	st, err := d.LoadState()
	if err != nil {
		return Result{}, false, err
	}
	if d.Next(st).After(now) {
		return Result{}, false, nil
	}
	res, err = d.Run(ctx, now)
	return res, true, err
}

// Run checks the list now (observed is the records' observation time) and
// imports what it finds: the new file, or, on a 304, the last file again.
// A failure leaves the last file and the state's validators as they were
// and is recorded in the state.
func (d *Downloader) Run(ctx context.Context, observed time.Time) (Result, error) {
	if err := os.MkdirAll(d.Dir, 0o750); err != nil {
		return Result{}, fmt.Errorf("%s: %w", d.Source, err)
	}
	st, err := d.LoadState()
	if err != nil {
		return Result{}, err
	}
	res, next, err := d.run(ctx, st, observed)
	err = scrubError(err, secretsOf(d.URL)) // a server may echo the URL in its answer
	if err != nil && ctx.Err() != nil {
		return res, err // stopped, not failed: the next start tries at once
	}
	if err != nil {
		next = st
		next.Attempted, next.Error = observed, err.Error()
		if serr := d.saveState(next); serr != nil {
			err = errors.Join(err, serr)
		}
		return res, err
	}
	next.Attempted, next.Checked, next.Error = observed, observed, ""
	return res, d.saveState(next)
}

func (d *Downloader) run(ctx context.Context, st State, observed time.Time) (Result, State, error) {
	last := filepath.Join(d.Dir, lastFile)
	since := st.Validators
	if _, err := os.Stat(last); err != nil || st.File == "" {
		since = bulkfile.Validators{} // nothing to import again on a 304: ask for the whole file
	}
	old, _ := filepath.Glob(filepath.Join(d.Dir, tempGlob))
	for _, p := range old {
		os.Remove(p) // a killed run's
	}
	tmp, err := os.CreateTemp(d.Dir, tempGlob)
	if err != nil {
		return Result{}, st, fmt.Errorf("%s: %w", d.Source, err)
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name()) // gone already when it became the last file
	}()
	hdr, err := d.fetcher().Download(ctx, since, tmp)
	if errors.Is(err, connectors.ErrNotModified) {
		res := Result{NotModified: true, File: st.File, SHA256: st.SHA256, Observed: observed}
		res.Counts, err = d.Import(ctx, last, st.File, observed)
		if err != nil {
			return res, st, fmt.Errorf("%s: unchanged since %s; importing the last file %s again: %w", d.Source, st.Imported.Format(time.RFC3339), st.File, err)
		}
		return res, st, nil
	}
	if err != nil {
		var he *connectors.HTTPError
		if errors.As(err, &he) && (he.Status == http.StatusForbidden || he.Status == http.StatusUnauthorized) {
			err = fmt.Errorf("%w (refused: check the list's user_agent, headers and token)", err)
		}
		return Result{}, st, fmt.Errorf("%w (downloading %s)", err, d.Redacted()) // err names the source
	}
	if mt, _, _ := mime.ParseMediaType(hdr.Get("Content-Type")); mt == "text/html" {
		// A sign-in, consent or error page answered with 200: not a
		// list, and imported it could read as an empty one.
		return Result{}, st, fmt.Errorf("%s: download %s: the server sent an HTML page, not the list", d.Source, d.Redacted())
	}
	sum, err := digest(tmp)
	if err != nil {
		return Result{}, st, fmt.Errorf("%s: %w", d.Source, err)
	}
	if err := tmp.Close(); err != nil {
		return Result{}, st, fmt.Errorf("%s: %w", d.Source, err)
	}
	name := fileName(hdr, d.URL, d.Source)
	res := Result{File: name, SHA256: sum, Observed: observed}
	if d.Check != nil {
		if err := d.Check(ctx, tmp.Name(), name); err != nil {
			return res, st, fmt.Errorf("%s: %s (downloaded from %s) is refused, nothing of it stored: %w", d.Source, name, d.Redacted(), err)
		}
	}
	res.Counts, err = d.Import(ctx, tmp.Name(), name, observed)
	if err != nil {
		return res, st, fmt.Errorf("%s: import %s (downloaded from %s): %w", d.Source, name, d.Redacted(), err)
	}
	if err := os.Rename(tmp.Name(), last); err != nil {
		return res, st, fmt.Errorf("%s: keep the last file: %w", d.Source, err)
	}
	st.Validators = bulkfile.Validators{ETag: hdr.Get("ETag"), LastModified: hdr.Get("Last-Modified")}
	st.File, st.SHA256, st.Imported = name, sum, observed
	return res, st, nil
}

// fetcher is the bulk file's download with the list's URL, headers and
// bound, its logger scrubbing the URL's query values.
func (d *Downloader) fetcher() *bulkfile.Fetcher {
	h := d.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	ua := d.UserAgent
	if ua == "" {
		ua = DefaultUserAgent
	}
	h.Set("User-Agent", ua)
	max := d.MaxBytes
	if max <= 0 {
		max = DefaultMaxBytes
	}
	c := *d.Client
	if c.Log != nil { // the retries' warnings quote the errors
		c.Log = slog.New(scrubHandler{next: c.Log.Handler(), secrets: secretsOf(d.URL)})
	}
	return &bulkfile.Fetcher{Client: &c, URL: d.URL, Name: d.Source, Header: h, MaxBytes: max}
}

// digest is the hex SHA-256 of the file f was written to.
func digest(f *os.File) (string, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read the download: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// fileName is what the downloaded file is imported under (the positions
// of its quarantined entries): the response's Content-Disposition
// filename, else the URL path's last element (without the query), else
// the source's name; a name without an extension gets the one of its
// Content-Type (the EU's ".../content" becomes content.xml).
func fileName(hdr http.Header, raw, source string) string {
	name := strings.ReplaceAll(source, "/", "_")
	if _, p, err := mime.ParseMediaType(hdr.Get("Content-Disposition")); err == nil && usable(filepath.Base(p["filename"])) {
		return filepath.Base(p["filename"])
	}
	if u, err := url.Parse(raw); err == nil && usable(path.Base(u.Path)) {
		name = path.Base(u.Path)
	}
	if path.Ext(name) == "" {
		mt, _, _ := mime.ParseMediaType(hdr.Get("Content-Type"))
		name += extensions[mt]
	}
	return name
}

func usable(name string) bool { return name != "." && name != "/" && name != "" }

// extensions are the file extensions of the lists' content types.
var extensions = map[string]string{"application/xml": ".xml", "text/xml": ".xml", "application/json": ".json",
	"application/x-ndjson": ".json", "text/csv": ".csv"}

// Log logs a Run's outcome.
func Log(log *slog.Logger, l List, res Result, err error) {
	switch {
	case log == nil:
	case err != nil:
		log.Error("list download", "source", l.Source, "url", l.Redacted(), "err", err)
	case res.NotModified:
		log.Info("list unchanged", "source", l.Source, "file", res.File, "records", res.Counts.Records())
	default:
		log.Info("list imported", "source", l.Source, "file", res.File, "sha256", res.SHA256, "new", res.Counts.New,
			"unchanged", res.Counts.Unchanged, "quarantined", res.Counts.Quarantined)
	}
}
