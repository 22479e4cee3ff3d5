package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vaksam/vaksam/engine/screening"
)

type sourceMetrics struct {
	orgs     *prometheus.GaugeVec
	newest   *prometheus.GaugeVec
	oldest   *prometheus.GaugeVec
	window   *prometheus.GaugeVec
	up       *prometheus.GaugeVec
	computed prometheus.Gauge
}

func newSourceMetrics(f factory) *sourceMetrics {
	return &sourceMetrics{
		orgs:     f.gauge("source_organisations", "Watched organisations by the state of a source's data for them: fresh, stale, erroring or missing.", "source", "state"),
		newest:   f.gauge("source_newest_observation_timestamp_seconds", "Newest observation from the source among the watched organisations (0: none).", "source"),
		oldest:   f.gauge("source_oldest_observation_timestamp_seconds", "Oldest last observation from the source among the watched organisations (0: none).", "source"),
		window:   f.gauge("source_freshness_window_seconds", "How old the source's data may be before an assessment that needs it is incomplete.", "source"),
		up:       f.gauge("source_up", "0 when the source has delivered nothing for the watched organisations within its window, else 1.", "source"),
		computed: f.gauge("source_status_timestamp_seconds", "When the source figures were last computed.").WithLabelValues(),
	}
}

// Sources records the state of each source's data as of at.
func (m *Metrics) Sources(at time.Time, reports []screening.SourceReport) {
	s := m.sources
	for _, g := range []*prometheus.GaugeVec{s.orgs, s.newest, s.oldest, s.window, s.up} {
		g.Reset()
	}
	for _, r := range reports {
		for state, n := range map[string]int{"fresh": r.Fresh, "stale": r.Stale, "erroring": r.Erroring, "missing": r.Missing} {
			s.orgs.WithLabelValues(r.Source, state).Set(float64(n))
		}
		s.newest.WithLabelValues(r.Source).Set(unix(r.LastSuccess))
		s.oldest.WithLabelValues(r.Source).Set(unix(r.Oldest))
		s.window.WithLabelValues(r.Source).Set(r.Window.Seconds())
		up := 1.0
		if r.Down(at) {
			up = 0
		}
		s.up.WithLabelValues(r.Source).Set(up)
	}
	s.computed.Set(unix(at))
}
