package formats

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/vaksam/vaksam/engine/excerpt"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
)

func init() { register(record.SCB, parseSCB) }

// parseSCB reads the rows of SCB's Je/HamtaForetag API: a JSON array (or
// several) of objects whose columns come in pairs, "<name>, kod" and
// "<name>", with values that may be space-padded. It reads the array one
// row at a time.
//
// SCB answers only the variables the account has ordered (KoptaVariabler):
// a status column may be missing, or say "*" (supplement not ordered). Such
// a fact is unknown, listed in TaxStatus.Unknown, and the rest of the row is
// kept. A row is quarantined only when it is broken: no usable PeOrgNr or
// OrgNr, or a code that is neither valid nor "*".
func parseSCB(ctx context.Context, r io.Reader, opt Options, sink Sink) error {
	e := newEmitter(ctx, record.SCB, opt, sink)
	s := newJSONStream(r, e)
	return finish(eachDocument(s, func() error {
		if _, err := s.delim('[', "rows", false); err != nil {
			return err
		}
		for s.more() {
			if err := e.done(); err != nil {
				return err
			}
			raw, line, err := s.value()
			if err != nil {
				return err
			}
			if raw == nil {
				continue // quarantined
			}
			it, err := scbItem(raw)
			if err != nil {
				err = e.quarantine(line, err.Error(), raw)
			} else {
				it.Raw = raw
				err = e.record(line, it)
			}
			if err != nil {
				return err
			}
		}
		_, err := s.delim(']', "rows", false)
		return err
	}))
}

// scbRow is one row of the API: column name to value.
type scbRow map[string]json.RawMessage

// text returns a column's trimmed text; a missing column or null is empty.
func (r scbRow) text(col string) (string, error) {
	raw, ok := r[col]
	if !ok || string(raw) == "null" {
		return "", nil
	}
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fieldErr(col, "%s", jsonReason(err))
		}
		return strings.TrimSpace(s), nil
	}
	if len(raw) > 0 && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9') {
		return string(raw), nil
	}
	return "", fieldErr(col, "want a string or a number")
}

// notOrdered is SCB's value for a variable the account has not ordered
// ("tillägg ej beställt").
const notOrdered = "*"

