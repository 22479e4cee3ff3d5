package match

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/adrg/strutil/metrics"

	"github.com/vaksam/vaksam/engine/sanctions"
)

// Query is what is screened: a supplier's or a representative's name and
// what else is known of them.
type Query struct {
	Name string
	// Kind: sanctions.Person or sanctions.Organisation; "" matches both
	// (never sanctions.Other).
	Kind sanctions.Kind
	// BirthYear of a person (from the personnummer, before
	// pseudonymisation); 0 when unknown.
	BirthYear   int
	Nationality string // ISO 3166-1 alpha-2; "" when unknown
	// Identifiers: organisation numbers, registration numbers,
	// passports; matched exactly after NormaliseIdentifier.
	Identifiers []string
}

// Kind of a match.
const (
	ByIdentifier = "identifier"
	ByName       = "name"
)

// Candidate is one listed entity a query may be.
type Candidate struct {
	List        sanctions.List    `json:"list"`
	EntityID    string            `json:"entity_id"`
	Entity      *sanctions.Entity `json:"-"`
	Name        string            `json:"name"`  // the entity's name or alias that matched, as written
	Score       float64           `json:"score"` // 0..1
	Match       string            `json:"kind"`  // ByIdentifier or ByName ("match" in the CLI's JSON says whether it reaches the threshold)
	Explanation Explanation       `json:"explanation"`
}

// Explanation says how a score came about.
type Explanation struct {
	Name       string    `json:"name"`            // the name matched, as written
	Alias      bool      `json:"alias,omitempty"` // not the primary name
	Weak       bool      `json:"weak,omitempty"`  // a weak alias
	Alignment  []Pair    `json:"alignment,omitempty"`
	NameScore  float64   `json:"name_score"` // the names' similarity before the features
	Features   []Feature `json:"features,omitempty"`
	Identifier string    `json:"identifier,omitempty"` // the identifier that matched
}

// Pair is a query token aligned with one of the name's tokens.
type Pair struct {
	Query      string  `json:"query"`
	Name       string  `json:"name"` // "" when the query token found no partner
	Similarity float64 `json:"similarity"`
}

// Feature is one corroborating fact and how it moved the score.
type Feature struct {
	Feature string  `json:"feature"` // "weak_alias", "birth_year", "nationality"
	Outcome string  `json:"outcome"` // "agree", "disagree"
	Detail  string  `json:"detail,omitempty"`
	Effect  float64 `json:"effect"` // the score after minus the score before
}

// String is the explanation in one line, for people.
func (e Explanation) String() string {
	var b strings.Builder
	if e.Identifier != "" {
		fmt.Fprintf(&b, "identifier %s matched exactly", e.Identifier)
		return b.String()
	}
	which := "name"
	switch {
	case e.Weak:
		which = "weak alias"
	case e.Alias:
		which = "alias"
	}
	fmt.Fprintf(&b, "%s %q", which, e.Name)
	for _, p := range e.Alignment {
		if p.Name == "" {
			fmt.Fprintf(&b, "; %s unmatched", p.Query)
		} else {
			fmt.Fprintf(&b, "; %s~%s %.2f", p.Query, p.Name, p.Similarity)
		}
	}
	fmt.Fprintf(&b, "; names %.2f", e.NameScore)
	for _, f := range e.Features {
		fmt.Fprintf(&b, "; %s %s (%s) %+.2f", f.Feature, f.Outcome, f.Detail, f.Effect)
	}
	return b.String()
}

