package record

import "time"

// The sanctions lists (S18) as sources. Each list is stored under one
// subject, ListSubjectPrefix + the list's name ("l:eu"): one record per
// listed entity, keyed by the list's own id, whose parsed form is a
// sanctions.Entity (engine/sanctions); and one record with the empty key,
// the list's version (ListVersion). A list file is the whole list, so its
// records are a snapshot, like roles: every record of one import carries
// the import's observation time, and an entity the newest import did not
// carry (its last successful observation is older than the version
// record's) has left the list. Its stored versions stay. "Was this entity
// listed on that date" is therefore answered by the records as of that
// date: the entity's last observation is not older than the version's.
const (
	SanctionsEU  = "sanctions-eu"
	SanctionsUN  = "sanctions-un"
	SanctionsFtM = "sanctions-ftm"
)

// ListSubjectPrefix starts the Subject of a sanctions list's records. No
// organisation or person subject starts with it, and screening skips it.
const ListSubjectPrefix = "l:"

// SanctionsSources are the sanctions lists' sources, with the list each
// one stores ("eu", "un", "ftm": engine/sanctions's List values).
var SanctionsSources = map[string]string{SanctionsEU: "eu", SanctionsUN: "un", SanctionsFtM: "ftm"}

// ListSubject is the subject a list's records are stored under.
func ListSubject(list string) string { return ListSubjectPrefix + list }

// IsListSubject reports whether a subject is a sanctions list's.
func IsListSubject(subject string) bool {
	return len(subject) >= len(ListSubjectPrefix) && subject[:len(ListSubjectPrefix)] == ListSubjectPrefix
}

// PseudonymIdentifier is the identifier type a listed person's Swedish
// personnummer gets once it is replaced by its keyed pseudonym at import:
// a representative whose pseudonym equals it is the listed person.
const PseudonymIdentifier = "personnummer-pseudonym"

// ListVersion is one version of a sanctions list as imported: the record
// with the empty key under the list's subject.
type ListVersion struct {
	List string `json:"list"` // "eu", "un", "ftm"
	// Published is when the list says it was generated (the EU file's
	// generationDate, the UN list's dateGenerated); zero when it does not
	// say (FtM streams, CSV).
	Published time.Time `json:"published,omitzero"`
	// SHA256 is the hex digest of the imported file's bytes.
	SHA256 string `json:"sha256"`
	// File is the name the file was imported under.
	File string `json:"file,omitempty"`
	// Entities counts the entities this version lists (read without
	// problems; the quarantined ones are not stored).
	Entities int `json:"entities"`
	// Quarantined counts the entries of the file that could not be read.
	Quarantined int `json:"quarantined,omitempty"`
}
