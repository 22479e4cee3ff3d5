package formats

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// lineTracker counts the newlines a JSON decoder reads, so that the line
// on which a value starts can be told from the decoder's byte offset. It
// keeps only the newlines of the decoder's look-ahead, not the whole input.
type lineTracker struct {
	r    io.Reader
	read int64   // bytes read so far
	nl   []int64 // offsets of newlines at or after the last asked offset
	line int     // line number at the last asked offset
	err  error   // a read error other than io.EOF
}

func (t *lineTracker) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	for i := 0; i < n; {
		k := bytes.IndexByte(p[i:n], '\n')
		if k < 0 {
			break
		}
		t.nl = append(t.nl, t.read+int64(i+k))
		i += k + 1
	}
	t.read += int64(n)
	if err != nil && err != io.EOF {
		t.err = err
	}
	return n, err
}

// lineAt returns the 1-based line of byte offset off. Offsets must not
// decrease from one call to the next.
func (t *lineTracker) lineAt(off int64) int {
	k := 0
	for k < len(t.nl) && t.nl[k] < off {
		k++
	}
	t.line += k
	t.nl = t.nl[k:]
	return t.line
}

// jsonStream walks a stream of JSON documents token by token (the API
// formats), so that arrays of records are read one element at a time, and
// tells the line each element starts on.
type jsonStream struct {
	dec *json.Decoder
	tr  *lineTracker
	e   *emitter
}

func newJSONStream(r io.Reader, e *emitter) *jsonStream {
	br := bufio.NewReaderSize(r, 64<<10)
	skipBOM(br)
	tr := &lineTracker{r: br, line: 1}
	return &jsonStream{dec: json.NewDecoder(tr), tr: tr, e: e}
}

// nextLine returns the line on which the next token starts. (Should the
// decoder's look-ahead end between a comma and the token, it is the line
// of the comma.)
func (s *jsonStream) nextLine() int {
	s.dec.More() // makes the decoder look ahead to the next token
	off := s.dec.InputOffset()
	buf := s.dec.Buffered()
	var b [256]byte
	for {
		n, _ := buf.Read(b[:])
		if n == 0 {
			break
		}
		for _, c := range b[:n] {
			switch c {
			case ' ', '\t', '\r', '\n', ',', ':':
				off++
			default:
				return s.tr.lineAt(off)
			}
		}
	}
	return s.tr.lineAt(off)
}

// atEOF reports whether only white space is left.
func (s *jsonStream) atEOF() (bool, error) {
	if s.dec.More() {
		return false, nil
	}
	_, err := s.dec.Token()
	if err == io.EOF {
		return true, nil
	}
	if err == nil {
		// A closing delimiter where a document should start.
		return false, s.broken(errors.New("unexpected closing bracket"))
	}
	return false, s.broken(err)
}

// delim reads the next token and checks that it is the delimiter want (or
// null, when nullOK). It reports whether it was null.
func (s *jsonStream) delim(want json.Delim, what string, nullOK bool) (isNull bool, err error) {
	line := s.nextLine()
	tok, err := s.dec.Token()
	if err != nil {
		return false, s.broken(err)
	}
	if tok == nil && nullOK {
		return true, nil
	}
	if d, ok := tok.(json.Delim); ok && d == want {
		return false, nil
	}
	return false, s.stop(line, fmt.Sprintf("%s: want %q, got %s", what, string(want), describeToken(tok)))
}

// key reads an object key, or reports false at the object's end.
func (s *jsonStream) key() (string, bool, error) {
	tok, err := s.dec.Token()
	if err != nil {
		return "", false, s.broken(err)
	}
	switch t := tok.(type) {
	case string:
		return t, true, nil
	case json.Delim:
		if t == '}' {
			return "", false, nil
		}
	}
	return "", false, s.broken(fmt.Errorf("want an object key, got %s", describeToken(tok)))
}

// value decodes the next value whole, as raw bytes, and tells the line it
// starts on: the raw bytes end at the decoder's offset.
func (s *jsonStream) value() (json.RawMessage, int, error) {
	var raw json.RawMessage
	if err := s.dec.Decode(&raw); err != nil {
		return nil, 0, s.broken(err)
	}
	return raw, s.tr.lineAt(s.dec.InputOffset() - int64(len(raw))), nil
}

// errStop ends a parse after a quarantined error that leaves nothing more
// to read; the parser returns nil for it.
var errStop = errors.New("stop")

// stop quarantines a structural problem at line and ends the parse.
func (s *jsonStream) stop(line int, reason string) error {
	if err := s.e.quarantine(line, reason, nil); err != nil {
		return err
	}
	return errStop
}

// broken handles a decoder error: a read error is returned as it is; a
// syntax error or a truncated document is quarantined at the line it was
// found on, and the parse ends (a JSON decoder cannot resynchronise).
func (s *jsonStream) broken(err error) error {
	if s.tr.err != nil {
		return s.tr.err
	}
	return s.stop(s.tr.lineAt(s.errorOffset()), jsonReason(err))
}

// errorOffset finds the offset of a syntax error at the decoder's
// position: the decoder's own offsets are not absolute, so the look-ahead
// is scanned again.
func (s *jsonStream) errorOffset() int64 {
	off := s.dec.InputOffset()
	b, _ := io.ReadAll(s.dec.Buffered())
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n' || b[i] == ',' || b[i] == ':') {
		i++
	}
	var v any
	var se *json.SyntaxError
	if err := json.Unmarshal(b[i:], &v); errors.As(err, &se) && se.Offset > 0 {
		return off + int64(i) + se.Offset - 1
	}
	return off + int64(i)
}

// finish maps the internal errStop to a normal end of the parse.
func finish(err error) error {
	if err == errStop {
		return nil
	}
	return err
}

func describeToken(tok json.Token) string {
	switch t := tok.(type) {
	case nil:
		return "null"
	case json.Delim:
		return fmt.Sprintf("%q", string(t))
	case string:
		return "a string"
	case bool:
		return "a boolean"
	default:
		return "a number"
	}
}
