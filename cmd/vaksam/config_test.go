package main

import (
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/service"
	"github.com/vaksam/vaksam/engine/settings"
	"github.com/vaksam/vaksam/rules"
	defaultpack "github.com/vaksam/vaksam/rules/default"
)

const configData = "testdata/config"

// unsetEnv clears the variables a test file refers to, so that the
// environment the tests run in cannot change what they find.
func unsetEnv(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		t.Setenv(n, "")
	}
}

// problemLines returns the problem lines of `config check`'s output,
// without the summary and notes.
func problemLines(out string) []string {
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l != "" && !strings.HasPrefix(l, "from the environment:") && !strings.HasPrefix(l, "note:") {
			lines = append(lines, l)
		}
	}
	return lines
}

func wantLines(t *testing.T, file string) []string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

// Each bad file's check reports exactly the problems of its .want file,
// every one with its line, and exits 1; each good file passes.
func TestConfigCheckFiles(t *testing.T) {
	unsetEnv(t, "VAKSAM_TEST_NATS_PASSWORD", "VAKSAM_TEST_UNSET_TOKEN", "VAKSAM_TEST_UNSET_SECRET")
	tests := []struct {
		file string
		ok   bool
	}{
		{"good", true},
		{"minimal", true},
		{"nats-good", true},
		{"three-mistakes", false},
		{"types", false},
		{"values", false},
		{"syntax", false},
		{"access", false},
		{"sso", false},
		{"owners", false},
		{"sso-good", true},
		{"nats-users", false},
		{"nats-external", false},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join(configData, tc.file+".yaml")
			code, out, errOut := run(t, "config", "check", "--config", path)
			if tc.ok {
				if code != exitOK || !strings.HasPrefix(out, "ok: "+path+"\n") {
					t.Fatalf("exit %d, want 0\n%s%s", code, out, errOut)
				}
				return
			}
			want := wantLines(t, filepath.Join(configData, tc.file+".want"))
			if got := problemLines(out); !slices.Equal(got, want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if code != exitFailure || !strings.Contains(errOut, count(len(want), "problem")+" in "+path) {
				t.Errorf("exit %d, stderr %q; want 1 and the count", code, errOut)
			}
		})
	}
}

// The acceptance of issue 6: three mistakes on different lines are all
// reported, each with its line, and every command that reads the
// configuration refuses the file with the same messages.
func TestConfigThreeMistakesEverywhere(t *testing.T) {
	path := filepath.Join(configData, "three-mistakes.yaml")
	want := wantLines(t, filepath.Join(configData, "three-mistakes.want"))
	lines := map[string]bool{}
	for _, w := range want {
		m := regexp.MustCompile(`^testdata/config/three-mistakes\.yaml:(\d+):\d+: `).FindStringSubmatch(w)
		if m == nil {
			t.Fatalf("want line without a position: %s", w)
		}
		lines[m[1]] = true
	}
	if len(want) != 3 || len(lines) != 3 {
		t.Fatalf("want three problems on three lines, the .want file has %d on %d", len(want), len(lines))
	}
	data := t.TempDir()
	for _, args := range [][]string{
		{"screen", "--data", data, "--config", path, "5591234561"},
		{"sources", "--data", data, "--config", path},
		{"rules", "check", "--config", path},
		{"serve", "--data", data, "--config", path},
	} {
		code, _, errOut := run(t, args...)
		if code != exitFailure {
			t.Errorf("%v: exit %d, want 1", args[0], code)
		}
		for _, w := range want {
			if !strings.Contains(errOut, w) {
				t.Errorf("%v: stderr lacks %q:\n%s", args[0], w, errOut)
			}
		}
	}
}

