package ident

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/excerpt"
)

// Error describes why an input is not a valid identity number. It names the
// input (or a redacted form of it) and what is wrong.
type Error struct {
	Input  string
	Reason string
}

func (e *Error) Error() string { return excerpt.Quote(e.Input) + ": " + e.Reason }

// ErrInvalid is matched by every *Error with errors.Is.
var ErrInvalid = errors.New("invalid identity number")

// Is reports whether target is ErrInvalid.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// Org is a canonical 10-digit organisation number. For a sole trader it is
// the owner's personnummer in its 10-digit form (YYMMDDNNNC); the century of
// birth is kept beside it when the input gave it (a 12-digit personnummer,
// or a 10-digit one read by ParseOrgAt), for Separated. Two Orgs of the same
// number may differ in that: compare their String forms.
type Org struct {
	digits   string
	personal bool
	century  int // a sole trader's century of birth (18, 19, 20); 0 when unknown
}

// String returns the canonical 10-digit form.
func (o Org) String() string { return o.digits }

// IsZero reports whether o is the zero value.
func (o Org) IsZero() bool { return o.digits == "" }

// Personal reports whether the number is a personnummer (a sole trader).
func (o Org) Personal() bool { return o.personal }

// Separated returns the number as it is shown, with its separator before
// the last four digits as of at: NNNNNN-NNNN, or for a sole trader who is
// 100 or older at at YYMMDD+NNNC. That needs the century of birth, which
// a 12-digit input, or a 10-digit one read by ParseOrgAt, gives; without it
// (a 10-digit number read by ParseOrg, such as a stored one) the holder is
// taken to be younger than 100, as the 10-digit form without '+' says.
func (o Org) Separated(at time.Time) string {
	if o.personal && o.century != 0 {
		return Person{digits: fmt.Sprint(o.century) + o.digits}.Separated(at)
	}
	return o.digits[:6] + "-" + o.digits[6:]
}

// Redacted returns the number for logs: unchanged for a legal person, masked
// for a sole trader.
func (o Org) Redacted() string {
	if o.personal {
		return o.digits[:2] + "XXXX-XXXX"
	}
	return o.digits
}

// LegalForm returns the group encoded in the first digit (1 estate, 2
// state/region/municipality, 3 foreign, 5 aktiebolag, 6 enkelt bolag, 7
// economic association, 8 non-profit/foundation, 9 partnership) or
// "enskild_naringsidkare" for a sole trader.
func (o Org) LegalForm() string {
	if o.personal {
		return "enskild_naringsidkare"
	}
	switch o.digits[0] {
	case '1':
		return "dodsbo"
	case '2':
		return "offentlig"
	case '3':
		return "utlandsk"
	case '5':
		return "aktiebolag"
	case '6':
		return "enkelt_bolag"
	case '7':
		return "ekonomisk_forening"
	case '8':
		return "ideell_forening_stiftelse"
	case '9':
		return "handelsbolag"
	}
	return "okand"
}

// ParseOrg parses an organisation number with or without hyphen, in its
// 10-digit form or the 12-digit form with the "16" prefix. A valid
// personnummer or samordningsnummer (10 or 12 digits) is accepted as a sole
// trader's number. ParseOrg has no reference time: it checks a person's
// birth date against the calendar only, and does not know the century of a
// 10-digit personnummer (ParseOrgAt does both).
func ParseOrg(s string) (Org, error) {
	return parseOrg(s, nil)
}

// ParseOrgAt is ParseOrg as of the time at: a sole trader's personnummer
// with a birth date after at is invalid, and the century of a 10-digit one
// is inferred from its separator as ParsePersonAt does.
func ParseOrgAt(s string, at time.Time) (Org, error) {
	return parseOrg(s, &at)
}

func parseOrg(s string, at *time.Time) (Org, error) {
	in := strings.TrimSpace(s)
	d, sep, err := digitsOf(s, in)
	if err != nil {
		if e, ok := err.(*Error); ok && mayBePerson(onlyDigits(in)) {
			e.Input = redactInput(s)
		}
		return Org{}, err
	}
	switch len(d) {
	case 12:
		if d[:2] == "16" {
			return parseOrg10(s, d[2:], true, false, nil)
		}
		p, perr := parsePerson12(s, d, at)
		if perr != nil {
			return Org{}, &Error{Input: redactInput(s), Reason: "12-digit number is neither 16-prefixed nor a valid personnummer: " + perr.(*Error).Reason}
		}
		return soleTrader(p), nil
	case 10:
		return parseOrg10(s, d, false, sep == '+', at)
	default:
		return Org{}, &Error{Input: orgInput(s, d), Reason: fmt.Sprintf("has %d digits, want 10 (or 12 with prefix 16)", len(d))}
	}
}

