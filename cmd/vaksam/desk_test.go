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
	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
)

// openAlert reads the sample supplier's open alert from the data
// directory's store, nil when it has none.
func openAlert(t *testing.T, data string) *review.Alert {
	t.Helper()
	st, err := openStore(data, fromFlag)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	al, err := (&review.Desk{Store: st}).OpenAlert(sampleOrg)
	if err != nil {
		t.Fatal(err)
	}
	return al
}

// Every command that stores assessments stores them through the review
// desk: the sample supplier, at L3, screened and saved by `vaksam screen`
// or re-screened by `vaksam fetch`, has its alert open at once, and a
// `vaksam serve` after it publishes the alert and keeps it open. (Saved
// without the desk, the result was stored while no alert followed it, and
// serve, finding the result unchanged, never opened one.)
func TestCommandsSaveThroughTheDesk(t *testing.T) {
	for _, tc := range []struct {
		name string
		save func(t *testing.T, data string, clock *connectors.ManualClock)
	}{
		{"screen", func(t *testing.T, data string, _ *connectors.ManualClock) {
			if code, out, errOut := run(t, "screen", "--data", data, "--at", serveNow.Format(time.RFC3339), sampleOrg); code != exitOK ||
				!strings.Contains(out, "step L3") {
				t.Fatalf("screen: exit %d\n%s%s", code, out, errOut)
			}
		}},
		{"fetch", func(t *testing.T, data string, clock *connectors.ManualClock) {
			// A new Kronofogden extract dropped in the inbox: fetch
			// ingests it and re-screens the supplier.
			dir := t.TempDir()
			inbox := filepath.Join(dir, "inbox")
			if err := os.MkdirAll(filepath.Join(inbox, "kronofogden"), 0o750); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(inbox, "kronofogden", "kfm.jsonl"), kronofogdenLine("2026-11-21", 184500), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg := filepath.Join(dir, "vaksam.yaml")
			if err := os.WriteFile(cfg, []byte("sources:\n  inbox: "+inbox+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := runAt(t, clock, "fetch", "--data", data, "--config", cfg, "--once")
			if code != exitOK || !strings.Contains(out, "re-screened 559123-4561: step L3") {
				t.Fatalf("fetch: exit %d\n%s%s", code, out, errOut)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := sampleData(t)
			clock := connectors.NewManualClock(serveNow)
			t.Cleanup(clock.AutoAdvance())
			tc.save(t, data, clock)
			al := openAlert(t, data)
			if al == nil || al.Step != screening.L3 || al.State != review.Ny {
				t.Fatalf("after %s: alert %+v, want one open at L3", tc.name, al)
			}

			clock = connectors.NewManualClock(serveNow.Add(time.Hour))
			srv, url := serve(t, clock, data, "--nats-listen", "127.0.0.1:"+strconv.Itoa(freeTCPPort(t)))
			_, js := connect(t, url)
			lastEvent(t, js, bus.AlertStream, "vaksam.alert.opened."+sampleOrg, anyEvent)
			eventually(t, 10*time.Second, "serve screens the store", func() error {
				if !strings.Contains(srv.log.String(), "screened the store") {
					return errors.New("not yet")
				}
				return nil
			})
			if code := srv.stop(t); code != exitOK {
				t.Fatalf("serve: exit %d\n%s", code, srv)
			}
			if got := openAlert(t, data); got == nil || got.ID != al.ID || got.Step != screening.L3 {
				t.Errorf("after serve: alert %+v, want %s open at L3", got, al.ID)
			}
		})
	}
}
