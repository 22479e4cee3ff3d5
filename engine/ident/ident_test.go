package ident

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// orgWithCheck completes nine digits with their Luhn check digit.
func orgWithCheck(d9 string) string { return d9 + string(LuhnDigit(d9)) }

// pnr completes the first eleven digits of a 12-digit person number with
// its check digit (over the last nine of them).
func pnr(d11 string) string { return d11 + string(LuhnDigit(d11[2:])) }

// ref is the reference time of the tests that need one: 15 June 2026.
var ref = time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }

// wantInvalid fails the test unless err is an ErrInvalid naming errPart
// that does not repeat secret (the last digits of a person number; "" for
// none).
func wantInvalid(t *testing.T, call string, err error, errPart, secret string) {
	t.Helper()
	switch {
	case err == nil:
		t.Errorf("%s succeeded, want an error containing %q", call, errPart)
	case !strings.Contains(err.Error(), errPart) || !errors.Is(err, ErrInvalid):
		t.Errorf("%s: error %q does not contain %q or is not ErrInvalid", call, err, errPart)
	case secret != "" && strings.Contains(err.Error(), secret):
		t.Errorf("%s: error %q repeats %s", call, err, secret)
	}
}

// last4 is what an error about the person number s must not repeat.
func last4(s string) string {
	if len(s) < 10 {
		return ""
	}
	return s[len(s)-4:]
}

func TestParseOrg(t *testing.T) {
	notPerson := orgWithCheck("551301234") // digits 3-4 = 13: neither an organisation nor a date
	tests := []struct {
		in        string
		want      string
		personal  bool
		legalForm string
		errPart   string
	}{
		{in: "5560021361", want: "5560021361", legalForm: "aktiebolag"},
		{in: "5591234561", want: "5591234561", legalForm: "aktiebolag"},
		{in: "9124001992", want: "9124001992", legalForm: "handelsbolag"},
		{in: "559123-4561", want: "5591234561", legalForm: "aktiebolag"},
		{in: " 5591234561 ", want: "5591234561", legalForm: "aktiebolag"},
		{in: "165591234561", want: "5591234561", legalForm: "aktiebolag"},
		{in: "16559123-4561", want: "5591234561", legalForm: "aktiebolag"},
		{in: "196001011235", want: "6001011235", personal: true, legalForm: "enskild_naringsidkare"},
		{in: "19600101-1235", want: "6001011235", personal: true, legalForm: "enskild_naringsidkare"},
		{in: "6001011235", want: "6001011235", personal: true, legalForm: "enskild_naringsidkare"},
		{in: "600101-1235", want: "6001011235", personal: true, legalForm: "enskild_naringsidkare"},
		{in: "196907664459", want: "6907664459", personal: true, legalForm: "enskild_naringsidkare"}, // samordningsnummer
		// Samordningsnummer with an unknown month, day or both (Skatteverket's test numbers).
		{in: "191500722390", want: "1500722390", personal: true, legalForm: "enskild_naringsidkare"},
		{in: "1500722390", want: "1500722390", personal: true, legalForm: "enskild_naringsidkare"},
		{in: "150072+2390", want: "1500722390", personal: true, legalForm: "enskild_naringsidkare"},
		{in: "191711602399", want: "1711602399", personal: true, legalForm: "enskild_naringsidkare"},
		{in: "193100602394", want: "3100602394", personal: true, legalForm: "enskild_naringsidkare"},
		{in: "0002292381", want: "0002292381", personal: true, legalForm: "enskild_naringsidkare"}, // 29 February 2000
		{in: pnr("19600101000"), errPart: "serial number 000"},
		{in: pnr("19600101000")[2:], errPart: "serial number 000"},
		{in: pnr("19300230123"), errPart: "month 02 of 1930 has 28 days"},
		{in: pnr("19300230123")[2:], errPart: "month 02 has at most 28 days"},
		{in: pnr("19320230123")[2:], errPart: "month 02 has at most 29 days"},
		{in: pnr("20010229123")[2:], errPart: "month 02 has at most 28 days"},
		{in: pnr("19000229123"), errPart: "month 02 of 1900 has 28 days"},
		{in: "193002902397", errPart: "day out of range"}, // samordningsnummer for 30 February
		{in: "2120000142", want: "2120000142", legalForm: "offentlig"},
		{in: "5591234562", errPart: "check digit"},
		{in: "165591234562", errPart: "check digit"},
		{in: "559123456", errPart: "has 9 digits"},
		{in: "55912345612", errPart: "has 11 digits"},
		{in: "1655912345612", errPart: "has 13 digits"},
		{in: "", errPart: "empty"},
		{in: "   ", errPart: "empty"},
		{in: "55912345A1", errPart: "unexpected character 'A'"},
		{in: "SE5591234561", errPart: "unexpected character"},
		{in: "55-91234561", errPart: "separator"},
		{in: "559123--4561", errPart: "separator"},
		{in: notPerson, errPart: "digits 3-4 are below 20"},
		{in: "16" + notPerson, errPart: "digits 3-4 must be at least 20"},
		{in: "196001011236", errPart: "neither 16-prefixed nor a valid personnummer"},
		{in: "176001011235", errPart: "century"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			o, err := ParseOrg(tt.in)
			if tt.errPart != "" {
				wantInvalid(t, "ParseOrg("+tt.in+")", err, tt.errPart, "")
				return
			}
			if err != nil {
				t.Fatalf("ParseOrg(%q): %v", tt.in, err)
			}
			if o.String() != tt.want || o.Personal() != tt.personal || o.LegalForm() != tt.legalForm {
				t.Errorf("ParseOrg(%q) = %s personal=%v form=%s, want %s personal=%v form=%s",
					tt.in, o, o.Personal(), o.LegalForm(), tt.want, tt.personal, tt.legalForm)
			}
			// As of 1900 nobody here is 100 or older.
			if got := o.Separated(time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)); got != tt.want[:6]+"-"+tt.want[6:] {
				t.Errorf("Separated = %s", got)
			}
			if tt.personal && o.Redacted() != tt.want[:2]+"XXXX-XXXX" || !tt.personal && o.Redacted() != tt.want {
				t.Errorf("Redacted = %s", o.Redacted())
			}
		})
	}
}

