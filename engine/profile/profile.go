package profile

import (
	"time"
)

// Profile is everything rules may read about one organisation as of At.
//
// A field's source tag names the source its facts come from; a nested
// type's fields inherit the tag of the field that holds them unless they
// carry their own (a contract's permit counts come from ivo). The rule
// compiler reads the tags to refuse a rule whose needs miss a source its
// expressions read. Fields without a source (the number, the time) need
// none.
type Profile struct {
	Orgnr    string    `expr:"orgnr" json:"orgnr"`
	Name     string    `expr:"name" json:"name"`
	At       time.Time `expr:"at" json:"at"`
	Personal bool      `expr:"personal" json:"personal"` // a sole trader: the number is a personnummer

	// Registry (Bolagsverket, else the SCB bulk file).
	Known              bool          `expr:"known" json:"known" source:"bolagsverket"`         // registry data present
	NotFound           bool          `expr:"not_found" json:"not_found" source:"bolagsverket"` // Bolagsverket: ORGANISATION_FINNS_EJ
	Form               string        `expr:"form" json:"form" source:"bolagsverket"`           // organisationsform: AB, E, HB, ...
	Registered         time.Time     `expr:"registered" json:"registered" source:"bolagsverket"`
	Deregistered       time.Time     `expr:"deregistered" json:"deregistered" source:"bolagsverket"`
	DeregisteredReason string        `expr:"deregistered_reason" json:"deregistered_reason" source:"bolagsverket"`
	Proceedings        []*Proceeding `expr:"proceedings" json:"proceedings" source:"bolagsverket"` // ongoing only
	SNI                []string      `expr:"sni" json:"sni" source:"bolagsverket"`
	Address            Address       `expr:"address" json:"address" source:"bolagsverket"`
	AddressChanges     []*Change     `expr:"address_changes" json:"address_changes" source:"bolagsverket"` // from stored versions, oldest first

	Tax         *Tax         `expr:"tax" json:"tax" source:"scb"`                         // SCB; nil when absent
	Enforcement *Enforcement `expr:"enforcement" json:"enforcement" source:"kronofogden"` // Kronofogden; nil when absent
	Permits     []*Permit    `expr:"permits" json:"permits" source:"ivo"`
	IVO         []*Decision  `expr:"ivo_decisions" json:"ivo_decisions" source:"ivo-beslut"`
	AV          []*Decision  `expr:"av_decisions" json:"av_decisions" source:"arbetsmiljoverket"`

	Roles     []*Role     `expr:"roles" json:"roles" source:"roles"` // every known role, current and past
	Owners    *Owners     `expr:"owners" json:"owners" source:"huvudman"`
	Reports   *Reports    `expr:"reports" json:"reports" source:"bolagsverket-dokument"`
	Contracts []*Contract `expr:"contracts" json:"contracts" source:"contracts"`
	Invoices  []*Invoice  `expr:"invoices" json:"invoices" source:"invoices"`
	Spend     []*Spend    `expr:"spend" json:"spend" source:"invoices"` // this supplier's share of each category's spend, last 12 months

	// Sanctions are the listed entities the organisation or a current
	// representative may be (S18), from the EU list or a list standing in
	// for it; filled by screening (engine/watchlist), not by Build.
	Sanctions []*Sanction `expr:"sanctions" json:"sanctions,omitempty" source:"sanctions-eu"`

	// Board, CurrentBoard and CurrentRoles are Roles filtered once when
	// the profile is built (in Roles' order), so that rules do not filter
	// them again, field by field through expr's reflection, at every
	// evaluation: the board and CEO roles, current and past (Board set);
	// those of them that are current; every current role.
	Board        []*Role `expr:"board" json:"-" source:"roles"`
	CurrentBoard []*Role `expr:"current_board" json:"-" source:"roles"`
	CurrentRoles []*Role `expr:"current_roles" json:"-" source:"roles"`

	Sources map[string]*SourceState `expr:"sources" json:"sources"`

	// Unknown lists the facts a source that answered could not give, by
	// the path a rule reads them with ("tax.fskatt", "sni"): SCB's
	// variables not ordered ("*"), a producer's ORGANISATION_FINNS_EJ. A
	// rule that reads one is not checked, never quietly passed.
	Unknown map[string]UnknownFact `expr:"-" json:"unknown,omitempty"`

	// Linked are the record versions of other subjects the profile used,
	// by evidence name: "naringsforbud" (the representatives' trading
	// bans) and "network" (the registry records of their bankrupt other
	// organisations). Hits cite them; rules do not see them.
	Linked map[string][]Ref `expr:"-" json:"linked,omitempty"`
}

