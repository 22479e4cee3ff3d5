package service_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/service"
	"github.com/vaksam/vaksam/engine/settings"
	"github.com/vaksam/vaksam/engine/sign"
	"github.com/vaksam/vaksam/engine/store"
)

// freePort returns a TCP port nobody listens on (now).
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// testOptions are the options of a Vaksam on an empty data directory,
// on its embedded NATS server and a free HTTP port, with a key made for
// the test.
func testOptions(t *testing.T) service.Options {
	t.Helper()
	t.Setenv(settings.EnvConfig, "")
	cfg, err := settings.Load("")
	if err != nil {
		t.Fatal(err)
	}
	key, err := sign.WriteKeyFile(filepath.Join(t.TempDir(), "signing.pem"))
	if err != nil {
		t.Fatal(err)
	}
	return service.Options{Data: t.TempDir(), Config: cfg,
		NATS: settings.NATS{Listen: fmt.Sprintf("127.0.0.1:%d", freePort(t))}, HTTPAddr: "127.0.0.1:0",
		Signer: func() (*sign.Signer, error) { return key, nil },
		Persons: func(data string) (record.Pseudonymizer, error) {
			return service.Pseudonymizer(filepath.Join(data, service.PseudonymKeyFile), true)
		},
		BackupFiles:  func(string) (map[string][]byte, error) { return nil, nil },
		Clock:        connectors.NewManualClock(time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)),
		CheckTimeout: 2 * time.Second, Out: io.Discard}
}

// startVaksam opens and starts a Vaksam with o; stop stops it (and fails
// the test when that fails), else the test's end does.
func startVaksam(t *testing.T, o service.Options) (v *service.Vaksam, stop func()) {
	t.Helper()
	v, err := service.Open(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := v.Stop(context.Background()); err != nil {
				t.Errorf("stop: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	if err := v.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return v, stop
}

// A started Vaksam serves its web server and readiness, answers on its
// control socket and NATS, and once stopped holds nothing open: the store
// opens again and the control socket is gone. A second Stop does nothing.
func TestVaksamStartStop(t *testing.T) {
	o := testOptions(t)
	v, stop := startVaksam(t, o)
	e := v.Endpoints()
	if !strings.HasPrefix(e.Web, "http://127.0.0.1:") || !strings.HasPrefix(e.NATS, "nats://127.0.0.1:") ||
		e.NATSAccess != service.NATSNKeys || e.Data != o.Data || e.Signer == nil || e.SSOIssuer != "" {
		t.Fatalf("endpoints %+v", e)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(e.Web + "/readyz")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
			err = fmt.Errorf("%s: %s", resp.Status, b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready within 20s: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := os.Stat(service.ControlSocketPath(o.Data)); err != nil {
		t.Errorf("control socket: %v", err)
	}
	stop()
	if err := v.Stop(context.Background()); err != nil {
		t.Errorf("a second Stop: %v", err)
	}
	if _, err := os.Stat(service.ControlSocketPath(o.Data)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("control socket after Stop: %v", err)
	}
	st, err := store.Open(filepath.Join(o.Data, "store"), store.Options{})
	if err != nil {
		t.Fatalf("the store after Stop: %v", err)
	}
	st.Close()
}

// A signing key that cannot be read fails Open, which leaves the store
// closed; a NATS address that does not parse fails Start, and Stop
// closes what Open and Start opened.
func TestVaksamFailures(t *testing.T) {
	o := testOptions(t)
	o.Signer = func() (*sign.Signer, error) { return nil, errors.New("no key") }
	if _, err := service.Open(o); err == nil || err.Error() != "no key" {
		t.Fatalf("Open without a key: %v", err)
	}
	st, err := store.Open(filepath.Join(o.Data, "store"), store.Options{})
	if err != nil {
		t.Fatalf("the store after a failed Open: %v", err)
	}
	st.Close()

	o = testOptions(t)
	o.NATS.Listen = "127.0.0.1:not-a-port"
	v, err := service.Open(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "bad port") {
		t.Errorf("Start on a bad NATS address: %v", err)
	}
	if err := v.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	st, err = store.Open(filepath.Join(o.Data, "store"), store.Options{})
	if err != nil {
		t.Fatalf("the store after a failed Start: %v", err)
	}
	st.Close()
}

// Reload refuses a configuration that does not load, keeping what runs,
// and takes one that does.
func TestVaksamReload(t *testing.T) {
	o := testOptions(t)
	o.ConfigPath = filepath.Join(t.TempDir(), "vaksam.yaml")
	write := func(s string) {
		if err := os.WriteFile(o.ConfigPath, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	v, err := service.Open(o)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Stop(context.Background())
	write("screening:\n  scoring:\n    l2_scor: 25\n")
	if err := v.Reload(context.Background()); err == nil || !strings.Contains(err.Error(), "l2_scor") {
		t.Errorf("a reload of a configuration with an unknown key: %v", err)
	}
	write("screening:\n  scoring:\n    l2_score: 25\n")
	if err := v.Reload(context.Background()); err != nil {
		t.Errorf("a good reload: %v", err)
	}
}
