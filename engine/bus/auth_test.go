package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nats.go/micro"
	"github.com/nats-io/nkeys"

	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
)

// The permission tests run on servers with authorization: the embedded
// server, and the server of docs/deploy/nats/nats.conf. The external
// server of VAKSAM_TEST_NATS_URL has none, so they never use it.

func newUserKey(t testing.TB) nkeys.KeyPair {
	t.Helper()
	kp, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	return kp
}

// authWorld is Vaksam, as its own user, on a server with authorization:
// the pre-award service on a synthetic population, the ingest consumer
// storing into it, and the events of churned organisations in the three
// event streams; and the keys of a consumer and of an ingest user.
type authWorld struct {
	url      string
	vaksam   *nats.Conn
	js       jetstream.JetStream
	consumer nats.Option // how the consumer logs in
	ingest   nats.Option // how the ingest user logs in
	source   string      // the ingest user's
	clean    string      // an organisation whose check says clear
	obs      *observations
	in       *Ingest
}

// newAuthWorld connects Vaksam with vaksam (its URL and credentials).
func newAuthWorld(t *testing.T, vaksam ConnectOptions, consumer, ingestUser nats.Option, source string) *authWorld {
	t.Helper()
	nc, js := connectWith(t, vaksam)
	w := &authWorld{url: vaksam.URL, vaksam: nc, js: js, consumer: consumer, ingest: ingestUser, source: source, obs: &observations{}}

	// Events: halts, terminations, alerts and assessments, published from
	// the outbox by Vaksam's publisher.
	st, err := store.Open(t.TempDir(), store.Options{Small: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c, err := newChurner(st, 4)
	if err != nil {
		t.Fatal(err)
	}
	for range 6 {
		if err := c.round(); err != nil {
			t.Fatal(err)
		}
	}
	runPublisher(t, st, js)
	waitDrained(t, st, 30*time.Second)
	for _, s := range EventStreams() {
		if w.count(t, s) == 0 {
			t.Fatalf("the churn put nothing in %s", s)
		}
	}

	pop := newPopulation(t, t.TempDir(), 150)
	w.clean = pop.manifest.Clean[0]
	ss := &ScreenService{Screener: pop.sc, Signer: testSigner, Now: func() time.Time { return testNow }, Observe: w.obs.observe}
	svc, err := ss.Start(nc)
	if err != nil {
		t.Fatal(err)
	}
	// Stopped, then the checks in flight answered, before the store closes.
	t.Cleanup(func() { svc.Stop(); ss.Wait() })

	w.in = &Ingest{JS: js, Ingester: &ingest.Ingester{Store: pop.st}, Persons: pop.persons}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.in.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("ingest: %v", err)
		}
	})
	return w
}

// count is how many messages a stream holds, as Vaksam sees it.
func (w *authWorld) count(t testing.TB, stream string) uint64 {
	t.Helper()
	s, err := w.js.Stream(context.Background(), stream)
	if err != nil {
		t.Fatalf("%s: %v", stream, err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		t.Fatalf("%s: %v", stream, err)
	}
	return info.State.Msgs
}

// natsClient is a client's connection whose asynchronous errors (the
// server's permissions violations) the test reads.
type natsClient struct {
	nc   *nats.Conn
	js   jetstream.JetStream
	errs chan error
}

// withKey logs in with kp.
func withKey(t testing.TB, kp nkeys.KeyPair) nats.Option {
	return nats.Nkey(publicKey(t, kp), kp.Sign)
}

// dial connects with auth (nil: no credentials), without retrying, so
// that a refused connection is an error.
func dial(url, name string, auth nats.Option) (*natsClient, error) {
	c := &natsClient{errs: make(chan error, 64)}
	opts := []nats.Option{nats.Name(name), nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
		select {
		case c.errs <- err:
		default:
		}
	})}
	if auth != nil {
		opts = append(opts, auth)
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, err
	}
	c.nc = nc
	c.js, err = jetstream.New(nc)
	return c, err
}

