package bus

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"

	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/sign"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/synthetic"
	"github.com/vaksam/vaksam/engine/watchlist"
	"github.com/vaksam/vaksam/rules"
	defaultpack "github.com/vaksam/vaksam/rules/default"
)

// Tests run against an embedded server, or against the server of
// VAKSAM_TEST_NATS_URL when it is set; then the VAKSAM_* streams are
// deleted before each test, so tests of this package never run in
// parallel.
const externalEnv = "VAKSAM_TEST_NATS_URL"

// testSigner signs what the tests publish and answer. Its key is fixed,
// so that the crash test's child process signs with the key the test
// verifies with (testKeys).
var testSigner = func() *sign.Signer {
	seed := sha256.Sum256([]byte("vaksam bus tests: not a deployment key"))
	s, err := sign.NewSigner(ed25519.NewKeyFromSeed(seed[:]))
	if err != nil {
		panic(err)
	}
	return s
}()

// testKeys trusts testSigner's key alone.
var testKeys = sign.NewKeys(testSigner.PublicKey())

// testNATS is the server a test talks to.
type testNATS struct {
	URL      string
	external bool
	srv      *Server
	dir      string
	port     int
	users    []User // besides Vaksam's own
}

// vaksamKey is Vaksam's own user on the tests' embedded servers. It is
// fixed, so that the crash test's child process has it too: a test key,
// not a deployment's.
var vaksamKey = func() nkeys.KeyPair {
	kp, err := nkeys.FromRawSeed(nkeys.PrefixByteUser, []byte("bus tests: not a deployment key."))
	if err != nil {
		panic(err)
	}
	return kp
}()

func publicKey(t testing.TB, kp nkeys.KeyPair) string {
	t.Helper()
	pub, err := kp.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// asVaksam are the options Vaksam connects to url with: its own key on an
// embedded server; none on the external server of VAKSAM_TEST_NATS_URL,
// which has no authorization.
func asVaksam(url, name string) ConnectOptions {
	o := ConnectOptions{URL: url, Name: name}
	if os.Getenv(externalEnv) == "" {
		o.NKey = vaksamKey
	}
	return o
}

// startNATS starts an embedded server with users besides Vaksam's own, or
// uses the external server of VAKSAM_TEST_NATS_URL (users cannot be given
// then: it has no authorization).
func startNATS(t testing.TB, users ...User) *testNATS {
	t.Helper()
	if u := os.Getenv(externalEnv); u != "" {
		if len(users) > 0 {
			t.Fatal("the external server has no users: start an embedded one (startEmbeddedNATS)")
		}
		tn := &testNATS{URL: u, external: true}
		_, js := connectTest(t, u)
		cleanStreams(t, js)
		return tn
	}
	return startEmbeddedNATS(t, users...)
}

// startEmbeddedNATS starts an embedded server whatever VAKSAM_TEST_NATS_URL
// says, for tests of what only the embedded server has: authorization.
func startEmbeddedNATS(t testing.TB, users ...User) *testNATS {
	t.Helper()
	tn := &testNATS{dir: filepath.Join(t.TempDir(), "nats"), port: freePort(t), users: users}
	tn.start(t)
	t.Cleanup(func() {
		if tn.srv != nil {
			tn.srv.Shutdown()
		}
	})
	return tn
}

func (tn *testNATS) start(t testing.TB) {
	t.Helper()
	srv, err := StartServer(ServerOptions{Dir: tn.dir, Port: tn.port, Name: "vaksam-test", Vaksam: publicKey(t, vaksamKey), Users: tn.users})
	if err != nil {
		t.Fatal(err)
	}
	tn.srv = srv
	tn.URL = srv.URL()
}

// stop shuts the embedded server down; its JetStream files stay.
func (tn *testNATS) stop(t testing.TB) {
	t.Helper()
	if tn.external {
		t.Fatal("cannot stop the external server")
	}
	tn.srv.Shutdown()
	tn.srv = nil
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// connectTest connects as Vaksam.
func connectTest(t testing.TB, url string) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	return connectWith(t, asVaksam(url, t.Name()))
}

// connectTestAs connects with kp, to an embedded server.
func connectTestAs(t testing.TB, url string, kp nkeys.KeyPair) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	return connectWith(t, ConnectOptions{URL: url, Name: t.Name(), NKey: kp})
}

func connectWith(t testing.TB, o ConnectOptions) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	nc, err := Connect(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return nc, js
}

func cleanStreams(t testing.TB, js jetstream.JetStream) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, cfg := range Streams() {
		if err := js.DeleteStream(ctx, cfg.Name); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
			t.Fatalf("delete stream %s: %v", cfg.Name, err)
		}
	}
}

