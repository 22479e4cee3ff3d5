package watchlist

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	json "github.com/goccy/go-json"

	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/sanctions"
	"github.com/vaksam/vaksam/engine/sanctions/match"
	"github.com/vaksam/vaksam/engine/store"
)

// Sources are the lists' sources in a stable order: the EU list, the UN
// list, OpenSanctions.
var Sources = []string{record.SanctionsEU, record.SanctionsUN, record.SanctionsFtM}

// List is one sanctions list as of a View's time.
type List struct {
	Source  string
	List    sanctions.List
	Version record.ListVersion
	// Ref is the stored version of the list's version record.
	Ref profile.Ref
	// Observed is the list's last successful import at or before the
	// View's time: what its freshness is measured by.
	Observed time.Time
	// Entities counts the entities the View holds of this list.
	Entities int
}

// Label names the list version for people: the list, its publication date
// (or, when it gives none, the day it was imported) and the start of the
// file's digest.
func (l *List) Label() string {
	day := l.Version.Published
	if day.IsZero() {
		day = l.Ref.Observed
	}
	sha := l.Version.SHA256
	if len(sha) > 12 {
		sha = sha[:12]
	}
	return fmt.Sprintf("%s %s (sha256 %s)", strings.ToUpper(string(l.List)), day.In(record.Stockholm).Format("2006-01-02"), sha)
}

// Entry is one listed entity as of a View's time.
type Entry struct {
	Entity *sanctions.Entity
	List   *List
	// Ref is the stored version of the entity's record; Hash the digest
	// of its content, which a judgement is tied to.
	Ref  profile.Ref
	Hash string
}

// View is the sanctions lists as stored at a time.
type View struct {
	At    time.Time
	Lists []*List // those stored at At, in Sources' order
	index *match.Index
	// entries by list and id.
	entries map[entryKey]*Entry
}

type entryKey struct {
	list sanctions.List
	id   string
}

// Load reads the lists as of at and builds their index.
func Load(st *store.Store, at time.Time) (*View, error) {
	heads, err := versions(st, at)
	if err != nil {
		return nil, err
	}
	return load(st, at, heads)
}

// versions reads each list's version record as of at.
func versions(st *store.Store, at time.Time) ([]*List, error) {
	var out []*List
	for _, src := range Sources {
		list := record.SanctionsSources[src]
		recs, err := st.Subject(record.ListSubject(list), store.ScanOptions{At: at,
			Only: func(id store.RecordID) bool { return id.Key == "" && id.Source == src }})
		if err != nil {
			return nil, fmt.Errorf("watchlist: %s: %w", src, err)
		}
		for _, r := range recs {
			if r.Current == nil {
				continue
			}
			l := &List{Source: src, List: sanctions.List(list), Observed: r.LastSuccess,
				Ref: profile.Ref{Source: src, Key: "", Version: r.Current.N, Observed: r.Current.FirstObserved}}
			if err := json.Unmarshal(r.Current.Parsed, &l.Version); err != nil {
				return nil, fmt.Errorf("watchlist: %s: version record %d: %w", src, r.Current.N, err)
			}
			out = append(out, l)
		}
	}
	return out, nil
}

