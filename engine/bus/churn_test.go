package bus

import (
	"fmt"
	"hash/crc32"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
)

// churner produces what a busy day produces: assessments whose result
// changes, the alerts they open and update, and decisions — halts,
// resumes, terminations heard and approved by a second person — each committed
// with its events, as the real code paths commit them.
type churner struct {
	st   *store.Store
	sc   *screening.Screener
	desk *review.Desk
	orgs []string
}

func newChurner(st *store.Store, orgs int) (*churner, error) {
	desk := &review.Desk{Store: st}
	sc, err := screening.NewScreener(st, nil, screening.Config{}, desk.OnSave)
	if err != nil {
		return nil, err
	}
	c := &churner{st: st, desk: desk, sc: sc}
	for i := 0; len(c.orgs) < orgs; i++ {
		base := fmt.Sprintf("55900%04d", i)
		o, err := ident.ParseOrg(base + string(rune(ident.LuhnDigit(base))))
		if err != nil {
			continue
		}
		c.orgs = append(c.orgs, o.String())
	}
	return c, nil
}

var churnStart = time.Date(2026, 11, 21, 7, 0, 0, 0, time.UTC)

// step does one round of work on one organisation. Its time follows the
// organisation's event count, so a restarted producer goes on where the
// store left off.
func (c *churner) step(org string) error {
	n, err := c.st.OrgSeq(org)
	if err != nil {
		return err
	}
	at := churnStart.Add(time.Duration(n+1) * time.Minute)
	step, verdict := screening.L2, screening.Review
	if n%2 == 1 {
		step, verdict = screening.L3, screening.Block
	}
	a := &screening.Assessment{Orgnr: org, Name: "Churn " + org + " AB", At: at, Step: step, Verdict: verdict,
		Score: float64(n), Hits: []screening.Hit{{ID: "S04", Severity: "high", Category: "S"}},
		Missing: []screening.Missing{}, NotChecked: []string{}, Ruleset: "churn@1"}
	if err := c.sc.Save(a); err != nil {
		return err
	}
	al, err := c.desk.OpenAlert(org)
	if err != nil || al == nil {
		return err
	}
	halt, err := c.desk.HaltInForce(org)
	if err != nil {
		return err
	}
	req := review.DecisionRequest{AlertID: al.ID, DecidedBy: "samordnare-1", Justification: "churn test",
		Ground: review.GroundLOU133, Evidence: review.Evidence{AssessmentAt: at, Ruleset: "churn@1"}}
	// Which decision comes next varies with a hash of the organisation and
	// its event count, so every kind recurs whatever the count's stride.
	r := crc32.ChecksumIEEE([]byte(fmt.Sprint(org, n))) % 10
	switch {
	case halt != nil:
		req.Kind = review.HavAvropsstopp
		_, err = c.desk.Decide(req, at)
	case al.State == review.Beslutad:
		_, err = c.desk.Assign(al.ID, "samordnare-1", "samordnare-2", at)
	case r <= 2:
		req.Kind = review.Havning
		if r == 2 {
			req.Kind = review.Uteslutning
		}
		// The supplier is heard (informed, and it answers) before the
		// second person approves.
		var d *review.Decision
		if d, err = c.desk.Decide(req, at); err == nil {
			_, err = c.desk.Inform(d.ID, "samordnare-1", at, at.AddDate(0, 0, 14), review.ChannelBrev, at)
		}
		if err == nil {
			_, err = c.desk.Respond(d.ID, "samordnare-1", at, "churn test: svar", nil, at)
		}
		if err == nil {
			_, err = c.desk.Approve(d.ID, "godkannare-1", at)
		}
	case r == 3:
		// No action: the alert closes; the next result opens a new one.
		req.Kind, req.Ground = review.IngenAtgard, ""
		_, err = c.desk.Decide(req, at)
	default:
		req.Kind = review.Avropsstopp
		_, err = c.desk.Decide(req, at)
	}
	return err
}

