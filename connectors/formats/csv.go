package formats

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/vaksam/vaksam/engine/excerpt"
	"github.com/vaksam/vaksam/engine/record"
)

// table describes a delimited text format with a header row: the own CSV
// files (';'), Bolagsverket's bulk file (';', every field quoted, NUL
// bytes) and SCB's bulk file (tab).
type table struct {
	sep byte
	// quoted: a field may be enclosed in double quotes, "" escaping a
	// quote. Quoting is lazy: a quote inside a quoted field that is not
	// followed by the separator is kept as a character. A quoted field may
	// span lines.
	quoted bool
	// bulk: unknown header columns are ignored (for the own formats they
	// are an error) and NUL bytes are removed.
	bulk bool
	// trailingSep: a line may end with a separator that closes its last
	// field rather than opening an empty one (SCB's bulk file ends every
	// line, the header too, with a tab). An empty last header column is
	// dropped, and so is an empty extra last field of a record.
	trailingSep bool
	// columns are the columns the parser reads, in the parser's order;
	// each must be in the header unless it is listed in optional.
	columns  []string
	optional []string
}

// maxJoin limits how many lines a quoted field may span.
const maxJoin = 8

// row is one data record: its fields in header order.
type row struct {
	fields []string
	idx    []int // header position of each of table.columns
	line   int   // the record's line number
}

// get returns the field of the parser's column i (an index into columns).
// An optional column missing from the header reads as empty.
func (r *row) get(i int) string {
	if p := r.idx[i]; p >= 0 {
		return r.fields[p]
	}
	return ""
}

// parse reads the header and then every record, calling build for each.
// build returns the Item (Raw defaults to the record's text) or an error
// that quarantines the record. A record with the wrong number of fields is
// quarantined. A header without a required column is an error.
func (t *table) parse(r io.Reader, e *emitter, build func(rw *row, raw string) (record.Item, error)) error {
	if err := e.done(); err != nil {
		return err
	}
	lr := newLineReader(r, e.limits.Record)
	lr.dropNUL = t.bulk
	// Header.
	var header []string
	for {
		line, n, err := lr.next()
		if err == io.EOF {
			return fmt.Errorf("%s: empty input, want a header row", e.pos(1))
		}
		if _, ok := err.(*tooLong); ok {
			return fmt.Errorf("%s: header: %w", e.pos(n), err)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", e.pos(n+1), err)
		}
		if isBlank(line) {
			continue
		}
		header, _ = t.split(string(line), nil)
		for i := range header {
			header[i] = strings.TrimSpace(header[i])
		}
		if n := len(header); t.trailingSep && n > 1 && header[n-1] == "" {
			header = header[:n-1]
		}
		rw, err := t.index(header)
		if err != nil {
			return fmt.Errorf("%s: header: %w", e.pos(n), err)
		}
		return t.records(lr, e, rw, header, build)
	}
}

// index maps the parser's columns to header positions.
func (t *table) index(header []string) (*row, error) {
	pos := make(map[string]int, len(header))
	for i, h := range header {
		if _, dup := pos[h]; dup {
			return nil, fmt.Errorf("column %s appears twice", excerpt.Quote(h))
		}
		pos[h] = i
	}
	rw := &row{idx: make([]int, len(t.columns))}
	for i, c := range t.columns {
		p, ok := pos[c]
		if !ok {
			if !slices.Contains(t.optional, c) {
				return nil, fmt.Errorf("missing column %q", c)
			}
			p = -1
		}
		rw.idx[i] = p
	}
	if !t.bulk {
		known := make(map[string]bool, len(t.columns))
		for _, c := range t.columns {
			known[c] = true
		}
		for _, h := range header {
			if !known[h] {
				return nil, fmt.Errorf("unknown column %s", excerpt.Quote(h))
			}
		}
	}
	return rw, nil
}

func (t *table) records(lr *lineReader, e *emitter, rw *row, header []string, build func(rw *row, raw string) (record.Item, error)) error {
	ncol := len(header)
	var held []heldLine
	return lr.each(e, func(line []byte, n int) error {
		s := string(line)
		var open bool
		rw.fields, open = t.split(s, rw.fields)
		if open {
			// A quoted field goes on over the next lines, or a stray quote
			// opened one: join lines until the field closes, and if the
			// result is not a whole record, quarantine the first line alone
			// and read the others again as records of their own.
			joined := s
			held = held[:0]
			for open && len(held) < maxJoin && len(joined) <= e.limits.Record {
				l2, n2, err := lr.next()
				if long, ok := err.(*tooLong); ok {
					held = append(held, heldLine{n: n2, long: long})
					break
				}
				if err != nil {
					break
				}
				held = append(held, heldLine{text: append([]byte(nil), l2...), n: n2})
				joined += "\n" + string(l2)
				rw.fields, open = t.split(joined, rw.fields)
			}
			if open || len(rw.fields) != ncol {
				lr.unread(held)
				return e.quarantine(n, "unterminated quoted field (stray quote?)", []byte(s))
			}
			s = joined
		}
		if t.trailingSep && len(rw.fields) == ncol+1 && rw.fields[ncol] == "" {
			rw.fields = rw.fields[:ncol]
		}
		if len(rw.fields) != ncol {
			return e.quarantine(n, fmt.Sprintf("has %d fields, want %d as in the header", len(rw.fields), ncol), []byte(s))
		}
		for i, f := range rw.fields {
			if len(f) > e.limits.Field {
				return e.quarantine(n, fmt.Sprintf("field %s of %d bytes exceeds the limit of %d", excerpt.Quote(header[i]), len(f), e.limits.Field), recordExcerpt([]byte(s)))
			}
		}
		rw.line = n
		it, err := build(rw, s)
		return e.emit(n, it, err, []byte(s))
	})
}

// split cuts s into fields, reusing dst. It reports open when s ends
// inside a quoted field.
func (t *table) split(s string, dst []string) (fields []string, open bool) {
	dst = dst[:0]
	sep := t.sep
	i := 0
	for {
		if t.quoted && i < len(s) && s[i] == '"' {
			j := i + 1
			escaped := false
			for {
				k := strings.IndexByte(s[j:], '"')
				if k < 0 {
					return dst, true
				}
				k += j
				if k+1 < len(s) && s[k+1] == '"' {
					escaped = true
					j = k + 2
					continue
				}
				if k+1 == len(s) || s[k+1] == sep {
					f := s[i+1 : k]
					if escaped {
						f = strings.ReplaceAll(f, `""`, `"`)
					}
					dst = append(dst, f)
					i = k + 1
					break
				}
				j = k + 1 // a stray quote: keep it
			}
			if i == len(s) {
				return dst, false
			}
			i++ // the separator
			continue
		}
		k := strings.IndexByte(s[i:], sep)
		if k < 0 {
			return append(dst, s[i:]), false
		}
		dst = append(dst, s[i:i+k])
		i += k + 1
	}
}
