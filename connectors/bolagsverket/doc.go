// Package bolagsverket fetches registry facts and document lists from
// Bolagsverket's API "Värdefulla datamängder", and fakes that API for
// tests and demonstrations.
//
// Client authenticates with OAuth2 client credentials
// (golang.org/x/oauth2/clientcredentials: the token is fetched through the
// configured base http.Client and cached; a 401 mid-run drops it and the
// call is tried once more with a new one) and sends every call through one
// connectors.Client: one rate limiter of 60 calls a minute on the
// configured Clock, retries with backoff on 5xx and network errors,
// Retry-After on 429, request ids. Its calls:
//
//   - IsAlive: GET /isalive, which answers "OK";
//   - Organisationer: POST /organisationer, source "bolagsverket";
//   - Dokumentlista: POST /dokumentlista, source "bolagsverket-dokument";
//
// and Organisations and Documents adapt them to connectors.Fetcher. The
// response body is returned verbatim as connectors.Fetched, named by the
// request id, to be ingested with engine/ingest. Errors: a failed HTTP
// exchange is a *connectors.HTTPError (with the RFC 7807 problem and its
// requestId when Bolagsverket sent one, e.g. 400 for a bad check digit). A
// 200 whose organisation or fields carry a fel.typ is not an error of the
// client: the parser turns ORGANISATION_FINNS_EJ into a fact (the
// organisation does not exist), OTILLGANGLIG_UPPGIFTSKALLA and TIMEOUT into
// a source error observation, and quarantines OGILTIG_BEGARAN and bodies
// that are not JSON.
//
// Fake is an in-process server with the API's format and quirks (see
// shared/formats/README.md): the token endpoint, the ORGANISATION_FINNS_EJ
// answer for unknown organisations, RFC 7807 problems, the rate limit per
// client on its own Clock, and failure knobs switched at run time (5xx
// bursts, slow answers, 429s, malformed JSON, fel.typ per organisation,
// revoked tokens). LoadFake serves the files engine/synthetic writes.
package bolagsverket