// status reads the code column "<name>, kod" of a status that SCB delivers
// only when the account has ordered it (KoptaVariabler). A missing column,
// an empty value or "*" is not an error: it makes the fact unknown, noted in
// t.Unknown under key with a reason naming the column, and 0 is returned.
// A value that is neither a code in allowed nor "*" is an error.
func (r scbRow) status(t *record.TaxStatus, key, name string, allowed []int) (int, error) {
	col := name + ", kod"
	if _, ok := r[col]; !ok {
		unknown(t, key, name+": not delivered by SCB (no such column)")
		return 0, nil
	}
	s, err := r.text(col)
	if err != nil {
		return 0, err
	}
	switch s {
	case "":
		unknown(t, key, name+": no value in SCB's row")
		return 0, nil
	case notOrdered:
		unknown(t, key, name+": not ordered from SCB (*)")
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || !isDigits(s) {
		return 0, fieldErr(col, "%s is not a numeric status code (nor %q, not ordered)", excerpt.Quote(s), notOrdered)
	}
	if !slices.Contains(allowed, n) {
		return 0, fieldErr(col, "unknown status code %d", n)
	}
	return n, nil
}

// unknown notes that t's fact key is unknown, and why.
func unknown(t *record.TaxStatus, key, reason string) {
	if t.Unknown == nil {
		t.Unknown = map[string]string{}
	}
	t.Unknown[key] = reason
}

// Allowed SCB status codes.
var (
	scbFSkatt    = []int{0, 1, 9}
	scbMoms      = []int{0, 1, 3, 9}
	scbEmployer  = []int{0, 1, 2, 3, 4, 9}
	scbSizeClass = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
)

// scbSNI reads the industry codes of "Bransch_1, kod" … "Bransch_5, kod",
// verbatim (SNI 2007 or SNI 2025). With none of the columns, or "*" in
// one, the codes are unknown (t.Unknown["sni"]); the codes read are kept.
func (r scbRow) scbSNI(t *record.TaxStatus) error {
	seen := false
	for i := 1; i <= 5; i++ {
		name := "Bransch_" + strconv.Itoa(i)
		if _, ok := r[name+", kod"]; !ok {
			continue
		}
		seen = true
		code, err := r.text(name + ", kod")
		if err != nil {
			return err
		}
		if code == notOrdered {
			unknown(t, "sni", name+": not ordered from SCB (*)")
			continue
		}
		t.SNI = appendSNI(t.SNI, code)
	}
	if !seen {
		unknown(t, "sni", "Bransch_1: not delivered by SCB (no such column)")
	}
	return nil
}

func scbItem(raw json.RawMessage) (record.Item, error) {
	var row scbRow
	if err := json.Unmarshal(raw, &row); err != nil {
		return record.Item{}, fmt.Errorf("%s", jsonReason(err))
	}
	var t record.TaxStatus
	var org ident.Org
	pe, err := row.text("PeOrgNr")
	if err != nil {
		return record.Item{}, err
	}
	on, err := row.text("OrgNr")
	if err != nil {
		return record.Item{}, err
	}
	switch {
	case pe != "":
		if org, err = parseOrgField("PeOrgNr", pe); err != nil {
			return record.Item{}, err
		}
		if on != "" {
			o2, err := parseOrgField("OrgNr", on)
			if err != nil {
				return record.Item{}, err
			}
			if o2.String() != org.String() { // the 12-digit form keeps a century the 10-digit one lacks
				return record.Item{}, fieldErr("OrgNr", "%s does not match PeOrgNr %s", o2.Redacted(), org.Redacted())
			}
		}
	case on != "":
		if org, err = parseOrgField("OrgNr", on); err != nil {
			return record.Item{}, err
		}
	default:
		return record.Item{}, fieldErr("PeOrgNr", "missing")
	}
	t.Orgnr = org.String()
	if t.Name, err = row.text("Företagsnamn"); err != nil {
		return record.Item{}, err
	}
	for _, f := range []struct {
		key, name string
		allowed   []int
		dst       *int
	}{
		{"fskatt", "Fskattstatus", scbFSkatt, &t.FSkatt},
		{"moms", "Momsstatus", scbMoms, &t.Moms},
		{"employer", "Arbetsgivarstatus", scbEmployer, &t.Employer},
		{"size_class", "Stkl", scbSizeClass, &t.SizeClass},
	} {
		if *f.dst, err = row.status(&t, f.key, f.name, f.allowed); err != nil {
			return record.Item{}, err
		}
	}
	if t.CompanyStatus, err = row.text("Bolagsstatus, kod"); err != nil {
		return record.Item{}, err
	}
	switch {
	case t.CompanyStatus == notOrdered:
		t.CompanyStatus = ""
		unknown(&t, "company_status", "Bolagsstatus: not ordered from SCB (*)")
	case t.CompanyStatus != "" && !isDigits(t.CompanyStatus):
		return record.Item{}, fieldErr("Bolagsstatus, kod", "%s is not a numeric status code", excerpt.Quote(t.CompanyStatus))
	}
	if t.JuridiskForm, err = row.text("Juridisk form, kod"); err != nil {
		return record.Item{}, err
	}
	if t.JuridiskForm == notOrdered {
		t.JuridiskForm = ""
		unknown(&t, "juridisk_form", "Juridisk form: not ordered from SCB (*)")
	}
	if err := row.scbSNI(&t); err != nil {
		return record.Item{}, err
	}
	var a record.Address
	for _, f := range []struct {
		col string
		dst *string
	}{{"PostAdress", &a.Street}, {"COAdress", &a.CO}, {"PostNr", &a.PostalCode}, {"PostOrt", &a.City}} {
		if *f.dst, err = row.text(f.col); err != nil {
			return record.Item{}, err
		}
	}
	a.PostalCode = cleanPostalCode(a.PostalCode)
	t.Address = a
	reg, err := row.text("Registreringsdatum")
	if err != nil {
		return record.Item{}, err
	}
	if t.Registered, err = optDateField("Registreringsdatum", reg); err != nil {
		return record.Item{}, err
	}
	return record.Item{
		Subject: org.String(),
		Parsed:  t,
		Links:   record.Links{Addresses: addressLinks(a)},
	}, nil
}
