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
// Calls go through connectors.Client: retries with backoff on 5xx and
// network errors, Retry-After on 429, and SCB's rate limit of 10 calls per
// 10 seconds as a token bucket (one a second, bursts of ten) on the
// injected clock. One call asks for at most 2 000 organisations
// (MaxBatch): Client is a connectors.BatchFetcher, and FetchAll splits any
// number into calls of at most 2 000 and hands each answer over as it
// arrives.
//
// The request body approximates SCB's query model: one "Variabler"
// condition per organisation,
//
//	{"Variabler":[{"Varde1":"5591234561","Varde2":"","Operator":"ArLikaMed","Variabel":"OrgNr (10 siffror)"}, ...]}
//
// read as "any of these numbers". SCB's real query language has more
// (categories, status filters) and its exact form for a multi-number
// look-up should be checked against SCB's documentation when the
// certificate arrives; only NewQuery and the fake's readQuery need change.
//
// The answer is a JSON array of rows, one per organisation SCB knows
// (unknown ones are simply absent), in the format connectors/formats reads
// as source "scb". FetchBatch returns it unchanged as a connectors.Fetched
// named by the request id: ingesting it with engine/ingest stores the rows
// exactly as an imported file of SCB rows would be, and quarantines what
// cannot be read (a cut-off answer keeps the rows before the cut).
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
// calls with a 5xx, answer slowly, or cut answers off (malformed JSON).
package scb
