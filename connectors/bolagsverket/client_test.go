package bolagsverket

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
)

var known = ident.MustOrg("5591234561")

func TestFetchAndIngestOrganisation(t *testing.T) {
	e := newEnv(t, envOpt{})
	if err := e.client.IsAlive(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := e.fetch(known)
	sample, _ := os.ReadFile("testdata/bolagsverket-organisationer.json")
	if got.Source != record.Bolagsverket || got.Name == "" || got.Orgnr != known || !jsonEqual(t, got.Body, sample) {
		t.Fatalf("fetched %s %q %s %s", got.Source, got.Name, got.Orgnr, got.Body)
	}
	st := newStore(t)
	if c := st.ingest(got, t0); c.New != 1 || c.Records() != 1 {
		t.Fatalf("counts %+v", c)
	}
	c, r := st.company(known, t0)
	if c.Name != "Omsorgshuset Norr AB" || c.NotFound || len(c.Proceedings) != 1 || r.Current.Pos != got.Name+":1" {
		t.Errorf("stored %+v at %s", c, r.Current.Pos)
	}

	docs, err := e.client.Dokumentlista(context.Background(), known)
	if err != nil || docs.Source != record.BolagsverketDokument || docs.Orgnr != known {
		t.Fatalf("dokumentlista %+v, %v", docs, err)
	}
	if n := st.ingest(docs, t0); n.New != 1 {
		t.Fatalf("dokument counts %+v", n)
	}
	var d record.Documents
	json.Unmarshal(st.record(record.BolagsverketDokument, known, t0).Current.Parsed, &d)
	if len(d.Documents) != 1 || !strings.HasPrefix(d.Documents[0].ID, "02f54e4f") {
		t.Errorf("documents %+v", d)
	}
	// An organisation without documents has an empty list.
	docs, err = e.client.Dokumentlista(context.Background(), ident.MustOrg("5560021361"))
	if err != nil || string(docs.Body) != `{"dokument":[]}` {
		t.Errorf("no documents: %s, %v", docs.Body, err)
	}
}

func TestFetchersAdaptTheClient(t *testing.T) {
	e := newEnv(t, envOpt{})
	for _, tc := range []struct {
		f      connectors.Fetcher
		source string
	}{{e.client.Organisations(), record.Bolagsverket}, {e.client.Documents(), record.BolagsverketDokument}} {
		got, err := tc.f.Fetch(context.Background(), known)
		if tc.f.Source() != tc.source || err != nil || got.Source != tc.source || got.Orgnr != known {
			t.Errorf("%s: %+v, %v", tc.source, got, err)
		}
	}
}

func TestTokenExpiredMidRunIsRenewedOnce(t *testing.T) {
	all := orgs(6)
	e := newEnv(t, envOpt{orgs: all})
	for _, org := range all[:3] {
		e.fetch(org)
	}
	e.fake.ExpireTokens()
	for _, org := range all[3:] {
		if got := e.fetch(org); !bytes.Contains(got.Body, []byte(org.String())) {
			t.Errorf("%s: %s", org, got.Body)
		}
	}
	s := e.fake.Stats()
	if s.TokenRequests != 2 || s.Unauthorized != 1 || s.OK != 6 {
		t.Errorf("stats %+v: want 2 token requests, one 401, 6 answers", s)
	}
}

func TestTokenExpiresOnTheFakesClock(t *testing.T) {
	e := newEnv(t, envOpt{})
	e.fetch(known)
	e.clock.Advance(2 * time.Hour) // the fake's token has expired; the client's cache does not know
	e.fetch(known)
	if s := e.fake.Stats(); s.TokenRequests != 2 || s.Unauthorized != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestTokenEndpointRefusals(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  func(*Config)
		want string
	}{
		{"wrong secret", func(c *Config) { c.ClientSecret = "fel" }, "invalid_client"},
		{"unknown scope", func(c *Config) { c.Scopes = []string{"vardefulla-datamangder:write"} }, "invalid_scope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, envOpt{cfg: func(c *Config) { tc.cfg(c); c.Retries = 1 }})
			_, err := e.client.Organisationer(context.Background(), known)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %s", err, tc.want)
			}
			if s := e.fake.Stats(); s.Requests != 0 || s.TokensIssued != 0 {
				t.Errorf("stats %+v: the API was called", s)
			}
		})
	}
}

