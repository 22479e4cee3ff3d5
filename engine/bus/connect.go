package bus

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
)

// ConnectOptions say how to reach a NATS server or cluster.
type ConnectOptions struct {
	URL  string // one or more URLs, comma separated
	Name string // the connection's name in the server's monitoring

	CredsFile string        // a JWT credentials file
	NKeyFile  string        // an NKey seed file
	NKey      nkeys.KeyPair // an NKey held in memory (Vaksam's own, on the embedded server)
	User      string
	Password  string
	Token     string

	CAFile   string // trust these CAs for the server's certificate
	CertFile string // a client certificate (mutual TLS)
	KeyFile  string

	// Once: a first connection that fails (the server unreachable, the
	// credentials refused) is an error at once, for commands that ask and
	// exit; else Connect keeps trying.
	Once bool

	Log *slog.Logger
}

// Connect connects to NATS. The connection keeps trying for ever (unless
// o.Once): Vaksam starts and works while NATS is down, and its outbox
// holds the events.
// Publishing while disconnected fails at once instead of buffering, so
// the outbox stays the only place an unacknowledged event lives.
func Connect(o ConnectOptions) (*nats.Conn, error) {
	if o.URL == "" {
		return nil, errors.New("bus: connect: no URL")
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opts := []nats.Option{
		nats.Name(o.Name),
		nats.RetryOnFailedConnect(!o.Once),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(500 * time.Millisecond),
		nats.ReconnectJitter(250*time.Millisecond, time.Second),
		nats.ReconnectBufSize(-1),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil { // nil: closed on purpose
				log.Warn("NATS disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(c *nats.Conn) {
			log.Info("NATS reconnected", "url", c.ConnectedUrlRedacted())
		}),
		nats.ConnectHandler(func(c *nats.Conn) {
			log.Info("NATS connected", "url", c.ConnectedUrlRedacted())
		}),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			subj := ""
			if sub != nil {
				subj = sub.Subject
			}
			log.Error("NATS error", "subject", subj, "err", err)
		}),
	}
	if o.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(o.CredsFile))
	}
	if o.NKeyFile != "" {
		opt, err := nats.NkeyOptionFromSeed(o.NKeyFile)
		if err != nil {
			return nil, fmt.Errorf("bus: nkey %s: %w", o.NKeyFile, err)
		}
		opts = append(opts, opt)
	}
	if o.NKey != nil {
		pub, err := o.NKey.PublicKey()
		if err != nil {
			return nil, fmt.Errorf("bus: nkey: %w", err)
		}
		opts = append(opts, nats.Nkey(pub, o.NKey.Sign))
	}
	if o.User != "" {
		opts = append(opts, nats.UserInfo(o.User, o.Password))
	}
	if o.Token != "" {
		opts = append(opts, nats.Token(o.Token))
	}
	if o.CAFile != "" {
		opts = append(opts, nats.RootCAs(o.CAFile))
	}
	if o.CertFile != "" || o.KeyFile != "" {
		if o.CertFile == "" || o.KeyFile == "" {
			return nil, errors.New("bus: connect: a client certificate needs both cert_file and key_file")
		}
		opts = append(opts, nats.ClientCert(o.CertFile, o.KeyFile))
	}
	nc, err := nats.Connect(o.URL, opts...)
	if err != nil {
		return nil, fmt.Errorf("bus: connect %s: %w", RedactURL(o.URL), err)
	}
	return nc, nil
}

// RedactURL hides the passwords and tokens in NATS URLs (comma
// separated).
func RedactURL(urls string) string {
	parts := strings.Split(urls, ",")
	for i, p := range parts {
		u, err := url.Parse(strings.TrimSpace(p))
		switch {
		case err != nil:
			if at := strings.LastIndex(p, "@"); at >= 0 {
				parts[i] = "xxxxx" + p[at:]
			}
		case u.User != nil:
			if _, ok := u.User.Password(); ok {
				u.User = url.UserPassword(u.User.Username(), "xxxxx")
			} else {
				u.User = url.User("xxxxx") // a token
			}
			parts[i] = u.String()
		}
	}
	return strings.Join(parts, ",")
}
