// Package peppol reads one e-invoice of PEPPOL BIS Billing 3.0 (a UBL 2.1
// Invoice or CreditNote) into a Document, streamed with encoding/xml, and
// checks the Swedish national rules (SE-R-…) of the PEPPOL BIS 3.0
// schematron that matter for screening suppliers.
//
// The package is a reader only: it is not yet a registered source.
package peppol

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/ident"
)

// The UBL 2.1 namespaces of the elements the reader knows.
const (
	nsInvoice    = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
	nsCreditNote = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
	nsCAC        = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
	nsCBC        = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
)

// Limits that keep a hostile document from costing more than a real one.
const (
	maxDepth = 64
	maxText  = 4096
)

// Kind is the kind of document: an invoice or a credit note.
type Kind string

// The kinds of document.
const (
	KindInvoice    Kind = "invoice"
	KindCreditNote Kind = "creditnote"
)

// SchemeOrgnr is the ISO 6523 ICD of a Swedish organisation number.
const SchemeOrgnr = "0007"

// Identifier is an identifier and its scheme (schemeID), as written.
type Identifier struct {
	Value  string
	Scheme string
}

// Amount is an amount as written (a decimal string, never a float) and its
// currency (currencyID).
type Amount struct {
	Value    string
	Currency string
}

// Party is the seller (AccountingSupplierParty) or buyer
// (AccountingCustomerParty).
type Party struct {
	Endpoint         Identifier
	Identifications  []Identifier
	Name             string // cac:PartyName/cbc:Name
	RegistrationName string // cac:PartyLegalEntity/cbc:RegistrationName
	LegalCompanyID   Identifier
	LegalForm        string // cac:PartyLegalEntity/cbc:CompanyLegalForm
	Country          string // cac:PostalAddress/cac:Country/cbc:IdentificationCode
	VAT              string // PartyTaxScheme/CompanyID where TaxScheme/ID is VAT
	// TaxRegistration is the CompanyID of a PartyTaxScheme whose scheme is
	// not VAT: the F-skatt note of a Swedish seller.
	TaxRegistration string
	// FSkatt is true when the party states "Godkänd för F-skatt" (in a
	// PartyTaxScheme or the CompanyLegalForm).
	FSkatt bool
	// Orgnr is the Swedish organisation number of an identifier with
	// scheme 0007 (legal entity, then party identification, then
	// endpoint), in its 10-digit form; empty when there is none or it is
	// invalid (OrgnrErr says why).
	Orgnr    string
	OrgnrErr error

	legalPath string // the path of LegalCompanyID, for rule failures
}

// Payee is the PayeeParty: who is paid when it is not the seller.
type Payee struct {
	Name    string
	ID      Identifier // cac:PartyIdentification/cbc:ID
	LegalID Identifier // cac:PartyLegalEntity/cbc:CompanyID
}

// AccountScheme names the kind of account a payment goes to.
type AccountScheme string

// The account schemes.
const (
	AccountBankgiro AccountScheme = "bankgiro"
	AccountPlusgiro AccountScheme = "plusgiro"
	AccountIBAN     AccountScheme = "iban"
	AccountOther    AccountScheme = "other"
)

// PaymentMeans is one cac:PaymentMeans.
type PaymentMeans struct {
	Code        string // cbc:PaymentMeansCode (UNCL4461)
	PaymentID   string // cbc:PaymentID: the OCR or payment reference
	AccountID   string // cac:PayeeFinancialAccount/cbc:ID
	AccountName string
	Branch      string // FinancialInstitutionBranch/cbc:ID: SE:BANKGIRO, SE:PLUSGIRO or a BIC
	Scheme      AccountScheme
	DueDate     string // cbc:PaymentDueDate (a credit note's due date)
	path        string // the element's path, for rule failures
	accountPath string
}

// Totals is the cac:LegalMonetaryTotal.
type Totals struct {
	LineExtension Amount
	TaxExclusive  Amount
	TaxInclusive  Amount
	Payable       Amount
}

