package listfetch

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
)

// secretsOf are the values of a URL's query (and its password), as given
// and as escaped: what must not appear in an error or a log line even
// when a server echoes the request's URL in its answer.
func secretsOf(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil {
		return nil
	}
	var out []string
	add := func(v string) {
		if len(v) >= 4 { // shorter values are not credentials, and would scrub too much
			out = append(out, v, url.QueryEscape(v), url.PathEscape(v))
		}
	}
	for _, vs := range u.Query() {
		for _, v := range vs {
			add(v)
		}
	}
	if p, ok := u.User.Password(); ok {
		add(p)
	}
	return out
}

// scrub replaces every secret in s by "xxxxx".
func scrub(s string, secrets []string) string {
	for _, v := range secrets {
		s = strings.ReplaceAll(s, v, "xxxxx")
	}
	return s
}

// scrubbed is an error whose message has the secrets replaced; Unwrap
// still gives the error (its HTTP status, its timeout).
type scrubbed struct {
	err     error
	secrets []string
}

func (e *scrubbed) Error() string { return scrub(e.err.Error(), e.secrets) }
func (e *scrubbed) Unwrap() error { return e.err }

func scrubError(err error, secrets []string) error {
	if err == nil || len(secrets) == 0 {
		return err
	}
	return &scrubbed{err: err, secrets: secrets}
}

// scrubHandler is a slog.Handler that scrubs the secrets from every
// message and attribute (errors included) before passing the record on.
type scrubHandler struct {
	next    slog.Handler
	secrets []string
}

func (h scrubHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h scrubHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, scrub(r.Message, h.secrets), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h scrubHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, scrub(v.String(), h.secrets))
	case slog.KindGroup:
		g := v.Group()
		attrs := make([]any, len(g))
		for i, x := range g {
			attrs[i] = h.attr(x)
		}
		return slog.Group(a.Key, attrs...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, scrub(err.Error(), h.secrets))
		}
		return slog.String(a.Key, scrub(v.String(), h.secrets))
	}
	return slog.Attr{Key: a.Key, Value: v}
}

func (h scrubHandler) WithAttrs(as []slog.Attr) slog.Handler {
	out := make([]slog.Attr, len(as))
	for i, a := range as {
		out[i] = h.attr(a)
	}
	return scrubHandler{next: h.next.WithAttrs(out), secrets: h.secrets}
}

func (h scrubHandler) WithGroup(name string) slog.Handler {
	return scrubHandler{next: h.next.WithGroup(name), secrets: h.secrets}
}
