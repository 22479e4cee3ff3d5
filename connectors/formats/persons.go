package formats

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
)

// personField validates a person number held in field and returns the
// person's reference (pseudonym, birth year, samordningsnummer) with name.
// The error never repeats the full number.
func personField(ps record.Pseudonymizer, field, id, name string) (record.PersonRef, error) {
	p, err := ident.ParsePerson(strings.TrimSpace(id))
	if err != nil {
		return record.PersonRef{}, &fieldError{field: field, msg: err.Error()}
	}
	return record.Person(ps, p, name), nil
}

// replaceJSONStrings returns a copy of the JSON text raw in which every
// string value equal to a key of repl is replaced by repl's value. It is
// how person numbers give way to their pseudonyms in a record's bytes while
// everything else stays as the source wrote it. raw must be valid JSON.
func replaceJSONStrings(raw []byte, repl map[string]string) []byte {
	out := make([]byte, 0, len(raw)+16*len(repl))
	i := 0
	for i < len(raw) {
		c := raw[i]
		if c != '"' {
			out = append(out, c)
			i++
			continue
		}
		// Find the closing quote of this string literal.
		j := i + 1
		escaped := false
		for j < len(raw) && raw[j] != '"' {
			if raw[j] == '\\' {
				escaped = true
				j++
			}
			j++
		}
		if j >= len(raw) { // not valid JSON: keep the rest as it is
			return append(out, raw[i:]...)
		}
		lit := raw[i : j+1]
		var val string
		if escaped {
			if json.Unmarshal(lit, &val) != nil {
				val = ""
			}
		} else {
			val = string(lit[1 : len(lit)-1])
		}
		if rep, ok := repl[val]; ok && val != "" {
			out = append(out, '"')
			out = append(out, rep...)
			out = append(out, '"')
		} else {
			out = append(out, lit...)
		}
		i = j + 1
	}
	return out
}

// scrubPersonNumbers replaces every run of ten or more digits in b (with
// or without a separator before the last four) that may hold a person
// number by the pseudonym when it is a valid 12-digit person number, and
// by X's otherwise. Only organisation numbers stay: 10 digits whose third
// and fourth are 20 or more, or 12 digits with the prefix 16. It is for
// bytes that could not be parsed (quarantined records of formats with
// persons), where a number may be mistyped.
func scrubPersonNumbers(b []byte, ps record.Pseudonymizer) []byte {
	var out []byte
	last := 0
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	for i := 0; i < len(b); {
		if !isDigit(b[i]) || (i > 0 && isDigit(b[i-1])) {
			i++
			continue
		}
		j := i
		for j < len(b) && isDigit(b[j]) {
			j++
		}
		// A separator before exactly four more digits belongs to the number.
		if j+5 <= len(b) && (b[j] == '-' || b[j] == '+') &&
			isDigit(b[j+1]) && isDigit(b[j+2]) && isDigit(b[j+3]) && isDigit(b[j+4]) &&
			(j+5 == len(b) || !isDigit(b[j+5])) {
			j += 5
		}
		cand := b[i:j]
		digits := cand
		if k := bytes.IndexAny(cand, "-+"); k >= 0 {
			digits = append(append([]byte(nil), cand[:k]...), cand[k+1:]...)
		}
		org := len(digits) == 10 && (digits[2]-'0')*10+(digits[3]-'0') >= 20 ||
			len(digits) == 12 && digits[0] == '1' && digits[1] == '6'
		personal := len(digits) >= 10 && !org
		if personal {
			rep := bytes.Repeat([]byte{'X'}, len(cand))
			if len(digits) == 12 {
				if p, err := ident.ParsePerson(string(digits)); err == nil {
					rep = []byte(ps.Pseudonym(p))
				}
			}
			out = append(out, b[last:i]...)
			out = append(out, rep...)
			last = j
		}
		i = j
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// Scrub replaces the person numbers in bytes that could not be parsed at
// all (a whole message quarantined), as for quarantined lines.
func Scrub(b []byte, ps record.Pseudonymizer) []byte { return scrubPersonNumbers(b, ps) }