// A rule pack's errors are reported as rules.LoadPath gives them, and the
// configuration's overrides no pack declares at their keys.
func TestConfigCheckRulePack(t *testing.T) {
	path := filepath.Join(configData, "rules.yaml")
	code, out, _ := run(t, "config", "check", "--config", path)
	got := problemLines(out)
	want := []string{
		path + ":5:22: rules.params.debt_sek: no rule pack declares this parameter",
		path + ":6:25: rules.lists.no_such_list: no rule pack declares this list",
	}
	_, err := rules.LoadPath("../../rules/testdata/bad.yaml", rules.Overrides{})
	var re rules.Errors
	if !errors.As(err, &re) || len(re) == 0 {
		t.Fatalf("the bad pack loads: %v", err)
	}
	for _, e := range re {
		want = append(want, e.Error())
	}
	if code != exitFailure || !slices.Equal(got, want) {
		t.Errorf("exit %d, problems:\n%s\nwant:\n%s", code, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Overrides from the environment win over the file, are read as the key's
// type, and check says where each came from.
func TestConfigEnvOverrides(t *testing.T) {
	path := filepath.Join(configData, "good.yaml")
	env := map[string]string{
		"VAKSAM_DATA_DIR":                      "/srv/vaksam",
		"VAKSAM_LOG_LEVEL":                     "warn",
		"VAKSAM_HTTP_LISTEN":                   "0.0.0.0:9443",
		"VAKSAM_HTTP_SECURE_COOKIES":           "true",
		"VAKSAM_HTTP_TRUSTED_ORIGINS":          "https://a.example, https://b.example",
		"VAKSAM_NATS_URL":                      "nats://nats.example:4222",
		"VAKSAM_NATS_PASSWORD_FILE":            "/run/secrets/nats",
		"VAKSAM_SERVE_SCREEN_EVERY":            "90m",
		"VAKSAM_SERVE_GC_EVERY":                "5m",
		"VAKSAM_SCREENING_FRESHNESS_SCB":       "60",
		"VAKSAM_SCREENING_FRESHNESS_ROLES":     "40",
		"VAKSAM_SCREENING_SCORING_L2_SCORE":    "35.5",
		"VAKSAM_RULES_PARAMS_AV_MONTHS":        "36",
		"VAKSAM_SOURCES_PRE_AWARD_DAYS":        "120",
		"VAKSAM_SOURCES_BOLAGSVERKET_BULK_URL": "https://bulk.example/bulk.zip",
		"VAKSAM_MUNICIPALITY_NAME":             "Övreby kommun",
		"VAKSAM_LOG_FORMAT":                    "", // empty: unset
		"UNRELATED":                            "x",
	}
	c, src, ps := settings.Read(path, env)
	if len(ps) > 0 {
		t.Fatalf("problems: %v", ps)
	}
	checks := []struct {
		key       string
		got, want any
	}{
		{"data_dir", c.DataDir, "/srv/vaksam"},
		{"log.level", c.Log.Level, "warn"},
		{"log.format (file: empty variable)", c.Log.Format, "json"},
		{"http.listen", c.HTTP.Listen, "0.0.0.0:9443"},
		{"http.secure_cookies", c.HTTP.SecureCookies, true},
		{"http.trusted_origins", c.HTTP.TrustedOrigins, []string{"https://a.example", "https://b.example"}},
		{"http.tls_cert (file)", c.HTTP.TLSCert, "testdata/config/files/cert.pem"},
		{"nats.url", c.NATS.URL, "nats://nats.example:4222"},
		{"nats.listen (file)", c.NATS.Listen, "127.0.0.1:4223"},
		{"nats.password", c.NATS.Password, settings.Secret{File: "/run/secrets/nats"}},
		{"serve.screen_every", c.Serve.ScreenEvery, 90 * time.Minute},
		{"serve.gc_every", c.Serve.GCEvery, 5 * time.Minute},
		{"screening.freshness.scb", int(c.Screening.Freshness["scb"]), 60},
		{"screening.freshness.roles", int(c.Screening.Freshness["roles"]), 40},
		{"screening.scoring.weights.high (file)", c.Screening.Scoring.Weights["high"], 50.0},
		{"screening.scoring.l2_score", c.Screening.Scoring.L2Score, 35.5},
		{"rules.params.av_months", c.Rules.Params["av_months"], 36.0},
		{"sources.pre_award_days", c.Sources.PreAwardDays, 120},
		{"users (file)", len(c.Users), 3},
		{"municipality.name", c.Municipality.Name, "Övreby kommun"},
		{"municipality.logo_text (file)", c.Municipality.LogoText, "EXEMPELBY KOMMUN · Socialnämnden"},
	}
	for _, ck := range checks {
		if !reflect.DeepEqual(ck.got, ck.want) {
			t.Errorf("%s = %#v, want %#v", ck.key, ck.got, ck.want)
		}
	}
	if c.Sources.BolagsverketBulk == nil || c.Sources.BolagsverketBulk.URL != "https://bulk.example/bulk.zip" {
		t.Errorf("sources.bolagsverket_bulk.url from the environment: %+v", c.Sources.BolagsverketBulk)
	}
	var vars []string
	for _, v := range src.FromEnv {
		vars = append(vars, v.Var)
	}
	if len(vars) != 16 || slices.Contains(vars, "VAKSAM_LOG_FORMAT") {
		t.Errorf("from the environment: %v, want the 16 set variables", vars)
	}

	// Through the command, with the real environment.
	for k, v := range env {
		t.Setenv(k, v)
	}
	t.Setenv("VAKSAM_HTTP_LISTN", "0.0.0.0:1") // a misspelt override
	t.Setenv("VAKSAM_NATS_PASSWORD_FILE", "")  // the file must exist for check
	code, out, errOut := run(t, "config", "check", "--config", path)
	if code != exitOK {
		t.Fatalf("check: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"  data:     /srv/vaksam\n", "  NATS:     nats://nats.example:4222\n", "  web:      https on 0.0.0.0:9443\n",
		"data_dir ($VAKSAM_DATA_DIR)", "http.listen ($VAKSAM_HTTP_LISTEN)", "screening.freshness.scb ($VAKSAM_SCREENING_FRESHNESS_SCB)",
		"note: $VAKSAM_HTTP_LISTN is set but is no configuration key"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	if c, err := settings.Load(path); err != nil || c.HTTP.Listen != "0.0.0.0:9443" || c.DataDir != "/srv/vaksam" {
		t.Errorf("loadConfig: %v, %+v", err, c)
	}
}

// A bad value from the environment is an error naming the variable, in
// check and in every command.
func TestConfigBadEnvValue(t *testing.T) {
	path := filepath.Join(configData, "minimal.yaml")
	tests := []struct {
		name, value, want string
	}{
		{"VAKSAM_SERVE_SCREEN_EVERY", "soon", `$VAKSAM_SERVE_SCREEN_EVERY: serve.screen_every: want a duration such as 90s, 15m or 6h, got "soon"`},
		{"VAKSAM_SERVE_CHECK_TIMEOUT", "-2s", `$VAKSAM_SERVE_CHECK_TIMEOUT: serve.check_timeout: must not be negative, got -2s`},
		{"VAKSAM_HTTP_SECURE_COOKIES", "maybe", `$VAKSAM_HTTP_SECURE_COOKIES: http.secure_cookies: want true or false, got "maybe"`},
		{"VAKSAM_HTTP_LISTEN", "localhost", `$VAKSAM_HTTP_LISTEN: http.listen: want host:port such as 127.0.0.1:8080, got "localhost"`},
		{"VAKSAM_SOURCES_PRE_AWARD_DAYS", "ten", `$VAKSAM_SOURCES_PRE_AWARD_DAYS: sources.pre_award_days: want a whole number, got "ten"`},
		{"VAKSAM_SCREENING_FRESHNESS_SCB", "0", `$VAKSAM_SCREENING_FRESHNESS_SCB: screening.freshness.scb: 0 days, want at least 1`},
		{"VAKSAM_SCREENING_SCORING_WEIGHTS_HIGH", "heavy", `$VAKSAM_SCREENING_SCORING_WEIGHTS_HIGH: screening.scoring.weights.high: want a number, got "heavy"`},
		{"VAKSAM_LOG_LEVEL", "loud", `$VAKSAM_LOG_LEVEL: log.level: want debug, info, warn or error, got "loud"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(tc.name, tc.value)
			code, out, _ := run(t, "config", "check", "--config", path)
			if got := problemLines(out); code != exitFailure || !slices.Equal(got, []string{tc.want}) {
				t.Errorf("check: exit %d, problems %q, want %q", code, got, tc.want)
			}
			if _, err := settings.Load(path); err == nil || err.Error() != tc.want {
				t.Errorf("loadConfig: %v, want %q", err, tc.want)
			}
		})
	}
	// A variable whose section in the file is not a mapping cannot apply.
	_, _, ps := settings.Read(filepath.Join(configData, "types.yaml"), map[string]string{"VAKSAM_NATS_URL": "nats://x:4222"})
	want := "$VAKSAM_NATS_URL: nats.url: not applied: nats in the file is not a mapping"
	if !slices.ContainsFunc(ps, func(p settings.Problem) bool { return p.String() == want }) {
		t.Errorf("problems %v lack %q", ps, want)
	}
}

// Every scalar key has one variable; no variable is both a key's and a
// mapping's entry; the names the documentation promises exist.
// --config defaults to $VAKSAM_CONFIG, and commands take the data
// directory from the configuration when --data is not given.
func TestConfigFileAndDataDirFromEnvironment(t *testing.T) {
	data := t.TempDir()
	cfg := filepath.Join(t.TempDir(), "vaksam.yaml")
	key, err := filepath.Abs(filepath.Join(configData, "files", "signing.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte("data_dir: "+data+"\nsigning: {key_file: "+key+"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("VAKSAM_CONFIG", cfg)
	if code, out, errOut := run(t, "config", "check"); code != exitOK || !strings.Contains(out, "ok: "+cfg) {
		t.Fatalf("check with $VAKSAM_CONFIG: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := run(t, "ingest", "--source", "kronofogden", "--observed", "2026-11-20", samples+"/kronofogden.jsonl"); code != exitOK {
		t.Fatalf("ingest without --data: exit %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(data, "store")); err != nil {
		t.Fatalf("ingest did not use data_dir: %v", err)
	}
	if code, out, errOut := run(t, "screen", "--at", "2026-11-21", "--json", "5591234561"); code != exitOK || !strings.Contains(out, `"orgnr":"5591234561"`) {
		t.Errorf("screen without --data: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := run(t, "audit", "verify"); code != exitOK {
		t.Errorf("audit verify without --data: exit %d\n%s%s", code, out, errOut)
	}
	// $VAKSAM_DATA_DIR wins over the file, --data over both.
	other := t.TempDir()
	t.Setenv("VAKSAM_DATA_DIR", other)
	if dir, err := settings.ResolveDataDir("", ""); err != nil || dir != other {
		t.Errorf("resolveDataDir with $VAKSAM_DATA_DIR = %q, %v; want %q", dir, err, other)
	}
	if dir, err := settings.ResolveDataDir("/flag", ""); err != nil || dir != "/flag" {
		t.Errorf("resolveDataDir with --data = %q, %v", dir, err)
	}
	// Neither: the usage error names both ways.
	t.Setenv("VAKSAM_CONFIG", "")
	t.Setenv("VAKSAM_DATA_DIR", "")
	if code, _, errOut := run(t, "screen", "5591234561"); code != exitUsage || !strings.Contains(errOut, "--data DIR is required (or data_dir in the configuration)") {
		t.Errorf("no data directory: exit %d, %q", code, errOut)
	}
}

// config show prints the configuration in force: overrides marked,
// defaults filled in, secrets as references, hashes and URL passwords
// hidden; what it prints reads back as the same configuration.
func TestConfigShow(t *testing.T) {
	path := filepath.Join(configData, "good.yaml")
	t.Setenv("VAKSAM_NATS_URL", "nats://vaksam:s3cret@nats.example:4222")
	t.Setenv("VAKSAM_SERVE_GC_EVERY", "5m")
	code, out, errOut := run(t, "config", "show", "--config", path)
	if code != exitOK {
		t.Fatalf("show: exit %d\n%s", code, errOut)
	}
	for _, want := range []string{
		"url: nats://vaksam:xxxxx@nats.example:4222 # $VAKSAM_NATS_URL\n",
		"gc_every: 5m0s # $VAKSAM_SERVE_GC_EVERY\n",
		"screen_every: 1h0m0s\n",  // the file's
		"check_timeout: 2s\n",     // 0 in the file: the default
		"shutdown_timeout: 30s\n", // absent: the default
		"file: testdata/config/files/secret\n",
		"kronofogden: 92\n", // the screening defaults merged
		"scb: 45\n",         // with the file's
		"password_hash: (hidden)\n",
		"hash: (hidden)\n",
		"L3: 3\n", // the file's deadlines replace the default
	} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	for _, leak := range []string{"s3cret", "$argon2id$", "2c6140e3", "not-a-real-secret"} {
		if strings.Contains(out, leak) {
			t.Errorf("show prints %q:\n%s", leak, out)
		}
	}
	shown := filepath.Join(t.TempDir(), "shown.yaml")
	if err := os.WriteFile(shown, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	back, _, ps := settings.Read(shown, nil)
	orig, _, _ := settings.Read(path, nil)
	if len(ps) > 0 {
		t.Fatalf("show's output does not read back: %v", ps)
	}
	if back.HTTP.TLSCert != orig.HTTP.TLSCert || back.NATS.Password != orig.NATS.Password || back.Users[1].ID != "bo" ||
		back.Screening.Freshness["scb"] != 45 || back.Serve.GCEvery != 5*time.Minute ||
		!maps.Equal(back.Review.SLAInForce(), review.SLA{ladder.L2: 8, ladder.L3: 3}) {
		t.Errorf("show's output reads back as %+v", back)
	}
}

// hash-password hashes the first line of standard input (the reading and
// the policy: engine/access, TestReadAndHashNewPassword).
func TestConfigHashPassword(t *testing.T) {
	// Through the command, standard input a file.
	in := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(in, []byte("correct horse battery\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	stdin := os.Stdin
	os.Stdin = f
	t.Cleanup(func() { os.Stdin = stdin })
	code, out, errOut := run(t, "config", "hash-password")
	hash := strings.TrimSpace(out)
	if ok, err := access.CheckPassword(hash, "correct horse battery"); code != exitOK || !ok || err != nil {
		t.Errorf("hash-password: exit %d, %q (%v)\n%s", code, out, err, errOut)
	}
	// The hash is accepted as a user's.
	if _, err := access.NewDirectory([]access.User{{ID: "anna", Roles: []access.Role{access.Viewer}, PasswordHash: hash}}, nil); err != nil {
		t.Errorf("the hash is refused: %v", err)
	}
}

// The example configuration is complete and valid: with the files it
// names created and the variables it names set, check passes; every key of
// the configuration appears in it.
func TestConfigExampleFile(t *testing.T) {
	const example = "../../docs/vaksam.example.yaml"
	raw, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	root := t.TempDir()
	for _, dir := range []string{"/etc/vaksam/", "/run/secrets/", "/var/lib/vaksam"} {
		text = strings.ReplaceAll(text, dir, root+dir)
	}
	// Create every file the active (uncommented) lines name.
	file := regexp.MustCompile(regexp.QuoteMeta(root) + `/(etc/vaksam|run/secrets)/[^\s"'}\]]+`)
	var active []string
	for _, line := range strings.Split(text, "\n") {
		if code, _, _ := strings.Cut(line, "#"); strings.TrimSpace(code) != "" {
			active = append(active, code)
		}
	}
	made := 0
	for _, f := range file.FindAllString(strings.Join(active, "\n"), -1) {
		if err := os.MkdirAll(filepath.Dir(f), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte("example content\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		made++
	}
	if made < 10 {
		t.Fatalf("created %d files the example names; the pattern no longer finds them", made)
	}
	// The signing key is read, not only found: a real one.
	key, err := os.ReadFile(filepath.Join(configData, "files", "signing.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "etc/vaksam/signing.pem"), key, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`\{env: (\w+)\}`).FindAllStringSubmatch(strings.Join(active, "\n"), -1) {
		t.Setenv(m[1], "example value")
	}
	cfg := filepath.Join(root, "vaksam.yaml")
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "config", "check", "--config", cfg)
	if code != exitOK || !strings.HasPrefix(out, "ok: ") {
		t.Fatalf("the example fails config check: exit %d\n%s%s", code, out, errOut)
	}
	// The rule_path line is commented out: the built-in pack's files load
	// as a rule_path too.
	rulesDir := filepath.Join(root, "etc/vaksam/rules")
	os.MkdirAll(rulesDir, 0o700)
	for _, name := range []string{"buyer.yaml", "care.yaml", "supplier.yaml"} {
		b, err := fs.ReadFile(defaultpack.FS(), name)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(rulesDir, name), b, 0o600)
	}
	withRules := strings.Replace(text, "# rule_path: ", "rule_path: ", 1)
	if withRules == text {
		t.Fatal("the example has no commented rule_path line")
	}
	os.WriteFile(cfg, []byte(withRules), 0o600)
	if code, out, errOut := run(t, "config", "check", "--config", cfg); code != exitOK {
		t.Errorf("the example with rule_path fails: exit %d\n%s%s", code, out, errOut)
	}
}

// The decoder reads what yaml.v3 reads: a valid file decodes to the same
// configuration both ways. (It also reads a bare 0 as a duration, which
// yaml.v3 refuses.)
func TestConfigDecoderMatchesYAML(t *testing.T) {
	path := filepath.Join(configData, "good.yaml")
	c, _, ps := settings.Read(path, nil)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	raw, _ := os.ReadFile(path)
	text := strings.Replace(string(raw), "check_timeout: 0\n", "check_timeout: 0s\n", 1)
	if text == string(raw) {
		t.Fatal("good.yaml no longer has check_timeout: 0")
	}
	var y settings.Config
	dec := yaml.NewDecoder(strings.NewReader(text))
	dec.KnownFields(true)
	if err := dec.Decode(&y); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*c, y) {
		t.Errorf("decoded\n%+v\nyaml.v3\n%+v", *c, y)
	}
}

// review.hearing_days, the least days a supplier is given to answer:
// left out (or null) it is 10; given, in the file or the environment, it
// must be a whole number of days, at least 1; the serve desk keeps it.
func TestConfigHearingDays(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, file, env string
		want            int    // the desk's minimum, when accepted
		Problem         string // else the problem
	}{
		{"left out", "log:\n  level: info\n", "", 10, ""},
		{"null", "review:\n  hearing_days:\n", "", 10, ""},
		{"14", "review:\n  hearing_days: 14\n", "", 14, ""},
		{"1", "review:\n  hearing_days: 1\n", "", 1, ""},
		{"0", "review:\n  hearing_days: 0\n", "", 0, ":2:17: review.hearing_days: want at least 1 day (the least time a supplier is given to answer), got 0"},
		{"negative", "review:\n  hearing_days: -3\n", "", 0, ":2:17: review.hearing_days: want at least 1 day (the least time a supplier is given to answer), got -3"},
		{"not a number", "review:\n  hearing_days: ten\n", "", 0, `:2:17: review.hearing_days: want a whole number of days, got "ten"`},
		{"a duration", "review:\n  hearing_days: 240h\n", "", 0, `:2:17: review.hearing_days: want a whole number of days, got "240h"`},
		{"from the environment", "review:\n  hearing_days: 14\n", "21", 21, ""},
		{"0 from the environment", "log:\n  level: info\n", "0", 0, "$VAKSAM_REVIEW_HEARING_DAYS: review.hearing_days: want at least 1 day"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("VAKSAM_REVIEW_HEARING_DAYS", tc.env)
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".yaml")
			if err := os.WriteFile(path, []byte(tc.file), 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := settings.Load(path)
			if tc.Problem != "" {
				if err == nil || !strings.Contains(err.Error(), tc.Problem) {
					t.Fatalf("error %v, want %q", err, tc.Problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := service.NewDesk(c.Review, nil, nil).HearingMinimum(); got != tc.want {
				t.Errorf("desk minimum %d, want %d", got, tc.want)
			}
		})
	}
	// config show fills in the default.
	path := filepath.Join(dir, "left-out.yaml")
	t.Setenv("VAKSAM_REVIEW_HEARING_DAYS", "")
	if code, out, errOut := run(t, "config", "show", "--config", path); code != exitOK || !strings.Contains(out, "review:\n  hearing_days: 10\n") {
		t.Errorf("config show: exit %d\n%s%s", code, out, errOut)
	}
}
