// Package health serves a process's liveness (/healthz) and readiness
// (/readyz) as JSON: liveness says the process answers; readiness runs
// named checks (store open, rule pack loaded, NATS connected, sources
// fresh) and says which failed and why, with 503 while any fails.
package health