func TestParseOrgErrorsRedactPersons(t *testing.T) {
	for _, in := range []string{"196001011236", "6001011236", "600101-1236", "1960010112361", "19600101123A",
		pnr("19600101000"), pnr("19600101000")[2:], pnr("19300230123"), pnr("19300230123")[2:], pnr("19600100123")} {
		_, err := ParseOrg(in)
		if err == nil {
			t.Fatalf("ParseOrg(%q): no error", in)
		}
		if strings.Contains(err.Error(), in[len(in)-4:]) {
			t.Errorf("ParseOrg(%q): error %q repeats the number", in, err)
		}
	}
	for _, in := range []string{pnr("20260616123"), "000229+2381", "600101+1236"} {
		_, err := ParseOrgAt(in, ref)
		if err == nil {
			t.Fatalf("ParseOrgAt(%q): no error", in)
		}
		if strings.Contains(err.Error(), in[len(in)-4:]) {
			t.Errorf("ParseOrgAt(%q): error %q repeats the number", in, err)
		}
	}
}

func TestParseOrgErrorsKeepOrganisations(t *testing.T) {
	for _, in := range []string{"5591234562", "55912345612", "55912345A1"} {
		_, err := ParseOrg(in)
		if err == nil || !strings.Contains(err.Error(), in) {
			t.Errorf("ParseOrg(%q): error %v does not name the input", in, err)
		}
	}
}

