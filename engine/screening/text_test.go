package screening

import (
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/ident"
)

// Rank puts the highest step first, then the higher score, then more
// hits, then the lower organisation number.
func TestRank(t *testing.T) {
	as := []*Assessment{
		{Orgnr: "5591234561", Step: L1, Score: 10},
		{Orgnr: "5560000001", Step: L3, Score: 40, Hits: []Hit{{ID: "S04"}}},
		{Orgnr: "5560000002", Step: L3, Score: 40, Hits: []Hit{{ID: "S04"}, {ID: "E01"}}},
		{Orgnr: "5560000003", Step: L3, Score: 50},
		{Orgnr: "5560000000", Step: L1, Score: 10},
	}
	Rank(as)
	var got []string
	for _, x := range as {
		got = append(got, x.Orgnr)
	}
	want := "5560000003 5560000002 5560000001 5560000000 5591234561"
	if strings.Join(got, " ") != want {
		t.Errorf("ranked %v, want %s", got, want)
	}
}

// A sole trader of 100 or more shows with '+', when the century is known
// from the number as given.
func TestDisplayOrgCentury(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	o, err := ident.ParseOrg("192001011234")
	if err != nil {
		t.Fatal(err)
	}
	if got := DisplayOrg(o.String(), now, o); !strings.Contains(got, "+") {
		t.Errorf("DisplayOrg(%s) = %s, want the '+' separator", o, got)
	}
	if got := HitList(&Assessment{}); got != "-" {
		t.Errorf("HitList of none = %q", got)
	}
}