// The weights of the features; see doc.go.
const (
	weakAliasFactor = 0.8 // a weak alias's name score is multiplied by this
	birthAgreeGain  = 0.5 // share of the remaining distance to 1 a birth year agreement adds
	// corroborateFrom: a birth year or nationality that agrees lifts
	// only a name that already is a strong match; it corroborates, it
	// does not make a weak name a match.
	corroborateFrom     = 0.8
	birthDisagreeFactor = 0.8 // a birth year disagreement multiplies the score by this
	natAgreeGain        = 0.2
	natDisagreeFactor   = 0.95
	extraTokenWeight    = 0.3 // an entity name token the query lacks counts this much (patronymics, middle names)
	minTokenSimilarity  = 0.8 // below this two tokens are different names
	shortToken          = 4   // tokens shorter than this must match exactly
	maxScored           = 64  // names scored per query, the ones sharing most blocking keys
	maxQueryTokens      = 16  // a query's tokens beyond these are ignored (no name is that long; bounds the work)
)

type entry struct {
	entity int32
	name   int32
	toks   []string // folded, an organisation's without legal forms
}

// Index is the lists' entities ready to search. Build it once with New;
// Search is safe for concurrent use.
type Index struct {
	entities []sanctions.Entity
	entries  []entry
	postings map[string][]int32 // blocking key → entry numbers
	ids      map[string][]int32 // normalised identifier → entity numbers
	years    [][2]int           // per entity: birth year range, 0 when unknown
	scratch  sync.Pool
}

// New indexes the entities. Entities of kind sanctions.Other are kept for
// identifiers but never matched by name.
func New(entities []sanctions.Entity) *Index {
	ix := &Index{
		entities: entities,
		postings: make(map[string][]int32),
		ids:      make(map[string][]int32),
		years:    make([][2]int, len(entities)),
	}
	for ei := range entities {
		e := &entities[ei]
		ix.years[ei] = birthYears(e.BirthDates)
		for _, id := range e.Identifiers {
			if v := NormaliseIdentifier(id.Value); v != "" {
				ix.ids[v] = append(ix.ids[v], int32(ei))
			}
		}
		if e.Kind == sanctions.Other {
			continue
		}
		for ni, n := range e.Names {
			toks := fold(n.Full)
			if e.Kind == sanctions.Organisation {
				toks = orgTokens(toks)
			}
			if len(toks) == 0 {
				continue
			}
			en := int32(len(ix.entries))
			ix.entries = append(ix.entries, entry{entity: int32(ei), name: int32(ni), toks: toks})
			seen := map[string]bool{}
			for _, t := range toks {
				for _, k := range nameKeys(t) {
					if !seen[k] {
						seen[k] = true
						ix.postings[k] = append(ix.postings[k], en)
					}
				}
			}
		}
	}
	n := len(ix.entries)
	ix.scratch.New = func() any { return &scratch{hits: make([]uint16, n), seen: make([]uint32, n)} }
	return ix
}

// scratch is one search's counters, one per name, pooled.
type scratch struct {
	hits    []uint16 // weighted keys shared with the query
	seen    []uint32 // the stamp of the query token that last found the name
	stamp   uint32
	touched []int32
	counts  []int // per weight, for best
}

// A token's blocking keys. A name's token is filed under itself, its
// consonant skeleton, the skeleton with one consonant deleted (skeletons of
// four or more consonants) and its first four letters. A query token looks
// up the same, and its skeleton among the deletions and its skeleton's
// deletions among the skeletons and deletions: two tokens whose skeletons
// are one or two consonants apart (a consonant dropped, added or changed,
// "Pavlin" and "Pavin") share a key.
type key struct {
	k string
	w uint16 // the weight of a hit: 3 for the token, 2 the skeleton, 1 the rest
}

// nameKeys are the keys a name's token is filed under.
func nameKeys(t string) []string {
	k := []string{"t:" + t}
	sk := skeleton(t)
	if sk != "" {
		k = append(k, "s:"+sk)
	}
	for _, d := range deletions(sk) {
		k = append(k, "d:"+d)
	}
	if len(t) > 4 {
		k = append(k, "p:"+t[:4])
	}
	return k
}

