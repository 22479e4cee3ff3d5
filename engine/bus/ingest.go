package bus

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/vaksam/vaksam/connectors/formats"
	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/record"
)

// Headers of a pushed record message.
const (
	// HeaderObserved is when the sender observed the records (RFC 3339,
	// or a date meaning the end of that Swedish day); without it, the
	// time JetStream stored the message.
	HeaderObserved = "Vaksam-Observed"
	// HeaderOrgnr names the organisation for formats that do not carry
	// it (a document list).
	HeaderOrgnr = "Vaksam-Orgnr"
)

// Ingest consumes VAKSAM_INGEST: records pushed in on
// vaksam.ingest.<source>, in the source's own format, one or more per
// message. A message is acknowledged once its records are stored; bad
// records are quarantined like bad lines of a file, and a message that
// cannot be read at all (an unknown source, a bad header) is quarantined
// whole and terminated, never redelivered.
type Ingest struct {
	JS       jetstream.JetStream
	Ingester *ingest.Ingester
	Persons  record.Pseudonymizer
	// Stored, if set, is called after each stored message with the items
	// that got a new version (for change-driven re-screening).
	Stored func(ctx context.Context, items []record.Item)
	Log    *slog.Logger

	mu     sync.Mutex
	counts ingest.Counts
}

// Counts returns the outcomes of every record consumed so far.
func (in *Ingest) Counts() ingest.Counts {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.counts
}

func (in *Ingest) log() *slog.Logger {
	if in.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return in.Log
}

// ingestMaxDeliver bounds redeliveries of a message whose records could
// not be stored; the last attempt quarantines it.
const ingestMaxDeliver = 10

// Run consumes until ctx ends, declaring the durable consumer first and
// retrying while NATS is away.
func (in *Ingest) Run(ctx context.Context) error {
	var cons jetstream.Consumer
	wait := 250 * time.Millisecond
	for {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		var err error
		if err = EnsureStreams(cctx, in.JS); err == nil {
			cons, err = in.JS.CreateOrUpdateConsumer(cctx, IngestStream, jetstream.ConsumerConfig{
				Durable:       IngestConsumer,
				Description:   "Vaksam stores pushed records",
				AckPolicy:     jetstream.AckExplicitPolicy,
				AckWait:       60 * time.Second,
				MaxDeliver:    ingestMaxDeliver,
				FilterSubject: event.IngestRoot + ".>",
				DeliverPolicy: jetstream.DeliverAllPolicy,
			})
		}
		cancel()
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil // stopping: not a failure
		}
		in.log().Warn("ingest: consumer not ready", "err", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait = min(wait*2, 15*time.Second)
	}
	cc, err := cons.Consume(func(m jetstream.Msg) { in.handle(ctx, m) },
		jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
			in.log().Warn("ingest: consume", "err", err)
		}))
	if err != nil {
		return fmt.Errorf("bus: ingest: %w", err)
	}
	<-ctx.Done()
	cc.Drain()
	<-cc.Closed()
	return nil
}

func (in *Ingest) handle(ctx context.Context, m jetstream.Msg) {
	meta, err := m.Metadata()
	if err != nil {
		in.log().Error("ingest: message without metadata", "subject", m.Subject(), "err", err)
		_ = m.Term()
		return
	}
	name := fmt.Sprintf("nats:%s#%d", m.Subject(), meta.Sequence.Stream)
	source, _ := strings.CutPrefix(m.Subject(), event.IngestRoot+".")
	job, err := in.job(source, name, m, meta.Timestamp)
	if err != nil {
		in.quarantine(source, name, m.Data(), meta.Timestamp, err.Error())
		_ = m.Term()
		return
	}
	var changed []record.Item
	ing := *in.Ingester
	prev := ing.OnVersion
	ing.OnVersion = func(it record.Item) {
		changed = append(changed, it)
		if prev != nil {
			prev(it)
		}
	}
	counts, err := ing.Reader(ctx, bytes.NewReader(m.Data()), job)
	if err != nil {
		if meta.NumDelivered >= ingestMaxDeliver {
			in.quarantine(source, name, m.Data(), job.Observed, "not stored after "+fmt.Sprint(meta.NumDelivered)+" attempts: "+err.Error())
			_ = m.Term()
			return
		}
		in.log().Warn("ingest: not stored, will retry", "message", name, "attempt", meta.NumDelivered, "err", err)
		_ = m.NakWithDelay(time.Duration(meta.NumDelivered) * time.Second)
		return
	}
	if err := m.DoubleAck(ctx); err != nil {
		// Stored but the acknowledgement was lost: the redelivery finds
		// every record unchanged.
		in.log().Warn("ingest: acknowledgement", "message", name, "err", err)
	}
	in.mu.Lock()
	in.counts.Add(counts)
	in.mu.Unlock()
	in.log().Info("ingest: stored", "message", name, "new", counts.New, "unchanged", counts.Unchanged, "quarantined", counts.Quarantined)
	if in.Stored != nil && len(changed) > 0 {
		in.Stored(ctx, changed)
	}
}

// job reads what a message says about its records.
func (in *Ingest) job(source, name string, m jetstream.Msg, stored time.Time) (ingest.Job, error) {
	job := ingest.Job{Source: source, Name: name, Observed: stored.UTC(), Persons: in.Persons}
	if !record.KnownSource(source) {
		return job, fmt.Errorf("unknown source %q in subject %s (known: %s)", source, m.Subject(), strings.Join(record.Sources, ", "))
	}
	if err := pushable(source); err != nil {
		return job, fmt.Errorf("subject %s: %w", m.Subject(), err)
	}
	h := m.Headers()
	if v := h.Get(HeaderObserved); v != "" {
		t, err := record.ParseInstant(v)
		if err != nil {
			return job, fmt.Errorf("header %s: %w", HeaderObserved, err)
		}
		job.Observed = t
	}
	if v := h.Get(HeaderOrgnr); v != "" {
		o, err := ident.ParseOrg(v)
		if err != nil {
			return job, fmt.Errorf("header %s: %w", HeaderOrgnr, err)
		}
		job.Orgnr = o
	}
	return job, nil
}

// pushedSources are the sources records may be pushed of: all but the
// whole list files (record.ByDownload).
var pushedSources = record.SourcesWhere(func(s record.Source) bool { return s.Arrival != record.ByDownload })

// pushable refuses the sources that are not pushed record by record: a
// sanctions list (record.ByDownload) is one whole file, a snapshot in
// which a missing entity has left the list, so part of one must never be
// stored as if it were the list.
func pushable(source string) error {
	if s, ok := record.LookupSource(source); ok && s.Arrival == record.ByDownload {
		return fmt.Errorf("source %s is a whole list file and cannot be pushed: import it with vaksam ingest --source %s FILE or drop it in its inbox", source, source)
	}
	return nil
}

func (in *Ingest) quarantine(source, name string, data []byte, at time.Time, reason string) {
	if !record.KnownSource(source) {
		source = "nats"
	}
	// The bytes were never parsed: person numbers in them are replaced
	// before they are kept.
	q := record.Quarantined{Source: source, Pos: name, Reason: reason, Raw: formats.Scrub(data, in.Persons)}
	if err := in.Ingester.Store.Quarantine([]record.Quarantined{q}, at); err != nil {
		in.log().Error("ingest: quarantine", "message", name, "err", err)
		return
	}
	in.mu.Lock()
	in.counts.Quarantined++
	in.mu.Unlock()
	in.log().Warn("ingest: message quarantined", "message", name, "reason", reason)
}