// soleTrader is the organisation number of a sole trader with personnummer p.
func soleTrader(p Person) Org {
	return Org{digits: p.digits[2:], personal: true, century: p.BirthYear() / 100}
}

// MustOrg is ParseOrg for constants in tests and generators; it panics on an
// invalid number.
func MustOrg(s string) Org {
	o, err := ParseOrg(s)
	if err != nil {
		panic(err)
	}
	return o
}

func parseOrg10(input, d string, prefixed, plus bool, at *time.Time) (Org, error) {
	if !luhnValid(d) {
		if !prefixed {
			input = orgInput(input, d)
		}
		return Org{}, &Error{Input: input, Reason: "check digit (Luhn) does not match"}
	}
	if (d[2]-'0')*10+(d[3]-'0') >= 20 {
		return Org{digits: d}, nil
	}
	if prefixed {
		return Org{}, &Error{Input: input, Reason: "digits 3-4 must be at least 20 in an organisation number"}
	}
	// Digits 3-4 below 20: only valid as a personnummer (sole trader),
	// whose century only a reference time tells.
	o := Org{digits: d, personal: true}
	var err error
	if at != nil {
		var p Person
		if p, err = parsePerson10At(input, d, plus, *at); err == nil {
			o = soleTrader(p)
		}
	} else {
		err = checkPerson(input, d, int(d[0]-'0')*10+int(d[1]-'0'), false)
	}
	if err != nil {
		return Org{}, &Error{Input: redactInput(input), Reason: "digits 3-4 are below 20 and it is not a valid personnummer either: " + err.(*Error).Reason}
	}
	return o, nil
}

// digitsOf returns the digits of s and its separator ('-', '+' or 0 for
// none), which may stand only before the last four digits.
func digitsOf(orig, s string) (string, byte, error) {
	if s == "" {
		return "", 0, &Error{Input: orig, Reason: "empty"}
	}
	var b strings.Builder
	b.Grow(len(s))
	var sep byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == '-' || c == '+':
			if sep != 0 {
				return "", 0, &Error{Input: orig, Reason: "more than one separator"}
			}
			sep = c
			// The separator must stand before the last four digits.
			if len(s)-i-1 != 4 {
				return "", 0, &Error{Input: orig, Reason: fmt.Sprintf("separator %q at position %d, want it before the last four digits", c, i+1)}
			}
		default:
			return "", 0, &Error{Input: orig, Reason: fmt.Sprintf("unexpected character %q at position %d", c, i+1)}
		}
	}
	return b.String(), sep, nil
}

// luhnValid checks the Luhn check digit over a string of digits.
func luhnValid(d string) bool {
	sum := 0
	for i := 0; i < len(d); i++ {
		n := int(d[len(d)-1-i] - '0')
		if i%2 == 1 {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return sum%10 == 0
}

// LuhnDigit returns the check digit that completes the nine digits in d9.
func LuhnDigit(d9 string) byte {
	sum := 0
	for i := 0; i < len(d9); i++ {
		n := int(d9[i] - '0')
		if i%2 == 0 {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return byte('0' + (10-sum%10)%10)
}

// MayBePerson reports whether s (10 or 12 digits, with or without a
// separator before the last four) has the shape of a personnummer or
// samordningsnummer: a check digit that matches, a month 00–12 and a day
// 00–31 or 60–91. It checks no calendar and no serial: logs and audit
// entries mask what it accepts, and a number Skatteverket would never
// issue (30 February, serial 000) is still somebody's mistyped number.
func MayBePerson(s string) bool {
	d, _, err := digitsOf(s, strings.TrimSpace(s))
	if err != nil || !mayBePerson(d) || len(d) != 10 && len(d) != 12 {
		return false
	}
	d10 := d[len(d)-10:]
	month := int(d10[2]-'0')*10 + int(d10[3]-'0')
	day := int(d10[4]-'0')*10 + int(d10[5]-'0')
	return luhnValid(d10) && month <= 12 && (day <= 31 || day >= 60 && day <= 91)
}

// mayBePerson reports whether the digits d may be a (mistyped) person
// number, which an error must not repeat in full.
func mayBePerson(d string) bool {
	switch {
	case len(d) < 10:
		return false
	case len(d) == 10:
		return (d[2]-'0')*10+(d[3]-'0') < 20
	}
	return d[:2] == "18" || d[:2] == "19" || d[:2] == "20"
}

// orgInput is the input as an organisation-number error may show it.
func orgInput(s, d string) string {
	if mayBePerson(d) {
		return redactInput(s)
	}
	return s
}

func onlyDigits(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func redactInput(s string) string {
	if len(s) <= 6 {
		return s
	}
	return s[:len(s)-4] + "XXXX"
}
