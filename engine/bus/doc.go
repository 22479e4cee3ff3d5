// Package bus carries Vaksam's events over NATS: it starts the embedded
// nats-server (or connects to an existing one), declares the JetStream
// streams, drains the store's outbox into them, serves the pre-award check
// as a NATS micro service (vaksam.screen) and consumes records pushed in
// on vaksam.ingest.<source>.
//
// What the messages mean is package event's; this package only moves
// them. Delivery is at least once from the outbox, made exactly once in
// the stream by JetStream's de-duplication on the deterministic message
// ids, and in order per organisation.
package bus
