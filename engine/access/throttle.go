package access

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"
)

// LoginLimits slow failed logins down with delays that grow; nothing is
// ever locked. Zero fields take the defaults.
type LoginLimits struct {
	// PerPair is how many failures a (user name, client address) pair has
	// before its delays start: 3.
	PerPair int
	// PerIP is how many failures a client address has, whatever the user
	// names, before its delays start: 20.
	PerIP int
	// Delay is the first delay; each further failure doubles it: 1s.
	Delay time.Duration
	// MaxDelay is the longest delay: 15 minutes.
	MaxDelay time.Duration
	// Forget is how long after its last failure a pair's or an address's
	// failures are forgotten: 1 hour.
	Forget time.Duration
}

// DefaultLoginLimits are the limits used for zero fields.
var DefaultLoginLimits = LoginLimits{PerPair: 3, PerIP: 20, Delay: time.Second, MaxDelay: 15 * time.Minute, Forget: time.Hour}

// ErrThrottled is wrapped by a ThrottledError.
var ErrThrottled = errors.New("too many failed logins")

// ThrottledError refuses a login without checking the password because
// this user name failed too often lately from this client address, or the
// address failed too often for any user name.
type ThrottledError struct {
	RetryAfter time.Duration // until the current delay has passed
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("%v: try again in %s", ErrThrottled, e.RetryAfter.Round(time.Second))
}

func (e *ThrottledError) Unwrap() error { return ErrThrottled }

// failures is a key's count of failed attempts and when the last began.
type failures struct {
	n    int
	last time.Time
}

// throttle counts failed login attempts per (user name, address) pair and
// per address. An attempt counts as a failure from the moment it starts
// (begin), so that parallel guesses cannot slip past a delay while their
// hashes are computed; a success takes it back.
//
// A key with n failures, n at least its free count, waits
// Delay·2^(n-free) (at most MaxDelay) after its last failure before the
// next attempt is checked. Another address's failures never slow a pair
// down: guessing a user's password from elsewhere does not keep the user
// out.
type throttle struct {
	lim       LoginLimits
	mu        sync.Mutex
	pairs     map[string]*failures // user + "\x00" + address
	ips       map[string]*failures
	lastPrune time.Time
}

func newThrottle(l LoginLimits) *throttle {
	d := DefaultLoginLimits
	l.PerPair = or(l.PerPair, d.PerPair)
	l.PerIP = or(l.PerIP, d.PerIP)
	l.Delay = or(l.Delay, d.Delay)
	l.MaxDelay = or(l.MaxDelay, d.MaxDelay)
	l.Forget = or(l.Forget, d.Forget)
	return &throttle{lim: l, pairs: map[string]*failures{}, ips: map[string]*failures{}}
}

func pairKey(user, ip string) string { return user + "\x00" + ip }

// begin records an attempt at now, unless the pair or the address is in
// its delay: then it returns how long until the delay has passed.
func (t *throttle) begin(user, ip string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.prune(now)
	pk := pairKey(user, ip)
	wait := max(t.wait(t.pairs, pk, t.lim.PerPair, now), t.wait(t.ips, ip, t.lim.PerIP, now))
	if wait > 0 {
		return wait
	}
	for _, k := range []struct {
		m   map[string]*failures
		key string
	}{{t.pairs, pk}, {t.ips, ip}} {
		f := k.m[k.key]
		if f == nil {
			f = &failures{}
			k.m[k.key] = f
		}
		f.n++
		f.last = now
	}
	return 0
}

// succeeded takes back the attempt begun: the pair's failures are
// forgotten, the address's attempt no longer counts.
func (t *throttle) succeeded(user, ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.pairs, pairKey(user, ip))
	t.takeBack(t.ips, ip)
}

// cancel takes back an attempt that never checked a password.
func (t *throttle) cancel(user, ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.takeBack(t.pairs, pairKey(user, ip))
	t.takeBack(t.ips, ip)
}

func (t *throttle) takeBack(m map[string]*failures, k string) {
	if f := m[k]; f != nil {
		if f.n--; f.n <= 0 {
			delete(m, k)
		}
	}
}

// delay is the wait after a key's n-th failure when free failures go
// without one.
func (t *throttle) delay(n, free int) time.Duration {
	if n < free {
		return 0
	}
	d := t.lim.Delay
	for i := free; i < n && d < t.lim.MaxDelay; i++ {
		d *= 2
	}
	return min(d, t.lim.MaxDelay)
}

// wait returns how long k must still wait: its delay after its last
// failure, 0 when that passed or its failures are forgotten.
func (t *throttle) wait(m map[string]*failures, k string, free int, now time.Time) time.Duration {
	f := m[k]
	if f == nil {
		return 0
	}
	if !now.Before(f.last.Add(t.lim.Forget)) {
		delete(m, k)
		return 0
	}
	return max(0, f.last.Add(t.delay(f.n, free)).Sub(now))
}

// prune forgets the keys whose last failure is Forget old, at most once a
// minute.
func (t *throttle) prune(now time.Time) {
	if now.Sub(t.lastPrune) < time.Minute {
		return
	}
	t.lastPrune = now
	for _, m := range []map[string]*failures{t.pairs, t.ips} {
		for k, f := range m {
			if !now.Before(f.last.Add(t.lim.Forget)) {
				delete(m, k)
			}
		}
	}
}

// RemoteIP is the default client address: the host of r.RemoteAddr. An
// IPv6 address counts as its /64, since one client usually holds a whole
// /64. Behind a reverse proxy, give the Guard a ClientIP that reads the
// proxy's header instead (Proxies.ClientIP), or all clients share the
// proxy's address.
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
	return addrKey(a)
}

func addrKey(a netip.Addr) string {
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.WithZone("").Prefix(64)
		return p.String()
	}
	return a.String()
}
