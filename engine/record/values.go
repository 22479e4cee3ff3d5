package record

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/vaksam/vaksam/engine/excerpt"
	"github.com/vaksam/vaksam/engine/ident"
)

// Stockholm is Swedish civil time. Dates without a time of day are
// calendar dates in Sweden.
var Stockholm = mustLoad("Europe/Stockholm")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// The embedded tzdata in cmd/vaksam guarantees it in the binary;
		// a fixed CET is the fallback for odd test environments.
		return time.FixedZone("CET", 3600)
	}
	return loc
}

// ParseDate parses the date forms the sources use: 2006-01-02,
// 20060102, and 2006-01-02T15:04:05.000+00:00 (and other RFC 3339 forms).
// Surrounding spaces are ignored. A date-only value is midnight UTC of that
// day, so that dates compare and print without a zone.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	var (
		t   time.Time
		err error
	)
	switch {
	case s == "":
		return time.Time{}, fmt.Errorf("empty date")
	case len(s) == 10:
		t, err = time.Parse(time.DateOnly, s)
	case len(s) == 8:
		t, err = time.Parse("20060102", s)
	default:
		t, err = time.Parse(time.RFC3339Nano, s)
	}
	if err != nil {
		// "month out of range" and the like say more than the layout.
		if msg := err.Error(); strings.HasSuffix(msg, "out of range") {
			return time.Time{}, fmt.Errorf("date %s: %s", excerpt.Quote(s), msg[strings.LastIndex(msg, ": ")+2:])
		}
		return time.Time{}, fmt.Errorf("date %s: want YYYY-MM-DD, YYYYMMDD or RFC 3339", excerpt.Quote(s))
	}
	// A timestamp that names a calendar date (Bolagsverket's
	// T00:00:00.000+00:00) keeps the date it names.
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
}

// NormalizeAddress returns the key under which two spellings of the same
// street address compare equal: upper case, letters and digits only, single
// spaces, and the five-digit postal code. "Storgatan 12" with "903 26" and
// "STORGATAN  12," with "90326" both give "STORGATAN 12|90326".
func NormalizeAddress(street, postalCode string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToUpper(street) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	if b.Len() == 0 {
		return ""
	}
	b.WriteByte('|')
	for _, r := range postalCode {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// SplitAddress splits a one-line address "Storgatan 12, 90326 Umeå" into
// street, postal code and city. Missing parts are empty.
func SplitAddress(s string) (street, postalCode, city string) {
	s = strings.TrimSpace(s)
	i := strings.LastIndexByte(s, ',')
	if i < 0 {
		return s, "", ""
	}
	street = strings.TrimSpace(s[:i])
	rest := strings.TrimSpace(s[i+1:])
	// The postal code is the leading digits (possibly "903 26").
	j := 0
	digits := 0
	for j < len(rest) && (rest[j] >= '0' && rest[j] <= '9' || rest[j] == ' ') && digits < 5 {
		if rest[j] != ' ' {
			digits++
		}
		j++
	}
	if digits == 5 {
		postalCode = strings.ReplaceAll(rest[:j], " ", "")
		city = strings.TrimSpace(rest[j:])
	} else {
		city = rest
	}
	return street, postalCode, city
}

// NormalizeOneLineAddress normalises "Storgatan 12, 90326 Umeå".
func NormalizeOneLineAddress(s string) string {
	street, pc, _ := SplitAddress(s)
	return NormalizeAddress(street, pc)
}

// IsBoxOrCO reports whether a street line is a box (Box, Postbox) or c/o
// address.
func IsBoxOrCO(street string) bool {
	u := strings.ToUpper(strings.TrimSpace(street))
	return strings.HasPrefix(u, "BOX ") || strings.HasPrefix(u, "POSTBOX ") ||
		strings.HasPrefix(u, "C/O") || strings.HasPrefix(u, "CO ") || strings.Contains(u, " C/O ")
}

// Pseudonymizer replaces a person number with a stable keyed pseudonym.
type Pseudonymizer interface {
	Pseudonym(ident.Person) string
}

// HMACPseudonymizer derives pseudonyms as HMAC-SHA256 under a deployment
// secret: stable for one deployment, unlinkable without the secret.
type HMACPseudonymizer struct{ key []byte }

// NewHMACPseudonymizer returns a Pseudonymizer keyed with secret, which must
// hold at least 16 bytes.
func NewHMACPseudonymizer(secret []byte) (*HMACPseudonymizer, error) {
	if len(secret) < 16 {
		return nil, fmt.Errorf("pseudonym secret has %d bytes, want at least 16", len(secret))
	}
	return &HMACPseudonymizer{key: append([]byte(nil), secret...)}, nil
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// Pseudonym returns "P" and 20 base-32 characters (100 bits) of the HMAC.
func (h *HMACPseudonymizer) Pseudonym(p ident.Person) string {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(p.String()))
	return "P" + b32.EncodeToString(m.Sum(nil))[:20]
}

// Person derives a PersonRef from a validated person number.
func Person(ps Pseudonymizer, p ident.Person, name string) PersonRef {
	return PersonRef{ID: ps.Pseudonym(p), Name: strings.TrimSpace(name), BirthYear: p.BirthYear(), Coordination: p.Coordination()}
}

// ParseInstant parses a time given on a command line or in a test: RFC 3339,
// or YYYY-MM-DD meaning the end of that day in Swedish time (so that
// everything observed that day counts).
func ParseInstant(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if len(s) == len(time.DateOnly) {
		d, err := time.ParseInLocation(time.DateOnly, s, Stockholm)
		if err != nil {
			return time.Time{}, fmt.Errorf("time %s: want YYYY-MM-DD or RFC 3339", excerpt.Quote(s))
		}
		return d.AddDate(0, 0, 1).Add(-time.Nanosecond), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("time %s: want YYYY-MM-DD or RFC 3339", excerpt.Quote(s))
	}
	return t, nil
}