func TestParsePerson(t *testing.T) {
	tests := []struct {
		in           string
		want         string
		year         int
		month        time.Month
		day          int
		coordination bool
		errPart      string
	}{
		{in: "196001011235", want: "196001011235", year: 1960, month: 1, day: 1},
		{in: "19600101-1235", want: "196001011235", year: 1960, month: 1, day: 1},
		{in: "197505121231", want: "197505121231", year: 1975, month: 5, day: 12},
		{in: "198211304327", want: "198211304327", year: 1982, month: 11, day: 30},
		{in: "196907664459", want: "196907664459", year: 1969, month: 7, day: 6, coordination: true},
		// Samordningsnummer with an unknown month (00), day (60) or both,
		// from Skatteverket's test samordningsnummer.
		{in: "191500722390", want: "191500722390", year: 1915, month: 0, day: 12, coordination: true},
		{in: "191711602399", want: "191711602399", year: 1917, month: 11, day: 0, coordination: true},
		{in: "193100602394", want: "193100602394", year: 1931, coordination: true},
		{in: "19150072+2390", want: "191500722390", year: 1915, day: 12, coordination: true},
		{in: "202107919967", want: "202107919967", year: 2021, month: 7, day: 31, coordination: true},
		// Leap days: 2000 and 1904 are leap years, 1900 and 2001 are not.
		{in: pnr("20000229123"), want: pnr("20000229123"), year: 2000, month: 2, day: 29},
		{in: pnr("19040229123"), want: pnr("19040229123"), year: 1904, month: 2, day: 29},
		{in: pnr("19000229123"), errPart: "day out of range: month 02 of 1900 has 28 days"},
		{in: pnr("20010229123"), errPart: "day out of range: month 02 of 2001 has 28 days"},
		{in: pnr("19300230123"), errPart: "day out of range: month 02 of 1930 has 28 days"},
		{in: pnr("19600431123"), errPart: "day out of range: month 04 of 1960 has 30 days"},
		{in: pnr("19600430123"), want: pnr("19600430123"), year: 1960, month: 4, day: 30},
		{in: "193002902397", errPart: "day out of range: month 02 of 1930 has 28 days"}, // samordningsnummer
		{in: pnr("19600101000"), errPart: "serial number 000 is never issued"},
		{in: pnr("19150060000"), errPart: "serial number 000 is never issued"},
		{in: "196001011236", errPart: "check digit"},
		{in: "6001011235", errPart: "has 10 digits, want 12"},
		{in: "1960010112355", errPart: "has 13 digits"},
		{in: "196013011235", errPart: "month 13"},
		{in: "196000011235", errPart: "month 00"},
		{in: pnr("19600100123"), errPart: "day out of range"},
		{in: pnr("19601360123"), errPart: "month 13"},
		{in: "196001321235", errPart: "day out of range"},
		{in: "196001921235", errPart: "day out of range"},
		{in: "176001011235", errPart: "century"},
		{in: "19600101123A", errPart: "unexpected character"},
		{in: "", errPart: "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := ParsePerson(tt.in)
			if tt.errPart != "" {
				wantInvalid(t, "ParsePerson("+tt.in+")", err, tt.errPart, last4(tt.in))
				return
			}
			if err != nil {
				t.Fatalf("ParsePerson(%q): %v", tt.in, err)
			}
			y, m, d := p.BirthDate()
			if p.String() != tt.want || p.BirthYear() != tt.year || p.Coordination() != tt.coordination ||
				y != tt.year || m != tt.month || d != tt.day {
				t.Errorf("ParsePerson(%q) = %s year=%d coordination=%v date=%d-%02d-%02d, want %s %d %v %d-%02d-%02d",
					tt.in, p, p.BirthYear(), p.Coordination(), y, m, d, tt.want, tt.year, tt.coordination, tt.year, tt.month, tt.day)
			}
			// The 12-digit form is valid as of any time after the birth date.
			if _, err := ParsePersonAt(tt.in, ref); err != nil {
				t.Errorf("ParsePersonAt(%q, %s): %v", tt.in, ref, err)
			}
		})
	}
}

