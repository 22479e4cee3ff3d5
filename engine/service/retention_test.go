package service_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/service"
	"github.com/vaksam/vaksam/engine/settings"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/rules"
	defaultpack "github.com/vaksam/vaksam/rules/default"
)

// Serve's retention loop (RunRetention on the service clock) prunes once
// the clock passes retention.every: the superseded confirmations older
// than the policy go, while the assessment an open alert follows and the
// confirmation a decision rested on stay, and every assessment left
// reads back.
func TestRunRetention(t *testing.T) {
	_, _, st, _ := setup(t)
	desk := service.NewDesk(settings.Review{}, st, nil)
	set, err := defaultpack.Load(rules.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := screening.NewScreener(st, func() *rules.Set { return set }, screening.DefaultConfig(), desk.OnSave)
	if err != nil {
		t.Fatal(err)
	}
	const org = "5591234561"
	start := time.Date(2026, 11, 21, 1, 0, 0, 0, time.UTC)
	day := func(n float64) time.Time { return start.Add(time.Duration(n * 24 * float64(time.Hour))) }
	var decision *review.Decision
	for i := 0; i < 20; i++ { // twice a day for ten days
		if _, err := sc.ScreenAll(context.Background(), screening.Options{At: day(float64(i) / 2), Save: true}, 2,
			func(*screening.Assessment) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if i != 4 {
			continue
		}
		// On day 2 a decision rests on the confirmation just made.
		al, err := desk.OpenAlert(org)
		if err != nil || al == nil {
			t.Fatalf("open alert of %s: %v %v", org, al, err)
		}
		_, raw, err := st.LatestAssessment(org)
		if err != nil {
			t.Fatal(err)
		}
		var x screening.Assessment
		if err := json.Unmarshal(raw, &x); err != nil {
			t.Fatal(err)
		}
		if !x.At.Equal(day(2)) {
			t.Fatalf("the latest assessment of %s is at %s, want the confirmation of %s", org, x.At, day(2))
		}
		decision, err = desk.Decide(review.DecisionRequest{AlertID: al.ID, Kind: review.Avropsstopp, DecidedBy: "anna",
			Justification: "Skulder hos Kronofogden", Ground: review.GroundLOU132,
			Evidence: review.Evidence{AssessmentAt: x.At, Ruleset: x.Ruleset, Records: x.Records}}, x.At.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
	}
	al, err := desk.OpenAlert(org)
	if err != nil || al == nil {
		t.Fatalf("open alert of %s after the decision: %v %v", org, al, err)
	}
	// times are the times the org's assessments read back at, and for
	// each its digest (the same for a stored assessment and its
	// confirmations).
	times := func() ([]time.Time, []string) {
		t.Helper()
		var out []time.Time
		var digests []string
		if err := st.Assessments(org, func(at time.Time, raw []byte) error {
			var x screening.Assessment
			if err := json.Unmarshal(raw, &x); err != nil || !x.At.Equal(at) {
				t.Errorf("the assessment of %s at %s reads back at %s (%v)", org, at, x.At, err)
			}
			d, err := store.AssessmentDigest(raw)
			if err != nil {
				return err
			}
			out, digests = append(out, at), append(digests, d)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out, digests
	}
	before, digests := times()
	if len(before) != 20 {
		t.Fatalf("%s has %d assessments before pruning, want one per screening: %v", org, len(before), before)
	}

	clock := connectors.NewManualClock(day(9.5))
	policy := settings.Retention{ConfirmationDays: 3, Every: 6 * time.Hour}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- service.RunRetention(ctx, desk, policy, clock, nil) }()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("RunRetention: %v", err)
			}
		case <-time.After(time.Minute):
			t.Error("RunRetention did not end with its context")
		}
	}()
	waitFor(t, "the retention loop to sleep", func() bool { return clock.Sleepers() == 1 })
	// Before its interval nothing goes.
	clock.Advance(5 * time.Hour)
	if got, _ := times(); len(got) != len(before) {
		t.Fatalf("pruned before retention.every: %d of %d left", len(got), len(before))
	}
	clock.Advance(time.Hour + time.Minute)
	cutoff := clock.Now().AddDate(0, 0, -3)
	var left []time.Time
	waitFor(t, "the superseded confirmations to go", func() bool {
		left, _ = times()
		return len(left) < len(before)
	})
	// Kept: each stored assessment and its newest confirmation (the first
	// and the last of a run of the same digest), the decision's basis
	// (day 2), the assessment the open alert follows, and everything from
	// the cutoff on.
	if !slices.ContainsFunc(left, decision.Evidence.AssessmentAt.Equal) {
		t.Errorf("the decision's basis at %s is not kept: %v", decision.Evidence.AssessmentAt, left)
	}
	if !slices.ContainsFunc(left, al.AssessedAt.Equal) {
		t.Errorf("the open alert's assessment at %s is not kept: %v", al.AssessedAt, left)
	}
	for i, at := range before {
		keep := i == 0 || digests[i] != digests[i-1] || i == len(before)-1 || digests[i] != digests[i+1] ||
			at.Equal(decision.Evidence.AssessmentAt) || !at.Before(cutoff)
		if kept := slices.ContainsFunc(left, at.Equal); kept != keep {
			t.Errorf("assessment at %s: kept %v, want %v (cutoff %s)", at, kept, keep, cutoff)
		}
	}
	if len(left) >= len(before)-5 {
		t.Errorf("%d of %d assessments left: %v", len(left), len(before), left)
	}
}

// waitFor polls cond until it holds, failing the test after a generous
// deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 30s for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
