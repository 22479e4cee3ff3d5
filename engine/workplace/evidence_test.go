package workplace

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
)

// Each record version a decision rests on has the SHA-256 of its stored
// content, which begins with the store's own hash of the version; a
// version not held has none.
func TestEvidenceHashes(t *testing.T) {
	w := desk(t)
	const org = "5560000009"
	contents := []*record.Company{{Orgnr: org, Name: "Epsilon Omsorg AB"}, {Orgnr: org, Name: "Epsilon Vård AB"}}
	for i, c := range contents {
		it := record.Item{Source: record.Bolagsverket, Subject: org, Pos: "test:1", Parsed: c}
		if _, err := w.Store.Put([]store.Observation{{Item: it, Observed: day(i + 1)}}); err != nil {
			t.Fatal(err)
		}
	}
	want := func(c *record.Company) string {
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		return hex.EncodeToString(sum[:])
	}
	refs := []profile.Ref{
		{Source: record.Bolagsverket, Key: org, Version: 2},
		{Source: record.Bolagsverket, Key: org, Version: 1},
		{Source: record.Bolagsverket, Key: org, Version: 3},          // not held
		{Source: record.Kronofogden, Key: org, Version: 1},           // no such record
		{Source: record.Bolagsverket, Key: "5560000001", Version: 1}, // another subject, without records
	}
	got, err := w.EvidenceHashes(refs)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(refs) || got[0] != want(contents[1]) || got[1] != want(contents[0]) || got[2] != "" || got[3] != "" || got[4] != "" {
		t.Fatalf("hashes %q", got)
	}
	recs, err := w.Store.Subject(org, store.ScanOptions{At: Everything, History: AllSources()})
	if err != nil || len(recs) != 1 || len(recs[0].History) != 2 {
		t.Fatalf("records %+v %v", recs, err)
	}
	if h := recs[0].History[1].Hash; hex.EncodeToString(h[:]) != got[0][:32] {
		t.Errorf("the store's hash of version 2 %x is not the start of %s", h, got[0])
	}
}
