package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// testAssessment is an assessment's JSON as the engine writes it: its
// time the third member, a name that looks like a member.
type testAssessment struct {
	Orgnr string    `json:"orgnr"`
	Name  string    `json:"name"`
	At    time.Time `json:"at"`
	Hits  []string  `json:"hits"`
	Refs  []struct {
		At time.Time `json:"at"`
	} `json:"records"`
}

func (a testAssessment) json(t *testing.T) []byte {
	t.Helper()
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAssessmentDigestSetsOnlyTheTimeAside(t *testing.T) {
	a := testAssessment{Orgnr: "5591234561", Name: `Omsorg ","at":"x" AB`, At: day("2026-11-20"), Hits: []string{"S04"}}
	a.Refs = append(a.Refs, struct {
		At time.Time `json:"at"`
	}{day("2026-11-01")})
	d1, err := AssessmentDigest(a.json(t))
	if err != nil {
		t.Fatal(err)
	}
	b := a
	b.At = day("2026-11-21").In(time.FixedZone("CET", 3600))
	if d2, err := AssessmentDigest(b.json(t)); err != nil || d2 != d1 {
		t.Errorf("another time: digest %s (%v), want %s", d2, err, d1)
	}
	for name, c := range map[string]testAssessment{
		"a hit":              {Orgnr: a.Orgnr, Name: a.Name, At: a.At, Hits: []string{"S05"}, Refs: a.Refs},
		"a name":             {Orgnr: a.Orgnr, Name: "Omsorg AB", At: a.At, Hits: a.Hits, Refs: a.Refs},
		"a record's time":    {Orgnr: a.Orgnr, Name: a.Name, At: a.At, Hits: a.Hits},
		"another org number": {Orgnr: "5591234562", Name: a.Name, At: a.At, Hits: a.Hits, Refs: a.Refs},
	} {
		if d, err := AssessmentDigest(c.json(t)); err != nil || d == d1 {
			t.Errorf("%s changed: digest %s (%v), want another than %s", name, d, err, d1)
		}
	}
	if _, err := AssessmentDigest([]byte(`{"orgnr":"5591234561"}`)); err == nil {
		t.Error("no time: no error")
	}
}

// A confirmation stores no second assessment, and every reader sees what
// storing it whole showed: the assessment again with the confirmation's
// time, byte for byte, in its place among the others.
func TestConfirmationsReadBackAsTheAssessment(t *testing.T) {
	s := openTest(t)
	const org = "5591234561"
	cet := time.FixedZone("CET", 3600)
	first := testAssessment{Orgnr: org, Name: "Omsorg AB", At: day("2026-11-20"), Hits: []string{"S04"}}
	check := testAssessment{Orgnr: org, Name: "Omsorg AB", At: day("2026-11-21").Add(time.Hour), Hits: []string{"S04", "C01"}}
	confirmed := []time.Time{day("2026-11-21").In(cet), day("2026-11-22").Add(123 * time.Nanosecond)}
	changed := testAssessment{Orgnr: org, Name: "Omsorg AB", At: day("2026-11-23"), Hits: []string{}}

	store := func(a testAssessment, ruleset string) {
		t.Helper()
		data := a.json(t)
		same, err := AssessmentDigest(data)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Update(func(tx *Tx) error {
			if err := tx.PutAssessment(StoredAssessment{Subject: org, At: a.At, Ruleset: ruleset, Data: data}); err != nil {
				return err
			}
			return tx.SetLastResult(org, Result{At: a.At, Digest: fmt.Sprint(a.Hits), Same: same})
		}); err != nil {
			t.Fatal(err)
		}
	}
	store(first, "r@1")
	// Another rule set's assessment at the same time is not the one confirmed.
	if err := s.Update(func(tx *Tx) error {
		other := first
		other.Name = "other rules"
		return tx.PutAssessment(StoredAssessment{Subject: org, At: first.At, Ruleset: "r@2", Data: other.json(t)})
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(tx *Tx) error {
		return tx.PutAssessment(StoredAssessment{Subject: org, At: check.At, Ruleset: "r@1", Data: check.json(t)})
	}); err != nil {
		t.Fatal(err)
	}
	for _, at := range confirmed {
		confirmLast(t, s, org, at, "r@1")
	}
	if err := s.Update(func(tx *Tx) error {
		return tx.Confirm(org, Result{At: confirmed[1], Stored: first.At}, confirmed[0], "r@1")
	}); err == nil {
		t.Error("a confirmation older than the result: no error")
	}

	// The result's time is the newest confirmation's.
	r := resultOf(t, s, org)
	if !r.At.Equal(confirmed[1]) || !r.Stored.Equal(first.At) {
		t.Errorf("result at %s stored %s, want at %s stored %s", r.At, r.Stored, confirmed[1], first.At)
	}
	if err := s.db.View(func(txn *badger.Txn) error {
		n := 0
		it := txn.NewIterator(badger.IteratorOptions{Prefix: assessmentPrefix(org)})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			n++
		}
		if n != 3 {
			t.Errorf("%d assessments stored, want 3 (no copy for a confirmation)", n)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	want := func(a testAssessment, at time.Time) string {
		a.At = at
		return string(a.json(t))
	}
	other := first
	other.Name = "other rules"
	wantAll := []string{string(first.json(t)), string(other.json(t)), want(first, confirmed[0]), string(check.json(t)), want(first, confirmed[1])}
	assertAll := func(wantAll []string) {
		t.Helper()
		var got []string
		if err := s.Assessments(org, func(at time.Time, data []byte) error {
			var a testAssessment
			if err := json.Unmarshal(data, &a); err != nil || !a.At.Equal(at) {
				t.Errorf("assessment at %s says %s (%v)", at, a.At, err)
			}
			got = append(got, string(data))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(wantAll) {
			t.Errorf("assessments:\n%s\nwant\n%s", got, wantAll)
		}
	}
	assertAll(wantAll)
	at, data, err := s.LatestAssessment(org)
	if err != nil || !at.Equal(confirmed[1]) || string(data) != want(first, confirmed[1]) {
		t.Errorf("latest: %s %s %v, want the confirmation of %s", at, data, err, confirmed[1])
	}
	at, data, err = s.LatestAssessmentWhere(org, func(data []byte) bool { return bytes.Contains(data, []byte("C01")) })
	if err != nil || !at.Equal(check.At) || string(data) != string(check.json(t)) {
		t.Errorf("latest with C01: %s %s %v, want the check", at, data, err)
	}

	// A changed result is stored whole; the confirmations stay as they were.
	store(changed, "r@1")
	if r := resultOf(t, s, org); !r.At.Equal(changed.At) || !r.Stored.Equal(changed.At) {
		t.Errorf("result after a change at %s stored %s, want %s", r.At, r.Stored, changed.At)
	}
	assertAll(append(wantAll, string(changed.json(t))))
	if at, _, err := s.LatestAssessment(org); err != nil || !at.Equal(changed.At) {
		t.Errorf("latest after a change: %s %v", at, err)
	}
}

// resultOf reads a subject's result both ways and checks they agree.
func resultOf(t *testing.T, s *Store, subject string) Result {
	t.Helper()
	var r Result
	if err := s.Update(func(tx *Tx) error {
		var ok bool
		var err error
		r, ok, err = tx.LastResult(subject)
		if err == nil && !ok {
			err = fmt.Errorf("no result")
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := s.Results(func(sub string, res Result) error {
		if sub == subject {
			n++
			if !res.At.Equal(r.At) || !res.Stored.Equal(r.Stored) || res.Same != r.Same {
				t.Errorf("Results: %+v, LastResult: %+v", res, r)
			}
		}
		return nil
	}); err != nil || n != 1 {
		t.Errorf("Results: %d of %s, %v", n, subject, err)
	}
	return r
}

// The outbox keeps a reference to an assessment stored with its event,
// not a second copy, and gives the event back byte for byte.
func TestOutboxKeepsAReference(t *testing.T) {
	s := openTest(t)
	a := StoredAssessment{Subject: "5591234561", At: day("2026-11-20"), Ruleset: "r@1",
		Data: []byte(`{"orgnr":"5591234561","name":"Omsorg \u003cAB\u003e","at":"2026-11-20T00:00:00Z","hits":["S04"]}`)}
	payload := `{"orgnr":"5591234561","step":"L3","assessment":` + string(a.Data) + `,"after":1}`
	err := s.Update(func(tx *Tx) error {
		if err := tx.PutAssessment(a); err != nil {
			return err
		}
		if err := tx.EmitWith(Event{Org: a.Subject, Subject: "vaksam.assessment.L3.5591234561", MsgID: "m1", Data: []byte(payload)}, a); err != nil {
			return err
		}
		return tx.Emit(Event{Org: a.Subject, Subject: "vaksam.alert.opened.5591234561", MsgID: "m2", Data: []byte(`{"n":2}`)})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(outboxKey(1))
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error {
			if bytes.Contains(v, []byte(`"hits":["S04"]`)) {
				t.Errorf("the outbox holds a copy of the assessment: %s", v)
			}
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	evs, err := s.Outbox(0, 10)
	if err != nil || len(evs) != 2 {
		t.Fatalf("outbox: %d events, %v", len(evs), err)
	}
	if string(evs[0].Data) != payload || evs[0].MsgID != "m1" || evs[0].Header[HeaderOrgSeq] != "1" {
		t.Errorf("event read back: %+v\n%s, want\n%s", evs[0], evs[0].Data, payload)
	}
	if string(evs[1].Data) != `{"n":2}` {
		t.Errorf("second event %s", evs[1].Data)
	}
}

// confirmLast confirms the subject's follow-up result at at.
func confirmLast(t *testing.T, s *Store, subject string, at time.Time, ruleset string) {
	t.Helper()
	if err := s.Update(func(tx *Tx) error {
		last, ok, err := tx.LastResult(subject)
		if err != nil || !ok {
			return fmt.Errorf("last result: %v %v", ok, err)
		}
		return tx.Confirm(subject, last, at, ruleset)
	}); err != nil {
		t.Fatal(err)
	}
}

// An assessment stored again at the same key (same organisation, time and
// rule set) with other bytes leaves the events that referred to the first
// one as they were emitted: waiting in the outbox, or in the same
// transaction.
func TestOutboxReferenceSurvivesAnOverwrite(t *testing.T) {
	s := openTest(t)
	first := StoredAssessment{Subject: "5591234561", At: day("2026-11-20"), Ruleset: "r@1", Data: []byte(`{"orgnr":"5591234561","hits":["S04"]}`)}
	second := first
	second.Data = []byte(`{"orgnr":"5591234561","hits":["S04","S06"],"more":true}`)
	third := first
	third.Data = []byte(`{"orgnr":"5591234561","hits":[]}`)
	payload := func(a StoredAssessment) string { return `{"assessment":` + string(a.Data) + `}` }
	emit := func(tx *Tx, id string, a StoredAssessment) error {
		if err := tx.PutAssessment(a); err != nil {
			return err
		}
		return tx.EmitWith(Event{Org: a.Subject, Subject: "vaksam.assessment.L3.5591234561", MsgID: id, Data: []byte(payload(a))}, a)
	}
	if err := s.Update(func(tx *Tx) error { return emit(tx, "m1", first) }); err != nil {
		t.Fatal(err)
	}
	// Waiting in the outbox, then stored over; and twice in one transaction.
	if err := s.Update(func(tx *Tx) error {
		if err := emit(tx, "m2", second); err != nil {
			return err
		}
		return emit(tx, "m3", third)
	}); err != nil {
		t.Fatal(err)
	}
	evs, err := s.Outbox(0, 10)
	if err != nil || len(evs) != 3 {
		t.Fatalf("outbox: %d events, %v", len(evs), err)
	}
	for i, want := range []StoredAssessment{first, second, third} {
		if string(evs[i].Data) != payload(want) {
			t.Errorf("event %s read back %s, want %s", evs[i].MsgID, evs[i].Data, payload(want))
		}
	}
}
