package profile

import (
	"errors"
	"maps"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
)

// Network answers questions that span organisations, as of one time.
type Network interface {
	// PersonRoles returns every role the person holds or held, anywhere.
	PersonRoles(person string) []record.Role
	// Org returns what is known of another organisation, or nil.
	Org(orgnr string) *OrgFacts
	// OrgsAt counts organisations whose current address normalises to addr.
	OrgsAt(addr string) int
	// Bans returns the trading bans on a person and the record versions
	// they come from.
	Bans(person string) ([]record.Ban, []Ref)
	// Market returns statistics over every supplier's contracts and
	// invoices, for the categories named at least (it may hold more).
	Market(categories []string) *Market
}

// OrgFacts is what a profile shows of a representative's other
// organisation.
type OrgFacts struct {
	Name               string
	Bankruptcy         time.Time
	Deregistered       time.Time
	DeregisteredReason string
	Address            string // normalised
	Refs               []Ref  // the registry record versions these facts come from
}

// factsOf derives OrgFacts from a subject's registry record.
func factsOf(s *Subject) *OrgFacts {
	if s.Company == nil {
		return nil
	}
	return factsFrom(s.Company, s.Evidence[s.companySource], func() time.Time { return firstSeenWith(s, "KK") })
}

// factsFrom derives OrgFacts from a registry record's content c, the
// versions refs they come from, and firstKK: when the record's history
// first showed a bankruptcy, for one without a start date.
func factsFrom(c *record.Company, refs []Ref, firstKK func() time.Time) *OrgFacts {
	f := &OrgFacts{Name: c.Name, Deregistered: c.Deregistered, DeregisteredReason: c.DeregisteredReason, Address: c.Address.Normalized(),
		Refs: refs}
	for _, p := range c.Proceedings {
		from := p.From
		switch {
		case p.Code != "KK" || !from.IsZero():
		case p.Ended && !c.Deregistered.IsZero():
			// An ended bankruptcy without a date (the bulk file writes
			// null): the company was deregistered when it ended.
			from = c.Deregistered
		default:
			from = firstKK()
		}
		if p.Code == "KK" && (f.Bankruptcy.IsZero() || from.Before(f.Bankruptcy)) {
			f.Bankruptcy = from
		}
	}
	if f.Bankruptcy.IsZero() && isBankruptcyDeregistration(c.DeregisteredReason) {
		f.Bankruptcy = c.Deregistered
	}
	return f
}

// undatedBankruptcy reports whether a company has a bankruptcy that only
// the registry's history dates (factsOf's firstSeenWith): no start date,
// and not ended with a deregistration.
func undatedBankruptcy(c *record.Company) bool {
	return slices.ContainsFunc(c.Proceedings, func(p record.Proceeding) bool {
		return p.Code == "KK" && p.From.IsZero() && !(p.Ended && !c.Deregistered.IsZero())
	})
}

// firstSeenWith returns when the registry first showed a proceeding code,
// for a proceeding without a start date of its own.
func firstSeenWith(s *Subject, code string) time.Time {
	for _, v := range s.CompanyHistory {
		for _, p := range v.Value.Proceedings {
			if p.Code == code {
				return v.At
			}
		}
	}
	return time.Time{}
}

// registeredAt reports whether the organisation counts as registered at
// its address: it has one and has not been deregistered.
func (f *OrgFacts) registeredAt() bool { return f.Address != "" && f.Deregistered.IsZero() }

func isBankruptcyDeregistration(reason string) bool {
	return reason == "KKAV" || len(reason) > 4 && reason[:5] == "KKAV-"
}

// Market holds per-category statistics as of one time.
type Market struct {
	Prices map[string]Quartiles      // daily prices of active contracts
	Spend  map[string]*CategorySpend // invoiced spend within the spend window
	// covers names the categories computed; nil: every category. A
	// Market is not changed once made: more categories make a new one.
	covers map[string]bool
}

