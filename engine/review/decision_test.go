package review

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/screening"
)

func TestHaltAndResume(t *testing.T) {
	e := newEnv(t)
	al := e.opened(org1)
	r := request(al.ID, Avropsstopp, "anna")
	r.Ground, r.ContractClause = GroundAvtalsvillkor, "12.3 Hävning och avropsstopp"
	r.Contracts = []string{"AVT-2025-017", "AVT-2026-002"}
	r.Diarienummer = " KS 2026/123 "
	halt := e.decide(r, day(3))
	if halt.Diarienummer != "KS 2026/123" {
		t.Errorf("diarienummer %q, want it trimmed", halt.Diarienummer)
	}
	if halt.ID != al.ID+"-d1" || halt.Status != Bekraftad || halt.Kind != Avropsstopp || halt.DecidedBy != "anna" ||
		!halt.DecidedAt.Equal(day(3)) || halt.Orgnr != org1 || halt.Name != al.Name || halt.ContractClause != r.ContractClause ||
		!halt.Evidence.AssessmentAt.Equal(day(2)) || halt.Evidence.Ruleset != "default@1a2b3c" || len(halt.Evidence.Records) != 1 {
		t.Fatalf("decision %+v", halt)
	}
	evs := e.reviewEvents()
	e.wantSubjects(evs, "vaksam.alert.decided."+org1, "vaksam.action.halt."+org1)
	if p := alertEvent(t, evs[0]); p.State != Beslutad || p.Decision != halt.ID || p.By != "anna" || p.Revision != 2 || p.Reason != string(Avropsstopp) {
		t.Errorf("alert payload %+v", p)
	}
	act := actionEvent(t, evs[1])
	want := event.Action{ActionID: halt.ID, Kind: event.Halt, Orgnr: org1, Name: al.Name, At: day(3), DecidedBy: "anna",
		Ground: "avtalsvillkor: 12.3 Hävning och avropsstopp", Contracts: r.Contracts}
	if act.ActionID != want.ActionID || act.Kind != want.Kind || act.Orgnr != org1 || act.Name != want.Name || !act.At.Equal(want.At) ||
		act.DecidedBy != "anna" || act.ApprovedBy != "" || act.Ground != want.Ground || !slices.Equal(act.Contracts, want.Contracts) || act.Supersedes != "" {
		t.Errorf("action %+v, want %+v", act, want)
	}
	if evs[0].MsgID != "alert."+al.ID+".2" || evs[1].MsgID != "action."+halt.ID || evs[1].OrgSeq != evs[0].OrgSeq+1 {
		t.Errorf("ids %s %s, org seqs %d %d", evs[0].MsgID, evs[1].MsgID, evs[0].OrgSeq, evs[1].OrgSeq)
	}
	if h, err := e.desk.HaltInForce(org1); err != nil || h == nil || h.ID != halt.ID {
		t.Fatalf("halt in force %+v %v", h, err)
	}
	if got := e.alert(al.ID); got.State != Beslutad || got.Decision != halt.ID || !slices.Equal(got.Decisions, []string{halt.ID}) {
		t.Fatalf("alert %+v", got)
	}

	// Assigned again to go on with it: a second halt is refused, and so
	// are closing it and "no action" while the halt is in force.
	if _, err := e.desk.Assign(al.ID, "bertil", "anna", day(4)); err != nil {
		t.Fatal(err)
	}
	e.events()
	_, err := e.desk.Decide(request(al.ID, Avropsstopp, "bertil"), day(5))
	wantErr(t, err, ErrState)
	if !strings.Contains(err.Error(), "avropsstopp "+halt.ID+" is already in force") {
		t.Errorf("message %q", err)
	}
	_, err = e.desk.Close(al.ID, "bertil", "klart", Finding{Outcome: OutcomeJustified}, day(5))
	wantErr(t, err, ErrState)
	_, err = e.desk.Decide(request(al.ID, IngenAtgard, "bertil"), day(5))
	wantErr(t, err, ErrState)
	if evs := e.reviewEvents(); len(evs) != 0 {
		t.Fatalf("events %q", subjects(evs))
	}

	// Lift it.
	rr := request(al.ID, HavAvropsstopp, "bertil")
	rr.Ground, rr.GroundOther = GroundAnnat, "Skulden betald"
	rr.Contracts = nil
	resume := e.decide(rr, day(6))
	if resume.ID != al.ID+"-d2" || resume.Supersedes != halt.ID || resume.Status != Bekraftad || resume.Contracts == nil {
		t.Fatalf("decision %+v", resume)
	}
	evs = e.reviewEvents()
	e.wantSubjects(evs, "vaksam.alert.decided."+org1, "vaksam.action.resume."+org1)
	act = actionEvent(t, evs[1])
	if act.Supersedes != halt.ID || act.Ground != "annat: Skulden betald" || act.Contracts == nil || len(act.Contracts) != 0 || act.DecidedBy != "bertil" {
		t.Errorf("action %+v", act)
	}
	if h, err := e.desk.HaltInForce(org1); h != nil || err != nil {
		t.Fatalf("halt in force %+v %v", h, err)
	}
	if h, _ := e.desk.Decision(halt.ID); h.LiftedBy != resume.ID || !h.LiftedAt.Equal(day(6)) || h.Status != Bekraftad {
		t.Errorf("lifted halt %+v", h)
	}
	// Nothing left to lift; a resume on a decided alert is allowed, so the
	// refusal is for want of a halt.
	_, err = e.desk.Decide(request(al.ID, HavAvropsstopp, "bertil"), day(7))
	wantErr(t, err, ErrState)
	if !strings.Contains(err.Error(), "no avropsstopp is in force") {
		t.Errorf("message %q", err)
	}
	// Now it may be closed.
	if _, err := e.desk.Close(al.ID, "bertil", "Åtgärdat", Finding{Outcome: OutcomeJustified}, day(7)); err != nil {
		t.Fatal(err)
	}
	ds, err := e.desk.Decisions(al.ID)
	if err != nil || len(ds) != 2 || ds[0].ID != halt.ID || ds[1].ID != resume.ID {
		t.Fatalf("decisions %v %v", ds, err)
	}
}