func TestParsePersonAt(t *testing.T) {
	tests := []struct {
		in      string
		at      time.Time
		want    string
		errPart string
	}{
		// 12 digits: the century is given; the birth date must not be after at.
		{in: pnr("20260615123"), at: ref, want: pnr("20260615123")},
		{in: pnr("20260616123"), at: ref, errPart: "birth date is after the reference date 2026-06-15"},
		{in: pnr("20260616123"), at: day(2026, 6, 16), want: pnr("20260616123")},
		// An unknown month or day counts as its earliest value.
		{in: pnr("20260060123"), at: ref, want: pnr("20260060123")},
		{in: pnr("20260060123"), at: day(2025, 12, 31), errPart: "after the reference date"},
		{in: pnr("20270060123"), at: ref, errPart: "after the reference date"},
		{in: pnr("20260660123"), at: ref, want: pnr("20260660123")},
		{in: pnr("20260760123"), at: ref, errPart: "after the reference date"},
		{in: pnr("20261060123"), at: ref, errPart: "after the reference date"},
		// 10 digits: '-' or no separator means younger than 100 at at,
		// '+' 100 or older; the latest year that fits.
		{in: "600101-1235", at: ref, want: "196001011235"},
		{in: "6001011235", at: ref, want: "196001011235"},
		{in: "600101+1235", at: ref, want: "186001011235"},
		{in: pnr("20260615123")[2:8] + "-" + pnr("20260615123")[8:], at: ref, want: pnr("20260615123")},
		{in: pnr("19260616123")[2:], at: ref, want: pnr("19260616123")},                                 // 100 tomorrow
		{in: pnr("19260615123")[2:8] + "+" + pnr("19260615123")[8:], at: ref, want: pnr("19260615123")}, // 100 today
		{in: pnr("19260616123")[2:8] + "+" + pnr("19260616123")[8:], at: ref, want: pnr("18260616123")}, // not yet 100: a century earlier
		{in: "150072-2390", at: ref, want: "201500722390"},                                              // unknown month
		{in: "150072+2390", at: ref, want: "191500722390"},                                              // unknown month
		{in: "171160+2399", at: ref, want: "191711602399"},                                              // unknown day
		{in: "310060-2394", at: ref, want: "193100602394"},                                              // unknown month and day, 95 years old
		{in: "310060+2394", at: ref, want: "183100602394"},                                              // 100 or older: born 1831
		{in: "000229-2381", at: ref, want: "200002292381"},                                              // 2000 is a leap year
		{in: "000229+2381", at: ref, errPart: "day out of range: month 02 of 1900 has 28 days"},         // 1900 is not
		{in: pnr("19600101000")[2:], at: ref, errPart: "serial number 000"},
		{in: pnr("19300230123")[2:], at: ref, errPart: "day out of range"},
		{in: "600101-1236", at: ref, errPart: "check digit"},
		{in: "60010112", at: ref, errPart: "has 8 digits, want 12 (YYYYMMDDNNNC) or 10 (YYMMDD-NNNC)"},
		{in: "600101-1235", at: time.Time{}, errPart: "as of 0001-01-01 the century would be"},
		{in: "196001011235", at: time.Time{}, errPart: "after the reference date 0001-01-01"},
	}
	for _, tt := range tests {
		t.Run(tt.in+"@"+tt.at.Format(time.DateOnly), func(t *testing.T) {
			p, err := ParsePersonAt(tt.in, tt.at)
			if tt.errPart != "" {
				wantInvalid(t, "ParsePersonAt("+tt.in+")", err, tt.errPart, last4(tt.in))
				return
			}
			if err != nil {
				t.Fatalf("ParsePersonAt(%q): %v", tt.in, err)
			}
			if p.String() != tt.want {
				t.Errorf("ParsePersonAt(%q) = %s, want %s", tt.in, p, tt.want)
			}
			// The separated form as of the same time reads back the same.
			if back, err := ParsePersonAt(p.Separated(tt.at), tt.at); err != nil || back != p {
				t.Errorf("ParsePersonAt(%q) = %s, %v; want %s", p.Separated(tt.at), back, err, p)
			}
		})
	}
}

func TestSeparated(t *testing.T) {
	born1920 := pnr("19200101123") // 100 on 1 January 2020
	tests := []struct {
		name string
		org  func() (Org, error)
		at   time.Time
		want string
	}{
		{"aktiebolag", func() (Org, error) { return ParseOrg("165591234561") }, ref, "559123-4561"},
		{"12 digits, 99", func() (Org, error) { return ParseOrg(born1920) }, day(2019, 12, 31), born1920[2:8] + "-" + born1920[8:]},
		{"12 digits, 100", func() (Org, error) { return ParseOrg(born1920) }, day(2020, 1, 1), born1920[2:8] + "+" + born1920[8:]},
		{"12 digits, 106", func() (Org, error) { return ParseOrg(born1920) }, ref, born1920[2:8] + "+" + born1920[8:]},
		{"12 digits with hyphen", func() (Org, error) { return ParseOrg(born1920[:8] + "-" + born1920[8:]) }, ref, born1920[2:8] + "+" + born1920[8:]},
		{"12 digits, born 2020", func() (Org, error) { return ParseOrg("20" + born1920[2:]) }, ref, born1920[2:8] + "-" + born1920[8:]},
		{"10 digits with plus, as of", func() (Org, error) { return ParseOrgAt(born1920[2:8]+"+"+born1920[8:], ref) }, ref, born1920[2:8] + "+" + born1920[8:]},
		{"10 digits, as of", func() (Org, error) { return ParseOrgAt(born1920[2:], ref) }, ref, born1920[2:8] + "-" + born1920[8:]},
		// ParseOrg of 10 digits does not know the century: the form without
		// '+' says younger than 100.
		{"10 digits, century unknown", func() (Org, error) { return ParseOrg(born1920[2:]) }, ref, born1920[2:8] + "-" + born1920[8:]},
		{"unknown month, 1915", func() (Org, error) { return ParseOrg("191500722390") }, ref, "150072+2390"},
		{"unknown month, before 2015", func() (Org, error) { return ParseOrg("191500722390") }, day(2014, 12, 31), "150072-2390"},
		{"unknown month, from 2015", func() (Org, error) { return ParseOrg("191500722390") }, day(2015, 1, 1), "150072+2390"},
		{"unknown day, 1917-11", func() (Org, error) { return ParseOrg("191711602399") }, day(2017, 10, 31), "171160-2399"},
		{"unknown day, from 2017-11", func() (Org, error) { return ParseOrg("191711602399") }, day(2017, 11, 1), "171160+2399"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := tt.org()
			if err != nil {
				t.Fatal(err)
			}
			if got := o.Separated(tt.at); got != tt.want {
				t.Errorf("Separated(%s) = %s, want %s", tt.at.Format(time.DateOnly), got, tt.want)
			}
			if !o.Personal() {
				return
			}
			// What is shown is read back, as of the same time, to the same number.
			if back, err := ParseOrgAt(tt.want, tt.at); err != nil || back.String() != o.String() || back.Separated(tt.at) != tt.want {
				t.Errorf("ParseOrgAt(%q) = %v, %v", tt.want, back, err)
			}
		})
	}
}

