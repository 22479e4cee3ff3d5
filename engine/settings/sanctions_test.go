package settings

import (
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/record"
)

// sources.sanctions: each list's keys checked, each problem at its
// FILE:LINE:COL, and a token in a URL never in a message.
func TestSanctionsChecked(t *testing.T) {
	const head = "sources:\n  sanctions:\n"
	for _, tc := range []struct{ name, yaml, problem string }{
		{"none", "", ""},
		{"ftm enabled, defaults", head + "    ftm: {enabled: true}\n", ""},
		{"eu with token in url", head + "    eu:\n      enabled: true\n      url: https://eu.example/content?token=abc\n", ""},
		{"eu without token", head + "    eu:\n      enabled: true\n", ":4:7: sources.sanctions.eu: the EU's file needs a token"},
		{"eu disabled without token", head + "    eu:\n      enabled: false\n", ""},
		{"bad url hides token", head + "    un:\n      url: ftp://un.example/x.xml?token=s3cret\n",
			`:4:12: sources.sanctions.un.url: want an http(s) URL such as https://scsanctions.un.org/resources/xml/en/consolidated.xml, got "ftp://un.example/x.xml?token=xxxxx"`},
		{"every too short", head + "    un:\n      every: 10s\n", ":4:14: sources.sanctions.un.every: want 1m0s to 24h0m0s"},
		{"every too long", head + "    un:\n      every: 72h\n", ":4:14: sources.sanctions.un.every:"},
		{"every not a duration", head + "    un:\n      every: daily\n", ":4:14: sources.sanctions.un.every:"},
		{"negative max_bytes", head + "    ftm:\n      max_bytes: -1\n", ":4:18: sources.sanctions.ftm.max_bytes: must not be negative"},
		{"reserved header", head + "    ftm:\n      headers: {User-Agent: x}\n", ":4:29: sources.sanctions.ftm.headers.User-Agent: set by the download itself"},
		{"accept-encoding", head + "    ftm:\n      headers: {accept-encoding: gzip}\n", ":4:34: sources.sanctions.ftm.headers.accept-encoding: set by the download itself"},
		{"bad header name", head + "    ftm:\n      headers: {\"Bad Name\": x}\n", ":4:29: sources.sanctions.ftm.headers.Bad Name: not a header name"},
		{"unknown list", head + "    ofac: {enabled: true}\n", ":3:5: sources.sanctions.ofac:"},
		{"unknown key", head + "    un:\n      interval: 6h\n", ":4:7: sources.sanctions.un.interval:"},
		{"token both ways", head + "    eu:\n      token: {env: X, file: /y}\n", ":4:14: sources.sanctions.eu.token: give file or env, not both"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := checked(t, tc.yaml, tc.problem)
			if strings.Contains(tc.problem, "xxxxx") || c == nil {
				return
			}
			if strings.Contains(tc.name, "enabled") && len(c.Sources.Sanctions.Enabled()) != 1 {
				t.Errorf("enabled %v, want one list", c.Sources.Sanctions.Enabled())
			}
		})
	}
}

// Lists: the enabled lists only, with the published URL by default, the
// token in the query, the headers and the interval.
func TestSanctionsLists(t *testing.T) {
	t.Setenv("VAKSAM_TEST_EU_TOKEN", "tok 1/2")
	c := checked(t, `sources:
  sanctions:
    eu:
      enabled: true
      token: {env: VAKSAM_TEST_EU_TOKEN}
      user_agent: Vaksam-test
      headers: {Accept: application/xml}
      every: 2h
      max_bytes: 1000
    un:
      enabled: false
    ftm:
      enabled: true
      url: https://mirror.example/entities.ftm.json?token=old
      token: {env: VAKSAM_TEST_EU_TOKEN}
`, "")
	lists, err := c.Sources.Sanctions.Lists()
	if err != nil {
		t.Fatal(err)
	}
	if len(lists) != 2 {
		t.Fatalf("lists %+v, want eu and ftm", lists)
	}
	eu, ftm := lists[0], lists[1]
	if eu.Source != record.SanctionsEU || eu.URL != "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=tok+1%2F2" ||
		eu.UserAgent != "Vaksam-test" || eu.Header.Get("Accept") != "application/xml" || eu.Every != 2*time.Hour || eu.MaxBytes != 1000 {
		t.Errorf("eu %+v", eu)
	}
	if ftm.Source != record.SanctionsFtM || ftm.URL != "https://mirror.example/entities.ftm.json?token=tok+1%2F2" || len(ftm.Header) != 0 {
		t.Errorf("ftm %+v", ftm)
	}
	if got := eu.Redacted(); strings.Contains(got, "tok") && !strings.Contains(got, "token=xxxxx") {
		t.Errorf("redacted %s", got)
	}
	// An unset token's variable is an error naming the key.
	t.Setenv("VAKSAM_TEST_EU_TOKEN", "")
	if _, err := c.Sources.Sanctions.Lists(); err == nil || !strings.Contains(err.Error(), "sources.sanctions.eu.token") {
		t.Errorf("err %v, want the token's key named", err)
	}
}

// config show never prints a list URL's token.
func TestSanctionsShowHidesToken(t *testing.T) {
	c := checked(t, "sources:\n  sanctions:\n    eu:\n      enabled: true\n      url: https://eu.example/content?token=s3cret\n", "")
	_, src, _ := Read("", nil)
	out, err := Show(c, src)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "s3cret") || !strings.Contains(string(out), "token=xxxxx") {
		t.Errorf("config show:\n%s", out)
	}
	if c.Sources.Sanctions.EU.URL != "https://eu.example/content?token=s3cret" {
		t.Errorf("Show changed the configuration: %s", c.Sources.Sanctions.EU.URL)
	}
}

// A list can be enabled and given its interval from the environment.
func TestSanctionsFromEnvironment(t *testing.T) {
	c, src, ps := Read("", map[string]string{"VAKSAM_SOURCES_SANCTIONS_UN_ENABLED": "true", "VAKSAM_SOURCES_SANCTIONS_UN_EVERY": "2h"})
	if len(ps) == 0 {
		ps = CheckValues(c, src)
	}
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	lists, err := c.Sources.Sanctions.Lists()
	if err != nil {
		t.Fatal(err)
	}
	if len(lists) != 1 || lists[0].Source != record.SanctionsUN || lists[0].Every != 2*time.Hour || lists[0].URL != DefaultListURL[record.SanctionsUN] {
		t.Errorf("lists %+v, want the UN's at its published URL every 2h", lists)
	}
	if !c.Sources.Configured() {
		t.Error("an enabled list does not count as a configured source: serve would not fetch")
	}
}
