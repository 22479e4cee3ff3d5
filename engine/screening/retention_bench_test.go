package screening_test

import (
	"context"
	"encoding/json"
	"flag"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/rules"
	defaultpack "github.com/vaksam/vaksam/rules/default"
)

var benchDays = flag.Int("bench.days", 30, "days of BenchmarkRetentionMonth's simulated month (two screenings a day)")

// BenchmarkRetentionMonth runs a synthetic population (-bench.orgs) for
// a simulated month (-bench.days, two saved whole-store screenings a
// day, each on a store opened for it as serve's restarts would), then
// does what vaksam gc does with confirmation_days 7 and assessment_days
// 14: prune, reopen, compact. It reports the store on disk and its live
// data (store.LiveSize) before and after, in MB, and checks on a sample
// of organisations that every assessment left verifies (screening again
// as of its time gives the same assessment, as assessments --verify).
func BenchmarkRetentionMonth(b *testing.B) {
	st, at := populationStore(b, *benchOrgs)
	dir := st.DB().Opts().Dir
	st.Close()
	set, _ := defaultpack.Load(rules.Overrides{})
	open := func() (*store.Store, *screening.Screener) { return openSaving(b, dir, set) }
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := at.AddDate(0, 0, 1+i**benchDays)
		for d := 0; d < *benchDays; d++ {
			for _, h := range []int{1, 13} {
				st, sc := open()
				if _, err := sc.ScreenAll(context.Background(), screening.Options{At: start.AddDate(0, 0, d).Add(time.Duration(h) * time.Hour), Save: true},
					0, func(*screening.Assessment) error { return nil }); err != nil {
					b.Fatal(err)
				}
				st.Close()
			}
		}
		now := start.AddDate(0, 0, *benchDays)
		before := dirSize(b, dir)
		st, _ = open()
		liveBefore := liveSize(b, st)
		p, err := st.Prune(context.Background(), store.Retention{ConfirmationsBefore: now.AddDate(0, 0, -7), AssessmentsBefore: now.AddDate(0, 0, -14)})
		if err != nil {
			b.Fatal(err)
		}
		st.Close()
		st, sc := open()
		liveAfter := liveSize(b, st)
		if err := st.Compact(2); err != nil {
			b.Fatal(err)
		}
		subjects, err := st.AssessedSubjects()
		if err != nil {
			b.Fatal(err)
		}
		verified, sample := 0, 0
		for j := 0; j < len(subjects); j += max(1, len(subjects)/50) {
			verified += verifyAll(b, sc, subjects[j])
			sample++
		}
		st.Close()
		after := dirSize(b, dir)
		b.Logf("%d organisations, %d days: pruned %+v; live %.1f → %.1f MB; store %.1f → %.1f MB; %d assessments of %d organisations verified",
			len(subjects), *benchDays, p, float64(liveBefore)/1e6, float64(liveAfter)/1e6, float64(before)/1e6, float64(after)/1e6, verified, sample)
		b.ReportMetric(float64(before)/1e6, "store-before-MB")
		b.ReportMetric(float64(after)/1e6, "store-after-MB")
		b.ReportMetric(float64(liveBefore)/1e6, "live-before-MB")
		b.ReportMetric(float64(liveAfter)/1e6, "live-after-MB")
		b.ReportMetric(float64(p.Confirmations), "confirmations-pruned")
	}
}

// liveSize is st.LiveSize, failing the benchmark on an error.
func liveSize(b *testing.B, st *store.Store) int64 {
	b.Helper()
	n, err := st.LiveSize(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// verifyAll screens the organisation again as of each of its stored
// assessments' times and fails unless each gives the same assessment;
// it returns how many it verified.
func verifyAll(b *testing.B, sc *screening.Screener, orgnr string) int {
	b.Helper()
	o, err := ident.ParseOrg(orgnr)
	if err != nil {
		return 0 // a subject that is no organisation
	}
	stored, err := sc.Assessments(orgnr)
	if err != nil || len(stored) == 0 {
		b.Fatalf("%s: %d assessments, %v", orgnr, len(stored), err)
	}
	for _, x := range stored {
		again, err := sc.Screen(context.Background(), []ident.Org{o}, screening.Options{At: x.At, Purpose: x.Purpose})
		if err != nil {
			b.Fatal(err)
		}
		was, _ := json.Marshal(x)
		now, _ := json.Marshal(again[0])
		if string(was) != string(now) {
			b.Fatalf("%s at %s differs after gc:\n%s\n%s", orgnr, x.At, was, now)
		}
	}
	return len(stored)
}
