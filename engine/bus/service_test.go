package bus

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/micro"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/connectors/bolagsverket"
	"github.com/vaksam/vaksam/connectors/schedule"
	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/sanctions"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/watchlist"
)

// serviceHarness is a pre-award service on a real store, fetching from a
// fake Bolagsverket through the real connector and scheduler.
type serviceHarness struct {
	pop   *population
	nc    *nats.Conn
	fake  *bolagsverket.Fake
	clock *shiftedClock
	svc   micro.Service
}

// shiftedClock runs in real time from a chosen start, so that the
// connector's retry waits and the request deadlines agree; Advance jumps.
type shiftedClock struct {
	mu    sync.Mutex
	base  time.Time
	start time.Time
}

func newShiftedClock(base time.Time) *shiftedClock {
	return &shiftedClock{base: base, start: time.Now()}
}

func (c *shiftedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base.Add(time.Since(c.start))
}

func (c *shiftedClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.base = c.base.Add(d)
	c.mu.Unlock()
}

func (c *shiftedClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func newServiceHarness(t *testing.T, now time.Time, withRefresher bool) *serviceHarness {
	t.Helper()
	tn := startNATS(t)
	nc, _ := connectTest(t, tn.URL)
	pop := newPopulation(t, t.TempDir(), 150)
	h := &serviceHarness{pop: pop, nc: nc, clock: newShiftedClock(now)}
	ss := &ScreenService{Screener: pop.sc, Signer: testSigner, Now: h.clock.Now, Version: "1.0.0",
		Status: func() any { return OutboxStatus{Depth: pop.st.OutboxDepth()} }}
	if withRefresher {
		fake, err := bolagsverket.LoadFake(pop.files, bolagsverket.FakeConfig{Clock: h.clock})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(fake.Close)
		h.fake = fake
		client, err := bolagsverket.New(bolagsverket.Config{BaseURL: fake.URL, TokenURL: fake.TokenURL,
			ClientID: fake.ClientID(), ClientSecret: fake.ClientSecret(), Clock: h.clock})
		if err != nil {
			t.Fatal(err)
		}
		r := &schedule.Runner{Store: pop.st, Clock: h.clock, Persons: pop.persons,
			Planner:  schedule.NewPlanner(schedule.Config{Windows: map[string]time.Duration{record.Bolagsverket: 7 * 24 * time.Hour}}),
			Fetchers: map[string]connectors.Fetcher{record.Bolagsverket: client.Organisations()}}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { r.Run(ctx); close(done) }()
		t.Cleanup(func() { cancel(); <-done })
		ss.Refresher = r
	}
	svc, err := ss.Start(nc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Stop(); ss.Wait() }) // before the store closes
	h.svc = svc
	return h
}

// check sends a request and returns the reply's assessment, or the micro
// error code and description.
func (h *serviceHarness) check(t *testing.T, body string, wait time.Duration) (*screening.Assessment, string, string, time.Duration) {
	t.Helper()
	start := time.Now()
	msg, err := h.nc.Request(event.ScreenSubject, []byte(body), wait)
	took := time.Since(start)
	if err != nil {
		t.Fatalf("request %s: no answer within %s: %v", body, wait, err)
	}
	// Every reply, an answer or a refusal, is signed.
	if _, err := testKeys.Verify(event.ScreenSubject, msg.Header, msg.Data); err != nil {
		t.Errorf("request %s: reply %s %q: %v", body, msg.Header.Get(micro.ErrorCodeHeader), msg.Header.Get(micro.ErrorHeader), err)
	}
	if code := msg.Header.Get(micro.ErrorCodeHeader); code != "" {
		var a *screening.Assessment
		if msg.Header.Get(event.HeaderSchema) == event.ScreenReplySchema {
			a = new(screening.Assessment)
			if err := json.Unmarshal(msg.Data, a); err != nil {
				t.Fatal(err)
			}
		}
		return a, code, msg.Header.Get(micro.ErrorHeader), took
	}
	var a screening.Assessment
	if err := json.Unmarshal(msg.Data, &a); err != nil {
		t.Fatalf("reply %q: %v", msg.Data, err)
	}
	return &a, "", "", took
}

