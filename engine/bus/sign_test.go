package bus

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/micro"

	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/sign"
	"github.com/vaksam/vaksam/engine/store"
)

// The subject replies are signed under is the service's.
func TestReplySubject(t *testing.T) {
	if sign.ReplySubject != event.ScreenSubject {
		t.Errorf("sign.ReplySubject %q, event.ScreenSubject %q", sign.ReplySubject, event.ScreenSubject)
	}
}

// Every reply carries the request's id, the time it was signed and, with
// an assessment, its schema, all under the signature; and the service
// announces its public key in $SRV.INFO.
func TestScreenServiceSignsReplies(t *testing.T) {
	h := newIDHarness(t, 0)
	fresh := `{"orgnr":"` + h.clean + `","purpose":"award"}`
	for _, tc := range []struct {
		name, body, code, schema string
	}{
		{"answer", fresh, "", event.ScreenReplySchema},
		{"refusal", `{"orgnr":"559123-4562","purpose":"award"}`, "400", event.ScreenErrorSchema},
		{"unknown organisation", `{"orgnr":"556000-0167","purpose":"award"}`, "", event.ScreenReplySchema},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reply := h.request(t, tc.body, "order-"+tc.name[:3])
			if id, err := testKeys.VerifyReply("order-"+tc.name[:3], reply.Header, reply.Data); err != nil || id != testSigner.KeyID() {
				t.Fatalf("VerifyReply: %q, %v", id, err)
			}
			if got := reply.Header.Get(micro.ErrorCodeHeader); got != tc.code {
				t.Errorf("error code %q, want %q", got, tc.code)
			}
			if got := reply.Header.Get(event.HeaderSchema); got != tc.schema {
				t.Errorf("%s %q, want %q", event.HeaderSchema, got, tc.schema)
			}
			if got := reply.Header.Get(sign.HeaderSignedAt); got != testNow.UTC().Format(time.RFC3339Nano) {
				t.Errorf("%s %q, want the service's now", sign.HeaderSignedAt, got)
			}
		})
	}

	info, err := h.nc.Request("$SRV.INFO."+ServiceName, nil, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var si micro.Info
	if err := json.Unmarshal(info.Data, &si); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{MetadataSigningKey: sign.FormatPublicKey(testSigner.PublicKey()),
		MetadataSigningKeyID: testSigner.KeyID(), MetadataSignature: sign.Version}
	for k, v := range want {
		if si.Metadata[k] != v {
			t.Errorf("$SRV.INFO metadata %s = %q, want %q", k, si.Metadata[k], v)
		}
	}
}