// UnknownFact says which source could not give a fact, and why.
type UnknownFact struct {
	Source string `json:"source"`
	Reason string `json:"reason"`
}

// Proceeding is an ongoing liquidation, bankruptcy or restructuring.
type Proceeding struct {
	Code string    `expr:"code" json:"code"`
	From time.Time `expr:"from" json:"from"`
}

// Address is the registered postal address.
type Address struct {
	Street     string `expr:"street" json:"street"`
	CO         string `expr:"co" json:"co"`
	PostalCode string `expr:"postal_code" json:"postal_code"`
	City       string `expr:"city" json:"city"`
	Normalized string `expr:"normalized" json:"normalized"`
	BoxOrCO    bool   `expr:"box_or_co" json:"box_or_co"`
	// OrgsHere counts the organisations registered at the same normalised
	// street address as of the profile's time, this one included.
	OrgsHere int `expr:"orgs_here" json:"orgs_here" source:"bolagsverket"`
}

// Change is a change between two stored versions of a value.
type Change struct {
	At   time.Time `expr:"at" json:"at"`
	From string    `expr:"from" json:"from"`
	To   string    `expr:"to" json:"to"`
}

// Tax is SCB's tax, VAT and employer registration and size class.
type Tax struct {
	FSkatt    int      `expr:"fskatt" json:"fskatt"`
	Moms      int      `expr:"moms" json:"moms"`
	Employer  int      `expr:"employer" json:"employer"`
	SizeClass int      `expr:"size_class" json:"size_class"`
	SNI       []string `expr:"sni" json:"sni"`
}

// Enforcement is the newest Kronofogden extract.
type Enforcement struct {
	AsOf               time.Time `expr:"as_of" json:"as_of"`
	PublicCount        int       `expr:"public_count" json:"public_count"`
	PublicSEK          int64     `expr:"public_sek" json:"public_sek"`
	PrivateCount       int       `expr:"private_count" json:"private_count"`
	PrivateSEK         int64     `expr:"private_sek" json:"private_sek"`
	PaymentOrders12m   int       `expr:"payment_orders_12m" json:"payment_orders_12m"`
	BankruptcyPetition bool      `expr:"bankruptcy_petition" json:"bankruptcy_petition"`
	Reconstruction     bool      `expr:"reconstruction" json:"reconstruction"`
}

// Permit is an IVO permit.
type Permit struct {
	Type       string    `expr:"type" json:"type"`
	Name       string    `expr:"name" json:"name"`
	Places     int       `expr:"places" json:"places"`
	Address    string    `expr:"address" json:"address"`
	Normalized string    `expr:"normalized" json:"normalized"`
	Status     string    `expr:"status" json:"status"`
	Valid      bool      `expr:"valid" json:"valid"`
	Date       time.Time `expr:"date" json:"date"`
}

// Decision is a supervisory decision (IVO or Arbetsmiljöverket).
type Decision struct {
	Date         time.Time `expr:"date" json:"date"`
	Type         string    `expr:"type" json:"type"`
	Diarienummer string    `expr:"diarienummer" json:"diarienummer"`
	AmountSEK    int64     `expr:"amount_sek" json:"amount_sek"`
}

// Role is one role assignment of a person in this organisation, with what
// is known about the person elsewhere.
type Role struct {
	Person       string    `expr:"person" json:"person"` // pseudonym
	Name         string    `expr:"name" json:"name"`
	Role         string    `expr:"role" json:"role"`
	From         time.Time `expr:"from" json:"from"`
	To           time.Time `expr:"to" json:"to"` // zero while current
	Current      bool      `expr:"current" json:"current"`
	Ended        bool      `expr:"ended" json:"ended"` // has an end date (To is set)
	Board        bool      `expr:"board" json:"board"` // ordförande, ledamot, suppleant, VD, extern VD
	Coordination bool      `expr:"coordination" json:"coordination"`
	BirthYear    int       `expr:"birth_year" json:"birth_year"`
	// Seats counts the person's current board and CEO roles in distinct
	// organisations, this one included.
	Seats int `expr:"seats" json:"seats"`
	// Elsewhere lists the other organisations the person has held a role
	// in, at any time, with what happened to them.
	Elsewhere []*OtherOrg `expr:"elsewhere" json:"elsewhere"`
	// Bans are the person's trading bans (any time); see BannedAt.
	Bans []*Ban `expr:"bans" json:"bans" source:"naringsforbud"`
}

