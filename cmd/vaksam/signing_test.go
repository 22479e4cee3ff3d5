package main

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/settings"
	"github.com/vaksam/vaksam/engine/sign"
)

// `config signing-key` makes a key once and prints its public key; run
// again it keeps the file and prints the same key.
func TestConfigSigningKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "signing.pem")
	code, out, errOut := run(t, "config", "signing-key", "--out", path)
	if code != exitOK || !strings.Contains(errOut, "made") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	s, err := sign.LoadSigner(path)
	if err != nil {
		t.Fatal(err)
	}
	if out != sign.FormatPublicKey(s.PublicKey())+"\n" || !strings.Contains(errOut, "key id "+s.KeyID()) {
		t.Errorf("printed %q, %q; want the public key %s", out, errOut, sign.FormatPublicKey(s.PublicKey()))
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, %v", info.Mode(), err)
	}
	code, again, errOut := run(t, "config", "signing-key", "--out", path)
	if code != exitOK || again != out || !strings.Contains(errOut, "exists, kept") {
		t.Errorf("again: exit %d, %q %q; want the same key kept", code, again, errOut)
	}
	if code, _, errOut := run(t, "config", "signing-key"); code != exitUsage || !strings.Contains(errOut, "--out FILE") {
		t.Errorf("without --out: exit %d, %q", code, errOut)
	}
	notKey := filepath.Join(configData, "files", "secret")
	if code, _, errOut := run(t, "config", "signing-key", "--out", notKey); code != exitFailure || !strings.Contains(errOut, notKey) {
		t.Errorf("a file that is no key: exit %d, %q", code, errOut)
	}
}

// config check names the signing key in its summary.
func TestConfigCheckSummarySigning(t *testing.T) {
	code, out, errOut := run(t, "config", "check", "--config", filepath.Join(configData, "good.yaml"))
	want := "  signing:  ed25519:11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo= (key id 21fe31dfa154a261); check and watch also trust 1 more key\n"
	if code != exitOK || !strings.Contains(out, want) {
		t.Errorf("exit %d, want the line %q\n%s%s", code, want, out, errOut)
	}
}

// serve does not run without a key, and says how to make one; a key file
// that is no key is refused naming it.
func TestServeRefusesWithoutSigningKey(t *testing.T) {
	data := t.TempDir()
	notKey := filepath.Join(configData, "files", "secret")
	for _, tc := range []struct{ name, key, want string }{
		{"no key", "", "signing.key_file: not set"},
		{"not a key", notKey, "signing.key_file: signing key " + notKey + ": no PEM block"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(signingKeyEnv, tc.key)
			code, out, errOut := run(t, "serve", "--data", data, "--nats-listen", "127.0.0.1:"+strconv.Itoa(freeTCPPort(t)))
			if code != exitFailure || !strings.Contains(errOut, tc.want) || strings.Contains(out, "vaksam serving") {
				t.Errorf("exit %d, want 1 and %q\n%s%s", code, tc.want, out, errOut)
			}
		})
	}
	if !strings.Contains(settings.ErrNoSigningKey.Error(), "vaksam config signing-key --out FILE") {
		t.Errorf("the refusal does not say how to make a key: %v", settings.ErrNoSigningKey)
	}
}

// serve --demo makes its key in the data directory at the first start and
// signs with it at every later one.
func TestServeDemoMakesItsSigningKey(t *testing.T) {
	t.Setenv(signingKeyEnv, "")
	dir := filepath.Join(t.TempDir(), "demo")
	var keys []string
	for range 2 {
		clock := connectors.NewManualClock(serveNow)
		c := start(t, clock, "serve", "--demo", "--demo-orgs", "20", "--data", dir, "--http", "127.0.0.1:0",
			"--nats-listen", "127.0.0.1:"+strconv.Itoa(freeTCPPort(t)), "--screen-every", "0")
		eventually(t, 60*time.Second, "serve --demo prints its signing key", func() error {
			if code, ended := c.wait(0); ended {
				t.Fatalf("serve --demo ended with exit %d\n%s", code, c)
			}
			if signingLine.FindStringSubmatch(c.out.String()) == nil {
				return errors.New("no signing key line yet")
			}
			return nil
		})
		keys = append(keys, signingLine.FindStringSubmatch(c.out.String())[1])
		if code := c.stop(t); code != exitOK {
			t.Fatalf("serve --demo: exit %d\n%s", code, c)
		}
	}
	s, err := sign.LoadSigner(filepath.Join(dir, settings.DemoSigningKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if want := sign.FormatPublicKey(s.PublicKey()); keys[0] != want || keys[1] != want {
		t.Errorf("serve --demo printed %v, its key file holds %s", keys, want)
	}
	if info, err := os.Stat(filepath.Join(dir, settings.DemoSigningKeyFile)); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the demo's key file: %v, %v; want mode 0600", info.Mode(), err)
	}
}
