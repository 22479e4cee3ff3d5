package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/settings"
)

// A configuration value of megabytes is quoted in its problem as a short
// excerpt, on whatever key it stands, and a key given twice is reported
// (yaml.v3 gives the node tree with both; the decoder refuses the second).
func TestConfigProblemsQuoteExcerpts(t *testing.T) {
	big := strings.Repeat("v", 5<<20)
	yaml := strings.Join([]string{
		"data_dir: testdata/config/data",
		"log:",
		"  level: " + big, // 3
		"  format: json",
		"  format: text", // 5: twice
		"http:",
		"  listen: " + big,                 // 7
		"  secure_cookies: " + big,         // 8
		"  trusted_origins: [" + big + "]", // 9
		"serve:",
		"  screen_every: " + big,          // 11
		strings.Repeat("k", 1000) + ": 1", // 12: an unknown key (YAML allows 1024 bytes)
	}, "\n") + "\n"
	path := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "config", "check", "--config", path)
	if code != exitFailure {
		t.Fatalf("exit %d, want 1\n%.2000s%.2000s", code, out, errOut)
	}
	lines := problemLines(out)
	excerpt := `"` + strings.Repeat("v", 64) + `"… (5242880 bytes)`
	want := map[string]string{
		":3:":  "log.level: want debug, info, warn or error, got " + excerpt,
		":5:":  "log.format: given twice (first at line 4)",
		":7:":  "http.listen: want host:port such as 127.0.0.1:8080, got " + excerpt,
		":8:":  "http.secure_cookies: want true or false, got " + excerpt,
		":9:":  "http.trusted_origins[0]: want an origin",
		":11:": "serve.screen_every: want a duration such as 90s, 15m or 6h, got " + excerpt,
		":12:": `"` + strings.Repeat("k", 64) + `"… (1000 bytes): unknown key`,
	}
	for _, l := range lines {
		if len(l) > 400 {
			t.Errorf("problem line of %d bytes: %.300s…", len(l), l)
		}
	}
	for at, msg := range want {
		found := false
		for _, l := range lines {
			found = found || strings.Contains(l, at) && strings.Contains(l, msg)
		}
		if !found {
			t.Errorf("no problem at %s with %.200q in:\n%.3000s", at, msg, strings.Join(lines, "\n"))
		}
	}
	if len(out)+len(errOut) > 10000 {
		t.Errorf("output of %d bytes", len(out)+len(errOut))
	}
}

// sources.limits sets a source's bounds for every import, vaksam ingest's
// too; a bound of an unknown source or below 0 is a problem.
func TestConfigImportLimits(t *testing.T) {
	testSigningKey(t) // config check wants the signing key every configuration names
	dir := t.TempDir()
	cfg := filepath.Join(dir, "vaksam.yaml")
	write := func(limits string) {
		t.Helper()
		if err := os.WriteFile(cfg, []byte("data_dir: "+filepath.Join(dir, "data")+"\nsources:\n  limits:\n"+limits), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("    nosuch: {record_bytes: 10}\n    roles: {record_bytes: -1, field_bytes: -2}\n")
	code, out, _ := run(t, "config", "check", "--config", cfg)
	for _, want := range []string{
		"sources.limits.nosuch: unknown source (known: ",
		"sources.limits.roles.record_bytes: must not be negative (0 keeps the default), got -1",
		"sources.limits.roles.field_bytes: must not be negative (0 keeps the default), got -2",
	} {
		if code != exitFailure || !strings.Contains(out, want) {
			t.Errorf("exit %d, output lacks %q:\n%s", code, want, out)
		}
	}

	// A 100-byte bound on kronofogden's lines: the sample's line is
	// longer than that and is quarantined with the bound as the reason.
	write("    kronofogden: {record_bytes: 100}\n")
	if code, out, errOut := run(t, "config", "check", "--config", cfg); code != exitOK {
		t.Fatalf("config check: exit %d\n%s%s", code, out, errOut)
	}
	t.Setenv(settings.EnvConfig, cfg)
	code, out, errOut := run(t, "ingest", "--source", "kronofogden", "--observed", "2026-11-20", samples+"/kronofogden.jsonl")
	if code != exitQuarantined || !strings.Contains(out+errOut, "exceeds the limit of 100") {
		t.Errorf("ingest: exit %d, want %d and the bound's reason\n%s%s", code, exitQuarantined, out, errOut)
	}
}
