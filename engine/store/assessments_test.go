package store

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestResults(t *testing.T) {
	s := openTest(t)
	want := map[string]Result{
		"5591234561": {At: day("2026-11-20"), Digest: "L3|block", Summary: []byte(`{"step":"L3"}`), Name: "Omsorgshuset Norr AB"},
		"5560360793": {At: day("2026-11-21"), Digest: "L0|clear", Name: "Volvo Personvagnar AB"},
		"5566778899": {At: day("2026-11-19"), Digest: "L1|review"}, // stored before names were kept
	}
	err := s.Update(func(tx *Tx) error {
		for subj, r := range want {
			if err := tx.SetLastResult(subj, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A document and an assessment are not results.
	if err := s.Update(func(tx *Tx) error {
		if err := tx.Put("alert", "5591234561-1", []byte(`{}`)); err != nil {
			return err
		}
		return tx.PutAssessment(StoredAssessment{Subject: "5591234561", At: day("2026-11-20"), Ruleset: "r", Data: []byte(`{}`)})
	}); err != nil {
		t.Fatal(err)
	}
	var order []string
	err = s.Results(func(subject string, r Result) error {
		order = append(order, subject)
		w := want[subject]
		if !r.At.Equal(w.At) || r.Digest != w.Digest || r.Name != w.Name || string(r.Summary) != string(w.Summary) {
			t.Errorf("%s: %+v, want %+v", subject, r, w)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(order) != "[5560360793 5566778899 5591234561]" {
		t.Errorf("subjects %v, want every result in subject order", order)
	}
	stop := errors.New("stop")
	n := 0
	if err := s.Results(func(string, Result) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Errorf("fn's error: %v after %d calls, want it returned after 1", err, n)
	}
}

func TestLatestAssessment(t *testing.T) {
	s := openTest(t)
	if _, _, err := s.LatestAssessment("5591234561"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("no assessment: %v, want ErrNotFound", err)
	}
	put := func(subject string, at time.Time, ruleset, data string) {
		t.Helper()
		if err := s.Update(func(tx *Tx) error {
			return tx.PutAssessment(StoredAssessment{Subject: subject, At: at, Ruleset: ruleset, Data: []byte(data)})
		}); err != nil {
			t.Fatal(err)
		}
	}
	put("5591234561", day("2026-11-20"), "default@a", `{"n":2}`)
	put("5591234561", day("2026-01-20"), "default@a", `{"n":1}`) // stored later, but older
	put("5591234562", day("2026-12-20"), "default@a", `{"n":"other"}`)
	put("559123456", day("2026-12-21"), "default@a", `{"n":"prefix"}`)
	at, data, err := s.LatestAssessment("5591234561")
	if err != nil || !at.Equal(day("2026-11-20")) || string(data) != `{"n":2}` {
		t.Errorf("latest: %s %s %v, want the one of 2026-11-20", at, data, err)
	}
	if _, _, err := s.LatestAssessment("55912345"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a prefix of subjects: %v, want ErrNotFound", err)
	}
	// The newest that a filter accepts, or none.
	for _, tc := range []struct {
		name string
		keep func([]byte) bool
		want string // "" for ErrNotFound
	}{
		{"every one", func([]byte) bool { return true }, `{"n":2}`},
		{"an older one", func(b []byte) bool { return string(b) == `{"n":1}` }, `{"n":1}`},
		{"none", func([]byte) bool { return false }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, data, err := s.LatestAssessmentWhere("5591234561", tc.keep)
			if tc.want == "" {
				if !errors.Is(err, ErrNotFound) {
					t.Fatalf("%s %v, want ErrNotFound", data, err)
				}
				return
			}
			if err != nil || string(data) != tc.want {
				t.Errorf("%s %v, want %s", data, err, tc.want)
			}
		})
	}
}
