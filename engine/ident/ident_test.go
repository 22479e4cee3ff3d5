package ident

import (
	"errors"
	"strings"
	"testing"
)

// orgWithCheck completes nine digits with their Luhn check digit.
func orgWithCheck(d9 string) string { return d9 + string(LuhnDigit(d9)) }

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
				if err == nil {
					t.Fatalf("ParseOrg(%q) = %v, want an error", tt.in, o)
				}
				if !strings.Contains(err.Error(), tt.errPart) {
					t.Errorf("error %q does not contain %q", err, tt.errPart)
				}
				if !errors.Is(err, ErrInvalid) {
					t.Errorf("error %v is not ErrInvalid", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseOrg(%q): %v", tt.in, err)
			}
			if o.String() != tt.want || o.Personal() != tt.personal || o.LegalForm() != tt.legalForm {
				t.Errorf("ParseOrg(%q) = %s personal=%v form=%s, want %s personal=%v form=%s",
					tt.in, o, o.Personal(), o.LegalForm(), tt.want, tt.personal, tt.legalForm)
			}
			if o.Hyphenated() != tt.want[:6]+"-"+tt.want[6:] {
				t.Errorf("Hyphenated = %s", o.Hyphenated())
			}
			if tt.personal && o.Redacted() != tt.want[:2]+"XXXX-XXXX" || !tt.personal && o.Redacted() != tt.want {
				t.Errorf("Redacted = %s", o.Redacted())
			}
		})
	}
}

func TestParseOrgErrorsRedactPersons(t *testing.T) {
	for _, in := range []string{"196001011236", "6001011236", "600101-1236", "1960010112361", "19600101123A"} {
		_, err := ParseOrg(in)
		if err == nil {
			t.Fatalf("ParseOrg(%q): no error", in)
		}
		if strings.Contains(err.Error(), "1236") || strings.Contains(err.Error(), "123A") {
			t.Errorf("ParseOrg(%q): error %q repeats the number", in, err)
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
		coordination bool
		errPart      string
	}{
		{in: "196001011235", want: "196001011235", year: 1960},
		{in: "19600101-1235", want: "196001011235", year: 1960},
		{in: "197505121231", want: "197505121231", year: 1975},
		{in: "198211304327", want: "198211304327", year: 1982},
		{in: "196907664459", want: "196907664459", year: 1969, coordination: true},
		{in: "196001011236", errPart: "check digit"},
		{in: "6001011235", errPart: "has 10 digits, want 12"},
		{in: "1960010112355", errPart: "has 13 digits"},
		{in: "196013011235", errPart: "month 13"},
		{in: "196000011235", errPart: "month 00"},
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
				if err == nil {
					t.Fatalf("ParsePerson(%q) succeeded, want an error", tt.in)
				}
				if !strings.Contains(err.Error(), tt.errPart) {
					t.Errorf("error %q does not contain %q", err, tt.errPart)
				}
				if len(tt.in) >= 10 && strings.Contains(err.Error(), tt.in[len(tt.in)-4:]) {
					t.Errorf("error %q repeats the last four digits", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePerson(%q): %v", tt.in, err)
			}
			if p.String() != tt.want || p.BirthYear() != tt.year || p.Coordination() != tt.coordination {
				t.Errorf("ParsePerson(%q) = %s year=%d coordination=%v, want %s %d %v",
					tt.in, p, p.BirthYear(), p.Coordination(), tt.want, tt.year, tt.coordination)
			}
		})
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
		if err != nil || o2 != o {
			t.Fatalf("ParseOrg(%q) = %v; again from %q: %v, %v", s, o, d, o2, err)
		}
		if o3, err := ParseOrg(o.Hyphenated()); err != nil || o3 != o {
			t.Fatalf("hyphenated %q does not round-trip: %v, %v", o.Hyphenated(), o3, err)
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
		"6001011235", "", "-", "199999999999", "20000160+0000"} {
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
		_ = p.Coordination()
		// A valid person number is a valid sole trader's number.
		o, err := ParseOrg(d)
		if err != nil || !o.Personal() || o.String() != d[2:] {
			t.Fatalf("ParseOrg(%q) = %v personal=%v, %v", d, o, o.Personal(), err)
		}
	})
}
