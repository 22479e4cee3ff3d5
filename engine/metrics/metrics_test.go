package metrics

import (
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/rules"
	defaultpack "github.com/vaksam/vaksam/rules/default"
)

const (
	org  = "5591234561"
	org2 = "5560360793"
	org3 = "5560000004"
)

func day(n int) time.Time { return time.Date(2026, 11, n, 12, 0, 0, 0, time.UTC) }

// fixture is Metrics over a real store with one open alert and one
// confirmed halt, an outbox reporting two waiting events, and NATS down.
func fixture(t *testing.T) (*Metrics, *review.Desk) {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{Small: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	desk := &review.Desk{Store: st}
	sc, err := screening.NewScreener(st, nil, screening.Config{}, desk.OnSave)
	if err != nil {
		t.Fatal(err)
	}
	a := &screening.Assessment{Orgnr: org, Name: "Omsorgshuset Norr AB", At: day(2), Step: screening.L3, Score: 55,
		Verdict: screening.Review, Ruleset: "default@1", Missing: []screening.Missing{}, NotChecked: []string{},
		Hits: []screening.Hit{{ID: "S03", Severity: "high", Category: "S", Confidence: 1}}}
	if err := sc.Save(a); err != nil {
		t.Fatal(err)
	}
	al, err := desk.OpenAlert(org)
	if err != nil || al == nil {
		t.Fatalf("no open alert: %v", err)
	}
	if _, err := desk.Decide(review.DecisionRequest{AlertID: al.ID, Kind: review.Avropsstopp, DecidedBy: "anna",
		Justification: "Skulder hos Kronofogden.", Ground: review.GroundLOU132,
		Evidence: review.Evidence{AssessmentAt: day(2), Ruleset: "default@1"}}, day(3)); err != nil {
		t.Fatal(err)
	}
	// A second organisation's alert at L2 since Monday 2 November: its ten
	// working days end on the 16th, so it is past due on the 17th.
	l2 := &screening.Assessment{Orgnr: org2, Name: "Hemtjänst Syd AB", At: day(2), Step: screening.L2, Score: 35,
		Verdict: screening.Review, Ruleset: "default@1", Missing: []screening.Missing{}, NotChecked: []string{},
		Hits: []screening.Hit{{ID: "S04", Severity: "high", Category: "S", Confidence: 1}}}
	if err := sc.Save(l2); err != nil {
		t.Fatal(err)
	}
	// A third organisation's alert, closed as a false alarm.
	l3 := &screening.Assessment{Orgnr: org3, Name: "Assistans Väst AB", At: day(2), Step: screening.L2, Score: 35,
		Verdict: screening.Review, Ruleset: "default@1", Missing: []screening.Missing{}, NotChecked: []string{},
		Hits: []screening.Hit{{ID: "S04", Severity: "high", Category: "S", Confidence: 1}}}
	if err := sc.Save(l3); err != nil {
		t.Fatal(err)
	}
	if _, err := desk.Close(org3+"-1", "anna", "Fel organisation", review.Finding{Outcome: review.OutcomeFalseAlarm,
		WrongHits: []string{"S04"}}, day(4)); err != nil {
		t.Fatal(err)
	}
	m := New(Build{Version: "1.2.3", Revision: "abc", GoVersion: "go1.26"}, &State{
		Outbox: func() (bus.OutboxStatus, error) {
			return bus.OutboxStatus{Depth: 2, OldestAge: 42, Published: 10, Duplicates: 1, Failures: 3}, nil
		},
		NATS: func() (bool, uint64) { return false, 4 },
		Desk: desk,
		Now:  func() time.Time { return day(17) },
	})
	return m, desk
}

func TestFamiliesValuesAndLint(t *testing.T) {
	m, _ := fixture(t)
	set, err := defaultpack.Load(rules.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	m.RulesLoaded(set, nil, day(1))
	m.RulesLoaded(nil, errors.New("supplier.yaml:3:1: unknown key"), day(2))
	m.Screened(&screening.Assessment{Verdict: screening.Review, Step: screening.L2, Incomplete: true,
		Hits: []screening.Hit{{ID: "B01", Severity: "high"}, {ID: "K02", Severity: "medium"}}}, screening.TriggerSchedule, 3*time.Millisecond)
	m.Screened(&screening.Assessment{Verdict: screening.Clear, Step: screening.L0}, screening.TriggerPreAward, time.Millisecond)
	m.ScreenedAll(2 * time.Second)
	m.Attempt(connectors.Attempt{Source: "bolagsverket", Status: 200, Duration: 80 * time.Millisecond})
	m.Attempt(connectors.Attempt{Source: "bolagsverket", Status: 429, Duration: 5 * time.Millisecond, Waited: time.Second})
	m.Attempt(connectors.Attempt{Source: "scb", Err: errors.New("connection refused")})
	m.Ingested("kronofogden", ingest.Counts{New: 5, Unchanged: 2, Quarantined: 1})
	m.PreAward("nats", string(screening.Clear), 900*time.Microsecond)
	m.PreAward("http", "bad_request", 100*time.Microsecond)
	m.Sources(day(20), []screening.SourceReport{
		{Source: "bolagsverket", Window: 7 * 24 * time.Hour, Watched: 3, Fresh: 2, Stale: 1, LastSuccess: day(19), Oldest: day(10)},
		{Source: "kronofogden", Window: 92 * 24 * time.Hour, Watched: 3, Missing: 3},
	})

	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"screenings_total", []string{"review", "L2", "schedule"}, 1},
		{"screenings_total", []string{"clear", "L0", "pre_award"}, 1},
		{"screenings_incomplete_total", []string{"schedule"}, 1},
		{"rule_hits_total", []string{"K02", "medium"}, 1},
		{"connector_requests_total", []string{"bolagsverket", OK}, 1},
		{"connector_requests_total", []string{"bolagsverket", RateLimited}, 1},
		{"connector_requests_total", []string{"scb", NetworkError}, 1},
		{"ingest_records_total", []string{"kronofogden", "new"}, 5},
		{"ingest_records_total", []string{"kronofogden", "quarantined"}, 1},
		{"preaward_requests_total", []string{"http", "bad_request"}, 1},
		{"source_organisations", []string{"bolagsverket", "stale"}, 1},
		{"source_up", []string{"bolagsverket"}, 1},
		{"source_up", []string{"kronofogden"}, 0}, // nothing ever delivered
		{"source_newest_observation_timestamp_seconds", []string{"bolagsverket"}, float64(day(19).Unix())},
		{"rules_last_reload_successful", nil, 0},
		{"rules_reloads_total", []string{"failure"}, 1},
		{"rules_reloads_total", []string{"success"}, 1},
		{"rules_loaded", nil, float64(len(set.Rules))},
		{"rules_info", []string{set.Version()}, 1},
		{"rules_last_reload_success_timestamp_seconds", nil, float64(day(1).Unix())},
	} {
		if got := value(t, m, "vaksam_"+c.name, c.labels...); got != c.want {
			t.Errorf("vaksam_%s%q = %g, want %g", c.name, c.labels, got, c.want)
		}
	}
	// The scrape-time families, read from the store and the callbacks.
	for _, c := range []struct {
		name, text string
	}{
		{"vaksam_alerts_open", `vaksam_alerts_open{state="beslutad",step="L3"} 1`},
		{"vaksam_alerts_open", `vaksam_alerts_open{state="ny",step="L2"} 1`},
		{"vaksam_alerts_past_due", `vaksam_alerts_past_due{step="L2"} 1`},
		{"vaksam_alerts_past_due", `vaksam_alerts_past_due{step="L3"} 0`}, // halted: no deadline runs
		{"vaksam_alerts_past_due", `vaksam_alerts_past_due{step="L4"} 0`},
		{"vaksam_decisions_total", `vaksam_decisions_total{kind="avropsstopp",status="bekraftad"} 1`},
		{"vaksam_decisions_total", `vaksam_decisions_total{kind="havning",status="bekraftad"} 0`},
		{"vaksam_alert_outcomes_total", `vaksam_alert_outcomes_total{outcome="falsklarm"} 1`},
		{"vaksam_alert_outcomes_total", `vaksam_alert_outcomes_total{outcome="bekraftad_risk"} 0`},
		{"vaksam_outbox_depth", `vaksam_outbox_depth 2`},
		{"vaksam_outbox_oldest_age_seconds", `vaksam_outbox_oldest_age_seconds 42`},
		{"vaksam_outbox_published_total", `vaksam_outbox_published_total 11`},
		{"vaksam_outbox_publish_errors_total", `vaksam_outbox_publish_errors_total 3`},
		{"vaksam_nats_connected", `vaksam_nats_connected 0`},
		{"vaksam_nats_reconnects_total", `vaksam_nats_reconnects_total 4`},
		{"vaksam_build_info", `vaksam_build_info{goversion="go1.26",revision="abc",version="1.2.3"} 1`},
	} {
		if !strings.Contains(scrape(t, m), c.text+"\n") {
			t.Errorf("%s: scrape lacks %q", c.name, c.text)
		}
	}

	gathered := families(t, m)
	for _, f := range Families {
		if !gathered[f] {
			t.Errorf("family %s missing", f)
		}
	}
	for f := range gathered {
		if strings.HasPrefix(f, "vaksam_") && !contains(Families, f) {
			t.Errorf("family %s is exported but not listed in Families (and so not checked against the dashboard)", f)
		}
	}
	problems, err := testutil.GatherAndLint(m.Registry)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

func TestAttemptOutcome(t *testing.T) {
	for _, c := range []struct {
		a    connectors.Attempt
		want string
	}{
		{connectors.Attempt{Status: 200}, OK},
		{connectors.Attempt{Status: 304}, NotModified},
		{connectors.Attempt{Status: 404}, ClientError},
		{connectors.Attempt{Status: 429}, RateLimited},
		{connectors.Attempt{Status: 503}, ServerError},
		{connectors.Attempt{Err: errors.New("timeout")}, NetworkError},
		{connectors.Attempt{Status: 200, Err: errors.New("unexpected EOF")}, NetworkError},
	} {
		if got := AttemptOutcome(c.a); got != c.want {
			t.Errorf("%+v: %s, want %s", c.a, got, c.want)
		}
	}
}

// A failing store read is a scrape error for that family only; the rest
// is still served.
func TestStateErrorKeepsTheRest(t *testing.T) {
	m := New(Build{}, &State{Outbox: func() (bus.OutboxStatus, error) {
		return bus.OutboxStatus{Depth: 7}, errors.New("badger: closed")
	}})
	body := scrape(t, m)
	if !strings.Contains(body, "vaksam_outbox_depth 7\n") {
		t.Errorf("depth not served after an outbox error:\n%s", body)
	}
	if strings.Contains(body, "vaksam_outbox_oldest_age_seconds ") {
		t.Errorf("oldest age served although it could not be read")
	}
	if _, err := m.Registry.Gather(); err == nil || !strings.Contains(err.Error(), "badger: closed") {
		t.Errorf("gather error %v, want the outbox error", err)
	}
}

func value(t *testing.T, m *Metrics, name string, labels ...string) float64 {
	t.Helper()
	mfs, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metric:
		for _, mt := range mf.GetMetric() {
			if len(mt.GetLabel()) != len(labels) {
				continue
			}
			// Labels come sorted by name; the cases give values in the
			// order of the family's declaration, so compare as sets.
			for _, l := range mt.GetLabel() {
				if !contains(labels, l.GetValue()) {
					continue metric
				}
			}
			switch {
			case mt.Counter != nil:
				return mt.Counter.GetValue()
			case mt.Gauge != nil:
				return mt.Gauge.GetValue()
			}
		}
	}
	t.Fatalf("%s%q not found", name, labels)
	return 0
}

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func families(t *testing.T, m *Metrics) map[string]bool {
	t.Helper()
	mfs, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, mf := range mfs {
		out[mf.GetName()] = true
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
