package access

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// LoginLimits bound failed logins in a sliding window. Zero fields take
// the defaults.
type LoginLimits struct {
	PerUser int           // failures per user name in Window: 5
	PerIP   int           // failures per client address in Window: 20
	Window  time.Duration // 15 minutes
}

// DefaultLoginLimits are the limits used for zero fields.
var DefaultLoginLimits = LoginLimits{PerUser: 5, PerIP: 20, Window: 15 * time.Minute}

// ErrThrottled is wrapped by a ThrottledError.
var ErrThrottled = errors.New("too many failed logins")

// ThrottledError refuses a login without checking the password because
// the user name or the client address failed too often lately.
type ThrottledError struct {
	RetryAfter time.Duration // when the oldest counted failure leaves the window
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("%v: try again in %s", ErrThrottled, e.RetryAfter.Round(time.Second))
}

func (e *ThrottledError) Unwrap() error { return ErrThrottled }

// throttle counts login attempts per user name and per client address.
// An attempt counts as a failure from the moment it starts (begin), so
// that parallel guesses cannot slip past the limit while their hashes are
// computed; a success takes it back.
type throttle struct {
	lim       LoginLimits
	mu        sync.Mutex
	users     map[string][]time.Time
	ips       map[string][]time.Time
	lastPrune time.Time
}

func newThrottle(l LoginLimits) *throttle {
	l.PerUser = or(l.PerUser, DefaultLoginLimits.PerUser)
	l.PerIP = or(l.PerIP, DefaultLoginLimits.PerIP)
	l.Window = or(l.Window, DefaultLoginLimits.Window)
	return &throttle{lim: l, users: map[string][]time.Time{}, ips: map[string][]time.Time{}}
}

// begin records an attempt at now, unless user or ip is locked: then it
// returns how long until it is not.
func (t *throttle) begin(user, ip string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.prune(now)
	wait := max(t.wait(t.users, user, t.lim.PerUser, now), t.wait(t.ips, ip, t.lim.PerIP, now))
	if wait > 0 {
		return wait
	}
	t.users[user] = append(t.users[user], now)
	t.ips[ip] = append(t.ips[ip], now)
	return 0
}

// succeeded takes back the attempt begun at `at`: the user's failures are
// forgotten, the address's attempt no longer counts.
func (t *throttle) succeeded(user, ip string, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.users, user)
	t.forget(t.ips, ip, at)
}

// cancel takes back an attempt that never checked a password.
func (t *throttle) cancel(user, ip string, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.forget(t.users, user, at)
	t.forget(t.ips, ip, at)
}

func (t *throttle) forget(m map[string][]time.Time, k string, at time.Time) {
	if i := slices.IndexFunc(m[k], at.Equal); i >= 0 {
		m[k] = slices.Delete(m[k], i, i+1)
	}
	if len(m[k]) == 0 {
		delete(m, k)
	}
}

// wait returns how long k stays locked: until enough of its failures have
// left the window that fewer than limit remain.
func (t *throttle) wait(m map[string][]time.Time, k string, limit int, now time.Time) time.Duration {
	ts := t.recent(m, k, now)
	if len(ts) < limit {
		return 0
	}
	return ts[len(ts)-limit].Add(t.lim.Window).Sub(now)
}

// recent drops k's failures that left the window and returns the rest.
func (t *throttle) recent(m map[string][]time.Time, k string, now time.Time) []time.Time {
	ts := m[k]
	i := 0
	for i < len(ts) && !now.Before(ts[i].Add(t.lim.Window)) {
		i++
	}
	if i == len(ts) {
		delete(m, k)
		return nil
	}
	ts = ts[i:]
	m[k] = ts
	return ts
}

// prune forgets keys whose failures all left the window, once per window.
func (t *throttle) prune(now time.Time) {
	if now.Sub(t.lastPrune) < t.lim.Window {
		return
	}
	t.lastPrune = now
	for _, m := range []map[string][]time.Time{t.users, t.ips} {
		for k := range m {
			t.recent(m, k, now)
		}
	}
}

// RemoteIP is the default client address: the host of r.RemoteAddr. An
// IPv6 address counts as its /64, since one client usually holds a whole
// /64. Behind a reverse proxy, give the Guard a ClientIP that reads the
// proxy's header instead, or all clients share the proxy's limit.
func RemoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return clientKey(host)
}

func clientKey(host string) string {
	a, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.WithZone("").Prefix(64)
		return p.String()
	}
	return a.String()
}
