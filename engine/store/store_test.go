package store

import (
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/record"
)

func openTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t.Add(12 * time.Hour)
}

func company(street string) record.Item {
	c := record.Company{Orgnr: "5591234561", Name: "Omsorgshuset Norr AB", Address: record.Address{Street: street, PostalCode: "90326"}}
	return record.Item{Source: record.Bolagsverket, Subject: "5591234561", Raw: []byte(`{"street":"` + street + `"}`), Parsed: c, Pos: "f.json:1",
		Links: record.Links{Addresses: []string{c.Address.Normalized()}}}
}

func put(t *testing.T, s *Store, it record.Item, at time.Time) Outcome {
	t.Helper()
	out, err := s.Put([]Observation{{Item: it, Observed: at}})
	if err != nil {
		t.Fatal(err)
	}
	return out[0]
}

func TestVersionsAndObservations(t *testing.T) {
	s := openTest(t)
	steps := []struct {
		street string
		at     string
		want   Outcome
	}{
		{"Storgatan 12", "2026-01-10", NewVersion},
		{"Storgatan 12", "2026-02-10", Unchanged},
		{"Box 4", "2026-03-10", NewVersion},
		{"Box 4", "2026-04-10", Unchanged},
		{"Storgatan 12", "2026-05-10", NewVersion}, // back again: a change, a new version
	}
	for _, st := range steps {
		if got := put(t, s, company(st.street), day(st.at)); got != st.want {
			t.Errorf("%s at %s: outcome %v, want %v", st.street, st.at, got, st.want)
		}
	}
	tests := []struct {
		at          string
		wantVersion uint32
		wantStreet  string
		wantSeen    string
		history     int
	}{
		{"2026-01-01", 0, "", "", 0},
		{"2026-02-15", 1, "Storgatan 12", "2026-02-10", 1},
		{"2026-03-10", 2, "Box 4", "2026-03-10", 2},
		{"2026-04-30", 2, "Box 4", "2026-04-10", 2},
		{"2026-11-21", 3, "Storgatan 12", "2026-05-10", 3},
	}
	for _, tc := range tests {
		recs, err := s.Subject("5591234561", ScanOptions{At: day(tc.at), History: map[string]bool{record.Bolagsverket: true}, Raw: true})
		if err != nil {
			t.Fatal(err)
		}
		if tc.wantVersion == 0 {
			if len(recs) != 0 {
				t.Errorf("as of %s: got %d records before the first observation", tc.at, len(recs))
			}
			continue
		}
		if len(recs) != 1 {
			t.Fatalf("as of %s: %d records, want 1", tc.at, len(recs))
		}
		r := recs[0]
		if r.Current == nil || r.Current.N != tc.wantVersion {
			t.Fatalf("as of %s: current %+v, want version %d", tc.at, r.Current, tc.wantVersion)
		}
		if got := string(r.Current.Raw); got != `{"street":"`+tc.wantStreet+`"}` {
			t.Errorf("as of %s: raw %s", tc.at, got)
		}
		if !r.LastSuccess.Equal(day(tc.wantSeen)) {
			t.Errorf("as of %s: last confirmed %v, want %s", tc.at, r.LastSuccess, tc.wantSeen)
		}
		if len(r.History) != tc.history {
			t.Errorf("as of %s: %d versions of history, want %d", tc.at, len(r.History), tc.history)
		}
	}
	orgs, err := s.AddressOrgs(record.NormalizeAddress("Box 4", "90326"))
	if err != nil || len(orgs) != 1 || orgs[0] != "5591234561" {
		t.Errorf("address index: %v, %v", orgs, err)
	}
}

func TestSourceErrorKeepsContent(t *testing.T) {
	s := openTest(t)
	put(t, s, company("Storgatan 12"), day("2026-01-10"))
	failed := company("")
	failed.SourceError = "OTILLGANGLIG_UPPGIFTSKALLA"
	if got := put(t, s, failed, day("2026-02-10")); got != SourceError {
		t.Fatalf("outcome %v, want source_error", got)
	}
	recs, err := s.Subject("5591234561", ScanOptions{At: day("2026-03-01")})
	if err != nil {
		t.Fatal(err)
	}
	r := recs[0]
	if r.Error != "OTILLGANGLIG_UPPGIFTSKALLA" || r.Current == nil || r.Current.N != 1 || !r.LastSuccess.Equal(day("2026-01-10")) || !r.LastObserved.Equal(day("2026-02-10")) {
		t.Errorf("resolved %+v", r)
	}
}

