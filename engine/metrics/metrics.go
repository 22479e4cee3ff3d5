package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Namespace prefixes every family.
const Namespace = "vaksam"

// Build describes the running binary (vaksam_build_info).
type Build struct {
	Version, Revision, GoVersion string
}

// Metrics holds Vaksam's registry and its families.
type Metrics struct {
	Registry *prometheus.Registry

	screenings     *prometheus.CounterVec
	incomplete     *prometheus.CounterVec
	ruleHits       *prometheus.CounterVec
	evaluation     *prometheus.HistogramVec
	screenAll      prometheus.Observer
	requests       *prometheus.CounterVec
	requestLatency *prometheus.HistogramVec
	rateLimitWait  *prometheus.HistogramVec
	ingested       *prometheus.CounterVec
	preaward       *prometheus.CounterVec
	preawardTime   *prometheus.HistogramVec

	rules   *ruleMetrics
	sources *sourceMetrics
	state   *stateCollector
}

// New returns Metrics in a new registry holding the Go and process
// collectors, vaksam_build_info and every Vaksam family. state may be
// nil (a command without a store or a connection).
func New(b Build, state *State) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{Registry: reg}
	f := factory{reg}
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	f.gauge("build_info", "Vaksam's version, VCS revision and Go version; the value is 1.",
		"version", "revision", "goversion").WithLabelValues(b.Version, b.Revision, b.GoVersion).Set(1)

	m.screenings = f.counter("screenings_total", "Assessments made, by verdict, step and what triggered them.", "verdict", "step", "trigger")
	m.incomplete = f.counter("screenings_incomplete_total", "Assessments marked incomplete because data was missing, stale or erroring.", "trigger")
	m.ruleHits = f.counter("rule_hits_total", "Indicators that fired in assessments, by indicator id and severity.", "indicator", "severity")
	m.evaluation = f.histogram("evaluation_duration_seconds", "Time to screen one organisation: profile, rules and scoring.",
		prometheus.ExponentialBuckets(0.0001, 2.5, 12), "trigger")
	m.screenAll = f.histogram("screen_all_duration_seconds", "Time to screen the whole store.",
		prometheus.ExponentialBuckets(0.5, 2, 12)).WithLabelValues()
	m.requests = f.counter("connector_requests_total", "HTTP attempts to the authorities' services, by source and outcome.", "source", "outcome")
	m.requestLatency = f.histogram("connector_request_duration_seconds", "Latency of HTTP attempts to the authorities, without the rate-limit wait.",
		prometheus.ExponentialBuckets(0.01, 2.5, 10), "source")
	m.rateLimitWait = f.histogram("connector_rate_limit_wait_seconds", "Time an attempt waited for the source's rate limit.",
		[]float64{0, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}, "source")
	m.ingested = f.counter("ingest_records_total", "Records read from sources, by source and outcome (new version, unchanged, source error, quarantined).", "source", "outcome")
	m.preaward = f.counter("preaward_requests_total", "Pre-award checks answered, by interface and outcome (verdict or refusal).", "via", "outcome")
	m.preawardTime = f.histogram("preaward_duration_seconds", "Time to answer a pre-award check, including any fresh fetch.",
		prometheus.ExponentialBuckets(0.0005, 2.5, 12), "via")
	m.rules = newRuleMetrics(f)
	m.sources = newSourceMetrics(f)
	m.state = newStateCollector(state)
	reg.MustRegister(m.state)
	return m
}

// Handler serves the registry in the Prometheus exposition formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry, ErrorHandling: promhttp.ContinueOnError})
}

// factory registers families with the namespace.
type factory struct{ reg prometheus.Registerer }

func (f factory) counter(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: name, Help: help}, labels)
	f.reg.MustRegister(c)
	return c
}

func (f factory) gauge(name, help string, labels ...string) *prometheus.GaugeVec {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: Namespace, Name: name, Help: help}, labels)
	f.reg.MustRegister(g)
	return g
}

func (f factory) histogram(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Name: name, Help: help, Buckets: buckets}, labels)
	f.reg.MustRegister(h)
	return h
}

// unix is t as Unix seconds, 0 for the zero time.
func unix(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}
