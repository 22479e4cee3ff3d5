package workplace

import (
	"bytes"
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
)

// Match is how a search found an organisation.
type Match string

// The ways a search finds an organisation.
const (
	ByName    Match = "name"
	ByNumber  Match = "number"
	ByAddress Match = "address"
	ByPerson  Match = "person"
	ByAll     Match = "" // no search text: every screened organisation
)

// SearchLimit bounds the address and person index entries one search
// reads, and so the organisations they add.
const SearchLimit = 500

// SearchQuery is a search for suppliers.
type SearchQuery struct {
	// Text is what was typed: a name or part of one, an organisation
	// number or part of one (hyphens and spaces allowed; a 12-digit
	// number loses its century), or a street address ("Storgatan 12",
	// "Storgatan 12, 903 26 Umeå").
	Text string
	// Persons are the pseudonyms of the persons whose organisations are
	// found too: empty when the principal may not search by person.
	Persons []string
	// Hidden, if set, tells the organisations the principal may find
	// only by their whole number (a sole trader's, personal.go in web).
	Hidden func(orgnr string) bool
	// At is when the search is made: the profile of an organisation
	// found but never screened is built as of it.
	At time.Time
}

// Found is an organisation a search found.
type Found struct {
	Orgnr string
	Name  string
	By    Match
	// Address is the normalised address it was found at (ByAddress).
	Address string
	// Result is its newest published result; nil when never screened.
	Result *store.Result
}

// SearchResult is what a search found, sorted by name, then number.
type SearchResult struct {
	Found []Found
	// Truncated: an index had more entries than SearchLimit, so some
	// organisations at an address (or of a person) are not in Found.
	Truncated bool
	// Persons are the pseudonyms that found organisations, with how many.
	Persons map[string]int
}

// Search finds suppliers. Names and parts of numbers are matched against
// every screened organisation's newest result (one pass over the store's
// result heads, store.ResultsWhere, decoding only those that may match:
// its cost grows with the store); an
// address reads only the address index's entries that begin with it, a
// person only the person index's entries of the pseudonym, and a whole
// organisation number never screened only its own records.
func (w *Workplace) Search(q SearchQuery) (*SearchResult, error) {
	text := strings.TrimSpace(q.Text)
	digits, lower := OrgDigits(text), strings.ToLower(text)
	hidden := func(orgnr string) bool { return q.Hidden != nil && q.Hidden(orgnr) }
	out := &SearchResult{Persons: map[string]int{}}

	// What the indexes find: organisation → how.
	indexed := map[string]Found{}
	if text != "" && digits == "" {
		if prefix := AddressPrefix(text); len(prefix) >= 3 {
			addrs, more, err := w.Store.AddressesFrom(prefix, SearchLimit)
			if err != nil {
				return nil, fmt.Errorf("workplace: search by address: %w", err)
			}
			out.Truncated = out.Truncated || more
			for addr, orgs := range addrs {
				for _, o := range orgs {
					if !hidden(o) {
						indexed[o] = Found{Orgnr: o, By: ByAddress, Address: addr}
					}
				}
			}
		}
	}
	for _, pseudonym := range q.Persons {
		orgs, err := w.Store.PersonOrgs(pseudonym)
		if err != nil {
			return nil, fmt.Errorf("workplace: search by person: %w", err)
		}
		if len(orgs) > SearchLimit {
			orgs, out.Truncated = orgs[:SearchLimit], true
		}
		for _, o := range orgs {
			if !record.OrganisationSubject(o) {
				continue
			}
			out.Persons[pseudonym]++
			indexed[o] = Found{Orgnr: o, By: ByPerson}
		}
	}

	// What cannot match is passed over undecoded: a name containing the
	// text has it, lower-cased, in its stored JSON when the text has
	// nothing JSON escapes.
	var keep func(string, []byte) bool
	if text != "" && plainJSON(lower) {
		needle, buf := []byte(lower), []byte(nil)
		keep = func(subject string, stored []byte) bool {
			if _, ok := indexed[subject]; ok || digits != "" && strings.Contains(subject, digits) {
				return true
			}
			buf = appendLower(buf[:0], stored)
			return bytes.Contains(buf, needle)
		}
	}
	err := w.Store.ResultsWhere(keep, func(subject string, res store.Result) error {
		f, ok := indexed[subject]
		switch {
		case ok:
			delete(indexed, subject)
		case text == "":
			f.By = ByAll
		case digits != "" && (subject == digits || !hidden(subject) && strings.Contains(subject, digits)):
			f.By = ByNumber
		case !hidden(subject) && strings.Contains(strings.ToLower(res.Name), lower):
			f.By = ByName
		default:
			return nil
		}
		f.Orgnr, f.Name, f.Result = subject, res.Name, &res
		out.Found = append(out.Found, f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("workplace: search: %w", err)
	}
	// A whole number the store has records of but never screened.
	if o, err := ident.ParseOrg(text); err == nil && digits != "" &&
		!slices.ContainsFunc(out.Found, func(f Found) bool { return f.Orgnr == o.String() }) {
		indexed[o.String()] = Found{Orgnr: o.String(), By: ByNumber}
	}
	// The rest the indexes found were never screened: their names come
	// from their records.
	for _, o := range slices.Sorted(maps.Keys(indexed)) {
		f := indexed[o]
		prof, known, err := w.Profile(o, q.At)
		if err != nil {
			return nil, err
		}
		if known {
			f.Name = prof.Name
			out.Found = append(out.Found, f)
		}
	}
	slices.SortFunc(out.Found, func(a, b Found) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.Orgnr, b.Orgnr))
	})
	return out, nil
}

// appendLower appends b lower-cased as bytes.ToLower does it, into a
// buffer that is reused rather than allocated for every result.
func appendLower(buf, b []byte) []byte {
	for i := 0; i < len(b); {
		if c := b[i]; c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			buf = append(buf, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		buf = utf8.AppendRune(buf, unicode.ToLower(r))
		i += n
	}
	return buf
}

// plainJSON reports whether s is written as it is inside a JSON string
// (encoding/json escapes quotes, backslashes, <, >, &, control characters
// and U+2028, U+2029).
func plainJSON(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool {
		return r < 0x20 || r == '"' || r == '\\' || r == '<' || r == '>' || r == '&' || r == '\u2028' || r == '\u2029' || r == utf8.RuneError
	})
}

// OrgDigits is a query's digits when it is an organisation number or part
// of one (digits, hyphens, spaces and a plus only; a 12-digit number
// loses its century), else "".
func OrgDigits(q string) string {
	var b strings.Builder
	for _, r := range q {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '-' || r == ' ' || r == '+':
		default:
			return ""
		}
	}
	d := b.String()
	if len(d) == 12 {
		d = d[2:]
	}
	return d
}

// AddressPrefix is the start of the normalised addresses
// (record.NormalizeAddress) a typed address matches: the normalised
// street, with the postal code when one follows a comma ("Storgatan 12,
// 903 26 Umeå"); "" when it has no letters or digits.
func AddressPrefix(text string) string {
	street, pc, _ := record.SplitAddress(text)
	n := record.NormalizeAddress(street, pc)
	if pc == "" {
		n = strings.TrimSuffix(n, "|")
	}
	return n
}