func TestFourEyes(t *testing.T) {
	for _, tc := range []struct {
		kind   ladder.DecisionKind
		action string
	}{{Havning, event.Terminate}, {Uteslutning, event.Exclude}} {
		t.Run(string(tc.kind), func(t *testing.T) {
			e := newEnv(t)
			al := e.opened(org1)
			r := request(al.ID, tc.kind, "anna")
			r.Ground = GroundLOU131
			dec := e.decide(r, day(3))
			if dec.Status != VantarGodkannande || dec.ApprovedBy != "" {
				t.Fatalf("decision %+v", dec)
			}
			// Nothing is published while it waits.
			if evs := e.reviewEvents(); len(evs) != 0 {
				t.Fatalf("events %q", subjects(evs))
			}
			got := e.alert(al.ID)
			// The decider became the handler of the alert nobody had.
			if got.State != Utreds || got.Assignee != "anna" || got.Status() != StatusVantarGodkannande || got.Pending != dec.ID ||
				got.Revision != 2 || got.History[1].What != Pending || got.History[1].Event != "" || got.History[1].Assignee != "anna" {
				t.Fatalf("alert %+v", got)
			}
			// Another decision must wait, except a halt.
			_, err := e.desk.Decide(request(al.ID, IngenAtgard, "bertil"), day(3))
			wantErr(t, err, ErrState)
			wantCode(t, err, CodeAwaitsApproval)
			_, err = e.desk.Decide(request(al.ID, Havning, "bertil"), day(3))
			wantErr(t, err, ErrState)
			wantCode(t, err, CodeAwaitsApproval)
			_, err = e.desk.Close(al.ID, "bertil", "klart", Finding{Outcome: OutcomeJustified}, day(3))
			wantErr(t, err, ErrState)
			wantCode(t, err, CodeAwaitsApproval)

			// Four eyes.
			_, err = e.desk.Approve(dec.ID, " anna ", day(4))
			wantErr(t, err, ErrForbidden)
			wantCode(t, err, CodeFourEyes)
			_, err = e.desk.Reject(dec.ID, "anna", "ångrar mig", day(4))
			wantErr(t, err, ErrForbidden)
			wantCode(t, err, CodeFourEyes)
			_, err = e.desk.Approve(dec.ID, "bertil", day(2))
			wantErr(t, err, ErrInvalid)
			if err.Error() != "review: approve: at: before the decision" {
				t.Errorf("message %q", err)
			}
			if evs := e.reviewEvents(); len(evs) != 0 {
				t.Fatalf("events %q", subjects(evs))
			}
			if d, _ := e.desk.Decision(dec.ID); d.Status != VantarGodkannande {
				t.Fatalf("decision %+v", d)
			}

			// Not before the supplier was heard.
			_, err = e.desk.Approve(dec.ID, "bertil", day(4))
			wantErr(t, err, ErrState)
			if !strings.Contains(err.Error(), "the supplier has not been heard") {
				t.Errorf("message %q", err)
			}
			e.hear(dec.ID, "anna", day(3))

			ok, err := e.desk.Approve(dec.ID, "bertil", day(4))
			if err != nil {
				t.Fatal(err)
			}
			if ok.Status != Bekraftad || ok.ApprovedBy != "bertil" || !ok.ApprovedAt.Equal(day(4)) || !ok.EffectiveAt().Equal(day(4)) {
				t.Fatalf("decision %+v", ok)
			}
			evs := e.reviewEvents()
			e.wantSubjects(evs, "vaksam.alert.decided."+org1, "vaksam.action."+tc.action+"."+org1)
			if p := alertEvent(t, evs[0]); p.State != Beslutad || p.By != "bertil" || p.Decision != dec.ID || p.Revision != 3 {
				t.Errorf("alert payload %+v", p)
			}
			act := actionEvent(t, evs[1])
			if act.ActionID != dec.ID || act.DecidedBy != "anna" || act.ApprovedBy != "bertil" || !act.At.Equal(day(4)) ||
				act.Ground != GroundLOU131 || !slices.Equal(act.Contracts, []string{"AVT-2025-017"}) {
				t.Errorf("action %+v", act)
			}
			if got := e.alert(al.ID); got.State != Beslutad || got.Pending != "" || got.Decision != dec.ID {
				t.Fatalf("alert %+v", got)
			}
			_, err = e.desk.Approve(dec.ID, "cecilia", day(5))
			wantErr(t, err, ErrState)
			_, err = e.desk.Reject(dec.ID, "cecilia", "för sent", day(5))
			wantErr(t, err, ErrState)
		})
	}
}

