// Package scb fetches F-skatt, VAT and employer status, size class, SNI
// codes and addresses from SCB's company register API (Företagsregistret,
// POST Je/HamtaForetag), and provides a fake of that API for tests and
// demos.
//
// # Client
//
// SCB authenticates callers by a client certificate it issues, usually as
// a PKCS#12 file (.p12/.pfx) with a password. New loads it from PKCS#12
// (with software.sslmate.com/src/go-pkcs12: golang.org/x/crypto/pkcs12 is
// frozen and cannot read the PBES2/AES files current tools write) or from
// a PEM certificate and key, and optionally a CA bundle for the server. A
// certificate that is missing, unreadable, protected by another password,
// expired or not yet valid is reported by New, naming the file, before any
// request. A handshake the server refuses comes back as a *TLSError.
//
// The connector (Client) is split from the transport. Client splits the
// organisations into calls of its batch size, keeps SCB's rate limit of 10
// calls per 10 seconds as a token bucket (one a second, no bursts) on the
// injected clock, retries through connectors.Client (backoff on 5xx and
// network errors, Retry-After on 429), and hands each answer over in the
// "scb" format. A Transport says what one look-up sends: HamtaForetag is
// SCB's current API, POST Je/HamtaForetag with the client certificate and
// the query
//
//	{"Variabler":[{"Varde1":"5591234561","Varde2":"","Operator":"ArLikaMed","Variabel":"OrgNr (10 siffror)"}, ...]}
//
// SCB announced a successor API (API key, pagination) for September 2026;
// it is to be one more Transport given to NewClient, with nothing else
// changed.
//
// The batch size is one organisation a call by default (DefaultBatchSize):
// whether several OrgNr conditions in one call mean "any of these" is not
// confirmed by SCB's documentation or by any client in the wild, which all
// send one organisation per call. Options.BatchSize (the configuration's
// sources.scb.batch_size) raises it, up to SCB's 2 000 rows a call
// (MaxBatch), once verified against the real service. Client is a
// connectors.BatchFetcher whose MaxBatch is the batch size, and FetchAll
// splits any number of organisations into calls of that size and hands
// each answer over as it arrives.
//
// The answer is a JSON array of rows, one per organisation SCB knows
// (unknown ones are simply absent), in the format connectors/formats reads
// as source "scb". FetchBatch returns it unchanged as a connectors.Fetched
// named by the request id: ingesting it with engine/ingest stores the rows
// exactly as an imported file of SCB rows would be, and quarantines what
// cannot be read (a cut-off answer keeps the rows before the cut). SCB
// answers only the variables the account has ordered (KoptaVariabler): a
// status it has not ordered is "*" or missing, and the parser records it
// as unknown (record.TaxStatus.Unknown), never as a status.
//
// # Fake
//
// NewPKI writes a throwaway CA, a server certificate for 127.0.0.1 and
// localhost, and a client certificate as PEM and PKCS#12. NewFake serves
// SCB's API over TLS requiring a client certificate from that CA, from
// rows held in memory (Put, PutRows, PutCompany, LoadSynthetic for the
// scb/*.json files of engine/synthetic). It enforces the rate limit per
// client certificate on its clock (429 with Retry-After), refuses more than
// 2 000 organisations in a call (400), and can be told to fail the next
// calls with a 5xx, answer slowly, or cut answers off (malformed JSON). It
// answers as an account that has not ordered some variables would
// (FakeOptions.NotOrdered, SetNotOrdered): "*" in their columns, or the
// columns left out.
package scb
