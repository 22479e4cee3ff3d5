package bus

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/vaksam/vaksam/engine/excerpt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"

	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/record"
)

// Vaksam's NATS clients live in three accounts, on the embedded server as
// in docs/deploy/nats/nats.conf:
//
//   - VAKSAM holds the VAKSAM_* streams and Vaksam's own user, and no one
//     else. Only Vaksam publishes on vaksam.assessment.>, vaksam.alert.>
//     and vaksam.action.>, answers vaksam.screen and administers the
//     streams.
//   - VAKSAM_CONSUMERS holds the systems that read events and ask
//     pre-award checks. VAKSAM exports to it, as services, vaksam.screen,
//     $SRV.> (discovery) and the JetStream API subjects that read the
//     three event streams with consumers of their own; nothing that
//     creates, changes, purges or deletes a stream or a message, and
//     nothing of VAKSAM_INGEST.
//   - VAKSAM_PUSH holds the systems that push records: VAKSAM exports
//     vaksam.ingest.> to it, and each user may publish on its own
//     vaksam.ingest.<source> only.
//
// Clients are in accounts of their own, not users of VAKSAM with
// permissions, because a client chooses the reply subject of what it
// sends: in VAKSAM's account, a request to the JetStream API, to $SRV or
// to vaksam.screen with the reply subject vaksam.action.terminate.<orgnr>
// gets its answer stored in VAKSAM_ACTIONS. Across accounts, a reply goes
// back to the requester's own account, where no stream listens.
const (
	VaksamAccount   = "VAKSAM"
	ConsumerAccount = "VAKSAM_CONSUMERS"
	PushAccount     = "VAKSAM_PUSH"
)

// Roles of the embedded server's users besides Vaksam's own.
const (
	RoleConsumer = "consumer" // reads events, asks pre-award checks
	RoleIngest   = "ingest"   // publishes on vaksam.ingest.<source>
)

// User is a client of the embedded server.
type User struct {
	Name   string // for messages and logs
	NKey   string // the user's public NKey (U…); the client holds the seed
	Role   string // RoleConsumer or RoleIngest
	Source string // RoleIngest: the source it pushes, vaksam.ingest.<Source>
}

// Check says what is wrong with u, naming the field.
func (u User) Check() error {
	if !nkeys.IsValidPublicUserKey(u.NKey) {
		return fmt.Errorf("nkey: want a user's public NKey (56 characters starting with U), got %s", excerpt.Quote(u.NKey))
	}
	switch u.Role {
	case RoleConsumer:
		if u.Source != "" {
			return errors.New("source: only an ingest user has a source")
		}
	case RoleIngest:
		if !record.KnownSource(u.Source) {
			return fmt.Errorf("source: want one of %s, got %q", strings.Join(pushedSources, ", "), u.Source)
		}
		if err := pushable(u.Source); err != nil {
			return fmt.Errorf("source: %w", err)
		}
	default:
		return fmt.Errorf("role: want %s or %s, got %q", RoleConsumer, RoleIngest, u.Role)
	}
	return nil
}

// Export is a subject account VAKSAM exports as a service to another
// account, which imports it under the same subject.
type Export struct {
	Subject string
	// Streamed: a request may have several replies (discovery pings,
	// a pull request's batch of messages).
	Streamed bool
	To       string // the importing account
}

// Exports are everything account VAKSAM exports.
func Exports() []Export {
	c := func(subject string, streamed bool) Export {
		return Export{Subject: subject, Streamed: streamed, To: ConsumerAccount}
	}
	out := []Export{
		c(event.ScreenSubject, false),
		c("$SRV.>", true),
		c("$JS.API.INFO", false),
	}
	for _, s := range EventStreams() {
		out = append(out,
			c("$JS.API.STREAM.INFO."+s, false),
			c("$JS.API.STREAM.MSG.GET."+s, false),
			c("$JS.API.CONSUMER.CREATE."+s, false),
			c("$JS.API.CONSUMER.CREATE."+s+".>", false),
			c("$JS.API.CONSUMER.DURABLE.CREATE."+s+".*", false),
			c("$JS.API.CONSUMER.INFO."+s+".*", false),
			c("$JS.API.CONSUMER.DELETE."+s+".*", false),
			c("$JS.API.CONSUMER.NAMES."+s, false),
			c("$JS.API.CONSUMER.LIST."+s, false),
			c("$JS.API.CONSUMER.MSG.NEXT."+s+".*", true),
			c("$JS.ACK."+s+".>", false),
		)
	}
	return append(out, Export{Subject: event.IngestRoot + ".>", To: PushAccount})
}

// EventStreams names the streams consumers read: every stream but
// VAKSAM_INGEST, whose raw records may carry person numbers.
func EventStreams() []string {
	var out []string
	for _, s := range Streams() {
		if s.Name != IngestStream {
			out = append(out, s.Name)
		}
	}
	return out
}

// inbox is where a client's replies arrive.
const inbox = "_INBOX.>"