func TestScanGroupsBySubject(t *testing.T) {
	s := openTest(t)
	var obs []Observation
	for _, subj := range []string{"5560021361", "5591234561", "9124001992"} {
		for _, src := range []string{record.Bolagsverket, record.SCB} {
			obs = append(obs, Observation{Item: record.Item{Source: src, Subject: subj, Parsed: map[string]string{"s": subj + src}}, Observed: day("2026-01-01")})
		}
	}
	if _, err := s.Put(obs); err != nil {
		t.Fatal(err)
	}
	var got []string
	err := s.Scan(ScanOptions{At: day("2026-06-01")}, func(subject string, recs []Resolved) error {
		if len(recs) != 2 {
			t.Errorf("%s: %d records, want 2", subject, len(recs))
		}
		got = append(got, subject)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0] != "5560021361" || got[2] != "9124001992" {
		t.Errorf("subjects %v", got)
	}
}

func TestRawOnlyWhenAsked(t *testing.T) {
	s := openTest(t)
	put(t, s, company("Storgatan 12"), day("2026-01-10"))
	for _, raw := range []bool{false, true} {
		recs, err := s.Subject("5591234561", ScanOptions{At: day("2026-02-01"), Raw: raw})
		if err != nil {
			t.Fatal(err)
		}
		if got := recs[0].Current.Raw != nil; got != raw || len(recs[0].Current.Parsed) == 0 {
			t.Errorf("Raw %v: raw present %v, parsed %q", raw, got, recs[0].Current.Parsed)
		}
	}
}

// A file imported late, observed before data already stored, is compared
// with what was current at its time, and history follows the observations.
func TestLateImportOfAnOlderFile(t *testing.T) {
	history := map[string]bool{record.Bolagsverket: true}
	streets := func(s *Store, at string) (current string, runs []string) {
		t.Helper()
		recs, err := s.Subject("5591234561", ScanOptions{At: day(at), History: history, Raw: true})
		if err != nil || len(recs) != 1 {
			t.Fatalf("as of %s: %v, %v", at, recs, err)
		}
		for _, v := range recs[0].History {
			runs = append(runs, string(v.Raw))
		}
		return string(recs[0].Current.Raw), runs
	}
	t.Run("same content as then", func(t *testing.T) {
		s := openTest(t)
		put(t, s, company("Storgatan 12"), day("2026-01-10"))
		put(t, s, company("Nygatan 1"), day("2026-03-10"))
		if got := put(t, s, company("Storgatan 12"), day("2026-02-10")); got != Unchanged {
			t.Errorf("late import of the content current then: %v, want unchanged", got)
		}
		if got := put(t, s, company("Nygatan 1"), day("2026-03-17")); got != Unchanged {
			t.Errorf("the next fetch in order: %v, want unchanged", got)
		}
		if cur, _ := streets(s, "2026-02-15"); cur != `{"street":"Storgatan 12"}` {
			t.Errorf("as of 2026-02-15: %s", cur)
		}
		if _, runs := streets(s, "2026-06-03"); len(runs) != 2 {
			t.Errorf("history %v, want one change", runs)
		}
	})
	t.Run("other content than then", func(t *testing.T) {
		s := openTest(t)
		put(t, s, company("Storgatan 12"), day("2026-01-10"))
		put(t, s, company("Nygatan 1"), day("2026-03-10"))
		if got := put(t, s, company("Box 4"), day("2026-02-10")); got != NewVersion {
			t.Errorf("late import of other content: %v, want new version", got)
		}
		if got := put(t, s, company("Nygatan 1"), day("2026-03-17")); got != Unchanged {
			t.Errorf("the next fetch in order: %v, want unchanged", got)
		}
		if cur, _ := streets(s, "2026-02-15"); cur != `{"street":"Box 4"}` {
			t.Errorf("as of 2026-02-15: %s", cur)
		}
		_, runs := streets(s, "2026-06-03")
		want := []string{`{"street":"Storgatan 12"}`, `{"street":"Box 4"}`, `{"street":"Nygatan 1"}`}
		if strings.Join(runs, " ") != strings.Join(want, " ") {
			t.Errorf("history %v, want %v", runs, want)
		}
	})
}