func TestScopeIsChecked(t *testing.T) {
	e := newEnv(t, envOpt{cfg: func(c *Config) { c.Scopes = []string{ScopeRead} }})
	e.fetch(known)
	err := e.client.IsAlive(context.Background())
	var he *connectors.HTTPError
	if !errors.As(err, &he) || he.Status != http.StatusForbidden {
		t.Errorf("isalive without the ping scope: %v", err)
	}
}

func TestRetryAfterOn429(t *testing.T) {
	e := newEnv(t, envOpt{})
	e.fake.Force429(1, 30*time.Second)
	start := e.clock.Now()
	e.fetch(known)
	if waited := e.clock.Now().Sub(start); waited < 30*time.Second {
		t.Errorf("waited %v on the clock, want Retry-After's 30 s", waited)
	}
	if s := e.fake.Stats(); s.Forced429 != 1 || s.OK != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestServerErrorBursts(t *testing.T) {
	for _, tc := range []struct {
		name          string
		fail, status  int
		retries       int
		wantErr       bool
		wantRequested int
	}{
		{"3 failures then success", 3, http.StatusServiceUnavailable, 0, false, 4},
		{"502 once", 1, http.StatusBadGateway, 0, false, 2},
		{"more failures than retries", 10, http.StatusInternalServerError, 2, true, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, envOpt{cfg: func(c *Config) { c.Retries = tc.retries }})
			e.fake.FailNext(tc.fail, tc.status)
			got, err := e.client.Organisationer(context.Background(), known)
			if s := e.fake.Stats(); s.Requests != tc.wantRequested {
				t.Errorf("%d requests, want %d", s.Requests, tc.wantRequested)
			}
			if !tc.wantErr {
				if err != nil || len(got.Body) == 0 {
					t.Fatalf("%v", err)
				}
				return
			}
			var he *connectors.HTTPError
			if !errors.As(err, &he) || he.Status != tc.status || he.Problem == nil || he.Problem.RequestID != he.RequestID {
				t.Fatalf("error %v, want HTTP %d with the problem's requestId", err, tc.status)
			}
		})
	}
}

func TestSlowAnswersTimeOutAndAreRetried(t *testing.T) {
	e := newEnv(t, envOpt{cfg: func(c *Config) { c.Timeout = 50 * time.Millisecond }})
	e.fake.SlowNext(2, time.Minute)
	start := time.Now()
	e.fetch(known)
	if s := e.fake.Stats(); s.Requests != 3 || s.OK != 1 {
		t.Errorf("stats %+v: want two timed-out attempts, then an answer", s)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v of real time", d)
	}
}

func TestMalformedJSONIsQuarantinedAtTheRequestID(t *testing.T) {
	e := newEnv(t, envOpt{})
	e.fake.SetMalformed(known, true)
	st := newStore(t)
	for _, fetch := range []func(context.Context, ident.Org) (connectors.Fetched, error){e.client.Organisationer, e.client.Dokumentlista} {
		got, err := fetch(context.Background(), known)
		if err != nil {
			t.Fatalf("a 200 with broken JSON is not the client's error: %v", err)
		}
		if c := st.ingest(got, t0); c.Quarantined != 1 || c.New != 0 {
			t.Errorf("%s: counts %+v", got.Source, c)
		}
		q := st.quarantined(got.Source)
		if len(q) != 1 || q[0].Pos != got.Name+":1" {
			t.Errorf("%s: quarantined %+v, want one at %s:1", got.Source, q, got.Name)
		}
	}
	e.fake.SetMalformed(known, false)
	if c := st.ingest(e.fetch(known), t0.Add(time.Hour)); c.New != 1 {
		t.Errorf("repaired: %+v", c)
	}
}

