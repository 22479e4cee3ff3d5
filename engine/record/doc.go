// Package record defines what a source yields and the store keeps: one
// Item per source and key, with its verbatim bytes and its parsed, typed
// form (Company, TaxStatus, Enforcement, Permit, Decision, Role, Owners,
// Ban, Contract, Invoice, Documents). It also holds the small value helpers
// every source needs: calendar dates, postal address normalisation and the
// keyed person pseudonym. And it holds the source registry (Registry): one
// entry per source with what every layer needs to know about it (see
// docs/architecture.md).
//
// It imports nothing of Vaksam's but ident, so connectors, the store, the
// profile builder and the rule engine may all depend on it.
package record
