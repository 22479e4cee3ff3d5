package filedrop

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
)

const (
	kronofogden = `{"orgnr":"5591234561","per_datum":"2026-10-01","allmanna_mal":{"antal":3,"belopp_sek":184500},"enskilda_mal":{"antal":1,"belopp_sek":12000},"betalningsforelagganden_12m":2,"konkursansokan":false,"foretagsrekonstruktion":false,"dokument":"kfm_5591234561_20261001.pdf"}
{"orgnr":"5560021361","per_datum":"2026-10-01","allmanna_mal":{"antal":0,"belopp_sek":0},"enskilda_mal":{"antal":0,"belopp_sek":0},"betalningsforelagganden_12m":0,"konkursansokan":false,"foretagsrekonstruktion":false,"dokument":"kfm_5560021361_20261001.pdf"}
`
	// Line 2 has a broken check digit.
	kronofogdenBad = `{"orgnr":"5591234561","per_datum":"2026-10-01","allmanna_mal":{"antal":3,"belopp_sek":184500},"enskilda_mal":{"antal":1,"belopp_sek":12000},"betalningsforelagganden_12m":2,"konkursansokan":false,"foretagsrekonstruktion":false,"dokument":"a.pdf"}
{"orgnr":"5591234562","per_datum":"2026-10-01","allmanna_mal":{"antal":0,"belopp_sek":0},"enskilda_mal":{"antal":0,"belopp_sek":0},"betalningsforelagganden_12m":0,"konkursansokan":false,"foretagsrekonstruktion":false,"dokument":"b.pdf"}
`
	ivo = `orgnr;huvudman;verksamhetsnamn;verksamhetstyp;lagrum;malgrupp;platser;besoksadress;kommunkod;tillstandsdatum;status
5591234561;Omsorgshuset Norr AB;Norrgården;hvb_barn;SoL;Barn och unga 13-17 år;8;Storgatan 12, 90326 Umeå;2480;2019-09-01;giltigt
`
	roles = `{"orgnr":"5591234561","person_id":"197505121231","namn":"Erik Lind","roll":"ordforande","fran":"2019-04-02","till":null}
`
)

var t0 = time.Date(2026, 10, 5, 8, 0, 0, 0, time.UTC)

type env struct {
	root  string
	store *store.Store
	clock *connectors.ManualClock
	w     *Watcher
}

