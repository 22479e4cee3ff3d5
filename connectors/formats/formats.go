package formats

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
)

// Sink receives what a parser reads: accepted records and quarantined ones.
// An error from the sink stops the parse and is returned by it.
type Sink interface {
	Record(record.Item) error
	Quarantine(record.Quarantined) error
}

// Options are what a parse needs besides the bytes.
type Options struct {
	// Name is the file name (or request id) used in positions: "name:line".
	Name string
	// Orgnr is the organisation the input concerns, for formats that do not
	// carry it themselves (bolagsverket-dokument: the request's orgnr).
	Orgnr ident.Org
	// Persons pseudonymises person numbers. Required.
	Persons record.Pseudonymizer
	// Log receives what a parse keeps but notes (an unknown code, logged
	// once per code and parse); nil discards.
	Log *slog.Logger
	// Limits bound a record's and a field's size; zero fields take the
	// source's defaults (DefaultLimits).
	Limits Limits
}

// ParseFunc reads a whole input and reports every record to the sink. A
// broken record is quarantined and parsing goes on; only an input that
// cannot be read at all (an I/O error, a missing header) or a sink error
// returns an error.
type ParseFunc func(ctx context.Context, r io.Reader, opt Options, sink Sink) error

var parsers = map[string]ParseFunc{}

// register adds a source's parser; the source must be in the source
// registry (record.Registry).
func register(source string, f ParseFunc) {
	if !record.KnownSource(source) {
		panic("formats: parser for " + source + ", which is not in record.Registry")
	}
	if _, dup := parsers[source]; dup {
		panic("formats: duplicate parser for " + source)
	}
	parsers[source] = f
}

// Lookup returns the parser for a source name.
func Lookup(source string) (ParseFunc, error) {
	f, ok := parsers[source]
	if !ok {
		return nil, fmt.Errorf("unknown source %q (known: %v)", source, Names())
	}
	return f, nil
}

// Names lists the sources that have a parser, sorted.
func Names() []string {
	names := make([]string, 0, len(parsers))
	for n := range parsers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
