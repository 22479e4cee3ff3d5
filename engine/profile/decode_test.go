package profile

import (
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
)

// resolved is one stored record of a source with parsed content.
func resolved(source, parsed string) store.Resolved {
	at := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)
	v := store.Version{N: 1, FirstObserved: at, Parsed: []byte(parsed)}
	return store.Resolved{ID: store.RecordID{Subject: "5591234561", Source: source, Key: "k"}, Current: &v,
		History: []store.Version{v}, LastObserved: at, LastSuccess: at}
}

// TestDecodeEverySource checks that every source of the registry has a
// decoder, and that a record of a source the registry does not hold
// fails the decoding with its name and the record's.
func TestDecodeEverySource(t *testing.T) {
	for _, src := range record.Sources {
		sub, err := Decode("5591234561", []store.Resolved{resolved(src, "{}")})
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		if st := sub.Sources[src]; st == nil || !st.Present {
			t.Errorf("%s: not present in the subject's sources: %+v", src, sub.Sources)
		}
	}
	_, err := Decode("5591234561", []store.Resolved{resolved(record.SCB, "{}"), resolved("kronofogden2", "{}")})
	if err == nil || !strings.Contains(err.Error(), `record kronofogden2:5591234561/k: source "kronofogden2" is not in the source registry`) {
		t.Errorf("unknown source: err = %v", err)
	}
}

// TestDecodeStoredUnknownSource stores a record of an unknown source
// beside a good one in a real store: decoding the subject fails with the
// record's name, and both records stay stored.
func TestDecodeStoredUnknownSource(t *testing.T) {
	st, err := store.Open(t.TempDir(), store.Options{Small: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	at := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)
	obs := []store.Observation{
		{Item: record.Item{Source: record.SCB, Subject: "5591234561", Raw: []byte("{}"), Parsed: []byte("{}")}, Observed: at},
		{Item: record.Item{Source: "kronofogden2", Subject: "5591234561", Raw: []byte("{}"), Parsed: []byte("{}")}, Observed: at},
	}
	if _, err := st.Put(obs); err != nil {
		t.Fatal(err)
	}
	recs, err := st.Subject("5591234561", store.ScanOptions{At: at})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("%d records stored, want 2", len(recs))
	}
	if _, err := Decode("5591234561", recs); err == nil || !strings.Contains(err.Error(), `source "kronofogden2"`) {
		t.Errorf("decoding a subject with a record of an unknown source: err = %v", err)
	}
}

// TestDecodeNetworkDatesAnUndatedBankruptcy: DecodeNetwork decodes only
// the current registry version, except for a bankruptcy without a start
// date, which the registry's history dates (when it first showed it): the
// facts equal those of the full decode in both cases.
func TestDecodeNetworkDatesAnUndatedBankruptcy(t *testing.T) {
	registry := func(versions ...string) store.Resolved {
		r := resolved(record.Bolagsverket, versions[len(versions)-1])
		r.History = nil
		for i, v := range versions {
			r.History = append(r.History, store.Version{N: uint32(i + 1), FirstObserved: time.Date(2024, 1, 1+i, 8, 0, 0, 0, time.UTC), Parsed: []byte(v)})
		}
		r.Current = &r.History[len(r.History)-1]
		return r
	}
	for name, c := range map[string]struct {
		rec          store.Resolved
		wantVersions int
	}{
		"dated":   {registry(`{"name":"A AB"}`, `{"name":"A AB","proceedings":[{"code":"KK","from":"2024-01-01T00:00:00Z"}]}`), 1},
		"undated": {registry(`{"name":"A AB"}`, `{"name":"A AB","proceedings":[{"code":"KK"}]}`, `{"name":"A AB","proceedings":[{"code":"KK"}]}`), 3},
	} {
		full, err := Decode("5591234561", []store.Resolved{c.rec})
		if err != nil {
			t.Fatal(err)
		}
		net, err := DecodeNetwork("5591234561", []store.Resolved{c.rec})
		if err != nil {
			t.Fatal(err)
		}
		if len(net.CompanyHistory) != c.wantVersions {
			t.Errorf("%s: %d registry versions decoded, want %d", name, len(net.CompanyHistory), c.wantVersions)
		}
		want, got := factsOf(full), factsOf(net)
		if want.Bankruptcy.IsZero() || !want.Bankruptcy.Equal(got.Bankruptcy) || want.Name != got.Name {
			t.Errorf("%s: facts %+v, want %+v", name, got, want)
		}
	}
}
