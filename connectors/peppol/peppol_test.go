package peppol

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func readFile(t *testing.T, name string) *Document {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := Read(f)
	if err != nil {
		t.Fatalf("Read(%s): %v", name, err)
	}
	return d
}

func day(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestReadBaseExample(t *testing.T) {
	d := readFile(t, "base-example.xml")
	if d.Kind != KindInvoice || d.Number != "Snippet1" || d.TypeCode != "380" || d.Currency != "EUR" || d.BuyerReference != "0150abc" {
		t.Errorf("header: %+v", d)
	}
	if !d.IssueDate.Equal(day(t, "2017-11-13")) || !d.DueDate.Equal(day(t, "2017-12-01")) {
		t.Errorf("dates: issue %v due %v", d.IssueDate, d.DueDate)
	}
	s := d.Seller
	if s.Name != "SupplierTradingName Ltd." || s.RegistrationName != "SupplierOfficialName Ltd" || s.VAT != "GB1232434" ||
		s.Country != "GB" || s.Endpoint != (Identifier{"9482348239847239874", "0088"}) || s.LegalCompanyID.Value != "GB983294" {
		t.Errorf("seller: %+v", s)
	}
	if s.Orgnr != "" || s.OrgnrErr != nil || s.FSkatt {
		t.Errorf("a British seller has no organisation number or F-skatt: %+v", s)
	}
	if d.Buyer.Name != "BuyerTradingName AS" || d.Buyer.Country != "SE" || d.Buyer.LegalCompanyID != (Identifier{"39937423947", "0183"}) {
		t.Errorf("buyer: %+v", d.Buyer)
	}
	want := []PaymentMeans{{Code: "30", PaymentID: "Snippet1", AccountID: "IBAN32423940", AccountName: "AccountName", Branch: "BIC324098", Scheme: AccountOther}}
	if len(d.PaymentMeans) != 1 || !samePayment(d.PaymentMeans[0], want[0]) {
		t.Errorf("payment means: %+v", d.PaymentMeans)
	}
	wantTotals := Totals{
		LineExtension: Amount{"1300", "EUR"}, TaxExclusive: Amount{"1325", "EUR"},
		TaxInclusive: Amount{"1656.25", "EUR"}, Payable: Amount{"1656.25", "EUR"},
	}
	if d.Totals != wantTotals || d.TaxTotal != (Amount{"331.25", "EUR"}) {
		t.Errorf("totals %+v, tax %+v", d.Totals, d.TaxTotal)
	}
	if d.Payee != nil || d.OrderReference != "" || d.ContractReference != "" {
		t.Errorf("absent parts read: payee %+v order %q contract %q", d.Payee, d.OrderReference, d.ContractReference)
	}
	if len(d.Failures) != 0 {
		t.Errorf("a British seller is not checked against the Swedish rules: %v", d.Failures)
	}
}

func samePayment(a, b PaymentMeans) bool {
	a.path, a.accountPath = "", ""
	return a == b
}

func TestReadAllowanceExample(t *testing.T) {
	d := readFile(t, "Allowance-example.xml")
	if d.ContractReference != "framework no 1" {
		t.Errorf("contract reference %q", d.ContractReference)
	}
	// Two TaxTotals: the one in the document's currency (EUR) is kept,
	// not the one in the tax currency (SEK).
	if d.TaxTotal != (Amount{"1225.00", "EUR"}) {
		t.Errorf("tax total %+v", d.TaxTotal)
	}
	if d.Totals.Payable != (Amount{"6125.00", "EUR"}) || d.Totals.LineExtension != (Amount{"5900", "EUR"}) {
		t.Errorf("totals %+v", d.Totals)
	}
}

func TestReadCreditNote(t *testing.T) {
	d := readFile(t, "base-creditnote-correction.xml")
	if d.Kind != KindCreditNote || d.TypeCode != "381" || d.Number != "Snippet1" || d.Currency != "EUR" {
		t.Errorf("header: kind %q type %q number %q currency %q", d.Kind, d.TypeCode, d.Number, d.Currency)
	}
	if !d.IssueDate.Equal(day(t, "2017-11-13")) {
		t.Errorf("issue date %v", d.IssueDate)
	}
	if d.Seller.VAT != "GB1232434" || d.Totals.Payable != (Amount{"1656.25", "EUR"}) || d.TaxTotal != (Amount{"331.25", "EUR"}) {
		t.Errorf("seller %+v totals %+v tax %+v", d.Seller, d.Totals, d.TaxTotal)
	}
}

// seTest is one <test> of an OpenPEPPOL rule test file: the document and
// what the validator must say about the rule in scope.
type seTest struct {
	expect string // "success", "error" or "warning"
	rule   string
	doc    *Document
}

// readTestSet reads a VEFA validator test set (rules/unit-UBL-SE).
func readTestSet(t *testing.T, name string) []seTest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "unit-UBL-SE", name))
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	var out []seTest
	var cur *seTest
	inTest := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			if ee, ok := tok.(xml.EndElement); ok && ee.Name.Local == "test" {
				inTest = false
			}
			continue
		}
		switch {
		case se.Name.Local == "test":
			out = append(out, seTest{})
			cur, inTest = &out[len(out)-1], true
		case inTest && (se.Name.Local == "success" || se.Name.Local == "error" || se.Name.Local == "warning"):
			var rule string
			if err := dec.DecodeElement(&rule, &se); err != nil {
				t.Fatal(err)
			}
			cur.expect, cur.rule = se.Name.Local, strings.TrimSpace(rule)
		case inTest && isRoot(se.Name):
			if cur.doc, err = decodeDocument(dec, se); err != nil {
				t.Fatalf("%s test %d: %v", name, len(out), err)
			}
		}
	}
	return out
}

