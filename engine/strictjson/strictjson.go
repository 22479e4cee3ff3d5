// Package strictjson decodes the JSON that Vaksam reads from outside (the
// importers' records, HTTP API bodies, NATS requests) strictly: exactly
// one value, no unknown object members, and no member name given twice in
// one object. encoding/json keeps the last of two equal names, so
// {"purpose":"award","purpose":"direct"} would mean what its last member
// says to one reader and what its first says to another; such input is
// refused instead.
//
// Decoding is encoding/json's (its semantics and errors, which callers map
// to their messages); duplicate names are found by the JSON text
// validator of github.com/go-json-experiment/json (the code that became
// encoding/json/jsontext in Go 1.25, not yet enabled by default), which
// checks RFC 7493's unique names, with escapes such as "\u0061" compared
// decoded.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/vaksam/vaksam/engine/excerpt"
)

// ErrTrailing reports data after the JSON value.
var ErrTrailing = errors.New("trailing data after the JSON value")

// DuplicateError reports an object member name given twice.
type DuplicateError struct {
	// Path is where the second one is, as a field path ("a.b[2].c"), ""
	// for the top-level object.
	Path string
	// Name is the name given twice.
	Name string
	// Offset is the byte offset just after the second name.
	Offset int64
}

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("%s given twice", e.Field())
}

// Field names the member given twice: its path, or the quoted name when
// the path would be too long to read.
func (e *DuplicateError) Field() string {
	if e.Path != "" && len(e.Path) <= excerpt.Short {
		return e.Path
	}
	return "key " + excerpt.Quote(e.Name)
}

// UnknownField returns the name in encoding/json's error for an unknown
// object member (json: unknown field "x"), which Decode returns as it is.
func UnknownField(err error) (string, bool) {
	f, ok := strings.CutPrefix(err.Error(), "json: unknown field ")
	if !ok {
		return "", false
	}
	name, uerr := strconv.Unquote(f)
	return name, uerr == nil
}

// Decode decodes exactly one JSON value from data into v. An unknown
// object member, a type or syntax error is returned as encoding/json
// returns it; data after the value is ErrTrailing; a member name given
// twice in one object is a *DuplicateError.
func Decode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return ErrTrailing
	}
	return CheckNames(data)
}

// opts: invalid UTF-8 is encoding/json's to handle (it replaces it), so
// only the names are checked.
var opts = jsontext.AllowInvalidUTF8(true)

// CheckNames reports the first object member name in the JSON text data
// that its object already has, as a *DuplicateError. Other problems of the
// text (which encoding/json reports when decoding) are returned as the
// validator words them.
func CheckNames(data []byte) error {
	if jsontext.Value(data).IsValid(opts) {
		return nil
	}
	dec := jsontext.NewDecoder(bytes.NewReader(data), opts)
	for {
		_, err := dec.ReadToken()
		if err == io.EOF {
			return nil
		}
		if err == nil {
			continue
		}
		var se *jsontext.SyntacticError
		if errors.As(err, &se) && errors.Is(se.Err, jsontext.ErrDuplicateName) {
			return &DuplicateError{Path: fieldPath(se.JSONPointer), Name: se.JSONPointer.LastToken(), Offset: se.ByteOffset}
		}
		return fmt.Errorf("invalid JSON: %s", strings.TrimPrefix(err.Error(), "jsontext: "))
	}
}

// fieldPath writes a JSON pointer as the field paths of error messages
// use: /a/b/2/c is a.b[2].c (a name of digits reads as an index).
func fieldPath(p jsontext.Pointer) string {
	var b strings.Builder
	for tok := range p.Tokens() {
		if _, err := strconv.ParseUint(tok, 10, 64); err == nil {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}