func TestScreenServiceRefusesBadInputNamingTheField(t *testing.T) {
	h := newServiceHarness(t, testNow, false)
	for _, tt := range []struct{ body, field string }{
		{`{"orgnr":"559123-4562","purpose":"award"}`, "orgnr"},  // wrong check digit
		{`{"orgnr":"202701011237","purpose":"award"}`, "orgnr"}, // a sole trader born after testNow
		{`{"orgnr":"196001010005","purpose":"award"}`, "orgnr"}, // serial number 000 is never issued
		{`{"orgnr":"abc","purpose":"award"}`, "orgnr"},
		{`{"purpose":"award"}`, "orgnr"},
		{`{"orgnr":"5591234561"}`, "purpose"},
		{`{"orgnr":"5591234561","purpose":"buy"}`, "purpose"},
		{`{"orgnr":"5591234561","purpose":"award","max_age":"soon"}`, "max_age"},
		{`{"orgnr":"5591234561","purpose":"award","timeout":"1h"}`, "timeout"},
		{`{"orgnr":"5591234561","purpose":"award","value_sek":-5}`, "value_sek"},
		{`{"orgnr":"5591234561","purpose":"award","value_sek":"many"}`, "value_sek"},
		{`{"orgnr":"5591234561","purpose":"award","category":"HVB barn"}`, "category"},
		{`{"orgnr":"5591234561","purpose":"award","colour":"red"}`, "colour"},
		{`not json`, "body"},
	} {
		_, code, desc, took := h.check(t, tt.body, 2*time.Second)
		if code != "400" || !strings.HasPrefix(desc, tt.field+": ") {
			t.Errorf("%s: got %q %q, want 400 naming %s", tt.body, code, desc, tt.field)
		}
		if took > time.Second {
			t.Errorf("%s: refused after %s", tt.body, took)
		}
	}
}

func TestScreenServiceAnswersFromTheStore(t *testing.T) {
	h := newServiceHarness(t, testNow, false)
	clean := h.pop.manifest.Clean[0]
	a, code, desc, _ := h.check(t, `{"orgnr":"`+clean+`","purpose":"award","category":"hvb_barn","value_sek":1200000}`, 5*time.Second)
	if code != "" {
		t.Fatalf("error %s %s", code, desc)
	}
	if a.Orgnr != clean || a.Verdict != screening.Clear || a.Incomplete || a.Purpose != screening.Award {
		t.Errorf("clean supplier: %s verdict %s incomplete %v purpose %q", a.Orgnr, a.Verdict, a.Incomplete, a.Purpose)
	}
	// The check was stored, and put the organisation on the watch list.
	stored, err := h.pop.sc.Assessments(clean)
	if err != nil || len(stored) == 0 || stored[len(stored)-1].Purpose != screening.Award {
		t.Errorf("stored assessments %v, %v", stored, err)
	}
	watched, err := h.pop.st.PreAwardSince(testNow.Add(-time.Hour), testNow.Add(time.Hour))
	if err != nil || !strings.Contains(strings.Join(watched, ","), clean) {
		t.Errorf("pre-award marks %v, %v", watched, err)
	}

	// An organisation Vaksam knows nothing of, with no way to fetch: what
	// is known, marked incomplete, never clear.
	a, code, _, _ = h.check(t, `{"orgnr":"556000-0167","purpose":"calloff"}`, 5*time.Second)
	if code != "" || !a.Unknown || !a.Incomplete || a.Verdict == screening.Clear {
		t.Errorf("unknown organisation: code %q, %+v", code, a)
	}

	// Stale data and no way to fetch: incomplete, not clear.
	a, code, _, _ = h.check(t, `{"orgnr":"`+clean+`","purpose":"award","max_age":"1h"}`, 5*time.Second)
	if code != "" || !a.Incomplete || a.Verdict == screening.Clear {
		t.Errorf("stale data: code %q, verdict %s incomplete %v", code, a.Verdict, a.Incomplete)
	}
}

