package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestPrune: superseded confirmations and old assessments go; the newest
// assessment, the follow-up result's, what Keep names and what a waiting
// event refers to stay, and what stays reads back as before.
func TestPrune(t *testing.T) {
	s := openTest(t)
	const org = "5591234561"
	d := func(n int) time.Time { return day("2026-10-01").AddDate(0, 0, n) }
	stored := func(hits string, at time.Time, emit bool) {
		t.Helper()
		data := testAssessment{Orgnr: org, Name: "Omsorg AB", At: at, Hits: []string{hits}}.json(t)
		same, _ := AssessmentDigest(data)
		a := StoredAssessment{Subject: org, At: at, Ruleset: "r@1", Data: data}
		if err := s.Update(func(tx *Tx) error {
			if err := tx.PutAssessment(a); err != nil {
				return err
			}
			if emit {
				if err := tx.EmitWith(Event{Org: org, Subject: "vaksam.assessment.L3." + org, MsgID: "m" + at.String(),
					Data: append(append([]byte(`{"assessment":`), data...), '}')}, a); err != nil {
					return err
				}
			}
			return tx.SetLastResult(org, Result{At: at, Digest: hits, Same: same})
		}); err != nil {
			t.Fatal(err)
		}
	}
	// S01 from day 0, confirmed daily to day 9; S02 from day 10 (its event
	// waits in the outbox) to day 14; S03 from day 20, confirmed to day 29.
	stored("S01", d(0), false)
	for i := 1; i < 10; i++ {
		confirmLast(t, s, org, d(i), "r@1")
	}
	stored("S02", d(10), true)
	for i := 11; i < 15; i++ {
		confirmLast(t, s, org, d(i), "r@1")
	}
	stored("S03", d(20), false)
	for i := 21; i < 30; i++ {
		confirmLast(t, s, org, d(i), "r@1")
	}
	times := func() []string {
		t.Helper()
		var out []string
		if err := s.Assessments(org, func(at time.Time, data []byte) error {
			out = append(out, fmt.Sprintf("%d", int(at.Sub(d(0)).Hours()/24)))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	all := fmt.Sprint(times())

	// A dry run counts and removes nothing.
	r := Retention{ConfirmationsBefore: d(25), AssessmentsBefore: d(12), Keep: map[string][]time.Time{org: {d(3)}}, DryRun: true}
	dry, err := s.Prune(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(times()); got != all {
		t.Errorf("a dry run removed: %s, before %s", got, all)
	}
	r.DryRun = false
	live := liveSize(t, s)
	got, err := s.Prune(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	// The live data shrinks by exactly what Prune says it removed.
	if after := liveSize(t, s); got.Bytes <= 0 || live-after != got.Bytes {
		t.Errorf("live data %d → %d, pruned %d bytes", live, after, got.Bytes)
	}
	if got != dry {
		t.Errorf("pruned %+v, the dry run said %+v", got, dry)
	}
	// S01 (last confirmed day 9, before day 12) would go, but day 3 is
	// kept evidence: it stays with its newest confirmation (9) and day 3;
	// S02 is referred to by a waiting event: it stays, with its newest
	// confirmation; S03 is the result: its confirmations before day 25 go
	// but for its newest.
	want := "[0 3 9 10 14 20 25 26 27 28 29]"
	if g := fmt.Sprint(times()); g != want {
		t.Errorf("after pruning: %s, want %s", g, want)
	}
	if got.Subjects != 1 || got.Assessments != 0 || got.Confirmations != 7+3+4 {
		t.Errorf("pruned %+v", got)
	}
	if r := resultOf(t, s, org); !r.At.Equal(d(29)) || !r.Stored.Equal(d(20)) {
		t.Errorf("result after pruning: %+v", r)
	}

	// Once delivered and no longer evidence, old assessments go with
	// their confirmations; the result's stays.
	evs, err := s.Outbox(0, 10)
	if err != nil || len(evs) != 1 {
		t.Fatalf("outbox: %v %v", evs, err)
	}
	if err := s.Delivered([]uint64{evs[0].Seq}); err != nil {
		t.Fatal(err)
	}
	got, err = s.Prune(context.Background(), Retention{AssessmentsBefore: d(30)})
	if err != nil {
		t.Fatal(err)
	}
	if g := fmt.Sprint(times()); g != "[20 25 26 27 28 29]" || got.Assessments != 2 || got.Confirmations != 3 {
		t.Errorf("after pruning old assessments: %s, %+v", g, got)
	}
	live = liveSize(t, s)
	if err := s.Compact(1); err != nil {
		t.Fatal(err)
	}
	if after := liveSize(t, s); after != live {
		t.Errorf("compacting changed the live data: %d → %d", live, after)
	}
	if g := fmt.Sprint(times()); g != "[20 25 26 27 28 29]" {
		t.Errorf("after compacting: %s", g)
	}
}

// liveSize is s.LiveSize, failing the test on an error.
func liveSize(t *testing.T, s *Store) int64 {
	t.Helper()
	n, err := s.LiveSize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}
