package bus

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/micro"

	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/logging"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/screening"
)

// Person numbers: a sole trader's organisation number is its owner's.
const (
	soleTrader10  = "8112189876"
	soleTrader10h = "811218-9876"
	soleTrader12  = "198112189876"
)

// lockedBuffer is a log destination the test may read while the service
// writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// records returns the JSON records logged so far.
func (b *lockedBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

// idRefresher records the request id of each refresh's context, can hold
// refreshes until released, and fails them as a connector would, with the
// organisation number in the error.
type idRefresher struct {
	mu      sync.Mutex
	ids     []string
	entered chan struct{} // a refresh started
	hold    chan struct{} // closed: refreshes go on
}

func (r *idRefresher) Refresh(ctx context.Context, org ident.Org, _ ...string) error {
	r.mu.Lock()
	r.ids = append(r.ids, logging.RequestID(ctx))
	r.mu.Unlock()
	select {
	case r.entered <- struct{}{}:
	default:
	}
	r.mu.Lock()
	hold := r.hold
	r.mu.Unlock()
	select {
	case <-hold:
	case <-ctx.Done():
		return ctx.Err()
	}
	return fmt.Errorf("bolagsverket: HTTP 400: Ogiltigt organisationsnummer %s (requestId x)", org.String())
}

// block holds the refreshes to come until release is called.
func (r *idRefresher) block() (release func()) {
	ch := make(chan struct{})
	r.mu.Lock()
	r.hold = ch
	r.mu.Unlock()
	return func() { close(ch) }
}

func (r *idRefresher) Sources() []string { return []string{record.Bolagsverket} }

func (r *idRefresher) seen() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.ids)
}

// observations records what Observe was told.
type observations struct {
	mu  sync.Mutex
	got []string
}

func (o *observations) observe(via, outcome string, took time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if took < 0 {
		outcome += " (negative time)"
	}
	o.got = append(o.got, via+" "+outcome)
}

func (o *observations) list() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.got)
}

type idHarness struct {
	nc      *nats.Conn
	clean   string
	log     *lockedBuffer
	obs     *observations
	refresh *idRefresher
	svc     *ScreenService
}

// newIDHarness is a pre-award service on a real store, logging JSON; a
// check with max_age 1h finds stale data and refreshes.
func newIDHarness(t *testing.T, concurrent int) *idHarness {
	t.Helper()
	tn := startNATS(t)
	nc, _ := connectTest(t, tn.URL)
	pop := newPopulation(t, t.TempDir(), 150)
	h := &idHarness{nc: nc, clean: pop.manifest.Clean[0], log: &lockedBuffer{}, obs: &observations{},
		refresh: &idRefresher{entered: make(chan struct{}, 1), hold: make(chan struct{})}}
	close(h.refresh.hold) // refreshes go on until a test blocks them
	logger, err := logging.New(h.log, "json", "info", false)
	if err != nil {
		t.Fatal(err)
	}
	h.svc = &ScreenService{Screener: pop.sc, Signer: testSigner, Refresher: h.refresh, Now: func() time.Time { return testNow },
		Concurrent: concurrent, Log: logger, Observe: h.obs.observe}
	svc, err := h.svc.Start(nc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Stop(); h.svc.Wait() }) // before the store closes
	return h
}

// request sends a pre-award request, with the request id header when id
// is not empty, and returns the reply.
func (h *idHarness) request(t *testing.T, body, id string) *nats.Msg {
	t.Helper()
	m := &nats.Msg{Subject: event.ScreenSubject, Data: []byte(body), Header: nats.Header{}}
	if id != "" {
		m.Header.Set(RequestIDHeader, id)
	}
	reply, err := h.nc.RequestMsg(m, 10*time.Second)
	if err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	// Signed, for the request's id: the caller's, or the one made for it.
	if _, err := testKeys.VerifyReply(reply.Header.Get(RequestIDHeader), reply.Header, reply.Data); err != nil {
		t.Errorf("%s: reply %v: %v", body, reply.Header, err)
	}
	return reply
}

