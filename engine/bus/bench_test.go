package bus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nats.go/micro"

	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/rules"
)

// The benchmarks put Vaksam's NATS paths next to bare NATS doing the same
// traffic on the same server, so that one run prints both and the ratio:
//
//	go test -run '^$' -bench 'RoundTrip|EventThroughput' -benchtime 2000x ./engine/bus/
//
// With VAKSAM_TEST_NATS_URL set they run against that server instead of
// an embedded one. Ratios are always Vaksam's cost over bare NATS's: a
// p50-ratio of 3 means the pre-award check's median round trip is three
// times the echo's, a bare-ratio of 3 that the outbox moves a third of the
// events per second bare JetStream does (and a commit-ratio of 3 a third of
// what the store commits when nothing publishes).

// BenchmarkRoundTrip is a pre-award check over NATS (vaksam.screen on a
// store of 150 synthetic organisations, alternating a clean and a flagged
// supplier, each answered from the store and recorded in it) against a
// bare micro service that echoes the same request bytes. Requests are sent
// one after the other from a connection of their own. "check-in-process"
// times the same checks called directly (as the HTTP API calls them): the
// screening's own cost, which dominates the round trip. (Its p50 is not
// subtracted from vaksam.screen's: the two are measured one after the
// other, and the screening's run-to-run spread is larger than what NATS
// adds.)
func BenchmarkRoundTrip(b *testing.B) {
	tn := startNATS(b)
	srvNC, _ := connectTest(b, tn.URL)
	cliNC, _ := connectTest(b, tn.URL)

	// Another instance answering vaksam.screen on this server would take a
	// share of the requests and make the figures meaningless.
	ping, err := micro.ControlSubject(micro.PingVerb, ServiceName, "")
	if err != nil {
		b.Fatal(err)
	}
	switch _, err := cliNC.Request(ping, nil, 300*time.Millisecond); {
	case err == nil:
		b.Fatalf("another %q service answers on %s", ServiceName, tn.URL)
	case !errors.Is(err, nats.ErrNoResponders) && !errors.Is(err, nats.ErrTimeout):
		b.Fatalf("ping %s: %v", ping, err)
	}

	st, err := store.Open(b.TempDir(), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	pop := populate(b, st, 150)
	ss := &ScreenService{Screener: pop.sc, Signer: testSigner, Now: newShiftedClock(testNow).Now, Version: "1.0.0"}
	svc, err := ss.Start(srvNC)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { svc.Stop(); ss.Wait() })

	echoSubject := "vaksam-bench.echo." + strconv.FormatInt(time.Now().UnixNano(), 36)
	echo, err := StartEcho(srvNC, echoSubject)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { echo.Stop() })
	if err := srvNC.Flush(); err != nil {
		b.Fatal(err)
	}

	body := func(org string) []byte {
		return []byte(`{"orgnr":"` + org + `","purpose":"award","category":"hvb_barn","value_sek":1200000}`)
	}
	clean := body(pop.manifest.Clean[0])
	// The first planted organisation the check answers with a verdict
	// other than clear (not a 404).
	var flagged []byte
	for _, p := range pop.manifest.Planted {
		m, err := cliNC.Request(event.ScreenSubject, body(p.Orgnr), 5*time.Second)
		if err != nil {
			b.Fatal(err)
		}
		var a screening.Assessment
		if m.Header.Get(micro.ErrorCodeHeader) == "" && json.Unmarshal(m.Data, &a) == nil && a.Verdict != screening.Clear {
			flagged = body(p.Orgnr)
			break
		}
	}
	if flagged == nil {
		b.Fatal("no planted organisation is flagged")
	}
	bodies := [][]byte{clean, flagged}
	clearVerdict := []byte(`"verdict":"clear"`)
	checkScreen := func(i int, m *nats.Msg) error {
		if code := m.Header.Get(micro.ErrorCodeHeader); code != "" {
			return fmt.Errorf("error %s %s", code, m.Header.Get(micro.ErrorHeader))
		}
		if isClear := bytes.Contains(m.Data, clearVerdict); isClear != (i%2 == 0) {
			return fmt.Errorf("request %s: verdict clear %v: %.200s", bodies[i%2], isClear, m.Data)
		}
		return nil
	}
	checkEcho := func(i int, m *nats.Msg) error {
		if !bytes.Equal(m.Data, bodies[i%2]) {
			return fmt.Errorf("echo %q of %q", m.Data, bodies[i%2])
		}
		return nil
	}

	var reqs []event.ScreenRequest
	for _, body := range bodies {
		var r event.ScreenRequest
		if err := json.Unmarshal(body, &r); err != nil {
			b.Fatal(err)
		}
		reqs = append(reqs, r)
	}

	request := func(subject string, check func(int, *nats.Msg) error) func(int) error {
		return func(i int) error {
			m, err := cliNC.Request(subject, bodies[i%2], 5*time.Second)
			if err != nil {
				return err
			}
			return check(i, m)
		}
	}
	var bare Latency
	b.Run("bare-echo", func(b *testing.B) {
		bare = benchLatencies(b, request(echoSubject, checkEcho))
	})
	// The same checks called in process (as the HTTP API does): what the
	// screening itself costs, without NATS.
	b.Run("check-in-process", func(b *testing.B) {
		benchLatencies(b, func(i int) error {
			a, err := ss.Check(context.Background(), reqs[i%2])
			if err != nil {
				return err
			}
			if (a.Verdict == screening.Clear) != (i%2 == 0) {
				return fmt.Errorf("request %s: verdict %s", bodies[i%2], a.Verdict)
			}
			return nil
		})
	})
	b.Run("vaksam.screen", func(b *testing.B) {
		before := svc.Stats().Endpoints[0].NumRequests
		l := benchLatencies(b, request(event.ScreenSubject, checkScreen))
		// Every request was answered by this service, not by another
		// instance on a shared server.
		if n := svc.Stats().Endpoints[0].NumRequests - before; n != benchWarmUp+b.N {
			b.Fatalf("the service answered %d of %d requests", n, benchWarmUp+b.N)
		}
		if bare.P50 > 0 {
			b.ReportMetric(float64(l.P50)/float64(bare.P50), "p50-ratio")
			b.ReportMetric(float64(l.P99)/float64(bare.P99), "p99-ratio")
		}
	})
}

