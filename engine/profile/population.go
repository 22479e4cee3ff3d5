package profile

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/vaksam/vaksam/engine/record"
)

// Population is a Network over every subject of one scan: built once per
// screening of the whole store. It keeps only what the network questions
// need, not the subjects: per person the roles (the organisation, the
// role and its dates: what Build reads of them), the trading bans and the
// versions of the look-ups; per organisation its OrgFacts; counts by
// address; the market statistics. A look-up that found no ban
// (record.NoBan) is kept as its record versions alone.
//
// It is compact and, but for the rare trading bans, free of pointers the
// collector must follow: persons, organisations and addresses are interned
// to numbers (strtab: one byte arena and a hash table of numbers), every
// other string lives in one byte arena, times are kept as numbers
// (ctime), and the roles and ban look-ups are packed structs in one slice
// each, sorted by person, with each person's start (CSR form).
type Population struct {
	persons strtab // person pseudonyms
	orgs    strtab // organisation ids: those with registry facts and those of roles
	addrs   strtab // normalised addresses
	words   strtab // strings that repeat: role names, sources, deregistration reasons
	text    []byte // every other string: names, record keys
	zones   zones

	roles     []roleFact // sorted by person
	roleStart []uint32   // person i's roles are roles[roleStart[i]:roleStart[i+1]]
	banRefs   []banRef   // sorted by person
	refStart  []uint32
	bans      []personBan // sorted by person
	banStart  []uint32

	facts  []orgFact // by organisation id
	refs   []refFact // the OrgFacts' Refs, by orgFact's span
	counts []uint32  // registered organisations by address id
	market *Market
}

// span is a string in a Population's text arena.
type span struct{ off, n uint32 }

// roleFact is a role as a Population keeps it.
type roleFact struct {
	person, org, role uint32
	from, to          ctime
}

// banRef is a Ref to a record of the trading-ban register: its key, or
// with suffix only what follows the person's own subject
// (record.PersonSubjectPrefix and the person's id), its version and when
// it was observed.
type banRef struct {
	person   uint32
	key      span
	suffix   bool
	version  uint32
	observed ctime
}

// personBan is a trading ban (not record.NoBan) on a person.
type personBan struct {
	person uint32
	ban    record.Ban
}

// orgFact is an OrgFacts as a Population keeps it.
type orgFact struct {
	present                  bool
	name                     span
	addr, reason             uint32 // addrs' and words' ids
	refs                     span   // in refs
	bankruptcy, deregistered ctime
}

// refFact is a Ref as a Population keeps it.
type refFact struct {
	source, version uint32
	key             span
	observed        ctime
}

// NewPopulation indexes subjects decoded as of at.
func NewPopulation(subjects []*Subject, at time.Time, cfg Config) *Population {
	b := NewPopulationBuilder(at, cfg)
	for _, s := range subjects {
		b.Add(s)
	}
	return b.Population()
}

// PopulationBuilder makes a Population from subjects added one at a time,
// in the store's key order, each free to go once added: what a screening
// of the whole store keeps resident while it streams the subjects. Not
// safe for concurrent use.
type PopulationBuilder struct {
	p  *Population
	mb *marketBuilder
}

// NewPopulationBuilder starts a Population as of at.
func NewPopulationBuilder(at time.Time, cfg Config) *PopulationBuilder {
	return &PopulationBuilder{p: &Population{}, mb: newMarketBuilder(at, cfg.spendWindow())}
}

// Add indexes what the network needs of a subject decoded as of the
// builder's time (Decode, or DecodeNetwork).
func (b *PopulationBuilder) Add(s *Subject) {
	b.add(s.ID, s.Roles, s.Bans, s.Evidence[record.Naringsforbud], factsOf(s))
	b.mb.add(s)
}

// putText appends v to the text arena.
func (p *Population) putText(v string) span {
	arenaRoom(p.text, v)
	s := span{off: uint32(len(p.text)), n: uint32(len(v))}
	p.text = append(p.text, v...)
	return s
}

