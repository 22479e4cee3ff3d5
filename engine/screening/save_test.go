package screening_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/rules"
	defaultpack "github.com/vaksam/vaksam/rules/default"
)

// Only a Screener made by NewScreener, with the review desk's hook,
// stores assessments: NewScreener refuses a nil hook or store, and a
// Screener made otherwise refuses every way of saving before it stores
// anything, while it still screens.
func TestSavingNeedsTheDesk(t *testing.T) {
	f := newFixture(t)
	f.ingestSamples(t, instant(t, "2026-11-20"))
	set, err := defaultpack.Load(rules.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	ruleSet := func() *rules.Set { return set }
	if _, err := screening.NewScreener(f.st, ruleSet, screening.DefaultConfig(), nil); !errors.Is(err, screening.ErrNoSaveHook) {
		t.Errorf("NewScreener without a hook: %v, want ErrNoSaveHook", err)
	}
	if _, err := screening.NewScreener(nil, ruleSet, screening.DefaultConfig(), f.desk.OnSave); err == nil {
		t.Error("NewScreener without a store: no error")
	}

	bare := &screening.Screener{Store: f.st, Rules: ruleSet, Config: screening.DefaultConfig()}
	org := ident.MustOrg("5591234561")
	at := instant(t, "2026-11-21")
	as, err := bare.Screen(context.Background(), []ident.Org{org}, screening.Options{At: at})
	if err != nil || len(as) != 1 || as[0].Step != screening.L3 {
		t.Fatalf("screening without saving: %v %v", as, err)
	}
	award := *as[0]
	award.Purpose = screening.Award
	for _, tc := range []struct {
		name string
		save func() error
	}{
		{"Save", func() error { return bare.Save(as[0]) }},
		{"Record", func() error { return bare.Record(&award) }},
		{"Screen", func() error {
			_, err := bare.Screen(context.Background(), []ident.Org{org}, screening.Options{At: at, Save: true})
			return err
		}},
		{"ScreenAll", func() error {
			_, err := bare.ScreenAll(context.Background(), screening.Options{At: at, Save: true}, 2, func(*screening.Assessment) error { return nil })
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.save(); !errors.Is(err, screening.ErrNoSaveHook) {
				t.Fatalf("error %v, want ErrNoSaveHook", err)
			}
		})
	}
	stored, err := f.sc.Assessments(org.String())
	if err != nil || len(stored) != 0 {
		t.Errorf("%d assessments stored (%v), want none", len(stored), err)
	}
	results := 0
	if err := f.st.Results(func(string, store.Result) error { results++; return nil }); err != nil || results != 0 {
		t.Errorf("%d results stored (%v), want none", results, err)
	}
	if n := f.st.OutboxDepth(); n != 0 {
		t.Errorf("%d events in the outbox, want none", n)
	}
	if marked, err := f.st.PreAwardSince(at.AddDate(0, 0, -1), at.AddDate(0, 0, 1)); err != nil || len(marked) != 0 {
		t.Errorf("watched after a refused pre-award save: %v %v", marked, err)
	}
}

// outboxSince returns the outbox events after seq, and the last one's
// sequence number.
func outboxSince(t *testing.T, st *store.Store, seq uint64) ([]store.Event, uint64) {
	t.Helper()
	evs, err := st.Outbox(seq, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) > 0 {
		seq = evs[len(evs)-1].Seq
	}
	return evs, seq
}

func lastResult(t *testing.T, st *store.Store, orgnr string) (store.Result, event.Result) {
	t.Helper()
	var (
		r  store.Result
		ok bool
	)
	err := st.Results(func(subject string, res store.Result) error {
		if subject == orgnr {
			r, ok = res, true
		}
		return nil
	})
	if err != nil || !ok {
		t.Fatalf("result of %s: %v (found %v)", orgnr, err, ok)
	}
	var sum event.Result
	if err := json.Unmarshal(r.Summary, &sum); err != nil {
		t.Fatal(err)
	}
	return r, sum
}

// A pre-award check of a supplier at L3 answers block (L5) and is stored
// as evidence, watched, and published as a check, but the follow-up
// result and the alert stay as the follow-up left them, and the next
// follow-up screening finds its result unchanged.
func TestPreAwardCheckKeepsTheFollowUpResult(t *testing.T) {
	f := newFixture(t)
	f.ingestSamples(t, instant(t, "2026-11-20"))
	const orgnr = "5591234561"
	monitored := instant(t, "2026-11-21")
	if a := f.screen(t, orgnr, monitored, true); a.Step != screening.L3 {
		t.Fatalf("follow-up step %s, want L3", a.Step)
	}
	evs, seq := outboxSince(t, f.st, 0)
	if got := subjectsOf(evs); got != "vaksam.assessment.L3."+orgnr+" vaksam.alert.opened."+orgnr {
		t.Fatalf("follow-up events %s", got)
	}
	al, err := f.desk.OpenAlert(orgnr)
	if err != nil || al == nil {
		t.Fatalf("open alert %v %v", al, err)
	}

	checked := monitored.Add(20 * time.Hour)
	as, err := f.sc.Screen(context.Background(), []ident.Org{ident.MustOrg(orgnr)},
		screening.Options{At: checked, Purpose: screening.Award, Save: true, Trigger: screening.TriggerPreAward})
	if err != nil {
		t.Fatal(err)
	}
	if as[0].Step != screening.L5 || as[0].Verdict != screening.Block {
		t.Fatalf("check: step %s verdict %s, want L5 block", as[0].Step, as[0].Verdict)
	}
	stored, err := f.sc.Assessments(orgnr)
	if err != nil || len(stored) != 2 || stored[1].Purpose != screening.Award || !stored[1].At.Equal(checked) {
		t.Fatalf("stored %d assessments (%v), want the follow-up and the check", len(stored), err)
	}
	if watched, err := f.st.PreAwardSince(checked, checked); err != nil || len(watched) != 1 || watched[0] != orgnr {
		t.Errorf("watched after the check: %v %v", watched, err)
	}
	// Published as a check, with the follow-up result it differs from.
	evs, seq = outboxSince(t, f.st, seq)
	if got := subjectsOf(evs); got != "vaksam.assessment.L5."+orgnr {
		t.Fatalf("check events %s", got)
	}
	var p event.Assessment
	if err := json.Unmarshal(evs[0].Data, &p); err != nil {
		t.Fatal(err)
	}
	if p.Purpose != screening.Award || p.Previous == nil || p.Previous.Step != screening.L3 {
		t.Errorf("check event: purpose %q previous %+v", p.Purpose, p.Previous)
	}
	if r, sum := lastResult(t, f.st, orgnr); !r.At.Equal(monitored) || sum.Step != screening.L3 {
		t.Errorf("follow-up result after the check: %s at %s, want L3 at %s", sum.Step, r.At, monitored)
	}
	if got, err := f.desk.Alert(al.ID); err != nil || got.Revision != al.Revision || got.Step != screening.L3 || got.State != al.State {
		t.Errorf("alert after the check: %+v %v", got, err)
	}

	// The next follow-up says what the last one said: nothing to publish.
	next := checked.Add(4 * time.Hour)
	f.screen(t, orgnr, next, true)
	if evs, _ = outboxSince(t, f.st, seq); len(evs) != 0 {
		t.Errorf("the follow-up after the check published %s", subjectsOf(evs))
	}
	if r, sum := lastResult(t, f.st, orgnr); !r.At.Equal(next) || sum.Step != screening.L3 {
		t.Errorf("follow-up result: %s at %s, want L3 at %s", sum.Step, r.At, next)
	}
	if got, err := f.desk.Alert(al.ID); err != nil || got.Revision != al.Revision {
		t.Errorf("alert after the next follow-up: %+v %v", got, err)
	}
}

func subjectsOf(evs []store.Event) string {
	var s []string
	for _, ev := range evs {
		s = append(s, ev.Subject)
	}
	return strings.Join(s, " ")
}
