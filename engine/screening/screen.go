package screening

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/watchlist"
	"github.com/vaksam/vaksam/rules"
)

// Screener screens organisations in a store with a rule set. Only a
// Screener made by NewScreener stores assessments (Save, Record,
// Options.Save): one made otherwise screens, and refuses to save with
// ErrNoSaveHook.
type Screener struct {
	Store *store.Store
	Rules func() *rules.Set // the running set (rules.Manager.Set)
	// Config holds the thresholds a Screener starts with; SetConfig
	// replaces them while it runs (a reload), Settings reads them.
	Config Config
	Log    *slog.Logger
	// Lists gives the sanctions lists (S18) as of a screening's time: one
	// View per set of list versions, shared by the Screener's screenings.
	// NewScreener sets it (and so engine/service's Screener has it); nil:
	// no lists are wired, and the sanctions sources are absent from every
	// profile.
	Lists *watchlist.Cache
	// Observe, if set, is told of every assessment made, with what
	// triggered the screening (Options.Trigger) and how long the
	// organisation took (metrics).
	Observe func(a *Assessment, trigger string, took time.Duration)

	// onSave, given to NewScreener, runs inside the transaction that
	// stores each assessment, so that what it writes and emits (alerts)
	// commits with it.
	onSave  SaveHook
	markets marketCache
	config  atomic.Pointer[Config]
	// scanNetwork makes ScreenAll build the network from the first scan
	// even where the indexes answer (tests compare the two).
	scanNetwork bool
}

// Triggers of a screening (Options.Trigger), for metrics and logs.
const (
	TriggerSchedule = "schedule"  // the periodic screening of the whole store
	TriggerChange   = "change"    // new record versions
	TriggerPreAward = "pre_award" // a pre-award check
	TriggerAPI      = "api"       // a user's request in the web UI or API
	TriggerReload   = "reload"    // the rules or thresholds changed
	TriggerCommand  = "command"   // a command line screening
)

// SetConfig replaces the thresholds later screenings use; a screening
// that runs keeps those it started with.
func (s *Screener) SetConfig(c Config) { s.config.Store(&c) }

// Settings returns the thresholds in force.
func (s *Screener) Settings() Config {
	if c := s.config.Load(); c != nil {
		return *c
	}
	return s.Config
}

// observe reports an assessment to Observe.
func (s *Screener) observe(a *Assessment, opt Options, start time.Time) {
	if s.Observe != nil {
		s.Observe(a, opt.Trigger, time.Since(start))
	}
}

// marketCache keeps the market statistics (price quartiles, spend shares)
// of the last current Screen: computing them reads the store's market
// index, every contract's and invoice's facts, which a single pre-award
// check should not need to. They are reused for a later time of the same
// Swedish day while no contract or invoice was written
// (store.MarketGeneration); other records (a registry refresh) leave them
// valid.
type marketCache struct {
	mu  sync.Mutex
	day time.Time
	at  time.Time
	gen uint64
	m   *profile.Market
}

func (c *marketCache) get(at time.Time, gen uint64) *profile.Market {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m != nil && c.gen == gen && swedishDay(at).Equal(c.day) && !at.Before(c.at) {
		return c.m
	}
	return nil
}

func (c *marketCache) put(at time.Time, gen uint64, m *profile.Market) {
	if m == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.day, c.at, c.gen, c.m = swedishDay(at), at, gen, m
}

// Options of a screening.
type Options struct {
	At      time.Time
	Purpose string
	// Save stores each assessment.
	Save bool
	// MaxAge, when set, is the caller's own freshness bound (a pre-award
	// check's max_age): data observed longer ago is stale even inside the
	// source's window.
	MaxAge time.Duration
	// Current says the screening is of the present, not a reproduction of
	// a past time: it may reuse the market statistics an earlier current
	// screening of the same day computed, while no record was written
	// since. (A past time must see exactly the records observed by then.)
	Current bool
	// Trigger says what caused the screening (TriggerSchedule, …).
	Trigger string
}

