package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/screening"
)

// Namespace prefixes every family.
const Namespace = "vaksam"

// Families lists every family Vaksam exports (besides go_* and
// process_*): the tests hold it equal to what the registry gathers, and
// the scrape test of serve and the checks of the dashboard and alerting
// rules use it.
var Families = []string{
	"vaksam_build_info",
	"vaksam_screenings_total", "vaksam_screenings_incomplete_total", "vaksam_rule_hits_total",
	"vaksam_evaluation_duration_seconds", "vaksam_screen_all_duration_seconds",
	"vaksam_alerts_open", "vaksam_alerts_past_due", "vaksam_decisions_total", "vaksam_alert_outcomes_total",
	"vaksam_connector_requests_total", "vaksam_connector_request_duration_seconds", "vaksam_connector_rate_limit_wait_seconds",
	"vaksam_source_organisations", "vaksam_source_newest_observation_timestamp_seconds",
	"vaksam_source_oldest_observation_timestamp_seconds", "vaksam_source_freshness_window_seconds",
	"vaksam_source_up", "vaksam_source_status_timestamp_seconds",
	"vaksam_ingest_records_total",
	"vaksam_outbox_depth", "vaksam_outbox_oldest_age_seconds", "vaksam_outbox_published_total", "vaksam_outbox_publish_errors_total",
	"vaksam_nats_connected", "vaksam_nats_reconnects_total",
	"vaksam_preaward_requests_total", "vaksam_preaward_duration_seconds",
	"vaksam_rules_last_reload_successful", "vaksam_rules_last_reload_success_timestamp_seconds",
	"vaksam_rules_reloads_total", "vaksam_rules_info", "vaksam_rules_loaded",
	"vaksam_spend_sek", "vaksam_contract_loyalty_ratio", "vaksam_p_findings_suppliers", "vaksam_suppliers_screened",
	"vaksam_calloffs_halted", "vaksam_calloffs_halted_contract_value_sek", "vaksam_time_to_decision_seconds",
	"vaksam_hearings", "vaksam_report_computed_timestamp_seconds",
}

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
	// Every pre-award series exists from the start, so that a rate is
	// zero rather than absent before the first check.
	for _, via := range []string{bus.ViaNATS, bus.ViaHTTP} {
		for _, o := range []string{string(screening.Clear), string(screening.Review), string(screening.Block), bus.OutcomeBadRequest, bus.OutcomeNotFound, bus.OutcomeBusy, bus.OutcomeError} {
			m.preaward.WithLabelValues(via, o)
		}
		m.preawardTime.WithLabelValues(via)
	}
	m.rules = newRuleMetrics(f)
	m.sources = newSourceMetrics(f)
	m.state = newStateCollector(state)
	reg.MustRegister(m.state)
	if state != nil && state.Desk != nil && state.Now != nil {
		reg.MustRegister(newReportCollector(*state))
	}
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
