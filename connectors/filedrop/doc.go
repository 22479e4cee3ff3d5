// Package filedrop imports the files that arrive in watched inbox
// directories, one per source: Root/kronofogden/, Root/ivo/, … Each
// directory's name is the source (the parser, and the records' source) its
// files are ingested with; this is how the sources that have no API —
// extracts and exports in Vaksam's own formats — reach the store.
//
// A Watcher polls on an injected connectors.Clock (polling, not fsnotify:
// it works the same on network shares). A file is read only when it is
// whole: names starting with '.' or ending in .tmp or .part are ignored,
// and a file must show the same size and modification time at two
// consecutive polls. Each file is ingested once with engine/ingest, with
// the clock's time as its observation time and its name in the records'
// positions, then moved, under a timestamp prefix, to done/ — or to
// failed/ when records were quarantined (beside it name.report.txt lists
// each quarantined position, file:line, and reason) or when it could not
// be imported at all (the report holds the error).
//
// The watcher makes the inboxes, done/ and failed/ with mode 0700 and the
// reports with mode 0600: they hold register data, for the account that
// runs Vaksam only.
//
// Files in done/ and failed/ are never looked at again. A ledger file
// (JSON, rewritten atomically) records every imported file's name, size
// and SHA-256, so that a file imported but not moved away — the move
// failed, or the process stopped in between — is moved on restart rather
// than imported twice.
package filedrop