// Document is one invoice or credit note.
type Document struct {
	Kind              Kind
	Number            string // cbc:ID
	TypeCode          string // InvoiceTypeCode or CreditNoteTypeCode
	IssueDate         time.Time
	DueDate           time.Time // zero when absent
	Currency          string
	BuyerReference    string
	OrderReference    string
	ContractReference string // cac:ContractDocumentReference/cbc:ID
	Seller            Party
	Buyer             Party
	Payee             *Payee
	PaymentMeans      []PaymentMeans
	Totals            Totals
	// TaxTotal is the cac:TaxTotal/cbc:TaxAmount in the document's
	// currency (the first one when none is).
	TaxTotal Amount
	// Failures are the Swedish rules the document breaks, in document
	// order. Fatal ones mean PEPPOL validation rejects the document.
	Failures []Failure

	taxCategories []taxCategory
	sellerTax     []taxScheme
	root          string
}

// Failure is one broken rule: its id (as in the schematron), the path of
// the element it is about, the schematron's flag and its message.
type Failure struct {
	Rule    string
	Path    string
	Flag    string // "fatal" or "warning"
	Message string
}

func (f Failure) String() string {
	return fmt.Sprintf("%s (%s) at %s: %s", f.Rule, f.Flag, f.Path, f.Message)
}

// Fatal reports whether any failure is fatal.
func (d *Document) Fatal() bool {
	for _, f := range d.Failures {
		if f.Flag == "fatal" {
			return true
		}
	}
	return false
}

type taxCategory struct {
	id, percent, path string
}

type taxScheme struct {
	companyID, scheme, path string // path: of the CompanyID element
}

// ErrNoDocument is returned when the input holds no Invoice or CreditNote.
var ErrNoDocument = errors.New("no UBL Invoice or CreditNote element")

// Read reads the first UBL 2.1 Invoice or CreditNote element of r (it may
// be the root or wrapped in another element) and checks the Swedish rules.
func Read(r io.Reader) (*Document, error) {
	dec := xml.NewDecoder(r)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil, ErrNoDocument
		}
		if err != nil {
			return nil, fmt.Errorf("peppol: looking for the document element: %w", err)
		}
		if se, ok := tok.(xml.StartElement); ok && isRoot(se.Name) {
			return decodeDocument(dec, se)
		}
	}
}

func isRoot(n xml.Name) bool {
	return (n.Space == nsInvoice && n.Local == "Invoice") || (n.Space == nsCreditNote && n.Local == "CreditNote")
}

// qualified is an element's name with the usual UBL prefix for its
// namespace ("cac:", "cbc:"); elements of other namespaces get "?:" and
// so match nothing the reader looks for.
func qualified(n xml.Name) string {
	switch n.Space {
	case nsCAC:
		return "cac:" + n.Local
	case nsCBC:
		return "cbc:" + n.Local
	case nsInvoice, nsCreditNote:
		return n.Local
	}
	return "?:" + n.Local
}

type frame struct {
	name   string
	path   string // with indexes, for messages
	attrs  []xml.Attr
	counts map[string]int
	text   strings.Builder
}

// decodeDocument reads the document whose start element is start from dec.
func decodeDocument(dec *xml.Decoder, start xml.StartElement) (*Document, error) {
	d := &Document{Kind: KindInvoice, root: start.Name.Local}
	if start.Name.Local == "CreditNote" {
		d.Kind = KindCreditNote
	}
	stack := []*frame{{name: start.Name.Local, path: "/" + start.Name.Local, counts: map[string]int{}}}
	var names []string // the stack's names without the root, for matching
	for len(stack) > 0 {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("peppol: reading %s %q at %s: %w", d.Kind, d.Number, stack[len(stack)-1].path, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= maxDepth {
				return nil, fmt.Errorf("peppol: reading %s at %s: nested deeper than %d elements", d.Kind, stack[len(stack)-1].path, maxDepth)
			}
			parent := stack[len(stack)-1]
			name := qualified(t.Name)
			parent.counts[name]++
			f := &frame{name: name, path: fmt.Sprintf("%s/%s[%d]", parent.path, name, parent.counts[name]), attrs: t.Attr, counts: map[string]int{}}
			stack = append(stack, f)
			names = append(names, name)
			d.start(strings.Join(names, "/"), f)
		case xml.CharData:
			f := stack[len(stack)-1]
			if f.text.Len()+len(t) <= maxText {
				f.text.Write(t)
			}
		case xml.EndElement:
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if len(names) > 0 {
				if err := d.end(strings.Join(names, "/"), f); err != nil {
					return nil, err
				}
				names = names[:len(names)-1]
			}
		}
	}
	d.finish()
	return d, nil
}

