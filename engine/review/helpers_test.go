package review

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/rules"
)

const (
	org1 = "5591234561"
	org2 = "5560360793"
)

// env is a store with a desk and a screener whose save hook is the desk's.
type env struct {
	t    *testing.T
	st   *store.Store
	desk *Desk
	sc   *screening.Screener
	seen uint64 // outbox events already looked at
	read uint64 // audit entries already looked at
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{Small: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{t: t, st: st, desk: &Desk{Store: st}}
	e.hook(e.desk.OnSave)
	return e
}

// hook makes the env's screener save through h.
func (e *env) hook(h screening.SaveHook) {
	e.t.Helper()
	sc, err := screening.NewScreener(e.st, nil, screening.Config{}, h)
	if err != nil {
		e.t.Fatal(err)
	}
	e.sc = sc
}

func day(n int) time.Time { return time.Date(2026, 11, n, 12, 0, 0, 0, time.UTC) }

// assessment builds an assessment by hand; each hit id's first letter is
// its category, its severity high (critical for S01).
func assessment(orgnr string, at time.Time, step ladder.Step, score float64, hits ...string) *screening.Assessment {
	a := &screening.Assessment{Orgnr: orgnr, Name: "Omsorgshuset Norr AB", At: at, Step: step, Score: score,
		Verdict: screening.Clear, Ruleset: "default@1a2b3c", Missing: []screening.Missing{}, NotChecked: []string{},
		Hits: []screening.Hit{}, Records: []profile.Ref{{Source: "bolagsverket", Key: orgnr, Version: 2, Observed: at.Add(-time.Hour)}}}
	if stepRank(step) >= 2 {
		a.Verdict = screening.Review
	}
	for _, h := range hits {
		sev := rules.High
		if h == "S01" {
			sev = rules.Critical
		}
		a.Hits = append(a.Hits, screening.Hit{ID: h, Severity: sev, Category: h[:1], Confidence: 1,
			Evidence: []profile.Ref{{Source: "bolagsverket", Key: orgnr, Version: 2, Observed: at.Add(-time.Hour)}}})
	}
	return a
}

func (e *env) save(a *screening.Assessment) {
	e.t.Helper()
	if err := e.sc.Save(a); err != nil {
		e.t.Fatal(err)
	}
}

// events returns the outbox events emitted since the last call.
func (e *env) events() []store.Event {
	e.t.Helper()
	evs, err := e.st.Outbox(e.seen, 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(evs) > 0 {
		e.seen = evs[len(evs)-1].Seq
	}
	return evs
}

// reviewEvents returns the alert and action events emitted since the
// last call, leaving out assessment events.
func (e *env) reviewEvents() []store.Event {
	e.t.Helper()
	var out []store.Event
	for _, ev := range e.events() {
		if !strings.HasPrefix(ev.Subject, event.AssessmentRoot+".") {
			out = append(out, ev)
		}
	}
	return out
}

// subjects lists the events' subjects.
func subjects(evs []store.Event) []string {
	var out []string
	for _, ev := range evs {
		out = append(out, ev.Subject)
	}
	return out
}

func (e *env) wantSubjects(evs []store.Event, want ...string) {
	e.t.Helper()
	if got := subjects(evs); !slices.Equal(got, want) {
		e.t.Fatalf("events %q, want %q", got, want)
	}
}

// alertEvent decodes an alert event and checks its envelope.
func alertEvent(t *testing.T, ev store.Event) event.Alert {
	t.Helper()
	var p event.Alert
	if err := json.Unmarshal(ev.Data, &p); err != nil {
		t.Fatal(err)
	}
	if want := "alert." + p.AlertID + "." + strconv.Itoa(p.Revision); ev.MsgID != want {
		t.Errorf("%s: msg id %q, want %q", ev.Subject, ev.MsgID, want)
	}
	if want := event.AlertRoot + "." + p.Event + "." + p.Orgnr; ev.Subject != want {
		t.Errorf("subject %q, want %q", ev.Subject, want)
	}
	if ev.Header[event.HeaderSchema] != event.AlertSchema {
		t.Errorf("%s: schema %q", ev.Subject, ev.Header[event.HeaderSchema])
	}
	if ev.Org != p.Orgnr || ev.Header[event.HeaderOrgSeq] != strconv.FormatUint(ev.OrgSeq, 10) {
		t.Errorf("%s: org %s seq %d header %q", ev.Subject, ev.Org, ev.OrgSeq, ev.Header[event.HeaderOrgSeq])
	}
	return p
}

// actionEvent decodes an action event and checks its envelope.
func actionEvent(t *testing.T, ev store.Event) event.Action {
	t.Helper()
	var p event.Action
	if err := json.Unmarshal(ev.Data, &p); err != nil {
		t.Fatal(err)
	}
	if want := "action." + p.ActionID; ev.MsgID != want {
		t.Errorf("%s: msg id %q, want %q", ev.Subject, ev.MsgID, want)
	}
	if want := event.ActionRoot + "." + p.Kind + "." + p.Orgnr; ev.Subject != want {
		t.Errorf("subject %q, want %q", ev.Subject, want)
	}
	if ev.Header[event.HeaderSchema] != event.ActionSchema {
		t.Errorf("%s: schema %q", ev.Subject, ev.Header[event.HeaderSchema])
	}
	return p
}

func (e *env) alert(id string) *Alert {
	e.t.Helper()
	a, err := e.desk.Alert(id)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// request is a valid decision request of a kind on an alert.
func request(alertID string, kind ladder.DecisionKind, by string) DecisionRequest {
	r := DecisionRequest{AlertID: alertID, Kind: kind, DecidedBy: by, Justification: "Skulder hos Kronofogden och F-skatt saknas",
		Ground: GroundLOU132, Contracts: []string{"AVT-2025-017"},
		Evidence: Evidence{AssessmentAt: day(2), Ruleset: "default@1a2b3c",
			Records: []profile.Ref{{Source: "kronofogden", Key: org1, Version: 3, Observed: day(1)}}}}
	if kind == IngenAtgard {
		r.Ground = ""
	}
	return r
}

func (e *env) decide(r DecisionRequest, at time.Time) *Decision {
	e.t.Helper()
	d, err := e.desk.Decide(r, at)
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

// opened saves an L3 assessment of org as of day(2) and returns its alert.
func (e *env) opened(org string) *Alert {
	e.t.Helper()
	e.save(assessment(org, day(2), screening.L3, 40, "S01", "S04"))
	a, err := e.desk.OpenAlert(org)
	if err != nil || a == nil {
		e.t.Fatalf("open alert of %s: %v %v", org, a, err)
	}
	e.events()
	return a
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %v, want %v", err, target)
	}
}

// wantCode checks that err is a Refusal with the code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var rf *Refusal
	if !errors.As(err, &rf) || rf.Code != code {
		t.Fatalf("error %v (%#v), want a refusal %s", err, rf, code)
	}
}

// hear records, at a time, that the supplier of a pending decision was
// informed then (deadline in 14 days, by letter) and that it answered,
// so that the decision may be approved.
func (e *env) hear(decisionID, by string, at time.Time) *Decision {
	e.t.Helper()
	if _, err := e.desk.Inform(decisionID, by, at, at.AddDate(0, 0, 14), ChannelBrev, at); err != nil {
		e.t.Fatal(err)
	}
	d, err := e.desk.Respond(decisionID, by, at, "Vi bestrider uppgifterna.", nil, at)
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}