func TestReject(t *testing.T) {
	e := newEnv(t)
	al := e.opened(org1)
	dec := e.decide(request(al.ID, Uteslutning, "anna"), day(3))
	_, err := e.desk.Reject(dec.ID, "bertil", " ", day(4))
	wantErr(t, err, ErrInvalid)
	if err.Error() != "review: reject: reason: required" {
		t.Errorf("message %q", err)
	}
	rej, err := e.desk.Reject(dec.ID, "bertil", "Underlaget räcker inte för uteslutning", day(4))
	if err != nil {
		t.Fatal(err)
	}
	if rej.Status != Avslagen || rej.RejectedBy != "bertil" || rej.RejectionReason == "" || rej.ApprovedBy != "" {
		t.Fatalf("decision %+v", rej)
	}
	evs := e.reviewEvents()
	e.wantSubjects(evs, "vaksam.alert.updated."+org1)
	if p := alertEvent(t, evs[0]); p.Reason != Rejected || p.Decision != dec.ID || p.By != "bertil" || p.State != Utreds || p.Revision != 3 {
		t.Errorf("payload %+v", p)
	}
	got := e.alert(al.ID)
	if got.Pending != "" || got.State != Utreds || got.Status() != StatusUtreds || got.History[2].What != Rejected || got.History[2].Reason != rej.RejectionReason {
		t.Fatalf("alert %+v", got)
	}
	// The alert may take another decision.
	again := e.decide(request(al.ID, Avropsstopp, "anna"), day(5))
	if again.ID != al.ID+"-d2" {
		t.Errorf("id %s", again.ID)
	}
	_, err = e.desk.Approve(dec.ID, "bertil", day(5))
	wantErr(t, err, ErrState)
}

