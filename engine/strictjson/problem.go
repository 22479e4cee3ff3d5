package strictjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/vaksam/vaksam/engine/excerpt"
)

// Problem says in plain words what a Decode error found, and where: the
// field (a JSON field path such as "purpose" or "a.b", "" for the value
// as a whole) and a message that names JSON's types ("must be a string,
// not a number"), never Go's. The HTTP API and the NATS service answer
// their callers with it.
func Problem(err error) (field, msg string) {
	var (
		dup *DuplicateError
		se  *json.SyntaxError
		te  *json.UnmarshalTypeError
	)
	switch {
	case errors.Is(err, ErrTrailing):
		return "", "more after the JSON object"
	case errors.As(err, &dup):
		return dup.Field(), "given twice"
	case errors.As(err, &se):
		return "", fmt.Sprintf("not valid JSON at byte %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "", "not valid JSON: it ends too soon"
	case errors.As(err, &te):
		if te.Field == "" {
			return "", "must be a JSON object, not " + jsonKind(te.Value)
		}
		return te.Field, "must be " + jsonType(te.Type.String()) + ", not " + jsonKind(te.Value)
	}
	if name, ok := UnknownField(err); ok {
		return excerpt.Name(name), "unknown field"
	}
	return "", strings.TrimPrefix(err.Error(), "json: ")
}

// jsonType names a Go type as JSON does.
func jsonType(goType string) string {
	switch {
	case goType == "string":
		return "a string"
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		return "an integer"
	case strings.HasPrefix(goType, "float"):
		return "a number"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	}
	return "an object"
}

// jsonKind names the JSON value encoding/json found ("number", "string",
// "array", "object", "bool", "number 1.5").
func jsonKind(v string) string {
	switch v {
	case "bool":
		return "true or false"
	case "":
		return "this value"
	}
	if strings.HasPrefix(v, "number") {
		return "a number"
	}
	if strings.HasPrefix(v, "a") || strings.HasPrefix(v, "o") {
		return "an " + v
	}
	return "a " + v
}