func TestFelTypes(t *testing.T) {
	scbFields := []string{"juridiskForm", "verksamOrganisation", "naringsgrenOrganisation"}
	for _, tc := range []struct {
		name       string
		fields     []string
		typ        string
		anonymous  bool   // organisationsidentitet null
		want       string // notfound, kept, sourceerror, quarantined
		wantUnknwn []string
	}{
		{"finns ej in the name only", []string{"organisationsnamn"}, FelFinnsEj, false, "kept", []string{"name"}},
		{"finns ej at SCB's wrappers (a company SCB does not know yet)", scbFields, FelFinnsEj, false, "kept", []string{"active", "juridisk_form", "sni"}},
		{"finns ej at the organisation", []string{""}, FelFinnsEj, false, "notfound", nil},
		{"finns ej without identity", nil, "", true, "notfound", nil},
		{"source unavailable in an SCB field", []string{"juridiskForm"}, FelOtillgangligUppgiftskall, false, "sourceerror", nil},
		{"source unavailable without identity", []string{"organisationsnamn", "organisationsform"}, FelOtillgangligUppgiftskall, true, "sourceerror", nil},
		{"source unavailable at the organisation", []string{""}, FelOtillgangligUppgiftskall, false, "sourceerror", nil},
		{"timeout in the address", []string{"postadressOrganisation"}, FelTimeout, false, "sourceerror", nil},
		{"timeout at the organisation", []string{""}, FelTimeout, false, "sourceerror", nil},
		{"invalid request in a field", []string{"naringsgrenOrganisation"}, FelOgiltigBegaran, false, "quarantined", nil},
		{"invalid request at the organisation", []string{""}, FelOgiltigBegaran, false, "quarantined", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, envOpt{})
			for _, f := range tc.fields {
				if err := e.fake.SetFel(known, f, tc.typ); err != nil {
					t.Fatal(err)
				}
			}
			target := known
			if tc.anonymous {
				e.fake.SetWithoutIdentity(known, true)
				if tc.fields == nil {
					target = ident.MustOrg("5560021361") // not held by the fake
					e.fake.SetWithoutIdentity(target, true)
				}
			}
			got := e.fetch(target) // never the client's error
			if !bytes.Contains(got.Body, []byte(cmp.Or(tc.typ, FelFinnsEj))) {
				t.Fatalf("body %s lacks %s", got.Body, tc.typ)
			}
			if tc.anonymous && !bytes.Contains(got.Body, []byte(`"organisationsidentitet":null`)) {
				t.Fatalf("body %s has an identity", got.Body)
			}
			st := newStore(t)
			c := st.ingest(got, t0)
			switch tc.want {
			case "notfound":
				co, _ := st.company(target, t0)
				if c.New != 1 || !co.NotFound {
					t.Errorf("counts %+v, company %+v: want a NotFound fact", c, co)
				}
			case "kept":
				co, _ := st.company(target, t0)
				if c.New != 1 || co.NotFound || co.Form != "AB" || len(co.Proceedings) == 0 {
					t.Errorf("counts %+v, company %+v: want Bolagsverket's facts kept", c, co)
				}
				if got := slices.Sorted(maps.Keys(co.Unknown)); !slices.Equal(got, tc.wantUnknwn) {
					t.Errorf("unknown facts %v, want %v", got, tc.wantUnknwn)
				}
			case "sourceerror":
				_, r := st.company(target, t0)
				if c.SourceErrors != 1 || c.Quarantined != 0 || r.Current != nil || !strings.Contains(r.Error, tc.typ) {
					t.Errorf("counts %+v, record %+v: want a source error observation", c, r)
				}
			case "quarantined":
				q := st.quarantined(record.Bolagsverket)
				if c.Quarantined != 1 || len(q) != 1 || !strings.Contains(q[0].Reason, tc.typ) || q[0].Pos != got.Name+":1" {
					t.Errorf("counts %+v, quarantine %+v", c, q)
				}
			}
		})
	}
}

func TestSourceErrorKeepsThePreviousVersion(t *testing.T) {
	e := newEnv(t, envOpt{})
	st := newStore(t)
	st.ingest(e.fetch(known), t0)
	e.fake.SetFel(known, "verksamOrganisation", FelOtillgangligUppgiftskall)
	if c := st.ingest(e.fetch(known), t0.Add(time.Hour)); c.SourceErrors != 1 {
		t.Fatalf("counts %+v", c)
	}
	co, r := st.company(known, t0.Add(time.Hour))
	if co.Name != "Omsorgshuset Norr AB" || r.Error == "" || !r.LastSuccess.Equal(t0) {
		t.Errorf("company %+v, record %+v: want the old version, the error and the last success", co, r)
	}
}

