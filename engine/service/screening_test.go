package service_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/service"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/rules"
	defaultpack "github.com/vaksam/vaksam/rules/default"
)

const samples = "../../connectors/formats/testdata"

// overlap is a save hook around the review desk's that notes when the
// saves of two screenings (told apart by their time) interleave: a save
// of one after a save of another that has not finished.
type overlap struct {
	desk  *review.Desk
	mu    sync.Mutex
	order []time.Time // the time of each save, in the order of saving
}

func (o *overlap) onSave(tx *store.Tx, a *screening.Assessment, ch screening.Change) error {
	o.mu.Lock()
	o.order = append(o.order, a.At)
	o.mu.Unlock()
	time.Sleep(20 * time.Millisecond) // a window a second screening would save in
	return o.desk.OnSave(tx, a, ch)
}

// interleaved reports whether a screening's saves resumed after another's.
func (o *overlap) interleaved() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	done := map[time.Time]bool{}
	for i, at := range o.order {
		if done[at] {
			return true
		}
		if i > 0 && !o.order[i-1].Equal(at) {
			done[o.order[i-1]] = true
		}
	}
	return false
}

// setup stores the samples of two sources and returns the screening, the
// hook and the new record versions the imports stored.
func setup(t *testing.T) (*service.Screening, *overlap, *store.Store, []record.Item) {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	set, err := defaultpack.Load(rules.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	o := &overlap{desk: &review.Desk{Store: st}}
	sc, err := screening.NewScreener(st, func() *rules.Set { return set }, screening.DefaultConfig(), o.onSave)
	if err != nil {
		t.Fatal(err)
	}
	persons, _ := record.NewHMACPseudonymizer([]byte("service tests: not a deployment secret"))
	var changed []record.Item
	ingestSamples(t, st, persons, time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC), func(it record.Item) { changed = append(changed, it) })
	if len(changed) == 0 {
		t.Fatal("the samples stored no record versions")
	}
	return service.NewScreening(sc, nil), o, st, changed
}

// ingestSamples stores the samples of seven sources, observed at
// observed; onVersion (if set) hears of each new record version.
func ingestSamples(t *testing.T, st *store.Store, persons record.Pseudonymizer, observed time.Time, onVersion func(record.Item)) {
	t.Helper()
	in := &ingest.Ingester{Store: st, OnVersion: onVersion}
	for _, s := range []struct{ source, file string }{
		{"bolagsverket", "bolagsverket-organisationer.json"},
		{"bolagsverket-bulk", "bolagsverket-bulkfil.txt"},
		{"scb-bulk", "scb-bulkfil.txt"},
		{"kronofogden", "kronofogden.jsonl"},
		{"ivo", "ivo-tillstand.csv"},
		{"roles", "roles.jsonl"},
		{"contracts", "avtal.csv"},
	} {
		f, err := os.Open(filepath.Join(samples, s.file))
		if err != nil {
			t.Fatal(err)
		}
		_, err = in.Reader(context.Background(), f, ingest.Job{Source: s.source, Name: s.file, Observed: observed, Persons: persons})
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// Rescreen screens the organisations the changed versions concern, as a
// screening of the present at the time given, and saves each assessment;
// no change screens nothing.
func TestRescreenSavesWhatChanged(t *testing.T) {
	scr, _, _, changed := setup(t)
	at := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	if as, err := scr.Rescreen(context.Background(), nil, at); err != nil || len(as) != 0 {
		t.Fatalf("no change: %d assessments, %v", len(as), err)
	}
	as, err := scr.Rescreen(context.Background(), changed, at)
	if err != nil {
		t.Fatal(err)
	}
	want, err := screening.Affected(scr.Screener.Store, changed, at)
	if err != nil {
		t.Fatal(err)
	}
	orgs := 0
	for _, o := range want {
		if _, err := ident.ParseOrg(o); err == nil {
			orgs++
		}
	}
	if len(as) == 0 || len(as) != orgs {
		t.Fatalf("%d assessments, want one per affected organisation (%d)", len(as), orgs)
	}
	for _, a := range as {
		if !a.At.Equal(at) {
			t.Errorf("%s screened at %v, want %v", a.Orgnr, a.At, at)
		}
		stored, err := scr.Screener.Assessments(a.Orgnr)
		if err != nil || len(stored) != 1 {
			t.Errorf("%s: %d assessments stored (%v), want 1", a.Orgnr, len(stored), err)
		}
	}
}

// A re-screening and a screening of the whole store never save at the
// same time, whichever trigger starts them.
func TestOneScreeningAtATime(t *testing.T) {
	scr, o, _, changed := setup(t)
	whole := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	for i := range 3 {
		var wg sync.WaitGroup
		wg.Go(func() {
			if _, _, err := scr.ScreenAll(context.Background(), screening.TriggerSchedule, whole.Add(time.Duration(i)*time.Hour)); err != nil {
				t.Error(err)
			}
		})
		wg.Go(func() {
			if _, err := scr.Rescreen(context.Background(), changed, whole.Add(time.Duration(i)*time.Hour+time.Minute)); err != nil {
				t.Error(err)
			}
		})
		wg.Wait()
	}
	if o.interleaved() {
		t.Error("a re-screening saved while the whole store was being screened")
	}
}
