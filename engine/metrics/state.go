package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/review"
)

// State is where the scrape-time families are read from. A nil function
// or Desk leaves its families out.
type State struct {
	// Outbox reports the outbox and the publisher's counters.
	Outbox func() (bus.OutboxStatus, error)
	// NATS reports the connection: connected, and reconnections so far.
	NATS func() (connected bool, reconnects uint64)
	// Desk holds the alerts and decisions.
	Desk *review.Desk
	// Now is the time the alerts' deadlines are judged at (the desk's
	// SLA); nil leaves vaksam_alerts_past_due out.
	Now func() time.Time
}

var (
	// Alert states and steps always exported, so that a dashboard shows
	// zero rather than no data.
	openStates    = ladder.OpenStates
	alertSteps    = []ladder.Step{ladder.L2, ladder.L3}
	decisionKinds = review.Kinds
)

type stateCollector struct {
	s State

	outboxDepth, outboxAge, published, publishErrors *prometheus.Desc
	connected, reconnects                            *prometheus.Desc
	alertsOpen, decisions, pastDue, outcomes         *prometheus.Desc
}

func newStateCollector(s *State) *stateCollector {
	if s == nil {
		s = &State{}
	}
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(Namespace, "", name), help, labels, nil)
	}
	return &stateCollector{s: *s,
		outboxDepth:   d("outbox_depth", "Events committed but not yet acknowledged by JetStream."),
		outboxAge:     d("outbox_oldest_age_seconds", "Age of the oldest event waiting in the outbox (0 when empty)."),
		published:     d("outbox_published_total", "Events JetStream acknowledged (new or duplicate) since start."),
		publishErrors: d("outbox_publish_errors_total", "Publish windows that failed since start; they are retried."),
		connected:     d("nats_connected", "1 when connected to NATS, else 0."),
		reconnects:    d("nats_reconnects_total", "Reconnections to NATS since start."),
		alertsOpen:    d("alerts_open", "Alerts not closed, by step and state.", "step", "state"),
		decisions:     d("decisions_total", "Decisions recorded, by kind and status.", "kind", "status"),
		outcomes: d("alert_outcomes_total", "Alerts closed with an outcome (bekraftad_risk, befogat_larm, falsklarm), read from the store; closes without one (no-action decisions, closes before outcomes were recorded) are not counted.",
			"outcome"),
		pastDue: d("alerts_past_due", "Open alerts whose deadline at their step (review.sla_days, in Swedish working days) has passed, by step.",
			"step"),
	}
}

func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.outboxDepth, c.outboxAge, c.published, c.publishErrors,
		c.connected, c.reconnects, c.alertsOpen, c.decisions, c.pastDue, c.outcomes} {
		ch <- d
	}
}

func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	failed := func(d *prometheus.Desc, err error) { ch <- prometheus.NewInvalidMetric(d, err) }
	if c.s.Outbox != nil {
		st, err := c.s.Outbox()
		if err != nil {
			failed(c.outboxAge, err)
		} else {
			ch <- prometheus.MustNewConstMetric(c.outboxAge, prometheus.GaugeValue, st.OldestAge)
		}
		ch <- prometheus.MustNewConstMetric(c.outboxDepth, prometheus.GaugeValue, float64(st.Depth))
		ch <- prometheus.MustNewConstMetric(c.published, prometheus.CounterValue, float64(st.Published+st.Duplicates))
		ch <- prometheus.MustNewConstMetric(c.publishErrors, prometheus.CounterValue, float64(st.Failures))
	}
	if c.s.NATS != nil {
		ok, n := c.s.NATS()
		v := 0.0
		if ok {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(c.connected, prometheus.GaugeValue, v)
		ch <- prometheus.MustNewConstMetric(c.reconnects, prometheus.CounterValue, float64(n))
	}
	if c.s.Desk != nil {
		c.collectDesk(ch, failed)
	}
}

func (c *stateCollector) collectDesk(ch chan<- prometheus.Metric, failed func(*prometheus.Desc, error)) {
	type key struct{ a, b string }
	open := map[key]int{}
	for _, st := range alertSteps {
		for _, s := range openStates {
			open[key{string(st), string(s)}] = 0
		}
	}
	outcomes := map[string]int{}
	for _, o := range review.Outcomes {
		outcomes[o] = 0
	}
	all, err := c.s.Desk.Alerts(nil)
	if err != nil {
		failed(c.alertsOpen, err)
		failed(c.outcomes, err)
		if c.s.Now != nil {
			failed(c.pastDue, err)
		}
	} else {
		var alerts []*review.Alert
		for _, a := range all {
			if a.Open() {
				alerts = append(alerts, a)
				open[key{string(a.Step), string(a.State)}]++
			} else if _, ok := outcomes[a.Outcome]; ok {
				outcomes[a.Outcome]++
			}
		}
		for o, n := range outcomes {
			ch <- prometheus.MustNewConstMetric(c.outcomes, prometheus.CounterValue, float64(n), o)
		}
		for k, n := range open {
			ch <- prometheus.MustNewConstMetric(c.alertsOpen, prometheus.GaugeValue, float64(n), k.a, k.b)
		}
		if c.s.Now != nil {
			c.collectPastDue(ch, alerts, c.s.Now())
		}
	}
	decided := map[key]int{}
	for _, k := range decisionKinds {
		decided[key{string(k), review.Bekraftad}] = 0
	}
	decs, err := c.s.Desk.AllDecisions(nil)
	if err != nil {
		failed(c.decisions, err)
		return
	}
	for _, d := range decs {
		decided[key{string(d.Kind), d.Status}]++
	}
	for k, n := range decided {
		ch <- prometheus.MustNewConstMetric(c.decisions, prometheus.CounterValue, float64(n), k.a, k.b)
	}
}

// collectPastDue counts the open alerts past their deadline at a time, by
// step: every step the SLA has a deadline for is exported, zero or not.
func (c *stateCollector) collectPastDue(ch chan<- prometheus.Metric, alerts []*review.Alert, at time.Time) {
	sla := c.s.Desk.SLAInForce()
	late := map[ladder.Step]int{}
	for st := range sla {
		late[st] = 0
	}
	for _, a := range alerts {
		if sla.PastDue(a, at) {
			late[a.Step]++
		}
	}
	for st, n := range late {
		ch <- prometheus.MustNewConstMetric(c.pastDue, prometheus.GaugeValue, float64(n), string(st))
	}
}
