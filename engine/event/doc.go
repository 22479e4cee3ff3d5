// Package event defines the messages Vaksam publishes: their subjects,
// payloads, schema versions and deterministic message ids. The engine and
// the review package build them inside the transaction that causes them
// (see store.Tx.Emit); package bus carries them over NATS. The payloads
// are documented, with a JSON Schema each, in docs/events.md and
// schema/ (embedded: Schemas).
package event