func (w *authWorld) client(t *testing.T, name string, auth nats.Option) *natsClient {
	t.Helper()
	c, err := dial(w.url, name, auth)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	t.Cleanup(c.nc.Close)
	return c
}

// refused runs do (a publish or a subscription) and waits for the
// server's refusal, which names what was refused: `Publish to "…"` or
// `Subscription to "…"`.
func (c *natsClient) refused(t *testing.T, do func() error, want string) {
	t.Helper()
	if err := do(); err != nil {
		t.Fatalf("%s: refused by the client, not the server: %v", want, err)
	}
	if err := c.nc.Flush(); err != nil {
		t.Fatalf("%s: flush: %v", want, err)
	}
	select {
	case err := <-c.errs:
		if !errors.Is(err, nats.ErrPermissionViolation) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want the server's permissions violation", want, err)
		}
	case <-time.After(10 * time.Second):
		t.Errorf("%s: allowed (no permissions violation within 10s)", want)
	}
}

func (c *natsClient) publish(subject string, data []byte) func() error {
	return func() error { return c.nc.Publish(subject, data) }
}

func (c *natsClient) request(subject string) func() error {
	return func() error { return c.nc.PublishRequest(subject, nats.NewInbox(), []byte("{}")) }
}

func (c *natsClient) subscribe(subject, queue string) func() error {
	return func() error { _, err := c.nc.QueueSubscribeSync(subject, queue); return err }
}

