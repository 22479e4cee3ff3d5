// Package metrics exposes Vaksam's Prometheus metrics: a registry of its
// own (no package globals), the families an operator's dashboards and
// alerting rules use (docs/deploy), and the adapters that turn what the
// engine, the connectors, the outbox and the pre-award service report
// into those families.
//
// Counters and histograms are fed by hooks the other packages call
// (Screened, Attempt, Ingested, PreAward, RulesLoaded). What lives in the
// store or in a connection — open alerts, decisions, the outbox, NATS,
// source freshness — is read when Prometheus scrapes, from the State
// functions the caller provides, so that it is right after a restart.
//
// No label carries an organisation number or a person.
package metrics
