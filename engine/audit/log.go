package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/dgraph-io/badger/v4"

	"github.com/vaksam/vaksam/engine/store"
)

// Log reads and writes the audit trail of a store.
type Log struct {
	Store *store.Store
}

// Record appends an entry in a transaction of its own (for what changes
// no other state: a login, a view of personal data) and returns it as
// written. A change of state appends within its own transaction instead
// (Append).
func (l *Log) Record(e Entry) (Entry, error) {
	var out Entry
	err := l.Store.Update(func(tx *store.Tx) error {
		var err error
		out, err = Append(tx, e)
		return err
	})
	return out, err
}

// docKey is the store's key of a document (engine/store/docs.go):
//
//	d 0 <kind> 0 <id>
//
// The trail is read through the Badger handle so that Verify sees the
// entries and the head in one snapshot, and Entries can seek.
func docKey(kind, id string) []byte {
	b := append([]byte{'d', 0}, kind...)
	b = append(b, 0)
	return append(b, id...)
}

// Head returns the sequence number and hash of the last entry, as the
// head records them; 0 and Genesis when the trail is empty.
func (l *Log) Head() (uint64, string, error) {
	var h head
	var ok bool
	err := l.Store.DB().View(func(txn *badger.Txn) error {
		var err error
		h, ok, err = viewHead(txn)
		return err
	})
	if err != nil {
		return 0, "", fmt.Errorf("audit: head: %w", err)
	}
	if !ok {
		return 0, Genesis, nil
	}
	return h.Seq, h.Hash, nil
}

func viewHead(txn *badger.Txn) (head, bool, error) {
	item, err := txn.Get(docKey(headKind, headID))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return head{}, false, nil
	}
	if err != nil {
		return head{}, false, err
	}
	var h head
	if err := item.Value(func(b []byte) error { return json.Unmarshal(b, &h) }); err != nil {
		return head{}, true, err
	}
	return h, true, nil
}

// Entries returns up to max entries (max <= 0: all) from sequence number
// from on, in order, as stored: they are not verified.
func (l *Log) Entries(from uint64, max int) ([]Entry, error) {
	from = max1(from)
	prefix := docKey(entryKind, "")
	var out []Entry
	err := l.Store.DB().View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 100})
		defer it.Close()
		for it.Seek(docKey(entryKind, ID(from))); it.Valid() && (max <= 0 || len(out) < max); it.Next() {
			id := string(it.Item().Key()[len(prefix):])
			var e Entry
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &e) }); err != nil {
				return fmt.Errorf("entry %q: %w", id, err)
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return out, nil
}

func max1(n uint64) uint64 {
	if n < 1 {
		return 1
	}
	return n
}

// Report is what Verify found.
type Report struct {
	Entries int    // entries read
	Head    string // the head's hash (the last entry's when the head is missing)
	// Problems names each problem with the sequence number it is at; none
	// when the trail is intact.
	Problems []string
}

// Intact reports whether Verify found no problem.
func (r Report) Intact() bool { return len(r.Problems) == 0 }

// Verify walks the whole trail in one snapshot and reports every problem:
//
//   - a gap in the sequence numbers (entries removed);
//   - an entry stored under another entry's number (moved or copied over);
//   - an entry that cannot be decoded;
//   - an entry whose hash does not recompute (altered);
//   - an entry whose Prev is not the Hash of the entry before it (that one
//     replaced, or altered and its hash recomputed); the first entry's
//     Prev must be Genesis;
//   - a head that is missing, names an entry after the last one (the last
//     entries removed), names an earlier one (entries added around the
//     chain) or has another hash than the last entry (it was replaced).
//
// The error is for failing to read the store, never for a problem found.
func (l *Log) Verify() (Report, error) {
	var r Report
	err := l.Store.DB().View(func(txn *badger.Txn) error {
		r = Report{}
		prefix := docKey(entryKind, "")
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 100})
		defer it.Close()
		var (
			want     uint64 = 1 // the sequence number expected next
			prevHash        = Genesis
			last     uint64 // the last sequence number read
			lastHash string
		)
		problem := func(format string, a ...any) { r.Problems = append(r.Problems, fmt.Sprintf(format, a...)) }
		for it.Rewind(); it.Valid(); it.Next() {
			id := string(it.Item().Key()[len(prefix):])
			pos, err := strconv.ParseUint(id, 10, 64)
			if err != nil || id != ID(pos) || pos == 0 {
				problem("entry key %q: not a sequence number (an entry added around the chain)", id)
				continue
			}
			r.Entries++
			linked := pos == want
			switch {
			case pos > want && want == 1:
				problem("%s: missing (removed): the trail starts at seq %d", seqs(want, pos-1), pos)
			case pos > want:
				problem("%s: missing (removed): seq %d follows seq %d", seqs(want, pos-1), pos, want-1)
			}
			last, want = pos, pos+1
			var e Entry
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &e) }); err != nil {
				problem("seq %d: cannot be read: %v", pos, err)
				prevHash, lastHash = "", ""
				continue
			}
			if e.Seq != pos {
				problem("seq %d: holds the entry of seq %d (moved or copied over)", pos, e.Seq)
			}
			if got := HashOf(e); got != e.Hash {
				problem("seq %d: content does not match its hash (altered): hash %s, content hashes to %s", pos, short(e.Hash), short(got))
			}
			if linked && e.Seq == pos && prevHash != "" && e.Prev != prevHash {
				if pos == 1 {
					problem("seq 1: prev %s is not the genesis value", short(e.Prev))
				} else {
					problem("seq %d: prev %s is not the hash of seq %d, %s (seq %d was replaced, or altered and its hash recomputed)",
						pos, short(e.Prev), pos-1, short(prevHash), pos-1)
				}
			}
			prevHash, lastHash = e.Hash, e.Hash
		}
		h, ok, err := viewHead(txn)
		switch {
		case err != nil:
			problem("head: cannot be read: %v", err)
			r.Head = lastHash
		case !ok && last > 0:
			problem("head: missing, but the trail has entries up to seq %d", last)
			r.Head = lastHash
		case !ok:
			r.Head = Genesis
		case h.Seq > last:
			problem("%s: missing (removed): the head names seq %d as the last entry, the trail ends at seq %d", seqs(last+1, h.Seq), h.Seq, last)
			r.Head = h.Hash
		case h.Seq < last:
			problem("%s: after the head, which names seq %d as the last entry (added around the chain)", seqs(h.Seq+1, last), h.Seq)
			r.Head = h.Hash
		case h.Hash != lastHash:
			problem("seq %d: its hash %s is not the head's %s (the last entry was replaced)", last, short(lastHash), short(h.Hash))
			r.Head = h.Hash
		default:
			r.Head = h.Hash
		}
		return nil
	})
	if err != nil {
		return Report{}, fmt.Errorf("audit: verify: %w", err)
	}
	return r, nil
}

// seqs names a range of sequence numbers.
func seqs(from, to uint64) string {
	if from == to {
		return fmt.Sprintf("seq %d", from)
	}
	return fmt.Sprintf("seq %d-%d", from, to)
}

// short is the start of a hash, enough to tell which.
func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	if h == "" {
		return `""`
	}
	return h
}
