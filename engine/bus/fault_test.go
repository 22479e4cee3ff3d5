package bus

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/vaksam/vaksam/engine/store"
)

// TestNATSOutageLosesNothing stops NATS while assessments and decisions
// are being produced, starts it again, and checks downstream that every
// event arrived, none twice, in order per organisation. With an embedded
// server the server itself stops (its JetStream files stay); against an
// external server the network to it is cut.
func TestNATSOutageLosesNothing(t *testing.T) {
	tn := startNATS(t)
	var down, up func()
	url := tn.URL
	if tn.external {
		p := newProxy(t, tn.URL)
		url = p.URL()
		down, up = p.down, p.up
	} else {
		down, up = func() { tn.stop(t) }, func() { tn.start(t) }
	}
	st, err := store.Open(t.TempDir(), store.Options{Small: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c, err := newChurner(st, 20)
	if err != nil {
		t.Fatal(err)
	}

	nc, err := Connect(asVaksam(url, "publisher"))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	p := &Publisher{Store: st, JS: js, Signer: testSigner, Retry: 20 * time.Millisecond, MaxRetry: 200 * time.Millisecond, AckWait: 2 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()

	// The producer works throughout: before, during and after the outage.
	stopWork := make(chan struct{})
	rounds := make(chan int, 1)
	workErr := make(chan error, 1)
	go func() {
		n := 0
		for {
			select {
			case <-stopWork:
				workErr <- nil
				return
			default:
			}
			if err := c.round(); err != nil {
				workErr <- err
				return
			}
			n++
			select {
			case <-rounds:
			default:
			}
			rounds <- n
		}
	}()
	roundsDone := func() int {
		select {
		case n := <-rounds:
			rounds <- n
			return n
		default:
			return 0
		}
	}
	eventually(t, 20*time.Second, func() error {
		if p.Stats().Published == 0 || roundsDone() < 2 {
			return errString("nothing published yet")
		}
		return nil
	})
	down()
	before := roundsDone()
	eventually(t, 20*time.Second, func() error {
		if roundsDone() < before+3 {
			return errString("the producer stalled while NATS was down")
		}
		return nil
	})
	waiting := st.OutboxDepth()
	if waiting == 0 {
		t.Fatal("work during the outage left nothing in the outbox")
	}
	// Operators see it: depth, age of the oldest event, the connection.
	status, err := p.Status(churnStart.Add(24*time.Hour), nc.IsConnected())
	if err != nil || status.Depth == 0 || status.OldestAge < 3600 || status.LastError == "" {
		t.Errorf("outbox status during the outage: %+v, %v", status, err)
	}
	up()
	before = roundsDone()
	eventually(t, 20*time.Second, func() error {
		if roundsDone() < before+3 {
			return errString("the producer stalled after NATS came back")
		}
		return nil
	})
	close(stopWork)
	if err := <-workErr; err != nil {
		t.Fatal(err)
	}
	waitDrained(t, st, 60*time.Second)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if p.Stats().Failures == 0 {
		t.Error("the publisher never saw the outage")
	}
	n := verifyDelivered(t, tn.URL, st, c.orgs)
	t.Logf("%d events delivered; %d waited in the outbox during the outage; publisher %+v", n, waiting, p.Stats())
}

type errString string

func (e errString) Error() string { return string(e) }