// missing lists the categories m was not computed for, each once.
func (m *Market) missing(categories []string) []string {
	var out []string
	for _, c := range categories {
		if (m == nil || m.covers != nil && !m.covers[c]) && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// with returns m and the statistics add computed for more categories.
func (m *Market) with(add *Market) *Market {
	if m == nil || add.covers == nil {
		return add
	}
	out := &Market{Prices: maps.Clone(m.Prices), Spend: maps.Clone(m.Spend), covers: maps.Clone(m.covers)}
	maps.Copy(out.covers, add.covers)
	maps.Copy(out.Prices, add.Prices)
	maps.Copy(out.Spend, add.Spend)
	return out
}

// Quartiles of a category's daily prices.
type Quartiles struct {
	N      int
	Q1, Q3 float64
}

// CategorySpend is a category's invoiced spend per supplier.
type CategorySpend struct {
	Total      int64
	BySupplier map[string]int64
}

// marketBuilder accumulates contracts and invoices into a Market.
type marketBuilder struct {
	d, spendFrom time.Time // the Swedish date of the time, the window's start
	prices       map[string][]float64
	spend        map[string]*CategorySpend
}

func newMarketBuilder(at time.Time, spendWindowMonths int) *marketBuilder {
	d := day(at)
	return &marketBuilder{d: d, spendFrom: d.AddDate(0, -spendWindowMonths, 0), prices: map[string][]float64{}, spend: map[string]*CategorySpend{}}
}

func (m *marketBuilder) add(s *Subject) {
	for _, c := range s.Contracts {
		m.addContract(s.ID, c)
	}
	for _, inv := range s.Invoices {
		m.addInvoice(s.ID, inv)
	}
}

// addContract counts a supplier's contract: its daily price while active.
func (m *marketBuilder) addContract(_ string, c record.Contract) {
	if active(c, m.d) && c.DailyPrice > 0 {
		m.prices[c.Category] = append(m.prices[c.Category], float64(c.DailyPrice))
	}
}

// addInvoice counts a supplier's invoice in its category's spend when it
// falls within the spend window.
func (m *marketBuilder) addInvoice(supplier string, inv record.Invoice) {
	if inv.Category == "" || inv.Date.Before(m.spendFrom) || inv.Date.After(m.d) {
		return
	}
	cs := m.spend[inv.Category]
	if cs == nil {
		cs = &CategorySpend{BySupplier: map[string]int64{}}
		m.spend[inv.Category] = cs
	}
	cs.Total += inv.AmountSEK
	cs.BySupplier[supplier] += inv.AmountSEK
}

func (m *marketBuilder) market() *Market {
	out := &Market{Prices: map[string]Quartiles{}, Spend: m.spend}
	for cat, ps := range m.prices {
		sort.Float64s(ps)
		out.Prices[cat] = Quartiles{N: len(ps), Q1: quantile(ps, 0.25), Q3: quantile(ps, 0.75)}
	}
	return out
}

// quantile of sorted xs by linear interpolation between order statistics
// (Hyndman & Fan type 7, the default of R and NumPy).
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	h := q * float64(len(xs)-1)
	i := int(h)
	if i+1 >= len(xs) {
		return xs[len(xs)-1]
	}
	return xs[i] + (h-float64(i))*(xs[i+1]-xs[i])
}

// StoreNetwork is a Network that reads the store's indexes on demand, for
// screening a few organisations. What it reads of another subject (its
// registry facts, roles, trading bans) comes from the network index
// (store.NetworkOf), as a whole-store screening's Population does; for a
// time the index does not answer (before the newest success of one of
// the subject's records), or on a read-only store without it, from the
// subject's records, decoded as DecodeNetwork does. It caches what it
// read; it is safe for concurrent use.
type StoreNetwork struct {
	st  storeReader
	at  time.Time
	cfg Config

	mu         sync.Mutex
	neighbours map[string]*neighbour
	market     *Market
	err        error
}

// neighbour is what a StoreNetwork read of another subject.
type neighbour struct {
	roles   []record.Role
	bans    []record.Ban // record.NoBan look-ups included
	banRefs []Ref
	facts   *OrgFacts // nil: no registry record
}

// storeReader is what a StoreNetwork reads: the store itself (a
// transaction per read) or a store.Reader (one transaction, a deadline).
type storeReader interface {
	Subject(subject string, opts store.ScanOptions) ([]store.Resolved, error)
	NetworkOf(subject string, at time.Time) ([]store.NetworkRecord, error)
	PersonOrgs(pseudonym string) ([]string, error)
	AddressOrgs(normalized string) ([]string, error)
	SourceSubjects(source string) ([]string, error)
	MarketOf(at time.Time, categories []string, fn store.MarketFacts) error
}

// NewStoreNetwork returns a Network over st as of at.
func NewStoreNetwork(st *store.Store, at time.Time, cfg Config) *StoreNetwork {
	return newStoreNetwork(st, at, cfg)
}

// NewReaderNetwork returns a Network over what r reads as of at: every
// answer comes from r's one transaction, and once r's context is done the
// network answers nothing more and Err says why.
func NewReaderNetwork(r *store.Reader, at time.Time, cfg Config) *StoreNetwork {
	return newStoreNetwork(r, at, cfg)
}

func newStoreNetwork(st storeReader, at time.Time, cfg Config) *StoreNetwork {
	return &StoreNetwork{st: st, at: at, cfg: cfg, neighbours: map[string]*neighbour{}}
}

// Err returns the first store error met while answering; a Network cannot
// return errors from its methods, so the screening checks it after building.
func (n *StoreNetwork) Err() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.err
}

func (n *StoreNetwork) subject(id string) *neighbour {
	n.mu.Lock()
	if s, ok := n.neighbours[id]; ok || n.err != nil {
		n.mu.Unlock()
		return s
	}
	n.mu.Unlock()
	s, err := n.read(id)
	n.mu.Lock()
	defer n.mu.Unlock()
	if err != nil {
		if n.err == nil {
			n.err = err
		}
		return nil
	}
	n.neighbours[id] = s
	return s
}