// waitObserved waits until Observe has been told n times.
func (h *idHarness) waitObserved(t *testing.T, n int) []string {
	t.Helper()
	eventually(t, 5*time.Second, func() error {
		if got := h.obs.list(); len(got) < n {
			return fmt.Errorf("observed %v, want %d", got, n)
		}
		return nil
	})
	return h.obs.list()
}

func TestScreenServiceCarriesTheRequestID(t *testing.T) {
	h := newIDHarness(t, 0)
	stale := `{"orgnr":"` + h.clean + `","purpose":"award","max_age":"1h"}`

	// The caller's id: on the reply, in the refresh's context, on every
	// record logged for the request.
	reply := h.request(t, stale, "order-7f3a")
	if got := reply.Header.Get(RequestIDHeader); got != "order-7f3a" {
		t.Errorf("reply's id %q, want the caller's", got)
	}
	if code := reply.Header.Get(micro.ErrorCodeHeader); code != "" {
		t.Fatalf("error %s %s", code, reply.Header.Get(micro.ErrorHeader))
	}
	var a screening.Assessment
	if err := json.Unmarshal(reply.Data, &a); err != nil {
		t.Fatal(err)
	}
	if got := h.waitObserved(t, 1); got[0] != "nats "+string(a.Verdict) || a.Verdict != screening.Review {
		t.Errorf("observed %v for verdict %s, want nats review (the refresh failed)", got, a.Verdict)
	}
	if got := h.refresh.seen(); len(got) != 1 || got[0] != "order-7f3a" {
		t.Errorf("refreshes saw ids %v, want the caller's", got)
	}
	var lines int
	for _, r := range h.log.records(t) {
		if r["request_id"] != "order-7f3a" {
			t.Errorf("record without the request's id: %v", r)
		}
		lines++
	}
	if lines < 2 { // the failed refresh and the answer
		t.Errorf("%d records for the request:\n%s", lines, h.log)
	}

	// No id, or one not fit to echo: a new one, the same everywhere.
	for _, sent := range []string{"", "with space", strings.Repeat("x", 100)} {
		reply := h.request(t, stale, sent)
		id := reply.Header.Get(RequestIDHeader)
		if id == sent || !logging.ValidRequestID(id) || len(id) != 32 {
			t.Errorf("sent %q: reply's id %q, want a new one", sent, id)
		}
		if got := h.refresh.seen(); got[len(got)-1] != id {
			t.Errorf("sent %q: the refresh saw %q, the reply says %q", sent, got[len(got)-1], id)
		}
	}

	// A refusal has the id too.
	reply = h.request(t, `not json`, "bad-1")
	if reply.Header.Get(micro.ErrorCodeHeader) != "400" || reply.Header.Get(RequestIDHeader) != "bad-1" {
		t.Errorf("refusal headers %v", reply.Header)
	}
	// Observed once each; a check's observation is made after its reply,
	// so the refusal answered at once may be observed before it.
	got := h.waitObserved(t, 5)
	bad := 0
	for _, o := range got {
		if o == "nats bad_request" {
			bad++
		}
	}
	if len(got) != 5 || bad != 1 {
		t.Errorf("observed %v, want one bad_request among five", got)
	}
}

