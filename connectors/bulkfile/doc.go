// Package bulkfile fetches Bolagsverket's weekly bulk file (a zip of one
// ~1 GB text file, ~2.95 M rows) and imports it.
//
// Fetcher implements connectors.BulkFetcher. It sends a conditional GET
// (If-None-Match with the stored ETag, If-Modified-Since with the stored
// Last-Modified; a 304 is connectors.ErrNotModified) through the shared
// connectors.Client's pieces — its HTTP client, Clock, rate limiter,
// retries with jittered backoff, Retry-After, request ids and Observe
// hook — but not Client.Do, which reads a body whole. The zip is copied
// from the response into one temporary file while it arrives (a stalled
// body times out and the download is retried), then opened with
// archive/zip, and its single (or only *.txt, or named) entry is
// decompressed as the caller reads it: the file is never in memory and
// never on disk twice. Closing the Bulk's Body removes the temporary zip;
// leftovers of a killed process are removed at the next fetch.
//
// Import ties it to engine/ingest and a small JSON state file (written
// atomically): it fetches only when the file changed since the last
// version imported, writes the import as pending with its observation time
// before storing any record, and records the version as done when the
// ingest has finished. A run killed part-way is redone with the pending
// observation time, and since the store takes an observation it already
// holds as the same key and value, the store then ends byte for byte as an
// uninterrupted import would have left it.
//
// Schedule.NextRun says when to fetch next (weekly; DefaultSchedule is
// Monday 06:00 Swedish time). Progress draws a progress bar of bytes
// downloaded and rows imported when stderr is a terminal, and nothing
// otherwise.
package bulkfile