func attr(f *frame, local string) string {
	for _, a := range f.attrs {
		if a.Name.Local == local {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

func amount(f *frame) Amount {
	return Amount{Value: strings.TrimSpace(f.text.String()), Currency: attr(f, "currencyID")}
}

const (
	supplier = "cac:AccountingSupplierParty/cac:Party/"
	customer = "cac:AccountingCustomerParty/cac:Party/"
	payee    = "cac:PayeeParty/"
	means    = "cac:PaymentMeans/"
)

// start is called at each start element, with its path without indexes.
func (d *Document) start(key string, f *frame) {
	switch key {
	case "cac:PaymentMeans":
		d.PaymentMeans = append(d.PaymentMeans, PaymentMeans{path: f.path})
	case "cac:PayeeParty":
		d.Payee = &Payee{}
	case supplier + "cac:PartyTaxScheme":
		d.sellerTax = append(d.sellerTax, taxScheme{})
	}
	if strings.HasSuffix(key, "cac:TaxCategory") || strings.HasSuffix(key, "cac:ClassifiedTaxCategory") {
		d.taxCategories = append(d.taxCategories, taxCategory{path: f.path})
	}
}

// end is called at each end element, with its path without indexes.
func (d *Document) end(key string, f *frame) error {
	text := strings.TrimSpace(f.text.String())
	var err error
	switch key {
	case "cbc:ID":
		d.Number = text
	case "cbc:InvoiceTypeCode", "cbc:CreditNoteTypeCode":
		d.TypeCode = text
	case "cbc:IssueDate":
		d.IssueDate, err = date(text, f.path)
	case "cbc:DueDate":
		d.DueDate, err = date(text, f.path)
	case "cbc:DocumentCurrencyCode":
		d.Currency = text
	case "cbc:BuyerReference":
		d.BuyerReference = text
	case "cac:OrderReference/cbc:ID":
		d.OrderReference = text
	case "cac:ContractDocumentReference/cbc:ID":
		d.ContractReference = text
	case "cac:TaxTotal/cbc:TaxAmount":
		if a := amount(f); d.TaxTotal.Value == "" || (a.Currency == d.Currency && d.TaxTotal.Currency != d.Currency) {
			d.TaxTotal = a
		}
	case "cac:LegalMonetaryTotal/cbc:LineExtensionAmount":
		d.Totals.LineExtension = amount(f)
	case "cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount":
		d.Totals.TaxExclusive = amount(f)
	case "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount":
		d.Totals.TaxInclusive = amount(f)
	case "cac:LegalMonetaryTotal/cbc:PayableAmount":
		d.Totals.Payable = amount(f)
	case payee + "cac:PartyName/cbc:Name":
		d.Payee.Name = text
	case payee + "cac:PartyIdentification/cbc:ID":
		d.Payee.ID = Identifier{Value: text, Scheme: attr(f, "schemeID")}
	case payee + "cac:PartyLegalEntity/cbc:CompanyID":
		d.Payee.LegalID = Identifier{Value: text, Scheme: attr(f, "schemeID")}
	case supplier + "cac:PartyTaxScheme/cbc:CompanyID":
		t := &d.sellerTax[len(d.sellerTax)-1]
		t.companyID, t.path = text, f.path
	case supplier + "cac:PartyTaxScheme/cac:TaxScheme/cbc:ID":
		d.sellerTax[len(d.sellerTax)-1].scheme = text
	}
	if err != nil {
		return err
	}
	if rest, ok := strings.CutPrefix(key, supplier); ok {
		party(&d.Seller, rest, text, f)
	}
	if rest, ok := strings.CutPrefix(key, customer); ok {
		party(&d.Buyer, rest, text, f)
	}
	if rest, ok := strings.CutPrefix(key, means); ok && len(d.PaymentMeans) > 0 {
		paymentMeans(&d.PaymentMeans[len(d.PaymentMeans)-1], rest, text, f)
	}
	if n := len(d.taxCategories); n > 0 {
		c := &d.taxCategories[n-1]
		switch {
		case strings.HasSuffix(key, "TaxCategory/cbc:ID"):
			c.id = text
		case strings.HasSuffix(key, "TaxCategory/cbc:Percent"):
			c.percent = text
		}
	}
	return nil
}

func date(s, path string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("peppol: date %q at %s: want YYYY-MM-DD", s, path)
	}
	return t, nil
}

func party(p *Party, key, text string, f *frame) {
	id := Identifier{Value: text, Scheme: attr(f, "schemeID")}
	switch key {
	case "cbc:EndpointID":
		p.Endpoint = id
	case "cac:PartyIdentification/cbc:ID":
		p.Identifications = append(p.Identifications, id)
	case "cac:PartyName/cbc:Name":
		p.Name = text
	case "cac:PartyLegalEntity/cbc:RegistrationName":
		p.RegistrationName = text
	case "cac:PartyLegalEntity/cbc:CompanyID":
		p.LegalCompanyID, p.legalPath = id, f.path
	case "cac:PartyLegalEntity/cbc:CompanyLegalForm":
		p.LegalForm = text
	case "cac:PostalAddress/cac:Country/cbc:IdentificationCode":
		p.Country = text
	}
}

func paymentMeans(m *PaymentMeans, key, text string, f *frame) {
	switch key {
	case "cbc:PaymentMeansCode":
		m.Code = text
	case "cbc:PaymentID":
		m.PaymentID = text
	case "cbc:PaymentDueDate":
		m.DueDate = text
	case "cac:PayeeFinancialAccount/cbc:ID":
		m.AccountID, m.accountPath = text, f.path
	case "cac:PayeeFinancialAccount/cbc:Name":
		m.AccountName = text
	case "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID":
		m.Branch = text
	}
}

// fskatt is the F-skatt note, compared in upper case.
const fskatt = "GODKÄND FÖR F-SKATT"

func normalize(s string) string { return strings.Join(strings.Fields(s), " ") }

// finish derives the fields that need the whole document and checks the
// Swedish rules.
func (d *Document) finish() {
	s := &d.Seller
	for _, t := range d.sellerTax {
		if strings.EqualFold(strings.TrimSpace(t.scheme), "VAT") {
			if s.VAT == "" {
				s.VAT = t.companyID
			}
			continue
		}
		s.TaxRegistration = t.companyID
		if strings.ToUpper(normalize(t.companyID)) == fskatt {
			s.FSkatt = true
		}
	}
	if strings.Contains(strings.ToUpper(normalize(s.LegalForm)), fskatt) {
		s.FSkatt = true
	}
	orgnr(s)
	orgnr(&d.Buyer)
	if d.DueDate.IsZero() {
		for _, m := range d.PaymentMeans {
			if t, err := time.Parse(time.DateOnly, m.DueDate); err == nil {
				d.DueDate = t
				break
			}
		}
	}
	for i := range d.PaymentMeans {
		d.PaymentMeans[i].Scheme = scheme(d.PaymentMeans[i])
	}
	d.Failures = checkSE(d)
}

// orgnr sets p.Orgnr from its first identifier with scheme 0007.
func orgnr(p *Party) {
	ids := append([]Identifier{p.LegalCompanyID}, p.Identifications...)
	ids = append(ids, p.Endpoint)
	for _, id := range ids {
		if id.Scheme != SchemeOrgnr {
			continue
		}
		o, err := ident.ParseOrg(id.Value)
		if err != nil {
			p.OrgnrErr = fmt.Errorf("peppol: organisation number (scheme 0007): %w", err)
			return
		}
		p.Orgnr = o.String()
		return
	}
}

func scheme(m PaymentMeans) AccountScheme {
	switch strings.ToUpper(strings.TrimSpace(m.Branch)) {
	case "SE:BANKGIRO":
		return AccountBankgiro
	case "SE:PLUSGIRO":
		return AccountPlusgiro
	}
	if m.Code == "58" || looksLikeIBAN(m.AccountID) {
		return AccountIBAN
	}
	return AccountOther
}

// looksLikeIBAN: two letters, two digits, then 11 to 30 letters or digits.
func looksLikeIBAN(s string) bool {
	s = strings.ReplaceAll(s, " ", "")
	if len(s) < 15 || len(s) > 34 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter, digit := c >= 'A' && c <= 'Z', c >= '0' && c <= '9'
		switch {
		case i < 2 && !letter, i >= 2 && i < 4 && !digit, !letter && !digit:
			return false
		}
	}
	return true
}
