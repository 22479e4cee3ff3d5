package main

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/synthetic"
)

// serve --demo holds the organisations whose sources answer as the real
// services do, and its fake Bolagsverket answers them as the files did: a
// pre-award check, which fetches what is missing or failing, finds the
// company SCB does not know blocked on its bankruptcy with the SNI still
// unknown, and the organisation whose answer came without identity still
// failing (now with the fake's own fel text), its earlier name kept.
func TestServeDemoRealFormatCases(t *testing.T) {
	clock := connectors.NewManualClock(serveNow)
	data := filepath.Join(t.TempDir(), "demo")
	srv, natsURL := serve(t, clock, data, "--demo", "--demo-orgs", "150",
		"--nats-listen", "127.0.0.1:"+strconv.Itoa(freeTCPPort(t)), "--http", "127.0.0.1:0")
	man, err := synthetic.ReadManifest(filepath.Join(data, "demo-files"))
	if err != nil {
		t.Fatal(err)
	}
	nc, _ := connectAs(t, natsURL, demoKey(t, srv, "consumer")) // the demo's consumer, as a buyer's system
	check := func(c synthetic.RealCase) *screening.Assessment {
		t.Helper()
		// The fetch waits its turn on the connector's rate limit, on the
		// service's clock: move it on while the request runs.
		done := make(chan struct{})
		defer close(done)
		go func() {
			for {
				select {
				case <-done:
					return
				case <-time.After(5 * time.Millisecond):
					clock.Advance(100 * time.Millisecond)
				}
			}
		}()
		msg, err := nc.Request("vaksam.screen", []byte(`{"orgnr":"`+c.Orgnr+`","purpose":"award","timeout":"4s"}`), 5*time.Second)
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", c.Kind, c.Orgnr, err, srv)
		}
		if code := msg.Header.Get("Nats-Service-Error-Code"); code != "" {
			t.Fatalf("%s %s: error %s %s", c.Kind, c.Orgnr, code, msg.Data)
		}
		var a screening.Assessment
		if err := json.Unmarshal(msg.Data, &a); err != nil {
			t.Fatal(err)
		}
		return &a
	}
	missing := func(a *screening.Assessment, id, source string) string {
		for _, m := range a.Missing {
			if m.ID == id && m.Source == source {
				return m.Reason
			}
		}
		return ""
	}
	seen := map[string]bool{}
	for _, c := range man.RealFormat {
		switch c.Kind {
		case synthetic.KindSCBOnly:
			a := check(c)
			if a.Name != c.Name || a.Verdict != screening.Block || !slices.ContainsFunc(a.Hits, func(h screening.Hit) bool { return h.ID == "S06" }) ||
				!strings.Contains(missing(a, "D01", "bolagsverket"), "ORGANISATION_FINNS_EJ") || !slices.Contains(a.NotChecked, "S19") {
				t.Errorf("%s %s: %+v", c.Kind, c.Orgnr, a)
			}
		case synthetic.KindWithoutIdentity:
			a := check(c)
			if reason := missing(a, "D02", "bolagsverket"); a.Name != c.Name || !a.Incomplete || !strings.Contains(reason, "OTILLGANGLIG_UPPGIFTSKALLA: Uppgiftskällan är inte tillgänglig.") {
				t.Errorf("%s %s: name %q, incomplete %v, missing %+v: want the fake's answer without identity a source error, the name %q kept",
					c.Kind, c.Orgnr, a.Name, a.Incomplete, a.Missing, c.Name)
			}
		default:
			continue
		}
		seen[c.Kind] = true
	}
	if !seen[synthetic.KindSCBOnly] || !seen[synthetic.KindWithoutIdentity] {
		t.Errorf("the demo population lacks real-format cases: %v", seen)
	}
}