// Whoever else joins the service's queue group cannot answer in its name:
// neither with an answer of its own, nor with a real answer recorded
// earlier and sent again, with its request id or with the new one.
func TestImpostorAnswersFailVerification(t *testing.T) {
	h := newIDHarness(t, 0)
	// A real answer, recorded.
	recorded := h.request(t, `{"orgnr":"`+h.clean+`","purpose":"award"}`, "order-1")
	var a screening.Assessment
	if err := json.Unmarshal(recorded.Data, &a); err != nil || a.Verdict != screening.Clear {
		t.Fatalf("recorded answer: %v %v", a.Verdict, err)
	}
	forgeries := []struct {
		name string
		make func(req *nats.Msg) *nats.Msg
		want error
	}{
		{"own answer, unsigned", func(*nats.Msg) *nats.Msg {
			return &nats.Msg{Header: nats.Header{event.HeaderSchema: {event.ScreenReplySchema}}, Data: recorded.Data}
		}, sign.ErrUnsigned},
		{"recorded answer as it was", func(*nats.Msg) *nats.Msg {
			return &nats.Msg{Header: maps.Clone(recorded.Header), Data: recorded.Data}
		}, sign.ErrOtherRequest},
		{"recorded answer with the new request id", func(req *nats.Msg) *nats.Msg {
			m := &nats.Msg{Header: maps.Clone(recorded.Header), Data: recorded.Data}
			m.Header.Set(RequestIDHeader, req.Header.Get(RequestIDHeader))
			return m
		}, sign.ErrInvalid},
	}
	for _, f := range forgeries {
		t.Run(f.name, func(t *testing.T) {
			nc, _ := connectTest(t, h.nc.ConnectedUrl())
			sub, err := nc.QueueSubscribe(event.ScreenSubject, micro.DefaultQueueGroup, func(req *nats.Msg) {
				req.RespondMsg(f.make(req))
			})
			if err != nil {
				t.Fatal(err)
			}
			defer sub.Unsubscribe()
			if err := nc.Flush(); err != nil {
				t.Fatal(err)
			}
			// The queue group hands each request to one member: ask until
			// the impostor has answered, and the service too.
			var real, forged int
			deadline := time.Now().Add(20 * time.Second)
			for i := 0; real == 0 || forged == 0; i++ {
				if time.Now().After(deadline) {
					t.Fatalf("after %d requests: %d real answers, %d forged", i, real, forged)
				}
				id := "order-" + strconv.Itoa(100+i)
				m := &nats.Msg{Subject: event.ScreenSubject, Data: []byte(`{"orgnr":"` + h.clean + `","purpose":"award"}`), Header: nats.Header{RequestIDHeader: {id}}}
				reply, err := h.nc.RequestMsg(m, 10*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				_, err = testKeys.VerifyReply(id, reply.Header, reply.Data)
				switch {
				case err == nil:
					real++
				case errors.Is(err, f.want):
					forged++
				default:
					t.Fatalf("reply to %s: %v, want nil or %v", id, err, f.want)
				}
			}
		})
	}
}

// storeWithAction is a store whose outbox holds a halt.
func storeWithAction(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{Small: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ev, err := event.NewAction(event.Action{ActionID: "5591234561-1-d1", Kind: event.Halt, Orgnr: "5591234561", Name: "Omsorgshuset Norr AB",
		At: testNow, DecidedBy: "karin.lund", Ground: "LOU 13:1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Update(func(tx *store.Tx) error { return tx.Emit(ev) }); err != nil {
		t.Fatal(err)
	}
	return st
}

// Without a key nothing is published or answered unsigned: the publisher
// and the service refuse to start.
func TestNothingUnsigned(t *testing.T) {
	tn := startNATS(t)
	nc, js := connectTest(t, tn.URL)
	st := storeWithAction(t)
	p := &Publisher{Store: st, JS: js}
	if err := p.Run(context.Background()); !errors.Is(err, errNoSigner) {
		t.Errorf("Run without a signer: %v", err)
	}
	if err := p.Drain(context.Background()); !errors.Is(err, errNoSigner) {
		t.Errorf("Drain without a signer: %v", err)
	}
	if n := st.OutboxDepth(); n != 1 || p.Stats().Published != 0 {
		t.Errorf("outbox %d, published %d: want the action kept", n, p.Stats().Published)
	}
	pop := newPopulation(t, t.TempDir(), 150)
	if svc, err := (&ScreenService{Screener: pop.sc, Now: func() time.Time { return testNow }}).Start(nc); err == nil {
		svc.Stop()
		t.Error("the service started without a signer")
	}
	// With the signer it publishes, signed.
	p.Signer = testSigner
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	got := readStream(t, js, ActionStream)
	if len(got) != 1 {
		t.Fatalf("%d actions in the stream", len(got))
	}
	if _, err := testKeys.Verify(got[0].Subject, got[0].Header, got[0].Data); err != nil {
		t.Error(err)
	}
}

// A real action in the stream verifies, also read back after the server
// restarted; forgeries published beside it by any client, with its
// payload, do not. Against the external server too (its restart is
// covered by the embedded one only: a test cannot restart it).
func TestForgedActionsInTheStream(t *testing.T) {
	tn := startNATS(t)
	_, js := connectTest(t, tn.URL)
	st := storeWithAction(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := (&Publisher{Store: st, JS: js, Signer: testSigner}).Drain(ctx); err != nil {
		t.Fatal(err)
	}
	real := readStream(t, js, ActionStream)
	if len(real) != 1 {
		t.Fatalf("%d actions in the stream", len(real))
	}
	key, err := sign.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	attacker, _ := sign.NewSigner(key)
	forge := func(subject, msgID string, change func(h nats.Header)) *nats.Msg {
		m := &nats.Msg{Subject: subject, Header: maps.Clone(real[0].Header), Data: real[0].Data}
		m.Header.Set("Nats-Msg-Id", msgID)
		if change != nil {
			change(m.Header)
		}
		return m
	}
	halt, terminate := real[0].Subject, "vaksam.action.terminate.5591234561"
	forgeries := []*nats.Msg{
		forge(halt, "action.forged-1", nil),
		forge(terminate, "action.forged-2", nil),
		forge(halt, "action.forged-3", func(h nats.Header) { h.Del(sign.HeaderSignature); h.Del(sign.HeaderKeyID) }),
		forge(halt, "action.forged-4", func(h nats.Header) { h.Set(event.HeaderOrgSeq, "99") }),
		forge(halt, "action.forged-5", func(h nats.Header) { attacker.Sign(halt, h, real[0].Data) }),
	}
	for _, m := range forgeries {
		if _, err := js.PublishMsg(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	check := func(when string) {
		got := readStream(t, js, ActionStream)
		if len(got) != 1+len(forgeries) {
			t.Fatalf("%s: %d messages in the stream, want %d", when, len(got), 1+len(forgeries))
		}
		want := []error{nil, sign.ErrInvalid, sign.ErrInvalid, sign.ErrUnsigned, sign.ErrInvalid, sign.ErrUnknownKey}
		for i, m := range got {
			_, err := testKeys.Verify(m.Subject, m.Header, m.Data)
			if !errors.Is(err, want[i]) {
				t.Errorf("%s: %s %s: %v, want %v", when, m.Subject, m.MsgID, err, want[i])
			}
		}
	}
	check("published")
	if tn.external {
		t.Log("external server: not restarted (the embedded one is)")
		return
	}
	tn.stop(t)
	tn.start(t)
	_, js = connectTest(t, tn.URL)
	check("after a restart of the server")
}
