package screening

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/watchlist"
	"github.com/vaksam/vaksam/rules"
)

// SaveHook runs inside the transaction that stores an assessment. change
// says whether the result differs from the organisation's follow-up
// result. The hook of every Screener that saves is the review desk's
// (review.Desk.OnSave), which keeps the alerts; NewScreener requires it.
type SaveHook func(tx *store.Tx, a *Assessment, change Change) error

// ErrNoSaveHook is the refusal of a Screener made without NewScreener (or
// with a nil hook) to store an assessment: stored without the desk, an
// assessment would become the result later ones are compared with while
// no alert followed it.
var ErrNoSaveHook = errors.New("engine: a screener without a save hook (the review desk) cannot save assessments")

// NewScreener returns a Screener of the store's organisations with the
// rule set set returns and the thresholds cfg, which stores assessments
// through onSave: the review desk's hook (review.Desk.OnSave), so that no
// assessment is stored without the alerts following it. It reads the
// sanctions lists stored in st (Lists). A nil store or hook is refused.
func NewScreener(st *store.Store, set func() *rules.Set, cfg Config, onSave SaveHook) (*Screener, error) {
	switch {
	case st == nil:
		return nil, errors.New("engine: new screener: no store")
	case onSave == nil:
		return nil, fmt.Errorf("engine: new screener: %w", ErrNoSaveHook)
	}
	return &Screener{Store: st, Rules: set, Config: cfg, onSave: onSave, Lists: &watchlist.Cache{}}, nil
}

// canSave refuses a screening that saves on a Screener without a hook,
// before anything is screened.
func (s *Screener) canSave(opt Options) error {
	if opt.Save && s.onSave == nil {
		return ErrNoSaveHook
	}
	return nil
}

// Change compares an assessment's result with the organisation's
// follow-up result: that of its newest assessment of continuous
// monitoring stored before it (saveTx).
type Change struct {
	// Changed is true when the result differs from Previous (or there was
	// none) and the assessment is newer than it: an event is emitted.
	Changed  bool
	Previous *event.Result
	Result   event.Result
}

// Result is the gist of the assessment that decides whether it changed.
func (a *Assessment) Result() event.Result {
	r := event.Result{Step: a.Step, Verdict: a.Verdict, Score: a.Score, Incomplete: a.Incomplete,
		Hits: make([]string, 0, len(a.Hits)), Missing: make([]string, 0, len(a.Missing))}
	for _, h := range a.Hits {
		if h.Suppressed == "" { // suppress.go: not a hit for alerting
			r.Hits = append(r.Hits, h.ID)
		}
	}
	for _, m := range a.Missing {
		r.Missing = append(r.Missing, m.ID+":"+m.Source)
	}
	sort.Strings(r.Hits)
	sort.Strings(r.Missing)
	return r
}

// Save stores an assessment and, when its result changed, the event that
// announces it, in one transaction with what the save hook adds.
func (s *Screener) Save(a *Assessment) error {
	_, err := s.save(a, false)
	return err
}

// Record saves an assessment; a pre-award check also puts the
// organisation on the watch list, in the same transaction.
func (s *Screener) Record(a *Assessment) error {
	_, err := s.RecordJSON(a)
	return err
}

// RecordJSON is Record, and returns the assessment's JSON as stored (a
// pre-award reply sends the same bytes).
func (s *Screener) RecordJSON(a *Assessment) ([]byte, error) {
	return s.save(a, a.Purpose != Monitor)
}

func (s *Screener) save(a *Assessment, watch bool) ([]byte, error) {
	if s.onSave == nil {
		return nil, fmt.Errorf("save assessment %s: %w", redact(a.Orgnr), ErrNoSaveHook)
	}
	data, err := encode(a)
	if err != nil {
		return nil, fmt.Errorf("save assessment %s: %w", redact(a.Orgnr), err)
	}
	err = s.Store.Update(func(tx *store.Tx) error {
		var err error
		if data, err = s.saveTx(tx, a, data, prior{}); err != nil {
			return err
		}
		if watch {
			return tx.MarkPreAward(a.Orgnr, a.At)
		}
		return nil
	})
	return data, err
}

// saveTx stores one assessment within tx: the assessment itself (or the
// confirmation of an unchanged one), the follow-up result and the event
// it publishes, and whatever the hook adds. last is the organisation's
// follow-up result when the caller read it already (a batch), else nil.
//
// The result an assessment is compared with is the organisation's
// follow-up result: that of its newest assessment of continuous
// monitoring (purpose Monitor). A newer follow-up assessment replaces it.
// A pre-award check is its caller's answer, not a step of the follow-up:
// it is stored (it is evidence) and published when it says something else
// than the follow-up result, but it does not replace that result, so the
// next follow-up assessment is compared with the follow-up one before it,
// and the desk moves no alert for it.
//
// A newer follow-up assessment that is unchanged, its JSON equal to the
// stored follow-up assessment's in everything but its time (the same
// store.AssessmentDigest: hits, step, verdict, score, missing data,
// reasons, rule set, record versions…), is not stored again: a
// confirmation records its time, and the stored assessments read back as
// before (store.Store.Assessments). Its result is unchanged, so it
// publishes nothing, as an unchanged result never did.
//
// First the organisation's suppressions in force as of the assessment's
// time mark its hits (suppress.go), and the assessment is placed again
// without them; saveTx returns its JSON as stored (data, or data encoded
// again after that).
func (s *Screener) saveTx(tx *store.Tx, a *Assessment, data []byte, p prior) ([]byte, error) {
	if marked, err := s.suppress(tx, a); err != nil {
		return nil, fmt.Errorf("save assessment %s: %w", redact(a.Orgnr), err)
	} else if marked {
		if data, err = encode(a); err != nil {
			return nil, fmt.Errorf("save assessment %s: %w", redact(a.Orgnr), err)
		}
	}
	return data, s.saveTxData(tx, a, data, p)
}