func load(st *store.Store, at time.Time, lists []*List) (*View, error) {
	v := &View{At: at, Lists: lists, entries: map[entryKey]*Entry{}}
	var all []sanctions.Entity
	for _, l := range lists {
		err := listed(st, l, at, func(r *store.Resolved) error {
			var e sanctions.Entity
			if err := json.Unmarshal(r.Current.Parsed, &e); err != nil {
				return fmt.Errorf("watchlist: %s: %w", r.ID, err)
			}
			all = append(all, e)
			l.Entities++
			v.entries[entryKey{e.List, e.ID}] = &Entry{List: l, Hash: hex.EncodeToString(r.Current.Hash[:]),
				Ref: profile.Ref{Source: l.Source, Key: r.ID.Key, Version: r.Current.N, Observed: r.Current.FirstObserved}}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	v.index = match.New(all)
	for i := range v.index.Entities() {
		e := v.index.Entity(i)
		if en := v.entries[entryKey{e.List, e.ID}]; en != nil {
			en.Entity = e
		}
	}
	return v, nil
}

// listed calls fn with the record of every entity that list l lists as of
// at: those its newest import at or before at carried.
func listed(st *store.Store, l *List, at time.Time, fn func(r *store.Resolved) error) error {
	recs, err := st.Subject(record.ListSubject(string(l.List)), store.ScanOptions{At: at,
		Only: func(id store.RecordID) bool { return id.Key != "" && id.Source == l.Source }})
	if err != nil {
		return fmt.Errorf("watchlist: %s: %w", l.Source, err)
	}
	for i := range recs {
		r := &recs[i]
		// A snapshot: an entity the newest import did not carry has left
		// the list.
		if r.Current == nil || r.LastSuccess.Before(l.Observed) {
			continue
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// Entry returns a listed entity, or nil when the View does not hold it.
func (v *View) Entry(list sanctions.List, id string) *Entry {
	return v.entries[entryKey{list, id}]
}

// List returns the View's list of a source, or nil.
func (v *View) List(source string) *List {
	i := slices.IndexFunc(v.Lists, func(l *List) bool { return l.Source == source })
	if i < 0 {
		return nil
	}
	return v.Lists[i]
}

// Candidate is a match candidate with the list entry it rests on.
type Candidate struct {
	match.Candidate
	Entry *Entry
}

// Search returns the candidates for q at or above threshold, best first,
// at most limit.
func (v *View) Search(q match.Query, threshold float64, limit int) []Candidate {
	cs := v.index.Search(q, threshold, limit)
	out := make([]Candidate, 0, len(cs))
	for _, c := range cs {
		out = append(out, Candidate{Candidate: c, Entry: v.entries[entryKey{c.List, c.EntityID}]})
	}
	return out
}

// Cache keeps the View of the newest list versions and builds another only
// when the versions as of the asked time are not the ones it holds.
type Cache struct {
	mu   sync.Mutex
	key  string
	view *View
}

// View returns the lists as of at.
func (c *Cache) View(st *store.Store, at time.Time) (*View, error) {
	lists, err := versions(st, at)
	if err != nil {
		return nil, err
	}
	key := cacheKey(lists)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.view != nil && c.key == key {
		// The same versions and imports: only the time differs.
		view := *c.view
		view.At = at
		return &view, nil
	}
	v, err := load(st, at, lists)
	if err != nil {
		return nil, err
	}
	c.key, c.view = key, v
	return v, nil
}

// cacheKey names a set of list versions and their last imports: a newer
// import of the same version may drop entities (a snapshot), so it is part
// of the key.
func cacheKey(lists []*List) string {
	var b strings.Builder
	for _, l := range lists {
		fmt.Fprintf(&b, "%s:%d:%d;", l.Source, l.Ref.Version, l.Observed.UnixNano())
	}
	return b.String()
}

// Snapshot is what one import of a whole list file stores, as
// observations at observed: one record per entity, keyed by its id, and
// the version record (record.ListVersion, the empty key), last. The file
// parsers (connectors/formats) emit the same items from the real formats;
// tests and the synthetic population write lists with it directly.
func Snapshot(source string, version record.ListVersion, entities []sanctions.Entity, observed time.Time) []store.Observation {
	subject := record.ListSubject(record.SanctionsSources[source])
	out := make([]store.Observation, 0, len(entities)+1)
	for i := range entities {
		e := &entities[i]
		out = append(out, store.Observation{Observed: observed,
			Item: record.Item{Source: source, Subject: subject, Key: e.ID, Parsed: e, Pos: source + "#" + e.ID}})
	}
	version.Entities = len(entities)
	if version.List == "" {
		version.List = record.SanctionsSources[source]
	}
	out = append(out, store.Observation{Observed: observed, Item: record.Item{Source: source, Subject: subject, Parsed: version, Pos: source + "#version"}})
	return out
}