func TestUnknownOrganisationIsA200LikeTheSample(t *testing.T) {
	e := newEnv(t, envOpt{})
	unknown := ident.MustOrg("5560021361")
	got := e.fetch(unknown)
	sample, _ := os.ReadFile("testdata/bolagsverket-organisationer-finns-ej.json")
	if !bytes.Equal(bytes.TrimSpace(got.Body), bytes.TrimSpace(sample)) {
		t.Errorf("body\n%s\nwant the sample\n%s", got.Body, sample)
	}
	st := newStore(t)
	if c := st.ingest(got, t0); c.New != 1 {
		t.Fatalf("counts %+v", c)
	}
	if co, _ := st.company(unknown, t0); !co.NotFound || co.Orgnr != unknown.String() {
		t.Errorf("company %+v", co)
	}
}

func TestBadCheckDigitIsAProblem(t *testing.T) {
	e := newEnv(t, envOpt{})
	_, err := e.client.post(context.Background(), "/organisationer", record.Bolagsverket, ident.Org{}, "5591234562")
	var he *connectors.HTTPError
	if !errors.As(err, &he) || he.Status != http.StatusBadRequest || he.Problem == nil {
		t.Fatalf("error %v, want an RFC 7807 400", err)
	}
	p := he.Problem
	if p.RequestID == "" || p.RequestID != he.RequestID || p.Instance != "/vardefulla-datamangder/v1/organisationer" ||
		p.Status != 400 || p.Timestamp == "" || p.Type == "" || !strings.Contains(p.Detail, "kontrollsiffra") {
		t.Errorf("problem %+v", p)
	}
	if !contains(err.Error(), "requestId "+p.RequestID, "kontrollsiffra") {
		t.Errorf("message %q lacks the requestId", err)
	}
	if s := e.fake.Stats(); s.Requests != 1 {
		t.Errorf("a 400 was retried: %+v", s)
	}

	// The fake's own answer, byte for byte: content type and fields.
	tok, err := e.client.tokens.tokenCtx(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", e.fake.URL+"/organisationer", strings.NewReader(`{"identitetsbeteckning":"5591234562"}`))
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var fields map[string]any
	json.NewDecoder(resp.Body).Decode(&fields)
	if resp.Header.Get("Content-Type") != "application/problem+json" || len(fields) != 7 {
		t.Errorf("%s %v", resp.Header.Get("Content-Type"), fields)
	}
	for _, k := range []string{"type", "instance", "status", "title", "detail", "timestamp", "requestId"} {
		if _, ok := fields[k]; !ok {
			t.Errorf("problem lacks %s: %v", k, fields)
		}
	}
}

func TestRateLimitIsRespected(t *testing.T) {
	all := orgs(120)
	e := newEnv(t, envOpt{orgs: all})
	start := e.clock.Now()
	for _, org := range all {
		e.fetch(org)
	}
	// At 60 a minute the first call goes at once and the 120th 119 s later.
	if d := e.clock.Now().Sub(start); d < 119*time.Second || d > 121*time.Second {
		t.Errorf("120 fetches took %v on the clock, want 119–121 s", d)
	}
	e.fetch(known)
	if d := e.clock.Now().Sub(start); d < 2*time.Minute {
		t.Errorf("121 fetches took %v, want at least 2 minutes", d)
	}
	if s := e.fake.Stats(); s.RateLimited != 0 || s.OK != 121 {
		t.Errorf("stats %+v: a well-behaved client was refused", s)
	}
}

func TestFakeEnforcesTheRateLimit(t *testing.T) {
	all := orgs(70)
	e := newEnv(t, envOpt{orgs: all, cfg: func(c *Config) { c.Limit = rate.NewLimiter(rate.Inf, 1) }})
	start := e.clock.Now()
	for _, org := range all {
		e.fetch(org)
	}
	s := e.fake.Stats()
	if s.RateLimited == 0 || s.OK != 70 {
		t.Errorf("stats %+v: want 429s for a client without a limiter, and every fetch done", s)
	}
	if d := e.clock.Now().Sub(start); d < time.Minute {
		t.Errorf("70 fetches took %v, want at least the minute Retry-After asked", d)
	}
}

func TestCancellationStopsPromptly(t *testing.T) {
	for _, tc := range []struct {
		name   string
		manual bool
		setup  func(*env)
		ready  func(*env) bool
	}{
		{"waiting for a slow answer", false,
			func(e *env) { e.fake.SetDelay(time.Hour) },
			func(e *env) bool { return e.fake.Stats().Requests == 1 }},
		{"waiting for the rate limiter", true,
			func(e *env) { e.fetch(known) },
			func(e *env) bool { return e.clock.Sleepers() == 1 }},
		{"waiting out Retry-After", true,
			func(e *env) { e.fake.Force429(1, time.Hour) },
			func(e *env) bool { return e.clock.Sleepers() == 1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, envOpt{manual: tc.manual, cfg: func(c *Config) { c.Timeout = time.Hour }})
			tc.setup(e)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				_, err := e.client.Organisationer(ctx, known)
				done <- err
			}()
			eventually(t, "the fetch to wait", func() bool { return tc.ready(e) })
			cancelled := time.Now()
			cancel()
			select {
			case err := <-done:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("error %v, want context.Canceled", err)
				}
				if d := time.Since(cancelled); d > time.Second {
					t.Errorf("stopped %v after the cancel", d)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the fetch did not stop")
			}
		})
	}
}

