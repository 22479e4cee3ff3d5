package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/connectors/bolagsverket"
	"github.com/vaksam/vaksam/connectors/scb"
	"github.com/vaksam/vaksam/engine/synthetic"
)

// runAt runs a command on a manual clock that advances whenever the
// command waits (rate limits, retries), so nothing sleeps for real.
func runAt(t *testing.T, clock *connectors.ManualClock, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	a := &app{stdout: &out, stderr: &errOut, log: discardLogger(), now: clock.Now, clock: clock}
	code := a.main(context.Background(), args)
	return code, out.String(), errOut.String()
}

// `vaksam fetch --once` against fake Bolagsverket and SCB servers: the
// contracts dropped in the inbox make the watch list, every watched
// organisation is fetched from both authorities within their rate limits,
// ingested, and re-screened; `vaksam sources` then reports them fresh.
func TestFetchOnceAgainstFakeAuthorities(t *testing.T) {
	clock := connectors.NewManualClock(time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC))
	t.Cleanup(clock.AutoAdvance())
	pop := t.TempDir()
	man, err := synthetic.Generate(pop, synthetic.Config{Seed: 3, Orgs: 100, Now: clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	// SCB has no row for a company it does not know: its data stays
	// missing.
	unknownAtSCB := 0
	for _, c := range man.RealFormat {
		if c.Kind == synthetic.KindSCBOnly {
			unknownAtSCB++
		}
	}
	bv, err := bolagsverket.LoadFake(pop, bolagsverket.FakeConfig{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bv.Close)
	pki, err := scb.NewPKI(t.TempDir(), scb.PKIOptions{Now: clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	sf, err := scb.NewFake(scb.FakeOptions{PKI: pki, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sf.Close)
	if _, err := sf.LoadSynthetic(pop); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	secrets := filepath.Join(dir, "secrets")
	os.MkdirAll(secrets, 0o700)
	os.WriteFile(filepath.Join(secrets, "bv_id"), []byte("vaksam\n"), 0o600)
	os.WriteFile(filepath.Join(secrets, "bv_secret"), []byte("hemligt\n"), 0o600)
	t.Setenv("VAKSAM_TEST_SCB_PASSWORD", pki.PKCS12Password)
	inbox := filepath.Join(dir, "inbox")
	os.MkdirAll(filepath.Join(inbox, "contracts"), 0o750)
	contracts, err := os.ReadFile(filepath.Join(pop, "avtal.csv"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(inbox, "contracts", "avtal.csv"), contracts, 0o644)
	cfg := filepath.Join(dir, "vaksam.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`sources:
  bolagsverket:
    base_url: %s
    token_url: %s
    client_id: {file: %s}
    client_secret: {file: %s}
  scb:
    base_url: %s
    pkcs12_file: %s
    pkcs12_password: {env: VAKSAM_TEST_SCB_PASSWORD}
    ca_file: %s
  inbox: %s
`, bv.URL, bv.TokenURL, filepath.Join(secrets, "bv_id"), filepath.Join(secrets, "bv_secret"), sf.URL(), pki.ClientPKCS12File, pki.CAFile, inbox)), 0o644)
	data := filepath.Join(dir, "data")
	os.MkdirAll(data, 0o750) // fetch does not make one

	code, out, errOut := runAt(t, clock, "fetch", "--data", data, "--config", cfg, "--once")
	if code != exitOK || !strings.Contains(out, "inbox contracts/avtal.csv: done") || !strings.Contains(out, "re-screened") {
		t.Fatalf("fetch: exit %d\n%s%s", code, out, errOut)
	}
	var watched int
	for _, line := range strings.Split(out, "\n") {
		if n, err := fmt.Sscanf(line, "%d watched organisations", &watched); n == 1 && err == nil {
			break
		}
	}
	if watched == 0 {
		t.Fatalf("no organisation watched:\n%s", out)
	}
	if strings.Contains(out+errOut, "hemligt") || strings.Contains(out+errOut, pki.PKCS12Password) {
		t.Error("a credential appears in the output")
	}
	code, out, _ = runAt(t, clock, "sources", "--data", data, "--config", cfg)
	if code != exitOK {
		t.Fatalf("sources: exit %d", code)
	}
	for src, missing := range map[string]int{"bolagsverket": 0, "scb": unknownAtSCB} {
		want := fmt.Sprintf("%s  ", src)
		found := false
		for _, line := range strings.Split(out, "\n") {
			f := strings.Fields(line)
			if strings.HasPrefix(line, want) && len(f) > 5 && f[2] == fmt.Sprint(watched-missing) && f[5] == fmt.Sprint(missing) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s not fresh for all %d watched organisations but the %d it does not know:\n%s", src, watched, missing, out)
		}
	}
	// Run again at once: everything is fresh, nothing is fetched.
	calls := bv.Stats()
	code, _, errOut = runAt(t, clock, "fetch", "--data", data, "--config", cfg, "--once")
	if code != exitOK || bv.Stats() != calls {
		t.Errorf("a second pass refetched fresh data: exit %d, %+v -> %+v %s", code, calls, bv.Stats(), errOut)
	}
}
