package schedule

import (
	"container/heap"
	"sort"
	"time"
)

// Config tunes the planner.
type Config struct {
	// Windows are the freshness windows of the sources to keep fresh.
	Windows map[string]time.Duration
	// RefreshAt is the part of a window after which an organisation's data
	// is refetched (default 0.75): a quarter of the window is left for
	// retries.
	RefreshAt float64
	// RetryBackoff is the first wait after a failed fetch, doubled per
	// failure up to a tenth of the window (default 15 minutes).
	RetryBackoff time.Duration
}

func (c Config) refreshAt() float64 {
	if c.RefreshAt <= 0 || c.RefreshAt >= 1 {
		return 0.75
	}
	return c.RefreshAt
}

func (c Config) retryBackoff() time.Duration {
	if c.RetryBackoff <= 0 {
		return 15 * time.Minute
	}
	return c.RetryBackoff
}

// Key names an organisation's data from one source.
type Key struct {
	Source string
	Org    string
}

type entry struct {
	Key
	lastSuccess time.Time
	lastAttempt time.Time
	failures    int
	waiting     bool // a caller waits for it
	inFlight    bool
	watched     bool
	due         time.Time
	index       int
	// startedSeq and wantedSeq order hand-outs and requests: a request
	// made while a fetch is in flight is not answered by that fetch.
	startedSeq, wantedSeq uint64
}

// queue orders a source's entries: waited-for first, then by due time,
// then the oldest data first.
type queue []*entry

func (q queue) Len() int { return len(q) }
func (q queue) Less(i, j int) bool {
	a, b := q[i], q[j]
	if a.waiting != b.waiting {
		return a.waiting
	}
	if !a.due.Equal(b.due) {
		return a.due.Before(b.due)
	}
	if !a.lastSuccess.Equal(b.lastSuccess) {
		return a.lastSuccess.Before(b.lastSuccess)
	}
	return a.Org < b.Org
}
func (q queue) Swap(i, j int) { q[i], q[j] = q[j], q[i]; q[i].index = i; q[j].index = j }
func (q *queue) Push(x any)   { e := x.(*entry); e.index = len(*q); *q = append(*q, e) }
func (q *queue) Pop() any {
	old := *q
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	e.index = -1
	return e
}

// Planner decides, per source, which organisation to fetch next. It is not
// safe for concurrent use; the Runner serialises access.
type Planner struct {
	seq     uint64
	cfg     Config
	entries map[Key]*entry
	queues  map[string]*queue
}

// NewPlanner returns a planner for the sources in cfg.Windows.
func NewPlanner(cfg Config) *Planner {
	p := &Planner{cfg: cfg, entries: map[Key]*entry{}, queues: map[string]*queue{}}
	for src := range cfg.Windows {
		p.queues[src] = &queue{}
	}
	return p
}