// benchWarmUp is how many requests go before the timed ones.
const benchWarmUp = 50

// benchLatencies runs do b.N times one after the other (after a warm-up),
// timing each, and reports the median and 99th percentile latency.
func benchLatencies(b *testing.B, do func(i int) error) Latency {
	b.Helper()
	for i := range benchWarmUp { // caches, connections, goroutines
		if err := do(i); err != nil {
			b.Fatalf("warm-up %d: %v", i, err)
		}
	}
	return benchFirstLatencies(b, nil, do)
}

// benchOrgs is how many organisations the events are spread over.
const benchOrgs = 1000

var benchStart = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

// benchAssessments builds n assessments spread over orgs organisations,
// each a second after the one before and with a score of its own, so that
// every one changes its organisation's result and emits an event. They
// are the size of a real L2 assessment: two hits with evidence, the
// records they rest on.
func benchAssessments(n, orgs int) []*screening.Assessment {
	nums := make([]string, orgs)
	for k := range nums {
		d9 := fmt.Sprintf("559%06d", k)
		nums[k] = d9 + string(ident.LuhnDigit(d9))
	}
	refs := func(org string, at time.Time) []profile.Ref {
		return []profile.Ref{
			{Source: record.Bolagsverket, Key: org, Version: 3, Observed: at.Add(-26 * time.Hour)},
			{Source: record.BolagsverketBulk, Key: org, Version: 7, Observed: at.Add(-50 * time.Hour)},
			{Source: "skatteverket", Key: org, Version: 2, Observed: at.Add(-30 * time.Hour)},
			{Source: "ivo", Key: org + "-hvb", Version: 1, Observed: at.Add(-72 * time.Hour)},
		}
	}
	out := make([]*screening.Assessment, n)
	for i := range out {
		org := nums[i%orgs]
		at := benchStart.Add(time.Duration(i) * time.Second)
		ev := refs(org, at)
		out[i] = &screening.Assessment{
			Orgnr: org, Name: "Bänkprovet Omsorg " + org[6:] + " AB", At: at,
			Score: 40 + float64(i)/100, Step: screening.L2, Verdict: screening.Review,
			Missing: []screening.Missing{}, NotChecked: []string{"P03", "P04"},
			Hits: []screening.Hit{
				{ID: "S04", Severity: rules.High, Category: "ownership", Confidence: 0.9,
					Title:    rules.Text{SV: "Täta byten av styrelse", EN: "Frequent board changes"},
					Message:  rules.Text{SV: "Styrelsen har bytts ut tre gånger på tolv månader.", EN: "The board was replaced three times in twelve months."},
					Legal:    "LOU 13 kap. 3 §",
					Evidence: ev[:2]},
				{ID: "C02", Severity: rules.Medium, Category: "permits", Confidence: 0.7,
					Title:    rules.Text{SV: "Tillstånd saknas för kategorin", EN: "No permit for the category"},
					Message:  rules.Text{SV: "IVO har inget tillstånd registrerat för HVB barn.", EN: "IVO holds no permit for HVB for children."},
					Evidence: ev[3:]},
			},
			Ruleset: "default/2026.11.1",
			Records: ev,
		}
	}
	return out
}

