package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"
)

func assessmentKey(subject string, at time.Time, ruleset string) []byte {
	b := []byte{'a', sep}
	b = append(b, subject...)
	b = append(b, sep)
	b = binary.BigEndian.AppendUint64(b, uint64(at.UnixNano()))
	return append(b, ruleset...)
}

// StoredAssessment is an assessment's JSON with what it is stored under.
type StoredAssessment struct {
	Subject string
	At      time.Time
	Ruleset string
	Data    []byte
}

// Assessments calls fn with every stored assessment of a subject, oldest
// first: each one stored, and each confirmation of one as the assessment
// it confirms with the confirmation's time (what was stored before
// confirmations were kept, one full assessment per screening).
func (s *Store) Assessments(subject string, fn func(at time.Time, data []byte) error) error {
	return s.db.View(func(txn *badger.Txn) error {
		confs, err := confirmations(txn, subject)
		if err != nil {
			return err
		}
		slices.Reverse(confs) // oldest first
		needed := map[storedRef]bool{}
		for _, c := range confs {
			needed[c.ref()] = true
		}
		held := map[storedRef][]byte{}
		emit := func(c confirmation) error {
			data, ok := held[c.ref()]
			if !ok {
				return nil // pruned with the assessment it confirms
			}
			x, err := withTime(data, c.time())
			if err != nil {
				return fmt.Errorf("store: %s: confirmation at %s: %w", subject, c.At.Format(time.RFC3339), err)
			}
			return fn(c.At, x)
		}
		prefix := assessmentPrefix(subject)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 16})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()[len(prefix):]
			if len(k) < 8 {
				continue
			}
			at := time.Unix(0, int64(binary.BigEndian.Uint64(k))).UTC()
			for len(confs) > 0 && confs[0].At.Before(at) {
				if err := emit(confs[0]); err != nil {
					return err
				}
				confs = confs[1:]
			}
			data, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			if r := (storedRef{at.UnixNano(), rulesetTag(string(k[8:]))}); needed[r] {
				held[r] = data
			}
			if err := fn(at, data); err != nil {
				return err
			}
		}
		for _, c := range confs {
			if err := emit(c); err != nil {
				return err
			}
		}
		return nil
	})
}

func assessmentPrefix(subject string) []byte {
	return append(append([]byte{'a', sep}, subject...), sep)
}

// Result is what the newest published assessment of a subject said, kept
// to tell whether a new one changed the result:
//
//	l 0 <subject>              Result (JSON)
//	l 0 <subject> 0 ^<at:8>    a confirmation (confirmation.encode)
//
// A follow-up assessment that says exactly what the stored one says (its
// JSON equal but for its time, Same) is not stored again: a confirmation
// records when it was made, and readers see it as the stored assessment
// with that time (Assessments, LatestAssessment). Confirmations sort
// newest first after their subject's result.
type Result struct {
	// At is when the newest follow-up assessment was made: the stored one
	// or, read back, its newest confirmation.
	At      time.Time       `json:"at"`
	Digest  string          `json:"digest"`
	Summary json.RawMessage `json:"summary,omitempty"`
	// Name is the organisation's name as that assessment gave it, so that
	// organisations can be found by name (Results); empty in results
	// stored before it was kept.
	Name string `json:"name,omitempty"`
	// Same is AssessmentDigest of the stored assessment: a later one with
	// the same digest only confirms it. Empty in results stored before
	// confirmations were kept (the next assessment is stored whole).
	Same string `json:"same,omitempty"`
	// Stored is, read back, the time of the stored assessment the result
	// is (At before any confirmation).
	Stored time.Time `json:"-"`
}

func resultKey(subject string) []byte { return append([]byte{'l', sep}, subject...) }

func confirmationKey(subject string, at time.Time) []byte {
	return binary.BigEndian.AppendUint64(append(resultKey(subject), sep), ^uint64(at.UnixNano()))
}

