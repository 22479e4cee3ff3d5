package synthetic

import (
	"strconv"
	"time"

	"github.com/vaksam/vaksam/engine/ident"
)

// Identity numbers and addresses are drawn through bijections
// x -> (x*prime + offset) mod space, so distinct indices always give
// distinct numbers and street addresses, at any population size, without
// remembering what was handed out.

const (
	bigPrime = 1_000_000_007 // larger than every space below, hence coprime

	orgSpace  = 2_000_000 // per legal-form family: two 3-digit prefixes x 10^6
	pnrDays   = 18262     // 1950-01-01 .. 1999-12-31
	pnrSpace  = pnrDays * 1000
	addrSpace = 3 * 199 * 480 * 35 // letter x number x street x slot
)

func bij(x, off, space uint64) uint64 { return (x*bigPrime + off) % space }

func digits(n uint64, width int) string {
	s := strconv.FormatUint(n, 10)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

// orgNumber completes nine digits with the Luhn check digit.
func orgNumber(d9 string) string { return d9 + string(ident.LuhnDigit(d9)) }

// Legal-form families.
const (
	formAB = iota
	formHB
	formIF // ideell förening
	formE  // enskild näringsidkare (sole trader)
)

var formPrefixes = [...][2]string{
	formAB: {"556", "559"},
	formHB: {"916", "969"},
	formIF: {"802", "804"},
}

// orgnrFor returns the organisation number of organisation i in a family,
// and whether it carries the "new" prefix (559: registered after 2015).
func (g *gen) orgnrFor(i, form int) (string, bool) {
	// 1234567891 is coprime with 2*10^6 and scatters neighbours.
	x := (uint64(i)*1_234_567_891 + g.h(0, saltOrgOff)%orgSpace) % orgSpace
	p := formPrefixes[form]
	newer := x >= orgSpace/2
	pre := p[0]
	if newer {
		pre = p[1]
	}
	return orgNumber(pre + digits(x%(orgSpace/2), 6)), newer
}

// person is a natural person: number (12 digits) and name.
type person struct {
	pnr  string
	name string
}

// personFor returns person pi. A coordination number (samordningsnummer)
// has 60 added to the day of birth.
func (g *gen) personFor(pi int, coord bool) person {
	x := bij(uint64(pi), g.h(0, saltPnrOff)%pnrSpace, pnrSpace)
	day := int(x / 1000)
	serial := int(x % 1000)
	b := pnrEpoch.AddDate(0, 0, day)
	if serial == 0 {
		// Serial 000 is never issued. Those drawn it are born as many
		// days after 1900-01-01 instead (1900-1949 has as many days as
		// 1950-1999), with serial 002: still distinct, still female.
		serial = 2
		b = pnrEpoch0.AddDate(0, 0, day)
	}
	dd := b.Day()
	if coord {
		dd += 60
	}
	d9 := digits(uint64(b.Year()%100), 2) + digits(uint64(b.Month()), 2) + digits(uint64(dd), 2) + digits(uint64(serial), 3)
	pnr := digits(uint64(b.Year()/100), 2) + orgNumber(d9)
	return person{pnr: pnr, name: g.personName(pi, coord, serial%2 == 0)}
}

// personName names person pi: a foreign name for a samordningsnummer.
func (g *gen) personName(pi int, coord, female bool) string {
	h := g.h(pi, saltPersonName)
	var first, last string
	switch {
	case coord && female:
		first, last = foreignFemale[h%uint64(len(foreignFemale))], foreignLast[(h>>20)%uint64(len(foreignLast))]
	case coord:
		first, last = foreignMale[h%uint64(len(foreignMale))], foreignLast[(h>>20)%uint64(len(foreignLast))]
	case female:
		first, last = femaleNames[h%uint64(len(femaleNames))], lastNames[(h>>20)%uint64(len(lastNames))]
	default:
		first, last = maleNames[h%uint64(len(maleNames))], lastNames[(h>>20)%uint64(len(lastNames))]
	}
	return first + " " + last
}

// unknownBirthSpace holds the samordningsnummer personUnknownBirth hands
// out: a birth year 1950-1999 and a serial number 001-999.
const unknownBirthSpace = 50 * 999

// personUnknownBirth returns person pi with a samordningsnummer that
// leaves the birth date partly unknown, as Skatteverket issues some: month
// 00 (unknownMonth) and day 60, that is 00 + 60 (unknownDay). The year is
// always known. personFor's numbers have a real month and day, so these
// never equal one of them; distinct pi (closer than unknownBirthSpace)
// give distinct numbers.
func (g *gen) personUnknownBirth(pi int, unknownMonth, unknownDay bool) person {
	x := bij(uint64(pi), g.h(0, saltUnknownBirth)%unknownBirthSpace, unknownBirthSpace)
	year, serial := 1950+x/999, 1+x%999
	h := g.h(pi, saltUnknownBirth)
	month, day := 1+h%12, 1+(h>>8)%28
	if unknownMonth {
		month = 0
	}
	if unknownDay {
		day = 0
	}
	d9 := digits(year%100, 2) + digits(month, 2) + digits(day+60, 2) + digits(serial, 3)
	return person{pnr: digits(year/100, 2) + orgNumber(d9), name: g.personName(pi, true, serial%2 == 0)}
}

var pnrEpoch = time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)

// pnrEpoch0 is the first birth date of those who drew serial 000.
var pnrEpoch0 = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// address is a postal address.
type address struct {
	street   string
	co       string
	postcode string // five digits
	town     int
}

func (a address) oneLine() string {
	return a.street + ", " + a.postcode + " " + towns[a.town].name
}

// oneLineUpper spells the same address the way a register extract might:
// upper case, postcode with a space.
func (a address) oneLineUpper() string {
	return upper(a.street) + ", " + a.postcode[:3] + " " + a.postcode[3:] + " " + towns[a.town].upper
}

// addrFor returns street address number ai; distinct ai give distinct
// normalised addresses.
func (g *gen) addrFor(ai int) address {
	x := bij(uint64(ai), g.h(0, saltAddrOff)%addrSpace, addrSpace)
	letter := x % 3
	x /= 3
	num := 1 + x%199
	x /= 199
	st := x % 480
	x /= 480
	sl := slots[x%uint64(len(slots))]
	street := streetPrefixes[st/80] + streetBases[st%80] + " " + strconv.FormatUint(num, 10)
	if letter > 0 {
		street += string(rune('A' + letter - 1))
	}
	pc := sl.prefix + digits(10+(st*13+num/50)%89, 2)
	return address{street: street, postcode: pc, town: sl.town}
}

// boxAddr returns a box address in town t.
func (g *gen) boxAddr(i, t int) address {
	n := 100 + (g.h(i, saltBox) % 9000)
	return address{street: "Box " + strconv.FormatUint(n*10+uint64(i%10), 10), postcode: towns[t].boxPrefix + digits(10+uint64(i%80), 2), town: t}
}

func fixed(f fixedAddr) address { return address{street: f.street, postcode: f.postcode, town: f.town} }
