package screening

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"time"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/rules"
)

// Watched returns the organisations serve's scheduled screening keeps
// assessed (settings serve.screen_scope "watched") as of at: the
// municipality's suppliers, every organisation with a record in its own
// registers (record.OwnSources: contracts and invoices, whether active or
// not, since the buyer-side rules read past invoices), and every
// organisation screened before award in the last preAwardDays days (the
// watch list's second half, WatchList). Sorted; subjects that are not
// organisation numbers are left out. The rest of the store stays the
// network these organisations are screened against.
func Watched(st *store.Store, at time.Time, preAwardDays int) ([]ident.Org, error) {
	var ids []string
	for _, src := range record.OwnSources {
		subjects, err := st.SourceSubjects(src)
		if err != nil {
			return nil, fmt.Errorf("watched organisations: %s: %w", src, err)
		}
		ids = append(ids, subjects...)
	}
	screened, err := st.PreAwardSince(at.AddDate(0, 0, -preAwardDays), at)
	if err != nil {
		return nil, fmt.Errorf("watched organisations: pre-award: %w", err)
	}
	return Orgs(append(ids, screened...)), nil
}

// Orgs returns the organisation numbers among ids, sorted, each once;
// what does not parse (a person subject) is left out.
func Orgs(ids []string) []ident.Org {
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := make([]ident.Org, 0, len(ids))
	for _, id := range ids {
		if o, err := ident.ParseOrg(id); err == nil {
			out = append(out, o)
		}
	}
	return out
}

// readerNetwork opens one read transaction of the store and a network over
// it as of opt.At with the thresholds cfg. A current screening (opt.Current) starts from the
// market statistics an earlier one of the same day computed while no
// contract or invoice was written, and leaves those it computed for the
// next. done closes the transaction.
func (s *Screener) readerNetwork(ctx context.Context, opt Options, cfg Config) (rd *store.Reader, net *profile.StoreNetwork, done func()) {
	// The generation is read before the transaction opens: statistics
	// cached under it were computed from records at least as new.
	gen := s.Store.MarketGeneration()
	rd = s.Store.Reader(ctx)
	net = profile.NewReaderNetwork(rd, opt.At, cfg.Profile)
	if opt.Current {
		if m := s.markets.get(opt.At, gen); m != nil {
			net.SetMarket(m)
		}
	}
	return rd, net, func() {
		if opt.Current && net.Err() == nil {
			s.markets.put(opt.At, gen, net.BuiltMarket())
		}
		rd.Close()
	}
}

// screenOne reads, decodes and assesses one organisation through rd and
// net.
func (s *Screener) screenOne(ctx context.Context, rd *store.Reader, net *profile.StoreNetwork, ev evaluator, o ident.Org, opt Options) (*Assessment, error) {
	start := time.Now()
	recs, err := rd.Subject(o.String(), store.ScanOptions{At: opt.At, History: profile.HistorySources})
	if err != nil {
		return nil, ended(ctx, err)
	}
	sub, err := profile.Decode(o.String(), recs)
	if err != nil {
		return nil, err
	}
	a, err := assess(sub, net, ev.lists, ev.ev, ev.set, ev.cfg, opt)
	if err != nil {
		return nil, err
	}
	if err := net.Err(); err != nil {
		return nil, ended(ctx, fmt.Errorf("screen %s: network: %w", o.Redacted(), err))
	}
	s.observe(a, opt, start)
	return a, nil
}

// ScreenOrgs screens the named organisations with workers goroutines (0:
// GOMAXPROCS), each with its own VM, reading the network (other
// organisations' facts, persons' roles, addresses, bans, the market) from
// the store's indexes in one read transaction, as Screen does: what the
// whole register holds is context, read only where an organisation's
// network reaches, never decoded whole. The assessments equal those
// ScreenAll gives the same organisations. With opt.Save they are stored in
// batches, as ScreenAll stores them. fn receives the assessments in no
// particular order, from one goroutine at a time. Stats.ScanDecode stays
// zero: reading is part of evaluating.
func (s *Screener) ScreenOrgs(ctx context.Context, orgs []ident.Org, opt Options, workers int, fn func(*Assessment) error) (Stats, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	st := Stats{Subjects: len(orgs)}
	if err := s.canSave(opt); err != nil {
		return st, err
	}
	start := time.Now()
	set, cfg := s.Rules(), s.Settings()
	lists, err := s.lists(ctx, opt.At)
	if err != nil {
		return st, err
	}
	rd, net, done := s.readerNetwork(ctx, opt, cfg)
	defer done()
	st.Screened, err = pool(ctx, s, opt.Save, workers, slices.Values(orgs), func() func(ident.Org) (*Assessment, error) {
		ev := evaluator{ev: set.NewEvaluator(), set: set, cfg: cfg, lists: lists}
		return func(o ident.Org) (*Assessment, error) { return s.screenOne(ctx, rd, net, ev, o, opt) }
	}, fn)
	st.Evaluate = time.Since(start)
	return st, err
}

// evaluator is one worker's VM with the rule set and thresholds it was
// made for.
type evaluator struct {
	ev    *rules.Evaluator
	set   *rules.Set
	cfg   Config
	lists *sanctionLists
}
