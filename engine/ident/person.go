package ident

import (
	"fmt"
	"strconv"
)

// Person is a validated personnummer or samordningsnummer in its 12-digit
// form (YYYYMMDDNNNC). It is personal data: it is pseudonymised at ingest
// and must not reach logs, metrics or stored records in the clear.
type Person struct {
	digits string
}

// String returns the 12-digit form. Use it only to derive a pseudonym.
func (p Person) String() string { return p.digits }

// BirthYear returns the year of birth encoded in the number.
func (p Person) BirthYear() int {
	y, _ := strconv.Atoi(p.digits[:4])
	return y
}

// Coordination reports whether this is a samordningsnummer (60 added to the
// day of birth).
func (p Person) Coordination() bool {
	return p.digits[6] >= '6'
}

// ParsePerson parses a 12-digit personnummer or samordningsnummer, with or
// without the hyphen before the last four digits. Errors never repeat the
// full number.
func ParsePerson(s string) (Person, error) {
	d, err := digitsOf(redactInput(s), s)
	if err != nil {
		return Person{}, err
	}
	if len(d) != 12 {
		return Person{}, &Error{Input: redactInput(s), Reason: fmt.Sprintf("has %d digits, want 12 (YYYYMMDDNNNC)", len(d))}
	}
	return parsePerson12(s, d)
}

func parsePerson12(input, d string) (Person, error) {
	if d[:2] != "19" && d[:2] != "20" && d[:2] != "18" {
		return Person{}, &Error{Input: redactInput(input), Reason: "century must be 18, 19 or 20"}
	}
	if _, err := parsePerson10(input, d[2:]); err != nil {
		return Person{}, err
	}
	return Person{digits: d}, nil
}

// parsePerson10 validates date and check digit of the 10-digit form.
func parsePerson10(input, d string) (Person, error) {
	month := int(d[2]-'0')*10 + int(d[3]-'0')
	day := int(d[4]-'0')*10 + int(d[5]-'0')
	if month < 1 || month > 12 {
		return Person{}, &Error{Input: redactInput(input), Reason: fmt.Sprintf("month %02d out of range", month)}
	}
	if day > 60 {
		day -= 60
	}
	if day < 1 || day > 31 {
		return Person{}, &Error{Input: redactInput(input), Reason: "day out of range"}
	}
	if !luhnValid(d) {
		return Person{}, &Error{Input: redactInput(input), Reason: "check digit (Luhn) does not match"}
	}
	return Person{}, nil
}
