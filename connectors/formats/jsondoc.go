package formats

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/vaksam/vaksam/engine/excerpt"
	"github.com/vaksam/vaksam/engine/strictjson"
)

// jsonStream walks a stream of JSON documents (the API formats), so that
// arrays of records are read one element at a time, and tells the line
// each value starts on.
//
// It reads the structure the parsers walk (the documents, their objects'
// keys, the arrays of records) itself, byte by byte, and hands each value
// a parser asks for as raw bytes. A value is never held whole beyond the
// parse's Limits.Record: a longer one is read past, its first bytes are
// quarantined with its size, and the parse goes on with the next value (a
// whole answer may be one line, so the bound is per value, not per line).
// A value that is not valid JSON, has a string over Limits.Field or an
// object member name given twice is quarantined and skipped the same way;
// only a broken structure (a bracket that closes nothing, the input ending
// inside a value) ends the parse.
type jsonStream struct {
	br   *bufio.Reader
	e    *emitter
	line int     // line of the next unread byte
	err  error   // a read error other than io.EOF
	open []frame // the containers the parser is in
	cur  bounded // the value being read
}

// frame is an object or array the parser has entered.
type frame struct {
	kind  byte // '{' or '['
	n     int  // members or elements read
	names map[string]bool
	// member: an object's key has been read and its value has not.
	member bool
}

func newJSONStream(r io.Reader, e *emitter) *jsonStream {
	br := bufio.NewReaderSize(r, 64<<10)
	skipBOM(br)
	return &jsonStream{br: br, e: e, line: 1}
}

// skipSpace consumes white space, counting lines.
func (s *jsonStream) skipSpace() {
	for {
		buf := s.buffered()
		if len(buf) == 0 {
			return
		}
		i := 0
		for i < len(buf) && isSpaceByte(buf[i]) {
			if buf[i] == '\n' {
				s.line++
			}
			i++
		}
		s.br.Discard(i)
		if i < len(buf) {
			return
		}
	}
}