func (s *Screener) saveTxData(tx *store.Tx, a *Assessment, data []byte, p prior) error {
	ch := Change{Result: a.Result()}
	key := ch.Result.Key()
	if !p.known {
		var err error
		if p.r, p.ok, err = tx.LastResult(a.Orgnr); err != nil {
			return err
		}
	}
	last, ok := &p.r, p.ok
	switch {
	case ok && last.Digest == key:
		// The same result (its key says every member): spare decoding it,
		// which most assessments of a screening would otherwise cost.
		prev := ch.Result
		ch.Previous = &prev
	case ok:
		var prev event.Result
		if err := json.Unmarshal(last.Summary, &prev); err != nil {
			return fmt.Errorf("save assessment %s: previous result: %w", redact(a.Orgnr), err)
		}
		ch.Previous = &prev
	}
	// A screening as of a past time (a reproduction) changes nothing
	// downstream.
	newer := !ok || a.At.After(last.At)
	ch.Changed = newer && (!ok || last.Digest != key)
	var same string
	if newer && a.Purpose == Monitor {
		var err error
		if same, err = store.AssessmentDigest(data); err != nil {
			return fmt.Errorf("save assessment %s: %w", redact(a.Orgnr), err)
		}
	}
	stored := store.StoredAssessment{Subject: a.Orgnr, At: a.At, Ruleset: a.Ruleset, Data: data}
	switch {
	case same != "" && ok && last.Same == same && !ch.Changed:
		if err := tx.Confirm(a.Orgnr, *last, a.At, a.Ruleset); err != nil {
			return err
		}
	default:
		if err := tx.PutAssessment(stored); err != nil {
			return err
		}
		if newer && a.Purpose == Monitor {
			sum, _ := json.Marshal(ch.Result)
			if err := tx.SetLastResult(a.Orgnr, store.Result{At: a.At, Digest: key, Summary: sum, Name: a.Name, Same: same}); err != nil {
				return err
			}
		}
	}
	if ch.Changed {
		ev, err := event.NewAssessment(event.Assessment{Orgnr: a.Orgnr, Name: a.Name, At: a.At, Purpose: a.Purpose,
			Result: ch.Result, Previous: ch.Previous, Ruleset: a.Ruleset, Assessment: data})
		if err != nil {
			return err
		}
		if err := tx.EmitWith(ev, stored); err != nil {
			return err
		}
	}
	return s.onSave(tx, a, ch)
}

// saveBatch stores a batch of assessments in as few transactions as fit,
// reading the organisations' follow-up results with one iterator.
func (s *Screener) saveBatch(batch []savedAssessment) error {
	slices.SortFunc(batch, func(x, y savedAssessment) int { return strings.Compare(x.a.Orgnr, y.a.Orgnr) })
	err := s.Store.Update(func(tx *store.Tx) error {
		orgs := make([]string, len(batch))
		for i, it := range batch {
			orgs[i] = it.a.Orgnr
		}
		results, err := tx.LastResults(orgs)
		if err != nil {
			return err
		}
		for i, it := range batch {
			p := prior{}
			// An organisation twice in a batch reads what the first saved.
			if i == 0 || batch[i-1].a.Orgnr != it.a.Orgnr {
				p.r, p.ok = results[it.a.Orgnr]
				p.known = true
			}
			if _, err := s.saveTx(tx, it.a, it.data, p); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, store.ErrTooBig) && len(batch) > 1 {
		if err := s.saveBatch(batch[:len(batch)/2]); err != nil {
			return err
		}
		return s.saveBatch(batch[len(batch)/2:])
	}
	return err
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

// prior is an organisation's follow-up result as read before saving:
// known says it was read, ok that there is one.
type prior struct {
	r         store.Result
	ok, known bool
}

type savedAssessment struct {
	a    *Assessment
	data []byte
}

// batchSaver stores the assessments of a whole-store screening in
// batches, written by one goroutine of its own so that evaluating goes on
// while a batch is written.
type batchSaver struct {
	s       *Screener
	mu      sync.Mutex
	batch   []savedAssessment
	batches chan []savedAssessment
	done    chan error
}

func (s *Screener) newBatchSaver() *batchSaver {
	b := &batchSaver{s: s, batches: make(chan []savedAssessment, 2), done: make(chan error, 1)}
	go func() {
		var first error
		for batch := range b.batches {
			if first == nil {
				first = s.saveBatch(batch)
			}
		}
		b.done <- first
	}()
	return b
}

func (b *batchSaver) add(a *Assessment) error {
	data, err := encode(a)
	if err != nil {
		return err
	}
	b.mu.Lock()
	b.batch = append(b.batch, savedAssessment{a, data})
	var full []savedAssessment
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
