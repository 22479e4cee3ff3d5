package shadow_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/shadow"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/rules"
)

const livePack = `pack: live
version: 1
rules:
  - id: L01
    title: {sv: Levande, en: Live}
    category: S
    severity: low
    needs: [bolagsverket]
    when: org.name != ""
    message: {sv: 'x', en: 'x'}
`

// runner is a Runner over a new store whose live set is livePack, and
// the data directory a promotion keeps the pack in.
func runner(t *testing.T) (*shadow.Runner, string) {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	set, err := rules.Load(map[string][]byte{"live.yaml": []byte(livePack)}, rules.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	m := rules.NewManager(set, nil)
	desk := &review.Desk{Store: st}
	sc, err := screening.NewScreener(st, m.Set, screening.DefaultConfig(), desk.OnSave)
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	return &shadow.Runner{Store: st, Live: sc, Rules: m, Dir: shadow.PromotedDir(data)}, data
}

// Four eyes: the requester cannot approve, and a request is made once.
// A promotion whose pack files changed since the candidate was loaded
// fails and leaves everything as it was: the live set, the shadow, no
// promoted pack. Once they are back, another admin's approval makes the
// candidate live, keeps it in the data directory and clears the shadow.
func TestPromotion(t *testing.T) {
	r, data := runner(t)
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	live := r.Rules.Set().Version()
	if _, err := r.Request("admin1", "admin1", at); !errors.Is(err, shadow.ErrNoShadow) {
		t.Errorf("a request with no shadow: %v", err)
	}
	src, err := os.ReadFile("../../rules/testdata/good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kandidat.yaml")
	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Load(filepath.Join(t.TempDir(), "missing.yaml"), "admin1", at); err == nil || r.Set() != nil {
		t.Fatalf("a missing pack: %v, shadow %v", err, r.Set())
	}
	notPack := filepath.Join(t.TempDir(), "hemligt.txt")
	if err := os.WriteFile(notPack, []byte("lösenord: hemligt\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Load(notPack, "admin1", at); err == nil || strings.Contains(err.Error(), "lösenord") || r.Set() != nil {
		t.Fatalf("a file that is not a pack: %v, shadow %v", err, r.Set())
	}
	cand, err := r.Load(path, "admin1", at)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Approve("admin2", "admin2", at); !errors.Is(err, shadow.ErrNoRequest) {
		t.Errorf("an approval with no request: %v", err)
	}
	if _, err := r.Request("admin1", "admin1", at); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Request("admin2", "admin2", at); !errors.Is(err, shadow.ErrRequested) {
		t.Errorf("a second request: %v", err)
	}
	// The same person with another token is the same person.
	if _, err := r.Approve("admin1-token", "admin1", at); !errors.Is(err, shadow.ErrSameAdmin) {
		t.Errorf("the requester's approval: %v", err)
	}

	if err := os.WriteFile(path, append(src, "# changed\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Approve("admin2", "admin2", at); err == nil {
		t.Fatal("a promotion of files that changed: no error")
	}
	if got := r.Rules.Set().Version(); got != live || r.Set() != cand || shadow.PromotedPath(data) != "" {
		t.Fatalf("after a failed promotion: live %s (want %s), shadow %v, promoted %q", got, live, r.Set(), shadow.PromotedPath(data))
	}

	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}
	v, err := r.Approve("admin2", "admin2", at)
	if err != nil || v != cand.Version() || r.Rules.Set() != cand || r.Set() != nil {
		t.Fatalf("approval: %s, %v; live %s, shadow %v", v, err, r.Rules.Set().Version(), r.Set())
	}
	kept, err := rules.LoadPath(shadow.PromotedPath(data), rules.Overrides{})
	if err != nil || kept.Version() != cand.Version() {
		t.Errorf("the kept pack: %v, %v, want %s", kept, err, cand.Version())
	}
	if err := r.Clear("admin1", at); !errors.Is(err, shadow.ErrNoShadow) {
		t.Errorf("clearing after the promotion: %v", err)
	}
	rep, err := r.Report()
	if err != nil || rep.Active || rep.Live != cand.Version() {
		t.Errorf("report after the promotion: %+v, %v", rep, err)
	}
}

// A restart runs the stored candidate again, with who set it and its
// promotion request (four eyes still knows the requester); one whose
// files changed does not run, unless the configuration names it, which
// starts it anew; a cleared shadow stays cleared.
func TestRestore(t *testing.T) {
	r, _ := runner(t)
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	again := func() *shadow.Runner {
		return &shadow.Runner{Store: r.Store, Live: r.Live, Rules: r.Rules, Dir: r.Dir}
	}
	src, err := os.ReadFile("testdata/kandidat.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kandidat.yaml")
	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}
	cand, err := r.Load(path, "admin1", at)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Request("admin1", "admin1", at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}

	r2 := again()
	if err := r2.Restore(nil, "", at.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	rep, err := r2.Report()
	if err != nil || !rep.Active || rep.Ruleset != cand.Version() || rep.SetBy != "admin1" || !rep.Since.Equal(at) ||
		rep.Promotion == nil || rep.Promotion.RequestedBy != "admin1" {
		t.Fatalf("after a restart: %+v, %v", rep, err)
	}
	if _, err := r2.Approve("admin1-token", "admin1", at); !errors.Is(err, shadow.ErrSameAdmin) {
		t.Errorf("the requester's approval after a restart: %v", err)
	}

	changed := append(src, "# changed\n"...)
	if err := os.WriteFile(path, changed, 0o600); err != nil {
		t.Fatal(err)
	}
	r3 := again()
	if err := r3.Restore(nil, "", at); err != nil || r3.Set() != nil {
		t.Errorf("a stored candidate whose files changed: %v, runs %v", err, r3.Set())
	}
	now, err := rules.LoadPath(path, rules.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	r4 := again()
	if err := r4.Restore(now, path, at); err != nil || r4.Set() == nil || r4.Set().Version() != now.Version() {
		t.Fatalf("the configuration's changed candidate: %v, runs %v", err, r4.Set())
	}
	if rep, _ := r4.Report(); rep.Promotion != nil || rep.SetBy != "vaksam" {
		t.Errorf("a candidate started anew keeps %+v", rep)
	}
	if err := r4.Clear("admin2", at); err != nil {
		t.Fatal(err)
	}
	r5 := again()
	if err := r5.Restore(nil, "", at); err != nil || r5.Set() != nil {
		t.Errorf("after a clear: %v, runs %v", err, r5.Set())
	}
}