func TestScreenServiceFetchesStaleDataWithinTheDeadline(t *testing.T) {
	now := testNow.Add(48 * time.Hour)
	setup := func(t *testing.T) (*serviceHarness, string) {
		h := newServiceHarness(t, now, true)
		// The extracts that arrive as files came today; only
		// Bolagsverket's data is older than a day.
		h.pop.reingest(t, now, record.Bolagsverket, record.BolagsverketBulk)
		return h, h.pop.manifest.Clean[0]
	}
	t.Run("fetched fresh", func(t *testing.T) {
		h, clean := setup(t)
		a, code, desc, _ := h.check(t, `{"orgnr":"`+clean+`","purpose":"award","max_age":"24h"}`, 5*time.Second)
		if code != "" {
			t.Fatalf("error %s %s", code, desc)
		}
		if a.Incomplete || a.Verdict != screening.Clear {
			t.Errorf("after a fresh fetch: verdict %s incomplete %v missing %+v reasons %v", a.Verdict, a.Incomplete, a.Missing, a.Reasons)
		}
		if n := h.fake.Stats().OK; n == 0 {
			t.Error("Bolagsverket was not asked")
		}
	})
	t.Run("source failing", func(t *testing.T) {
		h, clean := setup(t)
		h.fake.FailNext(1000, 503)
		a, code, desc, took := h.check(t, `{"orgnr":"`+clean+`","purpose":"award","max_age":"24h","timeout":"1s"}`, 5*time.Second)
		if code != "" || a == nil {
			t.Fatalf("failed fetch: error %q %s, want an incomplete assessment", code, desc)
		}
		if !a.Incomplete || a.Verdict == screening.Clear {
			t.Errorf("failed fetch: verdict %s incomplete %v", a.Verdict, a.Incomplete)
		}
		// The source fails for as long as it is asked: the check stops
		// retrying at its own timeout (a bound for a hang, not a timing).
		if took > 3*time.Second {
			t.Errorf("answered after %s with a 1s timeout", took)
		}
		if !strings.Contains(strings.Join(a.Reasons, " "), "could not be fetched") {
			t.Errorf("reasons %q do not say the fetch failed", a.Reasons)
		}
	})
	t.Run("source too slow", func(t *testing.T) {
		h, clean := setup(t)
		h.fake.SlowNext(1000, 3*time.Second)
		a, code, desc, took := h.check(t, `{"orgnr":"`+clean+`","purpose":"award","max_age":"24h","timeout":"800ms"}`, 5*time.Second)
		if code != "" || a == nil {
			t.Fatalf("slow source: error %q %s, want an incomplete assessment", code, desc)
		}
		if !a.Incomplete || a.Verdict == screening.Clear {
			t.Errorf("slow source: verdict %s incomplete %v", a.Verdict, a.Incomplete)
		}
		// The source answers after 3s: the check did not wait for it.
		if took >= 3*time.Second {
			t.Errorf("slow source: answered after %s, as late as the source", took)
		}
	})
	t.Run("not registered", func(t *testing.T) {
		h, _ := setup(t)
		a, code, desc, _ := h.check(t, `{"orgnr":"556000-0167","purpose":"award"}`, 5*time.Second)
		if code != "404" || !strings.HasPrefix(desc, "orgnr: ") {
			t.Errorf("unregistered organisation: %q %q, want 404 naming orgnr; %+v", code, desc, a)
		}
		if a == nil || !a.NotRegistered || a.Verdict == screening.Clear {
			t.Errorf("the 404 carries the assessment: %+v", a)
		}
	})
}