// A halt may be decided while a termination awaits approval.
func TestHaltWhileTerminationWaits(t *testing.T) {
	e := newEnv(t)
	al := e.opened(org1)
	term := e.decide(request(al.ID, Havning, "anna"), day(3))
	halt := e.decide(request(al.ID, Avropsstopp, "anna"), day(3))
	if got := e.alert(al.ID); got.State != Beslutad || got.Pending != term.ID || got.Decision != halt.ID {
		t.Fatalf("alert %+v", got)
	}
	e.hear(term.ID, "anna", day(3))
	if _, err := e.desk.Approve(term.ID, "bertil", day(4)); err != nil {
		t.Fatal(err)
	}
	e.wantSubjects(e.reviewEvents(), "vaksam.alert.decided."+org1, "vaksam.action.halt."+org1,
		"vaksam.alert.decided."+org1, "vaksam.action.terminate."+org1)
	if h, _ := e.desk.HaltInForce(org1); h == nil || h.ID != halt.ID {
		t.Errorf("halt in force %+v", h)
	}
}

func TestDecideValidation(t *testing.T) {
	e := newEnv(t)
	al := e.opened(org1)
	for _, tc := range []struct {
		name string
		edit func(*DecisionRequest)
		at   time.Time
		want []string
	}{
		{"nothing", func(r *DecisionRequest) { *r = DecisionRequest{} }, day(3), []string{
			"review: decision: alert_id: required", "review: decision: decided_by: required",
			"review: decision: justification: required", "review: decision: kind: required", "review: decision: ground: required",
			"review: decision: evidence.assessment_at: required", "review: decision: evidence.ruleset: required"}},
		{"blank justification", func(r *DecisionRequest) { r.Justification = " \n\t" }, day(3),
			[]string{"review: decision: justification: required"}},
		{"no time", func(*DecisionRequest) {}, time.Time{}, []string{"review: decision: at: required"}},
		{"unknown kind", func(r *DecisionRequest) { r.Kind = "stopp" }, day(3),
			[]string{`review: decision: kind: "stopp" is not one of avropsstopp, hav_avropsstopp, havning, uteslutning, ingen_atgard`}},
		{"unknown ground", func(r *DecisionRequest) { r.Ground = "LOU 13:9" }, day(3),
			[]string{`review: decision: ground: "LOU 13:9" is not one of LOU 13:1, LOU 13:2, LOU 13:3, avtalsvillkor, annat`}},
		{"clause missing", func(r *DecisionRequest) { r.Ground = GroundAvtalsvillkor }, day(3),
			[]string{"review: decision: contract_clause: required"}},
		{"other ground missing", func(r *DecisionRequest) { r.Ground = GroundAnnat; r.GroundOther = " " }, day(3),
			[]string{"review: decision: ground_other: required"}},
		{"clause without its ground", func(r *DecisionRequest) { r.ContractClause = "12.3"; r.GroundOther = "x" }, day(3),
			[]string{"review: decision: contract_clause: only with ground avtalsvillkor", "review: decision: ground_other: only with ground annat"}},
		{"bad contracts", func(r *DecisionRequest) { r.Contracts = []string{"A", " ", "A"} }, day(3),
			[]string{"review: decision: contracts[1]: blank", `review: decision: contracts[2]: "A" twice`}},
		{"evidence from the future", func(r *DecisionRequest) { r.Evidence.AssessmentAt = day(4) }, day(3),
			[]string{"review: decision: evidence.assessment_at: after the decision"}},
		{"snooze on a halt", func(r *DecisionRequest) { r.Snooze = true; r.SnoozeUntil = day(9) }, day(3),
			[]string{"review: decision: snooze: only for ingen_atgard", "review: decision: snooze_until: only for ingen_atgard"}},
		{"snooze into the past", func(r *DecisionRequest) { r.Kind = IngenAtgard; r.Ground = ""; r.SnoozeUntil = day(3) }, day(3),
			[]string{"review: decision: snooze_until: not after the decision"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := request(al.ID, Avropsstopp, "anna")
			tc.edit(&r)
			_, err := e.desk.Decide(r, tc.at)
			wantErr(t, err, ErrInvalid)
			if got := strings.Split(err.Error(), "\n"); !slices.Equal(got, tc.want) {
				t.Errorf("errors\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Op != "decision" {
				t.Errorf("no field error in %v", err)
			}
		})
	}
	if evs := e.reviewEvents(); len(evs) != 0 {
		t.Fatalf("events %q", subjects(evs))
	}
	if got := e.alert(al.ID); got.Revision != 1 || len(got.Decisions) != 0 {
		t.Fatalf("alert %+v", got)
	}
	// Ground is optional for ingen_atgard, and checked when given.
	r := request(al.ID, IngenAtgard, "anna")
	r.Ground = "nej"
	_, err := e.desk.Decide(r, day(3))
	wantErr(t, err, ErrInvalid)
}

func TestDecideStateRefusals(t *testing.T) {
	for _, tc := range []struct {
		name   string
		setup  func(e *env, al *Alert)
		kind   ladder.DecisionKind
		target error
		code   string // of the Refusal
	}{
		{"unknown alert", func(e *env, al *Alert) {}, "", ErrNotFound, ""},
		{"closed alert", func(e *env, al *Alert) {
			e.desk.Close(al.ID, "anna", "klart", Finding{Outcome: OutcomeJustified}, day(3))
		}, Avropsstopp, ErrState, CodeInvalidState},
		{"closed alert, resume", func(e *env, al *Alert) {
			e.desk.Close(al.ID, "anna", "klart", Finding{Outcome: OutcomeJustified}, day(3))
		}, HavAvropsstopp, ErrState, CodeInvalidState},
		{"decided alert without a halt in force, terminate", func(e *env, al *Alert) {
			e.decide(request(al.ID, Avropsstopp, "anna"), day(3))
			e.decide(request(al.ID, HavAvropsstopp, "anna"), day(4))
		}, Havning, ErrState, CodeInvalidState},
		{"decided alert, no action", func(e *env, al *Alert) { e.decide(request(al.ID, Avropsstopp, "anna"), day(3)) }, IngenAtgard, ErrState, CodeInvalidState},
		{"resume without halt", func(e *env, al *Alert) {}, HavAvropsstopp, ErrState, CodeNoHalt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			al := e.opened(org1)
			tc.setup(e, al)
			e.events()
			before := e.alert(al.ID)
			r := request(al.ID, tc.kind, "bertil")
			if tc.kind == "" {
				r = request(org1+"-7", Avropsstopp, "bertil")
			}
			_, err := e.desk.Decide(r, day(4))
			wantErr(t, err, tc.target)
			if tc.code != "" {
				wantCode(t, err, tc.code)
			}
			if evs := e.reviewEvents(); len(evs) != 0 {
				t.Fatalf("events %q", subjects(evs))
			}
			if after := e.alert(al.ID); after.Revision != before.Revision || len(after.Decisions) != len(before.Decisions) {
				t.Fatalf("alert changed: %+v", after)
			}
		})
	}
}