// benchEvents builds, without a store, the events Save emits for as when
// the store starts empty: the same subjects, message ids, headers and
// payload bytes (benchCheckEvents holds it to that).
func benchEvents(b testing.TB, as []*screening.Assessment) []store.Event {
	b.Helper()
	prev := map[string]*event.Result{}
	seq := map[string]uint64{}
	out := make([]store.Event, len(as))
	for i, a := range as {
		data, err := json.Marshal(a)
		if err != nil {
			b.Fatal(err)
		}
		r := a.Result()
		ev, err := event.NewAssessment(event.Assessment{Orgnr: a.Orgnr, Name: a.Name, At: a.At, Purpose: a.Purpose,
			Result: r, Previous: prev[a.Orgnr], Ruleset: a.Ruleset, Assessment: data})
		if err != nil {
			b.Fatal(err)
		}
		prev[a.Orgnr] = &r
		seq[a.Orgnr]++
		ev.Seq, ev.OrgSeq = uint64(i+1), seq[a.Orgnr]
		ev.Header[store.HeaderOrgSeq] = strconv.FormatUint(ev.OrgSeq, 10)
		out[i] = ev
	}
	return out
}

// benchCheckEvents saves a few assessments (several per organisation)
// through the real path and checks that benchEvents builds what it emits.
func benchCheckEvents(b *testing.B) {
	b.Helper()
	st, err := store.Open(b.TempDir(), store.Options{Small: true})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	sc := benchSaver(b, st)
	as := benchAssessments(40, 8)
	for _, a := range as {
		if err := sc.Save(a); err != nil {
			b.Fatal(err)
		}
	}
	got, err := st.Outbox(0, 1000)
	if err != nil {
		b.Fatal(err)
	}
	want := benchEvents(b, as)
	if len(got) != len(want) {
		b.Fatalf("saving %d assessments emitted %d events", len(as), len(got))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Seq != w.Seq || g.Subject != w.Subject || g.MsgID != w.MsgID || g.OrgSeq != w.OrgSeq ||
			!bytes.Equal(g.Data, w.Data) || fmt.Sprint(g.Header) != fmt.Sprint(w.Header) {
			b.Fatalf("event %d: Save emitted %s %s %v %s\nbenchEvents built %s %s %v %s", i,
				g.Subject, g.MsgID, g.Header, g.Data, w.Subject, w.MsgID, w.Header, w.Data)
		}
	}
}

