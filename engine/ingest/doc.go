// Package ingest runs a source's parser over an input and stores what it
// yields: records as observations (new version or unchanged), source
// errors as failed observations, and bad records in the quarantine with
// their position and reason. Records are written in batches, each record
// atomically, so a crash leaves every record either whole or absent and a
// re-run of the same input is idempotent.
package ingest
