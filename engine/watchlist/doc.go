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
// Find is the search people make (vaksam sanctions search, GET
// /api/v1/sanctions/search): the candidates that reach a threshold and
// the near misses below it, each with the list version it rests on. Judge
// and State are a coordinator's judgement "not the same person or
// organisation" as of a View: refused for an entity not listed and for an
// identifier match, in force while the entry is as it was judged.
//
// Continuous screening: an import of a list re-screens only the
// organisations it may concern. Changes compares the list as of just
// before the import with as of after it (added, changed, removed
// entities); Affected indexes those entities alone and runs the stored
// population's names against them (Population: one scan of the store) at
// RescreenFloor. BenchmarkAffected measures it: about 20 µs per
// organisation with three representatives on 2 cores, so a list update
// finds its organisations among a million within a minute or so.
//
// It sits in the profile layer: it reads the store and gives screening the
// profile's Sanction facts.
package watchlist
