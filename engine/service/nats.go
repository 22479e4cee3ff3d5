package service

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"

	"github.com/nats-io/nkeys"

	"github.com/vaksam/vaksam/engine/bus"
)

// startNATS starts the embedded server unless a URL is configured, and
// returns the URL to connect to. The embedded server knows Vaksam by its
// own key: made at every start, held in memory only (v.key).
func (v *Vaksam) startNATS() (string, error) {
	c := v.opts.NATS
	if c.URL != "" {
		return c.URL, nil
	}
	listen := c.Listen
	if listen == "" {
		listen = "127.0.0.1:4222"
	}
	host, p, err := net.SplitHostPort(listen)
	if err != nil {
		return "", fmt.Errorf("nats-listen %q: %w", listen, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		return "", fmt.Errorf("nats-listen %q: bad port", listen)
	}
	if c.Listen == "" && !bus.PortFree(host, port) {
		v.log.Warn("port 4222 is taken (another NATS server?); the embedded server listens on a free port", "address", listen)
		port = -1
	}
	dir := filepath.Join(v.opts.Data, "nats")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", err
	}
	key, err := nkeys.CreateUser()
	if err != nil {
		return "", err
	}
	pub, err := key.PublicKey()
	if err != nil {
		return "", err
	}
	users := append(c.BusUsers(), v.opts.NATSUsers...)
	if len(users) == 0 && !c.Anonymous {
		v.log.Info("NATS: no client may log in but Vaksam: give consumers and ingest users keys in nats.users (vaksam config nkey)")
	}
	srv, err := bus.StartServer(bus.ServerOptions{Dir: dir, Host: host, Port: port, Name: "vaksam", Log: v.log,
		Vaksam: pub, Users: users, Anonymous: c.Anonymous})
	if err != nil {
		return "", err
	}
	v.embedded, v.key = srv, key
	v.life.Add("nats server", func(context.Context) error { srv.Shutdown(); return nil })
	return srv.URL(), nil
}

// connectOptions are Vaksam's own connection to url: the embedded
// server's key, or the configured credentials. A configured password or
// token that cannot be read is an error.
func (v *Vaksam) connectOptions(url string) (bus.ConnectOptions, error) {
	c := v.opts.NATS
	opts := bus.ConnectOptions{URL: url, Name: "vaksam", CredsFile: c.CredsFile, NKeyFile: c.NKeyFile, NKey: v.key,
		User: c.User, CAFile: c.CAFile, CertFile: c.CertFile, KeyFile: c.KeyFile, Log: v.log}
	var err error
	if c.Password.IsSet() {
		if opts.Password, err = c.Password.Value("nats.password"); err != nil {
			return opts, err
		}
	}
	if c.Token.IsSet() {
		if opts.Token, err = c.Token.Value("nats.token"); err != nil {
			return opts, err
		}
	}
	return opts, nil
}

// WriteSeed writes an NKey seed to a file only its owner can read;
// replace: an existing file is overwritten, else refused.
func WriteSeed(file string, seed []byte, replace bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if replace {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(file, flags, 0o600)
	if err != nil {
		return err
	}
	// An existing file keeps its mode on open.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(append(seed, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
