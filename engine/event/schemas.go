package event

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// Schemas holds the JSON Schemas (draft 2020-12) of the payloads, one file
// per payload under schema/: assessment-event.json, alert-event.json,
// action-event.json, screen-request.json, screen-reply.json and
// screen-error.json. Each
// schema's $id is SchemaBase followed by its file name, and
// assessment-event.json refers to screen-reply.json relative to it.
//
//go:embed schema/*.json
var Schemas embed.FS

// SchemaBase is the URL the schemas' $id values start with.
const SchemaBase = "https://vaksam.example/schema/"

// Schema returns the schema file named name, with or without its ".json"
// ("action-event.json", "action-event"), or an error wrapping
// fs.ErrNotExist for a name that is not one of them.
func Schema(name string) ([]byte, error) {
	file := name
	if !strings.HasSuffix(file, ".json") {
		file += ".json"
	}
	if file != path.Base(file) || !fs.ValidPath(file) || strings.HasPrefix(file, ".") {
		return nil, fmt.Errorf("event: schema %q: %w", name, fs.ErrNotExist)
	}
	data, err := Schemas.ReadFile("schema/" + file)
	if err != nil {
		return nil, fmt.Errorf("event: schema %q: %w", name, fs.ErrNotExist)
	}
	return data, nil
}
