package metrics

import "time"

// PreAward counts a pre-award check answered over via ("nats" or "http")
// with outcome (the verdict, or why it was refused); it has the signature
// of bus.ScreenService's Observe hook.
func (m *Metrics) PreAward(via, outcome string, took time.Duration) {
	m.preaward.WithLabelValues(via, outcome).Inc()
	m.preawardTime.WithLabelValues(via).Observe(took.Seconds())
}
