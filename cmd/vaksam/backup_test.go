package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/service"
	"github.com/vaksam/vaksam/engine/store"
)

var testNow = func() time.Time { return time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC) }

// outField returns the value after "name:" in a command's output.
func outField(t *testing.T, out, name string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(name) + `:\s+(\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no %q in\n%s", name, out)
	}
	return m[1]
}

// runningServe holds the data directory's store open and answers on its
// control socket, as a running vaksam serve does.
type runningServe struct {
	st   *store.Store
	stop func()
}

func startRunningServe(t *testing.T, data string) *runningServe {
	t.Helper()
	st, err := createStore(data)
	if err != nil {
		t.Fatal(err)
	}
	stop, err := serveControl(context.Background(), data, st)
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	r := &runningServe{st: st, stop: stop}
	t.Cleanup(r.close)
	return r
}

func (r *runningServe) close() {
	if r.stop != nil {
		r.stop()
		r.stop = nil
		r.st.Close()
	}
}

// backupData is a data directory with the samples, a stored assessment of
// the built-in rules, review activity (three audit entries, and a fourth:
// the alert following the screening through the desk) and its pseudonym
// key; it returns the audit trail's head and its number of entries.
func backupData(t *testing.T) (data string, head string, entries uint64) {
	t.Helper()
	data = sampleData(t)
	reviewActivity(t, data)
	if code, _, errOut := run(t, "screen", "--data", data, "--at", "2026-11-21", sampleOrg); code != exitOK {
		t.Fatalf("screen: exit %d\n%s", code, errOut)
	}
	code, out, errOut := run(t, "audit", "verify", "--data", data)
	if code != exitOK {
		t.Fatalf("audit verify: %s%s", out, errOut)
	}
	f := strings.Fields(out)
	n, err := strconv.ParseUint(f[2], 10, 64)
	if err != nil || n != 4 {
		t.Fatalf("audit verify: %q: %d entries (%v), want 4", out, n, err)
	}
	return data, strings.TrimSuffix(f[5], ":"), n
}

func TestBackupRestoreRoundTrip(t *testing.T) {
	data, head, entries := backupData(t)
	key, err := os.ReadFile(filepath.Join(data, "pseudonym.key"))
	if err != nil {
		t.Fatal(err)
	}

	// Online: the store is held by a "serve" that keeps appending to the
	// audit trail while the backup is taken over the control socket.
	srv := startRunningServe(t, data)
	sock := filepath.Join(data, "control.sock")
	if fi, err := os.Stat(sock); err != nil || fi.Mode()&fs.ModeSocket == 0 || fi.Mode().Perm() != 0o600 {
		t.Fatalf("control socket: %v %v", fi, err)
	}
	log := &audit.Log{Store: srv.st}
	stopWriting := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stopWriting:
				return
			default:
			}
			if _, err := log.Record(audit.Entry{At: testNow(), Actor: "anna", Action: "view.persons", Object: sampleOrg}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	// Let the writer get going first.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if seq, _, err := log.Head(); err != nil || seq >= 6 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the serve appended nothing")
		}
		time.Sleep(time.Millisecond)
	}
	file := filepath.Join(t.TempDir(), "vaksam.backup")
	code, out, errOut := run(t, "backup", "--data", data, file)
	close(stopWriting)
	wg.Wait()
	if code != exitOK || !strings.Contains(out, "from:           the running vaksam serve ("+sock+")") ||
		!strings.Contains(out, "pseudonym key:  included") {
		t.Fatalf("backup from the running serve: exit %d\n%s%s", code, out, errOut)
	}
	fi, err := os.Stat(file)
	if err != nil || fi.Mode().Perm() != 0o600 || fmt.Sprint(fi.Size()) != outField(t, out, "bytes") {
		t.Fatalf("backup file %v %v\n%s", fi, err, out)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(file), ".*tmp*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	if outField(t, out, "created") != "2026-11-21T12:00:00Z" || len(outField(t, out, "sha256")) != 64 {
		t.Errorf("backup output\n%s", out)
	}
	srv.close()
	if _, err := os.Stat(sock); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("control socket after stop: %v", err)
	}

	// Wipe, restore, verify.
	if err := os.RemoveAll(filepath.Join(data, "store")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(data, "pseudonym.key")); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = run(t, "restore", "--data", data, file)
	if code != exitOK {
		t.Fatalf("restore: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"pseudonym key:  restored to " + filepath.Join(data, "pseudonym.key"),
		": intact\n",
		"assessments: 1 organisation(s): 1 verified by screening again, 0 differ, 1 stored with another rule set (not verified)",
		"restore verified",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("restore output lacks %q:\n%s", want, out)
		}
	}
	if got, err := os.ReadFile(filepath.Join(data, "pseudonym.key")); err != nil || !bytes.Equal(got, key) {
		t.Errorf("pseudonym key after the restore: %v", err)
	}
	snapshot := outField(t, out, "snapshot")

	// The trail is whole, with the entries the serve appended after the
	// first ones.
	code, out, errOut = run(t, "audit", "verify", "--data", data)
	if code != exitOK || !strings.HasSuffix(out, ": intact\n") || strings.Contains(out, fmt.Sprintf(" %d entries, head %s", entries, head)) {
		t.Errorf("audit verify after the restore: exit %d\n%s%s", code, out, errOut)
	}
	if es, err := auditEntries(t, data, entries); err != nil || len(es) != 1 || es[0].Hash[:12] != head[:12] {
		t.Errorf("entry %d after the restore: %v %v, want head %s", entries, es, err, head)
	}
	if code, out, errOut := run(t, "assessments", "--data", data, "--verify", sampleOrg); code != exitOK || !strings.Contains(out, "verified: screening again") {
		t.Errorf("assessments --verify after the restore: exit %d\n%s%s", code, out, errOut)
	}

	// Offline: a backup of the stopped store is the same snapshot.
	file2 := filepath.Join(t.TempDir(), "stopped.backup")
	code, out, errOut = run(t, "backup", "--data", data, file2)
	if code != exitOK || !strings.Contains(out, "from:           the store in "+data+" (no vaksam serve running)") || outField(t, out, "snapshot") != snapshot {
		t.Fatalf("backup of the stopped store: exit %d (snapshot want %s)\n%s%s", code, snapshot, out, errOut)
	}
	data2 := t.TempDir()
	if code, out, errOut := run(t, "restore", "--data", data2, file2); code != exitOK || outField(t, out, "snapshot") != snapshot {
		t.Fatalf("restore of the stopped store's backup: exit %d\n%s%s", code, out, errOut)
	}

	// The restored pseudonym key gives persons the pseudonyms they had:
	// the roles file again is all unchanged.
	code, out, errOut = run(t, "ingest", "--data", data2, "--source", "roles", "--observed", "2026-11-20", filepath.Join(samples, "roles.jsonl"))
	if code != exitOK || !regexp.MustCompile(`: 0 new, [1-9][0-9]* unchanged`).MatchString(out) {
		t.Errorf("roles again after the restore: exit %d\n%s%s", code, out, errOut)
	}
}

func TestRestoreRefusals(t *testing.T) {
	data, _, _ := backupData(t)
	file := filepath.Join(t.TempDir(), "b")
	if code, out, errOut := run(t, "backup", "--data", data, file); code != exitOK {
		t.Fatalf("backup: exit %d\n%s%s", code, out, errOut)
	}

	// A store in place is refused; --force moves it aside.
	code, out, errOut := run(t, "restore", "--data", data, file)
	if code != exitFailure || !strings.Contains(errOut, "refusing to restore: "+filepath.Join(data, "store")+" exists") || out != "" {
		t.Fatalf("restore over a store: exit %d\n%s%s", code, out, errOut)
	}
	// ... and so is a different pseudonym key.
	keyPath := filepath.Join(data, "pseudonym.key")
	key, _ := os.ReadFile(keyPath)
	if err := os.WriteFile(keyPath, []byte("another key, 32 bytes long......"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = run(t, "restore", "--data", data, file)
	if code != exitFailure || !strings.Contains(errOut, "exists; the pseudonym key in place differs from the backup's") {
		t.Fatalf("restore over a store and another key: exit %d\n%s", code, errOut)
	}
	// Not while a serve holds the store, even with --force.
	srv := startRunningServe(t, data)
	code, _, errOut = run(t, "restore", "--data", data, "--force", file)
	if code != exitFailure || !strings.Contains(errOut, "in use by a running vaksam serve: stop it first") {
		t.Fatalf("restore under a running serve: exit %d\n%s", code, errOut)
	}
	srv.close()
	code, out, errOut = run(t, "restore", "--data", data, "--force", file)
	aside := filepath.Join(data, "store.replaced-20261121T120000Z")
	if code != exitOK || !strings.Contains(out, "old store:      moved to "+aside) ||
		!strings.Contains(out, "the old one moved to "+keyPath+".replaced-20261121T120000Z") {
		t.Fatalf("restore --force: exit %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(aside, "MANIFEST")); err != nil {
		t.Errorf("the old store is not kept: %v", err)
	}
	if got, _ := os.ReadFile(keyPath); !bytes.Equal(got, key) {
		t.Error("the backup's key is not in place")
	}

	// A damaged backup leaves nothing behind.
	b, _ := os.ReadFile(file)
	cut := filepath.Join(t.TempDir(), "cut")
	os.WriteFile(cut, b[:len(b)*2/3], 0o600)
	empty := t.TempDir()
	code, out, errOut = run(t, "restore", "--data", empty, cut)
	if code != exitFailure || !strings.Contains(errOut, "the backup is damaged") || !strings.Contains(errOut, "truncated") {
		t.Errorf("restore of a cut backup: exit %d\n%s%s", code, out, errOut)
	}
	if left, _ := os.ReadDir(empty); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}

	// A backup whose audit trail was altered restores, and fails its check.
	rewrite(t, data, 2, func(e map[string]any) { e["actor"] = "bertil" })
	altered := filepath.Join(t.TempDir(), "altered")
	if code, out, errOut := run(t, "backup", "--data", data, altered); code != exitOK {
		t.Fatalf("backup: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = run(t, "restore", "--data", t.TempDir(), altered)
	if code != exitFailure || !strings.Contains(out, "seq 2: content does not match its hash (altered)") ||
		!strings.Contains(errOut, "did not pass 1 check(s)") || !strings.Contains(out, "1 verified by screening again") {
		t.Errorf("restore of an altered trail: exit %d\n%s%s", code, out, errOut)
	}
}

func TestBackupMistakes(t *testing.T) {
	data, _, _ := backupData(t)
	missing := filepath.Join(t.TempDir(), "nope")
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"backup", "x"}, exitUsage, "--data DIR is required"},
		{[]string{"backup", "--data", data}, exitUsage, "want one FILE"},
		{[]string{"backup", "--data", missing, "x"}, exitFailure, "--data " + missing + ": no such directory"},
		{[]string{"backup", "--data", filepath.Dir(missing), "x"}, exitFailure, "no store in " + filepath.Dir(missing)},
		{[]string{"backup", "--data", data, filepath.Join(missing, "b")}, exitFailure, "backup to " + filepath.Join(missing, "b")},
		{[]string{"restore", "--data", data}, exitUsage, "want one FILE"},
		{[]string{"restore", "x"}, exitUsage, "--data DIR is required"},
		{[]string{"restore", "--data", t.TempDir(), missing}, exitFailure, "no such file"},
	} {
		if code, _, errOut := run(t, tc.args...); code != tc.code || !strings.Contains(errOut, tc.stderr) {
			t.Errorf("%v: exit %d (want %d)\n%s", tc.args, code, tc.code, errOut)
		}
	}
	for _, args := range [][]string{{"backup", "--help"}, {"restore", "--help"}} {
		if code, out, _ := run(t, args...); code != exitOK || !strings.Contains(out, "Usage: vaksam "+args[0]) || !strings.Contains(out, "0600") {
			t.Errorf("%v: exit %d\n%s", args, code, out)
		}
	}

	// A store held by a process without a control socket.
	st, err := createStore(data)
	if err != nil {
		t.Fatal(err)
	}
	code, _, errOut := run(t, "backup", "--data", data, filepath.Join(t.TempDir(), "b"))
	st.Close()
	if code != exitFailure || !strings.Contains(errOut, "no running vaksam serve answers on the control socket") {
		t.Errorf("backup of a store held without a control socket: exit %d\n%s", code, errOut)
	}

	// To standard output: the backup on stdout, the report on stderr.
	code, out, errOut := run(t, "backup", "--data", data, "-")
	if code != exitOK || !strings.Contains(errOut, "backup written to standard output") {
		t.Fatalf("backup -: exit %d\n%s", code, errOut)
	}
	info, err := store.ReadBackup(strings.NewReader(out))
	if err != nil || fmt.Sprint(info.Keys) != outField(t, errOut, "keys") {
		t.Errorf("the backup on standard output: %+v %v\n%s", info, err, errOut)
	}
	// ... and restored from standard input.
	fin := filepath.Join(t.TempDir(), "stdin")
	os.WriteFile(fin, []byte(out), 0o600)
	f, err := os.Open(fin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	stdin := os.Stdin
	os.Stdin = f
	defer func() { os.Stdin = stdin }()
	if code, out, errOut := run(t, "restore", "--data", t.TempDir(), "-"); code != exitOK || !strings.Contains(out, "restore verified") {
		t.Errorf("restore -: exit %d\n%s%s", code, out, errOut)
	}
}

func TestControlSocketRefusesASecondServe(t *testing.T) {
	data := t.TempDir()
	st, err := createStore(data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx, cancel := context.WithCancel(context.Background())
	stop, err := serveControl(ctx, data, st)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if _, err := serveControl(context.Background(), data, st); err == nil || !strings.Contains(err.Error(), "another process answers on it") {
		t.Errorf("second control server: %v", err)
	}
	// Ending the context stops it and removes the socket.
	cancel()
	sock := filepath.Join(data, "control.sock")
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := os.Stat(sock); errors.Is(err, fs.ErrNotExist) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the socket is still there after the context ended")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// A stale socket file (a serve that died) is replaced; another file is
	// not.
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close()
	stop2, err := serveControl(context.Background(), data, st)
	if err != nil {
		t.Fatalf("over a stale socket: %v", err)
	}
	stop2()
	if err := os.WriteFile(sock, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := serveControl(context.Background(), data, st); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Errorf("a file in the way: %v", err)
	}
	long := filepath.Join(t.TempDir(), strings.Repeat("d", 100))
	if _, err := serveControl(context.Background(), long, st); err == nil || !strings.Contains(err.Error(), "use a shorter data directory") {
		t.Errorf("a long path: %v", err)
	}
}

// auditEntries reads one entry of a data directory's trail.
func auditEntries(t *testing.T, data string, seq uint64) ([]audit.Entry, error) {
	t.Helper()
	st, err := openExistingStore(data)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return (&audit.Log{Store: st}).Entries(seq, 1)
}

// serveControl serves backups of st on data's control socket, as serve does.
func serveControl(ctx context.Context, data string, st *store.Store) (stop func(), err error) {
	return service.ServeControl(ctx, data, st, testNow, discardLogger(), func() (map[string][]byte, error) { return service.BackupFiles(data) })
}
