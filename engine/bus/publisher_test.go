package bus

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
)

// schemas compiles the documented payload schemas once.
var schemas = sync.OnceValues(func() (map[string]*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	entries, err := event.Schemas.ReadDir("schema")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		data, err := event.Schema(e.Name())
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name(), err)
		}
		if err := c.AddResource(event.SchemaBase+e.Name(), doc); err != nil {
			return nil, err
		}
	}
	out := map[string]*jsonschema.Schema{}
	for schema, file := range map[string]string{
		event.AssessmentSchema: "assessment-event.json",
		event.AlertSchema:      "alert-event.json",
		event.ActionSchema:     "action-event.json",
	} {
		s, err := c.Compile(event.SchemaBase + file)
		if err != nil {
			return nil, err
		}
		out[schema] = s
	}
	return out, nil
})

// checkMessage checks a received event against its documented shape: the
// headers, the subject's tokens and the payload's JSON Schema.
func checkMessage(t testing.TB, m received) {
	t.Helper()
	sch, err := schemas()
	if err != nil {
		t.Fatal(err)
	}
	if id, err := testKeys.Verify(m.Subject, m.Header, m.Data); err != nil || id != testSigner.KeyID() {
		t.Errorf("%s %s: signature: %v", m.Subject, m.MsgID, err)
	}
	name := m.Header.Get(event.HeaderSchema)
	s, ok := sch[name]
	if !ok {
		t.Fatalf("%s: unknown schema header %q", m.Subject, name)
	}
	if m.MsgID == "" {
		t.Errorf("%s: no Nats-Msg-Id", m.Subject)
	}
	if n, err := strconv.ParseUint(m.Header.Get(event.HeaderOrgSeq), 10, 64); err != nil || n == 0 {
		t.Errorf("%s: bad %s %q", m.Subject, event.HeaderOrgSeq, m.Header.Get(event.HeaderOrgSeq))
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatalf("%s: %v", m.Subject, err)
	}
	if err := s.Validate(inst); err != nil {
		t.Errorf("%s: payload does not match %s: %v", m.Subject, name, err)
	}
	tok := strings.Split(m.Subject, ".")
	if len(tok) != 4 || tok[0] != "vaksam" {
		t.Fatalf("subject %q is not vaksam.<kind>.<x>.<orgnr>", m.Subject)
	}
	var p struct {
		Orgnr string `json:"orgnr"`
		Step  string `json:"step"`
		Event string `json:"event"`
		Kind  string `json:"kind"`
	}
	if err := json.Unmarshal(m.Data, &p); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"assessment": p.Step, "alert": p.Event, "action": p.Kind}[tok[1]]
	if tok[2] != want || tok[3] != p.Orgnr {
		t.Errorf("subject %q does not match its payload (%s, %s)", m.Subject, want, p.Orgnr)
	}
}

// waitDrained waits until the outbox is empty.
func waitDrained(t testing.TB, st *store.Store, d time.Duration) {
	t.Helper()
	eventually(t, d, func() error {
		if n := st.OutboxDepth(); n > 0 {
			return fmt.Errorf("%d events still in the outbox", n)
		}
		return nil
	})
}

func TestStreamsDeclaredAsDocumented(t *testing.T) {
	tn := startNATS(t)
	_, js := connectTest(t, tn.URL)
	ctx := context.Background()
	for range 2 { // declaring again changes nothing
		if err := EnsureStreams(ctx, js); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range Streams() {
		s, err := js.Stream(ctx, want.Name)
		if err != nil {
			t.Fatal(err)
		}
		got := s.CachedInfo().Config
		if strings.Join(got.Subjects, ",") != strings.Join(want.Subjects, ",") || got.Retention != want.Retention ||
			got.Discard != want.Discard || got.MaxAge != want.MaxAge || got.MaxBytes != want.MaxBytes ||
			got.Duplicates != DuplicateWindow || got.Storage != jetstream.FileStorage {
			t.Errorf("%s: server has %+v, want %+v", want.Name, got, want)
		}
	}
}

func TestAssessmentEventsReachTheStreamOnce(t *testing.T) {
	tn := startNATS(t)
	_, js := connectTest(t, tn.URL)
	pop := newPopulation(t, t.TempDir(), 150)
	ctx := context.Background()
	if _, err := pop.sc.ScreenAll(ctx, screening.Options{At: pop.now, Save: true}, 2, func(*screening.Assessment) error { return nil }); err != nil {
		t.Fatal(err)
	}
	queued, err := pop.st.Outbox(0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if len(queued) == 0 {
		t.Fatal("a first screening emitted no events")
	}
	// Screening again as of the same time changes no result: no events.
	if _, err := pop.sc.ScreenAll(ctx, screening.Options{At: pop.now, Save: true}, 2, func(*screening.Assessment) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if n := pop.st.OutboxDepth(); n != len(queued) {
		t.Fatalf("screening again queued %d more events", n-len(queued))
	}
	// The outbox also holds the events of the alerts the desk opened.
	var assessments []store.Event
	for _, q := range queued {
		if strings.HasPrefix(q.Subject, event.AssessmentRoot+".") {
			assessments = append(assessments, q)
		}
	}
	p := runPublisher(t, pop.st, js)
	waitDrained(t, pop.st, 30*time.Second)
	got := readStream(t, js, AssessmentStream)
	if len(got) != len(assessments) || len(assessments) == 0 {
		t.Fatalf("stream holds %d messages, outbox had %d assessment events", len(got), len(assessments))
	}
	for i, m := range got {
		q := assessments[i]
		if m.Subject != q.Subject || m.MsgID != q.MsgID || !bytes.Equal(m.Data, q.Data) {
			t.Fatalf("message %d: got %s %s, want %s %s", i, m.Subject, m.MsgID, q.Subject, q.MsgID)
		}
		checkMessage(t, m)
	}
	if s := p.Stats(); s.Published != uint64(len(queued)) || s.Duplicates != 0 {
		t.Errorf("stats %+v, want %d published", s, len(queued))
	}

	// The same events again (a re-send after a crash) are recognised.
	err = pop.st.Update(func(tx *store.Tx) error {
		for _, q := range queued[:10] {
			q.Header = nil
			if err := tx.Emit(q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	waitDrained(t, pop.st, 30*time.Second)
	if got := readStream(t, js, AssessmentStream); len(got) != len(assessments) {
		t.Errorf("re-sent events were stored again: %d messages, want %d", len(got), len(assessments))
	}
	if s := p.Stats(); s.Duplicates != 10 {
		t.Errorf("duplicates %d, want 10", s.Duplicates)
	}
}