func rules(fs []Failure) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return out
}

// TestSwedishRuleFiles runs every official Swedish rule test: the rule in
// scope must not fail on a success test and must fail, with the expected
// flag, on an error or warning test.
func TestSwedishRuleFiles(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "unit-UBL-SE", "*.xml"))
	if err != nil || len(files) < 20 {
		t.Fatalf("rule test files: %v, %v", files, err)
	}
	failing := 0
	for _, f := range files {
		name := filepath.Base(f)
		tests := readTestSet(t, name)
		if len(tests) < 2 {
			t.Errorf("%s: %d tests, want a success and a failure", name, len(tests))
		}
		for i, tc := range tests {
			if tc.doc == nil || tc.rule == "" {
				t.Errorf("%s test %d: no document or rule", name, i+1)
				continue
			}
			var got *Failure
			for _, fl := range tc.doc.Failures {
				if fl.Rule == tc.rule {
					got = &fl
					break
				}
			}
			switch tc.expect {
			case "success":
				if got != nil {
					t.Errorf("%s test %d: %s failed on its success test: %v", name, i+1, tc.rule, got)
				}
			default:
				failing++
				want := map[string]string{"error": flagFatal, "warning": flagWarning}[tc.expect]
				if got == nil {
					t.Errorf("%s test %d: %s did not fail; failures %v", name, i+1, tc.rule, rules(tc.doc.Failures))
				} else if got.Flag != want || !strings.HasPrefix(got.Path, "/"+tc.doc.root+"/cac:") {
					t.Errorf("%s test %d: %v, want flag %s and a path in the document", name, i+1, got, want)
				}
			}
		}
	}
	if failing < 20 {
		t.Errorf("%d failing tests checked, want at least 20", failing)
	}
}

// TestSwedishInvoice asserts the values of a Swedish invoice (the success
// test of SE-R-013, whose seller has a valid organisation number) and the
// exact failures of the failing test of SE-R-005 and SE-R-009.
func TestSwedishInvoice(t *testing.T) {
	ok := readTestSet(t, "UBL-IN_SE-R-013.xml")[0].doc
	s := ok.Seller
	if s.Orgnr != "2021005489" || s.OrgnrErr != nil || s.VAT != "SE123456789001" || !s.FSkatt ||
		s.TaxRegistration != "Godkänd för F-skatt" || s.RegistrationName != "Allsälj AB" || s.Country != "SE" {
		t.Errorf("seller: %+v", s)
	}
	if ok.Currency != "SEK" || ok.Number != "2018210" || !ok.DueDate.Equal(day(t, "2018-03-07")) || ok.Totals.Payable != (Amount{"125", "SEK"}) {
		t.Errorf("header: %q %q %v %+v", ok.Currency, ok.Number, ok.DueDate, ok.Totals)
	}
	if len(ok.PaymentMeans) != 1 || ok.PaymentMeans[0].PaymentID != "08/00355" || ok.PaymentMeans[0].AccountID != "1234567" {
		t.Errorf("payment means %+v", ok.PaymentMeans)
	}

	bad := readTestSet(t, "UBL-IN_SE-R-005.xml")[1].doc
	f5 := find(bad.Failures, "SE-R-005")
	if f5 == nil || f5.Path != "/Invoice/cac:AccountingSupplierParty[1]/cac:Party[1]/cac:PartyTaxScheme[1]/cbc:CompanyID[1]" || f5.Flag != flagFatal {
		t.Errorf("SE-R-005: %v (all: %v)", f5, bad.Failures)
	}
	if bad.Seller.FSkatt || !bad.Fatal() {
		t.Errorf("'Godkänd för ABC-skatt' is no F-skatt note, and is fatal: %+v", bad.Seller)
	}

	bg := readTestSet(t, "UBL-IN_SE-R-009.xml")
	if m := bg[0].doc.PaymentMeans; len(m) != 1 || m[0].Scheme != AccountBankgiro {
		t.Errorf("bankgiro: %+v", m)
	}
	f9 := find(bg[1].doc.Failures, "SE-R-009")
	if f9 == nil || f9.Path != "/Invoice/cac:PaymentMeans[1]/cac:PayeeFinancialAccount[1]/cbc:ID[1]" || f9.Flag != flagWarning {
		t.Errorf("SE-R-009: %v", f9)
	}
}