// OtherOrg is another organisation of a representative.
type OtherOrg struct {
	Orgnr              string    `expr:"orgnr" json:"orgnr"`
	Name               string    `expr:"name" json:"name" source:"bolagsverket"`
	Bankruptcy         time.Time `expr:"bankruptcy" json:"bankruptcy" source:"bolagsverket"` // KK from-date, or deregistration date for KKAV; zero if none
	Deregistered       time.Time `expr:"deregistered" json:"deregistered" source:"bolagsverket"`
	DeregisteredReason string    `expr:"deregistered_reason" json:"deregistered_reason" source:"bolagsverket"`
}

// Ban is a trading ban on a representative.
type Ban struct {
	From time.Time `expr:"from" json:"from"`
	To   time.Time `expr:"to" json:"to"` // zero: until further notice
	Type string    `expr:"type" json:"type"`
}

// Owners is the beneficial-owner register's entry.
type Owners struct {
	AsOf  time.Time `expr:"as_of" json:"as_of"`
	Count int       `expr:"count" json:"count"`
	Names []string  `expr:"names" json:"names"`
}

// Reports summarises the filed annual reports.
type Reports struct {
	LatestPeriodEnd time.Time `expr:"latest_period_end" json:"latest_period_end"` // zero when none filed
	Count           int       `expr:"count" json:"count"`
}

// Contract is an own contract with what invoices and permits say about it.
type Contract struct {
	ID           string    `expr:"id" json:"id"`
	Category     string    `expr:"category" json:"category"`
	Owner        string    `expr:"owner" json:"owner"`
	Start        time.Time `expr:"start" json:"start"`
	End          time.Time `expr:"end" json:"end"`
	Active       bool      `expr:"active" json:"active"` // start <= at <= end
	EstimatedSEK int64     `expr:"estimated_sek" json:"estimated_sek"`
	Places       int       `expr:"places" json:"places"`
	DailyPrice   int64     `expr:"daily_price" json:"daily_price"`
	Address      string    `expr:"address" json:"address"`
	Normalized   string    `expr:"normalized" json:"normalized"`
	InvoicedSEK  int64     `expr:"invoiced_sek" json:"invoiced_sek" source:"invoices"` // all invoices on it up to at

	// Permits of the contract's category (IVO verksamhetstyp) that are
	// valid: how many, their places, and whether the contracted address is
	// among theirs.
	ValidPermits     int  `expr:"valid_permits" json:"valid_permits" source:"ivo"`
	PermitPlaces     int  `expr:"permit_places" json:"permit_places" source:"ivo"`
	AddressPermitted bool `expr:"address_permitted" json:"address_permitted" source:"ivo"`
	// CategoryPlaces sums the places of this supplier's active contracts
	// of the same category.
	CategoryPlaces int `expr:"category_places" json:"category_places"`

	// Price statistics over the active contracts of the category, every
	// supplier's: count and quartiles of the daily price.
	Peers   int     `expr:"peers" json:"peers"`
	PriceQ1 float64 `expr:"price_q1" json:"price_q1"`
	PriceQ3 float64 `expr:"price_q3" json:"price_q3"`

	// Months (their first day) in which the care days invoiced on the contract
	// exceed places × the days of the month.
	OverbilledMonths []time.Time `expr:"overbilled_months" json:"overbilled_months" source:"invoices"`
}

// Invoice is an own invoice.
type Invoice struct {
	ID          string    `expr:"id" json:"id"`
	Date        time.Time `expr:"date" json:"date"`
	AmountSEK   int64     `expr:"amount_sek" json:"amount_sek"`
	ContractID  string    `expr:"contract_id" json:"contract_id"`
	Category    string    `expr:"category" json:"category"`
	CareDays    int       `expr:"care_days" json:"care_days"`
	ContractEnd time.Time `expr:"contract_end" json:"contract_end" source:"contracts"` // zero when no (known) contract
}

// Spend is the supplier's share of a category's invoiced spend.
type Spend struct {
	Category    string  `expr:"category" json:"category"`
	SupplierSEK int64   `expr:"supplier_sek" json:"supplier_sek"`
	TotalSEK    int64   `expr:"total_sek" json:"total_sek"`
	Suppliers   int     `expr:"suppliers" json:"suppliers"`
	Share       float64 `expr:"share" json:"share"`
}

// SourceState is what the profile knows of one source for this
// organisation.
type SourceState struct {
	Present      bool      `expr:"present" json:"present"`
	LastObserved time.Time `expr:"last_observed" json:"last_observed"` // newest success at or before at
	Error        string    `expr:"error" json:"error,omitempty"`       // a fetch failed after the newest success
	ErrorAt      time.Time `expr:"error_at" json:"error_at,omitzero"`  // when
	Records      int       `expr:"records" json:"records"`
	// Gap says why a source with records is not present for this
	// organisation (the trading-ban register: representatives never
	// looked up).
	Gap string `expr:"-" json:"gap,omitempty"`
}