func TestScreenServiceObservesEachRequestOnce(t *testing.T) {
	h := newIDHarness(t, 1)
	fresh := `{"orgnr":"` + h.clean + `","purpose":"award"}`
	for _, tc := range []struct{ body, want string }{
		{fresh, "nats clear"},
		{`{"orgnr":"559123-4562","purpose":"award"}`, "nats bad_request"},
		{`{"orgnr":"` + h.clean + `","purpose":"award","colour":"red"}`, "nats bad_request"},
		{`[]`, "nats bad_request"},
	} {
		n := len(h.obs.list())
		h.request(t, tc.body, "")
		got := h.waitObserved(t, n+1)
		if got[n] != tc.want {
			t.Errorf("%s: observed %q, want %q", tc.body, got[n], tc.want)
		}
	}

	// One check at a time: a second while the first waits for its
	// refresh is refused at once as busy.
	release := h.refresh.block()
	n := len(h.obs.list())
	type answer struct {
		reply *nats.Msg
		err   error
	}
	first := make(chan answer, 1)
	go func() {
		m := &nats.Msg{Subject: event.ScreenSubject, Data: []byte(`{"orgnr":"` + h.clean + `","purpose":"award","max_age":"1h","timeout":"20s"}`)}
		reply, err := h.nc.RequestMsg(m, 25*time.Second)
		first <- answer{reply, err}
	}()
	select {
	case <-h.refresh.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the first check never started its refresh")
	}
	busy := h.request(t, fresh, "second")
	if busy.Header.Get(micro.ErrorCodeHeader) != "503" || busy.Header.Get(RequestIDHeader) != "second" {
		t.Errorf("second check: headers %v, want 503 with its id", busy.Header)
	}
	release()
	if a := <-first; a.err != nil || a.reply.Header.Get(micro.ErrorCodeHeader) != "" {
		t.Errorf("first check: %v %v", a.err, a.reply)
	}
	got := h.waitObserved(t, n+2)
	if len(got) != n+2 || !slices.Equal(got[n:], []string{"nats busy", "nats review"}) {
		t.Errorf("observed %v, want busy then review once each", got[n:])
	}

	// Over HTTP the API calls Check: observed as such.
	ctx := logging.WithRequestID(context.Background(), "http-9")
	if _, err := h.svc.Check(ctx, event.ScreenRequest{Orgnr: h.clean, Purpose: screening.Calloff}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.Check(ctx, event.ScreenRequest{Orgnr: h.clean}); err == nil {
		t.Fatal("a check without purpose passed")
	}
	if got := h.obs.list(); !slices.Equal(got[len(got)-2:], []string{"http clear", "http bad_request"}) {
		t.Errorf("observed %v", got)
	}
	var httpLines int
	for _, r := range h.log.records(t) {
		if r["via"] == "http" {
			httpLines++
			if r["request_id"] != "http-9" {
				t.Errorf("http check logged without its id: %v", r)
			}
		}
	}
	if httpLines != 2 {
		t.Errorf("%d http check lines:\n%s", httpLines, h.log)
	}
	if got := h.obs.list(); len(got) != n+4 {
		t.Errorf("observed %d times in all, want %d: %v", len(got), n+4, got)
	}
}

// A sole trader checked over NATS, whose refresh fails with the number in
// the error: nothing logged holds the personnummer.
func TestScreenServiceLogsNoPersonnummer(t *testing.T) {
	h := newIDHarness(t, 0)
	for _, body := range []string{
		`{"orgnr":"` + soleTrader10h + `","purpose":"direct","max_age":"1h"}`,
		`{"orgnr":"` + soleTrader12 + `","purpose":"award","max_age":"1h"}`,
		`{"orgnr":"` + soleTrader10 + `","purpose":"rent"}`,
	} {
		reply := h.request(t, body, "")
		if code := reply.Header.Get(micro.ErrorCodeHeader); code != "" && code != "400" {
			t.Errorf("%s: %s %s", body, code, reply.Header.Get(micro.ErrorHeader))
		}
	}
	h.waitObserved(t, 3)
	out := h.log.String()
	for _, p := range []string{soleTrader10, soleTrader10h, soleTrader12, "19811218"} {
		if strings.Contains(out, p) {
			t.Errorf("the log holds %s:\n%s", p, out)
		}
	}
	if !strings.Contains(out, "fetching fresh data failed") || !strings.Contains(out, "81XXXX-XXXX") {
		t.Errorf("the failed refresh of the sole trader is not logged:\n%s", out)
	}
}