func newEnv(t *testing.T, sources ...string) *env {
	t.Helper()
	s, err := store.Open(t.TempDir(), store.Options{Small: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e := &env{root: t.TempDir(), store: s, clock: connectors.NewManualClock(t0)}
	e.w = e.watcher(sources...)
	return e
}

// watcher returns a new Watcher on the same inboxes and store: a restart.
func (e *env) watcher(sources ...string) *Watcher {
	p, _ := record.NewHMACPseudonymizer([]byte("filedrop tests: not a secret"))
	return &Watcher{
		Config:   Config{Root: e.root, Sources: sources, Interval: time.Minute},
		Ingester: &ingest.Ingester{Store: e.store},
		Persons:  p,
		Clock:    e.clock,
	}
}

func (e *env) drop(t *testing.T, source, name, body string) string {
	t.Helper()
	dir := filepath.Join(e.root, source)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// poll advances the clock one interval and polls.
func (e *env) poll(t *testing.T, w *Watcher) []Result {
	t.Helper()
	e.clock.Advance(time.Minute)
	rs, err := w.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func list(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		if !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return names
}

func TestImportsSeveralSourcesToDone(t *testing.T) {
	e := newEnv(t, "kronofogden", "ivo", "roles")
	e.drop(t, "kronofogden", "kfm-2026-10.jsonl", kronofogden)
	e.drop(t, "ivo", "ivo.csv", ivo)
	e.drop(t, "roles", "roles.jsonl", roles)

	if rs := e.poll(t, e.w); len(rs) != 0 {
		t.Fatalf("first sighting imported: %+v", rs)
	}
	rs := e.poll(t, e.w)
	if len(rs) != 3 {
		t.Fatalf("results %+v", rs)
	}
	want := map[string]int{"kronofogden": 2, "ivo": 1, "roles": 1}
	for _, r := range rs {
		if r.Outcome != Done || r.Err != nil || r.Counts.New != want[r.Source] {
			t.Errorf("%s: %+v", r.Source, r)
		}
		if !strings.HasPrefix(filepath.Base(r.MovedTo), "20261005T080200Z_") || filepath.Base(filepath.Dir(r.MovedTo)) != DoneDir {
			t.Errorf("moved to %s", r.MovedTo)
		}
	}
	for src := range want {
		if left := list(t, filepath.Join(e.root, src)); len(left) != 0 {
			t.Errorf("%s inbox still holds %v", src, left)
		}
		if done := list(t, filepath.Join(e.root, src, DoneDir)); len(done) != 1 {
			t.Errorf("%s done/ holds %v", src, done)
		}
	}
	recs, err := e.store.Subject("5591234561", store.ScanOptions{At: t0.Add(time.Hour)})
	if err != nil || len(recs) != 3 {
		t.Fatalf("%d records of 5591234561 (%v)", len(recs), err)
	}
	for _, r := range recs {
		if !r.LastObserved.Equal(t0.Add(2*time.Minute)) || !strings.HasPrefix(r.Current.Pos, map[string]string{"kronofogden": "kfm-2026-10.jsonl:", "ivo": "ivo.csv:", "roles": "roles.jsonl:"}[r.ID.Source]) {
			t.Errorf("%s observed %v at %s", r.ID, r.LastObserved, r.Current.Pos)
		}
	}
	// Nothing more to do; a same-named new drop later gets its own name in
	// done/.
	if rs := e.poll(t, e.w); len(rs) != 0 {
		t.Fatalf("re-imported: %+v", rs)
	}
}

func TestBadRecordGoesToFailedWithReport(t *testing.T) {
	e := newEnv(t, "kronofogden")
	e.drop(t, "kronofogden", "kfm.jsonl", kronofogdenBad)
	e.poll(t, e.w)
	rs := e.poll(t, e.w)
	if len(rs) != 1 || rs[0].Outcome != Failed || rs[0].Counts.New != 1 || rs[0].Counts.Quarantined != 1 {
		t.Fatalf("%+v", rs)
	}
	failed := filepath.Join(e.root, "kronofogden", FailedDir)
	names := list(t, failed)
	if len(names) != 2 || filepath.Join(failed, names[0]) != rs[0].MovedTo || names[1] != names[0]+".report.txt" {
		t.Fatalf("failed/ holds %v", names)
	}
	report, _ := os.ReadFile(filepath.Join(failed, names[1]))
	if !strings.Contains(string(report), "kfm.jsonl:2\t") || !strings.Contains(string(report), "1 quarantined") {
		t.Fatalf("report:\n%s", report)
	}
	t.Logf("report:\n%s", report)
}

func TestUnknownFormatFails(t *testing.T) {
	e := newEnv(t, "nosuchsource")
	e.drop(t, "nosuchsource", "x.csv", "a;b\n")
	e.poll(t, e.w)
	rs := e.poll(t, e.w)
	if len(rs) != 1 || rs[0].Outcome != Failed || rs[0].Err == nil {
		t.Fatalf("%+v", rs)
	}
	report, err := os.ReadFile(rs[0].MovedTo + ".report.txt")
	if err != nil || !strings.Contains(string(report), "unknown source") {
		t.Fatalf("report %q (%v)", report, err)
	}
}

func TestFileBeingWrittenWaitsUntilStable(t *testing.T) {
	e := newEnv(t, "kronofogden")
	lines := strings.SplitAfter(kronofogden, "\n")
	p := e.drop(t, "kronofogden", "kfm.jsonl", lines[0])
	e.poll(t, e.w)
	// The writer goes on: size changes between polls.
	f, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(lines[1])
	f.Close()
	if rs := e.poll(t, e.w); len(rs) != 0 {
		t.Fatalf("read while being written: %+v", rs)
	}
	rs := e.poll(t, e.w)
	if len(rs) != 1 || rs[0].Counts.New != 2 {
		t.Fatalf("%+v", rs)
	}
}

func TestPartFileIgnoredUntilRenamed(t *testing.T) {
	e := newEnv(t, "kronofogden")
	p := e.drop(t, "kronofogden", "kfm.jsonl.part", kronofogden)
	e.drop(t, "kronofogden", ".kfm2.jsonl", kronofogden)
	e.drop(t, "kronofogden", "kfm3.jsonl.tmp", kronofogden)
	for i := 0; i < 3; i++ {
		if rs := e.poll(t, e.w); len(rs) != 0 {
			t.Fatalf("ignored file imported: %+v", rs)
		}
	}
	if err := os.Rename(p, strings.TrimSuffix(p, ".part")); err != nil {
		t.Fatal(err)
	}
	if rs := e.poll(t, e.w); len(rs) != 0 {
		t.Fatalf("imported at first sight: %+v", rs)
	}
	rs := e.poll(t, e.w)
	if len(rs) != 1 || rs[0].Name != "kfm.jsonl" || rs[0].Outcome != Done {
		t.Fatalf("%+v", rs)
	}
}

func TestRestartDoesNotReimport(t *testing.T) {
	e := newEnv(t, "kronofogden")
	e.drop(t, "kronofogden", "kfm.jsonl", kronofogden)
	e.poll(t, e.w)
	rs := e.poll(t, e.w)
	if len(rs) != 1 || rs[0].Outcome != Done {
		t.Fatalf("%+v", rs)
	}
	var versions int
	count := func(record.Item) { versions++ }

	// A restart: nothing in the inbox, nothing imported.
	w2 := e.watcher("kronofogden")
	w2.Ingester.OnVersion = count
	for i := 0; i < 3; i++ {
		if rs := e.poll(t, w2); len(rs) != 0 {
			t.Fatalf("restart re-imported: %+v", rs)
		}
	}

	// The move failed after the import (the file is back in the inbox
	// under its name): the ledger recognises it, it is only moved.
	data, _ := os.ReadFile(rs[0].MovedTo)
	e.drop(t, "kronofogden", "kfm.jsonl", string(data))
	before := observations(t, e.store)
	w3 := e.watcher("kronofogden")
	e.poll(t, w3)
	rs = e.poll(t, w3)
	if len(rs) != 1 || rs[0].Outcome != Recorded || rs[0].MovedTo == "" {
		t.Fatalf("%+v", rs)
	}
	if after := observations(t, e.store); after != before {
		t.Fatalf("re-imported: observations\n%s\nhad\n%s", after, before)
	}
	if n := len(list(t, filepath.Join(e.root, "kronofogden", DoneDir))); n != 2 {
		t.Fatalf("done/ holds %d files", n)
	}
	// A different file of the same name is a new drop.
	e.drop(t, "kronofogden", "kfm.jsonl", strings.SplitAfter(kronofogden, "\n")[0])
	e.poll(t, w3)
	rs = e.poll(t, w3)
	if len(rs) != 1 || rs[0].Outcome != Done || rs[0].Counts.Unchanged != 1 {
		t.Fatalf("%+v", rs)
	}
}

// observations lists when each record was last observed: a re-import
// (at a later clock time) would change it.
func observations(t *testing.T, s *store.Store) string {
	t.Helper()
	var b strings.Builder
	err := s.Scan(store.ScanOptions{At: t0.Add(24 * time.Hour)}, func(_ string, recs []store.Resolved) error {
		for _, r := range recs {
			b.WriteString(r.ID.String() + " " + r.LastObserved.Format(time.RFC3339) + "\n")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestRunLoop(t *testing.T) {
	e := newEnv(t, "roles")
	e.drop(t, "roles", "roles.jsonl", roles)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := e.clock.AutoAdvance()
	defer stop()
	done := make(chan error, 1)
	go func() { done <- e.w.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if es, _ := os.ReadDir(filepath.Join(e.root, "roles", DoneDir)); len(es) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("file never imported")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Run returned %v", err)
	}
}

// What the watcher makes holds register data: the inboxes, done/,
// failed/ and the ledger's directory are the account's alone (0700), the
// report and the ledger too (0600).
func TestModesOfWhatTheWatcherMakes(t *testing.T) {
	e := newEnv(t)
	e.root = filepath.Join(e.root, "inbox") // made by the watcher
	e.w = e.watcher("kronofogden")
	e.poll(t, e.w)
	e.drop(t, "kronofogden", "kfm.jsonl", kronofogdenBad)
	e.poll(t, e.w)
	if rs := e.poll(t, e.w); len(rs) != 1 || rs[0].Outcome != Failed {
		t.Fatalf("%+v", rs)
	}
	failed := filepath.Join(e.root, "kronofogden", FailedDir)
	names := list(t, failed)
	if len(names) != 2 {
		t.Fatalf("failed/ holds %v", names)
	}
	for _, c := range []struct {
		path string
		want os.FileMode
	}{
		{e.root, 0o700},
		{filepath.Join(e.root, "kronofogden"), 0o700},
		{filepath.Join(e.root, "kronofogden", DoneDir), 0o700},
		{failed, 0o700},
		{filepath.Join(failed, names[1]), 0o600}, // the report
		{filepath.Join(e.root, ".filedrop-ledger.json"), 0o600},
	} {
		fi, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != c.want {
			t.Errorf("%s: mode %o, want %o", c.path, got, c.want)
		}
	}
}

// A sanctions list's file dropped in its inbox is imported whole, under
// the list's subject, as vaksam ingest would.
func TestListFileDropped(t *testing.T) {
	e := newEnv(t, record.SanctionsUN)
	b, err := os.ReadFile("../sanctions/testdata/un_consolidated.xml")
	if err != nil {
		t.Fatal(err)
	}
	e.drop(t, record.SanctionsUN, "consolidated.xml", string(b))
	e.poll(t, e.w)
	rs := e.poll(t, e.w)
	if len(rs) != 1 || rs[0].Outcome != Done || rs[0].Err != nil || rs[0].Counts.New != 5 {
		t.Fatalf("results %+v, want the list done: 4 entities and its version", rs)
	}
	recs, err := e.store.Subject(record.ListSubject("un"), store.ScanOptions{At: t0.Add(time.Hour)})
	if err != nil || len(recs) != 5 {
		t.Fatalf("%d records of the UN list (%v)", len(recs), err)
	}
}