func TestScreenServiceIsDiscoverable(t *testing.T) {
	h := newServiceHarness(t, testNow, false)
	for _, verb := range []micro.Verb{micro.PingVerb, micro.InfoVerb, micro.StatsVerb} {
		subj, err := micro.ControlSubject(verb, ServiceName, "")
		if err != nil {
			t.Fatal(err)
		}
		msg, err := h.nc.Request(subj, nil, 2*time.Second)
		if err != nil {
			t.Fatalf("%s: %v", subj, err)
		}
		var reply struct {
			Name      string `json:"name"`
			Version   string `json:"version"`
			Endpoints []struct {
				Subject string `json:"subject"`
			} `json:"endpoints"`
		}
		if err := json.Unmarshal(msg.Data, &reply); err != nil {
			t.Fatal(err)
		}
		if reply.Name != ServiceName || reply.Version != "1.0.0" {
			t.Errorf("%s: %s", subj, msg.Data)
		}
		if verb != micro.PingVerb && (len(reply.Endpoints) != 1 || reply.Endpoints[0].Subject != event.ScreenSubject) {
			t.Errorf("%s: endpoints %s", subj, msg.Data)
		}
		if verb == micro.StatsVerb && !strings.Contains(string(msg.Data), `"outbox_depth"`) {
			t.Errorf("%s: no outbox status in %s", subj, msg.Data)
		}
	}
	// Requests are counted.
	h.check(t, `{"orgnr":"x","purpose":"award"}`, 2*time.Second)
	info := h.svc.Stats()
	if len(info.Endpoints) != 1 || info.Endpoints[0].NumRequests != 1 || info.Endpoints[0].NumErrors != 1 {
		t.Errorf("stats %+v", *info.Endpoints[0])
	}
}

