package watchlist

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	json "github.com/goccy/go-json"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/sanctions"
	"github.com/vaksam/vaksam/engine/sanctions/match"
	"github.com/vaksam/vaksam/engine/store"
)

// Continuous screening: when an import of a list stores new records, the
// organisations to re-screen are those whose name, or one of whose
// current representatives' names, may be an entity the import added,
// changed or removed. Changes finds those entities by comparing the list
// as of just before the import with the list as of after it; Affected
// builds a small index over them and runs the stored population's names
// against it, read in one scan of the store.

// RescreenFloor is the score at or above which a name that matches a
// changed entity gets its organisation re-screened. It sits below the
// lowest score screening keeps as a candidate, so that every organisation
// whose sanctions facts the import may change is re-screened; one more
// re-screened than needed costs a screening, one missed a stale alert.
const RescreenFloor = 0.7

// Change is what one import of a list changed.
type Change struct {
	Source string // record.SanctionsEU, …
	// Before is the previous import's observation (zero for the list's
	// first import), After this import's.
	Before, After time.Time
	// Added: listed after the import, not before (new, or back on the
	// list). Changed: listed before and after with a new version of the
	// entry; Was holds their versions before the import, in the same
	// order. Removed: listed before, not after; their last listed
	// version.
	Added, Changed, Was, Removed []sanctions.Entity
}

// Empty reports whether the import changed no entity.
func (c *Change) Empty() bool {
	return len(c.Added)+len(c.Changed)+len(c.Removed) == 0
}

// Entities returns every entity the change concerns, in both versions
// for the changed ones.
func (c *Change) Entities() []sanctions.Entity {
	return slices.Concat(c.Added, c.Changed, c.Was, c.Removed)
}

// Changes returns, for each list that new record versions (items) belong
// to, what its newest import at or before at changed: the list as of
// that import against the list as of just before it. Items of other
// subjects are ignored; a list none of whose records changed is not
// compared (an import of the same file writes no new version).
func Changes(st *store.Store, items []record.Item, at time.Time) ([]Change, error) {
	touched := map[string]bool{}
	for _, it := range items {
		if record.IsListSubject(it.Subject) {
			touched[it.Source] = true
		}
	}
	if len(touched) == 0 {
		return nil, nil
	}
	heads, err := versions(st, at)
	if err != nil {
		return nil, err
	}
	var out []Change
	for _, after := range heads {
		if !touched[after.Source] {
			continue
		}
		c := Change{Source: after.Source, After: after.Observed}
		now, err := snapshot(st, after, at)
		if err != nil {
			return nil, err
		}
		var was map[string]*store.Version
		justBefore := after.Observed.Add(-time.Nanosecond)
		prev, err := versions(st, justBefore)
		if err != nil {
			return nil, err
		}
		if i := slices.IndexFunc(prev, func(l *List) bool { return l.Source == after.Source }); i >= 0 {
			c.Before = prev[i].Observed
			if was, err = snapshot(st, prev[i], justBefore); err != nil {
				return nil, err
			}
		}
		if err := c.compare(was, now); err != nil {
			return nil, fmt.Errorf("watchlist: %s imported %s: %w", after.Source, after.Observed.Format(time.RFC3339), err)
		}
		out = append(out, c)
	}
	return out, nil
}

// snapshot returns the stored version of every entity list l lists as of
// at, by the list's own id.
func snapshot(st *store.Store, l *List, at time.Time) (map[string]*store.Version, error) {
	out := map[string]*store.Version{}
	err := listed(st, l, at, func(r *store.Resolved) error {
		out[r.ID.Key] = r.Current
		return nil
	})
	return out, err
}

// compare fills the change from the list's entities before and after the
// import, in the order of their ids.
func (c *Change) compare(before, after map[string]*store.Version) error {
	decode := func(v *store.Version) (sanctions.Entity, error) {
		var e sanctions.Entity
		err := json.Unmarshal(v.Parsed, &e)
		return e, err
	}
	for _, id := range sortedKeys(after) {
		now, old := after[id], before[id]
		if old != nil && old.N == now.N {
			continue
		}
		e, err := decode(now)
		if err != nil {
			return fmt.Errorf("entity %s version %d: %w", id, now.N, err)
		}
		if old == nil {
			c.Added = append(c.Added, e)
			continue
		}
		w, err := decode(old)
		if err != nil {
			return fmt.Errorf("entity %s version %d: %w", id, old.N, err)
		}
		c.Changed, c.Was = append(c.Changed, e), append(c.Was, w)
	}
	for _, id := range sortedKeys(before) {
		if after[id] != nil {
			continue
		}
		e, err := decode(before[id])
		if err != nil {
			return fmt.Errorf("entity %s version %d: %w", id, before[id].N, err)
		}
		c.Removed = append(c.Removed, e)
	}
	return nil
}

func sortedKeys(m map[string]*store.Version) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Screened is what the lists are screened against of one organisation:
// its name and its current representatives, auditors aside.
type Screened struct {
	Orgnr  string
	Name   string // "" when no register names it
	People []Person
}

// Person is a current representative as screening queries the lists.
type Person struct {
	ID        string // the pseudonym
	Name      string
	BirthYear int      // 0 when unknown
	Roles     []string // the current roles, in the order the store holds them
}

