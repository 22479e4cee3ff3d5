// Package listfetch downloads whole list files on a schedule, each
// conditionally, and hands every file to an import: the sanctions lists
// (sources sanctions-eu, sanctions-un, sanctions-ftm; record.ByDownload).
//
// The HTTP side is connectors/bulkfile's download (the shared
// connectors.Client's clock, rate limit, retries with backoff, request ids
// and Observe hook; a body streamed to a temporary file, stalls timed out,
// a short body an error), with the list's User-Agent and extra headers and
// a size limit. A Downloader keeps, in its own directory, a small JSON
// state file (the last file's ETag and Last-Modified, when it was imported
// and last checked) and the last file imported itself:
//
//   - 200: the body is written to a temporary file, imported (Import:
//     engine/ingest with the source's parser, as `vaksam ingest --source X
//     FILE` does) after a Check has read it whole without storing
//     anything, and only then becomes the last file and its validators
//     the state's. A body cut short, too large or refused by the import
//     leaves the last file and the state as they were: the previous list
//     stays the current one, none of the refused file stored.
//   - 304: the list is unchanged, and the last file is imported again with
//     the new observation time. The store then keeps no new version, only
//     an observation of each record (store.Unchanged): the list stays
//     fresh (its freshness window does not lapse while the source answers
//     304) and the entities it carries stay listed, which is what a list
//     snapshot's observation time means (record.ListVersion).
//
// Validators are sent only while the last file is there to re-import: a
// Downloader that lost it asks for the whole file. Errors and logs never
// show the URL's query values (the EU's file takes a ?token=…).
package listfetch