// sourceState merges a source with the sources that stand in for it: the
// newest success counts, and an error counts until a later success.
func sourceState(states map[string]*profile.SourceState, src string) profile.SourceState {
	var out profile.SourceState
	for _, s := range append([]string{src}, record.StandIns[src]...) {
		st := states[s]
		if st == nil {
			continue
		}
		out.Present = out.Present || st.Present
		out.Records += st.Records
		if st.LastObserved.After(out.LastObserved) {
			out.LastObserved = st.LastObserved
		}
		if st.Error != "" && st.ErrorAt.After(out.ErrorAt) {
			out.Error, out.ErrorAt = st.Error, st.ErrorAt
		}
		if out.Gap == "" {
			out.Gap = st.Gap
		}
	}
	if out.Present {
		out.Gap = ""
	}
	if !out.ErrorAt.After(out.LastObserved) {
		out.Error, out.ErrorAt = "", time.Time{}
	}
	return out
}

// sanctionLists are the sanctions lists of one screening, read once as
// of its time for every organisation it screens.
type sanctionLists struct {
	view *watchlist.View
	st   *store.Store
}

// lists reads the sanctions lists as of at; nil when none are wired. A
// screening whose context has ended reads nothing.
func (s *Screener) lists(ctx context.Context, at time.Time) (*sanctionLists, error) {
	if s.Lists == nil {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	v, err := s.Lists.View(s.Store, at)
	if err != nil {
		return nil, fmt.Errorf("screen: sanctions lists as of %s: %w", at.Format(time.RFC3339), err)
	}
	return &sanctionLists{view: v, st: s.Store}, nil
}

// fill gives p its sanctions facts (watchlist.Screen), reading the
// organisation's judgements only when it has a name candidate.
func (l *sanctionLists) fill(p *profile.Profile) error {
	if l == nil {
		return nil
	}
	err := watchlist.Screen(l.view, p, func(orgnr string) ([]watchlist.Judgement, error) { return watchlist.Judgements(l.st, orgnr) })
	if err != nil {
		return fmt.Errorf("screen %s: sanctions: %w", redact(p.Orgnr), err)
	}
	return nil
}

// assess screens one decoded subject.
func assess(sub *profile.Subject, net profile.Network, lists *sanctionLists, ev *rules.Evaluator, set *rules.Set, cfg Config, opt Options) (*Assessment, error) {
	at := opt.At
	p := profile.Build(sub, net, at)
	if err := lists.fill(p); err != nil {
		return nil, err
	}
	a := &Assessment{Orgnr: sub.ID, Name: p.Name, At: at, Purpose: opt.Purpose, Ruleset: set.Version(),
		Missing: []Missing{}, NotChecked: []string{}, Hits: []Hit{}, Records: []profile.Ref{}, Sanctions: p.Sanctions}
	required := requiredSources(p, cfg)
	known := make(map[string]rules.Usability, 8)
	var usable func(src string) rules.Usability
	usable = func(src string) rules.Usability {
		if u, seen := known[src]; seen {
			return u
		}
		u := rules.Unusable
		switch {
		case slices.Contains(record.OwnSources, src):
			// The municipality's own registers: what they lack does not exist.
			u = rules.Usable
		case !slices.Contains(required, src) && cfg.ConditionalSources[src] != nil:
			// Required only with an active contract in its categories,
			// which this organisation lacks: the rules that read it are
			// about such contracts, and checked without it.
			u = rules.Usable
		case p.Personal && slices.Contains(cfg.PersonalExempt, src):
			// A sole trader has no board: its representative, the
			// owner, comes with the registry record.
			u = usable(record.Bolagsverket)
		default:
			if _, _, missing := sourceGap(p, src, cfg, opt); !missing {
				u = rules.Usable
			} else if st := sourceState(p.Sources, src); st.Gap != "" && st.Records > 0 && st.Error == "" {
				// Present for some: usable as far as it is fresh.
				if w, ok := cfg.window(src); !ok || !stale(st.LastObserved, opt.At, w) {
					u = rules.Partial
				}
			}
		}
		known[src] = u
		return u
	}
	for _, src := range required {
		if id, reason, missing := sourceGap(p, src, cfg, opt); missing {
			a.Missing = append(a.Missing, Missing{ID: id, Source: src, Reason: reason})
		}
	}
	if p.NotFound {
		a.NotRegistered = true
		a.Missing = append(a.Missing, Missing{ID: "D01", Source: record.Bolagsverket, Reason: "organisation not found in the register (ORGANISATION_FINNS_EJ)"})
	}
	res, err := ev.Eval(p, at, usable)
	if err != nil {
		return nil, fmt.Errorf("screen %s: %w", redact(sub.ID), err)
	}
	a.Missing = append(a.Missing, blockedMissing(p, res.Blocked, a.Missing, cfg, opt)...)
	for _, b := range res.Blocked {
		if b.Rule.Severity == rules.Critical {
			a.CriticalNotChecked = append(a.CriticalNotChecked, b.Rule.ID)
		}
	}
	a.Incomplete = len(a.Missing) > 0
	a.NotChecked = append(a.NotChecked, res.NotChecked...)
	for _, h := range res.Hits {
		hit := Hit{ID: h.Rule.ID, Title: h.Rule.Title, Severity: h.Rule.Severity, Category: h.Rule.Category,
			Confidence: h.Confidence, Message: h.Message, Legal: h.Rule.Legal, Evidence: []profile.Ref{}}
		for _, src := range h.Rule.Evidence {
			for _, s := range append([]string{src}, record.StandIns[src]...) {
				hit.Evidence = append(hit.Evidence, sub.Evidence[s]...)
				hit.Evidence = append(hit.Evidence, p.Linked[s]...)
			}
		}
		a.Hits = append(a.Hits, hit)
	}
	for _, src := range record.Sources {
		a.Records = append(a.Records, sub.Evidence[src]...)
	}
	for _, src := range append([]string{record.Naringsforbud, profile.EvidenceNetwork}, watchlist.Sources...) {
		a.Records = append(a.Records, p.Linked[src]...)
	}
	a.Unknown = len(a.Records) == 0
	cfg.Scoring.place(a)
	return a, nil
}

// requiredSources lists the sources an organisation must have fresh data
// from, sorted.
func requiredSources(p *profile.Profile, cfg Config) []string {
	var out []string
	for src := range cfg.Freshness {
		if p.Personal && slices.Contains(cfg.PersonalExempt, src) {
			continue
		}
		if cats, ok := cfg.ConditionalSources[src]; ok {
			need := false
			for _, c := range p.Contracts {
				need = need || c.Active && slices.Contains(cats, c.Category)
			}
			if !need {
				continue
			}
		}
		out = append(out, src)
	}
	sort.Strings(out)
	return out
}

// sourceGap reports whether a source's data cannot be used for the
// profile, and why: D02 when its newest fetch failed, D01 when there is
// no record, or it is older than the source's window or the caller's max
// age. A source without a window only needs to be present.
func sourceGap(p *profile.Profile, src string, cfg Config, opt Options) (id, reason string, missing bool) {
	st := sourceState(p.Sources, src)
	w, windowed := cfg.window(src)
	switch {
	case st.Error != "":
		return "D02", "source error: " + st.Error, true
	case !st.Present:
		if st.Gap != "" {
			return "D01", st.Gap, true
		}
		if _, list := record.SanctionsSources[src]; list {
			return "D01", "no list imported", true
		}
		return "D01", "no record for this organisation", true
	case windowed && stale(st.LastObserved, opt.At, w):
		return "D01", fmt.Sprintf("stale: last observed %s, window %d days",
			st.LastObserved.In(record.Stockholm).Format("2006-01-02 15:04"), w), true
	case windowed && opt.MaxAge > 0 && opt.At.Sub(st.LastObserved) > opt.MaxAge:
		// The caller's max age applies to the sources that have a
		// window: the registries, not the municipality's own contracts.
		return "D01", fmt.Sprintf("older than the requested max age %s: last observed %s",
			opt.MaxAge, st.LastObserved.In(record.Stockholm).Format("2006-01-02 15:04")), true
	}
	return "", "", false
}

// blockedMissing lists what kept rules from being checked that the
// assessment does not list yet: each unknown fact a rule reads (SCB's
// variables not ordered, a producer's FINNS_EJ), and each unusable source
// a critical rule needs, so that nothing critical passes unseen. One entry
// per source, its reasons joined.
func blockedMissing(p *profile.Profile, blocked []rules.Blocked, have []Missing, cfg Config, opt Options) []Missing {
	listed := map[string]bool{}
	for _, m := range have {
		listed[m.Source] = true
	}
	var out []Missing
	add := func(id, src, reason string) {
		if listed[src] {
			return
		}
		for i := range out {
			if out[i].Source == src {
				if !strings.Contains(out[i].Reason, reason) {
					out[i].Reason += "; " + reason
				}
				return
			}
		}
		out = append(out, Missing{ID: id, Source: src, Reason: reason})
	}
	for _, b := range blocked {
		for _, path := range b.Unknown {
			f := p.Unknown[path]
			add("D01", f.Source, "unknown "+path+": "+f.Reason)
		}
		if b.Rule.Severity != rules.Critical || slices.ContainsFunc(b.Sources, func(s string) bool { return listed[s] }) {
			// Not critical, or blocked by a required source listed
			// already (no roles: nobody to look up for trading bans).
			continue
		}
		for _, src := range b.Sources {
			if id, reason, missing := sourceGap(p, src, cfg, opt); missing {
				add(id, src, reason)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Source < out[j].Source })
	return out
}

func redact(subject string) string {
	if o, err := ident.ParseOrg(subject); err == nil {
		return o.Redacted()
	}
	return subject
}

// Screen screens the named organisations, reading the network from the
// store's indexes.
func (s *Screener) Screen(ctx context.Context, orgnrs []ident.Org, opt Options) ([]*Assessment, error) {
	if err := s.canSave(opt); err != nil {
		return nil, err
	}
	set, cfg := s.Rules(), s.Settings()
	lists, err := s.lists(ctx, opt.At)
	if err != nil {
		return nil, err
	}
	rd, net, done := s.readerNetwork(ctx, opt, cfg)
	defer done()
	ev := evaluator{ev: set.NewEvaluator(), set: set, cfg: cfg, lists: lists}
	var out []*Assessment
	for _, o := range orgnrs {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		a, err := s.screenOne(ctx, rd, net, ev, o, opt)
		if err != nil {
			return out, err
		}
		if opt.Save {
			if err := s.Record(a); err != nil {
				return out, err
			}
		}
		out = append(out, a)
	}
	return out, nil
}

// ended returns ctx's own error for a read that failed because ctx ended
// (a check past its deadline answers as one whose deadline passed between
// two organisations), and err otherwise.
func ended(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && errors.Is(err, cerr) {
		return cerr
	}
	return err
}

// Stats describe a screening of the whole store.
type Stats struct {
	Subjects int // every subject of the store: organisations and persons
	Screened int
	// Indexed says the network came from the store's network and market
	// indexes; otherwise from a first scan of the records.
	Indexed bool
	// ScanDecode is the network's building: a read of the network and
	// market indexes (Indexed), or else a first scan that decodes what
	// the network needs of every subject (roles, registry facts, bans,
	// contracts and invoices).
	ScanDecode time.Duration
	// Evaluate is the second pass: the scan that decodes, profiles,
	// evaluates (and saves) one organisation after the other.
	Evaluate time.Duration
}

// ScreenAll screens every organisation in the store with workers
// goroutines (0: GOMAXPROCS). It first builds what the network questions
// need of every subject, a Population, from the store's network and
// market indexes (or, for a time before the newest records, from a first
// scan); then one ordered scan streams the organisations to the workers,
// each of which decodes one, builds its profile, evaluates it with its own
// VM (and saves it) and drops it. fn receives the assessments in no particular order, from one
// goroutine at a time.
func (s *Screener) ScreenAll(ctx context.Context, opt Options, workers int, fn func(*Assessment) error) (Stats, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var st Stats
	if err := s.canSave(opt); err != nil {
		return st, err
	}
	set, cfg := s.Rules(), s.Settings()
	start := time.Now()
	lists, err := s.lists(ctx, opt.At)
	if err != nil {
		return st, err
	}
	pop, persons, indexed, err := s.population(ctx, opt, cfg, workers)
	if err != nil {
		return st, err
	}
	st.Indexed = indexed
	st.ScanDecode = time.Since(start)
	start = time.Now()
	d := s.newDelivery(opt.Save, fn)
	// A person's records (trading bans) are the network's alone, and a
	// sanctions list's are read through engine/watchlist: the second scan
	// steps over both.
	orgs := store.ScanOptions{At: opt.At, History: profile.HistorySources, Only: func(id store.RecordID) bool { return record.OrganisationSubject(id.Subject) }}
	st.Subjects, err = streamSubjects(ctx, s.Store, orgs, workers,
		func(context.Context) subjectWork {
			ev := set.NewEvaluator()
			return func(_ int, id string, recs []store.Resolved) error {
				return d.take(s.assessOne(id, recs, pop, lists, ev, set, cfg, opt))
			}
		})
	err = d.close(ctx, err)
	st.Screened = d.n
	st.Evaluate = time.Since(start)
	st.Subjects += persons
	return st, err
}

// population builds what the network questions need of every subject as
// of opt.At: from the store's network and market indexes when they answer
// as of that time (no record read), else from a scan that decodes the
// network's records of every subject. persons counts the person subjects.
func (s *Screener) population(ctx context.Context, opt Options, cfg Config, workers int) (pop *profile.Population, persons int, indexed bool, err error) {
	if !s.scanNetwork {
		pop, persons, indexed, err = profile.IndexedPopulation(s.Store, opt.At, cfg.Profile)
		if err != nil || indexed {
			return pop, persons, indexed, err
		}
	}
	pb := profile.NewPopulationBuilder(opt.At, cfg.Profile)
	ordered := newInOrder(pb.Add)
	var n atomic.Int64
	_, err = streamSubjects(ctx, s.Store, store.ScanOptions{At: opt.At, History: profile.HistorySources, Only: profile.NetworkReads}, workers,
		func(context.Context) subjectWork {
			return func(seq int, id string, recs []store.Resolved) error {
				if isPerson(id) {
					n.Add(1)
				}
				sub, err := profile.DecodeNetwork(id, recs)
				ordered.put(seq, sub)
				return err
			}
		})
	if err != nil {
		return nil, 0, false, fmt.Errorf("scan: %w", err)
	}
	return pb.Population(), int(n.Load()), false, nil
}

func isPerson(subject string) bool { return strings.HasPrefix(subject, record.PersonSubjectPrefix) }

// assessOne decodes and assesses one organisation of a whole-store
// screening.
func (s *Screener) assessOne(id string, recs []store.Resolved, pop profile.Network, lists *sanctionLists, ev *rules.Evaluator, set *rules.Set, cfg Config, opt Options) (*Assessment, error) {
	began := time.Now()
	sub, err := profile.Decode(id, recs)
	if err != nil {
		return nil, fmt.Errorf("scan: %w", err)
	}
	a, err := assess(sub, pop, lists, ev, set, cfg, opt)
	if err != nil {
		return nil, err
	}
	s.observe(a, opt, began)
	return a, nil
}

// DecodeSubjects decodes every subject of the store as of at and drops
// it, as ScanSubjects decodes them, holding none: the bare scan and decode
// a screening of the whole store is measured against. It returns how many
// subjects it decoded.
func DecodeSubjects(ctx context.Context, st *store.Store, at time.Time, workers int) (int, error) {
	return decodeSubjects(ctx, st, at, workers, func(int, *profile.Subject) {})
}

// ScanSubjects decodes every subject of the store as of at, in key order:
// one goroutine scans while workers decode.
func ScanSubjects(ctx context.Context, st *store.Store, at time.Time, workers int) ([]*profile.Subject, error) {
	var subjects []*profile.Subject
	ordered := newInOrder(func(s *profile.Subject) { subjects = append(subjects, s) })
	if _, err := decodeSubjects(ctx, st, at, workers, ordered.put); err != nil {
		return nil, err
	}
	return subjects, nil
}

// decodeSubjects decodes every subject of the store as of at, with their
// registries' history, one goroutine scanning while workers decode, and
// passes each to keep with its place in key order (from any worker); it
// returns how many subjects it scanned.
func decodeSubjects(ctx context.Context, st *store.Store, at time.Time, workers int, keep func(seq int, s *profile.Subject)) (int, error) {
	// A sanctions list is no subject of its own to decode: it is read as
	// a whole by engine/watchlist.
	notList := func(id store.RecordID) bool { return !record.IsListSubject(id.Subject) }
	n, err := streamSubjects(ctx, st, store.ScanOptions{At: at, History: profile.HistorySources, Only: notList}, workers, func(context.Context) subjectWork {
		return func(seq int, id string, recs []store.Resolved) error {
			sub, err := profile.Decode(id, recs)
			keep(seq, sub)
			return err
		}
	})
	if err != nil {
		return n, fmt.Errorf("scan: %w", err)
	}
	return n, nil
}

// stale reports whether data last observed at last is outside a window of
// w calendar days (Swedish dates) at time at: observed on 2026-10-21, a
// 31-day window holds until the end of 2026-11-21, whatever the clock
// change in between.
func stale(last, at time.Time, w Days) bool {
	return swedishDay(at).Sub(swedishDay(last)) > w.Duration()
}

func swedishDay(t time.Time) time.Time {
	y, m, d := t.In(record.Stockholm).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
