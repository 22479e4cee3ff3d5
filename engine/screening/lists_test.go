package screening_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
)

// listSamples are the real-format samples of the sanctions lists.
const listSamples = "../../connectors/sanctions/testdata"

// A store holding the sanctions lists beside organisations and persons
// screens exactly the organisations: the lists' subjects are no
// organisation to screen, to decode as a subject, or to reach from a
// changed record.
func TestListsAreNoOrganisations(t *testing.T) {
	f := newFixture(t)
	at := instant(t, "2026-11-21")
	f.ingestSamples(t, at.AddDate(0, 0, -1))
	screenAll := func() (screening.Stats, []string) {
		t.Helper()
		var ids []string
		st, err := f.sc.ScreenAll(context.Background(), screening.Options{At: at}, 2, func(a *screening.Assessment) error {
			ids = append(ids, a.Orgnr)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(ids)
		return st, ids
	}
	before, orgs := screenAll()
	if len(orgs) == 0 {
		t.Fatal("the samples screen no organisation")
	}

	var items []record.Item
	f.in.OnVersion = func(it record.Item) { items = append(items, it) }
	for _, s := range []struct{ source, file string }{
		{record.SanctionsEU, "eu_fsf_1_1.xml"},
		{record.SanctionsUN, "un_consolidated.xml"},
		{record.SanctionsFtM, "entities.ftm.json"},
	} {
		if c := f.ingestFile(t, s.source, filepath.Join(listSamples, s.file), "", at.AddDate(0, 0, -1)); c.New == 0 || c.Quarantined > 0 {
			t.Fatalf("%s: %+v", s.file, c)
		}
	}
	f.in.OnVersion = nil
	if len(items) == 0 {
		t.Fatal("the lists stored nothing")
	}

	after, screened := screenAll()
	if !slices.Equal(screened, orgs) {
		t.Errorf("with the lists stored, screened %v; without, %v", screened, orgs)
	}
	if after.Subjects != before.Subjects || after.Screened != before.Screened {
		t.Errorf("with the lists stored: %d subjects, %d screened; without: %d, %d", after.Subjects, after.Screened, before.Subjects, before.Screened)
	}
	subjects, err := screening.ScanSubjects(context.Background(), f.st, at, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subjects {
		if record.IsListSubject(s.ID) {
			t.Errorf("ScanSubjects decoded the list %s as a subject", s.ID)
		}
	}
	// Decoding a list's subject does not fail: its records are noted,
	// nothing of them read as an organisation's facts.
	for _, src := range []string{record.SanctionsEU, record.SanctionsUN, record.SanctionsFtM} {
		id := record.ListSubject(record.SanctionsSources[src])
		recs, err := f.st.Subject(id, store.ScanOptions{At: at, History: profile.HistorySources})
		if err != nil {
			t.Fatal(err)
		}
		sub, err := profile.Decode(id, recs)
		if err != nil {
			t.Errorf("decode %s: %v", id, err)
			continue
		}
		if st := sub.Sources[src]; st == nil || !st.Present || st.Records != len(recs) || sub.Company != nil || len(sub.Roles) != 0 {
			t.Errorf("decode %s: source state %+v of %d records, company %v, roles %v", id, st, len(recs), sub.Company, sub.Roles)
		}
	}
	affected, err := screening.Affected(f.st, items, at)
	if err != nil || len(affected) != 0 {
		t.Errorf("a list import affects %v (%v), want no organisation", affected, err)
	}
}
