package peppol

import (
	"strconv"
	"strings"

	"github.com/vaksam/vaksam/engine/ident"
)

// The flags of the schematron.
const (
	flagFatal   = "fatal"
	flagWarning = "warning"
)

// checkSE checks the Swedish national rules (SE-R-001 to SE-R-013 of the
// PEPPOL BIS Billing 3.0 schematron, PEPPOL-EN16931-UBL.sch) and one rule
// of Vaksam's own (VK-SE-VAT). Where the schematron tests number(x), the
// check here is stricter: x must be ASCII digits only.
func checkSE(d *Document) []Failure {
	s := d.Seller
	if s.Country != "SE" {
		return nil
	}
	var out []Failure
	add := func(rule, path, flag, msg string) {
		out = append(out, Failure{Rule: rule, Path: path, Flag: flag, Message: msg})
	}
	vatPath := ""
	for _, t := range d.sellerTax {
		if strings.TrimSpace(t.scheme) == "VAT" && vatPath == "" {
			vatPath = t.path
		}
	}
	vat := normalize(s.VAT)
	seVAT := vatPath != "" && strings.HasPrefix(s.VAT, "SE")
	if seVAT {
		if len([]rune(vat)) != 14 {
			add("SE-R-001", vatPath, flagFatal, "For Swedish suppliers, Swedish VAT-numbers must consist of 14 characters.")
		}
		if rest := substr(s.VAT, 2, 12); !digits(rest) {
			add("SE-R-002", vatPath, flagFatal, "For Swedish suppliers, the Swedish VAT-numbers must have the trailing 12 characters in numeric form")
		} else if len(vat) == 14 && (!strings.HasSuffix(vat, "01") || !luhn(vat[2:12])) {
			add("VK-SE-VAT", vatPath, flagWarning, "A Swedish VAT number is SE, the 10-digit organisation number (valid check digit) and 01")
		}
	}
	if id := normalize(s.LegalCompanyID.Value); id != "" {
		p := s.legalPath
		if !digits(id) {
			add("SE-R-003", p, flagFatal, "Swedish organisation numbers should be numeric.")
		}
		if len([]rune(id)) != 10 {
			add("SE-R-004", p, flagFatal, "Swedish organisation numbers consist of 10 characters.")
		}
		if !digits(id) || len(id) < 10 || !luhn(id[:10]) {
			add("SE-R-013", p, flagFatal, "The last digit of a Swedish organization number must be valid according to the Luhn algorithm.")
		}
		for _, t := range d.sellerTax {
			if strings.ToUpper(strings.TrimSpace(t.scheme)) != "VAT" && strings.ToUpper(normalize(t.companyID)) != fskatt {
				add("SE-R-005", t.path, flagFatal, "For Swedish suppliers, when using Seller tax registration identifier, 'Godkänd för F-skatt' must be stated")
			}
		}
	}
	if seVAT {
		for _, c := range d.taxCategories {
			if c.id != "S" {
				continue
			}
			switch pct, err := strconv.ParseFloat(strings.TrimSpace(c.percent), 64); {
			case err == nil && (pct == 25 || pct == 12 || pct == 6):
			default:
				add("SE-R-006", c.path, flagFatal, "For Swedish suppliers, only standard VAT rate of 6, 12 or 25 are used")
			}
		}
	}
	for _, m := range d.PaymentMeans {
		code, acc := strings.TrimSpace(m.Code), normalize(m.AccountID)
		if code == "30" && m.accountPath != "" {
			switch normalize(m.Branch) {
			case "SE:PLUSGIRO":
				if !digits(acc) {
					add("SE-R-007", m.accountPath, flagWarning, "For Swedish suppliers using Plusgiro, the Account ID must be numeric")
				}
				if n := len([]rune(acc)); n < 2 || n > 8 {
					add("SE-R-010", m.accountPath, flagWarning, "For Swedish suppliers using Plusgiro, the Account ID must have 2-8 characters")
				}
			case "SE:BANKGIRO":
				if !digits(acc) {
					add("SE-R-008", m.accountPath, flagWarning, "For Swedish suppliers using Bankgiro, the Account ID must be numeric")
				}
				if n := len([]rune(acc)); n != 7 && n != 8 {
					add("SE-R-009", m.accountPath, flagWarning, "For Swedish suppliers using Bankgiro, the Account ID must have 7-8 characters")
				}
			}
		}
		if code == "50" || code == "56" {
			add("SE-R-011", m.path, flagWarning, "For Swedish suppliers using Swedish Bankgiro or Plusgiro, the proper way to indicate this is to use Code 30 for PaymentMeans and FinancialInstitutionBranch ID with code SE:BANKGIRO or SE:PLUSGIRO")
		}
		if code == "31" && d.Buyer.Country == "SE" {
			add("SE-R-012", m.path, flagWarning, "For domestic transactions between Swedish trading partners, credit transfer should be indicated by PaymentMeansCode=\"30\"")
		}
	}
	return out
}

// substr is XPath's substring(s, start+1, n) on runes, never out of range.
func substr(s string, start, n int) string {
	r := []rune(s)
	if start >= len(r) {
		return ""
	}
	r = r[start:]
	if n < len(r) {
		r = r[:n]
	}
	return string(r)
}

// digits reports whether s is one or more ASCII digits.
func digits(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }

// luhn reports whether the 10 digits d end with their Luhn check digit.
func luhn(d string) bool {
	return len(d) == 10 && digits(d) && ident.LuhnDigit(d[:9]) == d[9]
}
