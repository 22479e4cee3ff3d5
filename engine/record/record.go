package record

import (
	"strings"
	"time"
)

// PersonSubjectPrefix starts the Subject of a record that concerns a person
// rather than an organisation (trading bans). The rest is the pseudonym.
const PersonSubjectPrefix = "p:"

// OrganisationSubject reports whether a record's subject is an
// organisation: neither a person's (PersonSubjectPrefix) nor a sanctions
// list's (ListSubjectPrefix). Only organisations are screened, searched
// for and counted as suppliers.
func OrganisationSubject(subject string) bool {
	return !strings.HasPrefix(subject, PersonSubjectPrefix) && !IsListSubject(subject)
}

// Item is one record as a source delivered it.
type Item struct {
	Source string
	// Subject is the organisation number (10 digits) the record concerns,
	// or PersonSubjectPrefix + pseudonym for a record about a person.
	Subject string
	// Key tells records of the same source and subject apart (a role, a
	// permit, a contract); empty when a source has one record per subject.
	Key string
	// Raw is the record's bytes as the source sent them, except that
	// person numbers are replaced by their pseudonyms.
	Raw []byte
	// Parsed is the typed form: one of the types of this package.
	Parsed any
	// SourceError, when not empty, says the source answered with an error
	// for this subject (Bolagsverket's fel.typ OTILLGANGLIG_UPPGIFTSKALLA,
	// TIMEOUT): the observation is stored, no new version is made.
	SourceError string
	// Pos is where the record came from: file:line, or a request id.
	Pos string
	// Links are secondary index entries: persons and addresses this
	// record ties its subject to.
	Links Links
}

// Links are what a record contributes to the store's secondary indexes.
type Links struct {
	Persons   []string // pseudonyms
	Addresses []string // normalised postal addresses
}

// Quarantined is a record that could not be accepted, kept with its reason.
type Quarantined struct {
	Source string
	Pos    string // file:line
	Reason string
	Raw    []byte
}

// PersonRef is a person as records carry them: the pseudonym and the facts
// rules need, derived before the number was dropped.
type PersonRef struct {
	ID           string `json:"id"` // keyed pseudonym
	Name         string `json:"name,omitempty"`
	BirthYear    int    `json:"birth_year,omitempty"`
	Coordination bool   `json:"coordination,omitempty"` // samordningsnummer
}

