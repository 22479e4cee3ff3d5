package formats

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/vaksam/vaksam/engine/excerpt"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/strictjson"
)

// parseJSONL reads one JSON object per line (the own formats' .jsonl
// files). Each line is decoded strictly into a new T: an unknown field, a
// wrong type or trailing data quarantines the line. build turns the value
// into an Item, or returns an error that quarantines the line with the
// error as reason. Source and Pos are filled in here, and Raw defaults to
// the line's bytes. Blank lines are skipped.
func parseJSONL[T any](r io.Reader, e *emitter, build func(v *T, line []byte) (record.Item, error)) error {
	return newLineReader(r, e.limits.Record).each(e, func(line []byte, n int) error {
		if err := checkFields(line, e.limits.Field); err != nil {
			return e.quarantine(n, err.Error(), recordExcerpt(line))
		}
		var v T
		if err := decodeStrict(line, &v); err != nil {
			return e.quarantine(n, err.Error(), line)
		}
		it, err := build(&v, line)
		return e.emit(n, it, err, line)
	})
}

// decodeStrict decodes exactly one JSON value from b into v, rejecting
// unknown object fields, trailing data and a member name given twice.
func decodeStrict(b []byte, v any) error {
	if err := strictjson.Decode(b, v); err != nil {
		return errors.New(jsonReason(err))
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
		return fmt.Sprintf("%s: JSON %s where %s is expected", field, excerpt.Cut(te.Value, excerpt.Short), kindName(te.Type))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("invalid JSON at byte %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))
	}
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		return "invalid JSON: unexpected end of input"
	}
	if name, ok := strictjson.UnknownField(err); ok {
		return "unknown field " + excerpt.Quote(name)
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