// confirmation says that the follow-up assessment stored at Stored with
// the rule set tagged Ruleset was made again at At with nothing but its
// time changed. Offset is At's zone offset (seconds east of UTC) as the
// assessment's JSON gave it, so that it reads back byte for byte.
type confirmation struct {
	At      time.Time
	Stored  int64 // Unix nanoseconds
	Ruleset uint32
	Offset  int
}

// storedRef names a stored assessment among a subject's: its time and
// the tag of its rule set (the key holds the rule set itself).
type storedRef struct {
	at  int64
	tag uint32
}

func (c confirmation) ref() storedRef { return storedRef{c.Stored, c.Ruleset} }

// time is At in the zone the assessment's JSON had.
func (c confirmation) time() time.Time { return c.At.In(time.FixedZone("", c.Offset)) }

// encode is the value: stored time (8 bytes), rule-set tag (4 bytes),
// zone offset (varint).
func (c confirmation) encode() []byte {
	b := make([]byte, 0, 14)
	b = binary.BigEndian.AppendUint64(b, uint64(c.Stored))
	b = binary.BigEndian.AppendUint32(b, c.Ruleset)
	return binary.AppendVarint(b, int64(c.Offset))
}

// decodeConfirmation decodes a confirmation from its key's time (the 8
// bytes after the subject's result key and sep) and its value.
func decodeConfirmation(keyTime, v []byte) (confirmation, error) {
	if len(keyTime) != 8 || len(v) < 13 {
		return confirmation{}, errors.New("confirmation: truncated")
	}
	off, n := binary.Varint(v[12:])
	if n <= 0 {
		return confirmation{}, errors.New("confirmation: bad zone offset")
	}
	return confirmation{At: time.Unix(0, int64(^binary.BigEndian.Uint64(keyTime))).UTC(),
		Stored: int64(binary.BigEndian.Uint64(v)), Ruleset: binary.BigEndian.Uint32(v[8:]), Offset: int(off)}, nil
}

// rulesetTag tells the rule sets of assessments stored at the same time
// apart (FNV-1a).
func rulesetTag(ruleset string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(ruleset))
	return h.Sum32()
}

// confirmations reads a subject's confirmations, newest first.
func confirmations(txn *badger.Txn, subject string) ([]confirmation, error) {
	prefix := append(resultKey(subject), sep)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 16})
	defer it.Close()
	var out []confirmation
	for it.Rewind(); it.Valid(); it.Next() {
		var c confirmation
		err := it.Item().Value(func(v []byte) (err error) {
			c, err = decodeConfirmation(it.Item().Key()[len(prefix):], v)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", subject, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// resultReader reads subjects' results, with their newest confirmations,
// from one iterator over the results in subject order.
type resultReader struct {
	it *badger.Iterator
}

func newResultReader(txn *badger.Txn, prefix []byte) *resultReader {
	return &resultReader{it: txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 64})}
}

func (r *resultReader) close() { r.it.Close() }

// read returns subject's result; ok is false when it has none. Subjects
// read one after another in ascending order cost a step each, not a seek.
func (r *resultReader) read(subject string) (res Result, ok bool, err error) {
	key := resultKey(subject)
	for i := 0; r.it.Valid() && bytes.Compare(r.it.Item().Key(), key) < 0; i++ {
		if i == 8 {
			r.it.Seek(key)
			break
		}
		r.it.Next()
	}
	if !r.it.Valid() {
		r.it.Seek(key)
	}
	if !r.it.Valid() || !bytes.Equal(r.it.Item().Key(), key) {
		return res, false, nil
	}
	if err := r.it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &res) }); err != nil {
		return res, false, fmt.Errorf("store: result %s: %w", subject, err)
	}
	res.Stored = res.At
	r.it.Next()
	if r.it.Valid() && bytes.HasPrefix(r.it.Item().Key(), append(key, sep)) {
		if err := r.it.Item().Value(func(v []byte) error {
			c, err := decodeConfirmation(r.it.Item().Key()[len(key)+1:], v)
			if err == nil && c.At.After(res.At) {
				res.At = c.At
			}
			return err
		}); err != nil {
			return res, false, fmt.Errorf("store: result %s: %w", subject, err)
		}
	}
	return res, true, nil
}

