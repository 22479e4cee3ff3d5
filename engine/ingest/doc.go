// Package ingest runs a source's parser over an input and stores what it
// yields: records as observations (new version or unchanged), source
// errors as failed observations, and bad records in the quarantine with
// their position and reason. Records are written in batches, each record
// atomically, so a crash leaves every record either whole or absent and a
// re-run of the same input is idempotent. Parsing and writing overlap (a
// writer goroutine stores one batch while the parser fills the next), and
// nothing is kept across batches: memory does not grow with the input.
package ingest
