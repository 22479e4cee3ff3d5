package formats

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/vaksam/vaksam/engine/record"
)

// parseJSONL reads one JSON object per line (the own formats' .jsonl
// files). Each line is decoded strictly into a new T: an unknown field, a
// wrong type or trailing data quarantines the line. build turns the value
// into an Item, or returns an error that quarantines the line with the
// error as reason. Source and Pos are filled in here, and Raw defaults to
// the line's bytes. Blank lines are skipped.
func parseJSONL[T any](r io.Reader, e *emitter, build func(v *T, line []byte) (record.Item, error)) error {
	return newLineReader(r).each(e, func(line []byte, n int) error {
		var v T
		if err := decodeStrict(line, &v); err != nil {
			return e.quarantine(n, err.Error(), line)
		}
		it, err := build(&v, line)
		return e.emit(n, it, err, line)
	})
}

// decodeStrict decodes exactly one JSON value from b into v, rejecting
// unknown object fields and trailing data.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errors.New(jsonReason(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

// jsonReason turns an encoding/json error into a quarantine reason that
// names the field and never quotes a value.
func jsonReason(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = "value"
		}
		return fmt.Sprintf("%s: JSON %s where %s is expected", field, te.Value, kindName(te.Type))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("invalid JSON at byte %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))
	}
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		return "invalid JSON: unexpected end of input"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func kindName(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Pointer:
		return kindName(t.Elem())
	}
	return t.String()
}
