package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/demo"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/synthetic"
)

// /readyz fails, naming the store and why, while the store's directory
// cannot take a file (moved away here: tests run as root, whom a read-only
// mode does not stop), and is ready again when it can; each is logged
// once however often /readyz is asked.
func TestServeReadinessWhenTheStoreCannotWrite(t *testing.T) {
	data := sampleData(t)
	clock := connectors.NewManualClock(serveNow)
	port := freeTCPPort(t)
	startNATSServer(t, t.TempDir(), port)
	srv, _ := serve(t, clock, data, "--nats", fmt.Sprintf("nats://127.0.0.1:%d", port), "--nats-nkey", testKeyFile(t, vaksamKey), "--http", "127.0.0.1:0")
	base := webURL(t, srv)
	wantReady(t, base, "")

	dir := filepath.Join(data, "store")
	if err := os.Rename(dir, dir+".away"); err != nil {
		t.Fatal(err)
	}
	moved := true
	back := func() {
		if moved {
			if err := os.Rename(dir+".away", dir); err != nil {
				t.Fatal(err)
			}
			moved = false
		}
	}
	t.Cleanup(back) // before serve stops: the store closes when it can write
	for range 3 {
		rep := wantReady(t, base, "store")
		for _, c := range rep.Checks {
			if c.Name == "store" && !strings.Contains(c.Error, "directory: open "+filepath.Join(dir, ".vaksam-write-probe")+": no such file or directory") {
				t.Errorf("the store check says %q", c.Error)
			}
		}
	}
	back()
	wantReady(t, base, "")
	for _, msg := range []string{"store: writes failing", "store: writes succeed again"} {
		if n := strings.Count(srv.log.String(), msg); n != 1 {
			t.Errorf("%q logged %d times, want once", msg, n)
		}
	}
}

// demoChildArgs makes TestServeDemoChild run vaksam with these arguments
// (separated by newlines).
const demoChildArgs = "VAKSAM_DEMO_CHILD_ARGS"

// TestServeDemoChild is `vaksam` in a child process (this test binary
// again); it does nothing in a normal run.
func TestServeDemoChild(t *testing.T) {
	args := os.Getenv(demoChildArgs)
	if args == "" {
		return
	}
	a := &app{stdout: os.Stdout, stderr: os.Stderr, now: time.Now, clock: wallClock{}, log: slog.New(slog.NewTextHandler(os.Stderr, nil))}
	os.Exit(a.main(context.Background(), strings.Split(args, "\n")))
}

// A serve --demo killed while it fills the store leaves no completion
// marker; the next start builds the population again instead of serving
// the half-filled store, and marks it complete.
func TestServeDemoRebuildsAnInterruptedPopulation(t *testing.T) {
	data := filepath.Join(t.TempDir(), "demo")
	args := []string{"serve", "--demo", "--data", data, "--demo-orgs", "2000",
		"--nats-listen", "127.0.0.1:" + strconv.Itoa(freeTCPPort(t)), "--http", "127.0.0.1:0"}
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeDemoChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), demoChildArgs+"="+strings.Join(args, "\n"))
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	// Kill it a while after the store appears: 2000 suppliers take
	// seconds to ingest.
	eventually(t, 60*time.Second, "the demo store created", func() error {
		_, err := os.Stat(filepath.Join(data, "store"))
		return err
	})
	time.Sleep(300 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if _, err := os.Stat(filepath.Join(data, demo.Complete)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the population was complete before the kill (%v): nothing tested\n%s", err, out.String())
	}
	if strings.Contains(out.String(), "demo: 2000 synthetic suppliers") {
		t.Fatalf("the child finished its population before the kill:\n%s", out.String())
	}

	clock := connectors.NewManualClock(serveNow)
	srv, _ := serve(t, clock, data, args[1:]...)
	webURL(t, srv)
	if !strings.Contains(srv.out.String(), "demo: 2000 synthetic suppliers") {
		t.Errorf("the second start did not build the population:\n%s", srv)
	}
	if !strings.Contains(srv.log.String(), "demo: the synthetic population in the data directory is incomplete") {
		t.Errorf("the rebuild was not logged:\n%s", srv)
	}
	if code := srv.stop(t); code != exitOK {
		t.Fatalf("serve: exit %d\n%s", code, srv)
	}
	// A complete population is served as it is at the next start.
	srv, _ = serve(t, clock, data, args[1:]...)
	webURL(t, srv)
	if strings.Contains(srv.out.String(), "synthetic suppliers") || strings.Contains(srv.log.String(), "incomplete") {
		t.Errorf("the complete population was built again:\n%s", srv)
	}
	if code := srv.stop(t); code != exitOK {
		t.Fatalf("serve: exit %d\n%s", code, srv)
	}
	if b, err := os.ReadFile(filepath.Join(data, demo.Complete)); err != nil || !strings.HasPrefix(string(b), "2000 synthetic suppliers, ") {
		t.Fatalf("completion marker: %q, %v", b, err)
	}
	// Every file of the population is in the store, to the last.
	man, err := os.ReadFile(filepath.Join(data, "demo-files", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m synthetic.Manifest
	if err := json.Unmarshal(man, &m); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(data, "store"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, step := range m.Steps[len(m.Steps)-3:] {
		subjects, err := st.SourceSubjects(step.Source)
		if err != nil || len(subjects) == 0 {
			t.Errorf("no %s records (%s) in the rebuilt store: %v", step.Source, step.File, err)
		}
	}
	for _, p := range m.Planted {
		if recs, err := st.Subject(p.Orgnr, store.ScanOptions{At: serveNow}); err != nil || len(recs) == 0 {
			t.Errorf("planted supplier %s not in the rebuilt store: %v", p.Orgnr, err)
		}
	}
}

// A data directory whose store is no demo's (no demo files beside it) is
// refused by serve --demo, and its store left as it is.
func TestServeDemoRefusesAStoreOfItsOwn(t *testing.T) {
	data := sampleData(t)
	code, _, errOut := run(t, "serve", "--demo", "--data", data, "--demo-orgs", "100",
		"--nats-listen", "127.0.0.1:"+strconv.Itoa(freeTCPPort(t)), "--http", "127.0.0.1:0")
	if code != exitFailure || !strings.Contains(errOut, "holds a store but no demo files") {
		t.Fatalf("serve --demo on a deployment's data directory: exit %d, %s", code, errOut)
	}
	st, err := store.Open(filepath.Join(data, "store"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if subjects, err := st.SourceSubjects("bolagsverket"); err != nil || len(subjects) == 0 {
		t.Errorf("the store after the refusal: %d organisations from Bolagsverket, %v", len(subjects), err)
	}
}
