package settings

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// Every VAKSAM_* variable names one key, and the ones the documentation
// promises exist.
func TestConfigEnvKeys(t *testing.T) {
	seen := map[string]bool{}
	var prefixes []string
	for _, k := range envKeys() {
		if seen[k.Name] {
			t.Errorf("%s names two keys", k.Name)
		}
		seen[k.Name] = true
		if k.Prefix {
			prefixes = append(prefixes, k.Name)
		}
	}
	for name := range seen {
		for _, p := range prefixes {
			if name != p && strings.HasPrefix(name, p) {
				t.Errorf("%s is also an entry of the mapping %s", name, p)
			}
		}
	}
	for _, n := range OtherEnv {
		if seen[n] {
			t.Errorf("%s is a configuration key's variable and also %s", n, "a variable of its own")
		}
	}
	for _, n := range []string{"VAKSAM_DATA_DIR", "VAKSAM_HTTP_LISTEN", "VAKSAM_NATS_URL", "VAKSAM_LOG_LEVEL", "VAKSAM_SERVE_SCREEN_EVERY",
		"VAKSAM_HTTP_SECURE_COOKIES", "VAKSAM_HTTP_TLS_CERT", "VAKSAM_NATS_PASSWORD_FILE", "VAKSAM_NATS_TOKEN_ENV", "VAKSAM_RULE_PATH",
		"VAKSAM_SOURCES_BOLAGSVERKET_CLIENT_SECRET_FILE", "VAKSAM_SOURCES_SCB_CERT_FILE", "VAKSAM_SCREENING_SCORING_CATEGORY_CAP",
		"VAKSAM_SCREENING_PROFILE_SPEND_WINDOW_MONTHS", "VAKSAM_SCREENING_FRESHNESS_", "VAKSAM_RULES_PARAMS_", "VAKSAM_RULES_LISTS_"} {
		if !seen[n] {
			t.Errorf("no variable %s", n)
		}
	}
	for _, n := range []string{"VAKSAM_USERS", "VAKSAM_TOKENS", "VAKSAM_NATS_PASSWORD", "VAKSAM_NATS"} {
		if seen[n] {
			t.Errorf("%s should not be a variable (sections, lists of sections and secrets' values are not)", n)
		}
	}
}

// Every key of the configuration, active or commented, is documented in
// the example file.
func TestExampleDocumentsEveryKey(t *testing.T) {
	const example = "../../docs/vaksam.example.yaml"
	raw, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	// Every key, active or commented, is documented.
	var names []string
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || t == durationType {
			return
		}
		for _, f := range yamlFields(t) {
			names = append(names, f.name)
			walk(f.typ)
		}
	}
	walk(reflect.TypeFor[Config]())
	for _, n := range names {
		if !regexp.MustCompile(`(?m)(^|[\s#{,-])` + n + `:`).MatchString(string(raw)) {
			t.Errorf("key %s is not in %s", n, example)
		}
	}
}
