// Package bus carries Vaksam's events over NATS: it starts the embedded
// nats-server (or connects to an existing one), declares the JetStream
// streams, drains the store's outbox into them, serves the pre-award check
// as a NATS micro service (vaksam.screen) and consumes records pushed in
// on vaksam.ingest.<source>.
//
// The service refuses bad input as a micro error (Nats-Service-Error-Code
// 400 and Nats-Service-Error) whose body is an event.ScreenError, the HTTP
// API's {"error", "field"}, worded in JSON's terms by strictjson.Problem;
// busy (503) and faults (500) are answered the same way.
//
// It also holds the client side, for `vaksam check` and `vaksam watch` or
// any consumer in Go: AskScreen asks for a pre-award check and accepts
// only a reply signed for the request; WatchEvents and ConsumeEvents read
// the events from the streams, VerifyEvent checks each one's signature
// and WriteEvent prints it.
//
// What the messages mean is package event's; this package only moves
// them. Delivery is at least once from the outbox, made exactly once in
// the stream by JetStream's de-duplication on the deterministic message
// ids, and in order per organisation.
package bus
