// Package formats reads every source's real format, quirks included, into
// record.Items: Bolagsverket's API JSON and bulk file, SCB's API rows and
// ISO-8859-1 bulk file, and Vaksam's own import formats for Kronofogden,
// IVO, roles, beneficial owners, trading bans, Arbetsmiljöverket, contracts
// and invoices (see shared/formats/README.md).
//
// Parsers stream: they never hold a whole file in memory. Person numbers are
// validated, reduced to the facts rules need and replaced by a keyed
// pseudonym before a record leaves the parser, in the parsed form and in the
// raw bytes alike. A record that cannot be read is quarantined with its
// position (file:line) and reason; the records around it are kept.
package formats
