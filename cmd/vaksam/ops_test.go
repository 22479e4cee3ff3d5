package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/health"
	"github.com/vaksam/vaksam/engine/metrics"
	"github.com/vaksam/vaksam/engine/record"
)

var webLine = regexp.MustCompile(`(?m)^  web: +(\S+)/ `)

// webURL returns the base URL serve printed.
func webURL(t *testing.T, srv *proc) string {
	t.Helper()
	m := webLine.FindStringSubmatch(srv.out.String())
	if m == nil {
		t.Fatalf("no web line in serve's output\n%s", srv)
	}
	return m[1]
}

func get(url string) (int, []byte, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// readiness returns /readyz's status code and report.
func readiness(t *testing.T, base string) (int, health.Report) {
	t.Helper()
	code, body, err := get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	var rep health.Report
	if err := json.Unmarshal(body, &rep); err != nil {
		t.Fatalf("/readyz: %v: %s", err, body)
	}
	return code, rep
}

// wantReady polls /readyz until it is ready (or, with failing set, until
// exactly that check fails).
func wantReady(t *testing.T, base, failing string) health.Report {
	t.Helper()
	var rep health.Report
	eventually(t, 20*time.Second, "readiness with failing check "+strconv.Quote(failing), func() error {
		var code int
		code, rep = readiness(t, base)
		var failed []string
		for _, c := range rep.Checks {
			if !c.OK {
				failed = append(failed, c.Name)
			}
		}
		switch {
		case failing == "" && (code != http.StatusOK || rep.Status != "ready"):
			return fmt.Errorf("%d %+v", code, rep)
		case failing != "" && (code != http.StatusServiceUnavailable || rep.Status != "unready" || strings.Join(failed, ",") != failing):
			return fmt.Errorf("%d %+v", code, rep)
		}
		return nil
	})
	return rep
}

// serveDemo runs serve --demo of 150 organisations and waits until it is
// ready; it returns it with its NATS and web URLs.
func serveDemo(t *testing.T) (srv *proc, natsURL, base string) {
	t.Helper()
	clock := connectors.NewManualClock(serveNow)
	srv, natsURL = serve(t, clock, filepath.Join(t.TempDir(), "demo"), "--demo", "--demo-orgs", "150",
		"--nats-listen", "127.0.0.1:"+strconv.Itoa(freeTCPPort(t)), "--http", "127.0.0.1:0")
	base = webURL(t, srv)
	wantReady(t, base, "")
	return srv, natsURL, base
}

// A scrape of a running serve --demo finds every family, lint-clean, and
// the pre-award check made before it counted.
func TestServeDemoMetrics(t *testing.T) {
	srv, natsURL, base := serveDemo(t)

	nc, _ := connectAs(t, natsURL, demoKey(t, srv, "consumer"))
	msg, err := nc.Request("vaksam.screen", []byte(`{"orgnr":"12345"}`), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("Nats-Service-Error-Code") != "400" {
		t.Fatalf("a malformed orgnr was answered %q", msg.Data)
	}

	var body []byte
	eventually(t, 20*time.Second, "the initial screening and the fetch at start counted", func() error {
		code, b, err := get(base + "/metrics")
		if err != nil || code != http.StatusOK {
			return fmt.Errorf("%d %v", code, err)
		}
		body = b
		if !strings.Contains(string(b), `vaksam_screenings_total{step=`) || !strings.Contains(string(b), "vaksam_screen_all_duration_seconds_count 1\n") {
			return errors.New("no screening counted yet")
		}
		// The connector's and the ingest's families appear with the
		// first fetch, which runs beside the screening.
		if !strings.Contains(string(b), "\nvaksam_connector_requests_total{") || !strings.Contains(string(b), "\nvaksam_ingest_records_total{") {
			return errors.New("no fetch counted yet")
		}
		return nil
	})
	text := string(body)
	for _, f := range metrics.Families {
		if !regexp.MustCompile(`(?m)^# TYPE ` + f + ` `).MatchString(text) {
			t.Errorf("family %s missing from /metrics", f)
		}
	}
	for _, want := range []string{
		`vaksam_preaward_requests_total{outcome="bad_request",via="nats"} 1`,
		`vaksam_nats_connected 1`,
		`vaksam_rules_last_reload_successful 1`,
		`vaksam_source_up{source="bolagsverket"} 1`,
		`go_goroutines `, `process_resident_memory_bytes `,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if m := regexp.MustCompile(`vaksam_[a-z_]+\{[^}]*(orgnr|="\d{6}-?\d{4}")[^}]*\}`).FindString(text); m != "" {
		t.Errorf("a label carries an organisation number: %s", m)
	}
	Problems, err := promlint.New(strings.NewReader(text)).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range Problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

// /readyz turns unready when NATS goes away and when a required source
// has delivered nothing within its window, and ready again when each
// recovers.
func TestServeReadiness(t *testing.T) {
	data := sampleData(t)
	clock := connectors.NewManualClock(serveNow)
	port := freeTCPPort(t)
	natsDir := t.TempDir()
	ns := startNATSServer(t, natsDir, port)
	srv, natsURL := serve(t, clock, data, "--nats", fmt.Sprintf("nats://127.0.0.1:%d", port), "--nats-nkey", testKeyFile(t, vaksamKey), "--http", "127.0.0.1:0")
	base := webURL(t, srv)
	wantReady(t, base, "")
	nc, _ := connect(t, natsURL)
	js := pusher(t, natsURL, record.Bolagsverket)
	// A pre-award check keeps the organisation watched.
	if msg, err := nc.Request("vaksam.screen", []byte(`{"orgnr":"`+sampleOrg+`","purpose":"award"}`), 5*time.Second); err != nil || msg.Header.Get("Nats-Service-Error-Code") != "" {
		t.Fatalf("pre-award check: %v %s", err, msg.Data)
	}

	ns.Shutdown()
	rep := wantReady(t, base, "nats")
	t.Logf("NATS stopped: %+v", rep.Checks)
	startNATSServer(t, natsDir, port) // stopped by the test's cleanup
	wantReady(t, base, "")

	// Eight days on, Bolagsverket's data (a 7-day window) is older than its
	// window for every watched organisation.
	clock.Advance(8 * 24 * time.Hour)
	rep = wantReady(t, base, "sources")
	for _, c := range rep.Checks {
		if c.Name == "sources" && !strings.Contains(c.Error, "bolagsverket") {
			t.Errorf("the sources check does not name bolagsverket: %q", c.Error)
		}
	}
	// Fresh records arrive on NATS; at the next status the source is up.
	sample, err := os.ReadFile(filepath.Join(samples, "bolagsverket-organisationer.json"))
	if err != nil {
		t.Fatal(err)
	}
	m := nats.NewMsg("vaksam.ingest.bolagsverket")
	m.Header.Set(bus.HeaderObserved, clock.Now().Add(-time.Minute).Format(time.RFC3339))
	m.Data = sample
	// The test's own connection may still be reconnecting to the
	// restarted server.
	eventually(t, 10*time.Second, "the records pushed", func() error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_, err := js.PublishMsg(ctx, m)
		return err
	})
	eventually(t, 20*time.Second, "the pushed records stored and the source status recomputed", func() error {
		clock.Advance(time.Minute)
		code, rep := readiness(t, base)
		if code != http.StatusOK {
			return fmt.Errorf("%d %+v", code, rep)
		}
		return nil
	})
	if code := srv.stop(t); code != exitOK {
		t.Fatalf("serve: exit %d\n%s", code, srv)
	}
}

// SIGHUP reloads the rule pack and thresholds from the configuration file:
// a broken file keeps what runs; a good one replaces it, is audited and
// re-screens.
func TestServeReloadOnHangup(t *testing.T) {
	data := sampleData(t)
	clock := connectors.NewManualClock(serveNow)
	cfg := filepath.Join(t.TempDir(), "vaksam.yaml")
	write := func(s string) {
		if err := os.WriteFile(cfg, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("screening:\n  scoring:\n    l2_score: 30\n")
	srv, _ := serve(t, clock, data, "--config", cfg, "--nats-listen", "127.0.0.1:"+strconv.Itoa(freeTCPPort(t)), "--http", "127.0.0.1:0", "--screen-every", "0")
	base := webURL(t, srv)
	wantReady(t, base, "")
	scrape := func() string {
		_, b, err := get(base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	hangup := func() {
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
	}

	write("screening:\n  scoring:\n    l2_scor: 25\n") // unknown key
	hangup()
	eventually(t, 10*time.Second, "the failed reload counted", func() error {
		if !strings.Contains(scrape(), `vaksam_rules_reloads_total{result="failure"} 1`) {
			return errors.New("not yet")
		}
		return nil
	})
	text := scrape()
	if !strings.Contains(text, "vaksam_rules_last_reload_successful 0\n") {
		t.Errorf("last reload not marked failed")
	}
	if !strings.Contains(srv.log.String(), "l2_scor") {
		t.Errorf("the log does not say what is wrong:\n%s", srv.log)
	}
	wantReady(t, base, "") // the previous rules run on

	write("rules:\n  params: {av_months: 6}\nscreening:\n  scoring:\n    l2_score: 25\n")
	hangup()
	eventually(t, 10*time.Second, "the good reload counted and re-screened", func() error {
		text := scrape()
		if !strings.Contains(text, `vaksam_rules_reloads_total{result="success"} 2`) || !strings.Contains(text, `trigger="reload"`) {
			return errors.New("not yet")
		}
		return nil
	})
	if !strings.Contains(scrape(), "vaksam_rules_last_reload_successful 1\n") {
		t.Errorf("last reload not marked successful")
	}
	if code := srv.stop(t); code != exitOK {
		t.Fatalf("serve: exit %d\n%s", code, srv)
	}
	reloads := auditDetails(t, data, "rules.reload")
	if len(reloads) != 2 || reloads[1]["from"] != reloads[0]["to"] || reloads[1]["to"] == reloads[0]["to"] ||
		reloads[1]["thresholds"] == reloads[0]["thresholds"] || reloads[1]["from_thresholds"] != reloads[0]["thresholds"] {
		t.Errorf("rules.reload entries %v: want the start, then the change of rules and thresholds", reloads)
	}
}

func startNATSServer(t *testing.T, dir string, port int) *bus.Server {
	t.Helper()
	var ns *bus.Server
	eventually(t, 10*time.Second, "NATS server started", func() error {
		var err error
		ns, err = startTestNATS(dir, "127.0.0.1", port, t)
		return err
	})
	t.Cleanup(ns.Shutdown)
	return ns
}
