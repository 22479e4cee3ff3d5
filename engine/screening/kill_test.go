package screening_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/synthetic"
	"github.com/vaksam/vaksam/rules"
	defaultpack "github.com/vaksam/vaksam/rules/default"
)

// The kill test runs start-up screening in a child process (this test
// binary again, selected by killEnv) and kills it with SIGKILL at many
// points: while the store opens and replays what the previous child left,
// while Badger flushes and deletes the replayed memory tables, and while
// the screening saves. After every kill the store must open at the first
// try, with everything the child reported committed.
const (
	killEnv   = "VAKSAM_KILL_STORE" // the child's store directory
	killRound = "VAKSAM_KILL_ROUND" // which kill this child is, for its times
	killKills = 60
	killOrgs  = 100
)

var killBase = time.Date(2026, 11, 21, 6, 0, 0, 0, time.UTC)

// TestKillChild is the child process; it does nothing in a normal run.
func TestKillChild(t *testing.T) {
	dir := os.Getenv(killEnv)
	if dir == "" {
		return
	}
	fail := func(err error) {
		fmt.Println("error", err)
		os.Exit(2)
	}
	round, err := strconv.Atoi(os.Getenv(killRound))
	if err != nil {
		fail(err)
	}
	fmt.Println("opening")
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		fail(err)
	}
	fmt.Println("opened")
	set, err := defaultpack.Load(rules.Overrides{})
	if err != nil {
		fail(err)
	}
	sc, err := screening.NewScreener(st, func() *rules.Set { return set }, screening.DefaultConfig(), (&review.Desk{Store: st}).OnSave)
	if err != nil {
		fail(err)
	}
	// Screen the whole store and save, as serve does at start, again and
	// again at later times until killed; between passes store a record.
	for pass := 0; ; pass++ {
		at := killAt(round, pass)
		n := 0
		if _, err := sc.ScreenAll(context.Background(), screening.Options{At: at, Save: true, Trigger: screening.TriggerSchedule}, 0,
			func(*screening.Assessment) error { n++; return nil }); err != nil {
			fail(err)
		}
		fmt.Printf("screened %d %d\n", at.UnixNano(), n)
		it := killRecord(round, pass)
		if _, err := st.Put([]store.Observation{{Item: it, Observed: at}}); err != nil {
			fail(err)
		}
		fmt.Printf("put %s\n", it.Key)
	}
}

// killAt is the time of a child's screening pass: every pass of every
// child has its own.
func killAt(round, pass int) time.Time {
	return killBase.Add(time.Duration(round*1000+pass) * time.Minute)
}

// killRecord is the record a child stores after a pass.
func killRecord(round, pass int) record.Item {
	key := fmt.Sprintf("kill-%d-%d", round, pass)
	return record.Item{Source: record.Contracts, Subject: "5591234561", Key: key, Pos: key,
		Raw: []byte(`{"avtal_id":"` + key + `"}`), Parsed: record.Contract{ID: key, Orgnr: "5591234561", Category: "hemtjänst",
			Start: killBase, End: killBase.AddDate(1, 0, 0)}}
}

func TestKilledAtStartupOpens(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes: not in -short")
	}
	dir := filepath.Join(t.TempDir(), "store")
	sample := killPopulation(t, dir)
	rng := rand.New(rand.NewPCG(12, 2026))
	for round := 1; round <= killKills; round++ {
		// Four kills in five fall while the store opens (some 10 ms: it
		// replays and deletes the memory table the previous process left,
		// and creates a new one and a new value-log file), the others
		// anywhere in the screening that follows.
		delay := time.Duration(rng.IntN(15_000)) * time.Microsecond
		if round%5 == 0 {
			delay = 15*time.Millisecond + time.Duration(rng.IntN(400))*time.Millisecond
		}
		lines := runAndKill(t, dir, round, delay)
		st, err := store.Open(dir, store.Options{})
		if err != nil {
			t.Fatalf("kill %d (%s after open began): the store does not open: %v\nchild:\n%s", round, delay, err, strings.Join(lines, "\n"))
		}
		checkCommitted(t, st, round, sample, lines)
		if err := st.Close(); err != nil {
			t.Fatalf("kill %d: close: %v", round, err)
		}
	}
}

// killPopulation ingests a synthetic population into a store in dir and
// returns some of its organisations, whose assessments are checked.
func killPopulation(t *testing.T, dir string) []string {
	t.Helper()
	files := t.TempDir()
	man, err := synthetic.Generate(files, synthetic.Config{Seed: 3, Orgs: killOrgs, Now: killBase})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	persons, _ := record.NewHMACPseudonymizer([]byte("kill test: not a deployment secret"))
	if _, err := man.Ingest(context.Background(), &ingest.Ingester{Store: st}, files, persons); err != nil {
		t.Fatal(err)
	}
	orgs, err := st.SourceSubjects(record.Bolagsverket)
	if err != nil || len(orgs) < 10 {
		t.Fatalf("population: %d organisations, %v", len(orgs), err)
	}
	return orgs[:10]
}

// runAndKill starts a child on dir, kills it delay after it began to open
// the store (or when it has failed or ended) and returns what it printed.
func runAndKill(t *testing.T, dir string, round int, delay time.Duration) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), killEnv+"="+dir, killRound+"="+strconv.Itoa(round))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1<<16)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var got []string
	deadline := time.After(time.Minute)
	var killAt <-chan time.Time
	for killAt == nil {
		select {
		case line, ok := <-lines:
			if !ok {
				cmd.Wait()
				t.Fatalf("kill %d: the child ended before it opened the store:\n%s", round, strings.Join(got, "\n"))
			}
			got = append(got, line)
			if line == "opening" {
				killAt = time.After(delay)
			}
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("kill %d: the child printed nothing within a minute", round)
		}
	}
	for killAt != nil {
		select {
		case line, ok := <-lines:
			if !ok {
				killAt = nil // the child ended by itself: an error, reported below
				break
			}
			got = append(got, line)
		case <-killAt:
			killAt = nil
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil && !strings.Contains(err.Error(), "finished") {
		t.Fatal(err)
	}
	for line := range lines {
		got = append(got, line)
	}
	cmd.Wait()
	for _, line := range got {
		if strings.HasPrefix(line, "error") {
			t.Fatalf("kill %d: child: %s", round, line)
		}
	}
	return got
}

// checkCommitted checks that what a child reported committed before it
// was killed is in the store: the sample's assessments of every finished
// screening pass, and every record it stored.
func checkCommitted(t *testing.T, st *store.Store, round int, sample, lines []string) {
	t.Helper()
	want := map[time.Time]bool{}
	for _, line := range lines {
		f := strings.Fields(line)
		switch {
		case len(f) == 3 && f[0] == "screened":
			ns, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				t.Fatalf("kill %d: child line %q", round, line)
			}
			want[time.Unix(0, ns).UTC()] = true
		case len(f) == 2 && f[0] == "put":
			recs, err := st.Subject("5591234561", store.ScanOptions{At: killBase.Add(100 * 365 * 24 * time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, r := range recs {
				found = found || r.ID.Key == f[1]
			}
			if !found {
				t.Errorf("kill %d: record %s reported stored is not in the store", round, f[1])
			}
		}
	}
	for _, org := range sample {
		have := map[time.Time]bool{}
		if err := st.Assessments(org, func(at time.Time, _ []byte) error { have[at] = true; return nil }); err != nil {
			t.Fatal(err)
		}
		for at := range want {
			if !have[at] {
				t.Errorf("kill %d: %s has no assessment of the pass at %s the child reported finished", round, org, at.Format(time.RFC3339))
			}
		}
	}
}