func (p *Population) str(s span) string { return arenaString(p.text, s.off, s.off+s.n) }

// add indexes a subject's roles, trading bans (with the versions of their
// records, banRefs) and registry facts (nil for none).
func (b *PopulationBuilder) add(id string, roles []record.Role, bans []record.Ban, banRefs []Ref, f *OrgFacts) {
	p := b.p
	for _, r := range roles {
		p.roles = append(p.roles, roleFact{person: p.persons.add(r.Person.ID), org: p.orgs.add(r.Orgnr), role: p.words.add(r.Role),
			from: p.zones.put(r.From), to: p.zones.put(r.To)})
	}
	for _, ban := range bans {
		if ban.Type == record.NoBan {
			continue
		}
		p.bans = append(p.bans, personBan{person: p.persons.add(ban.Person.ID), ban: ban})
	}
	if len(bans) > 0 {
		person := bans[0].Person.ID
		pid := p.persons.add(person)
		prefix := record.PersonSubjectPrefix + person
		for _, r := range banRefs {
			br := banRef{person: pid, version: r.Version, observed: p.zones.put(r.Observed)}
			key, suffix := strings.CutPrefix(r.Key, prefix)
			br.key, br.suffix = p.putText(key), suffix
			p.banRefs = append(p.banRefs, br)
		}
	}
	if f != nil {
		o := p.orgs.add(id)
		a := p.addrs.add(f.Address)
		of := orgFact{present: true, name: p.putText(f.Name), addr: a, reason: p.words.add(f.DeregisteredReason),
			refs:       span{off: uint32(len(p.refs)), n: uint32(len(f.Refs))},
			bankruptcy: p.zones.put(f.Bankruptcy), deregistered: p.zones.put(f.Deregistered)}
		for _, r := range f.Refs {
			p.refs = append(p.refs, refFact{source: p.words.add(r.Source), version: r.Version, key: p.putText(r.Key), observed: p.zones.put(r.Observed)})
		}
		if int(o) >= len(p.facts) {
			p.facts = append(p.facts, make([]orgFact, int(o)+1-len(p.facts))...)
		}
		p.facts[o] = of
		if f.registeredAt() {
			if int(a) >= len(p.counts) {
				p.counts = append(p.counts, make([]uint32, int(a)+1-len(p.counts))...)
			}
			p.counts[a]++
		}
	}
}

// Population returns the Population of the subjects added; the builder is
// done with.
func (b *PopulationBuilder) Population() *Population {
	p := b.p
	p.market = b.mb.market()
	n := p.persons.len()
	p.roles, p.roleStart = byPerson(p.roles, n, func(r *roleFact) uint32 { return r.person })
	p.banRefs, p.refStart = byPerson(p.banRefs, n, func(r *banRef) uint32 { return r.person })
	p.bans, p.banStart = byPerson(p.bans, n, func(r *personBan) uint32 { return r.person })
	p.facts, p.refs, p.counts, p.text = slices.Clip(p.facts), slices.Clip(p.refs), slices.Clip(p.counts), slices.Clip(p.text)
	for _, t := range []*strtab{&p.persons, &p.orgs, &p.addrs, &p.words} {
		t.clip()
	}
	b.p = nil
	return p
}

// byPerson returns xs ordered by person, in the order they were added
// within a person (a counting sort: linear, one copy), and where each of n
// persons' entries start (n+1 offsets).
func byPerson[T any](xs []T, n int, person func(*T) uint32) ([]T, []uint32) {
	start := make([]uint32, n+1)
	for i := range xs {
		start[person(&xs[i])+1]++
	}
	for i := 1; i <= n; i++ {
		start[i] += start[i-1]
	}
	next := slices.Clone(start[:n])
	out := make([]T, len(xs))
	for i := range xs {
		p := person(&xs[i])
		out[next[p]] = xs[i]
		next[p]++
	}
	return out, start
}