// Results calls fn with every subject's newest published result, in
// subject order.
func (s *Store) Results(fn func(subject string, r Result) error) error {
	return s.ResultsWhere(nil, fn)
}

// ResultsWhere is Results of the subjects keep accepts (nil: every one):
// keep sees the subject and its stored result as JSON before it is
// decoded, so that a search passes over what cannot match without the
// cost of decoding it.
func (s *Store) ResultsWhere(keep func(subject string, stored []byte) bool, fn func(subject string, r Result) error) error {
	prefix := []byte{'l', sep}
	return s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 256})
		defer it.Close()
		var (
			cur     Result
			subject string
			pending bool
		)
		flush := func() error {
			if !pending {
				return nil
			}
			pending = false
			return fn(subject, cur)
		}
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()[len(prefix):]
			if i := bytes.IndexByte(k, sep); i >= 0 {
				// A confirmation: the newest of its subject comes first.
				if !pending || string(k[:i]) != subject || !cur.At.Equal(cur.Stored) {
					continue
				}
				if err := it.Item().Value(func(v []byte) error {
					c, err := decodeConfirmation(k[i+1:], v)
					if err == nil && c.At.After(cur.At) {
						cur.At = c.At
					}
					return err
				}); err != nil {
					return fmt.Errorf("store: result %s: %w", subject, err)
				}
				continue
			}
			if err := flush(); err != nil {
				return err
			}
			subject, cur, pending = string(k), Result{}, true
			if err := it.Item().Value(func(b []byte) error {
				if keep != nil && !keep(subject, b) {
					pending = false
					return nil
				}
				return json.Unmarshal(b, &cur)
			}); err != nil {
				return fmt.Errorf("store: result %s: %w", subject, err)
			}
			cur.Stored = cur.At
		}
		return flush()
	})
}

// LatestAssessment returns a subject's newest stored assessment (the
// latest time; of two at the same time, the last rule set in byte
// order), or ErrNotFound when it has none. A confirmation newer than
// every stored assessment is the assessment it confirms with its time.
func (s *Store) LatestAssessment(subject string) (time.Time, []byte, error) {
	return s.LatestAssessmentWhere(subject, nil)
}

// LatestAssessmentWhere is LatestAssessment of the assessments keep (nil:
// every one) accepts: it reads them newest first until keep accepts one.
func (s *Store) LatestAssessmentWhere(subject string, keep func(data []byte) bool) (time.Time, []byte, error) {
	prefix := assessmentPrefix(subject)
	var (
		at    time.Time
		data  []byte
		found bool
	)
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, Reverse: true})
		// In reverse, seek to the last key under the prefix.
		for it.Seek(append(append([]byte(nil), prefix...), 0xff)); it.Valid(); it.Next() {
			k := it.Item().Key()[len(prefix):]
			if len(k) < 8 {
				continue
			}
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				it.Close()
				return err
			}
			if keep != nil && !keep(v) {
				continue
			}
			at, data, found = time.Unix(0, int64(binary.BigEndian.Uint64(k))).UTC(), v, true
			break
		}
		it.Close()
		confs, err := confirmations(txn, subject)
		if err != nil {
			return err
		}
		for _, c := range confs {
			if found && !c.At.After(at) {
				break
			}
			full, ok, err := storedAt(txn, subject, c.ref())
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			x, err := withTime(full, c.time())
			if err != nil {
				return err
			}
			if keep == nil || keep(x) {
				at, data, found = c.At, x, true
				break
			}
		}
		if !found {
			return fmt.Errorf("assessment: %w", ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return time.Time{}, nil, fmt.Errorf("store: %s: %w", subject, err)
	}
	return at, data, nil
}