// BenchmarkEventThroughput moves assessment events into JetStream:
// "commit-only" saves b.N assessments through screening.Screener.Save with no
// publisher (the outbox's intake), "outbox" saves them with a publisher
// running and stops once the outbox is drained and the stream holds them
// all (end to end), and "bare-jetstream" publishes the same messages
// straight to the same stream, 256 in flight as the publisher does. Each
// starts from fresh streams and checks the stream (or outbox) holds
// exactly b.N messages, the first and last as expected.
func BenchmarkEventThroughput(b *testing.B) {
	tn := startNATS(b)
	_, js := connectTest(b, tn.URL)
	benchCheckEvents(b)
	var bareRate, commitRate float64

	b.Run("bare-jetstream", func(b *testing.B) {
		want := benchEvents(b, benchAssessments(b.N, benchOrgs))
		benchFreshStreams(b, js)
		ctx := context.Background()
		b.ResetTimer()
		start := time.Now()
		for lo := 0; lo < len(want); lo += 256 {
			if err := benchPublish(ctx, js, want[lo:min(lo+256, len(want))]); err != nil {
				b.Fatal(err)
			}
		}
		elapsed := time.Since(start)
		b.StopTimer()
		benchCheckStream(b, js, want)
		bareRate = float64(b.N) / elapsed.Seconds()
		b.ReportMetric(bareRate, "events/s")
	})

	b.Run("commit-only", func(b *testing.B) {
		as := benchAssessments(b.N, benchOrgs)
		want := benchEvents(b, as)
		sc := benchScreener(b)
		b.ResetTimer()
		start := time.Now()
		for _, a := range as {
			if err := sc.Save(a); err != nil {
				b.Fatal(err)
			}
		}
		elapsed := time.Since(start)
		b.StopTimer()
		if n := sc.Store.OutboxDepth(); n != b.N {
			b.Fatalf("outbox holds %d events, want %d", n, b.N)
		}
		for _, i := range []int{0, b.N - 1} {
			got, err := sc.Store.Outbox(uint64(i), 1)
			if err != nil || len(got) != 1 || got[0].MsgID != want[i].MsgID || !bytes.Equal(got[0].Data, want[i].Data) {
				b.Fatalf("outbox event %d: %v %v, want %s", i+1, got, err, want[i].MsgID)
			}
		}
		commitRate = float64(b.N) / elapsed.Seconds()
		b.ReportMetric(commitRate, "events/s")
	})

	b.Run("outbox", func(b *testing.B) {
		as := benchAssessments(b.N, benchOrgs)
		want := benchEvents(b, as)
		benchFreshStreams(b, js)
		sc := benchScreener(b)
		p := runPublisher(b, sc.Store, js)
		for !p.Stats().Streams { // the publisher has declared the streams and waits for events
			time.Sleep(time.Millisecond)
		}
		b.ResetTimer()
		start := time.Now()
		for _, a := range as {
			if err := sc.Save(a); err != nil {
				b.Fatal(err)
			}
		}
		committed := time.Since(start)
		deadline := start.Add(time.Minute + time.Duration(b.N)*time.Millisecond)
		for sc.Store.OutboxDepth() > 0 {
			if time.Now().After(deadline) {
				b.Fatalf("outbox not drained after %s: %d events wait; publisher %+v",
					time.Since(start), sc.Store.OutboxDepth(), p.Stats())
			}
			time.Sleep(100 * time.Microsecond)
		}
		elapsed := time.Since(start)
		b.StopTimer()
		benchCheckStream(b, js, want)
		if s := p.Stats(); s.Published != uint64(b.N) || s.Duplicates != 0 || s.Failures != 0 {
			b.Fatalf("publisher %+v, want %d published", s, b.N)
		}
		rate := float64(b.N) / elapsed.Seconds()
		b.ReportMetric(rate, "events/s")
		b.ReportMetric(float64(b.N)/committed.Seconds(), "commit-events/s") // the saves, publisher running
		if bareRate > 0 {
			b.ReportMetric(bareRate/rate, "bare-ratio")
		}
		if commitRate > 0 {
			b.ReportMetric(commitRate/rate, "commit-ratio")
		}
	})
}

