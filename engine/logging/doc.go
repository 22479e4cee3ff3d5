// Package logging builds Vaksam's log/slog loggers: text on a terminal and
// JSON otherwise, a request id on every record logged with a context that
// carries one, and nothing personal or secret in the output.
//
// New returns a logger whose handler (see Wrap) does three things to
// every record before it is written:
//
//   - it adds the attribute request_id when the context given to the
//     *Context logging methods carries one (WithRequestID), so that one
//     request can be followed across HTTP, NATS and the connectors' calls;
//   - it masks Swedish personnummer and samordningsnummer wherever they
//     stand in the message or in a string value, an error's text, a
//     number or a formatted value, in groups too (RedactText); an
//     organisation number of a legal person stays as it is, since
//     operators need it;
//   - it masks the values of attributes whose keys name secrets
//     (SecretKey) and credentials written inside text: a bearer token, a
//     password in a URL, token=… in a query.
//
// Request ids travel as the header X-Request-Id over HTTP and
// Vaksam-Request-Id over NATS. An incoming id is kept when ValidRequestID
// accepts it; otherwise a new one is made (AcceptRequestID).
package logging
