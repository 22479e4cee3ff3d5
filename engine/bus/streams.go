package bus

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/vaksam/vaksam/engine/event"
)

// Stream names.
const (
	AssessmentStream = "VAKSAM_ASSESSMENTS"
	AlertStream      = "VAKSAM_ALERTS"
	ActionStream     = "VAKSAM_ACTIONS"
	IngestStream     = "VAKSAM_INGEST"
)

// IngestConsumer is the durable consumer Vaksam reads VAKSAM_INGEST with.
const IngestConsumer = "vaksam-ingest"

// DuplicateWindow is how long JetStream remembers message ids: a re-send
// from the outbox within it is recognised as the same message. It covers
// an outage of a day.
const DuplicateWindow = 24 * time.Hour

const day = 24 * time.Hour

// Streams are the JetStream streams Vaksam declares, every limit set
// explicitly (docs/events.md explains each).
func Streams() []jetstream.StreamConfig {
	return []jetstream.StreamConfig{
		{
			Name:        AssessmentStream,
			Description: "Vaksam assessments whose result changed",
			Subjects:    []string{event.AssessmentRoot + ".>"},
			Retention:   jetstream.LimitsPolicy,
			Storage:     jetstream.FileStorage,
			MaxAge:      30 * day,
			MaxBytes:    10 << 30,
			MaxMsgs:     -1,
			Discard:     jetstream.DiscardOld,
			Duplicates:  DuplicateWindow,
			Replicas:    1,
		},
		{
			Name:        AlertStream,
			Description: "Vaksam alert lifecycle events",
			Subjects:    []string{event.AlertRoot + ".>"},
			Retention:   jetstream.LimitsPolicy,
			Storage:     jetstream.FileStorage,
			MaxAge:      400 * day,
			MaxBytes:    1 << 30,
			MaxMsgs:     -1,
			Discard:     jetstream.DiscardOld,
			Duplicates:  DuplicateWindow,
			Replicas:    1,
		},
		{
			// Actions are never dropped to make room: a full stream
			// refuses new ones, the outbox keeps them and operators see it
			// grow.
			Name:        ActionStream,
			Description: "Vaksam action commands: halt, resume, terminate, exclude",
			Subjects:    []string{event.ActionRoot + ".>"},
			Retention:   jetstream.LimitsPolicy,
			Storage:     jetstream.FileStorage,
			MaxBytes:    1 << 30,
			MaxMsgs:     -1,
			Discard:     jetstream.DiscardNew,
			Duplicates:  DuplicateWindow,
			Replicas:    1,
		},
		{
			Name:        IngestStream,
			Description: "Records pushed to Vaksam, consumed and acknowledged once stored",
			Subjects:    []string{event.IngestRoot + ".>"},
			Retention:   jetstream.WorkQueuePolicy,
			Storage:     jetstream.FileStorage,
			MaxAge:      7 * day,
			MaxBytes:    1 << 30,
			MaxMsgs:     -1,
			Discard:     jetstream.DiscardNew,
			Duplicates:  DuplicateWindow,
			Replicas:    1,
		},
	}
}

// StreamFor names the stream that captures a subject.
func StreamFor(subject string) string {
	switch {
	case strings.HasPrefix(subject, event.AssessmentRoot+"."):
		return AssessmentStream
	case strings.HasPrefix(subject, event.AlertRoot+"."):
		return AlertStream
	case strings.HasPrefix(subject, event.ActionRoot+"."):
		return ActionStream
	case strings.HasPrefix(subject, event.IngestRoot+"."):
		return IngestStream
	}
	return ""
}

// EnsureStreams creates the streams or updates them to the configuration
// above.
func EnsureStreams(ctx context.Context, js jetstream.JetStream) error {
	for _, cfg := range Streams() {
		if _, err := js.CreateOrUpdateStream(ctx, cfg); err != nil {
			return fmt.Errorf("bus: stream %s: %w", cfg.Name, err)
		}
	}
	return nil
}
