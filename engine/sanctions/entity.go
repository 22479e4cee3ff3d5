package sanctions

import "time"

// List names a sanctions list.
type List string

// The lists Vaksam reads.
const (
	EU  List = "eu"  // EU consolidated financial sanctions list
	UN  List = "un"  // UN Security Council consolidated list
	FtM List = "ftm" // OpenSanctions, FollowTheMoney entities
)

// Kind is what a listed entity is.
type Kind string

// The kinds of entities.
const (
	Person       Kind = "person"
	Organisation Kind = "organisation" // companies, organisations, legal entities
	Other        Kind = "other"        // vessels, aircraft…: never matched against suppliers
)

// Entity is one listed person or organisation.
type Entity struct {
	List List   `json:"list"`
	ID   string `json:"id"` // the list's own id
	Kind Kind   `json:"kind"`
	// Names: the first is the primary name; aliases follow, the weak
	// ones (as the list calls them: low quality, "weak aka") marked.
	Names []Name `json:"names"`
	// Birth dates as given: "YYYY", "YYYY-MM" or "YYYY-MM-DD"; a range
	// is two entries.
	BirthDates    []string     `json:"birth_dates,omitempty"`
	Nationalities []string     `json:"nationalities,omitempty"` // ISO 3166-1 alpha-2, upper case
	Identifiers   []Identifier `json:"identifiers,omitempty"`
	Programmes    []string     `json:"programmes,omitempty"` // regimes, e.g. "UKR", "ISIL (Da'esh) and Al-Qaida"
	Authority     string       `json:"authority,omitempty"`  // who listed it, when the list says
	Listed        time.Time    `json:"listed,omitzero"`      // designation date
	Updated       time.Time    `json:"updated,omitzero"`     // the entry's last change, when the list says
	Remarks       string       `json:"remarks,omitempty"`
}

// Name is one of an entity's names.
type Name struct {
	Full string `json:"full"` // as written, in its own script
	Weak bool   `json:"weak,omitempty"`
	// Parts, when the list gives them (a person's given and family
	// names); empty when it gives the whole name only.
	Given  string `json:"given,omitempty"`
	Family string `json:"family,omitempty"`
	Lang   string `json:"lang,omitempty"` // the list's language code for the name, when given
}

// Identifier is a registration number, passport, national id or similar.
type Identifier struct {
	Type    string `json:"type"` // the list's word: "passport", "registration", "national-id", "tax", …
	Value   string `json:"value"`
	Country string `json:"country,omitempty"` // ISO 3166-1 alpha-2, when given
}

// Primary is the entity's first name, "" when it has none.
func (e *Entity) Primary() string {
	if len(e.Names) == 0 {
		return ""
	}
	return e.Names[0].Full
}