// Sources lists the planned sources, sorted.
func (p *Planner) Sources() []string {
	out := make([]string, 0, len(p.queues))
	for s := range p.queues {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// Watch sets the watch list. lastSuccess tells, for a newly watched
// organisation, when each source last observed it successfully (zero:
// never), as the store records it. Organisations no longer watched are
// dropped once their fetch in flight ends.
func (p *Planner) Watch(orgs []string, lastSuccess func(Key) time.Time) {
	want := make(map[string]bool, len(orgs))
	for _, o := range orgs {
		want[o] = true
	}
	for k, e := range p.entries {
		if !want[k.Org] && !e.waiting {
			e.watched = false
			if !e.inFlight {
				p.remove(e)
			}
		}
	}
	for _, o := range orgs {
		for src := range p.queues {
			k := Key{src, o}
			if e, ok := p.entries[k]; ok {
				e.watched = true
				continue
			}
			e := &entry{Key: k, watched: true, lastSuccess: lastSuccess(k)}
			p.add(e)
		}
	}
}

// Want asks for an organisation's data from a source as soon as possible
// (a caller waits for it), watched or not. It returns the request's
// sequence number: a fetch answers the request only if Started reports a
// larger one for it.
func (p *Planner) Want(k Key, now time.Time) uint64 {
	q, ok := p.queues[k.Source]
	if !ok {
		return 0
	}
	p.seq++
	e, ok := p.entries[k]
	if !ok {
		e = &entry{Key: k}
		p.add(e)
	}
	e.waiting = true
	e.wantedSeq = p.seq
	if !e.inFlight {
		e.due = now
	}
	if e.index >= 0 {
		heap.Fix(q, e.index)
	}
	return p.seq
}

// Started returns the sequence number of the fetch in flight for k.
func (p *Planner) Started(k Key) uint64 {
	if e := p.entries[k]; e != nil {
		return e.startedSeq
	}
	return 0
}

func (p *Planner) add(e *entry) {
	p.entries[e.Key] = e
	e.due = p.dueOf(e)
	heap.Push(p.queues[e.Source], e)
}

func (p *Planner) remove(e *entry) {
	if e.index >= 0 {
		heap.Remove(p.queues[e.Source], e.index)
	}
	delete(p.entries, e.Key)
}

// dueOf computes when an entry should be fetched next.
func (p *Planner) dueOf(e *entry) time.Time {
	if e.waiting {
		return time.Time{} // now: before anything else
	}
	w := p.cfg.Windows[e.Source]
	var due time.Time
	if !e.lastSuccess.IsZero() {
		due = e.lastSuccess.Add(time.Duration(float64(w) * p.cfg.refreshAt()))
	}
	if e.failures > 0 {
		back := p.cfg.retryBackoff() << min(e.failures-1, 20)
		if limit := w / 10; back > limit && limit > 0 {
			back = limit
		}
		if retry := e.lastAttempt.Add(back); retry.After(due) {
			due = retry
		}
	}
	return due
}

// Next returns up to max organisations of a source that are due at now,
// most urgent first, and marks them in flight. When none is due it returns
// the time the next one will be (zero when the queue is empty).
func (p *Planner) Next(source string, now time.Time, max int) ([]string, time.Time) {
	q := p.queues[source]
	if q == nil || q.Len() == 0 {
		return nil, time.Time{}
	}
	var out []string
	for q.Len() > 0 && len(out) < max {
		e := (*q)[0]
		if e.due.After(now) {
			if len(out) == 0 {
				return nil, e.due
			}
			break
		}
		heap.Pop(q)
		p.seq++
		e.startedSeq = p.seq
		e.inFlight = true
		e.lastAttempt = now
		out = append(out, e.Org)
	}
	return out, time.Time{}
}

// Done reports the outcome of a fetch that Next handed out. A successful
// fetch refreshes the data as of at; a failed one backs off.
func (p *Planner) Done(k Key, at time.Time, ok bool) {
	e := p.entries[k]
	if e == nil {
		return
	}
	e.inFlight = false
	// A request that came while the fetch was in flight still waits.
	e.waiting = e.wantedSeq > e.startedSeq
	if ok {
		e.lastSuccess = at
		e.failures = 0
	} else {
		e.failures++
		e.lastAttempt = at
	}
	if !e.watched && !e.waiting {
		delete(p.entries, k)
		return
	}
	e.due = p.dueOf(e)
	heap.Push(p.queues[k.Source], e)
}

// State reports what the planner knows of an organisation's data.
type State struct {
	LastSuccess, LastAttempt, Due time.Time
	Failures                      int
	InFlight, Waiting             bool
}

// State returns the state of a key, and whether it is planned.
func (p *Planner) State(k Key) (State, bool) {
	e, ok := p.entries[k]
	if !ok {
		return State{}, false
	}
	return State{LastSuccess: e.lastSuccess, LastAttempt: e.lastAttempt, Due: e.due, Failures: e.failures, InFlight: e.inFlight, Waiting: e.waiting}, true
}

// Planned reports whether an organisation is planned for every source.
func (p *Planner) Planned(org string) bool {
	for src := range p.queues {
		if _, ok := p.entries[Key{src, org}]; !ok {
			return false
		}
	}
	return true
}

// Len is the number of planned keys.
func (p *Planner) Len() int { return len(p.entries) }