// queryKeys are the keys a query token looks up, best first.
func queryKeys(t string) []key {
	k := []key{{"t:" + t, 3}}
	sk := skeleton(t)
	if sk != "" {
		k = append(k, key{"s:" + sk, 2}, key{"d:" + sk, 1})
	}
	for _, d := range deletions(sk) {
		k = append(k, key{"s:" + d, 1}, key{"d:" + d, 1})
	}
	if len(t) > 4 {
		k = append(k, key{"p:" + t[:4], 1})
	}
	return k
}

// deletions are the skeleton with one consonant deleted, for skeletons of
// four consonants or more (shorter ones would share keys with too many
// names to tell them apart).
func deletions(sk string) []string {
	if len(sk) < 4 {
		return nil
	}
	out := make([]string, 0, len(sk))
	for i := range len(sk) {
		d := sk[:i] + sk[i+1:]
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

// birthYears reads the years of the list's birth dates ("YYYY…") as a
// range; {0, 0} when there are none.
func birthYears(dates []string) [2]int {
	r := [2]int{}
	for _, d := range dates {
		if len(d) < 4 {
			continue
		}
		y, err := strconv.Atoi(d[:4])
		if err != nil || y < 1800 {
			continue
		}
		if r[0] == 0 || y < r[0] {
			r[0] = y
		}
		if y > r[1] {
			r[1] = y
		}
	}
	return r
}

// Len is the number of names indexed.
func (ix *Index) Len() int { return len(ix.entries) }

// Entities counts the indexed entities; Entity returns the i-th, 0 <= i <
// Entities().
func (ix *Index) Entities() int { return len(ix.entities) }

// Entity returns the index's i-th entity.
func (ix *Index) Entity(i int) *sanctions.Entity { return &ix.entities[i] }

// Search returns up to limit candidates for q whose score reaches
// threshold, best first. Identifier matches come first with score 1.
func (ix *Index) Search(q Query, threshold float64, limit int) []Candidate {
	if limit <= 0 {
		return nil
	}
	best := map[int32]Candidate{}
	for _, qi := range q.Identifiers {
		v := NormaliseIdentifier(qi)
		for _, ei := range ix.ids[v] {
			e := &ix.entities[ei]
			best[ei] = Candidate{List: e.List, EntityID: e.ID, Entity: e, Name: e.Primary(), Score: 1, Match: ByIdentifier,
				Explanation: Explanation{Name: e.Primary(), NameScore: 0, Identifier: qi}}
		}
	}
	qtoks := fold(q.Name)
	if len(qtoks) > maxQueryTokens {
		qtoks = qtoks[:maxQueryTokens]
	}
	if q.Kind == sanctions.Organisation {
		qtoks = orgTokens(qtoks)
	}
	if len(qtoks) > 0 {
		// token similarities, each pair computed once per query
		memo := make(map[[2]string]float64)
		sim := func(a, b string) float64 {
			k := [2]string{a, b}
			if v, ok := memo[k]; ok {
				return v
			}
			v := similarity(a, b)
			memo[k] = v
			return v
		}
		for _, en := range ix.block(qtoks) {
			en := &ix.entries[en]
			e := &ix.entities[en.entity]
			if q.Kind != "" && e.Kind != q.Kind {
				continue
			}
			if _, ok := best[en.entity]; ok && best[en.entity].Match == ByIdentifier {
				continue
			}
			toks := qtoks
			if q.Kind == "" && e.Kind == sanctions.Organisation {
				toks = orgTokens(qtoks)
			}
			c := ix.score(q, toks, en, sim, false)
			if c.Score < threshold {
				continue
			}
			if old, ok := best[en.entity]; !ok || c.Score > old.Score {
				best[en.entity] = ix.score(q, toks, en, sim, true)
			}
		}
	}
	out := make([]Candidate, 0, len(best))
	for _, c := range best {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		if out[i].List != out[j].List {
			return out[i].List < out[j].List
		}
		return out[i].EntityID < out[j].EntityID
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// block finds the names sharing blocking keys with the query's tokens and
// returns at most maxScored of them, best first: per query token, the best
// key that found a name counts (queryKeys).
func (ix *Index) block(qtoks []string) []int32 {
	s := ix.scratch.Get().(*scratch)
	defer ix.scratch.Put(s)
	s.touched = s.touched[:0]
	for _, t := range qtoks {
		s.stamp++
		if s.stamp == 0 { // wrapped: forget the old stamps
			clear(s.seen)
			s.stamp = 1
		}
		for _, k := range queryKeys(t) {
			for _, en := range ix.postings[k.k] {
				if s.seen[en] == s.stamp {
					continue // this token found it already, by a better key
				}
				s.seen[en] = s.stamp
				if s.hits[en] == 0 {
					s.touched = append(s.touched, en)
				}
				s.hits[en] += k.w
			}
		}
	}
	out := slices.Clone(s.touched)
	if len(out) > maxScored {
		out = s.best(out)
	}
	for _, en := range s.touched {
		s.hits[en] = 0
	}
	return out
}

// best keeps the maxScored names with the most weighted keys; among
// names with as many, those the keys found first (the query's first
// token's best key first): the same for the same query and list. It is
// what a stable sort by weight, cut at maxScored, keeps, found by
// counting: the weights are small (at most 3 per query token).
func (s *scratch) best(found []int32) []int32 {
	top := uint16(0)
	for _, en := range found {
		top = max(top, s.hits[en])
	}
	if cap(s.counts) < int(top)+1 {
		s.counts = make([]int, int(top)+1)
	}
	counts := s.counts[:int(top)+1]
	clear(counts)
	for _, en := range found {
		counts[s.hits[en]]++
	}
	// cut: the weight of the last name kept; above it all are kept, at
	// it the first room of them.
	cut, room := top, maxScored
	for ; cut > 0 && counts[cut] < room; cut-- {
		room -= counts[cut]
	}
	out := found[:0]
	for _, en := range found {
		switch h := s.hits[en]; {
		case h > cut:
			out = append(out, en)
		case h == cut && room > 0:
			out = append(out, en)
			room--
		}
	}
	return out
}

var jw = metrics.NewJaroWinkler()

// similarity of two tokens, 0 when they are different names.
func similarity(a, b string) float64 {
	if a == b {
		return 1
	}
	// a transliteration without vowels (Arabic "mHmd" for Mohammed)
	// is compared by its consonants
	if (!hasVowel(a) || !hasVowel(b)) && skeleton(a) != "" && skeleton(a) == skeleton(b) {
		return 0.9
	}
	if len(a) < shortToken || len(b) < shortToken {
		return 0
	}
	s := jw.Compare(a, b)
	if s < minTokenSimilarity {
		return 0
	}
	return s
}

// align pairs the query's tokens with the name's (the best assignment,
// in any order) and scores the alignment: the matched tokens' similarity
// weighted by their lengths, over the query's length, the matched name
// tokens' length and a fraction (extraTokenWeight) of the name tokens the
// query lacks.
func align(q, n []string, similarity func(a, b string) float64) (float64, []Pair) {
	type cell struct {
		i, j int
		s    float64 // similarity times the tokens' lengths
		sim  float64
	}
	var cells []cell
	for i, a := range q {
		for j, b := range n {
			if s := similarity(a, b); s > 0 {
				cells = append(cells, cell{i, j, s * float64(len(a)+len(b)), s})
			}
		}
	}
	var best []cell
	if len(cells) <= 8 && len(q) <= 64 && len(n) <= 64 {
		// exhaustive: a name has few tokens
		bestS := -1.0
		var set []cell
		var rec func(k int, uq, un uint64, acc float64)
		rec = func(k int, uq, un uint64, acc float64) {
			if k == len(cells) {
				if acc > bestS {
					bestS, best = acc, slices.Clone(set)
				}
				return
			}
			c := cells[k]
			if uq&(1<<c.i) == 0 && un&(1<<c.j) == 0 {
				set = append(set, c)
				rec(k+1, uq|1<<c.i, un|1<<c.j, acc+c.s)
				set = set[:len(set)-1]
			}
			rec(k+1, uq, un, acc)
		}
		rec(0, 0, 0, 0)
	} else {
		// greedy, best pairs first
		sort.Slice(cells, func(a, b int) bool { return cells[a].s > cells[b].s })
		usedQ, usedN := map[int]bool{}, map[int]bool{}
		for _, c := range cells {
			if !usedQ[c.i] && !usedN[c.j] {
				usedQ[c.i], usedN[c.j] = true, true
				best = append(best, c)
			}
		}
	}
	pairs := make([]Pair, len(q))
	for i, a := range q {
		pairs[i] = Pair{Query: a}
	}
	usedN := make([]bool, len(n))
	var num, qW, nMatched, nExtra float64
	for _, c := range best {
		pairs[c.i].Name, pairs[c.i].Similarity = n[c.j], c.sim
		usedN[c.j] = true
		num += c.s
		nMatched += float64(len(n[c.j]))
	}
	for _, a := range q {
		qW += float64(len(a))
	}
	for j, b := range n {
		if !usedN[j] {
			nExtra += float64(len(b))
		}
	}
	den := qW + nMatched + extraTokenWeight*nExtra
	if den == 0 {
		return 0, pairs
	}
	return num / den, pairs
}

// allPaired says whether every query token found a token of the name.
func allPaired(pairs []Pair) bool {
	return !slices.ContainsFunc(pairs, func(p Pair) bool { return p.Name == "" })
}

// score a name entry against the query, with the features.
// Without explain, only the score is computed (the explanation is built
// for the names that reach the threshold).
func (ix *Index) score(q Query, qtoks []string, en *entry, sim func(a, b string) float64, explain bool) Candidate {
	e := &ix.entities[en.entity]
	n := e.Names[en.name]
	s, pairs := align(qtoks, en.toks, sim)
	x := Explanation{Name: n.Full, Alias: en.name > 0, Weak: n.Weak, Alignment: pairs, NameScore: s}
	move := func(f, outcome string, detail func() string, to float64) {
		if explain {
			x.Features = append(x.Features, Feature{Feature: f, Outcome: outcome, Detail: detail(), Effect: to - s})
		}
		s = to
	}
	if n.Weak {
		move("weak_alias", "disagree", func() string { return "the list calls this alias weak" }, s*weakAliasFactor)
	}
	if y := ix.years[en.entity]; q.BirthYear != 0 && y[0] != 0 {
		detail := func() string {
			span := strconv.Itoa(y[0])
			if y[1] != y[0] {
				span += "–" + strconv.Itoa(y[1])
			}
			return fmt.Sprintf("query %d, list %s", q.BirthYear, span)
		}
		switch {
		case q.BirthYear < y[0]-1 || q.BirthYear > y[1]+1:
			move("birth_year", "disagree", detail, s*birthDisagreeFactor)
		case allPaired(pairs):
			move("birth_year", "agree", detail, s+(1-s)*birthAgreeGain)
		default:
			// A birth year corroborates a name; it does not stand in for
			// a part of the name that found no counterpart ("Mohammed
			// Ali" against "Mohammed Lkhtyb").
			move("birth_year", "agree", func() string { return detail() + "; not counted: a part of the name is unmatched" }, s)
		}
	}
	if q.Nationality != "" && len(e.Nationalities) > 0 {
		detail := func() string {
			return fmt.Sprintf("query %s, list %s", q.Nationality, strings.Join(e.Nationalities, ","))
		}
		if slices.Contains(e.Nationalities, strings.ToUpper(q.Nationality)) {
			move("nationality", "agree", detail, s+(1-s)*natAgreeGain)
		} else {
			move("nationality", "disagree", detail, s*natDisagreeFactor)
		}
	}
	return Candidate{List: e.List, EntityID: e.ID, Entity: e, Name: n.Full, Score: s, Match: ByName, Explanation: x}
}
