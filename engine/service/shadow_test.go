package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/service"
	"github.com/vaksam/vaksam/engine/shadow"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/synthetic"
	"github.com/vaksam/vaksam/rules"
	defaultpack "github.com/vaksam/vaksam/rules/default"
)

// writeCandidate writes the candidate pack's files into a new directory:
// the default pack's, and one more rule, X99, that fires for every
// organisation the company register names: a candidate that fires more
// than the live set.
func writeCandidate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	err := fs.WalkDir(defaultpack.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || rules.IsTestFile(p) {
			return err
		}
		b, err := fs.ReadFile(defaultpack.FS(), p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, p), b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("../shadow/testdata/kandidat.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "kandidat.yaml"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// seedStore stores a synthetic population of orgs organisations as of
// now into the data directory's store, before the service opens it, and
// returns an organisation built clean.
func seedStore(t *testing.T, data string, orgs int, now time.Time) string {
	t.Helper()
	st, err := service.CreateStore(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	persons, err := service.Pseudonymizer(filepath.Join(data, service.PseudonymKeyFile), true)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	m, err := synthetic.Generate(dir, synthetic.Config{Seed: 17, Orgs: orgs, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Ingest(context.Background(), &ingest.Ingester{Store: st}, dir, persons); err != nil {
		t.Fatal(err)
	}
	return m.Clean[0]
}

// apiClient calls the API with a bearer token.
type apiClient struct {
	t      *testing.T
	base   string
	bearer string
}

func (c apiClient) do(method, path string, body any, out any) int {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.bearer)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return resp.StatusCode
}

// eventually polls cond until it holds, failing after a deadline.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within 60s: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Shadow mode in serve for a day of simulated time: the candidate (which
// fires X99 for every organisation) is screened beside the live set at
// every scheduled screening and at a change-driven re-screening; nothing
// it produces is published on NATS and no alert carries it; the
// comparison lists the organisations and counts X99. Then promotion with
// four eyes: the requester cannot approve, a coordinator can do neither,
// a second admin approves; both are audited; the next screening uses the
// candidate, and a restart keeps it.
func TestShadowModeAndPromotion(t *testing.T) {
	o := testOptions(t)
	start := time.Date(2026, 11, 21, 6, 0, 0, 0, time.UTC)
	clock := connectors.NewManualClock(start)
	o.Clock, o.ScreenEvery = clock, 6*time.Hour
	o.NATS.Anonymous = true
	candidate := writeCandidate(t)
	o.Config.Rules.Shadow = candidate
	var bearers = map[string]string{}
	demo, _ := access.DemoUsers()
	hash := demo[0].PasswordHash // nobody signs in with a password here
	for _, u := range []struct {
		id   string
		role access.Role
	}{{"admin1", access.Admin}, {"admin2", access.Admin}, {"samordnare", access.Coordinator}} {
		tok, bearer, err := access.NewToken(u.id+"-token", u.id, []access.Role{u.role})
		if err != nil {
			t.Fatal(err)
		}
		tok.Owner = u.id
		o.Users = append(o.Users, access.User{ID: u.id, Name: u.id, Roles: []access.Role{u.role}, PasswordHash: hash})
		o.Tokens, bearers[u.id] = append(o.Tokens, tok), bearer
	}
	org := seedStore(t, o.Data, 150, start.Add(-time.Hour))
	candSet, err := rules.LoadPath(candidate, o.Config.Rules)
	if err != nil {
		t.Fatal(err)
	}
	liveSet, err := defaultpack.Load(o.Config.Rules)
	if err != nil {
		t.Fatal(err)
	}
	cand, live := candSet.Version(), liveSet.Version()

	v, stop := startVaksam(t, o)
	ctx := context.Background()
	e := v.Endpoints()
	nc, err := nats.Connect(e.NATS)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	var (
		mu        sync.Mutex
		published []*nats.Msg
	)
	sub, err := nc.Subscribe("vaksam.>", func(m *nats.Msg) {
		mu.Lock()
		published = append(published, m)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	admin1 := apiClient{t, e.Web, bearers["admin1"]}
	admin2 := apiClient{t, e.Web, bearers["admin2"]}
	coord := apiClient{t, e.Web, bearers["samordnare"]}

	report := func() shadow.Report {
		t.Helper()
		var rep shadow.Report
		if code := admin1.do("GET", "/api/v1/rules/shadow", nil, &rep); code != http.StatusOK {
			t.Fatalf("GET /api/v1/rules/shadow as an admin: %d", code)
		}
		return rep
	}
	// compared reports whether the shadow has compared an organisation
	// at at for trigger.
	compared := func(at time.Time, trigger string) bool {
		for _, x := range report().Organisations {
			if x.At.Equal(at) && x.Trigger == trigger {
				return true
			}
		}
		return false
	}
	eventually(t, "the first scheduled screening compared", func() bool { return compared(start, "schedule") })

	// A day: a change-driven re-screening and the schedule every 6h.
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	changeAt := clock.Now()
	rec := `{"orgnr":"` + org + `","per_datum":"2026-11-20","allmanna_mal":{"antal":4,"belopp_sek":204500},"enskilda_mal":{"antal":1,"belopp_sek":12000},"betalningsforelagganden_12m":2,"konkursansokan":false,"foretagsrekonstruktion":false}` + "\n"
	eventually(t, "the ingest stream takes a record", func() bool {
		_, err := js.Publish(ctx, "vaksam.ingest.kronofogden", []byte(rec))
		return err == nil
	})
	eventually(t, "the change-driven re-screening compared", func() bool { return compared(changeAt, "change") })
	// A pre-award check is answered by the live set, and repeated in shadow.
	clock.Advance(time.Minute)
	var checked struct {
		Ruleset string
		Hits    []struct{ ID string }
	}
	if code := coord.do("POST", "/api/v1/screen", map[string]string{"orgnr": org, "purpose": "award"}, &checked); code != http.StatusOK {
		t.Fatalf("a pre-award check: %d", code)
	}
	if checked.Ruleset != live || slices.ContainsFunc(checked.Hits, func(h struct{ ID string }) bool { return h.ID == "X99" }) {
		t.Errorf("the pre-award check was answered with %s %v, want the live %s without X99", checked.Ruleset, checked.Hits, live)
	}
	eventually(t, "the pre-award check compared", func() bool { return compared(clock.Now(), "pre_award") })
	for range 4 {
		eventually(t, "the schedule sleeps", func() bool { return clock.Sleepers() > 0 })
		clock.Set(start.Add(o.ScreenEvery * time.Duration(1+int(clock.Now().Sub(start)/o.ScreenEvery))))
		at := clock.Now()
		eventually(t, "the scheduled screening at "+at.Format(time.RFC3339)+" compared", func() bool { return compared(at, "schedule") })
	}

	rep := report()
	if !rep.Active || rep.Ruleset != cand || rep.Live != live {
		t.Fatalf("report: active %v, ruleset %s (want %s), live %s (want %s)", rep.Active, rep.Ruleset, cand, rep.Live, live)
	}
	// The candidate is the live pack and X99: X99 is the only difference,
	// for every organisation the register names (all but the one it
	// answers without an identity).
	if rep.Screened < 140 || rep.Differing < rep.Screened-1 || len(rep.Organisations) != rep.Differing {
		t.Errorf("screened %d, differing %d, organisations %d: X99 fires for every organisation the register names", rep.Screened, rep.Differing, len(rep.Organisations))
	}
	if len(rep.Indicators) != 1 || rep.Indicators[0] != (shadow.IndicatorCount{Indicator: "X99", Added: rep.Differing}) {
		t.Errorf("indicators %+v: want X99 added for all %d", rep.Indicators, rep.Differing)
	}
	for _, x := range rep.Organisations {
		if !slices.Contains(x.Added, "X99") || slices.Contains(x.Live.Hits, "X99") || x.LiveRuleset != live {
			t.Errorf("%s: %+v", x.Orgnr, x)
		}
	}

	// Nothing the shadow produced is published: every message on vaksam.>
	// (but the record pushed in) is the live set's.
	mu.Lock()
	var events int
	for _, m := range published {
		if strings.HasPrefix(m.Subject, "vaksam.ingest.") {
			continue
		}
		events++
		if bytes.Contains(m.Data, []byte(candSet.Hash)) || bytes.Contains(m.Data, []byte("X99")) {
			t.Errorf("published on %s: %s", m.Subject, m.Data)
		}
	}
	mu.Unlock()
	if events == 0 {
		t.Error("nothing was published: the live screenings' events should be")
	}

	// Permissions: a coordinator may neither look nor promote.
	if code := coord.do("GET", "/api/v1/rules/shadow", nil, nil); code != http.StatusForbidden {
		t.Errorf("a coordinator's GET: %d, want 403", code)
	}
	if code := coord.do("POST", "/api/v1/rules/shadow/promotion", nil, nil); code != http.StatusForbidden {
		t.Errorf("a coordinator's promotion request: %d, want 403", code)
	}
	if code := admin2.do("POST", "/api/v1/rules/shadow/promotion/approve", nil, nil); code != http.StatusConflict {
		t.Errorf("approving with no request: %d, want 409", code)
	}
	clock.Advance(time.Minute)
	if code := admin1.do("POST", "/api/v1/rules/shadow/promotion", nil, nil); code != http.StatusAccepted {
		t.Fatalf("an admin's promotion request: %d, want 202", code)
	}
	if code := admin1.do("POST", "/api/v1/rules/shadow/promotion/approve", nil, nil); code != http.StatusForbidden {
		t.Errorf("the requester's approval: %d, want 403 (four eyes)", code)
	}
	if code := coord.do("POST", "/api/v1/rules/shadow/promotion/approve", nil, nil); code != http.StatusForbidden {
		t.Errorf("a coordinator's approval: %d, want 403", code)
	}
	var promoted struct{ Ruleset string }
	promotedAt := clock.Now()
	if code := admin2.do("POST", "/api/v1/rules/shadow/promotion/approve", nil, &promoted); code != http.StatusOK || promoted.Ruleset != cand {
		t.Fatalf("the second admin's approval: %d, %+v, want %s", code, promoted, cand)
	}
	if rep := report(); rep.Active || rep.Live != cand {
		t.Errorf("after the promotion: active %v, live %s, want %s", rep.Active, rep.Live, cand)
	}
	var trail struct{ Entries []audit.Entry }
	if code := admin1.do("GET", "/api/v1/audit?limit=1000", nil, &trail); code != http.StatusOK {
		t.Fatalf("audit: %d", code)
	}
	// Who acted: the token, and the person it belongs to.
	want := map[string]string{audit.RulesShadowSet: audit.System, audit.RulesPromoteRequest: "admin1", audit.RulesPromoteApprove: "admin2"}
	for _, en := range trail.Entries {
		person, ok := want[en.Action]
		if ok && en.Object == cand && (en.Actor == person || en.Actor == person+"-token" && en.Detail["person"] == person) {
			delete(want, en.Action)
		}
	}
	if len(want) > 0 {
		t.Errorf("not in the audit trail: %v", want)
	}

	// The next screening uses the candidate: its assessments carry it.
	eventually(t, "the schedule sleeps", func() bool { return clock.Sleepers() > 0 })
	clock.Advance(o.ScreenEvery)
	eventually(t, "an event of the promoted set is published", func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, m := range published {
			if strings.HasPrefix(m.Subject, "vaksam.ingest.") {
				continue
			}
			if bytes.Contains(m.Data, []byte(candSet.Hash)) && bytes.Contains(m.Data, []byte("X99")) {
				return true
			}
		}
		return false
	})
	stop()

	// No alert was opened with the candidate's hit before its promotion.
	st, err := store.Open(filepath.Join(o.Data, "store"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	alerts, err := (&review.Desk{Store: st}).Alerts(func(*review.Alert) bool { return true })
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) == 0 {
		t.Error("no alert at all: the live set's planted cases should have opened some")
	}
	for _, al := range alerts {
		if (al.Ruleset == cand || slices.Contains(al.Hits, "X99")) && al.AssessedAt.Before(promotedAt) {
			t.Errorf("alert %s has the candidate's %s %v from %v, before its promotion", al.ID, al.Ruleset, al.Hits, al.AssessedAt)
		}
	}

	// A restart runs the promoted pack, kept in the data directory, in
	// place of the built-in one.
	if got := shadow.PromotedPath(o.Data); got == "" {
		t.Fatal("the promoted pack is not kept in the data directory")
	}
	o.Config.Rules.Shadow = ""
	v2, err := service.Open(o)
	if err != nil {
		t.Fatal(err)
	}
	defer v2.Stop(context.Background())
	if got := v2.RulesVersion(); got != cand {
		t.Errorf("after a restart the live set is %s, want the promoted %s", got, cand)
	}
}