// of returns the range of person's entries in a byPerson slice, or false
// for none.
func (p *Population) of(start []uint32, person string) (lo, hi uint32, ok bool) {
	id, ok := p.persons.find(person)
	if !ok || len(start) == 0 {
		return 0, 0, false
	}
	return start[id], start[id+1], start[id] < start[id+1]
}

func (p *Population) PersonRoles(person string) []record.Role {
	lo, hi, ok := p.of(p.roleStart, person)
	if !ok {
		return nil
	}
	out := make([]record.Role, 0, hi-lo)
	for _, r := range p.roles[lo:hi] {
		out = append(out, record.Role{Orgnr: p.orgs.str(r.org), Person: record.PersonRef{ID: person}, Role: p.words.str(r.role),
			From: p.zones.time(r.from), To: p.zones.time(r.to)})
	}
	return out
}

func (p *Population) Org(orgnr string) *OrgFacts {
	o, ok := p.orgs.find(orgnr)
	if !ok || int(o) >= len(p.facts) || !p.facts[o].present {
		return nil
	}
	f := &p.facts[o]
	out := &OrgFacts{Name: p.str(f.name), Bankruptcy: p.zones.time(f.bankruptcy), Deregistered: p.zones.time(f.deregistered),
		DeregisteredReason: p.words.str(f.reason), Address: p.addrs.str(f.addr)}
	if f.refs.n > 0 {
		out.Refs = make([]Ref, 0, f.refs.n)
		for _, r := range p.refs[f.refs.off : f.refs.off+f.refs.n] {
			out.Refs = append(out.Refs, Ref{Source: p.words.str(r.source), Key: p.str(r.key), Version: r.version, Observed: p.zones.time(r.observed)})
		}
	}
	return out
}

func (p *Population) OrgsAt(addr string) int {
	if a, ok := p.addrs.find(addr); ok && int(a) < len(p.counts) {
		return int(p.counts[a])
	}
	return 0
}

func (p *Population) Bans(person string) ([]record.Ban, []Ref) {
	var bans []record.Ban
	if lo, hi, ok := p.of(p.banStart, person); ok {
		bans = make([]record.Ban, 0, hi-lo)
		for _, b := range p.bans[lo:hi] {
			bans = append(bans, b.ban)
		}
	}
	var refs []Ref
	if lo, hi, ok := p.of(p.refStart, person); ok {
		refs = make([]Ref, 0, hi-lo)
		for _, r := range p.banRefs[lo:hi] {
			key := p.str(r.key)
			if r.suffix {
				key = record.PersonSubjectPrefix + person + key
			}
			refs = append(refs, Ref{Source: record.Naringsforbud, Key: key, Version: r.version, Observed: p.zones.time(r.observed)})
		}
	}
	return bans, refs
}

func (p *Population) Market([]string) *Market { return p.market }

// strtab interns strings: each distinct string gets the next number, its
// bytes go to one arena, and an open-addressing hash table of numbers
// finds them. Nothing in it is a pointer but its three slices.
type strtab struct {
	arena []byte
	ends  []uint32 // string i is arena[ends[i-1]:ends[i]] (from 0 for i = 0)
	slots []uint32 // i+1 for string i, 0 for free; a power of two long
}

func (t *strtab) len() int { return len(t.ends) }

// str returns string i, sharing the arena's bytes (never written again).
func (t *strtab) str(i uint32) string {
	lo := uint32(0)
	if i > 0 {
		lo = t.ends[i-1]
	}
	return arenaString(t.arena, lo, t.ends[i])
}

// arenaString is arena[lo:hi] as a string without a copy: an arena's bytes
// are never written once appended.
func arenaString(arena []byte, lo, hi uint32) string {
	if lo == hi {
		return ""
	}
	return unsafe.String(&arena[lo], hi-lo)
}

// arenaRoom panics if v does not fit in arena below the 4 GiB its 32-bit
// offsets reach (each arena holds ~50 MB for a register of 1 M
// organisations).
func arenaRoom(arena []byte, v string) {
	if uint64(len(arena))+uint64(len(v)) > 1<<32-1 {
		panic("profile: a Population's strings beyond 4 GiB")
	}
}