// Each organisation's events are numbered in the order they were caused,
// whatever happens to other organisations between them.
func TestPerOrganisationOrder(t *testing.T) {
	e := newEnv(t)
	a1 := e.opened(org1)
	a2 := e.opened(org2)
	e.decide(request(a1.ID, Avropsstopp, "anna"), day(3))
	e.save(assessment(org2, day(3), screening.L2, 40, "S04"))
	e.desk.Assign(a1.ID, "bertil", "anna", day(4))
	r := request(a2.ID, IngenAtgard, "anna")
	r.Snooze = true
	e.decide(r, day(4))
	e.save(assessment(org2, day(5), screening.L3, 55, "S04", "S13"))

	evs, err := e.st.Outbox(0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		org1: {"vaksam.assessment.L3." + org1, "vaksam.alert.opened." + org1, "vaksam.alert.decided." + org1,
			"vaksam.action.halt." + org1, "vaksam.alert.assigned." + org1},
		org2: {"vaksam.assessment.L3." + org2, "vaksam.alert.opened." + org2, "vaksam.assessment.L2." + org2,
			"vaksam.alert.updated." + org2, "vaksam.alert.decided." + org2, "vaksam.alert.closed." + org2,
			"vaksam.assessment.L3." + org2, "vaksam.alert.updated." + org2},
	}
	got := map[string][]string{}
	var last uint64
	for _, ev := range evs {
		if ev.Seq <= last {
			t.Fatalf("outbox out of order at %d", ev.Seq)
		}
		last = ev.Seq
		got[ev.Org] = append(got[ev.Org], ev.Subject)
		if ev.OrgSeq != uint64(len(got[ev.Org])) {
			t.Errorf("%s: %s has org seq %d, want %d", ev.Org, ev.Subject, ev.OrgSeq, len(got[ev.Org]))
		}
	}
	for org, w := range want {
		if !slices.Equal(got[org], w) {
			t.Errorf("%s:\n%q\nwant\n%q", org, got[org], w)
		}
	}
	// The reopened alert's events carry its revisions in order.
	var revs []int
	for _, ev := range evs {
		if ev.Org == org2 && strings.HasPrefix(ev.Subject, event.AlertRoot) {
			revs = append(revs, alertEvent(t, ev).Revision)
		}
	}
	if !slices.Equal(revs, []int{1, 2, 3, 4, 5}) {
		t.Errorf("revisions %v", revs)
	}
}

