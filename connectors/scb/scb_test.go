package scb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/synthetic"
)

var t0 = time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)

const sampleFile = "../formats/testdata/scb-hamtaforetag.json"

type env struct {
	pki   *PKI
	fake  *Fake
	clock *connectors.ManualClock
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clock := connectors.NewManualClock(t0)
	t.Cleanup(clock.AutoAdvance())
	pki, err := NewPKI(t.TempDir(), PKIOptions{Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	fake, err := NewFake(FakeOptions{PKI: pki, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	return &env{pki: pki, fake: fake, clock: clock}
}

// client returns a client with the PKCS#12 certificate; edit changes the
// configuration first.
func (e *env) client(t *testing.T, edit func(*Config)) *Client {
	t.Helper()
	cfg := e.fake.ClientConfig(e.pki)
	if edit != nil {
		edit(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func orgs(n int) []ident.Org {
	out := make([]ident.Org, n)
	for i := range out {
		d9 := fmt.Sprintf("559%06d", i)
		out[i] = ident.MustOrg(d9 + string(ident.LuhnDigit(d9)))
	}
	return out
}

func putCompanies(t *testing.T, f *Fake, os []ident.Org) {
	t.Helper()
	for i, o := range os {
		c := Company{Org: o, Name: fmt.Sprintf("Bolag %d AB", i), Street: "Storgatan 1", PostNr: "21120", PostOrt: "Malmö",
			Kommun: "1280", KommunNamn: "Malmö", FSkatt: 1, Moms: 1, Employer: 1, SizeClass: 3, SNI: []string{"87901"},
			Start: t0.AddDate(-3, 0, 0), Registered: t0.AddDate(-3, 0, 2)}
		if err := f.PutCompany(c); err != nil {
			t.Fatal(err)
		}
	}
}

func rowsOf(t *testing.T, body []byte) []map[string]string {
	t.Helper()
	var rows []map[string]string
	if err := json.Unmarshal(body, &rows); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	return rows
}

func loadSample(t *testing.T, f *Fake) {
	t.Helper()
	data, err := os.ReadFile(sampleFile)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := f.PutRows(data); err != nil || n == 0 {
		t.Fatalf("sample: %d rows, %v", n, err)
	}
}

func openStore(t *testing.T) (*store.Store, *ingest.Ingester, record.Pseudonymizer) {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	persons, err := record.NewHMACPseudonymizer([]byte("scb tests: not a secret"))
	if err != nil {
		t.Fatal(err)
	}
	return st, &ingest.Ingester{Store: st}, persons
}

func ingestFetched(t *testing.T, in *ingest.Ingester, persons record.Pseudonymizer, f connectors.Fetched, at time.Time) ingest.Counts {
	t.Helper()
	c, err := in.Reader(context.Background(), bytes.NewReader(f.Body), ingest.Job{Source: f.Source, Name: f.Name, Observed: at, Persons: persons})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPEMAndPKCS12BothWork(t *testing.T) {
	e := newEnv(t)
	loadSample(t, e.fake)
	org := ident.MustOrg("5591234561")
	for name, edit := range map[string]func(*Config){
		"pkcs12": func(c *Config) { c.BatchSize = 2 },
		"pem": func(c *Config) {
			c.PKCS12File, c.PKCS12Password = "", ""
			c.CertFile, c.KeyFile = e.pki.ClientCertFile, e.pki.ClientKeyFile
			c.BatchSize = 2
		},
	} {
		t.Run(name, func(t *testing.T) {
			c := e.client(t, edit)
			got, err := c.FetchBatch(context.Background(), []ident.Org{org, ident.MustOrg("5560021361")})
			if err != nil {
				t.Fatal(err)
			}
			if got.Source != "scb" || got.Name == "" {
				t.Errorf("fetched %q %q", got.Source, got.Name)
			}
			rows := rowsOf(t, got.Body)
			if len(rows) != 1 || rows[0]["OrgNr"] != "5591234561" || rows[0]["PeOrgNr"] != "165591234561" {
				t.Errorf("rows %v: want the known organisation only (the unknown one absent)", rows)
			}
		})
	}
}

func TestCertificateFromAnotherCAIsATLSError(t *testing.T) {
	e := newEnv(t)
	other, err := NewPKI(t.TempDir(), PKIOptions{Now: t0, Name: "other"})
	if err != nil {
		t.Fatal(err)
	}
	c := e.client(t, func(c *Config) {
		c.PKCS12File, c.PKCS12Password = other.ClientPKCS12File, other.PKCS12Password
		c.Retries = 1
	})
	_, err = c.FetchBatch(context.Background(), orgs(1))
	var te *TLSError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "TLS") {
		t.Fatalf("error %v, want a TLS error", err)
	}
	t.Logf("another CA: %v", err)
	if s := e.fake.Stats(); s.Calls != 0 {
		t.Errorf("fake answered %d calls to an unknown certificate", s.Calls)
	}
	// And a server the client does not trust.
	c = e.client(t, func(c *Config) { c.CAFile = other.CAFile; c.Retries = 1 })
	if _, err := c.FetchBatch(context.Background(), orgs(1)); !errors.As(err, &te) {
		t.Errorf("untrusted server: %v, want a TLS error", err)
	}
}

func TestCertificateLoadErrors(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	expiredPEM, expiredKey, expiredP12 := filepath.Join(dir, "old.pem"), filepath.Join(dir, "old-key.pem"), filepath.Join(dir, "old.p12")
	if _, err := e.pki.IssueClient("expired", t0.AddDate(-2, 0, 0), t0.AddDate(0, 0, -1), expiredPEM, expiredKey, expiredP12); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "garbage.p12")
	os.WriteFile(garbage, []byte("not a pkcs12 file"), 0o600)
	missing := filepath.Join(dir, "missing.p12")
	base := Config{BaseURL: e.fake.URL(), CAFile: e.pki.CAFile, Clock: e.clock}
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want []string
	}{
		{"wrong password", func(c *Config) { c.PKCS12File, c.PKCS12Password = e.pki.ClientPKCS12File, "wrong" },
			[]string{e.pki.ClientPKCS12File, "wrong password"}},
		{"missing p12", func(c *Config) { c.PKCS12File, c.PKCS12Password = missing, "x" }, []string{missing, "no such file"}},
		{"not pkcs12", func(c *Config) { c.PKCS12File, c.PKCS12Password = garbage, "x" }, []string{garbage, "not a PKCS#12 file"}},
		{"expired p12", func(c *Config) { c.PKCS12File, c.PKCS12Password = expiredP12, e.pki.PKCS12Password },
			[]string{expiredP12, "expired on 2026-11-20"}},
		{"expired pem", func(c *Config) { c.CertFile, c.KeyFile = expiredPEM, expiredKey }, []string{expiredPEM, "expired"}},
		{"key of another certificate", func(c *Config) { c.CertFile, c.KeyFile = e.pki.ClientCertFile, expiredKey },
			[]string{e.pki.ClientCertFile, expiredKey}},
		{"missing key", func(c *Config) { c.CertFile = e.pki.ClientCertFile }, []string{"KeyFile"}},
		{"none", func(c *Config) {}, []string{"no client certificate"}},
		{"both", func(c *Config) {
			c.CertFile, c.KeyFile, c.PKCS12File = e.pki.ClientCertFile, e.pki.ClientKeyFile, e.pki.ClientPKCS12File
		}, []string{"not both"}},
		{"missing CA", func(c *Config) {
			c.PKCS12File, c.PKCS12Password, c.CAFile = e.pki.ClientPKCS12File, e.pki.PKCS12Password, missing
		},
			[]string{"CA bundle", missing}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base
			tc.edit(&cfg)
			_, err := New(cfg)
			if err == nil {
				t.Fatal("no error")
			}
			t.Logf("%v", err)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	if s := e.fake.Stats(); s.Calls != 0 {
		t.Errorf("%d calls reached the server", s.Calls)
	}
}

func TestCertificateExpiringWhileRunningStopsRequests(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, nil)
	e.clock.Set(c.Certificate().NotAfter.Add(time.Hour))
	_, err := c.FetchBatch(context.Background(), orgs(1))
	if err == nil || !strings.Contains(err.Error(), "expired") || !strings.Contains(err.Error(), e.pki.ClientPKCS12File) {
		t.Fatalf("error %v, want expired naming the file", err)
	}
	if s := e.fake.Stats(); s.Calls != 0 {
		t.Errorf("%d calls reached the server", s.Calls)
	}
}

func TestSplitsIntoCallsOfAtMost2000(t *testing.T) {
	e := newEnv(t)
	all := orgs(2500)
	putCompanies(t, e.fake, all)
	c := e.client(t, func(c *Config) { c.BatchSize = MaxBatch })
	var got []connectors.Fetched
	err := c.FetchAll(context.Background(), append(all, all[:10]...), func(f connectors.Fetched) error {
		got = append(got, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if s := e.fake.Stats(); len(got) != 2 || fmt.Sprint(s.Batches) != "[2000 500]" {
		t.Fatalf("%d answers, batches %v; want 2 calls of 2000 and 500", len(got), s.Batches)
	}
	seen := map[string]bool{}
	for _, f := range got {
		for _, r := range rowsOf(t, f.Body) {
			seen[r["OrgNr"]] = true
		}
	}
	if len(seen) != 2500 {
		t.Errorf("%d organisations in the answers, want 2500", len(seen))
	}
	// One call of more than 2000 is refused by the client...
	if _, err := c.FetchBatch(context.Background(), append(all[:2000:2000], orgs(2501)[2500])); err == nil || !strings.Contains(err.Error(), "at most 2000") {
		t.Errorf("2001 organisations: %v", err)
	}
	// ...and by the server, with 400.
	q := NewQuery(orgs(2001))
	body, _ := json.Marshal(q)
	_, err = c.HTTP().Do(context.Background(), connectors.Request{Method: "POST", URL: e.fake.URL() + Endpoint, Body: body, ContentType: "application/json"})
	var he *connectors.HTTPError
	if !errors.As(err, &he) || he.Status != http.StatusBadRequest || !strings.Contains(he.Body, "2000") {
		t.Errorf("server given 2001: %v, want HTTP 400", err)
	}
}

func TestRateLimitTenPerTenSecondsWithout429(t *testing.T) {
	e := newEnv(t)
	all := orgs(25)
	putCompanies(t, e.fake, all)
	c := e.client(t, nil)
	start := e.clock.Now()
	for _, o := range all {
		if _, err := c.FetchBatch(context.Background(), []ident.Org{o}); err != nil {
			t.Fatal(err)
		}
	}
	if d := e.clock.Now().Sub(start); d < 24*time.Second || d > 25*time.Second {
		t.Errorf("25 calls took %v of clock time, want 24 s (one a second, never more than 10 in 10 s)", d)
	}
	if s := e.fake.Stats(); s.TooMany != 0 || s.OK != 25 {
		t.Errorf("stats %+v: want 25 answers and no 429", s)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	e := newEnv(t)
	all := orgs(15)
	putCompanies(t, e.fake, all)
	c := e.client(t, func(c *Config) { c.Limit = rate.NewLimiter(rate.Inf, 0) }) // a client that does not limit itself
	start := e.clock.Now()
	for _, o := range all {
		if _, err := c.FetchBatch(context.Background(), []ident.Org{o}); err != nil {
			t.Fatal(err)
		}
	}
	s := e.fake.Stats()
	if s.OK != 15 || s.TooMany != 5 {
		t.Errorf("stats %+v: want 15 answers after exactly 5 429s (each retried after Retry-After)", s)
	}
	if d := e.clock.Now().Sub(start); d < 5*time.Second {
		t.Errorf("took %v of clock time, want ≥ 5 s of Retry-After", d)
	}
}

func TestServerErrorsAreRetried(t *testing.T) {
	e := newEnv(t)
	putCompanies(t, e.fake, orgs(1))
	c := e.client(t, nil)
	e.fake.FailNext(3, http.StatusBadGateway)
	got, err := c.FetchBatch(context.Background(), orgs(1))
	if err != nil {
		t.Fatal(err)
	}
	if len(rowsOf(t, got.Body)) != 1 {
		t.Errorf("body %s", got.Body)
	}
	if s := e.fake.Stats(); s.ServerErrors != 3 || s.OK != 1 {
		t.Errorf("stats %+v", s)
	}
	// More failures than retries: the error says so.
	e.fake.FailNext(10, http.StatusServiceUnavailable)
	_, err = c.FetchBatch(context.Background(), orgs(1))
	var he *connectors.HTTPError
	if !errors.As(err, &he) || he.Status != 503 {
		t.Errorf("error %v, want HTTP 503 after the retries", err)
	}
	e.fake.FailNext(0, 0)
}

func TestSlowAnswersTakeClockTime(t *testing.T) {
	e := newEnv(t)
	putCompanies(t, e.fake, orgs(1))
	c := e.client(t, nil)
	e.fake.SetSlow(20 * time.Second)
	start := e.clock.Now()
	if _, err := c.FetchBatch(context.Background(), orgs(1)); err != nil {
		t.Fatal(err)
	}
	if d := e.clock.Now().Sub(start); d < 20*time.Second {
		t.Errorf("slow answer took %v of clock time", d)
	}
}

func TestMalformedJSONIsQuarantinedOnIngest(t *testing.T) {
	e := newEnv(t)
	all := orgs(3)
	putCompanies(t, e.fake, all)
	c := e.client(t, func(c *Config) { c.BatchSize = len(all) })
	st, in, persons := openStore(t)
	e.fake.MalformedNext(1)
	bad, err := c.FetchBatch(context.Background(), all)
	if err != nil {
		t.Fatal(err)
	}
	if json.Valid(bad.Body) {
		t.Fatalf("body is valid JSON: %s", bad.Body)
	}
	counts := ingestFetched(t, in, persons, bad, e.clock.Now())
	if counts.Quarantined != 1 || counts.New >= 3 {
		t.Fatalf("counts %+v: want the cut row quarantined, rows before it kept", counts)
	}
	q, err := st.Quarantined(record.SCB)
	if err != nil || len(q) != 1 || !strings.HasPrefix(q[0].Pos, bad.Name+":") {
		t.Fatalf("quarantine %+v, %v: want one entry positioned in request %s", q, err, bad.Name)
	}
	// The next answer is whole again.
	good, err := c.FetchBatch(context.Background(), all)
	if err != nil {
		t.Fatal(err)
	}
	counts = ingestFetched(t, in, persons, good, e.clock.Now())
	if counts.Quarantined != 0 || counts.Records() != 3 {
		t.Errorf("counts %+v, want 3 records", counts)
	}
}

// A fetched row ingests exactly as the same row in an imported file.
func TestFetchedRowsIngestLikeTheSampleFile(t *testing.T) {
	e := newEnv(t)
	loadSample(t, e.fake)
	c := e.client(t, nil)
	got, err := c.FetchBatch(context.Background(), []ident.Org{ident.MustOrg("5591234561")})
	if err != nil {
		t.Fatal(err)
	}
	at := e.clock.Now()
	stA, inA, persons := openStore(t)
	if n := ingestFetched(t, inA, persons, got, at); n.New != 1 || n.Quarantined != 0 {
		t.Fatalf("fetched: %+v", n)
	}
	stB, inB, _ := openStore(t)
	if n, err := inB.File(context.Background(), sampleFile, ingest.Job{Source: record.SCB, Observed: at, Persons: persons}); err != nil || n.New != 1 {
		t.Fatalf("file: %+v, %v", n, err)
	}
	a, errA := stA.Subject("5591234561", store.ScanOptions{At: at, Raw: true})
	b, errB := stB.Subject("5591234561", store.ScanOptions{At: at, Raw: true})
	if errA != nil || errB != nil || len(a) != 1 || len(b) != 1 || a[0].Current == nil || b[0].Current == nil {
		t.Fatalf("%v %v / %v %v", a, errA, b, errB)
	}
	va, vb := a[0].Current, b[0].Current
	if a[0].ID != b[0].ID || va.Hash != vb.Hash || !bytes.Equal(va.Parsed, vb.Parsed) || !bytes.Equal(va.Raw, vb.Raw) {
		t.Errorf("fetched and imported differ:\n%s %s\n%s %s", va.Parsed, va.Raw, vb.Parsed, vb.Raw)
	}
	var ts record.TaxStatus
	if err := json.Unmarshal(va.Parsed, &ts); err != nil {
		t.Fatal(err)
	}
	if ts.FSkatt != 1 || ts.Employer != 1 || ts.Moms != 0 || ts.SizeClass != 3 || ts.CompanyStatus != "20" || ts.JuridiskForm != "49" ||
		fmt.Sprint(ts.SNI) != "[87901]" || ts.Address.City != "UMEÅ" {
		t.Errorf("parsed %+v", ts)
	}
	if !strings.HasPrefix(va.Pos, got.Name+":") {
		t.Errorf("position %q, want the request id %s", va.Pos, got.Name)
	}
}

// The fake serves engine/synthetic's population, and every row fetched
// ingests cleanly.
func TestSyntheticPopulation(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	man, err := synthetic.Generate(dir, synthetic.Config{Seed: 7, Orgs: 300, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	// Every organisation has a row, but those SCB does not know.
	want := man.Orgs
	for _, c := range man.RealFormat {
		if c.Kind == synthetic.KindSCBOnly {
			want--
		}
	}
	n, err := e.fake.LoadSynthetic(dir)
	if err != nil || n != want {
		t.Fatalf("loaded %d, %v; want %d", n, err, want)
	}
	held := e.fake.Orgs()
	c := e.client(t, nil)
	_, in, persons := openStore(t)
	var total ingest.Counts
	err = c.FetchAll(context.Background(), held, func(f connectors.Fetched) error {
		total.Add(ingestFetched(t, in, persons, f, e.clock.Now()))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if total.New != len(held) || total.Quarantined != 0 {
		t.Errorf("counts %+v for %d organisations", total, len(held))
	}
}

func TestCompanyRowHasSCBQuirks(t *testing.T) {
	row := Company{Org: ident.MustOrg("5591234561"), Name: "X AB", SizeClass: 3, FSkatt: 9}.Row()
	var m map[string]string
	if err := json.Unmarshal(row, &m); err != nil {
		t.Fatal(err)
	}
	if m["PeOrgNr"] != "165591234561" || m["Stkl, kod"] != "3 " || m["Fskattstatus, kod"] != "9" || m["Fskattstatus"] != "Är avregistrerad för F-skatt" {
		t.Errorf("row %s", row)
	}
	if got := Batches(orgs(5), 2); len(got) != 3 || len(got[2]) != 1 {
		t.Errorf("batches %v", got)
	}
}
