package schedule

import (
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// A watch list of 10 000 organisations is kept within every freshness
// window under the authorities' real rate limits, through random failures
// and a six-hour outage, on a virtual clock.
func TestSimulation10000Organisations(t *testing.T) {
	// Bolagsverket's API allows 60 requests a minute for all its calls;
	// SCB's 10 calls per 10 seconds, one organisation a call (the default
	// batch size until several in a call are verified).
	bv := rate.NewLimiter(rate.Every(time.Second), 1)
	scb := rate.NewLimiter(rate.Every(time.Second), 1) // as scb.NewLimiter: no bursts
	cfg := SimConfig{
		Orgs:     10_000,
		Start:    time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		Duration: 90 * 24 * time.Hour,
		Seed:     1,
		Sources: []SimSource{
			{Name: "bolagsverket", Window: 7 * 24 * time.Hour, Limiter: bv, Capacity: "60/min shared", Batch: 1, FailRate: 0.02,
				OutageStart: 20 * 24 * time.Hour, OutageLength: 6 * time.Hour},
			{Name: "bolagsverket-dokument", Window: 31 * 24 * time.Hour, Limiter: bv, Capacity: "60/min shared", Batch: 1, FailRate: 0.02},
			{Name: "scb", Window: 31 * 24 * time.Hour, Limiter: scb, Capacity: "10 per 10 s, 1 org a call", Batch: 1, FailRate: 0.05},
		},
	}
	rep := Simulate(cfg)
	t.Logf("\n%s", rep)
	for _, s := range rep.Sources {
		if !s.Filled || s.FirstFill > s.Window/2 {
			t.Errorf("%s: first fill took %v, want well within the %v window", s.Name, s.FirstFill, s.Window)
		}
		if s.Overdue > 0 || s.MaxAge > s.Window {
			t.Errorf("%s: %d organisations overdue, oldest data %v, window %v", s.Name, s.Overdue, s.MaxAge, s.Window)
		}
		if float64(s.PeakMinute) > s.LimitPerMin+1 {
			t.Errorf("%s: %d calls in a minute, limit %.0f", s.Name, s.PeakMinute, s.LimitPerMin)
		}
	}
}

func TestPlannerOrder(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	p := NewPlanner(Config{Windows: map[string]time.Duration{"bolagsverket": 7 * 24 * time.Hour}})
	last := map[string]time.Time{"A": now.Add(-6 * 24 * time.Hour), "B": now.Add(-2 * 24 * time.Hour), "C": time.Time{}}
	p.Watch([]string{"A", "B", "C"}, func(k Key) time.Time { return last[k.Org] })
	// C was never fetched, A is past 75 % of its window, B is fresh.
	got, _ := p.Next("bolagsverket", now, 10)
	if len(got) != 2 || got[0] != "C" || got[1] != "A" {
		t.Fatalf("due %v, want [C A]", got)
	}
	if more, next := p.Next("bolagsverket", now, 10); len(more) != 0 || !next.Equal(last["B"].Add(126*time.Hour)) {
		t.Errorf("then %v, next due %v", more, next)
	}
	// A caller waiting for B goes first.
	p.Done(Key{"bolagsverket", "C"}, now, false)
	p.Want(Key{"bolagsverket", "B"}, now)
	if got, _ := p.Next("bolagsverket", now, 1); len(got) != 1 || got[0] != "B" {
		t.Errorf("waited-for first: %v", got)
	}
	// A failure backs off: C is not due again at once.
	if got, _ := p.Next("bolagsverket", now, 10); len(got) != 0 {
		t.Errorf("after a failure, due again at once: %v", got)
	}
	if got, _ := p.Next("bolagsverket", now.Add(15*time.Minute), 10); len(got) != 1 || got[0] != "C" {
		t.Errorf("after the backoff: %v", got)
	}
	// Unwatched organisations leave the plan.
	p.Done(Key{"bolagsverket", "A"}, now, true)
	p.Watch([]string{"B"}, func(Key) time.Time { return time.Time{} })
	if _, ok := p.State(Key{"bolagsverket", "A"}); ok {
		t.Error("A still planned after it left the watch list")
	}
}
