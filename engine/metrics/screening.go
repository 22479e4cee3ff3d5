package metrics

import (
	"time"

	"github.com/vaksam/vaksam/engine/screening"
)

// Screened counts an assessment: its verdict and step, whether it is
// incomplete, the indicators that fired, and how long it took. It has the
// signature of screening.Screener's Observe hook.
func (m *Metrics) Screened(a *screening.Assessment, trigger string, took time.Duration) {
	if trigger == "" {
		trigger = "other"
	}
	m.screenings.WithLabelValues(string(a.Verdict), string(a.Step), trigger).Inc()
	if a.Incomplete {
		m.incomplete.WithLabelValues(trigger).Inc()
	}
	for _, h := range a.Hits {
		m.ruleHits.WithLabelValues(h.ID, h.Severity).Inc()
	}
	m.evaluation.WithLabelValues(trigger).Observe(took.Seconds())
}

// ScreenedAll records how long a screening of the whole store took.
func (m *Metrics) ScreenedAll(took time.Duration) { m.screenAll.Observe(took.Seconds()) }