// storedAt reads the stored assessment ref names.
func storedAt(txn *badger.Txn, subject string, ref storedRef) ([]byte, bool, error) {
	prefix := binary.BigEndian.AppendUint64(assessmentPrefix(subject), uint64(ref.at))
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		if rulesetTag(string(it.Item().Key()[len(prefix):])) != ref.tag {
			continue
		}
		v, err := it.Item().ValueCopy(nil)
		return v, err == nil, err
	}
	return nil, false, nil
}

// PutAssessment stores an assessment within the transaction.
func (tx *Tx) PutAssessment(a StoredAssessment) error {
	key := assessmentKey(a.Subject, a.At, a.Ruleset)
	if err := tx.keepReferences(key, a.Data); err != nil {
		return err
	}
	if err := tx.txn.Set(key, a.Data); err != nil {
		return fmt.Errorf("store: assessment: %w", err)
	}
	return nil
}

// LastResult reads the subject's newest published result; ok is false
// when there is none.
func (tx *Tx) LastResult(subject string) (r Result, ok bool, err error) {
	rr := newResultReader(tx.txn, resultKey(subject))
	defer rr.close()
	return rr.read(subject)
}

// LastResults reads the newest published results of subjects with one
// iterator (a batch of a whole-store screening, in subject order, costs
// about a step each); subjects without one are left out.
func (tx *Tx) LastResults(subjects []string) (map[string]Result, error) {
	sorted := slices.Clone(subjects)
	slices.Sort(sorted)
	out := make(map[string]Result, len(sorted))
	rr := newResultReader(tx.txn, []byte{'l', sep})
	defer rr.close()
	for _, s := range sorted {
		r, ok, err := rr.read(s)
		if err != nil {
			return nil, err
		}
		if ok {
			out[s] = r
		}
	}
	return out, nil
}

// SetLastResult records the subject's newest published result, that of
// the assessment stored at r.At.
func (tx *Tx) SetLastResult(subject string, r Result) error {
	data, err := json.Marshal(r)
	if err == nil {
		err = tx.txn.Set(resultKey(subject), data)
	}
	if err != nil {
		return fmt.Errorf("store: result %s: %w", subject, err)
	}
	return nil
}

// Confirm records that the subject's follow-up assessment, last (as
// LastResult read it) with the rule set ruleset, was made again at at
// and said exactly the same (AssessmentDigest equal to last.Same): at
// becomes the result's time, and Assessments shows the stored assessment
// again at at, nothing more is stored.
func (tx *Tx) Confirm(subject string, last Result, at time.Time, ruleset string) error {
	if last.Stored.IsZero() || !at.After(last.At) {
		return fmt.Errorf("store: confirm %s: at %s is not after the result's time %s", subject, at, last.At)
	}
	_, off := at.Zone()
	c := confirmation{At: at, Stored: last.Stored.UnixNano(), Ruleset: rulesetTag(ruleset), Offset: off}
	if err := tx.txn.Set(confirmationKey(subject, at), c.encode()); err != nil {
		return fmt.Errorf("store: confirm %s: %w", subject, err)
	}
	return nil
}

// AssessmentDigest is a digest of an assessment's JSON with the value of
// its top-level member "at" (its time) set aside: two assessments with the
// same digest differ in nothing but their time.
func AssessmentDigest(data []byte) (string, error) {
	s, e, ok := timeSpan(data)
	if !ok {
		return "", errors.New("store: assessment digest: no top-level \"at\"")
	}
	h := sha256.New()
	h.Write(data[:s])
	h.Write([]byte{0})
	h.Write(data[e:])
	return hex.EncodeToString(h.Sum(nil)[:16]), nil
}

// withTime returns data with the value of its top-level member "at"
// replaced by at.
func withTime(data []byte, at time.Time) ([]byte, error) {
	s, e, ok := timeSpan(data)
	if !ok {
		return nil, errors.New("no top-level \"at\"")
	}
	t, err := at.MarshalJSON()
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(data)-(e-s)+len(t))
	return append(append(append(out, data[:s]...), t...), data[e:]...), nil
}