// fnv1a is the 64-bit FNV-1a hash of v.
func fnv1a(v string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(v); i++ {
		h = (h ^ uint64(v[i])) * 1099511628211
	}
	return h
}

// slot returns the slot of v in the table: where it is, or the free one
// where it goes.
func (t *strtab) slot(v string) int {
	mask := uint64(len(t.slots) - 1)
	for i := fnv1a(v) & mask; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 || t.str(s-1) == v {
			return int(i)
		}
	}
}

func (t *strtab) find(v string) (uint32, bool) {
	if len(t.slots) == 0 {
		return 0, false
	}
	s := t.slots[t.slot(v)]
	return s - 1, s != 0
}

// add returns v's number, giving it the next one if it is new.
func (t *strtab) add(v string) uint32 {
	if 2*(len(t.ends)+1) > len(t.slots) {
		t.grow()
	}
	i := t.slot(v)
	if s := t.slots[i]; s != 0 {
		return s - 1
	}
	arenaRoom(t.arena, v)
	t.arena = append(t.arena, v...)
	t.ends = append(t.ends, uint32(len(t.arena)))
	t.slots[i] = uint32(len(t.ends))
	return uint32(len(t.ends) - 1)
}

// grow doubles the hash table (at least 16 slots) and places every
// string again.
func (t *strtab) grow() {
	t.slots = make([]uint32, max(16, 2*len(t.slots)))
	for i := range t.ends {
		t.slots[t.slot(t.str(uint32(i)))] = uint32(i + 1)
	}
}

func (t *strtab) clip() { t.arena, t.ends = slices.Clip(t.arena), slices.Clip(t.ends) }

// ctime is a time.Time as numbers, twelve bytes: the low 32 bits of its
// Unix seconds, then the next 16 bits of them (signed: ±4 million years)
// below its location's number in the Population's zones (0 for UTC), then
// its nanoseconds.
type ctime struct{ lo, hi, nsec uint32 }

func (c ctime) sec() int64 { return int64(c.hi)<<48>>16 | int64(c.lo) }

func (c ctime) zone() int { return int(c.hi >> 16) }

// zones numbers the locations of a Population's times: each location
// once, and locations that give a time the same zone once (every time
// decoded from JSON or binary with an offset has a fixed zone of its
// own), so a time comes back with the instant, offset and zone name it
// went in with.
type zones struct{ locs []*time.Location }

func (z *zones) put(t time.Time) ctime {
	sec := t.Unix()
	if sec<<16>>16 != sec {
		panic(fmt.Sprintf("profile: time %v beyond what a Population keeps", t))
	}
	c := ctime{lo: uint32(sec), hi: uint32(sec>>32) & 0xffff, nsec: uint32(t.Nanosecond())}
	loc := t.Location()
	if loc == time.UTC {
		return c
	}
	name, off := t.Zone()
	zone := 0
	for i, l := range z.locs {
		if l == loc || sameZone(t, l, loc, name, off) {
			zone = i + 1
			break
		}
	}
	if zone == 0 {
		if len(z.locs) == 1<<16-1 {
			panic("profile: more than 65535 time zones in one Population")
		}
		z.locs = append(z.locs, loc)
		zone = len(z.locs)
	}
	c.hi |= uint32(zone) << 16
	return c
}

// sameZone reports whether location l, named as loc is, gives t the zone
// (name, off) loc gives it: two fixed zones of one offset (each time
// decoded from JSON has its own), or one zone loaded twice.
func sameZone(t time.Time, l, loc *time.Location, name string, off int) bool {
	if l.String() != loc.String() {
		return false
	}
	n, o := t.In(l).Zone()
	return n == name && o == off
}

func (z *zones) time(c ctime) time.Time {
	t := time.Unix(c.sec(), int64(c.nsec))
	if c.zone() == 0 {
		return t.UTC()
	}
	return t.In(z.locs[c.zone()-1])
}
