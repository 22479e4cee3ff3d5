package metrics

import (
	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/ingest"
)

// Outcomes of a connector attempt.
const (
	OK           = "ok"
	NotModified  = "not_modified"
	ClientError  = "client_error"
	ServerError  = "server_error"
	RateLimited  = "rate_limited"
	NetworkError = "network_error"
)

// Attempt counts one HTTP attempt to an authority; it has the signature
// of connectors.Client's Observe hook.
func (m *Metrics) Attempt(a connectors.Attempt) {
	m.requests.WithLabelValues(a.Source, AttemptOutcome(a)).Inc()
	m.requestLatency.WithLabelValues(a.Source).Observe(a.Duration.Seconds())
	m.rateLimitWait.WithLabelValues(a.Source).Observe(a.Waited.Seconds())
}

// AttemptOutcome classifies an attempt by its status.
func AttemptOutcome(a connectors.Attempt) string {
	switch s := a.Status; {
	case s == 0:
		return NetworkError
	case s == 304:
		return NotModified
	case s == 429:
		return RateLimited
	case s >= 500:
		return ServerError
	case s >= 400:
		return ClientError
	case a.Err != nil:
		// A 2xx whose body could not be read.
		return NetworkError
	}
	return OK
}

// Ingested counts the records of one ingest by outcome; it has the
// signature of ingest.Ingester's Observe hook.
func (m *Metrics) Ingested(source string, c ingest.Counts) {
	for _, o := range []struct {
		outcome string
		n       int
	}{{"new", c.New}, {"unchanged", c.Unchanged}, {"source_error", c.SourceErrors}, {"quarantined", c.Quarantined}} {
		m.ingested.WithLabelValues(source, o.outcome).Add(float64(o.n))
	}
}
