package metrics

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vaksam/vaksam/engine/report"
)

// The committee's report's key figures for the calendar year to date
// (engine/report), computed from the store at a scrape and kept for
// ReportEvery, so that frequent scrapes do not read every invoice and
// assessment again.

// ReportEvery is how long the report's figures are kept before a scrape
// computes them again.
const ReportEvery = 15 * time.Minute

// TotalCategory is the category label of the sums over every category.
const TotalCategory = "totalt"

// Agreements are the agreement label's values: the city-wide (k.ö.)
// agreements, other agreements, no contract.
var Agreements = []string{"ko_avtal", "annat_avtal", "utan_avtal"}

type reportCollector struct {
	s State

	mu   sync.Mutex
	at   time.Time // when r was computed
	r    *report.Report
	year int

	spend, loyalty, findings, screened, halts, haltedSEK, toDecision, hearings, computed *prometheus.Desc
}

func newReportCollector(s State) *reportCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(Namespace, "", name), help, labels, nil)
	}
	return &reportCollector{s: s,
		spend: d("spend_sek", "Invoiced this calendar year (the committee's report), in SEK, by category and agreement: ko_avtal (city-wide), annat_avtal (other agreements), utan_avtal (no contract); category totalt is every category.",
			"category", "agreement"),
		loyalty:   d("contract_loyalty_ratio", "Contract loyalty (avtalstrohet) this calendar year: invoiced on contract / invoiced, by category (totalt: every category); 0 when nothing was invoiced.", "category"),
		findings:  d("p_findings_suppliers", "Suppliers an assessment this calendar year hit with a purchasing indicator (P01–P04), by indicator.", "indicator"),
		screened:  d("suppliers_screened", "Suppliers assessed this calendar year."),
		halts:     d("calloffs_halted", "Call-off halts (avropsstopp) in force."),
		haltedSEK: d("calloffs_halted_contract_value_sek", "Estimated value, in SEK, of the contracts the call-off halts in force cover."),
		toDecision: d("time_to_decision_seconds", "Time from an alert's opening to its first decision, for the decisions taken this calendar year, by percentile (50, 90); 0 when none.",
			"percentile"),
		hearings: d("hearings", "Hearings (kommunicering) notified this calendar year, by whether the decision waited for their time limit (kept, overdue).", "time_limit"),
		computed: d("report_computed_timestamp_seconds", "When the report's figures were last computed from the store."),
	}
}

func (c *reportCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.spend, c.loyalty, c.findings, c.screened, c.halts, c.haltedSEK, c.toDecision, c.hearings, c.computed} {
		ch <- d
	}
}

// figures returns the year's report, computing it when it is older than
// ReportEvery or of another year.
func (c *reportCollector) figures() (*report.Report, time.Time, error) {
	now := c.s.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.r != nil && c.year == now.Year() && now.Sub(c.at) < ReportEvery && !now.Before(c.at) {
		return c.r, c.at, nil
	}
	from := time.Date(now.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	r, err := report.Compute(c.s.Desk.Store, c.s.Desk, report.Options{From: from, To: now, Now: now})
	if err != nil {
		return nil, time.Time{}, err
	}
	c.r, c.at, c.year = r, now, now.Year()
	return r, now, nil
}

func (c *reportCollector) Collect(ch chan<- prometheus.Metric) {
	r, at, err := c.figures()
	if err != nil {
		for _, d := range []*prometheus.Desc{c.spend, c.loyalty, c.findings, c.screened, c.halts, c.haltedSEK, c.toDecision, c.hearings} {
			ch <- prometheus.NewInvalidMetric(d, err)
		}
		return
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	spend := func(cat string, s report.Spend) {
		for i, v := range []int64{s.CitySEK, s.OtherSEK, s.NoneSEK} {
			gauge(c.spend, float64(v), cat, Agreements[i])
		}
		gauge(c.loyalty, s.Loyalty, cat)
	}
	for _, s := range r.Categories {
		if s.Category != "" && s.Category != TotalCategory {
			spend(s.Category, s)
		}
	}
	spend(TotalCategory, r.Total)
	for _, f := range r.Findings {
		gauge(c.findings, float64(f.Suppliers), f.Indicator)
	}
	gauge(c.screened, float64(r.Screened))
	gauge(c.halts, float64(len(r.Halts)))
	gauge(c.haltedSEK, float64(r.HaltedSEK))
	day := float64(24 * time.Hour / time.Second)
	gauge(c.toDecision, r.TimeToDecision.MedianDays*day, "50")
	gauge(c.toDecision, r.TimeToDecision.P90Days*day, "90")
	gauge(c.hearings, float64(r.HearingsKept), "kept")
	gauge(c.hearings, float64(r.HearingsOverdue), "overdue")
	gauge(c.computed, float64(at.Unix()))
}
