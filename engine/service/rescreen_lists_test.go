package service_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/sanctions"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/watchlist"
)

// putList stores one import of the OpenSanctions list as its parser does
// (every entity, then the version record) and returns the items that got
// a new version, as ingest hands them to re-screening.
func putList(t *testing.T, st *store.Store, at time.Time, ents ...sanctions.Entity) []record.Item {
	t.Helper()
	for i := range ents {
		ents[i].List = sanctions.FtM
	}
	obs := watchlist.Snapshot(record.SanctionsFtM, record.ListVersion{SHA256: fmt.Sprintf("%064x", at.Unix())}, ents, at)
	outs, err := st.Put(obs)
	if err != nil {
		t.Fatal(err)
	}
	var changed []record.Item
	for i, o := range outs {
		if o == store.NewVersion {
			changed = append(changed, obs[i].Item)
		}
	}
	return changed
}

// A list import that adds an entity matching one stored representative
// re-screens that representative's organisation and no other; the import
// that removes the entity re-screens it again; an import that changes
// nothing anyone matches re-screens nobody.
func TestRescreenOnListImport(t *testing.T) {
	scr, _, st, _ := setup(t)
	ctx := context.Background()
	day := func(d int) time.Time { return time.Date(2026, 11, d, 9, 0, 0, 0, time.UTC) }
	other := sanctions.Entity{ID: "NK-other", Kind: sanctions.Person, Names: []sanctions.Name{{Full: "Ivan SIDOROV"}}, BirthDates: []string{"1960"}}
	holm := sanctions.Entity{ID: "NK-holm", Kind: sanctions.Person, Names: []sanctions.Name{{Full: "HOLM, Sara"}}, BirthDates: []string{"1982"}}
	// Sara Holm (born 1982) is the VD of 5591234561 in the role samples.
	const want = "5591234561"
	rescreened := func(items []record.Item, at time.Time) []string {
		t.Helper()
		as, err := scr.Rescreen(ctx, items, at)
		if err != nil {
			t.Fatal(err)
		}
		var orgs []string
		for _, a := range as {
			orgs = append(orgs, a.Orgnr)
		}
		return orgs
	}
	if got := rescreened(putList(t, st, day(22), other), day(22).Add(time.Minute)); len(got) != 0 {
		t.Errorf("a list matching nobody re-screened %v", got)
	}
	if got := rescreened(putList(t, st, day(23), other, holm), day(23).Add(time.Minute)); len(got) != 1 || got[0] != want {
		t.Errorf("adding Sara Holm re-screened %v, want [%s]", got, want)
	}
	if got := rescreened(putList(t, st, day(24), other), day(24).Add(time.Minute)); len(got) != 1 || got[0] != want {
		t.Errorf("removing Sara Holm re-screened %v, want [%s]", got, want)
	}
	stored, err := scr.Screener.Assessments(want)
	if err != nil || len(stored) != 2 {
		t.Errorf("%s: %d assessments stored (%v), want 2", want, len(stored), err)
	}
}
