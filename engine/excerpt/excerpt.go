// Package excerpt cuts values down to what an error message or a
// quarantined record may show of them. Input is not trusted: a value in an
// error may be megabytes long (an import line, a request field, a
// configuration value), and an error is logged, sent back in a NATS
// header or an HTTP body and kept in quarantine. Every error that quotes a
// value quotes it through Quote.
package excerpt

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Short is the most of a value, in bytes, that an error message quotes.
const Short = 64

// Record is the most of a rejected record, in bytes, that quarantine keeps
// when the record is over a size bound.
const Record = 200

// Quote returns s quoted as fmt's %q does when it is at most Short bytes
// long; a longer value is cut to its first Short bytes (at a character
// boundary) and followed by "…" and its size: "abc"… (7340032 bytes).
func Quote(s string) string {
	if len(s) <= Short {
		return strconv.Quote(s)
	}
	return strconv.Quote(Cut(s, Short)) + "… (" + strconv.Itoa(len(s)) + " bytes)"
}

// Name returns a name from outside (a JSON member's, a column's) as an
// error names a field: as it is when it is short and printable, else
// quoted through Quote.
func Name(s string) string {
	if len(s) <= Short && strconv.CanBackquote(s) && !strings.ContainsAny(s, " `") {
		return s
	}
	return Quote(s)
}

// Cut returns the longest prefix of s of at most n bytes that does not
// end inside a UTF-8 encoded character.
func Cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:boundary(s[:n], s[n:])]
}

// Bytes returns a copy of the longest prefix of b of at most n bytes that
// does not end inside a UTF-8 encoded character.
func Bytes(b []byte, n int) []byte {
	if len(b) <= n {
		return append([]byte(nil), b...)
	}
	return append([]byte(nil), b[:boundary(string(b[:n]), string(b[n:n+1]))]...)
}

// boundary returns len(head), less the bytes of a character that head
// ends inside (one that rest goes on with).
func boundary(head, rest string) int {
	n := len(head)
	if rest == "" || utf8.RuneStart(rest[0]) {
		return n
	}
	// rest starts with a continuation byte: drop the started character.
	for i := n - 1; i >= 0 && i >= n-utf8.UTFMax; i-- {
		if utf8.RuneStart(head[i]) {
			return i
		}
	}
	return n
}
