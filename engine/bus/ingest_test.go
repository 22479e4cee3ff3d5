package bus

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
)

func TestIngestStoresPushedRecordsAndQuarantinesBadOnes(t *testing.T) {
	tn := startNATS(t)
	_, js := connectTest(t, tn.URL)
	st, err := store.Open(t.TempDir(), store.Options{Small: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	persons, _ := record.NewHMACPseudonymizer([]byte("bus tests: not a deployment secret"))
	var mu sync.Mutex
	var stored []record.Item
	in := &Ingest{JS: js, Ingester: &ingest.Ingester{Store: st}, Persons: persons,
		Stored: func(_ context.Context, items []record.Item) {
			mu.Lock()
			stored = append(stored, items...)
			mu.Unlock()
		}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()

	sample, err := os.ReadFile("../../connectors/formats/testdata/kronofogden.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	other := strings.ReplaceAll(string(sample), "5591234561", "5560021361")
	publish := func(subject, observed, body string) uint64 {
		t.Helper()
		m := nats.NewMsg(subject)
		if observed != "" {
			m.Header.Set(HeaderObserved, observed)
		}
		m.Data = []byte(body)
		var ack *jetstream.PubAck
		// The stream is declared by the consumer; wait for it.
		eventually(t, 10*time.Second, func() error {
			var err error
			ack, err = js.PublishMsg(context.Background(), m)
			return err
		})
		return ack.Sequence
	}
	// Two good records and a broken line between them in one message.
	seq := publish("vaksam.ingest.kronofogden", "2026-11-20T08:00:00Z", strings.TrimSpace(string(sample))+"\n{\"orgnr\": broken\n"+other)
	publish("vaksam.ingest.nosuch", "", `{"orgnr":"5591234561"}`)
	publish("vaksam.ingest.kronofogden", "yesterday", string(sample))
	// A sanctions list is a whole file, never pushed.
	publish("vaksam.ingest.sanctions-eu", "", `<export generationDate="2026-11-20T08:00:00Z"/>`)

	eventually(t, 10*time.Second, func() error {
		subs, err := st.SourceSubjects(record.Kronofogden)
		if err != nil || len(subs) != 2 {
			return fmt.Errorf("kronofogden subjects %v, %v", subs, err)
		}
		if c := in.Counts(); c.New != 2 || c.Quarantined != 4 {
			return fmt.Errorf("counts %+v", c)
		}
		return nil
	})
	recs, err := st.Subject("5591234561", store.ScanOptions{At: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)})
	if err != nil || len(recs) != 1 || !recs[0].LastObserved.Equal(time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("stored %+v, %v; want one record observed at the header's time", recs, err)
	}
	mu.Lock()
	if len(stored) != 2 {
		t.Errorf("told of %d new versions, want 2", len(stored))
	}
	mu.Unlock()

	// Every bad input is quarantined with what and where.
	var reasons []string
	for _, src := range []string{record.Kronofogden, record.SanctionsEU, "nats"} {
		qs, err := st.Quarantined(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			reasons = append(reasons, q.Pos+" "+q.Reason)
		}
	}
	want := []string{
		fmt.Sprintf("nats:vaksam.ingest.kronofogden#%d:2", seq),
		"unknown source \"nosuch\"",
		"header Vaksam-Observed",
		"source sanctions-eu is a whole list file and cannot be pushed",
	}
	all := strings.Join(reasons, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("quarantine lacks %q:\n%s", w, all)
		}
	}
	// Every message was acknowledged or terminated: the work queue is
	// empty.
	eventually(t, 10*time.Second, func() error {
		s, err := js.Stream(context.Background(), IngestStream)
		if err != nil {
			return err
		}
		info, err := s.Info(context.Background())
		if err != nil {
			return err
		}
		if info.State.Msgs != 0 {
			return fmt.Errorf("%d messages left in %s", info.State.Msgs, IngestStream)
		}
		return nil
	})
}
