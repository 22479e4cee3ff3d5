// Package watchlist is the sanctions lists (S18) as Vaksam keeps them: the
// stored list versions and their entities as of a time (View), the name
// index over them, and what screening needs of them.
//
// The lists are stored as records (engine/record lists.go): under the
// subject "l:<list>", one record per listed entity and one version record.
// A View as of T holds, for each list stored at T, its version and the
// entities that version lists, and answers Search through one match.Index
// over all of them. Building the index over 60 000 names takes a moment,
// so a Cache keeps the View of the list versions in force and builds a new
// one only when the versions as of the asked time differ.
//
// It sits in the profile layer: it reads the store and gives screening the
// profile's Sanction facts.
package watchlist