// round steps every organisation once.
func (c *churner) round() error {
	for _, org := range c.orgs {
		if err := c.step(org); err != nil {
			return fmt.Errorf("churn %s: %w", org, err)
		}
	}
	return nil
}

// verifyDelivered checks the streams against the store: for every
// organisation, the events it caused arrived each exactly once (their
// sequence numbers are 1..n with no gap and no repeat), and each stream
// holds an organisation's events in the order they were caused.
func verifyDelivered(t testing.TB, url string, st *store.Store, orgs []string) int {
	t.Helper()
	_, js := connectTest(t, url)
	seen := map[string]map[uint64]string{}
	ids := map[string]bool{}
	total := 0
	kinds := map[string]int{}
	for _, stream := range []string{AssessmentStream, AlertStream, ActionStream} {
		last := map[string]uint64{}
		for _, m := range readStream(t, js, stream) {
			tok := strings.Split(m.Subject, ".")
			org := tok[len(tok)-1]
			n, err := strconv.ParseUint(m.Header.Get(event.HeaderOrgSeq), 10, 64)
			if err != nil {
				t.Fatalf("%s: %v", m.Subject, err)
			}
			// Signed, and still verifying after the outbox, a restart of
			// the publisher or of the server, and the stream's replay.
			if _, err := testKeys.Verify(m.Subject, m.Header, m.Data); err != nil {
				t.Errorf("%s %s: %v", m.Subject, m.MsgID, err)
			}
			if ids[m.MsgID] {
				t.Errorf("message %s arrived twice", m.MsgID)
			}
			ids[m.MsgID] = true
			if seen[org] == nil {
				seen[org] = map[uint64]string{}
			}
			if prev, dup := seen[org][n]; dup {
				t.Errorf("%s: event %d arrived twice (%s and %s)", org, n, prev, m.MsgID)
			}
			seen[org][n] = m.MsgID
			if n <= last[org] {
				t.Errorf("%s in %s: event %d after event %d", org, stream, n, last[org])
			}
			last[org] = n
			total++
			kinds[tok[1]+"."+tok[2]]++
		}
	}
	for _, org := range orgs {
		want, err := st.OrgSeq(org)
		if err != nil {
			t.Fatal(err)
		}
		if got := uint64(len(seen[org])); got != want {
			var missing []uint64
			for i := uint64(1); i <= want; i++ {
				if _, ok := seen[org][i]; !ok {
					missing = append(missing, i)
				}
			}
			t.Errorf("%s: %d of %d events arrived; missing %v", org, got, want, missing)
		}
	}
	for _, k := range []string{"assessment.L2", "assessment.L3", "alert.opened", "alert.updated", "alert.assigned", "alert.decided",
		"alert.closed", "action.halt", "action.resume", "action.terminate", "action.exclude"} {
		if kinds[k] == 0 {
			t.Errorf("no %s events: the churn did not exercise them (%v)", k, kinds)
		}
	}
	return total
}

// proxy is a TCP relay in front of a NATS server: down() cuts every
// connection and refuses new ones, as a network outage does, for servers
// the test cannot stop.
type proxy struct {
	t        testing.TB
	upstream string
	addr     string
	mu       sync.Mutex
	l        net.Listener
	conns    []net.Conn
}

func newProxy(t testing.TB, upstream string) *proxy {
	t.Helper()
	p := &proxy{t: t, upstream: strings.TrimPrefix(upstream, "nats://"), addr: fmt.Sprintf("127.0.0.1:%d", freePort(t))}
	p.up()
	t.Cleanup(p.down)
	return p
}

func (p *proxy) URL() string { return "nats://" + p.addr }

func (p *proxy) up() {
	p.t.Helper()
	l, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.l = l
	p.mu.Unlock()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", p.upstream)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, u)
			p.mu.Unlock()
			go relay(c, u)
			go relay(u, c)
		}
	}()
}

func relay(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	dst.Close()
	src.Close()
}

func (p *proxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.l != nil {
		p.l.Close()
		p.l = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}
