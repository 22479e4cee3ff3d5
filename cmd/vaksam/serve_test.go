package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/sign"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/watchlist"
)

// The tests of `vaksam serve` and `vaksam watch` run the commands
// in-process, serve on its embedded nats-server listening on a free port.
//
// They do not use the server of VAKSAM_TEST_NATS_URL. A serve on a shared
// server joins the work-queue consumer vaksam-ingest and the queue group
// of the micro service vaksam: it would take the records pushed and the
// pre-award requests sent by engine/bus's tests running at the same time
// (go test runs packages in parallel), and those tests delete the VAKSAM_*
// streams before each of theirs, taking this test's events with them.
// engine/bus's tests cover the external server.

// serveNow is when the serve tests start: the day after the samples were
// observed.
var serveNow = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

const sampleOrg = "5591234561"

// syncBuffer is a bytes.Buffer a command writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// eventually polls fn every 20ms until it succeeds, failing the test with
// its last error after d.
func eventually(t *testing.T, d time.Duration, what string, fn func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		err := fn()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s: %v", what, d, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// freeTCPPort returns a port nobody listens on (now).
func freeTCPPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// sampleData returns a data directory holding every sample, ingested as
// observed 2026-11-20 (as TestSamplesThroughTheCommand does).
func sampleData(t *testing.T) string {
	t.Helper()
	data := t.TempDir()
	files := []struct{ source, file string }{
		{"bolagsverket", "bolagsverket-organisationer.json"}, {"bolagsverket", "bolagsverket-organisationer-finns-ej.json"},
		{"bolagsverket-bulk", "bolagsverket-bulkfil.txt"}, {"scb", "scb-hamtaforetag.json"}, {"scb-bulk", "scb-bulkfil.txt"},
		{"kronofogden", "kronofogden.jsonl"}, {"ivo", "ivo-tillstand.csv"}, {"ivo-beslut", "ivo-beslut.jsonl"},
		{"roles", "roles.jsonl"}, {"huvudman", "huvudman.jsonl"}, {"naringsforbud", "naringsforbud.jsonl"},
		{"arbetsmiljoverket", "arbetsmiljoverket.jsonl"}, {"contracts", "avtal.csv"}, {"invoices", "fakturor.csv"},
	}
	for _, f := range files {
		if code, out, errOut := run(t, "ingest", "--data", data, "--source", f.source, "--observed", "2026-11-20", filepath.Join(samples, f.file)); code != exitOK {
			t.Fatalf("ingest %s: exit %d\n%s%s", f.file, code, out, errOut)
		}
	}
	if code, out, errOut := run(t, "ingest", "--data", data, "--source", "bolagsverket-dokument", "--orgnr", sampleOrg, "--observed", "2026-11-20", filepath.Join(samples, "bolagsverket-dokumentlista.json")); code != exitOK {
		t.Fatalf("ingest dokument: exit %d\n%s%s", code, out, errOut)
	}
	// An import of the EU sanctions list that names nobody, as of the
	// same day: S18 checked. (Written directly until the list's importer
	// is merged; then `ingest --source sanctions-eu` with a sample.)
	st, err := store.Open(filepath.Join(data, "store"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	observed, _ := record.ParseInstant("2026-11-20")
	if _, err := st.Put(watchlist.Snapshot(record.SanctionsEU, record.ListVersion{SHA256: "e0"}, nil, observed)); err != nil {
		t.Fatal(err)
	}
	return data
}

// proc is a command running in-process until its context is cancelled
// or it ends by itself.
type proc struct {
	out, errOut, log *syncBuffer
	cancel           context.CancelFunc
	done             chan int
	code             int
	ended            bool
}

// start runs `vaksam args...` on its own goroutine, on the clock; its log
// (Info and up) is kept for the test's failure messages.
func start(t *testing.T, clock *connectors.ManualClock, args ...string) *proc {
	t.Helper()
	c := &proc{out: &syncBuffer{}, errOut: &syncBuffer{}, log: &syncBuffer{}, done: make(chan int, 1)}
	a := &app{stdout: c.out, stderr: c.errOut, now: clock.Now, clock: clock,
		log: slog.New(slog.NewTextHandler(c.log, &slog.HandlerOptions{Level: slog.LevelInfo}))}
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	go func() { c.done <- a.main(ctx, args) }()
	t.Cleanup(func() {
		cancel()
		if _, ok := c.wait(20 * time.Second); !ok {
			t.Errorf("%s did not stop within 20s after it was cancelled", args[0])
		}
	})
	return c
}

// wait returns the exit code once the command has ended, or false when it
// has not within d.
func (c *proc) wait(d time.Duration) (int, bool) {
	if c.ended {
		return c.code, true
	}
	select {
	case c.code = <-c.done:
		c.ended = true
		return c.code, true
	case <-time.After(d):
		return 0, false
	}
}

// stop cancels the command's context and returns its exit code.
func (c *proc) stop(t *testing.T) int {
	t.Helper()
	c.cancel()
	code, ok := c.wait(20 * time.Second)
	if !ok {
		t.Fatalf("not stopped within 20s of the cancellation\n%s", c)
	}
	return code
}

func (c *proc) String() string {
	return fmt.Sprintf("stdout:\n%s\nstderr:\n%s\nlog:\n%s", c.out, c.errOut, c.log)
}

var natsLine = regexp.MustCompile(`(?m)^  NATS: +(\S+)`)

// serve starts `vaksam serve --data data args...` and returns it with the
// NATS URL it prints once it serves.
func serve(t *testing.T, clock *connectors.ManualClock, data string, args ...string) (*proc, string) {
	t.Helper()
	testSigningKey(t)
	c := start(t, clock, append([]string{"serve", "--data", data}, withTestNATSUsers(t, args)...)...)
	t.Cleanup(func() {
		c.cancel() // before the wait registered by start
		if t.Failed() {
			t.Logf("serve %s:\n%s", strings.Join(args, " "), c)
		}
	})
	var url string
	// A bound against a hang only: a demo of thousands of suppliers
	// under the race detector on a busy machine takes its time.
	eventually(t, 2*time.Minute, "serve prints its NATS URL", func() error {
		if code, ended := c.wait(0); ended {
			t.Fatalf("serve ended with exit %d\n%s", code, c)
		}
		m := natsLine.FindStringSubmatch(c.out.String())
		if m == nil {
			return errors.New("no NATS line yet")
		}
		url = m[1]
		return nil
	})
	return c, url
}

// testSigningKey gives the test a signing key, in $VAKSAM_SIGNING_KEY_FILE
// (made at the first call in a test, kept for the test's other calls), and
// returns its public key. serve signs with it; check and watch, reading
// the same environment, trust it.
func testSigningKey(t *testing.T) string {
	t.Helper()
	path := os.Getenv(signingKeyEnv)
	if path == "" {
		path = filepath.Join(t.TempDir(), "signing.pem")
		if _, err := sign.WriteKeyFile(path); err != nil {
			t.Fatal(err)
		}
		t.Setenv(signingKeyEnv, path)
	}
	s, err := sign.LoadSigner(path)
	if err != nil {
		t.Fatal(err)
	}
	return sign.FormatPublicKey(s.PublicKey())
}

const signingKeyEnv = "VAKSAM_SIGNING_KEY_FILE"

// signedByServe checks a message's signature with the test's key.
func signedByServe(t *testing.T, subject string, h nats.Header, data []byte) {
	t.Helper()
	keys, err := sign.ParseKeys(testSigningKey(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Verify(subject, h, data); err != nil {
		t.Errorf("%s %s: %v", subject, h.Get(jetstream.MsgIDHeader), err)
	}
}

// connect connects as the tests' consumer (nats.users of serve's
// embedded server, testNATSConfig).
func connect(t *testing.T, url string) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	return connectAs(t, url, testKey(t, consumerKey))
}

// published is an event read back from its stream.
type published struct {
	Subject string
	Header  nats.Header
	Data    []byte
}

// streamEvents reads the messages of stream matching filter, oldest first.
func streamEvents(js jetstream.JetStream, stream, filter string) ([]published, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, stream)
	if err != nil {
		return nil, err
	}
	info, err := s.Info(ctx, jetstream.WithSubjectFilter(filter))
	if err != nil {
		return nil, err
	}
	var n uint64
	for _, k := range info.State.Subjects {
		n += k
	}
	if n == 0 {
		return nil, nil
	}
	c, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{filter}})
	if err != nil {
		return nil, err
	}
	var out []published
	for uint64(len(out)) < n {
		batch, err := c.Fetch(int(n)-len(out), jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			return nil, err
		}
		for m := range batch.Messages() {
			out = append(out, published{m.Subject(), m.Headers(), m.Data()})
		}
		if err := batch.Error(); err != nil {
			return out, err
		}
	}
	return out, nil
}

// lastEvent waits until the stream holds a message on subject that ok
// accepts, and returns it.
func lastEvent(t *testing.T, js jetstream.JetStream, stream, subject string, ok func(published) error) published {
	t.Helper()
	var got published
	eventually(t, 10*time.Second, subject+" in "+stream, func() error {
		evs, err := streamEvents(js, stream, subject)
		if err != nil {
			return err
		}
		if len(evs) == 0 {
			return errors.New("no message")
		}
		got = evs[len(evs)-1]
		return ok(got)
	})
	return got
}

func anyEvent(published) error { return nil }

// The events' payloads, as far as the tests read them.
type assessmentEvent struct {
	Orgnr, Step, Verdict, Purpose string
	At                            time.Time
	Hits                          []string
	Previous                      *struct{ Hits []string }
	Assessment                    struct{ Orgnr, Verdict string }
}

type alertEvent struct {
	Event, State, Step, Orgnr string
	AlertID                   string `json:"alert_id"`
	Revision                  int
	Hits                      []string
}

func decode[T any](p published) (T, error) {
	var v T
	err := json.Unmarshal(p.Data, &v)
	return v, err
}

// kronofogdenLine is the sample supplier's Kronofogden extract with the
// given public debt: 0 removes the hit S04.
func kronofogdenLine(perDatum string, debtSEK int) []byte {
	antal := 0
	if debtSEK > 0 {
		antal = 3
	}
	return []byte(fmt.Sprintf(`{"orgnr":"%s","per_datum":"%s","allmanna_mal":{"antal":%d,"belopp_sek":%d},"enskilda_mal":{"antal":0,"belopp_sek":0},"betalningsforelagganden_12m":0,"konkursansokan":false,"foretagsrekonstruktion":false,"dokument":"kfm.pdf"}`+"\n",
		sampleOrg, perDatum, antal, debtSEK))
}

// push publishes a Kronofogden extract for the sample supplier on
// vaksam.ingest.kronofogden, observed a minute before the clock's time.
func push(t *testing.T, js jetstream.JetStream, clock *connectors.ManualClock, debtSEK int) {
	t.Helper()
	observed := clock.Now().Add(-time.Minute)
	m := nats.NewMsg("vaksam.ingest.kronofogden")
	m.Header.Set(bus.HeaderObserved, observed.Format(time.RFC3339))
	m.Data = kronofogdenLine(observed.Format("2006-01-02"), debtSEK)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := js.PublishMsg(ctx, m); err != nil {
		t.Fatalf("push: %v", err)
	}
}

// screenedHits screens the sample supplier as of at with `vaksam screen
// --json --no-save` and returns its hit ids.
func screenedHits(t *testing.T, data string, at time.Time) []string {
	t.Helper()
	code, out, errOut := run(t, "screen", "--data", data, "--at", at.Format(time.RFC3339Nano), "--json", "--no-save", sampleOrg)
	if code != exitOK {
		t.Fatalf("screen: exit %d\n%s", code, errOut)
	}
	var a struct{ Hits []struct{ ID string } }
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatalf("screen: %v\n%s", err, out)
	}
	var ids []string
	for _, h := range a.Hits {
		ids = append(ids, h.ID)
	}
	return ids
}

