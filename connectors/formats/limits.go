package formats

import (
	"bytes"
	"fmt"

	"github.com/vaksam/vaksam/engine/excerpt"
	"github.com/vaksam/vaksam/engine/record"
)

// Limits bound what one record of an input may hold. A record over a
// bound is quarantined with its first excerpt.Record bytes and the reason,
// and the parse goes on with the next record: a record over Record bytes
// is read past, never held whole.
type Limits struct {
	// Record is the most bytes of one record: a line of a line-based
	// format (the line ending not counted), one value of a JSON document
	// (an organisation of Bolagsverket's answer, a row of SCB's, a
	// document list). 0: the source's default.
	Record int
	// Field is the most bytes of one field: a column of a delimited file,
	// a string in a JSON record (a name, a description, an address). 0:
	// the source's default.
	Field int
}

// Default bounds. A line of the own formats or of a bulk file is a few
// hundred bytes; a value of a JSON document (one organisation, one SCB
// row, Bolagsverket's document list of a company) some kilobytes. No field
// of any source is free text of more than some kilobytes (a business
// description).
const (
	DefaultLineLimit     = 1 << 20 // line-based formats
	DefaultDocValueLimit = 8 << 20 // a value of a JSON document
	DefaultFieldLimit    = 64 << 10
)

// docSources are the formats read as JSON documents, whose records are
// values of a document rather than lines (a whole answer may be one line).
var docSources = map[string]bool{
	record.Bolagsverket:         true,
	record.BolagsverketDokument: true,
	record.SCB:                  true,
}

// DefaultLimits returns a source's bounds when Options.Limits leaves them
// zero.
func DefaultLimits(source string) Limits {
	if docSources[source] {
		return Limits{Record: DefaultDocValueLimit, Field: DefaultFieldLimit}
	}
	return Limits{Record: DefaultLineLimit, Field: DefaultFieldLimit}
}

// limitsFor fills the zero bounds of l with the source's defaults.
func limitsFor(source string, l Limits) Limits {
	d := DefaultLimits(source)
	if l.Record <= 0 {
		l.Record = d.Record
	}
	if l.Field <= 0 {
		l.Field = d.Field
	}
	return l
}

// tooLong is a record over Limits.Record: its size and first bytes.
type tooLong struct {
	what  string // "line", "value"
	size  int64
	limit int
	head  []byte
}

func (t *tooLong) Error() string {
	return fmt.Sprintf("%s of %d bytes exceeds the limit of %d", t.what, t.size, t.limit)
}

// bounded collects the bytes of one record up to a limit. Past the limit
// it keeps only the first excerpt.Record bytes and counts the rest.
type bounded struct {
	buf   []byte
	limit int
	size  int64
	tail  [2]byte // the last two bytes added
}

func (b *bounded) reset(limit int) {
	b.buf, b.limit, b.size = b.buf[:0], limit, 0
}

// add takes the next bytes of the record.
func (b *bounded) add(p []byte) {
	b.size += int64(len(p))
	switch n := len(p); {
	case n >= 2:
		b.tail = [2]byte{p[n-2], p[n-1]}
	case n == 1:
		b.tail = [2]byte{b.tail[1], p[0]}
	}
	if b.size <= int64(b.limit) {
		b.buf = append(b.buf, p...)
		return
	}
	if len(b.buf) < excerpt.Record {
		b.buf = append(b.buf, p[:min(len(p), excerpt.Record-len(b.buf))]...)
	} else if len(b.buf) > excerpt.Record {
		b.buf = b.buf[:excerpt.Record]
	}
}

// over reports whether the record went past the limit.
func (b *bounded) over() bool { return b.size > int64(b.limit) }

// recordExcerpt returns the first bytes of a record over a bound, to be
// quarantined. Digits at the cut are dropped, so that no part of a person
// number is kept where scrubbing could no longer recognise it.
func recordExcerpt(b []byte) []byte {
	if len(b) <= excerpt.Record {
		return append([]byte(nil), b...)
	}
	return bytes.TrimRight(excerpt.Bytes(b, excerpt.Record), "0123456789-+")
}

// checkFields reports the first string in the JSON text b longer than
// limit bytes, naming the member it is the value of.
func checkFields(b []byte, limit int) error {
	if len(b) <= limit {
		return nil // no string can be longer than the text
	}
	var key []byte // the last object member name
	for i := 0; i < len(b); i++ {
		if b[i] != '"' {
			continue
		}
		j := i + 1
		for j < len(b) && b[j] != '"' {
			if b[j] == '\\' {
				j++
			}
			j++
		}
		s := b[i+1 : min(j, len(b))]
		k := j + 1
		for k < len(b) && (b[k] == ' ' || b[k] == '\t' || b[k] == '\r' || b[k] == '\n') {
			k++
		}
		isKey := k < len(b) && b[k] == ':'
		if len(s) > limit {
			if isKey {
				return fmt.Errorf("key of %d bytes exceeds the limit of %d", len(s), limit)
			}
			return fmt.Errorf("field %s of %d bytes exceeds the limit of %d", excerpt.Quote(string(key)), len(s), limit)
		}
		if isKey {
			key = s
		}
		i = j
	}
	return nil
}