// read reads what the network's answers need of a subject: from the
// network index when it answers as of the network's time, else from the
// subject's records (only the sources the answers read, with the
// registries' history, which dates a bankruptcy without a start date),
// decoded as DecodeNetwork does.
func (n *StoreNetwork) read(id string) (*neighbour, error) {
	idx, err := n.st.NetworkOf(id, n.at)
	if err == nil {
		var sc indexedScratch
		roles, bans, banRefs, facts := sc.facts(id, idx)
		return &neighbour{roles: roles, bans: bans, banRefs: banRefs, facts: facts}, nil
	}
	if !errors.Is(err, store.ErrNetworkNotCurrent) && !errors.Is(err, store.ErrNoNetworkIndex) {
		return nil, err
	}
	recs, err := n.st.Subject(id, store.ScanOptions{At: n.at, History: HistorySources, Only: func(id store.RecordID) bool { return factSource(id.Source) }})
	if err != nil {
		return nil, err
	}
	s, err := DecodeNetwork(id, recs)
	if err != nil {
		return nil, err
	}
	return &neighbour{roles: s.Roles, bans: s.Bans, banRefs: s.Evidence[record.Naringsforbud], facts: factsOf(s)}, nil
}

func (n *StoreNetwork) fail(err error) {
	n.mu.Lock()
	if n.err == nil {
		n.err = err
	}
	n.mu.Unlock()
}

func (n *StoreNetwork) PersonRoles(person string) []record.Role {
	orgs, err := n.st.PersonOrgs(person)
	if err != nil {
		n.fail(err)
		return nil
	}
	var out []record.Role
	for _, o := range orgs {
		if s := n.subject(o); s != nil {
			for _, r := range s.roles {
				if r.Person.ID == person {
					out = append(out, r)
				}
			}
		}
	}
	return out
}

func (n *StoreNetwork) Org(orgnr string) *OrgFacts {
	if s := n.subject(orgnr); s != nil {
		return s.facts
	}
	return nil
}

func (n *StoreNetwork) OrgsAt(addr string) int {
	orgs, err := n.st.AddressOrgs(addr)
	if err != nil {
		n.fail(err)
		return 0
	}
	count := 0
	for _, o := range orgs {
		if f := n.Org(o); f != nil && f.Address == addr && f.registeredAt() {
			count++
		}
	}
	return count
}

func (n *StoreNetwork) Bans(person string) ([]record.Ban, []Ref) {
	if s := n.subject(record.PersonSubjectPrefix + person); s != nil {
		return s.bans, s.banRefs
	}
	return nil, nil
}

// SetMarket gives the network market statistics computed before over the
// same records as of the same day, so that it does not read the
// categories they cover again.
func (n *StoreNetwork) SetMarket(m *Market) {
	n.mu.Lock()
	n.market = m
	n.mu.Unlock()
}

// BuiltMarket returns the market statistics a screening needed, if any.
func (n *StoreNetwork) BuiltMarket() *Market {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.market
}

// Market returns the market statistics of the categories as of the
// network's time, with those it computed before: from the store's market
// book (the market index held in memory, no subject decoded), reading
// only the categories asked for; or, on a store opened read-only that has
// no index, from every supplier's records.
func (n *StoreNetwork) Market(categories []string) *Market {
	n.mu.Lock()
	have := n.market
	n.mu.Unlock()
	missing := have.missing(categories)
	if have != nil && len(missing) == 0 {
		return have
	}
	mb := newMarketBuilder(n.at, n.cfg.spendWindow())
	err := n.st.MarketOf(n.at, missing, store.MarketFacts{Contract: mb.addContract, Invoice: mb.addInvoice})
	add := mb.market()
	add.covers = make(map[string]bool, len(missing))
	for _, c := range missing {
		add.covers[c] = true
	}
	switch {
	case errors.Is(err, store.ErrNoMarketIndex):
		mb = newMarketBuilder(n.at, n.cfg.spendWindow())
		n.decodeMarket(mb)
		add = mb.market()
	case err != nil:
		n.fail(err)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.market = n.market.with(add)
	return n.market
}

// decodeMarket adds every supplier with contracts or invoices, decoded.
func (n *StoreNetwork) decodeMarket(mb *marketBuilder) {
	seen := map[string]bool{}
	for _, src := range []string{record.Contracts, record.Invoices} {
		subjects, err := n.st.SourceSubjects(src)
		if err != nil {
			n.fail(err)
			continue
		}
		for _, id := range subjects {
			if seen[id] {
				continue
			}
			seen[id] = true
			recs, err := n.st.Subject(id, store.ScanOptions{At: n.at, Only: NetworkReads})
			var s *Subject
			if err == nil {
				s, err = DecodeNetwork(id, recs)
			}
			if err != nil {
				n.fail(err)
				continue
			}
			mb.add(s)
		}
	}
}