func outboxDepth(t *testing.T, data string) int {
	t.Helper()
	st, err := store.Open(filepath.Join(data, "store"), store.Options{Small: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	return st.OutboxDepth()
}

// watchLine is one line of `vaksam watch --json`.
type watchLine struct {
	Subject        string
	Headers        map[string]string
	Data           json.RawMessage
	Verified       bool
	KeyID          string `json:"key_id"`
	SignatureError string `json:"signature_error"`
}

func watchLines(t *testing.T, out string) []watchLine {
	t.Helper()
	var lines []watchLine
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var w watchLine
		if err := json.Unmarshal([]byte(l), &w); err != nil {
			t.Fatalf("watch --json printed %q: %v", l, err)
		}
		lines = append(lines, w)
	}
	return lines
}

// `vaksam serve` on its embedded server: the initial screening's events on
// JetStream, the pre-award service, records pushed in and the re-screening
// they cause, `vaksam watch` live and replaying, and a graceful stop that
// leaves the outbox empty.
func TestServe(t *testing.T) {
	data := sampleData(t)
	clock := connectors.NewManualClock(serveNow)
	port := freeTCPPort(t)
	began := time.Now()
	srv, url := serve(t, clock, data, "--nats-listen", "127.0.0.1:"+strconv.Itoa(port))
	t.Logf("serving after %s", time.Since(began).Round(time.Millisecond))
	if want := "nats://127.0.0.1:" + strconv.Itoa(port); url != want {
		t.Errorf("serve prints NATS %s, want %s", url, want)
	}
	for _, want := range []string{"vaksam serving", "vaksam.screen", "vaksam watch --nats " + url, data} {
		if !strings.Contains(srv.out.String(), want) {
			t.Errorf("serve's output lacks %q:\n%s", want, srv.out)
		}
	}
	nc, js := connect(t, url)
	pushJS := pusher(t, url, record.Kronofogden)
	consumerFile := testKeyFile(t, consumerKey)

	t.Run("initial screening published", func(t *testing.T) {
		m := lastEvent(t, js, bus.AssessmentStream, "vaksam.assessment.L3."+sampleOrg, anyEvent)
		first, err := decode[assessmentEvent](m)
		if err != nil {
			t.Fatal(err)
		}
		if first.Orgnr != sampleOrg || first.Step != "L3" || first.Verdict != "block" || !first.At.Equal(serveNow) ||
			first.Previous != nil || !slices.Contains(first.Hits, "S04") || first.Assessment.Orgnr != sampleOrg {
			t.Errorf("assessment event %+v", first)
		}
		if got := m.Header.Get("Vaksam-Schema"); got != "vaksam.assessment/1" {
			t.Errorf("Vaksam-Schema %q", got)
		}
		if id := m.Header.Get(jetstream.MsgIDHeader); !strings.HasPrefix(id, "assessment."+sampleOrg+"."+strconv.FormatInt(serveNow.UnixNano(), 10)+".") {
			t.Errorf("Nats-Msg-Id %q", id)
		}
		if seq := m.Header.Get("Vaksam-Org-Seq"); seq != "1" {
			t.Errorf("assessment Vaksam-Org-Seq %q, want 1", seq)
		}
		signedByServe(t, m.Subject, m.Header, m.Data)
		m = lastEvent(t, js, bus.AlertStream, "vaksam.alert.opened."+sampleOrg, anyEvent)
		al, err := decode[alertEvent](m)
		if err != nil {
			t.Fatal(err)
		}
		if al.Event != "opened" || al.State != "ny" || al.AlertID != sampleOrg+"-1" || al.Revision != 1 || al.Step != "L3" || al.Orgnr != sampleOrg {
			t.Errorf("alert event %+v", al)
		}
		if id, seq := m.Header.Get(jetstream.MsgIDHeader), m.Header.Get("Vaksam-Org-Seq"); id != "alert."+sampleOrg+"-1.1" || seq != "2" {
			t.Errorf("alert opened: Nats-Msg-Id %q, Vaksam-Org-Seq %q", id, seq)
		}
		signedByServe(t, m.Subject, m.Header, m.Data)
	})

	t.Run("pre-award check", func(t *testing.T) {
		request := func(body string) *nats.Msg {
			t.Helper()
			var reply *nats.Msg
			eventually(t, 10*time.Second, "a reply from vaksam.screen", func() (err error) {
				reply, err = nc.Request("vaksam.screen", []byte(body), 5*time.Second)
				return err
			})
			signedByServe(t, "vaksam.screen", reply.Header, reply.Data) // answers and refusals alike
			return reply
		}
		reply := request(`{"orgnr":"559123-4561","purpose":"award"}`)
		if code := reply.Header.Get("Nats-Service-Error-Code"); code != "" {
			t.Fatalf("error %s %s", code, reply.Header.Get("Nats-Service-Error"))
		}
		var a struct{ Orgnr, Purpose, Step, Verdict string }
		if err := json.Unmarshal(reply.Data, &a); err != nil {
			t.Fatalf("%v: %s", err, reply.Data)
		}
		if a.Orgnr != sampleOrg || a.Purpose != "award" || a.Verdict != "block" || a.Step != "L5" {
			t.Errorf("pre-award reply %+v", a)
		}
		for _, body := range []string{`{"orgnr":"559123-456","purpose":"award"}`, `{"orgnr":"559123-4562","purpose":"award"}`} {
			reply := request(body)
			code, desc := reply.Header.Get("Nats-Service-Error-Code"), reply.Header.Get("Nats-Service-Error")
			var e struct{ Error, Field string }
			if code != "400" || !strings.HasPrefix(desc, "orgnr: ") || json.Unmarshal(reply.Data, &e) != nil || e.Error != desc || e.Field != "orgnr" {
				t.Errorf("%s: error %q %q, body %q, want 400 and {\"error\", \"field\"} naming orgnr", body, code, desc, reply.Data)
			}
		}
	})

	// Pushed records are stored and re-screen the organisation: with its
	// debt paid S04 no longer fires, and the changed result is published
	// with the previous one, and the open alert follows.
	debt := 184500 // the sample's public debt, as the store has it
	t.Run("pushed records re-screen", func(t *testing.T) {
		clock.Advance(time.Hour)
		debt = 0
		push(t, pushJS, clock, debt)
		m := lastEvent(t, js, bus.AssessmentStream, "vaksam.assessment.*."+sampleOrg, func(p published) error {
			a, err := decode[assessmentEvent](p)
			if err != nil || !a.At.After(serveNow) {
				return fmt.Errorf("the newest assessment event is the first: %v", err)
			}
			return nil
		})
		a, _ := decode[assessmentEvent](m)
		if slices.Contains(a.Hits, "S04") || a.Previous == nil || !slices.Contains(a.Previous.Hits, "S04") || !a.At.Equal(clock.Now()) {
			t.Errorf("assessment after the debt was paid: %+v", a)
		}
		m = lastEvent(t, js, bus.AlertStream, "vaksam.alert.updated."+sampleOrg, anyEvent)
		al, _ := decode[alertEvent](m)
		if al.AlertID != sampleOrg+"-1" || al.Revision != 2 || slices.Contains(al.Hits, "S04") {
			t.Errorf("alert after the debt was paid: %+v", al)
		}
	})

	t.Run("watch", func(t *testing.T) {
		// Live: the next alert event. Its subscription is not visible from
		// outside: once watch is connected, the change that causes an
		// event is made, and made again (the debt comes and goes) until
		// watch has printed one.
		w := start(t, clock, "watch", "--nats", url, "--nats-nkey", consumerFile, "--count", "1", "--json", "vaksam.alert.>")
		eventually(t, 5*time.Second, "watch reads the streams", func() error {
			if !strings.Contains(w.log.String(), "watching") {
				return errors.New("not watching yet")
			}
			return nil
		})
		pushes := 0
		for ended := false; !ended; {
			pushes++
			clock.Advance(time.Hour)
			if debt == 0 {
				debt = 250000
			} else {
				debt = 0
			}
			push(t, pushJS, clock, debt)
			var code int
			if code, ended = w.wait(time.Second); ended && code != exitOK {
				t.Fatalf("watch: exit %d\n%s", code, w)
			}
			if !ended && time.Since(began) > 15*time.Second {
				t.Fatalf("watch printed nothing\n%s", w)
			}
		}
		t.Logf("watch printed an event after %d pushes", pushes)
		// The last push has been stored and re-screened.
		lastEvent(t, js, bus.AssessmentStream, "vaksam.assessment.*."+sampleOrg, func(p published) error {
			a, err := decode[assessmentEvent](p)
			if err != nil || !a.At.Equal(clock.Now()) || slices.Contains(a.Hits, "S04") != (debt > 0) {
				return fmt.Errorf("the last push (debt %d) is not re-screened yet: %v", debt, err)
			}
			return nil
		})
		lines := watchLines(t, w.out.String())
		if len(lines) != 1 {
			t.Fatalf("watch --count 1 printed %d lines:\n%s", len(lines), w.out)
		}
		l := lines[0]
		if !l.Verified || l.SignatureError != "" {
			t.Errorf("watch did not verify the event: %s", w.out)
		}
		var al alertEvent
		if err := json.Unmarshal(l.Data, &al); err != nil {
			t.Fatal(err)
		}
		if l.Subject != "vaksam.alert.updated."+sampleOrg || l.Headers["Vaksam-Schema"] != "vaksam.alert/1" ||
			l.Headers[jetstream.MsgIDHeader] != fmt.Sprintf("alert.%s-1.%d", sampleOrg, al.Revision) || l.Headers["Vaksam-Org-Seq"] == "" ||
			al.Event != "updated" || al.Revision < 3 || al.Orgnr != sampleOrg {
			t.Errorf("watch printed %s", w.out)
		}

		// Replay: what the streams hold, then live; the subjects of one
		// organisation in every stream.
		w = start(t, clock, "watch", "--nats", url, "--nats-nkey", consumerFile, "--replay", "--count", "2", "--json", "vaksam.alert.*."+sampleOrg)
		if code, ok := w.wait(10 * time.Second); !ok || code != exitOK {
			t.Fatalf("watch --replay: exit %d (ended %v)\n%s", code, ok, w)
		}
		lines = watchLines(t, w.out.String())
		if len(lines) != 2 || lines[0].Subject != "vaksam.alert.opened."+sampleOrg || lines[0].Headers[jetstream.MsgIDHeader] != "alert."+sampleOrg+"-1.1" ||
			lines[1].Subject != "vaksam.alert.updated."+sampleOrg || lines[1].Headers[jetstream.MsgIDHeader] != "alert."+sampleOrg+"-1.2" {
			t.Errorf("watch --replay printed:\n%s", w.out)
		}
		// Every event of the organisation, in the streams they went to;
		// their Vaksam-Org-Seq counts them over all streams, without gaps.
		var want []string
		for _, root := range []string{event.AssessmentRoot, event.AlertRoot, event.ActionRoot} {
			evs, err := streamEvents(js, bus.StreamFor(root+".x"), root+".*."+sampleOrg)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range evs {
				want = append(want, e.Header.Get("Vaksam-Org-Seq")+" "+e.Subject+" "+e.Header.Get(jetstream.MsgIDHeader))
			}
		}
		w = start(t, clock, "watch", "--nats", url, "--nats-nkey", consumerFile, "--replay", "--count", strconv.Itoa(len(want)), "--json", "vaksam.*.*."+sampleOrg)
		if code, ok := w.wait(10 * time.Second); !ok || code != exitOK {
			t.Fatalf("watch --replay for one organisation in every stream: exit %d (ended %v)\n%s", code, ok, w)
		}
		var got []string
		for _, l := range watchLines(t, w.out.String()) {
			got = append(got, l.Headers["Vaksam-Org-Seq"]+" "+l.Subject+" "+l.Headers[jetstream.MsgIDHeader])
			if !l.Verified {
				t.Errorf("watch --replay: %s %s not verified: %s", l.Subject, l.Headers[jetstream.MsgIDHeader], l.SignatureError)
			}
		}
		byOrgSeq := func(a, b string) int {
			x, _ := strconv.Atoi(strings.Fields(a)[0])
			y, _ := strconv.Atoi(strings.Fields(b)[0])
			return x - y
		}
		slices.SortFunc(got, byOrgSeq)
		slices.SortFunc(want, byOrgSeq)
		if !slices.Equal(got, want) {
			t.Errorf("watch --replay 'vaksam.*.*.%s' printed\n%s\nwant\n%s", sampleOrg, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		for i, e := range want {
			if !strings.HasPrefix(e, strconv.Itoa(i+1)+" ") {
				t.Errorf("the organisation's events are not numbered 1..%d:\n%s", len(want), strings.Join(want, "\n"))
				break
			}
		}
	})

	t.Run("graceful stop", func(t *testing.T) {
		stopping := time.Now()
		if code := srv.stop(t); code != exitOK {
			t.Fatalf("serve: exit %d\n%s", code, srv)
		}
		t.Logf("stopped in %s", time.Since(stopping).Round(time.Millisecond))
		if !strings.Contains(srv.out.String(), "vaksam stopping") {
			t.Errorf("no 'vaksam stopping':\n%s", srv.out)
		}
		if n := outboxDepth(t, data); n != 0 {
			t.Errorf("%d events left in the outbox", n)
		}
		// The pushed records were stored: screening as of now sees the
		// last debt.
		if hits := screenedHits(t, data, clock.Now()); slices.Contains(hits, "S04") != (debt > 0) {
			t.Errorf("debt %d, hits %v", debt, hits)
		}
	})
}

// With NATS unreachable serve starts, screens and keeps the events in its
// outbox; serving again with NATS there publishes them. NATS down: work
// goes on, events wait.
func TestServeWithNATSDown(t *testing.T) {
	data := sampleData(t)
	clock := connectors.NewManualClock(serveNow)
	down := fmt.Sprintf("nats://vaksam:hemligt@127.0.0.1:%d", freeTCPPort(t))
	srv, url := serve(t, clock, data, "--nats", down)
	if want := strings.Replace(down, "hemligt", "xxxxx", 1); url != want {
		t.Errorf("serve prints NATS %s, want %s", url, want)
	}
	screened := regexp.MustCompile(`msg="screened the store" .*organisations=(\d+) .* outbox=(\d+)`)
	var waiting int
	eventually(t, 10*time.Second, "the initial screening", func() error {
		m := screened.FindStringSubmatch(srv.log.String())
		if m == nil {
			return errors.New("not screened yet")
		}
		waiting, _ = strconv.Atoi(m[2])
		return nil
	})
	if waiting == 0 {
		t.Fatalf("nothing in the outbox after the initial screening\n%s", srv)
	}
	stopping := time.Now()
	if code := srv.stop(t); code != exitOK {
		t.Fatalf("serve: exit %d\n%s", code, srv)
	}
	if took := time.Since(stopping); took > 5*time.Second {
		t.Errorf("stopping took %s with NATS down", took)
	}
	if !strings.Contains(srv.out.String(), "vaksam stopping") {
		t.Errorf("no 'vaksam stopping':\n%s", srv.out)
	}
	if all := srv.String(); strings.Contains(all, "hemligt") {
		t.Errorf("the NATS password appears in serve's output:\n%s", all)
	}
	if n := outboxDepth(t, data); n != waiting {
		t.Errorf("%d events in the outbox after the stop, %d after the screening", n, waiting)
	}

	// NATS is back: the waiting events are published.
	srv, url = serve(t, clock, data, "--nats-listen", "127.0.0.1:"+strconv.Itoa(freeTCPPort(t)))
	_, js := connect(t, url)
	m := lastEvent(t, js, bus.AssessmentStream, "vaksam.assessment.L3."+sampleOrg, anyEvent)
	if a, _ := decode[assessmentEvent](m); !a.At.Equal(serveNow) || a.Verdict != "block" {
		t.Errorf("assessment event %+v", a)
	}
	// Committed while NATS was down, published by the next serve: signed.
	signedByServe(t, m.Subject, m.Header, m.Data)
	m = lastEvent(t, js, bus.AlertStream, "vaksam.alert.opened."+sampleOrg, anyEvent)
	signedByServe(t, m.Subject, m.Header, m.Data)
	if code := srv.stop(t); code != exitOK {
		t.Fatalf("serve: exit %d\n%s", code, srv)
	}
	if n := outboxDepth(t, data); n != 0 {
		t.Errorf("%d events left in the outbox", n)
	}
}

func TestServePrintsNATSURLsRedacted(t *testing.T) {
	for in, want := range map[string]string{
		"nats://127.0.0.1:4222":                               "nats://127.0.0.1:4222",
		"nats://vaksam:hemligt@nats.example:4222":             "nats://vaksam:xxxxx@nats.example:4222",
		"tls://s3cr3t-token@nats.example:4222":                "tls://xxxxx@nats.example:4222",
		"nats://a:b@n1:4222,nats://n2:4222, nats://t@n3:4222": "nats://a:xxxxx@n1:4222,nats://n2:4222,nats://xxxxx@n3:4222",
		"nats://u:p%zz@n1:4222":                               "xxxxx@n1:4222",
	} {
		if got := bus.RedactURL(in); got != want {
			t.Errorf("bus.RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// A change of the rule set between runs of serve is written to the audit
// trail; starting again with the same rules writes nothing.
func TestServeAuditsRuleChanges(t *testing.T) {
	data := sampleData(t)
	cfg := filepath.Join(t.TempDir(), "months.yaml")
	if err := os.WriteFile(cfg, []byte("rules:\n  params: {av_months: 6}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	clock := connectors.NewManualClock(serveNow)
	for _, args := range [][]string{nil, nil, {"--config", cfg}} {
		srv, _ := serve(t, clock, data, append([]string{"--nats-listen", fmt.Sprintf("127.0.0.1:%d", freeTCPPort(t)), "--screen-every", "0"}, args...)...)
		if code := srv.stop(t); code != exitOK {
			t.Fatalf("serve: exit %d\n%s", code, srv)
		}
	}
	changes := auditDetails(t, data, "rules.reload")
	if len(changes) != 2 || changes[0]["from"] != "" || changes[1]["from"] != changes[0]["to"] || changes[1]["to"] == changes[0]["to"] {
		t.Errorf("rule changes in the audit trail: %v; want the first rules, then the change to the configured ones", changes)
	}
	if code, out, _ := run(t, "audit", "verify", "--data", data); code != exitOK {
		t.Errorf("audit verify: exit %d\n%s", code, out)
	}
}

// auditDetails returns the details of the audit entries with the action,
// oldest first, as `vaksam audit list --json` prints them.
func auditDetails(t *testing.T, data, action string) []map[string]string {
	t.Helper()
	code, out, errOut := run(t, "audit", "list", "--data", data, "--json")
	if code != exitOK {
		t.Fatalf("audit list: exit %d: %s", code, errOut)
	}
	var details []map[string]string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var e struct {
			Action string            `json:"action"`
			Detail map[string]string `json:"detail"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if e.Action == action {
			details = append(details, e.Detail)
		}
	}
	return details
}
