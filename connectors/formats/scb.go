package formats

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
)

func init() { register(record.SCB, parseSCB) }

// parseSCB reads the rows of SCB's Je/HamtaForetag API: a JSON array (or
// several) of objects whose columns come in pairs, "<name>, kod" and
// "<name>", with values that may be space-padded. It reads the array one
// row at a time.
func parseSCB(ctx context.Context, r io.Reader, opt Options, sink Sink) error {
	e := newEmitter(ctx, record.SCB, opt, sink)
	s := newJSONStream(r, e)
	return finish(eachDocument(s, func() error {
		if _, err := s.delim('[', "rows", false); err != nil {
			return err
		}
		for s.dec.More() {
			if err := e.done(); err != nil {
				return err
			}
			raw, line, err := s.value()
			if err != nil {
				return err
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

// code returns a numeric status code that must be one of allowed. A
// missing one is an error unless missing is given, which it then means.
func (r scbRow) code(col string, allowed []int, missing int) (int, error) {
	s, err := r.text(col)
	if err != nil {
		return 0, err
	}
	if s == "" {
		if missing >= 0 {
			return missing, nil
		}
		return 0, fieldErr(col, "missing status code")
	}
	n, err := strconv.Atoi(s)
	if err != nil || !isDigits(s) {
		return 0, fieldErr(col, "%q is not a numeric status code", s)
	}
	if !slices.Contains(allowed, n) {
		return 0, fieldErr(col, "unknown status code %d", n)
	}
	return n, nil
}

// Allowed SCB status codes.
var (
	scbFSkatt    = []int{0, 1, 9}
	scbMoms      = []int{0, 1, 3, 9}
	scbEmployer  = []int{0, 1, 2, 3, 4, 9}
	scbSizeClass = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
)

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
	if t.FSkatt, err = row.code("Fskattstatus, kod", scbFSkatt, -1); err != nil {
		return record.Item{}, err
	}
	if t.Moms, err = row.code("Momsstatus, kod", scbMoms, -1); err != nil {
		return record.Item{}, err
	}
	if t.Employer, err = row.code("Arbetsgivarstatus, kod", scbEmployer, -1); err != nil {
		return record.Item{}, err
	}
	if t.SizeClass, err = row.code("Stkl, kod", scbSizeClass, 0); err != nil {
		return record.Item{}, err
	}
	if t.CompanyStatus, err = row.text("Bolagsstatus, kod"); err != nil {
		return record.Item{}, err
	}
	if t.CompanyStatus != "" && !isDigits(t.CompanyStatus) {
		return record.Item{}, fieldErr("Bolagsstatus, kod", "%q is not a numeric status code", t.CompanyStatus)
	}
	if t.JuridiskForm, err = row.text("Juridisk form, kod"); err != nil {
		return record.Item{}, err
	}
	for i := 1; i <= 5; i++ {
		code, err := row.text("Bransch_" + strconv.Itoa(i) + ", kod")
		if err != nil {
			return record.Item{}, err
		}
		t.SNI = appendSNI(t.SNI, code)
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
