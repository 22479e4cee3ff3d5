package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vaksam/vaksam/connectors"
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
	srv, _ := serve(t, clock, data, "--nats", fmt.Sprintf("nats://127.0.0.1:%d", port), "--http", "127.0.0.1:0")
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