func TestParseOrgAt(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		errPart string
	}{
		{in: "5591234561", want: "5591234561"},
		{in: "165591234561", want: "5591234561"},
		{in: "196001011235", want: "6001011235"},
		{in: "600101+1235", want: "6001011235"},
		{in: pnr("20260616123"), errPart: "birth date is after the reference date 2026-06-15"},
		{in: "20" + pnr("20260616123")[2:8] + "-" + pnr("20260616123")[8:], errPart: "birth date is after"},
		{in: "000229+2381", errPart: "month 02 of 1900 has 28 days"},
		{in: pnr("19600101000")[2:], errPart: "serial number 000"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			o, err := ParseOrgAt(tt.in, ref)
			if tt.errPart != "" {
				wantInvalid(t, "ParseOrgAt("+tt.in+")", err, tt.errPart, last4(tt.in))
				return
			}
			if err != nil || o.String() != tt.want {
				t.Errorf("ParseOrgAt(%q) = %v, %v; want %s", tt.in, o, err, tt.want)
			}
		})
	}
}

func TestNewPerson(t *testing.T) {
	tests := []struct {
		year    int
		month   time.Month
		day     int
		serial  int
		coord   bool
		want    string
		errPart string
	}{
		{year: 1915, month: 0, day: 12, serial: 239, coord: true, want: "191500722390"},
		{year: 1917, month: 11, day: 0, serial: 239, coord: true, want: "191711602399"},
		{year: 1931, month: 0, day: 0, serial: 239, coord: true, want: "193100602394"},
		{year: 1960, month: 1, day: 1, serial: 123, want: "196001011235"},
		{year: 2000, month: 2, day: 29, serial: 238, want: "200002292381"},
		{year: 1960, month: 0, day: 1, serial: 123, errPart: "month 00"},
		{year: 1960, month: 1, day: 0, serial: 123, errPart: "day out of range"},
		{year: 1900, month: 2, day: 29, serial: 123, errPart: "month 02 of 1900 has 28 days"},
		{year: 1960, month: 2, day: 30, serial: 123, coord: true, errPart: "month 02 of 1960 has 29 days"},
		{year: 1960, month: 13, day: 1, serial: 123, errPart: "month 13"},
		{year: 1960, month: 1, day: 1, serial: 0, errPart: "serial number 000"},
		{year: 1960, month: 1, day: 1, serial: 1000, errPart: "out of range"},
		{year: 1960, month: 1, day: 100, serial: 1, errPart: "out of range"},
		{year: 1799, month: 1, day: 1, serial: 1, errPart: "centuries 18, 19 or 20"},
	}
	for _, tt := range tests {
		p, err := NewPerson(tt.year, tt.month, tt.day, tt.serial, tt.coord)
		if tt.errPart != "" {
			wantInvalid(t, fmt.Sprintf("NewPerson(%d, %d, %d, %d, %v)", tt.year, tt.month, tt.day, tt.serial, tt.coord), err, tt.errPart, "")
			continue
		}
		if err != nil || p.String() != tt.want {
			t.Errorf("NewPerson(%d, %d, %d, %d, %v) = %s, %v; want %s", tt.year, tt.month, tt.day, tt.serial, tt.coord, p, err, tt.want)
			continue
		}
		if y, m, d := p.BirthDate(); y != tt.year || m != tt.month || d != tt.day || p.Coordination() != tt.coord {
			t.Errorf("NewPerson(...) = %s: BirthDate %d-%02d-%02d coordination %v", p, y, m, d, p.Coordination())
		}
	}
}

