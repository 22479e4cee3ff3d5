package demo_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/demo"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/service"
	"github.com/vaksam/vaksam/engine/settings"
)

func options(data string) demo.Options {
	return demo.Options{Data: data, Orgs: 20, NATSKeys: true,
		Persons: func(data string) (record.Pseudonymizer, error) {
			return service.Pseudonymizer(filepath.Join(data, service.PseudonymKeyFile), true)
		},
		Clock: connectors.NewManualClock(time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC))}
}

// The first Prepare builds the population and marks it complete; the next
// serves it as it is. Each points the sources at the fake Bolagsverket,
// makes the demo users and the NATS keys, the consumer first.
func TestPrepare(t *testing.T) {
	data := filepath.Join(t.TempDir(), "demo")
	for i, built := range []bool{true, false} {
		cfg := &settings.Config{}
		d, err := demo.Prepare(context.Background(), options(data), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if d.Built != built || d.Data != data || (built && d.Records == 0) {
			t.Errorf("start %d: built %v, data %s, %d records", i+1, d.Built, d.Data, d.Records)
		}
		if b, err := os.ReadFile(filepath.Join(data, demo.Complete)); err != nil || !strings.HasPrefix(string(b), "20 synthetic suppliers, ") {
			t.Errorf("start %d: completion marker %q, %v", i+1, b, err)
		}
		if b := cfg.Sources.Bolagsverket; b == nil || !strings.HasPrefix(b.BaseURL, "http://127.0.0.1:") || b.ClientID.File == "" {
			t.Errorf("start %d: sources.bolagsverket %+v", i+1, b)
		}
		if len(d.Users) != 4 || d.Passwords[d.Users[0].ID] == "" {
			t.Errorf("start %d: users %v", i+1, d.Users)
		}
		users := d.NATSUsers()
		if len(d.NATS) != 2 || len(users) != 2 || users[0].Role != bus.RoleConsumer || users[1].Source != demo.IngestSource {
			t.Fatalf("start %d: NATS users %+v", i+1, users)
		}
		for _, c := range d.NATS {
			if info, err := os.Stat(c.File); err != nil || info.Mode().Perm() != 0o600 {
				t.Errorf("start %d: %s: %v, %v", i+1, c.File, info, err)
			}
		}
		d.Close()
	}
	if _, err := os.Stat(data); err != nil {
		t.Errorf("Close removed a data directory it was given: %v", err)
	}
}

// Without a data directory the demo makes a temporary one, which Close
// removes.
func TestPrepareTemporary(t *testing.T) {
	o := options("")
	o.NATSKeys = false
	d, err := demo.Prepare(context.Background(), o, &settings.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if !d.Built || len(d.NATS) != 0 {
		t.Errorf("built %v, NATS keys %v", d.Built, d.NATS)
	}
	d.Close()
	if _, err := os.Stat(d.Data); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the temporary data directory after Close: %v", err)
	}
}

// A data directory holding a store but no demo files is no demo's: it is
// refused and left as it is.
func TestPrepareRefusesAStoreOfItsOwn(t *testing.T) {
	data := t.TempDir()
	st, err := service.CreateStore(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	_, err = demo.Prepare(context.Background(), options(data), &settings.Config{})
	if err == nil || !strings.Contains(err.Error(), "holds a store but no demo files") {
		t.Fatalf("Prepare on a store of its own: %v", err)
	}
	if _, err := os.Stat(filepath.Join(data, "store")); err != nil {
		t.Errorf("the store after the refusal: %v", err)
	}
}

// The tour screens every organisation it generated; every real-format
// case is assessed as the rules say, and every indicator has planted
// cases.
func TestTour(t *testing.T) {
	at := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	tour, err := demo.Generate(t.TempDir(), 1, 100, at)
	if err != nil {
		t.Fatal(err)
	}
	defer tour.Close()
	c, err := tour.Ingest(context.Background())
	if err != nil || c.Quarantined != 0 || c.Records() == 0 {
		t.Fatalf("ingest: %+v, %v", c, err)
	}
	r, err := tour.Screen(context.Background(), at, nil, func(x *screening.Assessment) *screening.Assessment { return x })
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rows) < 100 || r.Stats.Screened != len(r.Rows) || r.Ruleset == "" {
		t.Errorf("%d rows, %d screened, ruleset %q", len(r.Rows), r.Stats.Screened, r.Ruleset)
	}
	if len(r.RealFormat) == 0 || r.AsRulesSay != len(r.RealFormat) {
		for _, row := range r.RealFormat {
			t.Logf("%s: %v", row.Case.Kind, row.Wrong)
		}
		t.Errorf("real-format cases as the rules say: %d/%d", r.AsRulesSay, len(r.RealFormat))
	}
	if len(r.Recall) == 0 || r.CleanTotal == 0 {
		t.Errorf("recall %+v, clean %d/%d", r.Recall, r.Clean, r.CleanTotal)
	}
}
