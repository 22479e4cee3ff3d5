package formats

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
)

// utf8BOM is the byte order mark some exports put before the first line.
var utf8BOM = []byte("\xEF\xBB\xBF")

// lineReader reads physical lines and numbers them from 1. It strips a
// UTF-8 BOM before the first line and the line ending (\n or \r\n). A
// returned line is valid until the next call. A line longer than limit
// bytes is read past, not held: next returns it as a *tooLong error with
// its first bytes.
type lineReader struct {
	br      *bufio.Reader
	n       int
	limit   int
	long    bounded // a line longer than the buffer
	dropNUL bool    // remove NUL bytes (bulk files)
	pushed  []heldLine
}

// heldLine is a line read ahead and given back (see unread).
type heldLine struct {
	text []byte
	n    int
	long *tooLong // the line was over the limit
}

func newLineReader(r io.Reader, limit int) *lineReader {
	br := bufio.NewReaderSize(r, min(256<<10, limit+2))
	skipBOM(br)
	return &lineReader{br: br, limit: limit}
}

// skipBOM drops a UTF-8 byte order mark at the start of br.
func skipBOM(br *bufio.Reader) {
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, utf8BOM) {
		br.Discard(3)
	}
}

// next returns the next line and its number; io.EOF after the last. A
// line over the limit is a *tooLong error, and reading can go on.
func (l *lineReader) next() ([]byte, int, error) {
	if k := len(l.pushed); k > 0 {
		h := l.pushed[k-1]
		l.pushed = l.pushed[:k-1]
		if h.long != nil {
			return nil, h.n, h.long
		}
		return h.text, h.n, nil
	}
	line, err := l.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		// The line ending is not counted: two bytes more may be kept.
		l.long.reset(l.limit + 2)
		l.long.add(line)
		for err == bufio.ErrBufferFull {
			line, err = l.br.ReadSlice('\n')
			l.long.add(line)
		}
		line = l.long.buf
	}
	if err != nil && err != io.EOF {
		return nil, l.n, err
	}
	if err == io.EOF && len(line) == 0 {
		return nil, l.n, io.EOF
	}
	l.n++
	size, tail := int64(len(line)), line
	if l.long.size > 0 {
		size, tail, l.long.size = l.long.size, l.long.tail[:], 0
	}
	if err == nil { // ends in \n: not counted, nor a \r before it
		size--
		if n := len(tail); n >= 2 && tail[n-2] == '\r' {
			size--
		}
	}
	if size > int64(l.limit) {
		return nil, l.n, &tooLong{what: "line", size: size, limit: l.limit, head: recordExcerpt(line)}
	}
	line = bytes.TrimSuffix(line, []byte{'\n'})
	line = bytes.TrimSuffix(line, []byte{'\r'})
	if l.dropNUL {
		line = stripNUL(line)
	}
	return line, l.n, nil
}

// unread gives lines back to be returned again by next, in the order given.
func (l *lineReader) unread(lines []heldLine) {
	for i := len(lines) - 1; i >= 0; i-- {
		l.pushed = append(l.pushed, lines[i])
	}
}

// stripNUL removes NUL bytes in place.
func stripNUL(b []byte) []byte {
	if bytes.IndexByte(b, 0) < 0 {
		return b
	}
	out := b[:0]
	for _, c := range b {
		if c != 0 {
			out = append(out, c)
		}
	}
	return out
}

// isBlank reports whether a line holds only spaces and tabs.
func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}

// emitter hands records and quarantines to the sink with their source and
// position.
type emitter struct {
	ctx    context.Context
	source string
	name   string
	sink   Sink
	// scrub, when set, replaces person numbers in quarantined bytes (the
	// formats that carry persons).
	scrub record.Pseudonymizer
	// persons pseudonymises a sole trader's owner (registry formats).
	persons record.Pseudonymizer
	// orgnr is the organisation the input was asked for (Options.Orgnr).
	orgnr ident.Org
	log   *slog.Logger
	// noted holds the notes already logged in this parse (noteOnce).
	noted map[string]bool
	// limits are the parse's bounds, defaults filled in.
	limits Limits
}

func newEmitter(ctx context.Context, source string, opt Options, sink Sink) *emitter {
	name := opt.Name
	if name == "" {
		name = "-"
	}
	log := opt.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &emitter{ctx: ctx, source: source, name: name, sink: sink, persons: opt.Persons, orgnr: opt.Orgnr, log: log,
		limits: limitsFor(source, opt.Limits)}
}

// noteOnce logs something the parse kept but did not understand (an
// unknown code), once per key and parse, with where it was first seen.
func (e *emitter) noteOnce(key string, line int, msg string, args ...any) {
	if e.noted[key] {
		return
	}
	if e.noted == nil {
		e.noted = map[string]bool{}
	}
	e.noted[key] = true
	e.log.Warn(e.source+": "+msg, append(args, "pos", e.pos(line))...)
}

// newPersonEmitter is newEmitter for the formats that carry person
// numbers: they need a pseudonymizer, and quarantined bytes are scrubbed
// of person numbers too.
func newPersonEmitter(ctx context.Context, source string, opt Options, sink Sink) (*emitter, error) {
	if opt.Persons == nil {
		return nil, errNoPersons
	}
	e := newEmitter(ctx, source, opt, sink)
	e.scrub = opt.Persons
	return e, nil
}

func (e *emitter) pos(line int) string { return e.name + ":" + strconv.Itoa(line) }

// record sends an accepted record found at line.
func (e *emitter) record(line int, it record.Item) error {
	it.Source = e.source
	it.Pos = e.pos(line)
	return e.sink.Record(it)
}

// quarantine sends a rejected record found at line. raw is copied.
func (e *emitter) quarantine(line int, reason string, raw []byte) error {
	b := append([]byte(nil), raw...)
	if e.scrub != nil {
		b = scrubPersonNumbers(b, e.scrub)
	}
	return e.sink.Quarantine(record.Quarantined{Source: e.source, Pos: e.pos(line), Reason: reason, Raw: b})
}

// done reports the context's error, if it is cancelled.
func (e *emitter) done() error { return e.ctx.Err() }

// errNoPersons is returned by formats that carry persons when
// Options.Persons is missing.
var errNoPersons = errors.New("formats: Options.Persons is required for a format with person numbers")

// each calls fn with every non-blank line and its number, until the input
// ends, the context ends, or fn returns an error. A line over the limit is
// quarantined with its first bytes.
func (lr *lineReader) each(e *emitter, fn func(line []byte, n int) error) error {
	for {
		if err := e.done(); err != nil {
			return err
		}
		line, n, err := lr.next()
		if err == io.EOF {
			return nil
		}
		if long, ok := err.(*tooLong); ok {
			if err := e.quarantine(n, long.Error(), long.head); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", e.pos(n+1), err)
		}
		if isBlank(line) {
			continue
		}
		if err := fn(line, n); err != nil {
			return err
		}
	}
}

// emit records what a parser built from the record at line n, whose bytes
// are raw; if building failed, it quarantines raw with the error instead.
// The Item's Raw defaults to a copy of raw.
func (e *emitter) emit(n int, it record.Item, err error, raw []byte) error {
	if err != nil {
		return e.quarantine(n, err.Error(), raw)
	}
	if it.Raw == nil {
		it.Raw = bytes.Clone(raw)
	}
	return e.record(n, it)
}
