// Package service owns a running Vaksam. Open and Start wire its parts
// in order — the store with the screener and its review desk, the
// embedded NATS server or a connection to one, the outbox publisher, the
// fetches, the pre-award service, the web server with its users, tokens
// and single sign-on, the control socket (online backups), the NATS
// ingest, and the loops that screen, report the outbox and the sources,
// collect value-log garbage and reload the rules — and Stop stops them in
// the reverse order, each once (Lifecycle). The command only parses its
// flags, calls the service and prints its Endpoints.
//
// Every trigger — the schedule, a change of the data (a fetch, a file
// drop, a bulk import, a push on NATS), a pre-award refresh, a reload of
// the rules — screens through one Screening, one screening at a time, and
// saves.
package service
