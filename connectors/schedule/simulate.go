package schedule

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// SimSource is a source in a simulation: its window, the rate limiter its
// client waits for (sources of one API share one), how many organisations
// one call takes, and how often a call fails.
type SimSource struct {
	Name     string
	Window   time.Duration
	Limiter  *rate.Limiter
	Capacity string // the limit as the authority states it, for the report
	Batch    int
	FailRate float64
	// Outage makes every call fail in [start, start+length) after the
	// simulation starts.
	OutageStart, OutageLength time.Duration
}

// SimConfig describes a simulation.
type SimConfig struct {
	Orgs     int
	Start    time.Time
	Duration time.Duration
	Sources  []SimSource
	Planner  Config
	Seed     uint64
}

// SimReport is what a simulation found.
type SimReport struct {
	Orgs     int
	Duration time.Duration
	Sources  []SimSourceReport
}

// SimSourceReport describes one source over the simulation.
type SimSourceReport struct {
	Name        string
	Window      time.Duration
	Calls       int
	Failures    int
	Filled      bool          // every organisation was fetched at least once
	FirstFill   time.Duration // until every organisation had been fetched once
	MaxAge      time.Duration // the oldest any organisation's data got after the first fill
	Overdue     int           // organisations whose data got older than the window
	PeakMinute  int           // most calls in one minute
	AvgPerHour  float64       // calls an hour after the first fill
	LimitPerMin float64       // the limiter's sustained rate, calls a minute
	Capacity    string
}

func (r SimReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d organisations, %s simulated\n", r.Orgs, r.Duration)
	for _, s := range r.Sources {
		fmt.Fprintf(&b, "%-22s window %-6s calls %-6d failed %-5d first fill %-9s max age %-9s (%.0f%% of window) overdue %d; peak %d calls/min of %.0f (%s), average %.1f calls/h (%.1f%% of the limit)\n",
			s.Name, days(s.Window), s.Calls, s.Failures, s.FirstFill.Round(time.Minute), s.MaxAge.Round(time.Minute),
			100*float64(s.MaxAge)/float64(s.Window), s.Overdue, s.PeakMinute, s.LimitPerMin, s.Capacity, s.AvgPerHour,
			100*s.AvgPerHour/(s.LimitPerMin*60))
	}
	return b.String()
}

func days(d time.Duration) string { return fmt.Sprintf("%dd", int(d.Hours()/24)) }

// Simulate runs the planner against simulated sources on a virtual clock:
// every source works through its queue one call at a time, each call
// waiting for its limiter as the real client does. Nothing sleeps.
func Simulate(cfg SimConfig) SimReport {
	windows := map[string]time.Duration{}
	for _, s := range cfg.Sources {
		windows[s.Name] = s.Window
	}
	pc := cfg.Planner
	pc.Windows = windows
	p := NewPlanner(pc)
	orgs := make([]string, cfg.Orgs)
	for i := range orgs {
		orgs[i] = fmt.Sprintf("%010d", i)
	}
	p.Watch(orgs, func(Key) time.Time { return time.Time{} })
	rng := rand.New(rand.NewPCG(cfg.Seed, 1))
	end := cfg.Start.Add(cfg.Duration)

	type state struct {
		SimSource
		next      time.Time
		rep       SimSourceReport
		fetched   map[string]bool
		filled    bool
		lastOK    map[string]time.Time
		perMinute map[int64]int
		afterFill int
	}
	states := make([]*state, len(cfg.Sources))
	for i, s := range cfg.Sources {
		if s.Batch <= 0 {
			s.Batch = 1
		}
		states[i] = &state{SimSource: s, next: cfg.Start, fetched: map[string]bool{}, lastOK: map[string]time.Time{}, perMinute: map[int64]int{},
			rep: SimSourceReport{Name: s.Name, Window: s.Window, LimitPerMin: float64(s.Limiter.Limit()) * 60, Capacity: s.Capacity}}
	}
	for {
		// The source whose worker acts next.
		var s *state
		for _, x := range states {
			if !x.next.After(end) && (s == nil || x.next.Before(s.next)) {
				s = x
			}
		}
		if s == nil {
			break
		}
		t := s.next
		due, nextDue := p.Next(s.Name, t, s.Batch)
		if len(due) == 0 {
			if nextDue.IsZero() {
				s.next = end.Add(time.Nanosecond)
			} else {
				s.next = nextDue
			}
			continue
		}
		at := t.Add(s.Limiter.ReserveN(t, 1).DelayFrom(t))
		s.rep.Calls++
		s.perMinute[at.Unix()/60]++
		if s.filled {
			s.afterFill++
		}
		since := at.Sub(cfg.Start)
		failed := rng.Float64() < s.FailRate || (s.OutageLength > 0 && since >= s.OutageStart && since < s.OutageStart+s.OutageLength)
		if failed {
			s.rep.Failures++
		}
		for _, o := range due {
			if !failed {
				if last, ok := s.lastOK[o]; ok && s.filled {
					if age := at.Sub(last); age > s.rep.MaxAge {
						s.rep.MaxAge = age
					}
					if at.Sub(last) > s.Window {
						s.rep.Overdue++
					}
				}
				s.lastOK[o] = at
				if !s.fetched[o] {
					s.fetched[o] = true
					if len(s.fetched) == cfg.Orgs {
						s.filled = true
						s.rep.Filled = true
						s.rep.FirstFill = at.Sub(cfg.Start)
					}
				}
			}
			p.Done(Key{s.Name, o}, at, !failed)
		}
		s.next = at
	}
	rep := SimReport{Orgs: cfg.Orgs, Duration: cfg.Duration}
	for _, s := range states {
		// Data still unrefreshed at the end counts too.
		if s.filled {
			for _, last := range s.lastOK {
				if age := end.Sub(last); age > s.rep.MaxAge {
					s.rep.MaxAge = age
				}
				if end.Sub(last) > s.Window {
					s.rep.Overdue++
				}
			}
			if hours := (cfg.Duration - s.rep.FirstFill).Hours(); hours > 0 {
				s.rep.AvgPerHour = float64(s.afterFill) / hours
			}
		}
		for _, n := range s.perMinute {
			s.rep.PeakMinute = max(s.rep.PeakMinute, n)
		}
		rep.Sources = append(rep.Sources, s.rep)
	}
	sort.Slice(rep.Sources, func(i, j int) bool { return rep.Sources[i].Name < rep.Sources[j].Name })
	return rep
}
