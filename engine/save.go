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

// batchSaver stores assessments of a whole-store screening in batches.
type batchSaver struct {
	s     *Screener
	mu    sync.Mutex
	batch []store.StoredAssessment
}

func (s *Screener) newBatchSaver() *batchSaver { return &batchSaver{s: s} }

func (b *batchSaver) add(a *Assessment) error {
	data, err := json.Marshal(a)
	if err != nil {
		return err
	}
	b.mu.Lock()
	b.batch = append(b.batch, store.StoredAssessment{Subject: a.Orgnr, At: a.At, Ruleset: a.Ruleset, Data: data})
	full := len(b.batch) >= 1000
	b.mu.Unlock()
	if full {
		return b.flush()
	}
	return nil
}

func (b *batchSaver) flush() error {
	b.mu.Lock()
	batch := b.batch
	b.batch = nil
	b.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	return b.s.Store.PutAssessments(batch)
}