func find(fs []Failure, rule string) *Failure {
	i := slices.IndexFunc(fs, func(f Failure) bool { return f.Rule == rule })
	if i < 0 {
		return nil
	}
	return &fs[i]
}

func TestReadErrors(t *testing.T) {
	if _, err := Read(strings.NewReader(`<Order xmlns="urn:x"/>`)); !errors.Is(err, ErrNoDocument) {
		t.Errorf("no document: %v", err)
	}
	// An Invoice element in another namespace is no UBL invoice.
	if _, err := Read(strings.NewReader(`<Invoice><cbc:ID>1</cbc:ID></Invoice>`)); err == nil {
		t.Error("an Invoice without the UBL namespace was read")
	}
	_, err := Read(strings.NewReader(`<Invoice xmlns="` + nsInvoice + `" xmlns:cbc="` + nsCBC + `"><cbc:IssueDate>13/11/2017</cbc:IssueDate></Invoice>`))
	if err == nil || !strings.Contains(err.Error(), "/Invoice/cbc:IssueDate[1]") {
		t.Errorf("bad date: %v", err)
	}
	if _, err := Read(strings.NewReader(`<Invoice xmlns="` + nsInvoice + `"><a>`)); err == nil {
		t.Error("a truncated document was read")
	}
	deep := `<Invoice xmlns="` + nsInvoice + `">` + strings.Repeat("<a>", maxDepth+1)
	if _, err := Read(strings.NewReader(deep)); err == nil || !strings.Contains(err.Error(), "deeper") {
		t.Errorf("deep nesting: %v", err)
	}
}

// TestReadTruncated reads every prefix of an official example: each one
// is an error (the document is cut), never a panic or a document.
func TestReadTruncated(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "unit-UBL-SE", "UBL-IN_SE-R-009.xml"))
	if err != nil {
		t.Fatal(err)
	}
	full := b[:bytes.Index(b, []byte("</Invoice>"))+len("</Invoice>")]
	if _, err := Read(bytes.NewReader(full)); err != nil {
		t.Fatalf("the whole first document: %v", err)
	}
	for n := 0; n < len(full)-1; n++ {
		if d, err := Read(bytes.NewReader(full[:n])); err == nil {
			t.Fatalf("prefix of %d bytes read as %+v", n, d)
		}
	}
}

