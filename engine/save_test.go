package engine_test

import (
	"context"
	"errors"
	"testing"

	"github.com/vaksam/vaksam/engine"
	"github.com/vaksam/vaksam/engine/ident"
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
	if _, err := engine.NewScreener(f.st, ruleSet, engine.DefaultConfig(), nil); !errors.Is(err, engine.ErrNoSaveHook) {
		t.Errorf("NewScreener without a hook: %v, want ErrNoSaveHook", err)
	}
	if _, err := engine.NewScreener(nil, ruleSet, engine.DefaultConfig(), f.desk.OnSave); err == nil {
		t.Error("NewScreener without a store: no error")
	}

	bare := &engine.Screener{Store: f.st, Rules: ruleSet, Config: engine.DefaultConfig()}
	org := ident.MustOrg("5591234561")
	at := instant(t, "2026-11-21")
	as, err := bare.Screen(context.Background(), []ident.Org{org}, engine.Options{At: at})
	if err != nil || len(as) != 1 || as[0].Step != engine.L3 {
		t.Fatalf("screening without saving: %v %v", as, err)
	}
	award := *as[0]
	award.Purpose = engine.Award
	for _, tc := range []struct {
		name string
		save func() error
	}{
		{"Save", func() error { return bare.Save(as[0]) }},
		{"Record", func() error { return bare.Record(&award) }},
		{"Screen", func() error {
			_, err := bare.Screen(context.Background(), []ident.Org{org}, engine.Options{At: at, Save: true})
			return err
		}},
		{"ScreenAll", func() error {
			_, err := bare.ScreenAll(context.Background(), engine.Options{At: at, Save: true}, 2, func(*engine.Assessment) error { return nil })
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.save(); !errors.Is(err, engine.ErrNoSaveHook) {
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
