package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/vaksam/vaksam/engine/store"
)

func newLog(t *testing.T) *Log {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{Small: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &Log{Store: st}
}

var t0 = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

// sample is the i-th entry of a test trail.
func sample(i int) Entry {
	actions := []string{AlertOpen, AlertAssign, DecisionCreate, DecisionApprove, ViewPersons, Login}
	actor := "anna.l"
	if i%3 == 0 {
		actor = System
	}
	return Entry{At: t0.Add(time.Duration(i) * time.Minute), Actor: actor, Action: actions[i%len(actions)],
		Object: fmt.Sprintf("5591234561-%d", i), Detail: map[string]string{"state": "utreds", "revision": fmt.Sprint(i)}}
}

// build records n entries and returns them as written.
func build(t *testing.T, l *Log, n int) []Entry {
	t.Helper()
	var out []Entry
	for i := 1; i <= n; i++ {
		e, err := l.Record(sample(i))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func TestChain(t *testing.T) {
	l := newLog(t)
	if seq, hash, err := l.Head(); err != nil || seq != 0 || hash != Genesis {
		t.Fatalf("empty head %d %q %v", seq, hash, err)
	}
	cet := time.FixedZone("CET", 3600)
	in := sample(1)
	in.At = in.At.In(cet)
	in.Seq, in.Prev, in.Hash = 99, "forged", "forged" // ignored
	first, err := l.Record(in)
	if err != nil {
		t.Fatal(err)
	}
	if first.Seq != 1 || first.Prev != Genesis || first.Hash != HashOf(first) || len(first.Hash) != 64 ||
		first.At.Location() != time.UTC || !first.At.Equal(in.At) {
		t.Fatalf("first entry %+v", first)
	}
	es := append([]Entry{first}, build(t, l, 4)...)
	for i, e := range es {
		if e.Seq != uint64(i+1) {
			t.Errorf("entry %d: seq %d", i, e.Seq)
		}
		if i > 0 && e.Prev != es[i-1].Hash {
			t.Errorf("seq %d: prev %s, want %s", e.Seq, e.Prev, es[i-1].Hash)
		}
		if e.Hash != HashOf(e) {
			t.Errorf("seq %d: hash %s", e.Seq, e.Hash)
		}
	}
	seq, hash, err := l.Head()
	if err != nil || seq != 5 || hash != es[4].Hash {
		t.Fatalf("head %d %s %v", seq, hash, err)
	}
	// Stored as written, in order; the ids sort.
	all, err := l.Entries(0, 0)
	if err != nil || len(all) != 5 {
		t.Fatalf("entries %d %v", len(all), err)
	}
	for i := range all {
		if got, want := mustJSON(t, all[i]), mustJSON(t, es[i]); got != want {
			t.Errorf("stored %s\nwritten %s", got, want)
		}
	}
	if page, err := l.Entries(4, 10); err != nil || len(page) != 2 || page[0].Seq != 4 || page[1].Seq != 5 {
		t.Errorf("entries from 4: %+v %v", page, err)
	}
	if page, err := l.Entries(2, 2); err != nil || len(page) != 2 || page[0].Seq != 2 || page[1].Seq != 3 {
		t.Errorf("entries 2..3: %+v %v", page, err)
	}
	if page, err := l.Entries(6, 10); err != nil || len(page) != 0 {
		t.Errorf("entries from 6: %+v %v", page, err)
	}
	// The trail is store documents: the log reads the key layout the store
	// writes.
	var ids []string
	if err := l.Store.Docs(entryKind, "", func(id string, data []byte) error {
		ids = append(ids, id)
		var e Entry
		if err := json.Unmarshal(data, &e); err != nil || e.Seq != uint64(len(ids)) || id != ID(e.Seq) {
			return fmt.Errorf("document %s: %+v %v", id, e, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids, []string{"0000000000000001", "0000000000000002", "0000000000000003", "0000000000000004", "0000000000000005"}) {
		t.Errorf("ids %q", ids)
	}
	r, err := l.Verify()
	if err != nil || !r.Intact() || r.Entries != 5 || r.Head != es[4].Hash {
		t.Fatalf("verify %+v %v", r, err)
	}
}

func TestVerifyEmpty(t *testing.T) {
	r, err := newLog(t).Verify()
	if err != nil || !r.Intact() || r.Entries != 0 || r.Head != Genesis {
		t.Fatalf("verify %+v %v", r, err)
	}
}

// The encoding is fixed: these bytes and hashes were computed
// independently with the Python of the package documentation.
func TestCanonicalEncoding(t *testing.T) {
	e := Entry{Seq: 7, At: time.Date(2026, 11, 21, 13, 4, 5, 120000000, time.FixedZone("CET", 3600)), Actor: "anna.l",
		Action: DecisionApprove, Object: "5591234561-1-d2", Detail: map[string]string{"status": "bekraftad", "kind": "havning", "Ä": "å,ö:1"},
		Prev: "ab" + Genesis[2:]}
	want := "15:vaksam-audit-v1,1:7,30:2026-11-21T12:04:05.120000000Z,6:anna.l,16:decision.approve,15:5591234561-1-d2,1:3," +
		"4:kind,7:havning,6:status,9:bekraftad,2:Ä,7:å,ö:1,64:ab" + Genesis[2:] + ","
	if got := string(Canonical(e)); got != want {
		t.Errorf("canonical\n%q\nwant\n%q", got, want)
	}
	if got := HashOf(e); got != "f341d7c7f374fd9dc3f54e39c93bc11d433ed6233c7e40cc986e220c9044821a" {
		t.Errorf("hash %s", got)
	}
	e2 := Entry{Seq: 1, At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Actor: System, Action: AlertOpen, Prev: Genesis}
	if got := HashOf(e2); got != "5bd9e591fdc1fa156b181f7461d08f83b3704a36b43ee8a28935c116246e69a8" {
		t.Errorf("hash %s", got)
	}
	// Every field counts, and Hash does not.
	for name, change := range map[string]func(*Entry){
		"seq":    func(e *Entry) { e.Seq++ },
		"at":     func(e *Entry) { e.At = e.At.Add(time.Nanosecond) },
		"actor":  func(e *Entry) { e.Actor = "anna.m" },
		"action": func(e *Entry) { e.Action = DecisionReject },
		"object": func(e *Entry) { e.Object += "x" },
		"detail": func(e *Entry) { e.Detail["kind"] = "uteslutning" },
		"key":    func(e *Entry) { e.Detail["kind2"] = e.Detail["kind"]; delete(e.Detail, "kind") },
		"added":  func(e *Entry) { e.Detail["x"] = "" },
		"prev":   func(e *Entry) { e.Prev = Genesis },
		// Moving a separator between fields changes the encoding.
		"shift": func(e *Entry) { e.Actor, e.Action = e.Actor+"d", "ecision.approve" },
	} {
		c := e
		c.Detail = masked(e.Detail)
		change(&c)
		if HashOf(c) == HashOf(e) {
			t.Errorf("%s: hash unchanged", name)
		}
	}
	c := e
	c.Hash = "whatever"
	if HashOf(c) != HashOf(e) {
		t.Error("Hash is hashed")
	}
}

// Entries appended in one transaction follow each other; a transaction
// that fails leaves neither entry nor head.
func TestAppendWithinTransactions(t *testing.T) {
	l := newLog(t)
	build(t, l, 2)
	err := l.Store.Update(func(tx *store.Tx) error {
		for i := 3; i <= 5; i++ {
			e, err := Append(tx, sample(i))
			if err != nil {
				return err
			}
			if e.Seq != uint64(i) {
				return fmt.Errorf("seq %d, want %d", e.Seq, i)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err = l.Store.Update(func(tx *store.Tx) error {
		if _, err := Append(tx, sample(6)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if seq, _, _ := l.Head(); seq != 5 {
		t.Fatalf("head %d after a failed transaction", seq)
	}
	e, err := l.Record(sample(7))
	if err != nil || e.Seq != 6 {
		t.Fatalf("after a failed transaction: %+v %v", e, err)
	}
	if r, err := l.Verify(); err != nil || !r.Intact() || r.Entries != 6 {
		t.Fatalf("verify %+v %v", r, err)
	}
}

// Writers at once still make one linear chain.
func TestConcurrentRecords(t *testing.T) {
	l := newLog(t)
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				if _, err := l.Record(sample(g*5 + i)); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	r, err := l.Verify()
	if err != nil || !r.Intact() || r.Entries != 40 {
		t.Fatalf("verify %+v %v", r, err)
	}
}

func TestAppendRefuses(t *testing.T) {
	l := newLog(t)
	long := strings.Repeat("x", MaxField+1)
	for name, e := range map[string]Entry{
		"no time":        {Actor: "a", Action: Login},
		"no actor":       {At: t0, Actor: " ", Action: Login},
		"no action":      {At: t0, Actor: "a"},
		"long object":    {At: t0, Actor: "a", Action: Login, Object: long},
		"not utf-8":      {At: t0, Actor: "a\xff", Action: Login},
		"detail utf-8":   {At: t0, Actor: "a", Action: Login, Detail: map[string]string{"k": "\xff"}},
		"empty key":      {At: t0, Actor: "a", Action: Login, Detail: map[string]string{"": "v"}},
		"long value":     {At: t0, Actor: "a", Action: Login, Detail: map[string]string{"k": strings.Repeat("v", MaxDetailValue+1)}},
		"too many pairs": {At: t0, Actor: "a", Action: Login, Detail: manyPairs(MaxDetail + 1)},
	} {
		if _, err := l.Record(e); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if seq, _, _ := l.Head(); seq != 0 {
		t.Fatalf("refused entries written: head %d", seq)
	}
}

func manyPairs(n int) map[string]string {
	m := map[string]string{}
	for i := range n {
		m[fmt.Sprint("k", i)] = "v"
	}
	return m
}

// A personnummer in the details is masked: the trail cannot be cleaned
// afterwards.
func TestAppendMasksPersons(t *testing.T) {
	l := newLog(t)
	e, err := l.Record(Entry{At: t0, Actor: "anna.l", Action: ViewPersons, Object: "5591234561",
		Detail: map[string]string{"person": "19750512-1231", "short": "x 7505121231 y", "org": "5591234561",
			"decision": "197505121231-1-d1", "date": "2026-11-21", "plus": "750512+1231", "coord": "7505721238",
			"contract": "AVT-2025-017", "long": "19750512123100", "hits": "S01,S04", "197505121231": "key"}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"person": "19XXXXXX-XXXX", "short": "x 75XXXXXXXX y", "org": "5591234561",
		"decision": "19XXXXXXXXXX-1-d1", "date": "2026-11-21", "plus": "75XXXX+XXXX", "coord": "75XXXXXXXX",
		"contract": "AVT-2025-017", "long": "19750512123100", "hits": "S01,S04", "19XXXXXXXXXX": "key"}
	stored, err := l.Entries(1, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range []map[string]string{e.Detail, stored[0].Detail} {
		if mustJSON(t, got) != mustJSON(t, want) {
			t.Errorf("detail %v\nwant %v", got, want)
		}
	}
	if r, err := l.Verify(); err != nil || !r.Intact() {
		t.Fatalf("verify %+v %v", r, err)
	}
}

// tamper is direct access to the trail's keys in Badger, as someone with
// the data directory has.
type tamper struct {
	t *testing.T
	l *Log
}

func entryKey(seq uint64) []byte { return rawKey("audit", ID(seq)) }

// rawKey is the document key layout of engine/store/docs.go, spelled out.
func rawKey(kind, id string) []byte {
	return []byte("d\x00" + kind + "\x00" + id)
}

func (tp tamper) raw(key []byte) []byte {
	tp.t.Helper()
	var out []byte
	err := tp.l.Store.DB().View(func(txn *badger.Txn) error {
		item, err := txn.Get(key)
		if err != nil {
			return err
		}
		out, err = item.ValueCopy(nil)
		return err
	})
	if err != nil {
		tp.t.Fatalf("read %q: %v", key, err)
	}
	return out
}

func (tp tamper) set(key, value []byte) {
	tp.t.Helper()
	if err := tp.l.Store.DB().Update(func(txn *badger.Txn) error { return txn.Set(key, value) }); err != nil {
		tp.t.Fatal(err)
	}
}

func (tp tamper) del(key []byte) {
	tp.t.Helper()
	if err := tp.l.Store.DB().Update(func(txn *badger.Txn) error { return txn.Delete(key) }); err != nil {
		tp.t.Fatal(err)
	}
}

func (tp tamper) entry(seq uint64) Entry {
	tp.t.Helper()
	var e Entry
	if err := json.Unmarshal(tp.raw(entryKey(seq)), &e); err != nil {
		tp.t.Fatal(err)
	}
	return e
}

func (tp tamper) put(seq uint64, e Entry) {
	tp.t.Helper()
	tp.set(entryKey(seq), []byte(mustJSON(tp.t, e)))
}

func TestVerifyDetectsTampering(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(tp tamper)
		want   []string // each a problem's start, in order
	}{
		{"altered detail value", func(tp tamper) {
			e := tp.entry(3)
			e.Detail["state"] = "stangd"
			tp.put(3, e)
		}, []string{"seq 3: content does not match its hash (altered)"}},
		{"altered actor", func(tp tamper) {
			e := tp.entry(2)
			e.Actor = "someone.else"
			tp.put(2, e)
		}, []string{"seq 2: content does not match its hash (altered)"}},
		{"altered time in the raw JSON", func(tp tamper) {
			tp.set(entryKey(4), []byte(strings.Replace(string(tp.raw(entryKey(4))), `"at":"2026-11-21T09:04:00Z"`, `"at":"2026-11-21T09:04:01Z"`, 1)))
		}, []string{"seq 4: content does not match its hash (altered)"}},
		{"removed middle entry", func(tp tamper) { tp.del(entryKey(3)) },
			[]string{"seq 3: missing (removed): seq 4 follows seq 2"}},
		{"removed entries", func(tp tamper) { tp.del(entryKey(2)); tp.del(entryKey(3)) },
			[]string{"seq 2-3: missing (removed): seq 4 follows seq 1"}},
		{"removed first entry", func(tp tamper) { tp.del(entryKey(1)) },
			[]string{"seq 1: missing (removed): the trail starts at seq 2"}},
		{"removed last entry", func(tp tamper) { tp.del(entryKey(5)) },
			[]string{"seq 5: missing (removed): the head names seq 5 as the last entry, the trail ends at seq 4"}},
		{"overwritten with another entry", func(tp tamper) { tp.set(entryKey(3), tp.raw(entryKey(2))) },
			[]string{"seq 3: holds the entry of seq 2 (moved or copied over)", "seq 4: prev "}},
		{"reordered", func(tp tamper) {
			two, three := tp.raw(entryKey(2)), tp.raw(entryKey(3))
			tp.set(entryKey(2), three)
			tp.set(entryKey(3), two)
		}, []string{"seq 2: holds the entry of seq 3", "seq 3: holds the entry of seq 2", "seq 4: prev "}},
		{"renumbered to hide the swap", func(tp tamper) {
			// Entries 2 and 3 swapped with their Seq rewritten and hashes
			// recomputed: the links give them away.
			two, three := tp.entry(2), tp.entry(3)
			two.Seq, three.Seq = 3, 2
			two.Hash, three.Hash = HashOf(two), HashOf(three)
			tp.put(2, three)
			tp.put(3, two)
		}, []string{"seq 2: prev ", "seq 3: prev ", "seq 4: prev "}},
		{"hash recomputed after alteration", func(tp tamper) {
			e := tp.entry(3)
			e.Actor, e.Detail["state"] = "someone.else", "stangd"
			e.Hash = HashOf(e)
			tp.put(3, e)
		}, []string{"seq 4: prev "}},
		{"last entry replaced with its hash recomputed", func(tp tamper) {
			e := tp.entry(5)
			e.Action = Logout
			e.Hash = HashOf(e)
			tp.put(5, e)
		}, []string{"seq 5: its hash "}},
		{"first entry's prev", func(tp tamper) {
			e := tp.entry(1)
			e.Prev = strings.Repeat("1", 64)
			e.Hash = HashOf(e)
			tp.put(1, e)
		}, []string{"seq 1: prev 111111111111 is not the genesis value", "seq 2: prev "}},
		{"entry added after the head", func(tp tamper) {
			last := tp.entry(5)
			e := sample(6)
			e.Seq, e.Prev, e.At = 6, last.Hash, e.At.UTC()
			e.Hash = HashOf(e)
			tp.put(6, e)
		}, []string{"seq 6: after the head, which names seq 5"}},
		{"foreign key", func(tp tamper) { tp.set(rawKey("audit", "x"), []byte("{}")) },
			[]string{`entry key "x": not a sequence number`}},
		{"undecodable", func(tp tamper) { tp.set(entryKey(2), []byte("{")) },
			[]string{"seq 2: cannot be read"}},
		{"head removed", func(tp tamper) { tp.del(rawKey("audit-head", "head")) },
			[]string{"head: missing, but the trail has entries up to seq 5"}},
		{"several at once", func(tp tamper) {
			e := tp.entry(2)
			e.Object = "5560360793-1"
			tp.put(2, e)
			tp.del(entryKey(4))
			tp.del(entryKey(5))
		}, []string{"seq 2: content does not match", "seq 4-5: missing (removed): the head names seq 5"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLog(t)
			es := build(t, l, 5)
			tc.tamper(tamper{t, l})
			r, err := l.Verify()
			if err != nil {
				t.Fatal(err)
			}
			if r.Intact() || len(r.Problems) != len(tc.want) {
				t.Fatalf("problems %q, want %q", r.Problems, tc.want)
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(r.Problems[i], w) {
					t.Errorf("problem %q, want %q", r.Problems[i], w)
				}
			}
			if tc.name != "head removed" && r.Head != es[4].Hash {
				t.Errorf("head %s, want %s", r.Head, es[4].Hash)
			}
		})
	}
}

// A damaged head stops appending rather than start a second chain.
func TestDamagedHeadRefusesAppend(t *testing.T) {
	l := newLog(t)
	build(t, l, 2)
	tamper{t, l}.set(rawKey("audit-head", "head"), []byte(`{"seq":0,"hash":""}`))
	if _, err := l.Record(sample(3)); err == nil || !strings.Contains(err.Error(), "head: damaged") {
		t.Fatalf("append on a damaged head: %v", err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
