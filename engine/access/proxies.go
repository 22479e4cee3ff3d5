package access

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// The headers a reverse proxy may name the client in.
const (
	HeaderXForwardedFor = "X-Forwarded-For" // 192.0.2.7, 10.0.0.2
	HeaderForwarded     = "Forwarded"       // for=192.0.2.7, for="[2001:db8::1]:4711" (RFC 7239)
)

// Proxies finds the client's address behind trusted reverse proxies: a
// Guard's ClientIP. Only a request whose peer is a trusted proxy has its
// forwarding header read; the header's hops are read right to left, each
// appended by the hop after it, skipping trusted proxies, and the first
// untrusted one is the client. So a client that sends the header itself
// only adds hops to the left of the one its proxy appended, which are
// never read, and a client that reaches Vaksam directly is named by its
// own address whatever it sends.
type Proxies struct {
	trusted []netip.Prefix
	header  string
}

// NewProxies makes a Proxies of the trusted proxies' addresses or
// networks ("10.0.0.0/8", "192.0.2.10", "2001:db8::/48") and the header
// they set: HeaderXForwardedFor (also when "") or HeaderForwarded, in any
// case. Only one header is read: a header the proxies do not set could
// come from the client whole.
func NewProxies(trusted []string, header string) (*Proxies, error) {
	p := &Proxies{}
	switch {
	case header == "" || strings.EqualFold(header, HeaderXForwardedFor):
		p.header = HeaderXForwardedFor
	case strings.EqualFold(header, HeaderForwarded):
		p.header = HeaderForwarded
	default:
		return nil, fmt.Errorf("access: proxies: header %q: want %s or %s", header, HeaderXForwardedFor, HeaderForwarded)
	}
	for i, s := range trusted {
		s = strings.TrimSpace(s)
		pfx, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil || a.Zone() != "" {
				return nil, fmt.Errorf("access: proxies: [%d]: %q: want an address or a network (10.0.0.0/8)", i, s)
			}
			pfx = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		p.trusted = append(p.trusted, pfx.Masked())
	}
	return p, nil
}

func (p *Proxies) isTrusted(a netip.Addr) bool {
	a = a.Unmap().WithZone("")
	for _, pfx := range p.trusted {
		if pfx.Contains(a) {
			return true
		}
	}
	return false
}

// ClientIP returns the client's address, as RemoteIP does (an IPv6
// address as its /64): the peer's when it is no trusted proxy, else the
// right-most untrusted hop of the header, or the left-most hop when all
// are trusted. A hop that is not an address ("unknown", an obfuscated
// Forwarded node) stops the walk: the trusted proxy that wrote it is
// named instead, so that a client cannot pick its own name.
func (p *Proxies) ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	cur, err := netip.ParseAddr(host)
	if err != nil || !p.isTrusted(cur) {
		return clientKey(host)
	}
	hops := p.hops(r)
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			break
		}
		cur = a
		if !p.isTrusted(a) {
			break
		}
	}
	return addrKey(cur)
}

// hops returns the header's hops, left to right, over all its lines.
func (p *Proxies) hops(r *http.Request) []string {
	var out []string
	for _, line := range r.Header.Values(p.header) {
		for elem := range strings.SplitSeq(line, ",") {
			elem = strings.TrimSpace(elem)
			if p.header == HeaderForwarded {
				elem = forwardedFor(elem)
			}
			out = append(out, elem)
		}
	}
	return out
}

// forwardedFor returns the for= parameter of a Forwarded element
// (for=192.0.2.7;proto=https), unquoted; "" when it has none.
func forwardedFor(elem string) string {
	for pair := range strings.SplitSeq(elem, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "for") {
			return strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	return ""
}

// parseHop reads a hop: an address, with or without a port, IPv6 with
// or without brackets.
func parseHop(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		return a, true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil && ap.Addr().Zone() == "" {
		return ap.Addr(), true
	}
	if a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")); err == nil && a.Zone() == "" {
		return a, true
	}
	return netip.Addr{}, false
}
