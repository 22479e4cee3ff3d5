package screening_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/rules"
)

func sday(n int) time.Time { return time.Date(2026, 11, n, 12, 0, 0, 0, time.UTC) }

// followUp is a follow-up assessment of org at day n with S04 (high, its
// evidence Bolagsverket's record at version v) and S09 (medium), or with
// the critical S01 instead of S09, placed as the default scoring does.
func followUp(org string, n int, v uint32, critical bool) *screening.Assessment {
	ev := []profile.Ref{{Source: "bolagsverket", Key: org, Version: v, Observed: sday(n)}}
	a := &screening.Assessment{Orgnr: org, Name: "Omsorg AB", At: sday(n), Step: ladder.L2, Verdict: screening.Review, Score: 55,
		Reasons: []string{"high", "score"}, Ruleset: "default@1", Missing: []screening.Missing{}, NotChecked: []string{}, Records: ev,
		Hits: []screening.Hit{{ID: "S04", Severity: rules.High, Category: "S", Confidence: 1, Evidence: ev},
			{ID: "S09", Severity: rules.Medium, Category: "S", Confidence: 1, Evidence: ev}}}
	if critical {
		a.Hits[1] = screening.Hit{ID: "S01", Severity: rules.Critical, Category: "S", Confidence: 1, Evidence: ev}
		a.Step, a.Verdict, a.Score, a.Reasons = ladder.L3, screening.Block, 40, []string{"critical"}
	}
	return a
}

func TestSuppressRefuses(t *testing.T) {
	f := newFixture(t)
	const org, crit = "5560000011", "5560000012"
	if err := f.sc.Save(followUp(org, 2, 1, false)); err != nil {
		t.Fatal(err)
	}
	if err := f.sc.Save(followUp(crit, 2, 1, true)); err != nil {
		t.Fatal(err)
	}
	ok := screening.SuppressionRequest{Orgnr: org, Indicator: "S04", Reason: "Skulden är betald, Kronofogden släpar", By: "anna", Expires: sday(20)}
	for _, c := range []struct {
		name        string
		edit        func(*screening.SuppressionRequest)
		field, code string
	}{
		{"no indicator", func(r *screening.SuppressionRequest) { r.Indicator = "" }, "indicator", screening.SuppressRequired},
		{"no reason", func(r *screening.SuppressionRequest) { r.Reason = " " }, "reason", screening.SuppressRequired},
		{"no expiry", func(r *screening.SuppressionRequest) { r.Expires = time.Time{} }, "expires", screening.SuppressRequired},
		{"an expiry passed", func(r *screening.SuppressionRequest) { r.Expires = sday(3) }, "expires", screening.SuppressPast},
		{"no author", func(r *screening.SuppressionRequest) { r.By = "" }, "by", screening.SuppressRequired},
		{"not a hit", func(r *screening.SuppressionRequest) { r.Indicator = "K02" }, "indicator", screening.SuppressNoHit},
		{"a critical hit", func(r *screening.SuppressionRequest) { r.Orgnr, r.Indicator = crit, "S01" }, "indicator", screening.SuppressCritical},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := ok
			c.edit(&r)
			_, err := f.sc.Suppress(r, sday(3))
			var se *screening.SuppressionError
			if !errors.As(err, &se) || se.Field != c.field || se.Code != c.code {
				t.Errorf("%v, want %s %s", err, c.field, c.code)
			}
		})
	}
	r := ok
	r.Orgnr = "5560000013"
	if _, err := f.sc.Suppress(r, sday(3)); !errors.Is(err, screening.ErrNoAssessment) {
		t.Errorf("a supplier never assessed: %v", err)
	}
	if es, _ := (&audit.Log{Store: f.st}).Entries(1, 0); slices.ContainsFunc(es, func(e audit.Entry) bool { return e.Action == screening.AuditSuppress }) {
		t.Errorf("a refused suppression audited")
	}
	if list, err := f.sc.Suppressions(org); err != nil || len(list) != 0 {
		t.Errorf("suppressions %v %v", list, err)
	}
}

