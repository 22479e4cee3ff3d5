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
//
// A Population keeps only what the network questions need, not the
// subjects: roles by person, each organisation's OrgFacts, counts by
// address, bans by person and the market statistics, in a compact form
// with no pointer per entry (persons, organisations and addresses
// interned to numbers, roles and ban look-ups packed and sorted by
// person, times as numbers): about 0.6 KB per organisation of the
// register. A screening of the
// whole store builds it with a PopulationBuilder from a first scan that
// reads only the sources the network needs (NetworkReads) and decodes them
// with DecodeNetwork (the registry's history only where a bankruptcy
// needs it), each subject dropped once added; a second scan then decodes,
// profiles and evaluates one organisation at a time. When the store's
// network index answers as of T (IndexedPopulation), the Population is
// built from its small entries instead of the first scan.
//
// A StoreNetwork reads another subject's registry facts, roles and bans
// from the same network index (store.NetworkOf), entry by entry as the
// questions reach it, and the Population's rules make the answers: so a
// screening of a few organisations (a pre-award check, the watched) and
// one of the whole store give the same, a bankruptcy without a start date
// included (dated by when the registry's history first showed it). For a
// T before the newest success of one of the subject's records it reads
// and decodes the subject's records (with the registries' history), as
// the first scan does. A record of a source outside the registry is not
// in the index: through the index it is not read, as in a Population.
//
// # Market statistics
//
// A contract's price quartiles and a supplier's spend shares compare it
// with every supplier: the daily prices of the category's contracts active
// on the profile's Swedish date, and the category's invoices within the
// spend window. They are always exact as of the profile's time T, for a
// check of the present and a reproduction of the past alike:
//
//   - A Population computes them from the subjects it decoded for a
//     screening of the whole store.
//   - A StoreNetwork reads them, for the categories its supplier has
//     contracts or invoices in, from the store's market book: the market
//     index held in memory by category (store.MarketOf), read again from
//     the index for the records written since. The store keeps the index
//     current as contracts and invoices arrive, in the transaction that
//     writes them: for every such record, its facts from
//     each observation that changed its content. As of T it sees the
//     content each record had at T, the same a decode of every supplier as
//     of T sees, but from small keys and without decoding one subject; a
//     late import of an older file rewrites the record's entries, so a
//     past time sees exactly the records observed by then. (A store
//     written before the index gets it built once when opened; one opened
//     read-only without it is computed from the decoded suppliers, as
//     before.)
//
// Statistics therefore always exist: no check uses figures computed at
// another time, and none has to come out not checked for lack of them.
// The screening keeps the statistics of a current check for later checks
// of the same Swedish day until a contract or invoice is written
// (store.MarketGeneration).
//
// A StoreNetwork made with NewReaderNetwork reads everything through one
// store.Reader: one read transaction for the whole check, and once its
// context is done (the request's deadline), no further read; Err then says
// why, and the screening answers with the context's error.
package profile