// benchScreener saves into a store of its own with the production
// options; it emits events but screens nothing.
func benchScreener(b *testing.B) *screening.Screener {
	b.Helper()
	st, err := store.Open(b.TempDir(), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return benchSaver(b, st)
}

// benchSaver saves into st through a hook that opens no alerts: the
// benchmarks measure the assessment events alone (BenchmarkScreenAllSaved
// in engine measures saving through the review desk).
func benchSaver(b *testing.B, st *store.Store) *screening.Screener {
	b.Helper()
	sc, err := screening.NewScreener(st, nil, screening.Config{}, func(*store.Tx, *screening.Assessment, screening.Change) error { return nil })
	if err != nil {
		b.Fatal(err)
	}
	return sc
}

// benchFreshStreams deletes and declares the streams, so that the stream
// holds exactly what the benchmark sends.
func benchFreshStreams(b *testing.B, js jetstream.JetStream) {
	b.Helper()
	cleanStreams(b, js)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := EnsureStreams(ctx, js); err != nil {
		b.Fatal(err)
	}
}

// benchPublish publishes one window asynchronously and waits for every
// acknowledgement, with the options the publisher uses.
func benchPublish(ctx context.Context, js jetstream.JetStream, evs []store.Event) error {
	futures := make([]jetstream.PubAckFuture, 0, len(evs))
	for i := range evs {
		ev := &evs[i]
		m := nats.NewMsg(ev.Subject)
		for k, v := range ev.Header {
			m.Header.Set(k, v)
		}
		m.Data = ev.Data
		f, err := js.PublishMsgAsync(m, jetstream.WithMsgID(ev.MsgID), jetstream.WithExpectStream(AssessmentStream))
		if err != nil {
			return err
		}
		futures = append(futures, f)
	}
	timer := time.NewTimer(10 * time.Second)
	defer timer.Stop()
	for i, f := range futures {
		select {
		case ack := <-f.Ok():
			if ack.Duplicate {
				return fmt.Errorf("%s: duplicate", evs[i].MsgID)
			}
		case err := <-f.Err():
			return fmt.Errorf("%s: %w", evs[i].MsgID, err)
		case <-timer.C:
			return fmt.Errorf("%s: no acknowledgement within 10s", evs[i].MsgID)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// benchCheckStream checks that the assessment stream holds exactly the
// events of want: as many, and its first and last message as built.
func benchCheckStream(b *testing.B, js jetstream.JetStream, want []store.Event) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, AssessmentStream)
	if err != nil {
		b.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if info.State.Msgs != uint64(len(want)) || info.State.FirstSeq != 1 {
		b.Fatalf("stream %s holds %d messages from %d, want %d from 1", AssessmentStream, info.State.Msgs, info.State.FirstSeq, len(want))
	}
	for _, i := range []int{0, len(want) - 1} {
		m, err := s.GetMsg(ctx, uint64(i+1))
		if err != nil {
			b.Fatal(err)
		}
		w := want[i]
		if m.Subject != w.Subject || m.Header.Get(jetstream.MsgIDHeader) != w.MsgID ||
			m.Header.Get(store.HeaderOrgSeq) != w.Header[store.HeaderOrgSeq] || !bytes.Equal(m.Data, w.Data) {
			b.Fatalf("stream message %d: %s %s, want %s %s", i+1, m.Subject, m.Header.Get(jetstream.MsgIDHeader), w.Subject, w.MsgID)
		}
	}
}