// Auditor is the role screening does not query the lists for: an auditor
// is engaged by the organisation, not one who runs it.
const Auditor = "revisor"

// OrgQuery is the query for an organisation: its name, and its number as
// an identifier (the lists' Swedish organisation numbers are normalised
// to the same 10 digits at import).
func OrgQuery(orgnr, name string) match.Query {
	return match.Query{Name: name, Kind: sanctions.Organisation, Identifiers: []string{orgnr}}
}

// PersonQuery is the query for a representative: the name, the birth
// year from the personnummer, and the pseudonym as an identifier (a
// listed Swedish personnummer is replaced by its pseudonym at import,
// record.PseudonymIdentifier).
func PersonQuery(p Person) match.Query {
	q := match.Query{Name: p.Name, Kind: sanctions.Person, BirthYear: p.BirthYear}
	if p.ID != "" {
		q.Identifiers = []string{p.ID}
	}
	return q
}

// Queries returns the organisation's queries: its own first, then one
// per representative.
func (s *Screened) Queries() []match.Query {
	out := make([]match.Query, 0, 1+len(s.People))
	out = append(out, OrgQuery(s.Orgnr, s.Name))
	for _, p := range s.People {
		out = append(out, PersonQuery(p))
	}
	return out
}

// populationSource says which records Population reads: the registries'
// (the name) and the roles.
func populationSource(src string) bool {
	switch src {
	case record.Bolagsverket, record.BolagsverketBulk, record.SCBBulk, record.SCB, record.Roles:
		return true
	}
	return false
}

// Population calls fn with every stored organisation's name and current
// representatives as of at, read in one scan of the store (never one
// read per organisation), in the order of their numbers. Person and list
// subjects are not organisations. The scan stops when ctx ends.
func Population(ctx context.Context, st *store.Store, at time.Time, fn func(*Screened) error) error {
	opts := store.ScanOptions{At: at, Only: func(id store.RecordID) bool {
		return populationSource(id.Source) && !record.IsListSubject(id.Subject) && !strings.HasPrefix(id.Subject, record.PersonSubjectPrefix)
	}}
	return st.Scan(opts, func(subject string, recs []store.Resolved) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		sub, err := profile.Decode(subject, recs)
		if err != nil {
			return fmt.Errorf("watchlist: population: %w", err)
		}
		s := &Screened{Orgnr: subject}
		switch {
		case sub.Company != nil && sub.Company.Name != "":
			s.Name = sub.Company.Name
		case sub.Tax != nil:
			s.Name = sub.Tax.Name
		}
		seen := map[string]int{}
		for _, r := range sub.Roles {
			if r.Role == Auditor || !profile.CurrentRole(r, at) {
				continue
			}
			i, ok := seen[r.Person.ID]
			if !ok || r.Person.ID == "" {
				i = len(s.People)
				seen[r.Person.ID] = i
				s.People = append(s.People, Person{ID: r.Person.ID, Name: r.Person.Name, BirthYear: r.Person.BirthYear})
			}
			s.People[i].Roles = append(s.People[i].Roles, r.Role)
		}
		return fn(s)
	})
}

// Affected returns the organisations, sorted, whose name or one of whose
// current representatives matches, as of at, an entity the changes
// concern at or above floor (RescreenFloor), by name or identifier. It
// reads the population only when some change concerns an entity, and
// searches on GOMAXPROCS workers while the scan goes on.
func Affected(ctx context.Context, st *store.Store, changes []Change, at time.Time, floor float64) ([]string, error) {
	var ents []sanctions.Entity
	for i := range changes {
		ents = append(ents, changes[i].Entities()...)
	}
	if len(ents) == 0 {
		return nil, nil
	}
	ix := match.New(ents)
	work := make(chan *Screened, 256)
	var (
		mu  sync.Mutex
		out []string
		wg  sync.WaitGroup
	)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range work {
				for _, q := range s.Queries() {
					if len(ix.Search(q, floor, 1)) > 0 {
						mu.Lock()
						out = append(out, s.Orgnr)
						mu.Unlock()
						break
					}
				}
			}
		}()
	}
	err := Population(ctx, st, at, func(s *Screened) error {
		work <- s
		return nil
	})
	close(work)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	// An organisation the population does not hold (no register record,
	// no roles: a supplier known from its contracts only) is still found
	// by its number.
	for _, orgnr := range listedNumbers(ents) {
		if slices.Contains(out, orgnr) {
			continue
		}
		recs, err := st.Subject(orgnr, store.ScanOptions{At: at})
		if err != nil {
			return nil, fmt.Errorf("watchlist: %s: %w", orgnr, err)
		}
		if len(recs) > 0 {
			out = append(out, orgnr)
		}
	}
	sort.Strings(out)
	return out, nil
}

// listedNumbers returns the Swedish organisation numbers among the
// entities' identifiers (a sole trader's, a personnummer, aside), each
// once.
func listedNumbers(ents []sanctions.Entity) []string {
	var out []string
	for _, e := range ents {
		for _, id := range e.Identifiers {
			if o, err := ident.ParseOrg(id.Value); err == nil && !o.Personal() && !slices.Contains(out, o.String()) {
				out = append(out, o.String())
			}
		}
	}
	return out
}
