package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