// A pre-award check over NATS of a supplier at L3 with an open alert
// answers block (L5) and leaves the follow-up as it was: the alert, the
// follow-up result, and the next follow-up screening, which finds
// nothing changed.
func TestScreenServiceCheckLeavesTheFollowUp(t *testing.T) {
	h := newServiceHarness(t, testNow, false)
	followed := testNow.Add(-time.Hour)
	var atL3 []string
	if _, err := h.pop.sc.ScreenAll(context.Background(), screening.Options{At: followed, Save: true}, 2, func(a *screening.Assessment) error {
		if a.Step == screening.L3 && a.Critical() && !a.Incomplete {
			atL3 = append(atL3, a.Orgnr)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(atL3) == 0 {
		t.Fatal("the population has no supplier at L3 with a critical hit")
	}
	orgnr := atL3[0]
	al, err := h.pop.desk.OpenAlert(orgnr)
	if err != nil || al == nil || al.Step != screening.L3 {
		t.Fatalf("open alert of %s: %+v %v", orgnr, al, err)
	}
	before := followUpResult(t, h.pop.st, orgnr)
	depth := h.pop.st.OutboxDepth()

	a, code, desc, _ := h.check(t, `{"orgnr":"`+orgnr+`","purpose":"award"}`, 5*time.Second)
	if code != "" {
		t.Fatalf("error %s %s", code, desc)
	}
	if a.Step != screening.L5 || a.Verdict != screening.Block || a.Purpose != screening.Award {
		t.Fatalf("check: step %s verdict %s purpose %q, want L5 block award", a.Step, a.Verdict, a.Purpose)
	}
	checkFollowUpKept(t, h.pop, orgnr, al.Revision, before)
	// Only the check's own assessment event was emitted (nothing is
	// published here: the outbox holds every event).
	evs, err := h.pop.st.Outbox(0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	var added []string
	for _, ev := range evs[depth:] {
		added = append(added, ev.Subject)
	}
	if len(added) != 1 || added[0] != event.AssessmentRoot+".L5."+orgnr {
		t.Errorf("the check emitted %q", added)
	}

	// The next follow-up screening says what the last one said.
	depth = h.pop.st.OutboxDepth()
	if _, err := h.pop.sc.Screen(context.Background(), []ident.Org{ident.MustOrg(orgnr)},
		screening.Options{At: a.At.Add(time.Hour), Save: true}); err != nil {
		t.Fatal(err)
	}
	if n := h.pop.st.OutboxDepth() - depth; n != 0 {
		t.Errorf("the follow-up after the check emitted %d events", n)
	}
	if al2, err := h.pop.desk.Alert(al.ID); err != nil || al2.Revision != al.Revision || al2.Step != screening.L3 {
		t.Errorf("alert after the next follow-up: %+v %v", al2, err)
	}
}

// followUpResult is the organisation's stored follow-up result.
func followUpResult(t *testing.T, st *store.Store, orgnr string) store.Result {
	t.Helper()
	var (
		r  store.Result
		ok bool
	)
	if err := st.Results(func(s string, res store.Result) error {
		if s == orgnr {
			r, ok = res, true
		}
		return nil
	}); err != nil || !ok {
		t.Fatalf("follow-up result of %s: %v (found %v)", orgnr, err, ok)
	}
	return r
}

// checkFollowUpKept checks that a pre-award check left the organisation's
// alert at its revision and its follow-up result as it was, and stored
// the check.
func checkFollowUpKept(t *testing.T, pop *population, orgnr string, revision int, before store.Result) {
	t.Helper()
	al, err := pop.desk.OpenAlert(orgnr)
	if err != nil || al == nil || al.Revision != revision || al.Step != screening.L3 {
		t.Errorf("alert after the check: %+v %v, want revision %d at L3", al, err, revision)
	}
	if after := followUpResult(t, pop.st, orgnr); !after.At.Equal(before.At) || after.Digest != before.Digest {
		t.Errorf("follow-up result after the check: %+v, want %+v", after, before)
	}
	stored, err := pop.sc.Assessments(orgnr)
	if err != nil || len(stored) == 0 || stored[len(stored)-1].Purpose != screening.Award {
		t.Errorf("the check is not stored: %d assessments, %v", len(stored), err)
	}
}

// A pre-award check screens against the sanctions lists in force: a list
// import naming the supplier's organisation number makes the answer block
// (S18, critical), with the candidate and the list version it rests on.
func TestScreenServiceBlocksAListedSupplier(t *testing.T) {
	h := newServiceHarness(t, testNow, false)
	clean := h.pop.manifest.Clean[0]
	listed := sanctions.Entity{List: sanctions.EU, ID: "EU.777.1", Kind: sanctions.Organisation,
		Names:       []sanctions.Name{{Full: "Omsorgsbolaget Nordost Holding Ltd"}},
		Identifiers: []sanctions.Identifier{{Type: "registration", Value: clean[:6] + "-" + clean[6:], Country: "SE"}}}
	if _, err := h.pop.st.Put(watchlist.Snapshot(record.SanctionsEU, record.ListVersion{SHA256: strings.Repeat("7e", 32)},
		[]sanctions.Entity{listed}, testNow.Add(-30*time.Minute))); err != nil {
		t.Fatal(err)
	}
	a, code, desc, _ := h.check(t, `{"orgnr":"`+clean+`","purpose":"award","category":"hvb_barn","value_sek":1200000}`, 5*time.Second)
	if code != "" {
		t.Fatalf("error %s %s", code, desc)
	}
	if a.Verdict != screening.Block || !slices.ContainsFunc(a.Hits, func(h screening.Hit) bool { return h.ID == "S18" }) {
		t.Fatalf("listed supplier: verdict %s hits %v, want block by S18", a.Verdict, a.Hits)
	}
	if len(a.Sanctions) != 1 || a.Sanctions[0].EntityID != "EU.777.1" || !a.Sanctions[0].Identifier || !strings.HasPrefix(a.Sanctions[0].Version, "EU ") {
		t.Errorf("candidates %+v", a.Sanctions)
	}
}