// eventually polls fn until it succeeds or the deadline passes.
func eventually(t testing.TB, d time.Duration, fn func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		err := fn()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %v", d, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// population is a store holding a small synthetic population, and a
// screener on it that saves through the review desk.
type population struct {
	st       *store.Store
	sc       *screening.Screener
	desk     *review.Desk
	persons  record.Pseudonymizer
	manifest *synthetic.Manifest
	files    string // the synthetic files, in the sources' formats
	now      time.Time
}

var testNow = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

// generated caches the synthetic files of one size across tests;
// TestMain removes them.
var generated sync.Map

func TestMain(m *testing.M) {
	code := m.Run()
	generated.Range(func(_, g any) bool {
		os.RemoveAll(g.(gen).dir)
		return true
	})
	os.Exit(code)
}

type gen struct {
	dir string
	m   *synthetic.Manifest
}

func newPopulation(t testing.TB, dir string, orgs int) *population {
	t.Helper()
	st, err := store.Open(dir, store.Options{Small: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return populate(t, st, orgs)
}

func populate(t testing.TB, st *store.Store, orgs int) *population {
	t.Helper()
	persons, err := record.NewHMACPseudonymizer([]byte("bus tests: not a deployment secret"))
	if err != nil {
		t.Fatal(err)
	}
	key := strconv.Itoa(orgs)
	g, ok := generated.Load(key)
	if !ok {
		dir, err := os.MkdirTemp("", "vaksam-bus-synthetic-")
		if err != nil {
			t.Fatal(err)
		}
		m, err := synthetic.Generate(dir, synthetic.Config{Seed: 4, Orgs: orgs, Now: testNow})
		if err != nil {
			t.Fatal(err)
		}
		g, _ = generated.LoadOrStore(key, gen{dir, m})
	}
	gg := g.(gen)
	if _, err := gg.m.Ingest(context.Background(), &ingest.Ingester{Store: st}, gg.dir, persons); err != nil {
		t.Fatal(err)
	}
	putNobodyList(t, st, testNow.Add(-time.Hour))
	set, err := defaultpack.Load(rules.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	desk := &review.Desk{Store: st}
	sc, err := screening.NewScreener(st, func() *rules.Set { return set }, screening.DefaultConfig(), desk.OnSave)
	if err != nil {
		t.Fatal(err)
	}
	return &population{st: st, sc: sc, desk: desk, persons: persons, manifest: gg.m, files: gg.dir, now: testNow}
}

// received is one message read back from a stream.
type received struct {
	Subject string
	MsgID   string
	Header  nats.Header
	Data    []byte
	Seq     uint64
}

// readStream reads every message of a stream in stream order.
func readStream(t testing.TB, js jetstream.JetStream, stream string) []received {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := info.State.Msgs
	if n == 0 {
		return nil
	}
	c, err := js.OrderedConsumer(ctx, stream, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var out []received
	for uint64(len(out)) < n {
		batch, err := c.Fetch(int(min(n-uint64(len(out)), 1000)), jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		for m := range batch.Messages() {
			meta, _ := m.Metadata()
			out = append(out, received{Subject: m.Subject(), MsgID: m.Headers().Get(jetstream.MsgIDHeader),
				Header: m.Headers(), Data: m.Data(), Seq: meta.Sequence.Stream})
		}
		if err := batch.Error(); err != nil && !errors.Is(err, io.EOF) {
			t.Fatal(err)
		}
	}
	return out
}

// runPublisher runs a publisher until the test ends.
func runPublisher(t testing.TB, st *store.Store, js jetstream.JetStream) *Publisher {
	t.Helper()
	p := &Publisher{Store: st, JS: js, Signer: testSigner, Retry: 50 * time.Millisecond, MaxRetry: 500 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("publisher: %v", err)
		}
	})
	return p
}

// reingest imports the population's files again as observed at, except
// those of the named sources.
func (p *population) reingest(t testing.TB, at time.Time, except ...string) {
	t.Helper()
	m := *p.manifest
	m.Steps = nil
	for _, s := range p.manifest.Steps {
		if !slices.Contains(except, s.Source) {
			s.Observed = at
			m.Steps = append(m.Steps, s)
		}
	}
	if _, err := m.Ingest(context.Background(), &ingest.Ingester{Store: p.st}, p.files, p.persons); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(except, record.SanctionsFtM) {
		putNobodyList(t, p.st, at)
	}
}

// putNobodyList stores an OpenSanctions import (standing in for the EU
// list) observed at that names nobody: S18 checked.
func putNobodyList(t testing.TB, st *store.Store, at time.Time) {
	t.Helper()
	if _, err := st.Put(watchlist.Snapshot(record.SanctionsFtM, record.ListVersion{SHA256: "e0"}, nil, at)); err != nil {
		t.Fatal(err)
	}
}
