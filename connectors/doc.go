// Package connectors fetches records from the authorities by itself: the
// contract every source's client meets (Fetcher for one organisation,
// BulkFetcher for a whole register), the HTTP plumbing they share (Client:
// timeouts, retries with backoff and jitter on 5xx and network errors,
// Retry-After on 429, a per-source rate limiter, request ids, context
// cancellation), and the Clock they and the scheduler run on, so that
// nothing here reads the wall clock and a simulation can run on a manual
// one.
//
// A fetch yields the source's bytes in its real format (Fetched); the
// caller ingests them through connectors/formats and engine/ingest, so a
// fetched record becomes an observation or version exactly as an imported
// file's would. The sources live in subpackages (connectors/bolagsverket,
// connectors/scb, connectors/filedrop), each with a fake server that
// reproduces the authority's format, quirks, limits and failures.
package connectors
