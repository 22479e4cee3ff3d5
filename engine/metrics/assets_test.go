package metrics

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The operators' dashboard and alerting rules (docs/deploy) may only use
// families Vaksam exports, and the dashboard shows every one of them.
func TestDeployAssetsUseExportedFamilies(t *testing.T) {
	name := regexp.MustCompile(`\bvaksam_[a-z_]+`)
	used := func(t *testing.T, text string) map[string]bool {
		t.Helper()
		out := map[string]bool{}
		for _, n := range name.FindAllString(text, -1) {
			base := n
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				if b, ok := strings.CutSuffix(n, suffix); ok && slices.Contains(Families, b) {
					base = b
				}
			}
			out[base] = true
		}
		return out
	}
	read := func(t *testing.T, path string) string {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	dashboard := read(t, "../../docs/deploy/grafana/dashboards/vaksam.json")
	var d struct {
		Panels []json.RawMessage `json:"panels"`
	}
	if err := json.Unmarshal([]byte(dashboard), &d); err != nil || len(d.Panels) == 0 {
		t.Fatalf("dashboard: %v (%d panels)", err, len(d.Panels))
	}
	shown := used(t, dashboard)
	for n := range shown {
		if !slices.Contains(Families, n) {
			t.Errorf("the dashboard queries %s, which Vaksam does not export", n)
		}
	}
	for _, f := range Families {
		if !shown[f] {
			t.Errorf("the dashboard does not show %s", f)
		}
	}

	rules := read(t, "../../docs/deploy/prometheus/alerts.yml")
	for n := range used(t, rules) {
		if !slices.Contains(Families, n) {
			t.Errorf("the alerting rules use %s, which Vaksam does not export", n)
		}
	}
	for _, f := range []string{"vaksam_source_up", "vaksam_outbox_depth", "vaksam_nats_connected", "vaksam_rules_last_reload_successful"} {
		if !used(t, rules)[f] {
			t.Errorf("no alerting rule uses %s", f)
		}
	}
}
