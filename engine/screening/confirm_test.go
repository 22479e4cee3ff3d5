package screening_test

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/rules"
	defaultpack "github.com/vaksam/vaksam/rules/default"
)

// storedCount counts the assessments stored whole, by organisation.
func storedCount(t *testing.T, st *store.Store) map[string]int {
	t.Helper()
	n := map[string]int{}
	err := st.DB().View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{'a', 0}})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()[2:]
			n[string(k[:10])]++ // the organisation number
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// screenAll screens and saves the whole store as of at, returning each
// organisation's assessment as the screening gave it.
func screenAll(t *testing.T, f *fixture, at time.Time) map[string][]byte {
	t.Helper()
	var mu sync.Mutex
	out := map[string][]byte{}
	if _, err := f.sc.ScreenAll(context.Background(), screening.Options{At: at, Save: true}, 2, func(a *screening.Assessment) error {
		data, err := json.Marshal(a)
		mu.Lock()
		out[a.Orgnr] = data
		mu.Unlock()
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// A follow-up screening whose result is unchanged (the same assessment
// but for its time) stores no new assessment and publishes nothing, and
// the stored assessments read back as if it had been stored whole; a
// change is stored whole and published.
func TestUnchangedResultIsConfirmed(t *testing.T) {
	f := newFixture(t)
	f.ingestSamples(t, instant(t, "2026-11-20"))
	first := instant(t, "2026-11-21")
	screenAll(t, f, first)
	before := storedCount(t, f.st)
	_, seq := outboxSince(t, f.st, 0)

	second := first.Add(6 * time.Hour)
	again := screenAll(t, f, second)
	if after := storedCount(t, f.st); len(after) != len(before) || len(after) == 0 {
		t.Fatalf("stored whole after the second screening: %v, before %v", after, before)
	} else {
		for org, n := range after {
			if n != before[org] {
				t.Errorf("%s: %d assessments stored whole, before %d: an unchanged result was stored again", org, n, before[org])
			}
		}
	}
	if evs, _ := outboxSince(t, f.st, seq); len(evs) != 0 {
		t.Errorf("an unchanged screening published %s", subjectsOf(evs))
	}
	for org, data := range again {
		stored, err := f.sc.Assessments(org)
		if err != nil || len(stored) != 2 {
			t.Fatalf("%s: %d assessments read back (%v), want 2", org, len(stored), err)
		}
		got, _ := json.Marshal(stored[1])
		if string(got) != string(data) {
			t.Errorf("%s: read back\n%s\nwant what the screening gave\n%s", org, got, data)
		}
		if r, _ := lastResult(t, f.st, org); !r.At.Equal(second) {
			t.Errorf("%s: result at %s, want %s", org, r.At, second)
		}
	}

	// A changed result is stored whole and published.
	const orgnr = "5591234561"
	f.ingestString(t, "kronofogden", `{"orgnr":"5591234561","per_datum":"2026-11-21","allmanna_mal":{"antal":0,"belopp_sek":0},"enskilda_mal":{"antal":0,"belopp_sek":0},"betalningsforelagganden_12m":0,"konkursansokan":false,"foretagsrekonstruktion":false,"dokument":"kfm.pdf"}`, second)
	third := second.Add(6 * time.Hour)
	screenAll(t, f, third)
	if n := storedCount(t, f.st)[orgnr]; n != before[orgnr]+1 {
		t.Errorf("%s after a change: %d stored whole, want %d", orgnr, n, before[orgnr]+1)
	}
	evs, _ := outboxSince(t, f.st, seq)
	if got := subjectsOf(evs); len(evs) == 0 || evs[0].Subject[len(evs[0].Subject)-10:] != orgnr {
		t.Errorf("events after a change: %s", got)
	}
	stored, err := f.sc.Assessments(orgnr)
	if err != nil || len(stored) != 3 || !stored[2].At.Equal(third) {
		t.Fatalf("%s: %d assessments read back (%v), want 3", orgnr, len(stored), err)
	}
	var p struct {
		Assessment json.RawMessage `json:"assessment"`
	}
	if err := json.Unmarshal(evs[0].Data, &p); err != nil {
		t.Fatal(err)
	}
	if want, _ := json.Marshal(stored[2]); string(p.Assessment) != string(want) {
		t.Errorf("the event's assessment\n%s\nwant the stored one\n%s", p.Assessment, want)
	}
}

// The save hook hears of an unchanged result with the previous result it
// was compared with, as stored (reading it back is spared when its key is
// the same, not its meaning), and of a changed one with the result it
// changed from.
func TestSaveHookHearsThePreviousResult(t *testing.T) {
	f := newFixture(t)
	f.ingestSamples(t, instant(t, "2026-11-20"))
	var mu sync.Mutex
	heard := map[string]screening.Change{}
	set, err := defaultpack.Load(rules.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := screening.NewScreener(f.st, func() *rules.Set { return set }, screening.DefaultConfig(),
		func(tx *store.Tx, a *screening.Assessment, ch screening.Change) error {
			mu.Lock()
			heard[a.Orgnr] = ch
			mu.Unlock()
			return f.desk.OnSave(tx, a, ch)
		})
	if err != nil {
		t.Fatal(err)
	}
	screen := func(at time.Time) {
		t.Helper()
		if _, err := sc.ScreenAll(context.Background(), screening.Options{At: at, Save: true}, 2,
			func(*screening.Assessment) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	first := instant(t, "2026-11-21")
	screen(first)
	if len(heard) == 0 {
		t.Fatal("the hook heard of no assessment")
	}
	for org, ch := range heard {
		if ch.Previous != nil || !ch.Changed {
			t.Errorf("%s, first result: changed %v, previous %+v", org, ch.Changed, ch.Previous)
		}
	}
	stored := map[string]event.Result{}
	for org := range heard {
		_, stored[org] = lastResult(t, f.st, org)
	}
	screen(first.Add(6 * time.Hour))
	for org, ch := range heard {
		if ch.Changed || ch.Previous == nil || !reflect.DeepEqual(*ch.Previous, stored[org]) || !reflect.DeepEqual(ch.Result, stored[org]) {
			t.Errorf("%s, unchanged: changed %v, previous %+v, result %+v; stored %+v", org, ch.Changed, ch.Previous, ch.Result, stored[org])
		}
	}

	const orgnr = "5591234561"
	f.ingestString(t, "kronofogden", `{"orgnr":"5591234561","per_datum":"2026-11-21","allmanna_mal":{"antal":0,"belopp_sek":0},"enskilda_mal":{"antal":0,"belopp_sek":0},"betalningsforelagganden_12m":0,"konkursansokan":false,"foretagsrekonstruktion":false,"dokument":"kfm.pdf"}`, first.Add(6*time.Hour))
	screen(first.Add(12 * time.Hour))
	if ch := heard[orgnr]; !ch.Changed || ch.Previous == nil || !reflect.DeepEqual(*ch.Previous, stored[orgnr]) || reflect.DeepEqual(ch.Result, stored[orgnr]) {
		t.Errorf("%s, changed: changed %v, previous %+v, result %+v; stored before %+v", orgnr, ch.Changed, ch.Previous, ch.Result, stored[orgnr])
	}
}

// What a screening stores is its assessment's JSON as json.Marshal writes
// it, byte for byte (the pre-award reply and `vaksam screen --json` write
// it so), saved alone or in a whole-store screening's batches.
func TestStoredAssessmentIsItsJSON(t *testing.T) {
	f := newFixture(t)
	f.ingestSamples(t, instant(t, "2026-11-20"))
	at := instant(t, "2026-11-21")
	gave := screenAll(t, f, at)
	if len(gave) == 0 {
		t.Fatal("nothing screened")
	}
	const orgnr = "5591234561"
	one, err := f.sc.Screen(context.Background(), []ident.Org{ident.MustOrg(orgnr)}, screening.Options{At: at.Add(time.Hour), Purpose: screening.Award, Save: true})
	if err != nil || len(one) != 1 {
		t.Fatalf("pre-award check: %d assessments, %v", len(one), err)
	}
	checked, _ := json.Marshal(one[0])
	for org, want := range gave {
		var stored [][]byte
		if err := f.st.Assessments(org, func(_ time.Time, data []byte) error {
			stored = append(stored, data)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		wants := [][]byte{want}
		if org == orgnr {
			wants = append(wants, checked) // the check's, stored after
		}
		if len(stored) != len(wants) {
			t.Fatalf("%s: %d assessments stored, want %d", org, len(stored), len(wants))
		}
		for i := range wants {
			if !bytes.Equal(stored[i], wants[i]) {
				t.Errorf("%s: stored\n%s\nwant json.Marshal's\n%s", org, stored[i], wants[i])
			}
		}
	}
}