func TestLuhnDigit(t *testing.T) {
	for _, o := range []string{"5560021361", "5591234561", "9124001992", "6001011235"} {
		if got := LuhnDigit(o[:9]); got != o[9] {
			t.Errorf("LuhnDigit(%s) = %c, want %c", o[:9], got, o[9])
		}
	}
}

func TestMustOrgPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustOrg of a bad number did not panic")
		}
	}()
	MustOrg("5591234562")
}

func FuzzParseOrg(f *testing.F) {
	for _, s := range []string{"5560021361", "5591234561", "9124001992", "559123-4561", "165591234561",
		"196001011235", "196907664459", "5591234562", "559123456", "55912345A1", "", "16-", "+", "0000000000", "1600000000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ParseOrg(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseOrg(%q): error %v is not ErrInvalid", s, err)
			}
			_ = err.Error()
			return
		}
		d := o.String()
		if len(d) != 10 || strings.Trim(d, "0123456789") != "" {
			t.Fatalf("ParseOrg(%q) = %q, not 10 digits", s, d)
		}
		o2, err := ParseOrg(d)
		if err != nil || o2.String() != d || o2.Personal() != o.Personal() {
			t.Fatalf("ParseOrg(%q) = %v; again from %q: %v, %v", s, o, d, o2, err)
		}
		// What is shown as of a time reads back, as of that time, to the
		// same number shown the same way (a birth date after ref aside).
		shown := o.Separated(ref)
		if o3, err := ParseOrgAt(shown, ref); err == nil && (o3.String() != d || o3.Separated(ref) != shown) {
			t.Fatalf("%q shown as %q reads back as %v", s, shown, o3)
		} else if err != nil && !strings.Contains(err.Error(), "after the reference date") {
			t.Fatalf("%q shown as %q does not read back: %v", s, shown, err)
		}
		if !o.Personal() {
			if o4, err := ParseOrg("16" + d); err != nil || o4 != o {
				t.Fatalf("16%s does not round-trip: %v, %v", d, o4, err)
			}
		}
		_ = o.Redacted()
		_ = o.LegalForm()
	})
}

func FuzzParsePerson(f *testing.F) {
	for _, s := range []string{"196001011235", "19600101-1235", "196907664459", "197505121231", "196001011236",
		"6001011235", "", "-", "199999999999", "20000160+0000", "191500722390", "191711602399", "193100602394"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePerson(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParsePerson(%q): error %v is not ErrInvalid", s, err)
			}
			return
		}
		d := p.String()
		if len(d) != 12 || strings.Trim(d, "0123456789") != "" {
			t.Fatalf("ParsePerson(%q) = %q, not 12 digits", s, d)
		}
		p2, err := ParsePerson(d)
		if err != nil || p2 != p {
			t.Fatalf("ParsePerson(%q) = %v; again: %v, %v", s, p, p2, err)
		}
		if y := p.BirthYear(); y < 1800 || y > 2099 {
			t.Fatalf("BirthYear %d", y)
		}
		// The 10-digit form as of a time after the birth date reads back,
		// as of that time, to the same person.
		at := time.Date(p.BirthYear()+1, 6, 15, 0, 0, 0, 0, time.UTC)
		if back, err := ParsePersonAt(p.Separated(at), at); err != nil || back != p {
			t.Fatalf("%s shown as %q as of %s reads back as %v, %v", p, p.Separated(at), at, back, err)
		}
		_ = p.Coordination()
		// A valid person number is a valid sole trader's number.
		o, err := ParseOrg(d)
		if err != nil || !o.Personal() || o.String() != d[2:] {
			t.Fatalf("ParseOrg(%q) = %v personal=%v, %v", d, o, o.Personal(), err)
		}
	})
}
