package bus

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// ServerOptions configure the embedded nats-server.
type ServerOptions struct {
	// Dir holds JetStream's files (the data directory's nats/).
	Dir string
	// Host and Port to listen on; Port -1 picks a free port, 0 means 4222.
	Host string
	Port int
	// Name of the server in its logs and in $SRV replies.
	Name string
	Log  *slog.Logger

	// Vaksam is the public NKey of Vaksam's own user, the only user of
	// account VAKSAM (see VaksamAccount).
	Vaksam string
	// Users are the other clients: consumers and ingest users.
	Users []User
	// Anonymous lets clients without credentials in as Vaksam's equals:
	// no authorization at all. Only on a loopback address.
	Anonymous bool
}

// Server is an embedded nats-server with JetStream.
type Server struct {
	ns *server.Server
}

// StartServer starts an embedded nats-server with JetStream, its store in
// o.Dir, its clients in the accounts described at VaksamAccount, and
// waits until it accepts connections.
func StartServer(o ServerOptions) (*Server, error) {
	if o.Dir == "" {
		return nil, errors.New("bus: embedded server: no JetStream directory")
	}
	host := o.Host
	if host == "" {
		host = "127.0.0.1"
	}
	port := o.Port
	if port == 0 {
		port = 4222
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	if o.Anonymous && !IsLoopback(host) {
		return nil, fmt.Errorf("bus: embedded server: listening on %s without authorization would let anyone who reaches it publish actions, answer pre-award checks and purge the streams; listen on a loopback address (127.0.0.1) or give the clients keys", addr)
	}
	accounts, nkeyUsers, users, err := o.authorization()
	if err != nil {
		return nil, fmt.Errorf("bus: embedded server: %w", err)
	}
	moved, err := moveGlobalStreams(o.Dir)
	if err != nil {
		return nil, fmt.Errorf("bus: embedded server: %w", err)
	}
	if moved && o.Log != nil {
		o.Log.Info("NATS: the streams of the global account moved to account " + VaksamAccount)
	}
	opts := &server.Options{
		ServerName: o.Name,
		Host:       host,
		Port:       port,
		JetStream:  true,
		StoreDir:   o.Dir,
		NoSigs:     true,
		// The server's own limits: a payload up to 8 MiB carries a large
		// ingest batch.
		MaxPayload: 8 << 20,
		Accounts:   accounts,
		Nkeys:      nkeyUsers,
		Users:      users,
	}
	if o.Anonymous {
		opts.NoAuthUser = anonymousUser
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("bus: embedded server: %w", err)
	}
	if o.Log != nil {
		ns.SetLoggerV2(serverLogger{o.Log.With("component", "nats-server")}, false, false, false)
	}
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		ns.Shutdown()
		return nil, fmt.Errorf("bus: embedded server on %s: not ready after 10s (is the port taken?)", addr)
	}
	// JetStream for account VAKSAM, without limits of its own, as the
	// global account had it; its streams are restored here.
	acc, err := ns.LookupAccount(VaksamAccount)
	if err == nil {
		err = acc.EnableJetStream(nil, nil)
	}
	if err != nil {
		ns.Shutdown()
		return nil, fmt.Errorf("bus: embedded server: JetStream for account %s: %w", VaksamAccount, err)
	}
	return &Server{ns: ns}, nil
}

// URL is the client URL of the server.
func (s *Server) URL() string { return s.ns.ClientURL() }

// Shutdown stops the server and waits until it is down.
func (s *Server) Shutdown() {
	s.ns.Shutdown()
	s.ns.WaitForShutdown()
}

// PortFree reports whether host:port can be listened on.
func PortFree(host string, port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// serverLogger routes the server's log into slog.
type serverLogger struct{ l *slog.Logger }

func (s serverLogger) Noticef(f string, a ...any) { s.l.Info(fmt.Sprintf(f, a...)) }
func (s serverLogger) Warnf(f string, a ...any)   { s.l.Warn(fmt.Sprintf(f, a...)) }
func (s serverLogger) Fatalf(f string, a ...any)  { s.l.Error(fmt.Sprintf(f, a...)) }
func (s serverLogger) Errorf(f string, a ...any)  { s.l.Error(fmt.Sprintf(f, a...)) }
func (s serverLogger) Debugf(f string, a ...any)  {}
func (s serverLogger) Tracef(f string, a ...any)  {}
