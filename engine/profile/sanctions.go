package profile

// Sanction is a listed entity (S18) that the organisation or one of its
// current representatives may be. Screening fills Profile.Sanctions from
// the sanctions lists as of the profile's time (engine/watchlist): every
// candidate at or above the matcher's floor (watchlist.Floor), so that
// rules compare scores with their own thresholds.
type Sanction struct {
	// Subject is "organisation" (the supplier itself) or "person" (a
	// current representative, auditors aside).
	Subject string `expr:"subject" json:"subject"`
	Person  string `expr:"person" json:"person,omitempty"` // the representative's pseudonym
	Name    string `expr:"name" json:"name"`               // the name screened, as the registry gives it
	Roles   string `expr:"roles" json:"roles,omitempty"`   // the representative's current roles, comma separated

	Source   string `expr:"source" json:"source"`       // record.SanctionsEU, …
	List     string `expr:"list" json:"list"`           // "eu", "un", "ftm"
	Version  string `expr:"version" json:"version"`     // the list version the candidate rests on, for people
	EntityID string `expr:"entity_id" json:"entity_id"` // the list's own id
	Kind     string `expr:"kind" json:"kind"`           // the entity's kind: "person", "organisation"
	Listed   string `expr:"listed" json:"listed"`       // the entity's name or alias that matched, as written

	Score float64 `expr:"score" json:"score"` // 0..1; 1 for an identifier match
	// Identifier: an identifier matched exactly (organisation number,
	// registration number, a personnummer's pseudonym).
	Identifier bool `expr:"identifier" json:"identifier"`
	// BirthYear and Nationality: "agree", "disagree" or "" (unknown on
	// one side).
	BirthYear   string `expr:"birth_year" json:"birth_year,omitempty"`
	Nationality string `expr:"nationality" json:"nationality,omitempty"`
	// Corroborated: an identifier matched or the birth year agrees.
	Corroborated bool `expr:"corroborated" json:"corroborated"`
	// Dismissed: a coordinator judged the candidate not the same person
	// or entity, for this very version of the list entry. Never set on an
	// identifier match.
	Dismissed   bool   `expr:"dismissed" json:"dismissed"`
	Explanation string `expr:"explanation" json:"explanation"` // one line, for people

	// Ref is the stored version of the list entry.
	Ref Ref `expr:"-" json:"ref"`
}
