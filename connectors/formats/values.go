package formats

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/excerpt"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
)

// fieldError names the field a value problem was found in.
type fieldError struct {
	field string
	msg   string
}

func (e *fieldError) Error() string { return e.field + ": " + e.msg }

func fieldErr(field, format string, args ...any) error {
	return &fieldError{field: field, msg: fmt.Sprintf(format, args...)}
}

// parseOrgField parses an organisation number held in field.
func parseOrgField(field, s string) (ident.Org, error) {
	o, err := ident.ParseOrg(strings.TrimSpace(s))
	if err != nil {
		return ident.Org{}, &fieldError{field: field, msg: err.Error()}
	}
	return o, nil
}

// parseDateField parses a required date held in field.
func parseDateField(field, s string) (time.Time, error) {
	if strings.TrimSpace(s) == "" {
		return time.Time{}, fieldErr(field, "missing date")
	}
	t, err := record.ParseDate(s)
	if err != nil {
		return time.Time{}, &fieldError{field: field, msg: err.Error()}
	}
	return t, nil
}

// optDateField parses an optional date: empty gives the zero time.
func optDateField(field, s string) (time.Time, error) {
	if strings.TrimSpace(s) == "" {
		return time.Time{}, nil
	}
	return parseDateField(field, s)
}

// parseNonNeg parses an optional non-negative integer (a count or an
// amount in whole kronor): empty gives 0.
func parseNonNeg(field, s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fieldErr(field, "%s is not a whole number", excerpt.Quote(s))
	}
	return checkNonNeg(field, n)
}

// checkNonNeg rejects a negative count or amount.
func checkNonNeg(field string, n int64) (int64, error) {
	if n < 0 {
		return 0, fieldErr(field, "negative value %d", n)
	}
	return n, nil
}

// maxInt caps counts decoded into int fields.
const maxInt = 1<<31 - 1

// parseCount parses an optional non-negative count that fits an int.
func parseCount(field, s string) (int, error) {
	n, err := parseNonNeg(field, s)
	if err != nil {
		return 0, err
	}
	return countOf(field, n)
}

// enum is a closed list of allowed values.
type enum []string

func (e enum) has(v string) bool {
	for _, x := range e {
		if x == v {
			return true
		}
	}
	return false
}

// check returns v if it is one of the allowed values.
func (e enum) check(field, v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", fieldErr(field, "missing value, want one of %s", strings.Join(e, ", "))
	}
	if !e.has(v) {
		return "", fieldErr(field, "unknown value %s, want one of %s", excerpt.Quote(v), strings.Join(e, ", "))
	}
	return v, nil
}

// checkOpt is check for an optional field: empty is accepted.
func (e enum) checkOpt(field, v string) (string, error) {
	if strings.TrimSpace(v) == "" {
		return "", nil
	}
	return e.check(field, v)
}

// requireText returns the trimmed value of a required text field.
func requireText(field, v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", fieldErr(field, "missing value")
	}
	return v, nil
}

// appendSNI appends a trimmed SNI code unless it is a blank slot.
func appendSNI(sni []string, code string) []string {
	code = strings.TrimSpace(code)
	if code == "" {
		return sni
	}
	return append(sni, code)
}

// cleanPostalCode removes the space in "903 26".
func cleanPostalCode(s string) string {
	s = strings.TrimSpace(s)
	if strings.IndexByte(s, ' ') < 0 {
		return s
	}
	return strings.ReplaceAll(s, " ", "")
}

// addressLinks returns the secondary-index entry for a postal address.
func addressLinks(a record.Address) []string {
	if n := a.Normalized(); n != "" {
		return []string{n}
	}
	return nil
}

// oneLineAddressLinks is addressLinks for "Storgatan 12, 90326 Umeå".
func oneLineAddressLinks(s string) []string {
	if n := record.NormalizeOneLineAddress(s); n != "" {
		return []string{n}
	}
	return nil
}

// Allowed values of the own formats (shared/formats/README.md).
var (
	ivoPermitStatus = enum{"giltigt", "aterkallat", "upphort"}
	ivoDecisionType = enum{"forelaggande", "vite", "forbud", "aterkallelse"}
	avDecisionType  = enum{"sanktionsavgift", "forelaggande", "forbud"}
	roleNames       = enum{"ordforande", "styrelseledamot", "suppleant", "vd", "extern_vd", "firmatecknare", "revisor"}
	banTypes        = enum{"naringsforbud", "tillfalligt", "inget"}
	contractOwners  = enum{"egen", "skanes_kommuner", "adda", "stad"}
	categories      = enum{
		"hvb_barn", "hvb_vuxna", "stodboende", "skyddat_boende", "familjehem_konsulent",
		"oppenvard", "arbetskooperativ", "handledning", "tolk", "larm", "livsmedel", "it", "ovrigt",
	}
	// proceedingCodes are Bolagsverket's codes for liquidation, bankruptcy
	// and restructuring proceedings.
	proceedingCodes = enum{"KK", "LI", "FR", "AC", "DEOL", "DEOT", "FUOL", "FUOT", "GROM", "OM", "RES"}
)

// isIdentifier reports whether s is a lower-case code such as hvb_barn.
func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// isDigits reports whether s is one or more ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// trim is strings.TrimSpace: source strings may carry padding.
func trim(s string) string { return strings.TrimSpace(s) }

// countOf checks a decoded count: non-negative and fitting an int.
func countOf(field string, n int64) (int, error) {
	if _, err := checkNonNeg(field, n); err != nil {
		return 0, err
	}
	if n > maxInt {
		return 0, fieldErr(field, "value %d too large", n)
	}
	return int(n), nil
}
