package service_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/service"
	"github.com/vaksam/vaksam/engine/settings"
)

// instantClock is a clock whose sleeps end at once.
type instantClock struct{ now time.Time }

func (c instantClock) Now() time.Time { return c.now }

func (c instantClock) Sleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// A file dropped in an inbox is imported by Once, and what it changed is
// re-screened through the Screening, each assessment told to Rescreened.
func TestFetcherInboxRescreens(t *testing.T) {
	scr, _, _, _ := setup(t)
	inbox := t.TempDir()
	if err := os.MkdirAll(filepath.Join(inbox, record.Naringsforbud), 0o700); err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile(filepath.Join(samples, "naringsforbud.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(inbox, record.Naringsforbud, "naringsforbud.jsonl"), body, 0o600); err != nil {
		t.Fatal(err)
	}
	persons, _ := record.NewHMACPseudonymizer([]byte("service tests: not a deployment secret"))
	var out bytes.Buffer
	var rescreened []*screening.Assessment
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	f := &service.Fetcher{Screening: scr, Persons: persons, Clock: instantClock{now}, Sources: settings.Sources{Inbox: inbox},
		Data: t.TempDir(), Out: &out, Rescreened: func(a *screening.Assessment) { rescreened = append(rescreened, a) }}
	if err := f.Setup(); err != nil {
		t.Fatal(err)
	}
	if err := f.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "inbox naringsforbud/naringsforbud.jsonl: ") {
		t.Errorf("output %q does not report the file", out.String())
	}
	if len(rescreened) == 0 {
		t.Fatal("nothing re-screened after the import")
	}
	for _, a := range rescreened {
		if !a.At.Equal(now) {
			t.Errorf("%s re-screened at %v, want %v", a.Orgnr, a.At, now)
		}
		if stored, err := scr.Screener.Assessments(a.Orgnr); err != nil || len(stored) == 0 {
			t.Errorf("%s: no assessment stored (%v)", a.Orgnr, err)
		}
	}
}
