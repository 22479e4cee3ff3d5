package settings

import (
	"fmt"
	"net"
	"strings"

	"github.com/vaksam/vaksam/engine/bus"
)

// NATSUser is a client of the embedded NATS server (nats.users): it
// logs in with the seed of its NKey, the server knows its public key.
type NATSUser struct {
	Name   string `yaml:"name"`
	Role   string `yaml:"role"`   // consumer: reads events, asks checks; ingest: pushes records
	Source string `yaml:"source"` // an ingest user's source: it publishes on vaksam.ingest.<source> only
	NKey   string `yaml:"nkey"`   // its public NKey (U…), made with vaksam config nkey
}

func (u NATSUser) bus() bus.User {
	return bus.User{Name: u.Name, NKey: u.NKey, Role: u.Role, Source: u.Source}
}

// BusUsers are the embedded server's clients the configuration names.
func (c NATS) BusUsers() []bus.User {
	out := make([]bus.User, len(c.Users))
	for i, u := range c.Users {
		out[i] = u.bus()
	}
	return out
}

// checkNATSAuth finds the problems of nats.users and nats.anonymous.
func checkNATSAuth(c NATS, add func(path, format string, a ...any)) {
	if c.URL != "" {
		if len(c.Users) > 0 {
			add("nats.users", "only for the embedded server: with nats.url, the NATS server's own configuration authorizes its clients (docs/events.md)")
		}
		if c.Anonymous {
			add("nats.anonymous", "only for the embedded server: with nats.url, the NATS server's own configuration authorizes its clients")
		}
	}
	if c.Anonymous && c.Listen != "" {
		if host, _, err := net.SplitHostPort(c.Listen); err == nil && host != "" && !bus.IsLoopback(host) {
			add("nats.anonymous", "the embedded server listens on %s: without authorization it may listen only on a loopback address such as 127.0.0.1", c.Listen)
		}
	}
	names, keys := map[string]int{}, map[string]int{}
	for i, u := range c.Users {
		at := fmt.Sprintf("nats.users[%d]", i)
		if strings.TrimSpace(u.Name) == "" {
			add(at+".name", "missing: name the system that uses the key")
		} else if j, dup := names[u.Name]; dup {
			add(at+".name", "%q is nats.users[%d]'s name too", u.Name, j)
		} else {
			names[u.Name] = i
		}
		if err := u.bus().Check(); err != nil {
			field, msg, _ := strings.Cut(err.Error(), ": ")
			add(at+"."+field, "%s", msg)
			continue
		}
		if j, dup := keys[u.NKey]; dup {
			add(at+".nkey", "nats.users[%d] has this key too: one key, one user", j)
		} else {
			keys[u.NKey] = i
		}
	}
}
