package ident

import (
	"fmt"
	"strconv"
	"time"
)

// Person is a validated personnummer or samordningsnummer in its 12-digit
// form (YYYYMMDDNNNC). It is personal data: it is pseudonymised at ingest
// and must not reach logs, metrics or stored records in the clear.
//
// The date is a real calendar date, the day plus 60 in a samordningsnummer.
// A samordningsnummer may leave the birth date partly unknown, as
// Skatteverket issues them: month 00 for an unknown month, day 60 (00 + 60)
// for an unknown day. The serial number (the three digits before the check
// digit) is never 000.
type Person struct {
	digits string
}

// String returns the 12-digit form. Use it only to derive a pseudonym.
func (p Person) String() string { return p.digits }

// BirthYear returns the year of birth encoded in the number. It is known
// even when a samordningsnummer leaves the month or the day unknown.
func (p Person) BirthYear() int {
	y, _ := strconv.Atoi(p.digits[:4])
	return y
}

// BirthDate returns the date of birth encoded in the number, with the 60
// taken off a samordningsnummer's day. Month and day are 0 when the
// samordningsnummer leaves them unknown.
func (p Person) BirthDate() (year int, month time.Month, day int) {
	b := birthOf(p.digits[2:], p.BirthYear())
	return b.year, time.Month(b.month), b.day
}

// Coordination reports whether this is a samordningsnummer (60 added to the
// day of birth; day 60 when the day is unknown).
func (p Person) Coordination() bool {
	return p.digits[6] >= '6'
}

// Separated returns the 10-digit form with its separator as of at:
// YYMMDD-NNNC, or YYMMDD+NNNC once the holder is 100 or older at at (see
// ParsePersonAt for how age is counted). It is the form ParsePersonAt reads
// back, as of the same time, to the same Person.
func (p Person) Separated(at time.Time) string {
	sep := "-"
	if birthOf(p.digits[2:], p.BirthYear()).centenarian(at) {
		sep = "+"
	}
	return p.digits[2:8] + sep + p.digits[8:]
}

// ParsePerson parses a 12-digit personnummer or samordningsnummer, with or
// without a separator before the last four digits. It has no reference
// time, so it checks the calendar only: ParsePersonAt also rejects birth
// dates in the future and reads 10-digit forms. Errors never repeat the
// full number.
func ParsePerson(s string) (Person, error) {
	return parsePersonString(s, nil)
}

// ParsePersonAt parses a personnummer or samordningsnummer of 12 digits, or
// of 10 digits (YYMMDD-NNNC), as of the time at: a birth date after at's
// calendar date (in at's location; pass Swedish time) is invalid.
//
// The century of a 10-digit form is inferred from its separator: with '+'
// the holder is 100 or older at at, with '-' or none younger than 100. The
// birth year is the latest that fits. A part of the birth date that a
// samordningsnummer leaves unknown counts as its earliest value (1 January
// for an unknown month, the 1st for an unknown day), both for the
// inference and for the check against at. Errors never repeat the full
// number.
func ParsePersonAt(s string, at time.Time) (Person, error) {
	return parsePersonString(s, &at)
}

// NewPerson returns the number of a person born on year-month-day with the
// serial number serial (1-999), completed with its check digit. For a
// samordningsnummer (coordination) 60 is added to the day, and month or day
// may be 0 when unknown. The date must be a real calendar date in a year of
// the centuries 18, 19 or 20. NewPerson has no reference time: compare
// BirthDate with one, or read the number with ParsePersonAt, to rule out a
// date in the future.
func NewPerson(year int, month time.Month, day, serial int, coordination bool) (Person, error) {
	if year < 1800 || year > 2099 {
		return Person{}, &Error{Input: strconv.Itoa(year), Reason: "year of birth must be in the centuries 18, 19 or 20"}
	}
	if month < 0 || day < 0 || serial < 0 || serial > 999 {
		return Person{}, &Error{Input: fmt.Sprintf("%d-%02d-%02d", year, month, day), Reason: fmt.Sprintf("month %d, day %d or serial number %d out of range", month, day, serial)}
	}
	if coordination {
		day += 60
	}
	d9 := fmt.Sprintf("%02d%02d%02d%03d", year%100, month, day, serial)
	if len(d9) != 9 {
		return Person{}, &Error{Input: fmt.Sprintf("%d-%02d-%02d", year, month, day), Reason: "month or day out of range"}
	}
	d := fmt.Sprintf("%02d", year/100) + d9 + string(LuhnDigit(d9))
	return parsePerson12(d, d, nil)
}

func parsePersonString(s string, at *time.Time) (Person, error) {
	d, sep, err := digitsOf(redactInput(s), s)
	if err != nil {
		return Person{}, err
	}
	switch {
	case len(d) == 12:
		return parsePerson12(s, d, at)
	case len(d) == 10 && at != nil:
		return parsePerson10At(s, d, sep == '+', *at)
	case at != nil:
		return Person{}, &Error{Input: redactInput(s), Reason: fmt.Sprintf("has %d digits, want 12 (YYYYMMDDNNNC) or 10 (YYMMDD-NNNC)", len(d))}
	}
	return Person{}, &Error{Input: redactInput(s), Reason: fmt.Sprintf("has %d digits, want 12 (YYYYMMDDNNNC)", len(d))}
}

