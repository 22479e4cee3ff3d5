package bolagsverket

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
)

var t0 = time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)

// env is a fake and a client talking to it on one manual clock.
type env struct {
	t      *testing.T
	clock  *connectors.ManualClock
	fake   *Fake
	client *Client
}

type envOpt struct {
	manual bool // no AutoAdvance: the test moves the clock
	cfg    func(*Config)
	orgs   []ident.Org // served, besides the sample's 5591234561
}

func newEnv(t *testing.T, o envOpt) *env {
	t.Helper()
	clock := connectors.NewManualClock(t0)
	if !o.manual {
		t.Cleanup(clock.AutoAdvance())
	}
	data := NewFakeData()
	f, err := os.Open("testdata/bolagsverket-organisationer.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := data.AddResponses(f); err != nil {
		t.Fatal(err)
	}
	for _, org := range o.orgs {
		if err := data.AddOrganisation(sampleOrg(t, org)); err != nil {
			t.Fatal(err)
		}
	}
	docs, err := os.ReadFile("testdata/bolagsverket-dokumentlista.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := data.SetDokumentlista(ident.MustOrg("5591234561"), docs); err != nil {
		t.Fatal(err)
	}
	fake := NewFake(FakeConfig{Clock: clock, Data: data})
	t.Cleanup(fake.Close)
	cfg := Config{
		BaseURL:      fake.URL,
		TokenURL:     fake.TokenURL,
		ClientID:     fake.ClientID(),
		ClientSecret: fake.ClientSecret(),
		Clock:        clock,
		Timeout:      5 * time.Second,
	}
	if o.cfg != nil {
		o.cfg(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.HTTP().Jitter = func() float64 { return 0.5 }
	return &env{t: t, clock: clock, fake: fake, client: c}
}

// sampleOrg is the sample organisation with another number.
func sampleOrg(t *testing.T, org ident.Org) json.RawMessage {
	t.Helper()
	b, err := os.ReadFile("testdata/bolagsverket-organisationer.json")
	if err != nil {
		t.Fatal(err)
	}
	var resp struct{ Organisationer []json.RawMessage }
	if err := json.Unmarshal(b, &resp); err != nil || len(resp.Organisationer) != 1 {
		t.Fatalf("sample: %v", err)
	}
	return bytes.Replace(resp.Organisationer[0], []byte(`"5591234561"`), []byte(`"`+org.String()+`"`), 1)
}

// orgs returns n valid organisation numbers (aktiebolag, 5592…).
func orgs(n int) []ident.Org {
	out := make([]ident.Org, n)
	for i := range out {
		d9 := fmt.Sprintf("55920%04d", i)
		out[i] = ident.MustOrg(d9 + string(ident.LuhnDigit(d9)))
	}
	return out
}

func (e *env) fetch(org ident.Org) connectors.Fetched {
	e.t.Helper()
	got, err := e.client.Organisationer(context.Background(), org)
	if err != nil {
		e.t.Fatalf("fetch %s: %v", org, err)
	}
	return got
}

// testStore is a real Badger store in a temporary directory.
type testStore struct {
	t  *testing.T
	st *store.Store
	in *ingest.Ingester
}

func newStore(t *testing.T) *testStore {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{Small: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &testStore{t: t, st: st, in: &ingest.Ingester{Store: st}}
}

var persons, _ = record.NewHMACPseudonymizer([]byte("bolagsverket tests: not a secret"))

// ingest stores a fetched response as engine/ingest does a file's.
func (s *testStore) ingest(f connectors.Fetched, at time.Time) ingest.Counts {
	s.t.Helper()
	c, err := s.in.Reader(context.Background(), bytes.NewReader(f.Body), ingest.Job{
		Source: f.Source, Name: f.Name, Observed: at, Orgnr: f.Orgnr, Persons: persons,
	})
	if err != nil {
		s.t.Fatalf("ingest %s %s: %v", f.Source, f.Name, err)
	}
	return c
}

// record returns the stored record of source about org as of at.
func (s *testStore) record(source string, org ident.Org, at time.Time) store.Resolved {
	s.t.Helper()
	recs, err := s.st.Subject(org.String(), store.ScanOptions{At: at, Raw: true})
	if err != nil {
		s.t.Fatal(err)
	}
	for _, r := range recs {
		if r.ID.Source == source {
			return r
		}
	}
	s.t.Fatalf("no %s record about %s in %v", source, org, recs)
	return store.Resolved{}
}

func (s *testStore) company(org ident.Org, at time.Time) (record.Company, store.Resolved) {
	s.t.Helper()
	r := s.record(record.Bolagsverket, org, at)
	var c record.Company
	if r.Current != nil {
		if err := json.Unmarshal(r.Current.Parsed, &c); err != nil {
			s.t.Fatal(err)
		}
	}
	return c, r
}

func (s *testStore) quarantined(source string) []record.Quarantined {
	s.t.Helper()
	q, err := s.st.Quarantined(source)
	if err != nil {
		s.t.Fatal(err)
	}
	return q
}

// eventually polls cond until it holds or a real-time deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func contains(s string, subs ...string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}