// buffered returns the bytes buffered, reading more when there are none;
// empty at the end of the input (or on a read error, kept in s.err).
func (s *jsonStream) buffered() []byte {
	if s.br.Buffered() == 0 {
		if _, err := s.br.Peek(1); err != nil {
			if err != io.EOF && s.err == nil {
				s.err = err
			}
			return nil
		}
	}
	b, _ := s.br.Peek(s.br.Buffered())
	return b
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// peek skips white space and returns the next byte; false at the end.
func (s *jsonStream) peek() (byte, bool) {
	s.skipSpace()
	b := s.buffered()
	if len(b) == 0 {
		return 0, false
	}
	return b[0], true
}

// nextLine returns the line on which the next token starts.
func (s *jsonStream) nextLine() int {
	s.skipSpace()
	return s.line
}

// more reports whether the array or object the parser is in has another
// element or member.
func (s *jsonStream) more() bool {
	c, ok := s.peek()
	return ok && c != ']' && c != '}'
}

// atEOF reports whether only white space is left.
func (s *jsonStream) atEOF() (bool, error) {
	c, ok := s.peek()
	if !ok {
		return true, s.err
	}
	if c == ']' || c == '}' {
		return false, s.stop(s.line, "invalid JSON: unexpected closing bracket")
	}
	return false, nil
}

// separator consumes the comma before the next element of an array or
// member of an object, if one is due. It reports false at the end of the
// input.
func (s *jsonStream) separator() error {
	if len(s.open) == 0 {
		return nil
	}
	f := &s.open[len(s.open)-1]
	if f.member || f.n == 0 {
		return nil
	}
	c, ok := s.peek()
	if !ok {
		return s.ended()
	}
	if c != ',' {
		return s.stop(s.line, fmt.Sprintf("invalid JSON: %s after a value, want ',' or '%c'", describeByte(c), closer(f.kind)))
	}
	s.br.Discard(1)
	return nil
}

// ended ends the parse at an input that stops inside the documents.
func (s *jsonStream) ended() error {
	if s.err != nil {
		return s.err
	}
	return s.stop(s.line, "invalid JSON: unexpected end of input")
}

// delim reads the next token and checks that it is the delimiter want (or
// null, when nullOK). It reports whether it was null.
func (s *jsonStream) delim(want byte, what string, nullOK bool) (isNull bool, err error) {
	if want == '{' || want == '[' {
		if err := s.separator(); err != nil {
			return false, err
		}
	}
	c, ok := s.peek()
	if !ok {
		return false, s.ended()
	}
	line := s.line
	switch {
	case c == want && (want == '{' || want == '['):
		s.br.Discard(1)
		s.counted()
		s.open = append(s.open, frame{kind: want})
		return false, nil
	case c == want:
		if n := len(s.open); n == 0 || s.open[n-1].kind != opener(want) {
			return false, s.stop(line, "invalid JSON: unexpected closing bracket")
		}
		s.br.Discard(1)
		s.open = s.open[:len(s.open)-1]
		return false, nil
	case c == 'n' && nullOK:
		raw, ok, err := s.scan()
		if err != nil || !ok {
			return false, err
		}
		if string(raw) == "null" {
			s.counted()
			return true, nil
		}
		return false, s.stop(line, fmt.Sprintf("%s: want %q, got invalid JSON", what, string(want)))
	}
	return false, s.stop(line, fmt.Sprintf("%s: want %q, got %s", what, string(want), describeByte(c)))
}

// counted notes that a value of the current container has been read.
func (s *jsonStream) counted() {
	if n := len(s.open); n > 0 {
		s.open[n-1].n++
		s.open[n-1].member = false
	}
}

// key reads an object's next member name, or reports false at the
// object's end. A member whose name is over Limits.Field, is not a string
// or was given before in the object is quarantined with its value
// skipped.
func (s *jsonStream) key() (string, bool, error) {
	for {
		if c, ok := s.peek(); ok && c == '}' {
			if _, err := s.delim('}', "object", false); err != nil {
				return "", false, err
			}
			return "", false, nil
		}
		if err := s.separator(); err != nil {
			return "", false, err
		}
		c, ok := s.peek()
		if !ok {
			return "", false, s.ended()
		}
		line := s.line
		if c != '"' {
			return "", false, s.stop(line, fmt.Sprintf("invalid JSON: want an object key, got %s", describeByte(c)))
		}
		raw, whole, err := s.scan()
		if err != nil {
			return "", false, err
		}
		if c, ok := s.peek(); !ok || c != ':' {
			if !ok {
				return "", false, s.ended()
			}
			return "", false, s.stop(s.line, fmt.Sprintf("invalid JSON: %s after an object key, want ':'", describeByte(c)))
		}
		s.br.Discard(1)
		f := &s.open[len(s.open)-1]
		f.member = true
		var name string
		reason := ""
		switch {
		case !whole || len(raw)-2 > s.e.limits.Field:
			reason = fmt.Sprintf("key of %d bytes exceeds the limit of %d", s.cur.size-2, s.e.limits.Field)
		case json.Unmarshal(raw, &name) != nil:
			reason = "invalid JSON: bad object key"
		case f.names[name]:
			reason = fmt.Sprintf("key %s given twice", excerpt.Quote(name))
		}
		if reason == "" {
			if f.names == nil {
				f.names = map[string]bool{}
			}
			f.names[name] = true
			return name, true, nil
		}
		if err := s.e.quarantine(line, reason, nil); err != nil {
			return "", false, err
		}
		// Skip the member's value.
		if _, _, err := s.next(); err != nil {
			return "", false, err
		}
	}
}

// value reads the next value whole, as raw bytes of its own, and tells the
// line it starts on. A value it quarantined (see jsonStream) is skipped:
// raw is nil.
func (s *jsonStream) value() (raw json.RawMessage, line int, err error) {
	raw, line, err = s.next()
	if err != nil || raw == nil {
		return nil, line, err
	}
	reason := ""
	if err := checkFields(raw, s.e.limits.Field); err != nil {
		reason, raw = err.Error(), recordExcerpt(raw)
	} else if err := strictjson.CheckNames(raw); err != nil {
		reason = err.Error()
		var de *strictjson.DuplicateError
		if uerr := json.Unmarshal(raw, new(json.RawMessage)); uerr != nil && !errors.As(err, &de) {
			// The reason as the parsers' decoding words it.
			reason = jsonReason(uerr)
		}
	}
	if reason != "" {
		return nil, line, s.e.quarantine(line, reason, raw)
	}
	return bytes.Clone(raw), line, nil
}

// next reads the next value, consuming the comma before it, and returns
// its bytes (valid until the next read) and line; a value over
// Limits.Record is quarantined, and nil is returned for it.
func (s *jsonStream) next() ([]byte, int, error) {
	if err := s.separator(); err != nil {
		return nil, 0, err
	}
	c, ok := s.peek()
	if !ok {
		return nil, s.line, s.ended()
	}
	line := s.line
	if c == '}' || c == ']' || c == ',' || c == ':' {
		return nil, line, s.stop(line, fmt.Sprintf("invalid JSON: want a value, got %s", describeByte(c)))
	}
	raw, whole, err := s.scan()
	if err != nil {
		return nil, line, err
	}
	s.counted()
	if !whole {
		long := &tooLong{what: "value", size: s.cur.size, limit: s.cur.limit, head: recordExcerpt(raw)}
		return nil, line, s.e.quarantine(line, long.Error(), long.head)
	}
	return raw, line, nil
}

// scan reads one value's bytes: a string, an object or array to its
// closing bracket, or a literal to the next delimiter. It keeps at most
// Limits.Record bytes (whole is false past that) and checks only the
// brackets: a bracket that closes the wrong one or the input ending inside
// the value ends the parse.
func (s *jsonStream) scan() (raw []byte, whole bool, err error) {
	s.cur.reset(s.e.limits.Record)
	var (
		nest   []byte // open brackets
		inStr  bool
		esc    bool
		first  = true
		scalar bool
	)
	for {
		buf := s.buffered()
		if len(buf) == 0 {
			if scalar && !first {
				return s.cur.buf, !s.cur.over(), nil
			}
			return nil, false, s.ended()
		}
		end := -1
	scanning:
		for i := 0; i < len(buf); i++ {
			c := buf[i]
			if inStr && !esc && c != '"' && c != '\\' {
				// Skip to the string's next quote or escape.
				k := indexQuoteOrEscape(buf[i:])
				if k < 0 {
					k = len(buf) - i
				}
				s.line += bytes.Count(buf[i:i+k], newline)
				i += k - 1
				continue
			}
			if first {
				first = false
				switch c {
				case '"':
					inStr = true
				case '{', '[':
					nest = append(nest, c)
				default:
					scalar = true
				}
				continue
			}
			if c == '\n' {
				s.line++
			}
			switch {
			case inStr:
				switch {
				case esc:
					esc = false
				case c == '\\':
					esc = true
				case c == '"':
					inStr = false
					if len(nest) == 0 {
						end = i + 1
						break scanning
					}
				}
			case scalar:
				if isSpaceByte(c) || c == ',' || c == ']' || c == '}' || c == ':' {
					if c == '\n' {
						s.line-- // not consumed
					}
					end = i
					break scanning
				}
			case c == '"':
				inStr = true
			case c == '{' || c == '[':
				nest = append(nest, c)
			case c == '}' || c == ']':
				if nest[len(nest)-1] != opener(c) {
					return nil, false, s.stop(s.line, fmt.Sprintf("invalid JSON: '%c' closes '%c'", c, nest[len(nest)-1]))
				}
				nest = nest[:len(nest)-1]
				if len(nest) == 0 {
					end = i + 1
					break scanning
				}
			}
		}
		if end >= 0 {
			s.cur.add(buf[:end])
			s.br.Discard(end)
			return s.cur.buf, !s.cur.over(), nil
		}
		s.cur.add(buf)
		s.br.Discard(len(buf))
	}
}

var newline = []byte{'\n'}

// indexQuoteOrEscape returns the index of the first '"' or '\\' in b, or
// -1.
func indexQuoteOrEscape(b []byte) int { return bytes.IndexAny(b, "\"\\") }

func opener(c byte) byte {
	if c == '}' {
		return '{'
	}
	return '['
}

func closer(c byte) byte {
	if c == '{' {
		return '}'
	}
	return ']'
}

// errStop ends a parse after a quarantined error that leaves nothing more
// to read; the parser returns nil for it.
var errStop = errors.New("stop")

// stop quarantines a structural problem at line and ends the parse; a
// read error is returned as it is.
func (s *jsonStream) stop(line int, reason string) error {
	if s.err != nil {
		return s.err
	}
	if err := s.e.quarantine(line, reason, nil); err != nil {
		return err
	}
	return errStop
}

// finish maps the internal errStop to a normal end of the parse.
func finish(err error) error {
	if err == errStop {
		return nil
	}
	return err
}

// describeByte names what a token starting with c is.
func describeByte(c byte) string {
	switch {
	case c == '{' || c == '[' || c == '}' || c == ']' || c == ',' || c == ':':
		return fmt.Sprintf("%q", string(c))
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	case c == '-' || c >= '0' && c <= '9':
		return "a number"
	}
	return fmt.Sprintf("invalid JSON (%q)", string(rune(c)))
}