// Two coordinators halting at once: one halt is in force, the other is
// refused.
func TestConcurrentHalts(t *testing.T) {
	e := newEnv(t)
	al := e.opened(org1)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = e.desk.Decide(request(al.ID, Avropsstopp, "anna"), day(3))
		})
	}
	wg.Wait()
	var ok int
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, ErrState):
			t.Errorf("error %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d halts", ok)
	}
	e.wantSubjects(e.reviewEvents(), "vaksam.alert.decided."+org1, "vaksam.action.halt."+org1)
}

// While call-offs are halted the case goes on: termination is requested
// on the decided alert and waits for a second person.
func TestTerminationAfterHalt(t *testing.T) {
	e := newEnv(t)
	al := e.opened(org1)
	e.decide(request(al.ID, Avropsstopp, "anna"), day(3))
	d, err := e.desk.Decide(request(al.ID, Havning, "anna"), day(4))
	if err != nil {
		t.Fatalf("termination after a halt: %v", err)
	}
	if d.Status != VantarGodkannande {
		t.Errorf("status %s, want %s", d.Status, VantarGodkannande)
	}
	e.hear(d.ID, "anna", day(4))
	if _, err := e.desk.Approve(d.ID, "bertil", day(5)); err != nil {
		t.Fatalf("approve: %v", err)
	}
}

// Four eyes is per person: a token held by the person who proposed a
// termination cannot approve or reject it, nor the person a termination
// their token proposed; another person, or their token, can.
func TestFourEyesPerPerson(t *testing.T) {
	for _, tc := range []struct {
		name       string
		decider    Actor
		approver   Actor
		forbidden  bool
		wantPerson string // the approval's audit detail "person"
	}{
		{"anna's own token approves her proposal", Actor{ID: "anna"}, Actor{ID: "annas-token", Person: "anna"}, true, ""},
		{"anna approves what her token proposed", Actor{ID: "annas-token", Person: "anna"}, Actor{ID: "anna"}, true, ""},
		{"two tokens of anna", Actor{ID: "annas-token", Person: "anna"}, Actor{ID: "annas-other", Person: "anna"}, true, ""},
		{"bertil's token approves anna's proposal", Actor{ID: "anna"}, Actor{ID: "bertils-token", Person: "bertil"}, false, "bertil"},
		{"bertil approves what anna's token proposed", Actor{ID: "annas-token", Person: "anna"}, Actor{ID: "bertil"}, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			al := e.opened(org1)
			r := request(al.ID, Havning, tc.decider.ID)
			r.DecidedByPerson = tc.decider.Person
			r.Ground = GroundLOU131
			dec := e.decide(r, day(3))
			if dec.Decider() != tc.decider.PersonID() {
				t.Fatalf("decider %q, want %q", dec.Decider(), tc.decider.PersonID())
			}
			e.hear(dec.ID, "anna", day(3))
			if tc.forbidden {
				_, err := e.desk.RejectAs(dec.ID, tc.approver, "nej", day(4))
				wantErr(t, err, ErrForbidden)
				_, err = e.desk.ApproveAs(dec.ID, tc.approver, day(4))
				wantErr(t, err, ErrForbidden)
				if d, _ := e.desk.Decision(dec.ID); d.Status != VantarGodkannande {
					t.Errorf("status %s after a refused approval", d.Status)
				}
				return
			}
			got, err := e.desk.ApproveAs(dec.ID, tc.approver, day(4))
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != Bekraftad || got.ApprovedBy != tc.approver.ID {
				t.Errorf("decision %+v", got)
			}
			entries, err := (&audit.Log{Store: e.desk.Store}).Entries(1, 1000)
			if err != nil {
				t.Fatal(err)
			}
			var detail map[string]string
			for _, en := range entries {
				if en.Action == audit.DecisionApprove {
					detail = en.Detail
				}
			}
			if detail == nil || detail["person"] != tc.wantPerson {
				t.Errorf("approval's audit detail %v, want person %q", detail, tc.wantPerson)
			}
		})
	}
}
