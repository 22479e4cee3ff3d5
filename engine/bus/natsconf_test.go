package bus

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/vaksam/vaksam/engine/record"
)

// composeNATSConf is the NATS server's configuration in docker-compose.yml.
const composeNATSConf = "../../docs/deploy/nats/nats.conf"

// ingestExample is the example ingest user the file shows, commented out.
var ingestExample = regexp.MustCompile(`(?m)^\s*#\s*(\{nkey: UBX…, (permissions: .*)\})\s*$`)

// The server of docker-compose.yml, from its nats.conf, with the keys
// compose would give it and its example ingest user: the same accounts
// and permissions as the embedded server, each shown both ways.
func TestComposeNATSConfig(t *testing.T) {
	vaksam, consumer, push := newUserKey(t), newUserKey(t), newUserKey(t)
	t.Setenv("VAKSAM_NATS_NKEY", publicKey(t, vaksam))
	t.Setenv("VAKSAM_NATS_CONSUMER_NKEY", publicKey(t, consumer))
	conf, err := os.ReadFile(composeNATSConf)
	if err != nil {
		t.Fatal(err)
	}
	m := ingestExample.FindSubmatch(conf)
	if m == nil {
		t.Fatalf("%s shows no example ingest user (# {nkey: UBX…, permissions: …})", composeNATSConf)
	}
	// The example, uncommented with a real key, in VAKSAM_PUSH's users.
	withIngest := regexp.MustCompile(`(?s)(VAKSAM_PUSH: \{.*?users: \[)`).ReplaceAll(conf,
		[]byte("${1}\n      {nkey: "+publicKey(t, push)+", "+string(m[2])+"}"))
	opts := &server.Options{}
	if err := opts.ProcessConfigString(string(withIngest)); err != nil {
		t.Fatalf("%s: %v", composeNATSConf, err)
	}

	want := map[string]struct {
		account string
		perms   *server.Permissions
	}{
		publicKey(t, vaksam):   {VaksamAccount, nil},
		publicKey(t, consumer): {ConsumerAccount, ConsumerPermissions()},
		publicKey(t, push):     {PushAccount, IngestPermissions(record.Kronofogden)},
	}
	if len(opts.Nkeys) != len(want) || len(opts.Users) != 0 {
		t.Errorf("%d nkey users and %d other users, want the %d of compose", len(opts.Nkeys), len(opts.Users), len(want))
	}
	for _, u := range opts.Nkeys {
		w, ok := want[u.Nkey]
		if !ok {
			t.Errorf("unknown user %s", u.Nkey)
			continue
		}
		if u.Account == nil || u.Account.Name != w.account {
			t.Errorf("user %s in account %v, want %s", u.Nkey, u.Account, w.account)
		}
		if !samePermissions(u.Permissions, w.perms) {
			t.Errorf("account %s's user: permissions %s, want %s", w.account, describePermissions(u.Permissions), describePermissions(w.perms))
		}
	}

	// Compose's addresses and volume are the test's.
	opts.Host, opts.Port, opts.HTTPPort, opts.StoreDir, opts.NoSigs = "127.0.0.1", -1, 0, t.TempDir(), true
	ns, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("not ready")
	}
	checkAuthorization(t, newAuthWorld(t, ConnectOptions{URL: ns.ClientURL(), NKey: vaksam}, withKey(t, consumer), withKey(t, push), record.Kronofogden))
}

func samePermissions(a, b *server.Permissions) bool {
	if a == nil || b == nil {
		return a == b
	}
	same := func(x, y *server.SubjectPermission) bool {
		if x == nil || y == nil {
			return x == y
		}
		return slices.Equal(slices.Sorted(slices.Values(x.Allow)), slices.Sorted(slices.Values(y.Allow))) &&
			slices.Equal(slices.Sorted(slices.Values(x.Deny)), slices.Sorted(slices.Values(y.Deny)))
	}
	return same(a.Publish, b.Publish) && same(a.Subscribe, b.Subscribe) && (a.Response == nil) == (b.Response == nil)
}

func describePermissions(p *server.Permissions) string {
	if p == nil {
		return "none (everything in its account)"
	}
	s := func(x *server.SubjectPermission) any {
		if x == nil {
			return nil
		}
		return *x
	}
	return fmt.Sprintf("publish %+v, subscribe %+v, responses %+v", s(p.Publish), s(p.Subscribe), p.Response)
}