// A suppressed hit shows, marked, and counts in neither score nor step
// nor the alert's hits; a new version of its evidence lifts it, and so
// does its expiry.
func TestSuppressionAppliesAndLifts(t *testing.T) {
	f := newFixture(t)
	const org = "5560000011"
	save := func(a *screening.Assessment) *screening.Assessment {
		t.Helper()
		if err := f.sc.Save(a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	save(followUp(org, 2, 1, false))
	al, err := f.desk.OpenAlert(org)
	if err != nil || al == nil || !slices.Equal(al.Hits, []string{"S04", "S09"}) {
		t.Fatalf("alert %+v %v", al, err)
	}
	x, err := f.sc.Suppress(screening.SuppressionRequest{Orgnr: org, Indicator: "S04", Reason: "Betald skuld", By: "anna", Expires: sday(10)}, sday(3))
	if err != nil {
		t.Fatal(err)
	}
	if x.ID != org+"-S04-1" || len(x.Evidence) != 1 || x.Evidence[0].Version != 1 {
		t.Errorf("suppression %+v", x)
	}
	es, err := (&audit.Log{Store: f.st}).Entries(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	last := es[len(es)-1]
	if last.Action != screening.AuditSuppress || last.Actor != "anna" || last.Object != org || last.Detail["indicator"] != "S04" ||
		last.Detail["expires"] != "2026-11-10T12:00:00Z" {
		t.Errorf("audit %+v", last)
	}
	if _, err := f.sc.Suppress(screening.SuppressionRequest{Orgnr: org, Indicator: "S04", Reason: "igen", By: "anna", Expires: sday(12)}, sday(3)); err == nil {
		t.Error("a second suppression of a suppressed hit: no error")
	}

	// Day 4, the same evidence: S04 shown, marked, not counted: S09
	// alone is L1, and the alert follows without S04.
	a := save(followUp(org, 4, 1, false))
	if a.Hits[0].ID != "S04" || a.Hits[0].Suppressed != x.ID || a.Hits[1].Suppressed != "" {
		t.Errorf("hits %+v", a.Hits)
	}
	if a.Step != ladder.L1 || a.Score != 15 || a.Verdict != screening.Clear || len(a.Reasons) != 0 {
		t.Errorf("suppressed: step %s score %g verdict %s reasons %v, want L1 15 clear none", a.Step, a.Score, a.Verdict, a.Reasons)
	}
	if got := a.Result().Hits; !slices.Equal(got, []string{"S09"}) {
		t.Errorf("result hits %v", got)
	}
	stored, err := f.sc.Assessments(org)
	if err != nil || stored[len(stored)-1].Hits[0].Suppressed != x.ID {
		t.Errorf("the stored assessment does not say S04 was suppressed: %v", err)
	}
	if al, _ := f.desk.Alert(al.ID); !slices.Equal(al.Hits, []string{"S09"}) || al.Step != ladder.L1 {
		t.Errorf("alert after the suppression %+v", al)
	}

	// Day 5: Bolagsverket's record has a new version: lifted, S04 counts.
	if a := save(followUp(org, 5, 2, false)); a.Hits[0].Suppressed != "" || a.Step != ladder.L2 || a.Score != 55 {
		t.Errorf("new evidence: %+v step %s score %g", a.Hits, a.Step, a.Score)
	}
	if al, _ := f.desk.Alert(al.ID); !slices.Equal(al.Hits, []string{"S04", "S09"}) || al.Step != ladder.L2 {
		t.Errorf("alert after new evidence %+v", al)
	}

	// Suppressed again on the new evidence until day 8: day 7 holds it,
	// day 8 (the expiry) does not.
	y, err := f.sc.Suppress(screening.SuppressionRequest{Orgnr: org, Indicator: "S04", Reason: "Fortfarande betald", By: "anna", Expires: sday(8)}, sday(6))
	if err != nil || y.ID != org+"-S04-2" {
		t.Fatalf("suppression %+v %v", y, err)
	}
	if a := save(followUp(org, 7, 2, false)); a.Hits[0].Suppressed != y.ID || a.Step != ladder.L1 {
		t.Errorf("before expiry: %+v step %s", a.Hits, a.Step)
	}
	if a := save(followUp(org, 8, 2, false)); a.Hits[0].Suppressed != "" || a.Step != ladder.L2 {
		t.Errorf("at expiry: %+v step %s", a.Hits, a.Step)
	}
	list, err := f.sc.Suppressions(org)
	if err != nil || len(list) != 2 {
		t.Fatalf("suppressions %v %v", list, err)
	}
	ev := followUp(org, 8, 2, false).Hits[0].Evidence
	for i, want := range []string{"new_evidence", "expired"} {
		if got := list[i].Status(sday(8), ev, true); got != want {
			t.Errorf("%s: status %s, want %s", list[i].ID, got, want)
		}
	}
	if got := list[1].Status(sday(7), ev, true); got != "in_force" {
		t.Errorf("day 7: %s", got)
	}
}

// An assessment as of a time before the suppression was made (a
// reproduction) applies none.
func TestSuppressionNotBeforeItWasMade(t *testing.T) {
	f := newFixture(t)
	const org = "5560000011"
	if err := f.sc.Save(followUp(org, 2, 1, false)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sc.Suppress(screening.SuppressionRequest{Orgnr: org, Indicator: "S04", Reason: "x", By: "anna", Expires: sday(10)}, sday(5)); err != nil {
		t.Fatal(err)
	}
	a := followUp(org, 4, 1, false)
	if err := f.sc.Save(a); err != nil {
		t.Fatal(err)
	}
	if a.Hits[0].Suppressed != "" || a.Step != ladder.L2 {
		t.Errorf("as of day 4: %+v step %s", a.Hits, a.Step)
	}
}
