package profile

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/record"
)

// A time kept as numbers comes back as the same instant, formatted the
// same, in a zone of the same name and offset; the zero time comes back
// zero; fixed zones of one offset are kept once.
func TestPopulationTimesComeBackAsTheyWentIn(t *testing.T) {
	var z zones
	at := time.Date(2026, 3, 1, 9, 30, 15, 123456789, time.UTC)
	times := []time.Time{{}, at, at.In(time.Local), at.In(time.FixedZone("", 3600)), at.In(time.FixedZone("", 3600)),
		at.In(time.FixedZone("", -5*3600)), at.In(time.FixedZone("CET", 3600)), at.In(time.FixedZone("CEST", 7200)),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.FixedZone("", 3600))}
	cs := make([]ctime, len(times))
	for i, tm := range times {
		cs[i] = z.put(tm)
	}
	for i, tm := range times {
		back := z.time(cs[i])
		bn, bo := back.Zone()
		n, o := tm.Zone()
		if !back.Equal(tm) || back.Format(time.RFC3339Nano) != tm.Format(time.RFC3339Nano) || bn != n || bo != o ||
			back.Location().String() != tm.Location().String() {
			t.Errorf("time %d: %v (%s %d) came back %v (%s %d)", i, tm, n, o, back, bn, bo)
		}
	}
	if back := z.time(cs[0]); back != (time.Time{}) {
		t.Errorf("the zero time came back %#v", back)
	}
	if cs[3].zone() != cs[4].zone() || cs[3].zone() == cs[6].zone() || cs[3].zone() == cs[5].zone() {
		t.Errorf("zones %d %d %d %d: want the two unnamed +01:00 alike, the named and -05:00 apart", cs[3].zone(), cs[4].zone(), cs[5].zone(), cs[6].zone())
	}
}

// A strtab numbers strings in the order they first came, finds each
// through its table's growth, and finds no other.
func TestStrtabNumbersAndFinds(t *testing.T) {
	var tab strtab
	if _, ok := tab.find("x"); ok {
		t.Fatal("an empty strtab finds x")
	}
	const n = 5000
	for i := range n {
		if id := tab.add(fmt.Sprint("s", i)); id != uint32(i) {
			t.Fatalf("s%d numbered %d", i, id)
		}
		if id := tab.add(fmt.Sprint("s", i/2)); id != uint32(i/2) {
			t.Fatalf("s%d again numbered %d", i/2, id)
		}
	}
	if id := tab.add(""); id != n || tab.str(n) != "" {
		t.Errorf("the empty string: %d %q", id, tab.str(n))
	}
	for i := range n {
		if id, ok := tab.find(fmt.Sprint("s", i)); !ok || id != uint32(i) || tab.str(id) != fmt.Sprint("s", i) {
			t.Fatalf("s%d found as %d %v (%q)", i, id, ok, tab.str(id))
		}
	}
	if _, ok := tab.find(fmt.Sprint("s", n)); ok {
		t.Errorf("found s%d, never added", n)
	}
}

// A person's roles come back in the order their subjects were added, from
// whichever subjects hold them; bans and look-ups likewise; a person or
// organisation never added is not known.
func TestPopulationAnswersPerPersonInOrder(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC) }
	role := func(org, person, roll string, from int) record.Role {
		return record.Role{Orgnr: org, Person: record.PersonRef{ID: person}, Role: roll, From: day(from)}
	}
	b := NewPopulationBuilder(day(20), Config{})
	b.add("5560000001", []record.Role{role("5560000001", "P2", "vd", 1), role("5560000001", "P1", "styrelseledamot", 2)}, nil, nil,
		&OrgFacts{Name: "Ett AB", Address: "STORGATAN 1 21111", Refs: []Ref{{Source: record.Bolagsverket, Key: "5560000001", Version: 2, Observed: day(3)}}})
	b.add("5560000002", []record.Role{role("5560000002", "P1", "vd", 4)}, nil, nil,
		&OrgFacts{Name: "Två AB", Address: "STORGATAN 1 21111", Deregistered: day(5), DeregisteredReason: "KKAV"})
	ban := record.Ban{Person: record.PersonRef{ID: "P1", Name: "N"}, From: day(1), Type: "naringsforbud"}
	b.add(record.PersonSubjectPrefix+"P1", nil, []record.Ban{ban}, []Ref{{Source: record.Naringsforbud, Key: record.PersonSubjectPrefix + "P1", Version: 1, Observed: day(6)}}, nil)
	p := b.Population()

	want := []record.Role{{Orgnr: "5560000001", Person: record.PersonRef{ID: "P1"}, Role: "styrelseledamot", From: day(2)},
		{Orgnr: "5560000002", Person: record.PersonRef{ID: "P1"}, Role: "vd", From: day(4)}}
	if got := p.PersonRoles("P1"); !reflect.DeepEqual(got, want) {
		t.Errorf("P1's roles %+v, want %+v", got, want)
	}
	if got := p.PersonRoles("P3"); got != nil {
		t.Errorf("P3, never added, has roles %+v", got)
	}
	bans, refs := p.Bans("P1")
	if !reflect.DeepEqual(bans, []record.Ban{ban}) || !reflect.DeepEqual(refs, []Ref{{Source: record.Naringsforbud, Key: record.PersonSubjectPrefix + "P1", Version: 1, Observed: day(6)}}) {
		t.Errorf("P1's bans %+v, look-ups %+v", bans, refs)
	}
	if bans, refs := p.Bans("P2"); bans != nil || refs != nil {
		t.Errorf("P2, never looked up, has bans %+v, look-ups %+v", bans, refs)
	}
	if f := p.Org("5560000001"); f == nil || f.Name != "Ett AB" || len(f.Refs) != 1 || f.Refs[0].Version != 2 || !f.Deregistered.IsZero() {
		t.Errorf("5560000001's facts %+v", f)
	}
	if f := p.Org("5560000002"); f == nil || f.DeregisteredReason != "KKAV" || f.Refs != nil || !f.Deregistered.Equal(day(5)) {
		t.Errorf("5560000002's facts %+v", f)
	}
	if got := p.OrgsAt("STORGATAN 1 21111"); got != 1 {
		t.Errorf("%d organisations registered at the address, want 1 (the other is deregistered)", got)
	}
	if p.Org("5560000003") != nil || p.OrgsAt("LILLGATAN 2") != 0 {
		t.Error("an organisation or address never added is known")
	}
}
