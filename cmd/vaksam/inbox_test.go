package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/service"
)

// The inboxes fetch makes for the file-drop sources hold register data:
// the account that runs Vaksam's alone (0700), as the inbox itself.
func TestFetchMakesPrivateInboxes(t *testing.T) {
	clock := connectors.NewManualClock(time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC))
	t.Cleanup(clock.AutoAdvance())
	dir := t.TempDir()
	inbox := filepath.Join(dir, "inbox")
	cfg := filepath.Join(dir, "vaksam.yaml")
	if err := os.WriteFile(cfg, []byte("sources:\n  inbox: "+inbox+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o750); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runAt(t, clock, "fetch", "--data", data, "--config", cfg, "--once"); code != exitOK {
		t.Fatalf("fetch: exit %d\n%s%s", code, out, errOut)
	}
	paths := []string{inbox}
	for _, s := range service.DropSources {
		paths = append(paths, filepath.Join(inbox, s))
	}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != 0o700 {
			t.Errorf("%s: mode %o, want 700", p, got)
		}
	}
}
