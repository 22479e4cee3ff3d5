package logging

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
)

// Formats of New.
const (
	FormatAuto = "auto" // text on a terminal, JSON otherwise
	FormatJSON = "json"
	FormatText = "text"
)

// RequestIDKey is the attribute a record's request id is logged under.
const RequestIDKey = "request_id"

// ParseFormat checks a format name (auto, json or text; "" is auto) and
// returns it in lower case.
func ParseFormat(format string) (string, error) {
	f := strings.ToLower(strings.TrimSpace(format))
	switch f {
	case "":
		return FormatAuto, nil
	case FormatAuto, FormatJSON, FormatText:
		return f, nil
	}
	return "", fmt.Errorf("logging: format %q: want auto, json or text", format)
}

// ParseLevel reads a level name: debug, info, warn or error ("" is info),
// in any case.
func ParseLevel(level string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(level)) {
	case "debug":
		return slog.LevelDebug, nil
	case "info", "":
		return slog.LevelInfo, nil
	case "warn":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("logging: level %q: want debug, info, warn or error", level)
}

// New returns a logger writing to w in the given format (auto, json or
// text; auto is text when isTerminal, JSON otherwise) from the given
// level on (debug, info, warn or error). Its handler adds request ids
// and masks person numbers and secrets (see Wrap). Whether w is a
// terminal is the caller's to find out.
func New(w io.Writer, format, level string, isTerminal bool) (*slog.Logger, error) {
	f, err := ParseFormat(format)
	if err != nil {
		return nil, err
	}
	l, err := ParseLevel(level)
	if err != nil {
		return nil, err
	}
	if w == nil {
		return nil, fmt.Errorf("logging: no writer")
	}
	if f == FormatAuto {
		f = FormatJSON
		if isTerminal {
			f = FormatText
		}
	}
	opts := &slog.HandlerOptions{Level: l}
	var h slog.Handler
	if f == FormatJSON {
		h = slog.NewJSONHandler(w, opts)
	} else {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(Wrap(h)), nil
}

// Wrap returns a handler that passes records on to inner with the
// context's request id added as request_id (unless the record has a
// request_id of its own) and with person numbers and secrets masked in
// the message and in every attribute, those given to With too. The
// request id stays at the top level when groups are open.
func Wrap(inner slog.Handler) slog.Handler {
	if h, ok := inner.(*handler); ok {
		return h
	}
	return &handler{inner: inner}
}

type handler struct {
	inner slog.Handler // with the attributes given before any group
	// groups are the groups opened by WithGroup, each with the attributes
	// given after it; they are put together in Handle so that request_id
	// can stand outside them.
	groups []group
	// hasID: an attribute request_id was given to With at the top level.
	hasID bool
}

type group struct {
	name  string
	attrs []slog.Attr
}

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, RedactText(r.Message), r.PC)
	attrs := make([]slog.Attr, 0, r.NumAttrs())
	hasID := h.hasID
	r.Attrs(func(a slog.Attr) bool {
		if len(h.groups) == 0 && a.Key == RequestIDKey {
			hasID = true
		}
		attrs = append(attrs, redactAttr(a))
		return true
	})
	if id := RequestID(ctx); id != "" && !hasID {
		out.AddAttrs(slog.String(RequestIDKey, id))
	}
	for i := len(h.groups) - 1; i >= 0; i-- {
		g := h.groups[i]
		attrs = []slog.Attr{{Key: g.name, Value: slog.GroupValue(append(slices.Clip(g.attrs), attrs...)...)}}
	}
	out.AddAttrs(attrs...)
	return h.inner.Handle(ctx, out)
}

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler {
	if len(as) == 0 {
		return h
	}
	red := make([]slog.Attr, len(as))
	for i, a := range as {
		red[i] = redactAttr(a)
	}
	c := *h
	if len(h.groups) == 0 {
		c.inner = h.inner.WithAttrs(red)
		c.hasID = h.hasID || slices.ContainsFunc(as, func(a slog.Attr) bool { return a.Key == RequestIDKey })
		return &c
	}
	c.groups = slices.Clone(h.groups)
	last := &c.groups[len(c.groups)-1]
	last.attrs = append(slices.Clip(last.attrs), red...)
	return &c
}

func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.groups = append(slices.Clip(h.groups), group{name: name})
	return &c
}

type ctxKey struct{}

// WithRequestID returns ctx carrying the request id; records logged with
// it get the attribute request_id, and the connectors send it on.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// RequestID returns the request id ctx carries, or "".
func RequestID(ctx context.Context) string {
	if ctx == nil {
		return ""
	}
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// NewRequestID returns a new request id: 128 random bits in hex.
func NewRequestID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// MaxRequestIDLen is the longest request id accepted from a caller.
const MaxRequestIDLen = 64

// ValidRequestID reports whether an id sent by a caller may be used as
// it is: 1 to 64 characters of A-Z, a-z, 0-9 and . _ : -, and no person
// number in them. (Nothing else is safe to echo in headers and logs.)
func ValidRequestID(id string) bool {
	if id == "" || len(id) > MaxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == ':' || c == '-') {
			return false
		}
	}
	return RedactText(id) == id
}

// AcceptRequestID returns the caller's id when ValidRequestID accepts it
// and a new one otherwise.
func AcceptRequestID(id string) string {
	if ValidRequestID(id) {
		return id
	}
	return NewRequestID()
}
