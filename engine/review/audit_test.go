package review

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
)

// trail returns the audit entries appended since the last call.
func (e *env) trail() []audit.Entry {
	e.t.Helper()
	es, err := (&audit.Log{Store: e.st}).Entries(e.read+1, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(es) > 0 {
		e.read = es[len(es)-1].Seq
	}
	return es
}

// wantTrail checks the entries appended since the last call: each
// "action actor object".
func (e *env) wantTrail(want ...string) []audit.Entry {
	e.t.Helper()
	es := e.trail()
	var got []string
	for _, x := range es {
		got = append(got, x.Action+" "+x.Actor+" "+x.Object)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		e.t.Fatalf("audit entries\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	return es
}

// wantDetail checks some of an entry's details (keys and values are
// strings, or the ladder's words).
func wantDetail(t *testing.T, x audit.Entry, kv ...any) {
	t.Helper()
	for i := 0; i+1 < len(kv); i += 2 {
		k, want := fmt.Sprint(kv[i]), fmt.Sprint(kv[i+1])
		if got, ok := x.Detail[k]; !ok || got != want {
			t.Errorf("%s %s: detail %s = %q, want %q (detail %v)", x.Action, x.Object, k, got, want, x.Detail)
		}
	}
}

func (e *env) wantIntact(entries int) {
	e.t.Helper()
	r, err := (&audit.Log{Store: e.st}).Verify()
	if err != nil || !r.Intact() || r.Entries != entries {
		e.t.Fatalf("verify %+v %v", r, err)
	}
}

func TestSystemIsTheAuditSystem(t *testing.T) {
	if System != audit.System {
		t.Fatalf("review.System %q, audit.System %q", System, audit.System)
	}
}

// Every change of an alert and every decision is in the trail, with who
// made it, in the order made.
func TestAuditTrailOfAlertsAndDecisions(t *testing.T) {
	e := newEnv(t)
	al := e.opened(org1) // S01, S04 at day 2
	id := al.ID
	x := e.wantTrail("alert.open vaksam " + id)
	wantDetail(t, x[0], "state", Ny, "revision", "1", "step", screening.L3, "score", "40", "hits_added", "S01,S04")
	if !x[0].At.Equal(day(2)) {
		t.Errorf("at %s", x[0].At)
	}

	// The engine follows a changed result; an unchanged one writes nothing.
	e.save(assessment(org1, day(3), screening.L3, 55, "S01", "S08"))
	x = e.wantTrail("alert.update vaksam " + id)
	wantDetail(t, x[0], "state", Ny, "revision", "2", "score", "55", "hits_added", "S08", "hits_removed", "S04")
	e.save(assessment(org1, day(3).Add(1), screening.L3, 55, "S01", "S08"))
	e.wantTrail()

	if _, err := e.desk.Assign(id, "anna", "bertil", day(3)); err != nil {
		t.Fatal(err)
	}
	x = e.wantTrail("alert.assign bertil " + id)
	wantDetail(t, x[0], "state", Utreds, "revision", "3", "assignee", "anna")
	if _, err := e.desk.Assign(id, "anna", "bertil", day(3)); err != nil { // no change
		t.Fatal(err)
	}
	e.wantTrail()

	halt := e.decide(request(id, Avropsstopp, "anna"), day(4))
	x = e.wantTrail("decision.create anna " + halt.ID)
	wantDetail(t, x[0], "kind", Avropsstopp, "status", Bekraftad, "ground", GroundLOU132, "alert_state", Beslutad, "alert_revision", "4")
	if strings.Contains(fmt.Sprint(x[0].Detail), "Kronofogden") {
		t.Errorf("a user's text in the trail: %v", x[0].Detail)
	}
	resume := e.decide(request(id, HavAvropsstopp, "anna"), day(5))
	x = e.wantTrail("decision.create anna " + resume.ID)
	wantDetail(t, x[0], "kind", HavAvropsstopp, "supersedes", "1-d1")

	// Four eyes: created awaiting approval, rejected, created again,
	// approved.
	if _, err := e.desk.Assign(id, "anna", "anna", day(5)); err != nil {
		t.Fatal(err)
	}
	e.wantTrail("alert.assign anna " + id)
	term := e.decide(request(id, Havning, "anna"), day(6))
	x = e.wantTrail("decision.create anna " + term.ID)
	wantDetail(t, x[0], "kind", Havning, "status", VantarGodkannande, "alert_state", Utreds)
	if _, err := e.desk.Reject(term.ID, "cecilia", "Underlaget räcker inte", day(7)); err != nil {
		t.Fatal(err)
	}
	x = e.wantTrail("decision.reject cecilia " + term.ID)
	wantDetail(t, x[0], "kind", Havning, "status", Avslagen, "alert_state", Utreds)
	term = e.decide(request(id, Havning, "anna"), day(8))
	e.wantTrail("decision.create anna " + term.ID)
	// The supplier is heard: the trail says when and how, never what.
	e.hear(term.ID, "anna", day(8))
	x = e.wantTrail("hearing.inform anna "+term.ID, "hearing.respond anna "+term.ID)
	wantDetail(t, x[0], "kind", Havning, "status", VantarGodkannande, "notice", "1", "informed", "2026-11-08",
		"deadline", "2026-11-22", "channel", ChannelBrev)
	wantDetail(t, x[1], "response", "1", "notice", "1", "received", "2026-11-08", "has_attachment", "false",
		"length", "25")
	for _, v := range x[1].Detail {
		if strings.Contains(v, "bestrider") {
			t.Errorf("the response's text in the trail: %v", x[1].Detail)
		}
	}
	if _, err := e.desk.Approve(term.ID, "cecilia", day(9)); err != nil {
		t.Fatal(err)
	}
	x = e.wantTrail("decision.approve cecilia " + term.ID)
	wantDetail(t, x[0], "kind", Havning, "status", Bekraftad, "alert_state", Beslutad)

	if _, err := e.desk.Close(id, "anna", "Avtalet hävt", Finding{Outcome: OutcomeJustified}, day(10)); err != nil {
		t.Fatal(err)
	}
	x = e.wantTrail("alert.close anna " + id)
	wantDetail(t, x[0], "state", Stangd)
	if _, ok := x[0].Detail["reason"]; ok {
		t.Errorf("a user's reason in the trail: %v", x[0].Detail)
	}
	e.wantIntact(13)
}

// No action with a snooze, then the engine reopens the alert: both are in
// the trail, the reopening by System with its reason.
func TestAuditTrailOfSnoozeAndReopen(t *testing.T) {
	e := newEnv(t)
	al := e.opened(org1)
	e.trail()
	r := request(al.ID, IngenAtgard, "anna")
	r.Snooze = true
	dec := e.decide(r, day(3))
	x := e.wantTrail("decision.create anna " + dec.ID)
	wantDetail(t, x[0], "kind", IngenAtgard, "status", Bekraftad, "alert_state", Stangd, "alert_revision", "3")
	if _, ok := x[0].Detail["ground"]; ok {
		t.Errorf("ground without one: %v", x[0].Detail)
	}
	e.save(assessment(org1, day(4), screening.L2, 40, "S04")) // still snoozed
	e.wantTrail()
	e.save(assessment(org1, day(5), screening.L3, 55, "S01", "S04", "S08"))
	x = e.wantTrail("alert.reopen vaksam " + al.ID)
	wantDetail(t, x[0], "state", Ny, "revision", "4", "reason", "new hits S08", "hits_added", "S08")
	e.wantIntact(3)
}

// An operation that fails appends nothing.
func TestFailingOperationsLeaveNoAuditEntry(t *testing.T) {
	e := newEnv(t)
	al := e.opened(org1)
	e.trail()
	term := e.decide(request(al.ID, Havning, "anna"), day(3))
	e.wantTrail("decision.create anna " + term.ID)
	for name, err := range map[string]error{
		"approve own":           mustErr(e.desk.Approve(term.ID, "anna", day(4))),
		"reject own":            mustErr(e.desk.Reject(term.ID, "anna", "nej", day(4))),
		"approve before":        mustErr(e.desk.Approve(term.ID, "cecilia", day(2))),
		"close while pending":   mustErr(e.desk.Close(al.ID, "anna", "klart", Finding{Outcome: OutcomeJustified}, day(4))),
		"decide while pending":  mustErr(e.desk.Decide(request(al.ID, IngenAtgard, "anna"), day(4))),
		"invalid decision":      mustErr(e.desk.Decide(request(al.ID, "nope", "anna"), day(4))),
		"unknown alert":         mustErr(e.desk.Assign("5591234561-9", "anna", "anna", day(4))),
		"assign without a user": mustErr(e.desk.Assign(al.ID, "", "anna", day(4))),
		"resume without a halt": mustErr(e.desk.Decide(request(al.ID, HavAvropsstopp, "anna"), day(4))),
		"approve unknown":       mustErr(e.desk.Approve("5591234561-1-d9", "cecilia", day(4))),
		"approve unheard":       mustErr(e.desk.Approve(term.ID, "cecilia", day(4))),
		"respond uninformed":    mustErr(e.desk.Respond(term.ID, "anna", day(3), "svar", nil, day(3))),
		"inform badly":          mustErr(e.desk.Inform(term.ID, "anna", day(4), day(3), ChannelBrev, day(4))),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	e.wantTrail()
	e.hear(term.ID, "anna", day(3))
	e.wantTrail("hearing.inform anna "+term.ID, "hearing.respond anna "+term.ID)
	if _, err := e.desk.Approve(term.ID, "cecilia", day(4)); err != nil {
		t.Fatal(err)
	}
	e.wantTrail("decision.approve cecilia " + term.ID)
	if _, err := e.desk.Close(al.ID, "anna", "klart", Finding{Outcome: OutcomeJustified}, day(5)); err != nil {
		t.Fatal(err)
	}
	e.wantTrail("alert.close anna " + al.ID)
	for name, err := range map[string]error{
		"close a closed":         mustErr(e.desk.Close(al.ID, "anna", "klart", Finding{Outcome: OutcomeJustified}, day(6))),
		"assign a closed alert":  mustErr(e.desk.Assign(al.ID, "anna", "anna", day(6))),
		"decide on a closed one": mustErr(e.desk.Decide(request(al.ID, Avropsstopp, "anna"), day(6))),
		"inform of an approved":  mustErr(e.desk.Inform(term.ID, "anna", day(6), day(16), ChannelBrev, day(6))),
		"respond to an approved": mustErr(e.desk.Respond(term.ID, "anna", day(6), "svar", nil, day(6))),
	} {
		if !errors.Is(err, ErrState) {
			t.Errorf("%s: %v", name, err)
		}
	}
	e.wantTrail()
	e.wantIntact(6)

	// A save whose transaction fails after the desk's hook leaves no
	// entry either.
	boom := errors.New("boom")
	e.hook(func(tx *store.Tx, a *screening.Assessment, ch screening.Change) error {
		if err := e.desk.OnSave(tx, a, ch); err != nil {
			return err
		}
		return boom
	})
	if err := e.sc.Save(assessment(org2, day(6), screening.L3, 0, "S01")); !errors.Is(err, boom) {
		t.Fatalf("save: %v", err)
	}
	e.wantTrail()
	e.hook(e.desk.OnSave)
	e.save(assessment(org2, day(6), screening.L3, 0, "S01"))
	e.wantTrail("alert.open vaksam " + org2 + "-1")
	e.wantIntact(7)
}

// A sole trader's organisation number is a personnummer: the trail names
// the alert and the decision by their ids, as the documents do, but no
// detail repeats it.
func TestAuditDetailsOfASoleTrader(t *testing.T) {
	const trader = "8001011231"
	e := newEnv(t)
	al := e.opened(trader)
	halt := e.decide(request(al.ID, Avropsstopp, "anna"), day(3))
	resume := e.decide(request(al.ID, HavAvropsstopp, "anna"), day(4))
	xs := e.wantTrail("alert.open vaksam "+al.ID, "decision.create anna "+halt.ID, "decision.create anna "+resume.ID)
	wantDetail(t, xs[2], "supersedes", "1-d1")
	for _, x := range xs {
		for k, v := range x.Detail {
			if strings.Contains(k+v, "800101") {
				t.Errorf("%s: detail %s=%s", x.Action, k, v)
			}
		}
	}
}

// Coordinators deciding at once, and the engine opening alerts in the
// same moments, still make one intact chain.
func TestConcurrentChangesMakeOneChain(t *testing.T) {
	e := newEnv(t)
	al := e.opened(org1)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() { e.desk.Decide(request(al.ID, Avropsstopp, "anna"), day(3)) })
		wg.Go(func() {
			if err := e.sc.Save(assessment(fmt.Sprintf("55903%05d", i), day(3), screening.L3, 0, "S01")); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	// One halt took, seven were refused; eight organisations got alerts
	// (the generated numbers need no valid check digit here).
	es := e.trail()
	var opens, creates int
	for _, x := range es {
		switch x.Action {
		case audit.AlertOpen:
			opens++
		case audit.DecisionCreate:
			creates++
		}
	}
	if opens != 9 || creates != 1 {
		t.Fatalf("%d opens, %d decisions in %d entries", opens, creates, len(es))
	}
	e.wantIntact(10)
}
