package ident

import (
	"errors"
	"fmt"
	"strings"
)

// Error describes why an input is not a valid identity number. It names the
// input (or a redacted form of it) and what is wrong.
type Error struct {
	Input  string
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("%q: %s", e.Input, e.Reason) }

// ErrInvalid is matched by every *Error with errors.Is.
var ErrInvalid = errors.New("invalid identity number")

// Is reports whether target is ErrInvalid.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// Org is a canonical 10-digit organisation number. For a sole trader it is
// the owner's personnummer in its 10-digit form (YYMMDDNNNC).
type Org struct {
	digits   string
	personal bool
}

// String returns the canonical 10-digit form.
func (o Org) String() string { return o.digits }

// IsZero reports whether o is the zero value.
func (o Org) IsZero() bool { return o.digits == "" }

// Personal reports whether the number is a personnummer (a sole trader).
func (o Org) Personal() bool { return o.personal }

// Hyphenated returns the NNNNNN-NNNN form.
func (o Org) Hyphenated() string { return o.digits[:6] + "-" + o.digits[6:] }

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
// personnummer (10 or 12 digits) is accepted as a sole trader's number.
func ParseOrg(s string) (Org, error) {
	in := strings.TrimSpace(s)
	d, err := digitsOf(s, in)
	if err != nil {
		if e, ok := err.(*Error); ok && mayBePerson(onlyDigits(in)) {
			e.Input = redactInput(s)
		}
		return Org{}, err
	}
	switch len(d) {
	case 12:
		if d[:2] == "16" {
			return parseOrg10(s, d[2:], true)
		}
		p, perr := parsePerson12(s, d)
		if perr != nil {
			return Org{}, &Error{Input: redactInput(s), Reason: "12-digit number is neither 16-prefixed nor a valid personnummer: " + perr.(*Error).Reason}
		}
		return Org{digits: p.digits[2:], personal: true}, nil
	case 10:
		return parseOrg10(s, d, false)
	default:
		return Org{}, &Error{Input: orgInput(s, d), Reason: fmt.Sprintf("has %d digits, want 10 (or 12 with prefix 16)", len(d))}
	}
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

func parseOrg10(input, d string, prefixed bool) (Org, error) {
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
	// Digits 3-4 below 20: only valid as a personnummer (sole trader).
	if _, err := parsePerson10(input, d); err != nil {
		return Org{}, &Error{Input: redactInput(input), Reason: "digits 3-4 are below 20 and it is not a valid personnummer either"}
	}
	return Org{digits: d, personal: true}, nil
}

func digitsOf(orig, s string) (string, error) {
	if s == "" {
		return "", &Error{Input: orig, Reason: "empty"}
	}
	var b strings.Builder
	b.Grow(len(s))
	hyphens := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == '-' || c == '+':
			hyphens++
			if hyphens > 1 {
				return "", &Error{Input: orig, Reason: "more than one separator"}
			}
			// The separator must stand before the last four digits.
			if len(s)-i-1 != 4 {
				return "", &Error{Input: orig, Reason: fmt.Sprintf("separator %q at position %d, want it before the last four digits", c, i+1)}
			}
		default:
			return "", &Error{Input: orig, Reason: fmt.Sprintf("unexpected character %q at position %d", c, i+1)}
		}
	}
	return b.String(), nil
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