// checkAuthorization shows each permission both ways on w's server.
func checkAuthorization(t *testing.T, w *authWorld) {
	ctx := context.Background()
	org := "5560021361"

	t.Run("anonymous client refused", func(t *testing.T) {
		_, err := dial(w.url, "anonymous", nil)
		if !errors.Is(err, nats.ErrAuthorization) {
			t.Errorf("connecting without credentials: %v, want %v", err, nats.ErrAuthorization)
		}
		_, err = dial(w.url, "stranger", withKey(t, newUserKey(t)))
		if !errors.Is(err, nats.ErrAuthorization) {
			t.Errorf("connecting with an unknown key: %v, want %v", err, nats.ErrAuthorization)
		}
	})

	t.Run("consumer asks pre-award checks", func(t *testing.T) {
		c := w.client(t, "ordering", w.consumer)
		msg, err := c.nc.Request(event.ScreenSubject, []byte(`{"orgnr":"`+w.clean+`","purpose":"award"}`), 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		var a screening.Assessment
		if code := msg.Header.Get(micro.ErrorCodeHeader); code != "" || json.Unmarshal(msg.Data, &a) != nil || a.Verdict != screening.Clear {
			t.Errorf("check: %s %s %.200s", code, msg.Header.Get(micro.ErrorHeader), msg.Data)
		}
		if msg.Header.Get(RequestIDHeader) == "" {
			t.Error("the reply has no request id: not Vaksam's answer")
		}
		info, err := c.nc.Request("$SRV.INFO."+ServiceName, nil, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		var si micro.Info
		if err := json.Unmarshal(info.Data, &si); err != nil || si.Name != ServiceName || len(si.Endpoints) != 1 || si.Endpoints[0].Subject != event.ScreenSubject {
			t.Errorf("$SRV.INFO: %+v, %v", si, err)
		}
	})

	t.Run("consumer reads events", func(t *testing.T) {
		c := w.client(t, "ordering", w.consumer)
		// Replay, as vaksam watch --replay and nats stream view do: every
		// message, the same as Vaksam reads.
		for _, s := range EventStreams() {
			got, want := readStream(t, c.js, s), readStream(t, w.js, s)
			if len(got) == 0 || !slices.EqualFunc(got, want, func(a, b received) bool { return a.MsgID == b.MsgID && a.Seq == b.Seq }) {
				t.Errorf("%s: the consumer read %d messages, Vaksam %d", s, len(got), len(want))
			}
		}
		// A durable pull consumer of its own, acknowledging each action.
		cons, err := c.js.CreateOrUpdateConsumer(ctx, ActionStream, jetstream.ConsumerConfig{Durable: "ordering",
			AckPolicy: jetstream.AckExplicitPolicy, FilterSubject: event.ActionRoot + ".>"})
		if err != nil {
			t.Fatal(err)
		}
		n := int(w.count(t, ActionStream))
		batch, err := cons.Fetch(n, jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		acked := 0
		for m := range batch.Messages() {
			if err := m.DoubleAck(ctx); err != nil {
				t.Fatalf("ack %s: %v", m.Subject(), err)
			}
			acked++
		}
		info, err := cons.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if acked != n || info.NumAckPending != 0 || info.AckFloor.Stream == 0 || info.NumPending != 0 {
			t.Errorf("acknowledged %d of %d actions; consumer %+v", acked, n, info)
		}
		if err := c.js.DeleteConsumer(ctx, ActionStream, "ordering"); err != nil {
			t.Errorf("deleting its own consumer: %v", err)
		}
	})

	t.Run("consumer refused", func(t *testing.T) {
		c := w.client(t, "ordering", w.consumer)
		before := map[string]uint64{}
		for _, s := range Streams() {
			before[s.Name] = w.count(t, s.Name)
		}
		forged := []byte(`{"action_id":"` + org + `-1-d1","kind":"terminate","orgnr":"` + org + `"}`)
		for _, r := range []struct {
			do   func() error
			want string
		}{
			{c.publish(event.ActionRoot+".terminate."+org, forged), `Publish to "vaksam.action.terminate.` + org + `"`},
			{c.publish(event.AlertRoot+".closed."+org, forged), `Publish to "vaksam.alert.closed.` + org + `"`},
			{c.publish(event.AssessmentRoot+".L0."+org, forged), `Publish to "vaksam.assessment.L0.` + org + `"`},
			{c.publish(event.IngestRoot+".roles", []byte(`{}`)), `Publish to "vaksam.ingest.roles"`},
			// Answering checks: joining the service's queue group, or
			// replying into another client's inbox.
			{c.subscribe(event.ScreenSubject, "q"), `Subscription to "vaksam.screen" using queue "q"`},
			{c.subscribe(event.ScreenSubject, ""), `Subscription to "vaksam.screen"`},
			{c.publish("_INBOX.someone.1", []byte(`{"verdict":"clear"}`)), `Publish to "_INBOX.someone.1"`},
			// Reading the raw records pushed in, which may carry person
			// numbers.
			{c.subscribe(event.IngestRoot+".>", ""), `Subscription to "vaksam.ingest.>"`},
			{c.request("$JS.API.CONSUMER.CREATE." + IngestStream), `Publish to "$JS.API.CONSUMER.CREATE.VAKSAM_INGEST"`},
			{c.request("$JS.API.STREAM.MSG.GET." + IngestStream), `Publish to "$JS.API.STREAM.MSG.GET.VAKSAM_INGEST"`},
			// Administering the streams.
			{c.request("$JS.API.STREAM.PURGE." + ActionStream), `Publish to "$JS.API.STREAM.PURGE.VAKSAM_ACTIONS"`},
			{c.request("$JS.API.STREAM.DELETE." + ActionStream), `Publish to "$JS.API.STREAM.DELETE.VAKSAM_ACTIONS"`},
			{c.request("$JS.API.STREAM.MSG.DELETE." + ActionStream), `Publish to "$JS.API.STREAM.MSG.DELETE.VAKSAM_ACTIONS"`},
			{c.request("$JS.API.STREAM.UPDATE." + ActionStream), `Publish to "$JS.API.STREAM.UPDATE.VAKSAM_ACTIONS"`},
			{c.request("$JS.API.STREAM.PURGE." + AlertStream), `Publish to "$JS.API.STREAM.PURGE.VAKSAM_ALERTS"`},
			{c.request("$JS.API.STREAM.CREATE.FORGED"), `Publish to "$JS.API.STREAM.CREATE.FORGED"`},
		} {
			c.refused(t, r.do, r.want)
		}
		for _, s := range Streams() {
			if n := w.count(t, s.Name); n != before[s.Name] {
				t.Errorf("%s: %d messages, %d before", s.Name, n, before[s.Name])
			}
		}
		// Vaksam still answers every check.
		for range 4 {
			msg, err := c.nc.Request(event.ScreenSubject, []byte(`{"orgnr":"`+w.clean+`","purpose":"calloff"}`), 10*time.Second)
			if err != nil || msg.Header.Get(RequestIDHeader) == "" {
				t.Fatalf("check after the refusals: %v", err)
			}
		}
	})

	t.Run("a reply subject cannot put a message in a stream", func(t *testing.T) {
		// A client chooses the reply subject of its requests. A consumer's
		// replies go back to its own account, where no stream listens.
		c := w.client(t, "ordering", w.consumer)
		n := w.count(t, ActionStream)
		into := event.ActionRoot + ".terminate." + org
		check := []byte(`{"orgnr":"` + w.clean + `","purpose":"award"}`)
		answered := len(w.obs.list())
		for _, subj := range []string{"$JS.API.STREAM.INFO." + ActionStream, "$SRV.PING." + ServiceName, event.ScreenSubject} {
			if err := c.nc.PublishRequest(subj, into, check); err != nil {
				t.Fatal(err)
			}
		}
		// Every request was answered: the check (Observe), and discovery,
		// which micro answers in order.
		if _, err := c.nc.Request("$SRV.PING."+ServiceName, nil, 5*time.Second); err != nil {
			t.Fatal(err)
		}
		eventually(t, 10*time.Second, func() error {
			if got := len(w.obs.list()); got <= answered {
				return fmt.Errorf("the check was not answered (%d observed)", got)
			}
			return nil
		})
		sentinel := func(id string) uint64 {
			t.Helper()
			// Vaksam's connection sends the sentinel after the replies it
			// made; the stream stores in the order it is sent.
			if err := w.vaksam.Flush(); err != nil {
				t.Fatal(err)
			}
			ack, err := w.js.Publish(ctx, event.ActionRoot+".halt."+org, []byte(`{}`), jetstream.WithMsgID(id))
			if err != nil {
				t.Fatal(err)
			}
			return ack.Sequence
		}
		last := func() uint64 {
			s, _ := w.js.Stream(ctx, ActionStream)
			info, err := s.Info(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return info.State.LastSeq
		}
		lastBefore := last()
		if seq := sentinel("sentinel-1"); seq != lastBefore+1 || w.count(t, ActionStream) != n+1 {
			t.Errorf("a consumer's replies reached %s: the sentinel is message %d, after %d", ActionStream, seq, lastBefore)
		}
		// The same request from inside account VAKSAM does put its answer
		// in the stream: why clients are in accounts of their own.
		answered = len(w.obs.list())
		if err := w.vaksam.PublishRequest(event.ScreenSubject, into, check); err != nil {
			t.Fatal(err)
		}
		eventually(t, 10*time.Second, func() error {
			if got := len(w.obs.list()); got <= answered {
				return errors.New("the check was not answered")
			}
			return nil
		})
		seq := sentinel("sentinel-2")
		got, err := w.js.Stream(ctx, ActionStream)
		if err != nil {
			t.Fatal(err)
		}
		m, err := got.GetMsg(ctx, seq-1)
		if err != nil || m.Subject != into || !strings.Contains(string(m.Data), `"verdict"`) {
			t.Errorf("the control: message %d is %+v, %v; want the check's answer on %s", seq-1, m, err, into)
		}
	})

	t.Run("ingest user pushes its own source only", func(t *testing.T) {
		c := w.client(t, "push-"+w.source, w.ingest)
		sample, err := os.ReadFile("../../connectors/formats/testdata/kronofogden.jsonl")
		if err != nil {
			t.Fatal(err)
		}
		if w.source != record.Kronofogden {
			t.Fatalf("the sample is kronofogden's, the user pushes %s", w.source)
		}
		m := nats.NewMsg(event.IngestRoot + "." + w.source)
		m.Header.Set(HeaderObserved, "2026-11-20T08:00:00Z")
		m.Data = sample
		ack, err := c.js.PublishMsg(ctx, m)
		if err != nil || ack.Stream != IngestStream {
			t.Fatalf("push: %+v, %v", ack, err)
		}
		eventually(t, 10*time.Second, func() error {
			if got := w.in.Counts(); got.New+got.Unchanged == 0 {
				return fmt.Errorf("Vaksam stored nothing: %+v", got)
			}
			return nil
		})
		for _, r := range []struct {
			do   func() error
			want string
		}{
			{c.publish(event.IngestRoot+".roles", []byte(`{}`)), `Publish to "vaksam.ingest.roles"`},
			{c.publish(event.ActionRoot+".halt."+org, []byte(`{}`)), `Publish to "vaksam.action.halt.` + org + `"`},
			{c.publish(event.ScreenSubject, []byte(`{}`)), `Publish to "vaksam.screen"`},
			{c.subscribe(event.IngestRoot+".>", ""), `Subscription to "vaksam.ingest.>"`},
			{c.subscribe(event.ScreenSubject, "q"), `Subscription to "vaksam.screen" using queue "q"`},
			{c.request("$JS.API.CONSUMER.CREATE." + IngestStream), `Publish to "$JS.API.CONSUMER.CREATE.VAKSAM_INGEST"`},
			{c.request("$JS.API.STREAM.PURGE." + IngestStream), `Publish to "$JS.API.STREAM.PURGE.VAKSAM_INGEST"`},
		} {
			c.refused(t, r.do, r.want)
		}
	})
}

func TestEmbeddedServerAuthorization(t *testing.T) {
	consumer, push := newUserKey(t), newUserKey(t)
	tn := startEmbeddedNATS(t,
		User{Name: "ordering", NKey: publicKey(t, consumer), Role: RoleConsumer},
		User{Name: "kronofogden-feed", NKey: publicKey(t, push), Role: RoleIngest, Source: record.Kronofogden})
	checkAuthorization(t, newAuthWorld(t, ConnectOptions{URL: tn.URL, NKey: vaksamKey}, withKey(t, consumer), withKey(t, push), record.Kronofogden))
}

// Without authorization the embedded server listens only on loopback;
// with it, anywhere.
func TestEmbeddedServerRefusesTheNetworkWithoutAuthorization(t *testing.T) {
	for _, tt := range []struct {
		name      string
		host      string
		anonymous bool
		refused   string // the start's error; "" starts
	}{
		{"anonymous on loopback", "127.0.0.1", true, ""},
		{"anonymous on localhost", "localhost", true, ""},
		{"anonymous on every address", "0.0.0.0", true, "listening on 0.0.0.0:"},
		{"anonymous on IPv6's every address", "::", true, "listening on [::]:"},
		{"keys on every address", "0.0.0.0", false, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := ServerOptions{Dir: t.TempDir(), Host: tt.host, Port: freePort(t), Anonymous: tt.anonymous}
			if !tt.anonymous {
				o.Vaksam = publicKey(t, vaksamKey)
			}
			srv, err := StartServer(o)
			if tt.refused != "" {
				if err == nil {
					srv.Shutdown()
					t.Fatal("started")
				}
				if !strings.Contains(err.Error(), tt.refused) || !strings.Contains(err.Error(), "without authorization") {
					t.Errorf("error %q, want one naming %q without authorization", err, tt.refused)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Shutdown()
			url := fmt.Sprintf("nats://127.0.0.1:%d", o.Port)
			c, err := dial(url, "anonymous", nil)
			if !tt.anonymous {
				if !errors.Is(err, nats.ErrAuthorization) {
					t.Errorf("a client without credentials: %v, want %v", err, nats.ErrAuthorization)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer c.nc.Close()
			// Anonymous clients are Vaksam's equals: they declare streams.
			if err := EnsureStreams(context.Background(), c.js); err != nil {
				t.Errorf("anonymous client: %v", err)
			}
		})
	}
	if _, err := StartServer(ServerOptions{Dir: t.TempDir(), Port: freePort(t)}); err == nil || !strings.Contains(err.Error(), "no key for Vaksam's own user") {
		t.Errorf("no key and no anonymous clients: %v", err)
	}
}

func TestEmbeddedServerRefusesBadUsers(t *testing.T) {
	good := publicKey(t, newUserKey(t))
	seed, err := newUserKey(t).Seed()
	if err != nil {
		t.Fatal(err)
	}
	account, err := nkeys.CreateAccount()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		u    User
		want string
	}{
		{User{Name: "a", NKey: "REPLACE-ME", Role: RoleConsumer}, `nkey: want a user's public NKey (56 characters starting with U), got "REPLACE-ME"`},
		{User{Name: "a", NKey: string(seed), Role: RoleConsumer}, "nkey: want a user's public NKey"},
		{User{Name: "a", NKey: publicKey(t, account), Role: RoleConsumer}, "nkey: want a user's public NKey"},
		{User{Name: "a", NKey: good, Role: "admin"}, `role: want consumer or ingest, got "admin"`},
		{User{Name: "a", NKey: good, Role: RoleConsumer, Source: "roles"}, "source: only an ingest user has a source"},
		{User{Name: "a", NKey: good, Role: RoleIngest}, `source: want one of bolagsverket, `},
		{User{Name: "a", NKey: good, Role: RoleIngest, Source: "roles.>"}, `got "roles.>"`},
		{User{Name: "a", NKey: good, Role: RoleIngest, Source: record.SanctionsUN}, "source: source sanctions-un is a whole list file and cannot be pushed"},
	} {
		if err := tt.u.Check(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want %q", tt.u, err, tt.want)
		}
		_, err := StartServer(ServerOptions{Dir: t.TempDir(), Port: freePort(t), Vaksam: publicKey(t, vaksamKey), Users: []User{tt.u}})
		if err == nil || !strings.Contains(err.Error(), "user 1 (a): ") || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("StartServer with %+v: %v", tt.u, err)
		}
	}
	if err := (User{NKey: good, Role: RoleIngest, Source: record.Roles}).Check(); err != nil {
		t.Errorf("a good ingest user: %v", err)
	}
	_, err = StartServer(ServerOptions{Dir: t.TempDir(), Port: freePort(t), Vaksam: publicKey(t, vaksamKey),
		Users: []User{{Name: "a", NKey: good, Role: RoleConsumer}, {Name: "b", NKey: good, Role: RoleIngest, Source: record.Roles}}})
	if err == nil || !strings.Contains(err.Error(), "user 2 (b): nkey "+good+" is a's too") {
		t.Errorf("one key for two users: %v", err)
	}
	_, err = StartServer(ServerOptions{Dir: t.TempDir(), Port: freePort(t), Vaksam: publicKey(t, vaksamKey),
		Users: []User{{Name: "a", NKey: publicKey(t, vaksamKey), Role: RoleConsumer}}})
	if err == nil || !strings.Contains(err.Error(), "is Vaksam's own user's too") {
		t.Errorf("Vaksam's key for a consumer: %v", err)
	}
}

// A store written when clients were in the global account keeps its
// streams: they move to account VAKSAM.
func TestEmbeddedServerKeepsTheStreamsOfTheGlobalAccount(t *testing.T) {
	dir := t.TempDir()
	// The embedded server as it was: JetStream in the global account.
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: dir, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("not ready")
	}
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	if err := EnsureStreams(ctx, js); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := js.Publish(ctx, event.ActionRoot+".halt.5560021361", []byte(`{}`), jetstream.WithMsgID(fmt.Sprint("action.", i))); err != nil {
			t.Fatal(err)
		}
	}
	nc.Close()
	ns.Shutdown()
	ns.WaitForShutdown()

	srv, err := StartServer(ServerOptions{Dir: dir, Port: freePort(t), Vaksam: publicKey(t, vaksamKey)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	_, js = connectTestAs(t, srv.URL(), vaksamKey)
	got := readStream(t, js, ActionStream)
	if len(got) != 3 || got[2].MsgID != "action.2" {
		t.Errorf("after the move %s holds %+v, want the 3 actions", ActionStream, got)
	}
	if _, err := os.Stat(filepath.Join(dir, "jetstream", server.DEFAULT_GLOBAL_ACCOUNT)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the global account's directory is still there: %v", err)
	}
}
