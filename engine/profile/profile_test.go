package profile

import (
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
)

func TestQuantileType7(t *testing.T) {
	xs := []float64{3000, 3500, 4000, 4200, 9000}
	if q1, q3 := quantile(xs, 0.25), quantile(xs, 0.75); q1 != 3500 || q3 != 4200 {
		t.Errorf("quartiles %v %v, want 3500 4200", q1, q3)
	}
	if q := quantile([]float64{1, 2, 3, 4}, 0.25); q != 1.75 {
		t.Errorf("interpolated quartile %v, want 1.75", q)
	}
	if quantile(nil, 0.5) != 0 {
		t.Error("quantile of nothing")
	}
}

func TestDayIsSwedishDate(t *testing.T) {
	// 23:30 UTC on 31 March is already 1 April in Sweden (summer time).
	got := day(time.Date(2026, 3, 31, 23, 30, 0, 0, time.UTC))
	if got.Format(time.DateOnly) != "2026-04-01" {
		t.Errorf("day = %s", got)
	}
}

func date(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

// A roles import is the organisation's whole list: a role the newest
// import no longer carries has ended. The derived lists (board, current
// board, current roles) follow.
func TestRoleMissingFromNewestImportHasEnded(t *testing.T) {
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	role := func(person, roll string) record.Item {
		r := record.Role{Orgnr: "5591234561", Person: record.PersonRef{ID: person}, Role: roll, From: date("2019-04-02")}
		return record.Item{Source: record.Roles, Subject: "5591234561", Key: person + "/" + roll, Parsed: r}
	}
	first := date("2026-10-01").Add(12 * time.Hour)
	second := date("2026-11-01").Add(12 * time.Hour)
	if _, err := st.Put([]store.Observation{{Item: role("PA", "ordforande"), Observed: first}, {Item: role("PB", "styrelseledamot"), Observed: first},
		{Item: role("PC", "revisor"), Observed: first}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Put([]store.Observation{{Item: role("PA", "ordforande"), Observed: second}, {Item: role("PC", "revisor"), Observed: second}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		at                                  time.Time
		current                             map[string]bool
		board, currentBoard, currentPersons string
	}{
		{date("2026-10-15"), map[string]bool{"PA": true, "PB": true, "PC": true}, "PA PB", "PA PB", "PA PB PC"},
		{date("2026-11-15"), map[string]bool{"PA": true, "PB": false, "PC": true}, "PA PB", "PA", "PA PC"},
	} {
		recs, err := st.Subject("5591234561", store.ScanOptions{At: tc.at})
		if err != nil {
			t.Fatal(err)
		}
		sub, err := Decode("5591234561", recs)
		if err != nil {
			t.Fatal(err)
		}
		p := Build(sub, NewStoreNetwork(st, tc.at, Config{}), tc.at)
		for _, r := range p.Roles {
			if r.Current != tc.current[r.Person] {
				t.Errorf("as of %s: %s current %v, want %v", tc.at.Format(time.DateOnly), r.Person, r.Current, tc.current[r.Person])
			}
		}
		for _, l := range []struct {
			name  string
			roles []*Role
			want  string
		}{{"board", p.Board, tc.board}, {"current_board", p.CurrentBoard, tc.currentBoard}, {"current_roles", p.CurrentRoles, tc.currentPersons}} {
			var got []string
			for _, r := range l.roles {
				got = append(got, r.Person)
			}
			if strings.Join(got, " ") != l.want {
				t.Errorf("as of %s: %s %v, want %s", tc.at.Format(time.DateOnly), l.name, got, l.want)
			}
		}
	}
}