// FuzzRead is seeded with an official example and small documents. Run it
// with -fuzzminimizetime 2s: minimising a new input of several KB takes the
// default minute, and the progress line shows 0 execs/sec meanwhile.
func FuzzRead(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("testdata", "base-example.xml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(swedishDoc("Invoice", "SE556036079301", "5560360793", "25")))
	f.Add([]byte(swedishDoc("CreditNote", "SE5560360793", "556036-0793", "12.5")))
	f.Add([]byte(`<Invoice xmlns="` + nsInvoice + `"/>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Read(bytes.NewReader(b))
		if err == nil && d == nil {
			t.Fatal("no document and no error")
		}
		if err != nil && d != nil {
			t.Fatal("a document and an error")
		}
	})
}

// swedishDoc is a Swedish invoice with the parts the official files lack
// (an order reference, a payee, a plusgiro and an IBAN account, the
// F-skatt note in CompanyLegalForm); vat, orgnr and percent vary.
func swedishDoc(root, vat, orgnr, percent string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<` + root + ` xmlns="urn:oasis:names:specification:ubl:schema:xsd:` + root + `-2"
 xmlns:cac="` + nsCAC + `" xmlns:b="` + nsCBC + `">
 <b:ID>F-77</b:ID><b:IssueDate>2026-03-01</b:IssueDate>
 <b:DocumentCurrencyCode>SEK</b:DocumentCurrencyCode>
 <cac:OrderReference><b:ID>PO-9</b:ID></cac:OrderReference>
 <cac:AccountingSupplierParty><cac:Party>
  <b:EndpointID schemeID="0007">` + orgnr + `</b:EndpointID>
  <cac:PostalAddress><cac:Country><b:IdentificationCode>SE</b:IdentificationCode></cac:Country></cac:PostalAddress>
  <cac:PartyTaxScheme><b:CompanyID>` + vat + `</b:CompanyID><cac:TaxScheme><b:ID>VAT</b:ID></cac:TaxScheme></cac:PartyTaxScheme>
  <cac:PartyLegalEntity><b:RegistrationName>Omsorg AB</b:RegistrationName><b:CompanyLegalForm>Godkänd  för F-skatt</b:CompanyLegalForm></cac:PartyLegalEntity>
 </cac:Party></cac:AccountingSupplierParty>
 <cac:PayeeParty><cac:PartyIdentification><b:ID schemeID="0007">5560360793</b:ID></cac:PartyIdentification>
  <cac:PartyName><b:Name>Factoring AB</b:Name></cac:PartyName></cac:PayeeParty>
 <cac:PaymentMeans><b:PaymentMeansCode>30</b:PaymentMeansCode><b:PaymentID>1234567890123</b:PaymentID>
  <b:PaymentDueDate>2026-03-31</b:PaymentDueDate>
  <cac:PayeeFinancialAccount><b:ID>12-3</b:ID><cac:FinancialInstitutionBranch><b:ID>SE:PLUSGIRO</b:ID></cac:FinancialInstitutionBranch></cac:PayeeFinancialAccount></cac:PaymentMeans>
 <cac:PaymentMeans><b:PaymentMeansCode>58</b:PaymentMeansCode>
  <cac:PayeeFinancialAccount><b:ID>SE4550000000058398257466</b:ID></cac:PayeeFinancialAccount></cac:PaymentMeans>
 <cac:TaxTotal><b:TaxAmount currencyID="SEK">25.00</b:TaxAmount><cac:TaxSubtotal>
  <cac:TaxCategory><b:ID>S</b:ID><b:Percent>` + percent + `</b:Percent><cac:TaxScheme><b:ID>VAT</b:ID></cac:TaxScheme></cac:TaxCategory>
 </cac:TaxSubtotal></cac:TaxTotal>
</` + root + `>`
}

func TestReadSwedishParts(t *testing.T) {
	d, err := Read(strings.NewReader(swedishDoc("CreditNote", "SE556036079301", "556036-0793", "25.00")))
	if err != nil {
		t.Fatal(err)
	}
	if d.Kind != KindCreditNote || d.OrderReference != "PO-9" || !d.DueDate.Equal(day(t, "2026-03-31")) {
		t.Errorf("kind %q order %q due %v", d.Kind, d.OrderReference, d.DueDate)
	}
	if d.Seller.Orgnr != "5560360793" || !d.Seller.FSkatt || d.Seller.TaxRegistration != "" {
		t.Errorf("seller %+v", d.Seller)
	}
	if d.Payee == nil || d.Payee.Name != "Factoring AB" || d.Payee.ID != (Identifier{"5560360793", "0007"}) {
		t.Errorf("payee %+v", d.Payee)
	}
	if len(d.PaymentMeans) != 2 || d.PaymentMeans[0].Scheme != AccountPlusgiro || d.PaymentMeans[0].PaymentID != "1234567890123" ||
		d.PaymentMeans[1].Scheme != AccountIBAN {
		t.Fatalf("payment means %+v", d.PaymentMeans)
	}
	// "12-3" is no plusgiro number (SE-R-007), and nothing else fails.
	if got := rules(d.Failures); !slices.Equal(got, []string{"SE-R-007"}) || d.Fatal() {
		t.Errorf("failures %v", d.Failures)
	}
	if p := d.Failures[0].Path; p != "/CreditNote/cac:PaymentMeans[1]/cac:PayeeFinancialAccount[1]/cbc:ID[1]" {
		t.Errorf("path %q", p)
	}
}

func TestSwedishVATAndRate(t *testing.T) {
	for _, tc := range []struct {
		vat, orgnr, percent string
		want                []string
		orgnrErr            bool
	}{
		{"SE556036079301", "5560360793", "12", nil, false},
		{"SE556036079401", "5560360793", "6", []string{"VK-SE-VAT"}, false}, // check digit
		{"SE556036079302", "5560360793", "25", []string{"VK-SE-VAT"}, false},
		{"SE55603607930", "5560360794", "25", []string{"SE-R-001"}, true},
		{"SE5560360793AB", "5560360793", "250", []string{"SE-R-002", "SE-R-006"}, false},
	} {
		d, err := Read(strings.NewReader(swedishDoc("Invoice", tc.vat, tc.orgnr, tc.percent)))
		if err != nil {
			t.Fatal(err)
		}
		got := slices.DeleteFunc(rules(d.Failures), func(r string) bool { return r == "SE-R-007" })
		if !slices.Equal(got, tc.want) {
			t.Errorf("VAT %s, rate %s: failures %v, want %v", tc.vat, tc.percent, got, tc.want)
		}
		if (d.Seller.OrgnrErr != nil) != tc.orgnrErr || (d.Seller.Orgnr == "") != tc.orgnrErr {
			t.Errorf("orgnr %s: %q, %v", tc.orgnr, d.Seller.Orgnr, d.Seller.OrgnrErr)
		}
	}
}
