package settings

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/connectors/listfetch"
	"github.com/vaksam/vaksam/engine/excerpt"
	"github.com/vaksam/vaksam/engine/record"
)

// SanctionsLists is sources.sanctions: the downloads of the sanctions
// lists (connectors/listfetch). None is enabled by default; a list not
// downloaded can still be dropped in its inbox or imported with vaksam
// ingest.
type SanctionsLists struct {
	EU  *ListDownload `yaml:"eu"`  // sanctions-eu: the EU's consolidated financial sanctions file (XML 1.1)
	UN  *ListDownload `yaml:"un"`  // sanctions-un: the UN Security Council's consolidated list (XML)
	FtM *ListDownload `yaml:"ftm"` // sanctions-ftm: OpenSanctions' entities.ftm.json
}

// ListDownload is one list's download.
type ListDownload struct {
	Enabled bool `yaml:"enabled"`
	// URL is the file's address; default the list's published one
	// (DefaultListURL). It may carry a credential in its query: it is
	// never logged or shown.
	URL string `yaml:"url"`
	// Token, when set, becomes the URL's token query parameter (the EU's
	// file needs one), so the URL in the file can go without it.
	Token Secret `yaml:"token"`
	// Every is the interval between checks (default 6h); each check is a
	// conditional request.
	Every time.Duration `yaml:"every"`
	// UserAgent is sent as User-Agent (default listfetch.DefaultUserAgent:
	// the EU's server refuses Go's own).
	UserAgent string `yaml:"user_agent"`
	// Headers are more request headers.
	Headers map[string]string `yaml:"headers"`
	// MaxBytes bounds the file (default 1 GiB).
	MaxBytes int64 `yaml:"max_bytes"`
}

// DefaultListURL is each list's published address used when url is not
// given. The EU's takes a token (ListDownload.Token).
var DefaultListURL = map[string]string{
	record.SanctionsEU:  strings.TrimSuffix(listfetch.ExampleEUURL, "?token=TOKEN"),
	record.SanctionsUN:  listfetch.ExampleUNURL,
	record.SanctionsFtM: listfetch.ExampleFtMURL,
}

// Bounds of sources.sanctions.*.every: a list's freshness window is 2
// days, so a check must come well within it.
const (
	minListEvery = time.Minute
	maxListEvery = 24 * time.Hour
)

// reservedHeaders are set by the download itself (Accept-Encoding by Go's
// transport, which then decompresses the body; set by hand, it would not).
var reservedHeaders = []string{"If-None-Match", "If-Modified-Since", "X-Request-Id", "Host", "Content-Length", "User-Agent", "Accept-Encoding"}

// each calls fn with every configured list: its key, source and settings.
func (s SanctionsLists) each(fn func(key, source string, l *ListDownload)) {
	for _, x := range []struct {
		key, source string
		l           *ListDownload
	}{{"eu", record.SanctionsEU, s.EU}, {"un", record.SanctionsUN, s.UN}, {"ftm", record.SanctionsFtM, s.FtM}} {
		if x.l != nil {
			fn(x.key, x.source, x.l)
		}
	}
}

// Enabled names the sources of the enabled lists.
func (s SanctionsLists) Enabled() []string {
	var out []string
	s.each(func(_, source string, l *ListDownload) {
		if l.Enabled {
			out = append(out, source)
		}
	})
	return out
}

// Lists returns the enabled lists' downloads, their tokens read.
func (s SanctionsLists) Lists() ([]listfetch.List, error) {
	var out []listfetch.List
	var err error
	s.each(func(key, source string, l *ListDownload) {
		if !l.Enabled || err != nil {
			return
		}
		var u string
		if u, err = l.url(source, "sources.sanctions."+key); err != nil {
			return
		}
		h := http.Header{}
		for k, v := range l.Headers {
			h.Set(k, v)
		}
		out = append(out, listfetch.List{Source: source, URL: u, UserAgent: l.UserAgent, Header: h, Every: l.Every, MaxBytes: l.MaxBytes})
	})
	return out, err
}

// url is the list's URL with its token; path is the list's key.
func (l *ListDownload) url(source, path string) (string, error) {
	raw := l.URL
	if raw == "" {
		raw = DefaultListURL[source]
	}
	if !l.Token.IsSet() {
		return raw, nil
	}
	tok, err := l.Token.Value(path + ".token")
	if err != nil {
		return "", err
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("%s.url: not a URL: %s", path, connectors.RedactURL(raw))
	}
	q := u.Query()
	q.Set("token", tok)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// checkSanctions finds the problems of sources.sanctions.
func checkSanctions(s SanctionsLists, add func(path, format string, a ...any)) {
	s.each(func(key, source string, l *ListDownload) {
		path := "sources.sanctions." + key
		if l.URL != "" {
			// Not checkHTTPURL: its message would show the query's token.
			if u, err := url.Parse(l.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				add(path+".url", "want an http(s) URL such as %s, got %s", DefaultListURL[source], excerpt.Quote(connectors.RedactURL(l.URL)))
			}
		}
		oneWay(add, path+".token", l.Token)
		if source == record.SanctionsEU && l.Enabled && !l.Token.IsSet() && !strings.Contains(l.URL, "token=") {
			add(path, "the EU's file needs a token: give token {env: VARIABLE} or {file: PATH}, or ?token= in url")
		}
		if l.Every != 0 && (l.Every < minListEvery || l.Every > maxListEvery) {
			add(path+".every", "want %v to %v between checks (a list's freshness window is 2 days), got %v", minListEvery, maxListEvery, l.Every)
		}
		if l.MaxBytes < 0 {
			add(path+".max_bytes", "must not be negative, got %d", l.MaxBytes)
		}
		if strings.ContainsAny(l.UserAgent, "\r\n") {
			add(path+".user_agent", "must be one line")
		}
		for k, v := range l.Headers {
			switch {
			case !validHeaderName(k):
				add(path+".headers."+k, "not a header name: %s", excerpt.Quote(k))
			case containsFold(reservedHeaders, k):
				add(path+".headers."+k, "set by the download itself (give user_agent for User-Agent)")
			case strings.ContainsAny(v, "\r\n"):
				add(path+".headers."+k, "must be one line")
			}
		}
	})
}

// validHeaderName reports whether k is an HTTP token (RFC 9110).
func validHeaderName(k string) bool {
	if k == "" {
		return false
	}
	for _, r := range k {
		if r > 0x7e || r <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r) {
			return false
		}
	}
	return true
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// sanctionsSecrets are the lists' tokens, for Secrets.
func sanctionsSecrets(s SanctionsLists) []secretRef {
	var out []secretRef
	s.each(func(key, _ string, l *ListDownload) {
		if l.Token.IsSet() {
			out = append(out, secretRef{"sources.sanctions." + key + ".token", l.Token})
		}
	})
	return out
}

// redactedSanctions is s with every URL's query values hidden, for
// config show.
func redactedSanctions(s SanctionsLists) SanctionsLists {
	redact := func(l *ListDownload) *ListDownload {
		if l == nil {
			return nil
		}
		c := *l
		if c.URL != "" {
			c.URL = connectors.RedactURL(c.URL)
		}
		return &c
	}
	return SanctionsLists{EU: redact(s.EU), UN: redact(s.UN), FtM: redact(s.FtM)}
}