func TestConcurrentFetchesShareTokenAndLimit(t *testing.T) {
	all := orgs(40)
	e := newEnv(t, envOpt{orgs: all})
	start := e.clock.Now()
	var wg sync.WaitGroup
	errs := make(chan error, len(all))
	for i, org := range all {
		if i == 20 {
			e.fake.ExpireTokens()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.client.Organisationer(context.Background(), org); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	s := e.fake.Stats()
	if s.RateLimited != 0 || s.OK != 40 || s.TokenRequests > 3 {
		t.Errorf("stats %+v", s)
	}
	if d := e.clock.Now().Sub(start); d < 39*time.Second {
		t.Errorf("40 concurrent fetches took %v on the clock: the limiter is not shared", d)
	}
}

func TestLoadFakeReadsTheSyntheticLayout(t *testing.T) {
	dir := t.TempDir()
	sample, _ := os.ReadFile("testdata/bolagsverket-organisationer.json")
	var compactSample bytes.Buffer
	json.Compact(&compactSample, sample)
	older := compactSample.String()
	newer := strings.Replace(older, "Omsorgshuset Norr AB", "Omsorgshuset Syd AB", 1)
	other := strings.Replace(older, "5591234561", "5560021361", 1)
	write := func(rel, body string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("bolagsverket/organisationer-2026-01-10.jsonl", older+"\n"+other+"\n")
	write("bolagsverket/organisationer-2026-11-19.jsonl", newer+"\n")
	docs, _ := os.ReadFile("testdata/bolagsverket-dokumentlista.json")
	write("bolagsverket-dokument/5591234561.json", string(docs))

	clock := connectors.NewManualClock(t0)
	t.Cleanup(clock.AutoAdvance())
	f, err := LoadFake(dir, FakeConfig{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := New(Config{BaseURL: f.URL, TokenURL: f.TokenURL, ClientID: f.ClientID(), ClientSecret: f.ClientSecret(), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	for org, want := range map[string]string{"5591234561": "Omsorgshuset Syd AB", "5560021361": "Omsorgshuset Norr AB"} {
		got, err := c.Organisationer(context.Background(), ident.MustOrg(org))
		if err != nil || !bytes.Contains(got.Body, []byte(want)) {
			t.Errorf("%s: %s, %v; want %s", org, got.Body, err, want)
		}
	}
	got, err := c.Dokumentlista(context.Background(), known)
	if err != nil || !jsonEqual(t, got.Body, docs) {
		t.Errorf("dokumentlista %s, %v", got.Body, err)
	}
}

func TestSoleTraderHasSeveralOrganisations(t *testing.T) {
	e := newEnv(t, envOpt{})
	// A personnummer (digits 3-4 below 20) with two businesses.
	d9 := "850709123"
	pnr := ident.MustOrg(d9 + string(ident.LuhnDigit(d9)))
	for _, lopnr := range []string{"1", "2"} {
		obj := bytes.Replace(sampleOrg(t, pnr), []byte(`"namnskyddslopnummer":null`), []byte(`"namnskyddslopnummer":"`+lopnr+`"`), 1)
		obj = bytes.Replace(obj, []byte(`"kod":"ORGNR","klartext":"Organisationsnummer"`), []byte(`"kod":"PERSON","klartext":"Personnummer"`), 1)
		if err := e.fake.AddOrganisation(obj); err != nil {
			t.Fatal(err)
		}
	}
	got := e.fetch(pnr)
	st := newStore(t)
	if c := st.ingest(got, t0); c.New != 2 {
		t.Errorf("counts %+v, want both businesses", c)
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}
