// Package profile builds the typed Profile of an organisation as of a time
// T from the records in the store: registry facts and their history, tax
// and employer status, enforcement debts, permits and supervisory
// decisions, representatives with their other organisations and what
// happened to them, beneficial owners, filed annual reports, the
// municipality's own contracts and invoices, and how fresh each source is.
//
// The Profile is the environment rule expressions are compiled against
// (field names are the `expr` tags). Building is pure: records, a Network
// for cross-organisation facts, and the time in; a Profile out. Two
// Networks exist: Population, built from one scan of the whole store for a
// screening of every organisation, and StoreNetwork, which answers from the
// store's indexes for a screening of one.
package profile