// parsePerson12 validates the 12 digits d, and when at is given that the
// birth date is not after it.
func parsePerson12(input, d string, at *time.Time) (Person, error) {
	if d[:2] != "19" && d[:2] != "20" && d[:2] != "18" {
		return Person{}, &Error{Input: redactInput(input), Reason: "century must be 18, 19 or 20"}
	}
	year, _ := strconv.Atoi(d[:4])
	if err := checkPerson(input, d[2:], year, true); err != nil {
		return Person{}, err
	}
	if at != nil {
		if err := birthOf(d[2:], year).notAfter(input, *at); err != nil {
			return Person{}, err
		}
	}
	return Person{digits: d}, nil
}

// parsePerson10At validates the 10 digits d and infers their century as of
// at, '+' (plus) saying that the holder is 100 or older.
func parsePerson10At(input, d string, plus bool, at time.Time) (Person, error) {
	yy := int(d[0]-'0')*10 + int(d[1]-'0')
	if err := checkPerson(input, d, yy, false); err != nil {
		return Person{}, err
	}
	b := birthOf(d, yy)
	year := b.inferYear(plus, at)
	if year < 1800 || year > 2099 {
		return Person{}, &Error{Input: redactInput(input), Reason: fmt.Sprintf("as of %s the century would be %d, not 18, 19 or 20", at.Format(time.DateOnly), year/100)}
	}
	return parsePerson12(input, strconv.Itoa(year/100)+d, &at)
}

// checkPerson validates the 10 digits d (YYMMDDNNNC) of a person number:
// month, day, serial number and check digit. year is the year of birth; when
// known is false it is only the last two digits, and 29 February is allowed
// in a year that is a leap year in some century.
func checkPerson(input, d string, year int, known bool) error {
	bad := func(format string, a ...any) error {
		return &Error{Input: redactInput(input), Reason: fmt.Sprintf(format, a...)}
	}
	b := birthOf(d, year)
	switch {
	case b.month > 12:
		return bad("month %02d out of range", b.month)
	case b.month == 0 && !b.coord:
		return bad("month 00 out of range (an unknown month is only used in a samordningsnummer)")
	}
	switch {
	case b.day > 31:
		return bad("day out of range")
	case b.day == 0 && !b.coord:
		return bad("day out of range (an unknown day is written 60, in a samordningsnummer)")
	case b.month != 0 && b.day > daysIn(b.month, year, known):
		if known {
			return bad("day out of range: month %02d of %d has %d days", b.month, year, daysIn(b.month, year, known))
		}
		return bad("day out of range: month %02d has at most %d days", b.month, daysIn(b.month, year, known))
	}
	if d[6:9] == "000" {
		return bad("serial number 000 is never issued")
	}
	if !luhnValid(d) {
		return bad("check digit (Luhn) does not match")
	}
	return nil
}

func daysIn(month, year int, known bool) int {
	switch month {
	case 2:
		if known && (year%4 == 0 && year%100 != 0 || year%400 == 0) || !known && year%4 == 0 {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// birth is the birth date a person number encodes: month and day 0 when a
// samordningsnummer leaves them unknown.
type birth struct {
	year, month, day int
	coord            bool
}

// birthOf reads month and day from the 10 digits d; year is given.
func birthOf(d string, year int) birth {
	b := birth{year: year, month: int(d[2]-'0')*10 + int(d[3]-'0'), day: int(d[4]-'0')*10 + int(d[5]-'0')}
	if b.day >= 60 {
		b.day -= 60
		b.coord = true
	}
	return b
}

// after reports whether the date (y, m, d) is after (y2, m2, d2); unknown
// parts are 0, their earliest value.
func after(y, m, d, y2, m2, d2 int) bool {
	if y != y2 {
		return y > y2
	}
	if m != m2 {
		return m > m2
	}
	return d > d2
}

// inferYear returns the birth year of a 10-digit number whose year ends in
// b.year (two digits) as of at: the latest such year whose date is not
// after at's date, or not after the date 100 years before at if plus.
func (b birth) inferYear(plus bool, at time.Time) int {
	ay, am, ad := at.Date()
	if plus {
		ay -= 100
	}
	y := ay - ((ay-b.year)%100+100)%100
	if after(y, b.month, b.day, ay, int(am), ad) {
		y -= 100
	}
	return y
}

// centenarian reports whether the holder is 100 or older at at.
func (b birth) centenarian(at time.Time) bool {
	ay, am, ad := at.Date()
	return !after(b.year+100, b.month, b.day, ay, int(am), ad)
}

// notAfter returns an error if the birth date is after at's date.
func (b birth) notAfter(input string, at time.Time) error {
	ay, am, ad := at.Date()
	if after(b.year, b.month, b.day, ay, int(am), ad) {
		return &Error{Input: redactInput(input), Reason: "birth date is after the reference date " + at.Format(time.DateOnly)}
	}
	return nil
}