// Address is a postal address as the registers give it.
type Address struct {
	Street     string `json:"street,omitempty"`
	CO         string `json:"co,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	City       string `json:"city,omitempty"`
	Country    string `json:"country,omitempty"`
}

// Normalized returns the address's normalised key (see NormalizeAddress).
func (a Address) Normalized() string { return NormalizeAddress(a.Street, a.PostalCode) }

// Proceeding is an ongoing (or ended) liquidation, bankruptcy or
// restructuring proceeding.
type Proceeding struct {
	// Code is the base proceeding (KK, LI, FR, AC, DEOL, ...) that rules
	// read; for a code Vaksam does not know it is the code as delivered.
	Code string `json:"code"`
	// Raw is the code as the source wrote it when it differs from Code:
	// the bulk file's ended proceedings carry modifiers ("KKAVOV" for
	// KK), and an unknown code is kept verbatim.
	Raw string `json:"raw,omitempty"`
	// Unrecognised marks a code that is not one of Bolagsverket's known
	// proceedings: kept as delivered, it counts for no rule.
	Unrecognised bool      `json:"unrecognised,omitempty"`
	From         time.Time `json:"from,omitzero"` // zero when the source gave no date
	Ended        bool      `json:"ended,omitempty"`
}

// Company holds registry facts from Bolagsverket (API or bulk file) or the
// SCB bulk file.
type Company struct {
	Orgnr              string       `json:"orgnr"`
	Lopnr              string       `json:"lopnr,omitempty"` // namnskyddslöpnummer (sole traders)
	NotFound           bool         `json:"not_found,omitempty"`
	Name               string       `json:"name,omitempty"`
	Form               string       `json:"form,omitempty"`          // organisationsform code: AB, E, HB, ...
	JuridiskForm       string       `json:"juridisk_form,omitempty"` // SCB code: 49, 10, ...
	Registered         time.Time    `json:"registered,omitzero"`
	Deregistered       time.Time    `json:"deregistered,omitzero"`
	DeregisteredReason string       `json:"deregistered_reason,omitempty"`
	Active             *bool        `json:"active,omitempty"` // verksamOrganisation
	Proceedings        []Proceeding `json:"proceedings,omitempty"`
	SNI                []string     `json:"sni,omitempty"`
	Description        string       `json:"description,omitempty"`
	Address            Address      `json:"address"`
	// Owner is a sole trader's owner (innehavare), pseudonymised: the
	// person the business is.
	Owner *PersonRef `json:"owner,omitempty"`
	// Unknown lists the facts the source could not give, by the JSON name
	// of the field above, with the reason: Bolagsverket answers
	// ORGANISATION_FINNS_EJ per data producer, so a company SCB does not
	// know yet has its SCB-produced facts (juridisk_form, active, sni)
	// unknown while Bolagsverket's own are kept.
	Unknown map[string]string `json:"unknown,omitempty"`
}

// TaxStatus is the SCB company register's row for an organisation.
type TaxStatus struct {
	Orgnr         string    `json:"orgnr"`
	Name          string    `json:"name,omitempty"`
	FSkatt        int       `json:"fskatt"`     // 0 never, 1 approved, 9 deregistered
	Moms          int       `json:"moms"`       // 0, 1, 3, 9
	Employer      int       `json:"employer"`   // 0, 1, 2, 3, 4, 9
	SizeClass     int       `json:"size_class"` // Stkl: 0 missing, 1 = 0 employees, ...
	CompanyStatus string    `json:"company_status,omitempty"`
	JuridiskForm  string    `json:"juridisk_form,omitempty"`
	SNI           []string  `json:"sni,omitempty"`
	Address       Address   `json:"address"`
	Registered    time.Time `json:"registered,omitzero"`
	// Unknown names the facts SCB did not deliver, keyed by their JSON
	// field name above ("fskatt", "moms", "employer", "size_class",
	// "sni"), with the reason, naming SCB's column: SCB answers only the
	// variables the account has ordered (KoptaVariabler), leaving a
	// column out or saying "*" (supplement not ordered). A fact listed
	// here is unknown, never "clear": its field holds the zero value,
	// which must not be read.
	Unknown map[string]string `json:"unknown,omitempty"`
}

// Claims counts and sums enforcement cases.
type Claims struct {
	Count     int   `json:"antal"`
	AmountSEK int64 `json:"belopp_sek"`
}

// Enforcement is a Kronofogden extract.
type Enforcement struct {
	Orgnr              string    `json:"orgnr"`
	AsOf               time.Time `json:"per_datum"`
	Public             Claims    `json:"allmanna_mal"`
	Private            Claims    `json:"enskilda_mal"`
	PaymentOrders12m   int       `json:"betalningsforelagganden_12m"`
	BankruptcyPetition bool      `json:"konkursansokan"`
	Reconstruction     bool      `json:"foretagsrekonstruktion"`
	Document           string    `json:"dokument,omitempty"`
}

// Permit is an IVO permit (tillstånd).
type Permit struct {
	Orgnr     string    `json:"orgnr"`
	Huvudman  string    `json:"huvudman,omitempty"`
	Name      string    `json:"verksamhetsnamn"`
	Type      string    `json:"verksamhetstyp"`
	Lagrum    string    `json:"lagrum,omitempty"`
	Malgrupp  string    `json:"malgrupp,omitempty"`
	Places    int       `json:"platser"`
	Address   string    `json:"besoksadress"`
	Kommunkod string    `json:"kommunkod,omitempty"`
	Date      time.Time `json:"tillstandsdatum,omitzero"`
	Status    string    `json:"status"` // giltigt, aterkallat, upphort
}

// Decision is a supervisory decision by IVO or Arbetsmiljöverket.
type Decision struct {
	Orgnr        string    `json:"orgnr"`
	Date         time.Time `json:"datum"`
	Type         string    `json:"typ"`
	Diarienummer string    `json:"diarienummer"`
	AmountSEK    int64     `json:"belopp_sek,omitempty"`
	Text         string    `json:"text,omitempty"`
}

// Role is one role assignment (board member, CEO, signatory, auditor).
type Role struct {
	Orgnr  string    `json:"orgnr"`
	Person PersonRef `json:"person"`
	Role   string    `json:"roll"` // ordforande, styrelseledamot, suppleant, vd, extern_vd, firmatecknare, revisor
	From   time.Time `json:"fran,omitzero"`
	To     time.Time `json:"till,omitzero"` // zero while current
}

// Owner is one registered beneficial owner.
type Owner struct {
	Person PersonRef `json:"person"`
	Share  string    `json:"andel,omitempty"`
}

// Owners is the beneficial-owner register's entry for an organisation.
type Owners struct {
	Orgnr  string    `json:"orgnr"`
	AsOf   time.Time `json:"per_datum"`
	Owners []Owner   `json:"huvudman"`
}

// NoBan is the Ban.Type of a register look-up that found no ban: the
// person was checked (naringsforbud.jsonl typ "inget").
const NoBan = "inget"

// Ban is a trading ban (näringsförbud) on a person, or with Type NoBan
// the record that the person was looked up and had none.
type Ban struct {
	Person    PersonRef `json:"person"`
	From      time.Time `json:"fran"`
	To        time.Time `json:"till,omitzero"`
	Type      string    `json:"typ"`
	DecidedBy string    `json:"beslutad_av,omitempty"`
}

// Contract is one of the municipality's own contracts.
type Contract struct {
	ID           string    `json:"avtal_id"`
	Orgnr        string    `json:"orgnr"`
	Supplier     string    `json:"leverantor,omitempty"`
	Category     string    `json:"kategori"`
	Owner        string    `json:"avtalsagare,omitempty"`
	Start        time.Time `json:"startdatum"`
	End          time.Time `json:"slutdatum"`
	EstimatedSEK int64     `json:"uppskattat_varde_sek"`
	Places       int       `json:"platser,omitempty"`
	DailyPrice   int64     `json:"dygnspris_sek,omitempty"`
	Address      string    `json:"adress,omitempty"`
}

// Invoice is one of the municipality's own supplier invoices.
type Invoice struct {
	ID         string    `json:"faktura_id"`
	Orgnr      string    `json:"orgnr"`
	Supplier   string    `json:"leverantor,omitempty"`
	Date       time.Time `json:"fakturadatum"`
	AmountSEK  int64     `json:"belopp_sek"`
	ContractID string    `json:"avtal_id,omitempty"`
	Category   string    `json:"kategori,omitempty"`
	CareDays   int       `json:"dygn,omitempty"`
}

// Document is one filed document (an annual report package).
type Document struct {
	ID         string    `json:"dokumentId"`
	Format     string    `json:"filformat,omitempty"`
	PeriodTo   time.Time `json:"rapporteringsperiodTom"`
	Registered time.Time `json:"registreringstidpunkt,omitzero"`
}

// Documents is Bolagsverket's document list for an organisation.
type Documents struct {
	Orgnr     string     `json:"orgnr"`
	Documents []Document `json:"dokument"`
}
