package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/record"
)

// The tests' NATS clients log in with fixed keys, made from their names:
// test keys, not a deployment's. The serve tests name them in
// nats.users (testNATSConfig): a consumer, and an ingest user for each
// source the tests push.
func testKey(t testing.TB, name string) nkeys.KeyPair {
	t.Helper()
	raw := sha256.Sum256([]byte("cmd/vaksam tests: " + name))
	kp, err := nkeys.FromRawSeed(nkeys.PrefixByteUser, raw[:])
	if err != nil {
		t.Fatal(err)
	}
	return kp
}

func testPublicKey(t testing.TB, kp nkeys.KeyPair) string {
	t.Helper()
	pub, err := kp.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// testKeyFile writes the named test key's seed to a file, for --nats-nkey.
func testKeyFile(t testing.TB, name string) string {
	t.Helper()
	seed, err := testKey(t, name).Seed()
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), name+".nk")
	if err := os.WriteFile(file, seed, 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// The tests' clients.
const (
	consumerKey = "consumer"
	vaksamKey   = "vaksam" // Vaksam's own, on servers the tests start
)

func ingestKey(source string) string { return "ingest-" + source }

// testPushed are the sources the tests push records of.
var testPushed = []string{record.Kronofogden, record.Bolagsverket}

// testNATSUsers are the test clients of a server: the consumer and the
// ingest users.
func testNATSUsers(t testing.TB) []bus.User {
	t.Helper()
	users := []bus.User{{Name: consumerKey, Role: bus.RoleConsumer, NKey: testPublicKey(t, testKey(t, consumerKey))}}
	for _, s := range testPushed {
		users = append(users, bus.User{Name: ingestKey(s), Role: bus.RoleIngest, Source: s, NKey: testPublicKey(t, testKey(t, ingestKey(s)))})
	}
	return users
}

// testNATSConfig writes a configuration whose nats.users are the test
// clients, and returns its file.
func testNATSConfig(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("nats:\n  users:\n")
	for _, u := range testNATSUsers(t) {
		fmt.Fprintf(&b, "    - {name: %s, role: %s, nkey: %s", u.Name, u.Role, u.NKey)
		if u.Source != "" {
			fmt.Fprintf(&b, ", source: %s", u.Source)
		}
		b.WriteString("}\n")
	}
	file := filepath.Join(t.TempDir(), "nats-users.yaml")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// startTestNATS starts an embedded server with Vaksam's test key and the
// test clients, as the server Vaksam connects to with --nats.
func startTestNATS(dir, host string, port int, t testing.TB) (*bus.Server, error) {
	return bus.StartServer(bus.ServerOptions{Dir: dir, Host: host, Port: port, Name: "test",
		Vaksam: testPublicKey(t, testKey(t, vaksamKey)), Users: testNATSUsers(t)})
}

// withTestNATSUsers adds the test clients' configuration to serve's
// arguments when they start the embedded server without a configuration
// of their own.
func withTestNATSUsers(t testing.TB, args []string) []string {
	t.Helper()
	for _, a := range args {
		if a == "--config" || a == "--demo" || a == "--nats" {
			return args
		}
	}
	return append(args, "--config", testNATSConfig(t))
}

// connectAs connects to url with kp.
func connectAs(t testing.TB, url string, kp nkeys.KeyPair) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	pub := testPublicKey(t, kp)
	nc, err := nats.Connect(url, nats.Name(t.Name()), nats.Nkey(pub, kp.Sign))
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

// pusher connects as the ingest user of source.
func pusher(t testing.TB, url, source string) jetstream.JetStream {
	t.Helper()
	if !slices.Contains(testPushed, source) {
		t.Fatalf("no test ingest user for %s", source)
	}
	_, js := connectAs(t, url, testKey(t, ingestKey(source)))
	return js
}

// demoKeyLine is a demo key in serve --demo's output: its name and file.
var demoKeyLine = regexp.MustCompile(`(?m)^    (consumer|ingest-[a-z-]+) +(\S+\.nk)   \(`)

// demoKeyFile is the file of the named demo key serve --demo printed.
func demoKeyFile(t testing.TB, srv *proc, name string) string {
	t.Helper()
	for _, m := range demoKeyLine.FindAllStringSubmatch(srv.out.String(), -1) {
		if m[1] == name {
			return m[2]
		}
	}
	t.Fatalf("serve --demo printed no NATS key %s:\n%s", name, srv.out)
	return ""
}

// demoKey reads the named demo key from its file.
func demoKey(t testing.TB, srv *proc, name string) nkeys.KeyPair {
	t.Helper()
	b, err := os.ReadFile(demoKeyFile(t, srv, name))
	if err != nil {
		t.Fatal(err)
	}
	kp, err := nkeys.ParseDecoratedNKey(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return kp
}

// refusals connects with kp and returns a function that runs one
// operation (a publish, a subscription) and waits for the server's
// permissions violation naming want.
func refusals(t *testing.T, url string, kp nkeys.KeyPair) (*nats.Conn, func(do func(*nats.Conn) error, want string)) {
	t.Helper()
	errs := make(chan error, 16)
	nc, err := nats.Connect(url, nats.Nkey(testPublicKey(t, kp), kp.Sign),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { errs <- err }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc, func(do func(*nats.Conn) error, want string) {
		t.Helper()
		if err := do(nc); err != nil {
			t.Fatalf("%s: %v", want, err)
		}
		if err := nc.Flush(); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-errs:
			if !errors.Is(err, nats.ErrPermissionViolation) || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: got %v, want the server's permissions violation", want, err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("%s: allowed (no permissions violation within 10s)", want)
		}
	}
}

// serve --demo: a client without credentials is refused; the demo's
// consumer key, printed with the commands that use it, reads events and
// asks checks and is refused the rest; its ingest key pushes its own
// source only.
func TestServeDemoNATSKeys(t *testing.T) {
	clock := connectors.NewManualClock(serveNow)
	data := filepath.Join(t.TempDir(), "demo")
	srv, url := serve(t, clock, data, "--demo", "--demo-orgs", "150",
		"--nats-listen", "127.0.0.1:"+strconv.Itoa(freeTCPPort(t)), "--http", "127.0.0.1:0")
	consumer, push := demoKeyFile(t, srv, "consumer"), demoKeyFile(t, srv, "ingest-kronofogden")

	// The keys' seeds, only for their owner, in the demo's data directory.
	dir := filepath.Join(data, "nats-credentials")
	for f, mode := range map[string]os.FileMode{dir: 0o700 | os.ModeDir, consumer: 0o600, push: 0o600} {
		info, err := os.Stat(f)
		if err != nil || info.Mode() != mode || (f != dir && filepath.Dir(f) != dir) {
			t.Errorf("%s: %v, %v; want mode %v in %s", f, info.Mode(), err, mode, dir)
		}
	}
	out := srv.out.String()
	for _, want := range []string{
		"vaksam check --nats " + url + " --nats-nkey " + consumer + " ORGNR",
		"vaksam watch --nats " + url + " --nats-nkey " + consumer,
		"nats --server " + url + " --nkey " + consumer + " req vaksam.screen '{\"orgnr\":\"ORGNR\",\"purpose\":\"award\"}'",
		"nats --server " + url + " --nkey " + push + " pub vaksam.ingest.kronofogden --header Vaksam-Observed:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("serve --demo does not print %q:\n%s", want, out)
		}
	}

	t.Run("without credentials refused", func(t *testing.T) {
		if _, err := nats.Connect(url); !errors.Is(err, nats.ErrAuthorization) {
			t.Errorf("a client without credentials: %v, want %v", err, nats.ErrAuthorization)
		}
		if _, err := nats.Connect(url, nats.Nkey(testPublicKey(t, testKey(t, "stranger")), testKey(t, "stranger").Sign)); !errors.Is(err, nats.ErrAuthorization) {
			t.Errorf("a client with an unknown key: %v, want %v", err, nats.ErrAuthorization)
		}
		for _, args := range [][]string{{"check", "--nats", url, sampleOrg}, {"watch", "--nats", url, "--replay"}} {
			code, _, errOut := run(t, args...)
			if code != exitFailure || !strings.Contains(strings.ToLower(errOut), "authorization violation") {
				t.Errorf("%s without a key: exit %d, stderr %q; want 1 and the authorization violation", args[0], code, errOut)
			}
		}
	})

	// The commands as printed: an organisation's event, then its check.
	var orgnr string
	t.Run("consumer reads events and asks checks", func(t *testing.T) {
		w := start(t, clock, "watch", "--nats", url, "--nats-nkey", consumer, "--replay", "--count", "1", "--json", "vaksam.assessment.>")
		if code, ok := w.wait(30 * time.Second); !ok || code != exitOK {
			t.Fatalf("watch: exit %d (ended %v)\n%s", code, ok, w)
		}
		lines := watchLines(t, w.out.String())
		var a assessmentEvent
		if len(lines) != 1 || json.Unmarshal(lines[0].Data, &a) != nil || a.Orgnr == "" {
			t.Fatalf("watch printed %s", w.out)
		}
		orgnr = a.Orgnr
		code, stdout, errOut := run(t, "check", "--nats", url, "--nats-nkey", consumer, "--json", orgnr)
		if !slices.Contains([]int{exitOK, exitReview, exitBlock}, code) || !strings.Contains(stdout, `"verdict"`) {
			t.Errorf("check %s: exit %d\n%s%s", orgnr, code, stdout, errOut)
		}
	})

	t.Run("consumer refused", func(t *testing.T) {
		_, refused := refusals(t, url, demoKey(t, srv, "consumer"))
		refused(func(nc *nats.Conn) error { return nc.Publish("vaksam.action.terminate."+sampleOrg, []byte(`{}`)) },
			`Publish to "vaksam.action.terminate.`+sampleOrg+`"`)
		refused(func(nc *nats.Conn) error { _, err := nc.QueueSubscribeSync("vaksam.screen", "q"); return err },
			`Subscription to "vaksam.screen" using queue "q"`)
		refused(func(nc *nats.Conn) error {
			return nc.PublishRequest("$JS.API.STREAM.PURGE."+bus.ActionStream, nats.NewInbox(), nil)
		}, `Publish to "$JS.API.STREAM.PURGE.VAKSAM_ACTIONS"`)
		refused(func(nc *nats.Conn) error {
			return nc.PublishRequest("$JS.API.STREAM.DELETE."+bus.ActionStream, nats.NewInbox(), nil)
		}, `Publish to "$JS.API.STREAM.DELETE.VAKSAM_ACTIONS"`)
		line := kronofogdenLine("2026-11-20", 0)
		refused(func(nc *nats.Conn) error { return nc.Publish("vaksam.ingest.kronofogden", line) }, `Publish to "vaksam.ingest.kronofogden"`)
	})

	t.Run("ingest user pushes its own source only", func(t *testing.T) {
		nc, refused := refusals(t, url, demoKey(t, srv, "ingest-kronofogden"))
		js, err := jetstream.New(nc)
		if err != nil {
			t.Fatal(err)
		}
		m := nats.NewMsg("vaksam.ingest.kronofogden")
		m.Header.Set(bus.HeaderObserved, "2026-11-20")
		m.Data = kronofogdenLine("2026-11-20", 0)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if ack, err := js.PublishMsg(ctx, m); err != nil || ack.Stream != bus.IngestStream {
			t.Errorf("push: %+v, %v", ack, err)
		}
		refused(func(nc *nats.Conn) error { return nc.Publish("vaksam.ingest.roles", []byte(`{}`)) }, `Publish to "vaksam.ingest.roles"`)
		refused(func(nc *nats.Conn) error { return nc.Publish("vaksam.action.halt."+sampleOrg, []byte(`{}`)) },
			`Publish to "vaksam.action.halt.`+sampleOrg+`"`)
		refused(func(nc *nats.Conn) error { _, err := nc.SubscribeSync("vaksam.ingest.>"); return err }, `Subscription to "vaksam.ingest.>"`)
	})
}

func TestConfigNKey(t *testing.T) {
	code, out, errOut := run(t, "config", "nkey")
	lines := strings.Fields(out)
	if code != exitOK || len(lines) != 2 {
		t.Fatalf("config nkey: exit %d, %q %s", code, out, errOut)
	}
	kp, err := nkeys.FromSeed([]byte(lines[0]))
	if err != nil || testPublicKey(t, kp) != lines[1] || !nkeys.IsValidPublicUserKey(lines[1]) {
		t.Errorf("seed %.4s…, public %s: %v; want a user's seed and its public key", lines[0], lines[1], err)
	}

	file := filepath.Join(t.TempDir(), "upphandling.nk")
	code, out, errOut = run(t, "config", "nkey", "--seed-file", file)
	pub := strings.TrimSpace(out)
	if code != exitOK || !nkeys.IsValidPublicUserKey(pub) {
		t.Fatalf("config nkey --seed-file: exit %d, %q %s", code, out, errOut)
	}
	info, err := os.Stat(file)
	if err != nil || info.Mode() != 0o600 {
		t.Errorf("%s: %v, %v; want mode 0600", file, info, err)
	}
	// The file is what clients read: nats.go's seed file.
	opt, err := nats.NkeyOptionFromSeed(file)
	if err != nil || opt == nil {
		t.Errorf("nats.go reads %s: %v", file, err)
	}
	seed, _ := os.ReadFile(file)
	if kp, err := nkeys.ParseDecoratedNKey(seed); err != nil || testPublicKey(t, kp) != pub {
		t.Errorf("the seed file's key is not the printed one: %v", err)
	}
	// A key is never replaced.
	code, _, errOut = run(t, "config", "nkey", "--seed-file", file)
	if after, _ := os.ReadFile(file); code != exitFailure || !strings.Contains(errOut, "exists") || string(after) != string(seed) {
		t.Errorf("a second config nkey on the file: exit %d, %s", code, errOut)
	}
}

// nats.anonymous opens the embedded server to clients without
// credentials, on a loopback address only.
func TestServeAnonymousNATSOnlyOnLoopback(t *testing.T) {
	testSigningKey(t)
	data := sampleData(t)
	cfg := filepath.Join(t.TempDir(), "vaksam.yaml")
	if err := os.WriteFile(cfg, []byte("nats:\n  anonymous: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	clock := connectors.NewManualClock(serveNow)
	p := start(t, clock, "serve", "--data", data, "--config", cfg, "--nats-listen", "0.0.0.0:"+strconv.Itoa(freeTCPPort(t)), "--http", "127.0.0.1:0")
	if code, ended := p.wait(20 * time.Second); !ended || code != exitFailure || !strings.Contains(p.errOut.String(), "without authorization") {
		t.Errorf("anonymous on every address: exit %d (ended %v)\n%s", code, ended, p)
	}

	srv, url := serve(t, clock, data, "--config", cfg, "--nats-listen", "127.0.0.1:"+strconv.Itoa(freeTCPPort(t)), "--http", "127.0.0.1:0")
	if !strings.Contains(srv.out.String(), "no authorization") {
		t.Errorf("serve does not say its NATS has no authorization:\n%s", srv.out)
	}
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatalf("a client without credentials on loopback: %v", err)
	}
	defer nc.Close()
	var reply *nats.Msg
	eventually(t, 10*time.Second, "a reply from vaksam.screen", func() (err error) {
		reply, err = nc.Request("vaksam.screen", []byte(`{"orgnr":"`+sampleOrg+`","purpose":"award"}`), 5*time.Second)
		return err
	})
	if reply.Header.Get("Nats-Service-Error-Code") != "" {
		t.Errorf("check: %s", reply.Header.Get("Nats-Service-Error"))
	}
}
