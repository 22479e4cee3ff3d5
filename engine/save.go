package engine

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/vaksam/vaksam/engine/store"
)

// Save stores an assessment.
func (s *Screener) Save(a *Assessment) error {
	data, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("save assessment %s: %w", redact(a.Orgnr), err)
	}
	return s.Store.PutAssessment(a.Orgnr, a.At, a.Ruleset, data)
}

// Assessments returns the stored assessments of an organisation, oldest
// first.
func (s *Screener) Assessments(orgnr string) ([]*Assessment, error) {
	var out []*Assessment
	err := s.Store.Assessments(orgnr, func(at time.Time, data []byte) error {
		var a Assessment
		if err := json.Unmarshal(data, &a); err != nil {
			return fmt.Errorf("assessment %s at %s: %w", redact(orgnr), at.Format(time.RFC3339), err)
		}
		out = append(out, &a)
		return nil
	})
	return out, err
}

// batchSaver stores the assessments of a whole-store screening in
// batches, written by one goroutine of its own so that evaluating goes on
// while a batch is written.
type batchSaver struct {
	s       *Screener
	mu      sync.Mutex
	batch   []store.StoredAssessment
	batches chan []store.StoredAssessment
	done    chan error
}

func (s *Screener) newBatchSaver() *batchSaver {
	b := &batchSaver{s: s, batches: make(chan []store.StoredAssessment, 2), done: make(chan error, 1)}
	go func() {
		var first error
		for batch := range b.batches {
			if first == nil {
				first = s.Store.PutAssessments(batch)
			}
		}
		b.done <- first
	}()
	return b
}

func (b *batchSaver) add(a *Assessment) error {
	data, err := json.Marshal(a)
	if err != nil {
		return err
	}
	b.mu.Lock()
	b.batch = append(b.batch, store.StoredAssessment{Subject: a.Orgnr, At: a.At, Ruleset: a.Ruleset, Data: data})
	var full []store.StoredAssessment
	if len(b.batch) >= 1000 {
		full, b.batch = b.batch, nil
	}
	b.mu.Unlock()
	if full != nil {
		b.batches <- full
	}
	return nil
}

// close writes what is left and waits for every batch to be written.
func (b *batchSaver) close() error {
	b.mu.Lock()
	rest := b.batch
	b.batch = nil
	b.mu.Unlock()
	if len(rest) > 0 {
		b.batches <- rest
	}
	close(b.batches)
	return <-b.done
}
