package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vaksam/vaksam/rules"
)

type ruleMetrics struct {
	successful prometheus.Gauge
	lastOK     prometheus.Gauge
	reloads    *prometheus.CounterVec
	info       *prometheus.GaugeVec
	loaded     prometheus.Gauge
}

func newRuleMetrics(f factory) *ruleMetrics {
	r := &ruleMetrics{
		successful: f.gauge("rules_last_reload_successful", "1 when the last load of the rule pack and thresholds succeeded, 0 when it failed and the previous set kept running.").WithLabelValues(),
		lastOK:     f.gauge("rules_last_reload_success_timestamp_seconds", "When the running rule pack was loaded.").WithLabelValues(),
		reloads:    f.counter("rules_reloads_total", "Loads of the rule pack and thresholds, by result.", "result"),
		info:       f.gauge("rules_info", "The running rule pack (packs@hash); the value is 1.", "ruleset"),
		loaded:     f.gauge("rules_loaded", "Rules in the running pack.").WithLabelValues(),
	}
	for _, res := range []string{"success", "failure"} {
		r.reloads.WithLabelValues(res)
	}
	return r
}

// RulesLoaded records a load of the rule pack at at: on success set is
// what runs now; on failure err says why and the previous set runs on.
func (m *Metrics) RulesLoaded(set *rules.Set, err error, at time.Time) {
	r := m.rules
	if err != nil {
		r.successful.Set(0)
		r.reloads.WithLabelValues("failure").Inc()
		return
	}
	r.successful.Set(1)
	r.lastOK.Set(unix(at))
	r.reloads.WithLabelValues("success").Inc()
	r.info.Reset()
	r.info.WithLabelValues(set.Version()).Set(1)
	r.loaded.Set(float64(len(set.Rules)))
}