// ConsumerPermissions are a consumer's: publish on what VAKSAM exports to
// it, subscribe to its inbox. It cannot subscribe to vaksam.screen (and
// answer checks) or publish into another client's inbox.
func ConsumerPermissions() *server.Permissions {
	var pub []string
	for _, e := range Exports() {
		if e.To == ConsumerAccount {
			pub = append(pub, e.Subject)
		}
	}
	return &server.Permissions{
		Publish:   &server.SubjectPermission{Allow: pub},
		Subscribe: &server.SubjectPermission{Allow: []string{inbox}},
	}
}

// IngestPermissions are an ingest user's: publish on
// vaksam.ingest.<source>, subscribe to its inbox (JetStream's
// acknowledgements).
func IngestPermissions(source string) *server.Permissions {
	return &server.Permissions{
		Publish:   &server.SubjectPermission{Allow: []string{event.IngestRoot + "." + source}},
		Subscribe: &server.SubjectPermission{Allow: []string{inbox}},
	}
}

// anonymousUser is the user of clients that give no credentials when
// ServerOptions.Anonymous: Vaksam's equal in account VAKSAM.
const anonymousUser = "anonymous"

// authorization makes the accounts and users of o.
func (o ServerOptions) authorization() (accounts []*server.Account, nkeyUsers []*server.NkeyUser, users []*server.User, err error) {
	byName := map[string]*server.Account{}
	for _, name := range []string{VaksamAccount, ConsumerAccount, PushAccount} {
		byName[name] = server.NewAccount(name)
		accounts = append(accounts, byName[name])
	}
	vaksam := byName[VaksamAccount]
	for _, e := range Exports() {
		rt := server.Singleton
		if e.Streamed {
			rt = server.Streamed
		}
		to := byName[e.To]
		if err := vaksam.AddServiceExportWithResponse(e.Subject, rt, []*server.Account{to}); err != nil {
			return nil, nil, nil, fmt.Errorf("export %s: %w", e.Subject, err)
		}
		if err := to.AddServiceImport(vaksam, e.Subject, e.Subject); err != nil {
			return nil, nil, nil, fmt.Errorf("import %s into %s: %w", e.Subject, e.To, err)
		}
	}
	if o.Vaksam == "" && !o.Anonymous {
		return nil, nil, nil, errors.New("no key for Vaksam's own user (or run without authorization, Anonymous, on a loopback address)")
	}
	seen := map[string]string{}
	if o.Vaksam != "" {
		if !nkeys.IsValidPublicUserKey(o.Vaksam) {
			return nil, nil, nil, fmt.Errorf("the key %s for Vaksam's own user is not a user's public NKey", excerpt.Quote(o.Vaksam))
		}
		nkeyUsers = append(nkeyUsers, &server.NkeyUser{Nkey: o.Vaksam, Account: vaksam})
		seen[o.Vaksam] = "Vaksam's own user"
	}
	for i, u := range o.Users {
		if err := u.Check(); err != nil {
			return nil, nil, nil, fmt.Errorf("user %d (%s): %w", i+1, u.Name, err)
		}
		if prev, dup := seen[u.NKey]; dup {
			return nil, nil, nil, fmt.Errorf("user %d (%s): nkey %s is %s's too: one key, one user", i+1, u.Name, u.NKey, prev)
		}
		seen[u.NKey] = u.Name
		nu := &server.NkeyUser{Nkey: u.NKey, Account: byName[ConsumerAccount], Permissions: ConsumerPermissions()}
		if u.Role == RoleIngest {
			nu.Account, nu.Permissions = byName[PushAccount], IngestPermissions(u.Source)
		}
		nkeyUsers = append(nkeyUsers, nu)
	}
	if o.Anonymous {
		// No password opens it: clients without credentials are this
		// user (NoAuthUser).
		secret := make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return nil, nil, nil, err
		}
		users = append(users, &server.User{Username: anonymousUser, Password: hex.EncodeToString(secret), Account: vaksam})
	}
	return accounts, nkeyUsers, users, nil
}

// IsLoopback reports whether host names only this machine.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// moveGlobalStreams moves the streams of a store written before Vaksam
// had accounts, when clients were in the global account $G, into account
// VAKSAM, unless that account has streams already. JetStream keeps an
// account's streams in a directory named after the account.
func moveGlobalStreams(storeDir string) (bool, error) {
	old := filepath.Join(storeDir, "jetstream", server.DEFAULT_GLOBAL_ACCOUNT)
	dst := filepath.Join(storeDir, "jetstream", VaksamAccount)
	if _, err := os.Stat(filepath.Join(old, "streams")); err != nil {
		return false, nil
	}
	if _, err := os.Stat(dst); err == nil {
		return false, nil
	}
	if err := os.Rename(old, dst); err != nil {
		return false, fmt.Errorf("moving the streams of %s to %s: %w", old, dst, err)
	}
	return true, nil
}
