package store

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/vaksam/vaksam/engine/record"
)

var backupTime = time.Date(2026, 11, 21, 3, 0, 0, 0, time.UTC)

// dump returns every key and value of a store, in key order.
func dump(t *testing.T, s *Store) [][2]string {
	t.Helper()
	var out [][2]string
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			out = append(out, [2]string{string(it.Item().Key()), string(v)})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var msgIDs atomic.Int64

// emit commits one event for each organisation named, in one transaction.
func emit(t *testing.T, s *Store, orgs ...string) {
	t.Helper()
	err := s.Update(func(tx *Tx) error {
		for _, org := range orgs {
			if err := tx.Emit(Event{Org: org, Subject: "vaksam.test." + org, MsgID: fmt.Sprintf("test.%s.%d", org, msgIDs.Add(1)),
				Data: []byte(`{}`), Created: backupTime}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// fill gives a store a key of every kind.
func fill(t *testing.T, s *Store) {
	t.Helper()
	it := company("Storgatan 12")
	it.Links.Persons = []string{"p:abc"}
	put(t, s, it, day("2026-01-10"))
	put(t, s, company("Box 4"), day("2026-03-10"))
	if err := s.Quarantine([]record.Quarantined{{Source: record.Bolagsverket, Pos: "f.json:7", Reason: "no orgnr", Raw: []byte("{}")}}, day("2026-03-10")); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkPreAward("5591234561", day("2026-03-11")); err != nil {
		t.Fatal(err)
	}
	err := s.Update(func(tx *Tx) error {
		if err := tx.PutAssessment(StoredAssessment{Subject: "5591234561", At: day("2026-03-11"), Ruleset: "r@1", Data: []byte(`{"step":"L3"}`)}); err != nil {
			return err
		}
		if err := tx.SetLastResult("5591234561", Result{At: day("2026-03-11"), Digest: "L3|block"}); err != nil {
			return err
		}
		return tx.Put("alert", "5591234561-1", []byte(`{"state":"ny"}`))
	})
	if err != nil {
		t.Fatal(err)
	}
	emit(t, s, "5591234561", "5560360793", "5591234561")
}

func backupOf(t *testing.T, s *Store, files map[string][]byte) ([]byte, BackupInfo) {
	t.Helper()
	var buf bytes.Buffer
	info, err := s.Backup(&buf, BackupOptions{Created: backupTime, Files: files})
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), info
}

func restoreTo(t *testing.T, b []byte) (*Store, BackupInfo) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "store")
	info, err := Restore(dir, bytes.NewReader(b), RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, info
}

func TestBackupRestoreRoundTrip(t *testing.T) {
	s := openTest(t)
	fill(t, s)
	want := dump(t, s)
	kinds := map[byte]bool{}
	for _, kv := range want {
		kinds[kv[0][0]] = true
	}
	for _, k := range "risqwaldoc" {
		if !kinds[byte(k)] {
			t.Fatalf("fill made no key of kind %q", k)
		}
	}
	key := []byte{1, 2, 3, 4}
	b, info := backupOf(t, s, map[string][]byte{"pseudonym.key": key})
	if !bytes.HasPrefix(b, []byte("VAKSAM-BACKUP 1\n")) {
		t.Fatalf("backup starts %q", b[:min(len(b), 20)])
	}
	if info.Keys != int64(len(want)) || info.Bytes != int64(len(b)) || !info.Created.Equal(backupTime) ||
		info.StoreFormat != StoreFormat || info.Format != BackupFormat || len(info.Digest) != 64 {
		t.Fatalf("backup info %+v, want %d keys and %d bytes", info, len(want), len(b))
	}
	read, err := ReadBackup(bytes.NewReader(b))
	if err != nil || read.Keys != info.Keys || read.Digest != info.Digest || read.Bytes != info.Bytes || !bytes.Equal(read.Files["pseudonym.key"], key) {
		t.Fatalf("read back %+v, %v; wrote %+v", read, err, info)
	}

	r, rinfo := restoreTo(t, b)
	if got := dump(t, r); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("restored store differs:\n got %q\nwant %q", got, want)
	}
	if rinfo.Digest != info.Digest || !bytes.Equal(rinfo.Files["pseudonym.key"], key) || !rinfo.Created.Equal(backupTime) {
		t.Errorf("restore info %+v", rinfo)
	}
	// The restored store reads as the original does.
	if subjects, err := r.AssessedSubjects(); err != nil || fmt.Sprint(subjects) != "[5591234561]" {
		t.Errorf("assessed subjects %v %v", subjects, err)
	}
	if r.OutboxDepth() != 3 {
		t.Errorf("restored outbox depth %d, want 3", r.OutboxDepth())
	}
}

// Sequences continue after a restore: outbox positions and each
// organisation's Vaksam-Org-Seq go on from the backup's, without a gap
// and without using a number twice.
func TestRestoreContinuesSequences(t *testing.T) {
	const a, b = "5591234561", "5560360793"
	s := openTest(t)
	emit(t, s, a, a, b)
	emit(t, s, a)
	// b's events are delivered: its counter must survive an empty outbox.
	emit(t, s, b)
	evs, err := s.Outbox(0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var delivered []uint64
	for _, ev := range evs {
		if ev.Org == b {
			delivered = append(delivered, ev.Seq)
		}
	}
	if err := s.Delivered(delivered); err != nil {
		t.Fatal(err)
	}
	bk, _ := backupOf(t, s, nil)

	r, _ := restoreTo(t, bk)
	before, err := r.Outbox(0, 100)
	if err != nil {
		t.Fatal(err)
	}
	maxSeq := before[len(before)-1].Seq
	emit(t, r, a, b)
	after, err := r.Outbox(maxSeq, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != 2 || after[0].Seq <= maxSeq || after[1].Seq != after[0].Seq+1 {
		t.Fatalf("outbox after the restore: %+v (newest before %d)", after, maxSeq)
	}
	for _, tc := range []struct {
		org  string
		ev   Event
		want uint64
	}{{a, after[0], 4}, {b, after[1], 3}} {
		if tc.ev.Org != tc.org || tc.ev.OrgSeq != tc.want || tc.ev.Header[HeaderOrgSeq] != strconv.FormatUint(tc.want, 10) {
			t.Errorf("%s: org seq %d header %q, want %d", tc.org, tc.ev.OrgSeq, tc.ev.Header[HeaderOrgSeq], tc.want)
		}
		if n, err := r.OrgSeq(tc.org); err != nil || n != tc.want {
			t.Errorf("%s: counter %d %v, want %d", tc.org, n, err, tc.want)
		}
	}
	// a's events in the outbox are numbered 1..4 without a gap.
	all, err := r.Outbox(0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var seqs []uint64
	for _, ev := range all {
		if ev.Org == a {
			seqs = append(seqs, ev.OrgSeq)
		}
	}
	if fmt.Sprint(seqs) != "[1 2 3 4]" {
		t.Errorf("%s org seqs %v, want [1 2 3 4]", a, seqs)
	}
}

// A backup taken while writers go on is one snapshot: each write of a
// pair of documents is in it whole or not at all.
func TestBackupIsOneSnapshot(t *testing.T) {
	s := openTest(t)
	fill(t, s)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for n := 1; ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			err := s.Update(func(tx *Tx) error {
				if err := tx.Put("pair", fmt.Sprintf("x%08d", n), []byte("x")); err != nil {
					return err
				}
				return tx.Put("count", "n", []byte(strconv.Itoa(n)))
			})
			if err != nil {
				t.Error(err)
				return
			}
		}
	}()
	// Wait until the writer is under way, then back up a few times.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := s.Doc("count", "n"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the writer wrote nothing")
		}
		time.Sleep(time.Millisecond)
	}
	var backups [][]byte
	for range 3 {
		b, _ := backupOf(t, s, nil)
		backups = append(backups, b)
	}
	close(stop)
	wg.Wait()
	for i, b := range backups {
		r, _ := restoreTo(t, b)
		c, err := r.Doc("count", "n")
		if err != nil {
			t.Fatal(err)
		}
		var pairs int
		if err := r.Docs("pair", "", func(string, []byte) error { pairs++; return nil }); err != nil {
			t.Fatal(err)
		}
		if strconv.Itoa(pairs) != string(c) {
			t.Errorf("backup %d: %d pair documents, the counter written with them says %s", i, pairs, c)
		}
	}
}

// regzip recompresses a backup's records after change edits them.
func regzip(t *testing.T, b []byte, change func([]byte) []byte) []byte {
	t.Helper()
	nl := bytes.IndexByte(b, '\n')
	zr, err := gzip.NewReader(bytes.NewReader(b[nl+1:]))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	out.Write(b[:nl+1])
	zw := gzip.NewWriter(&out)
	zw.Write(change(plain))
	zw.Close()
	return out.Bytes()
}

// withoutEnd drops the end record: a backup cut at a record boundary.
func withoutEnd(plain []byte) []byte {
	br := bufio.NewReader(bytes.NewReader(plain))
	var n int
	for {
		kind, p, err := readRecord(br)
		if err != nil {
			panic(err)
		}
		if kind == recEnd {
			return plain[:n]
		}
		n += 1 + len(binary.AppendUvarint(nil, uint64(len(p)))) + len(p)
	}
}

func TestRestoreRefusesDamagedBackups(t *testing.T) {
	s := openTest(t)
	fill(t, s)
	good, _ := backupOf(t, s, nil)
	flip := func(at int) []byte {
		b := bytes.Clone(good)
		b[at] ^= 0x55
		return b
	}
	tests := []struct {
		name    string
		file    []byte
		damaged bool   // errors.Is ErrDamaged
		msg     string // in the error
	}{
		{"empty", nil, false, "empty file: not a Vaksam backup"},
		{"not a backup", []byte("PK\x03\x04 a zip file\n"), false, "not a Vaksam backup"},
		{"newer format", append([]byte("VAKSAM-BACKUP 2\n"), good[16:]...), false, `backup format "2" is not supported`},
		{"magic only", good[:16], true, "truncated"},
		{"cut in the gzip header", good[:20], true, "truncated"},
		{"cut in half", good[:len(good)/2], true, "truncated"},
		{"last byte missing", good[:len(good)-1], true, "truncated"},
		{"checksum altered", flip(len(good) - 6), true, "corrupt"},
		{"size altered", flip(len(good) - 2), true, "corrupt"},
		{"data altered", flip(len(good) / 2), false, ""},
		{"trailing bytes", append(bytes.Clone(good), "junk"...), true, "after the compressed data"},
		{"no end record", regzip(t, good, withoutEnd), true, "truncated"},
		{"a key changed", regzip(t, good, func(p []byte) []byte {
			return bytes.Replace(p, []byte("5560360793"), []byte("5560360794"), 1)
		}), true, "hash to"},
		{"newer store format", regzip(t, good, func(p []byte) []byte {
			return bytes.Replace(p, []byte(`"store_format":1`), []byte(`"store_format":9`), 1)
		}), false, "store format 9"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "store")
			_, err := Restore(dir, bytes.NewReader(tc.file), RestoreOptions{})
			if err == nil {
				t.Fatal("restored a damaged backup")
			}
			if tc.damaged != errors.Is(err, ErrDamaged) && tc.damaged {
				t.Errorf("error %v is not ErrDamaged", err)
			}
			if !strings.Contains(err.Error(), tc.msg) || !strings.Contains(err.Error(), dir) {
				t.Errorf("error %q, want it to name %s and say %q", err, dir, tc.msg)
			}
			// Nothing is left behind: no store, no temporary directory.
			if left, _ := os.ReadDir(parent); len(left) != 0 {
				t.Errorf("left behind: %v", left)
			}
			if _, err := ReadBackup(bytes.NewReader(tc.file)); err == nil {
				t.Error("ReadBackup accepted it")
			}
		})
	}
}

func TestRestoreTarget(t *testing.T) {
	s := openTest(t)
	fill(t, s)
	b, _ := backupOf(t, s, nil)

	full := filepath.Join(t.TempDir(), "store")
	if err := os.Mkdir(full, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(full, "MANIFEST"), []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Restore(full, bytes.NewReader(b), RestoreOptions{})
	if !errors.Is(err, ErrNotEmpty) || !strings.Contains(err.Error(), full) {
		t.Fatalf("restore into a non-empty directory: %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(full, "MANIFEST")); string(got) != "precious" {
		t.Errorf("the non-empty directory was changed: %q", got)
	}
	if entries, _ := os.ReadDir(filepath.Dir(full)); len(entries) != 1 {
		t.Errorf("beside it: %v", entries)
	}
	// An empty directory is a fine target, and so is one inside a new
	// parent.
	for _, dir := range []string{t.TempDir(), filepath.Join(t.TempDir(), "a", "b", "store")} {
		if _, err := Restore(dir, bytes.NewReader(b), RestoreOptions{}); err != nil {
			t.Fatalf("restore into %s: %v", dir, err)
		}
		r, err := Open(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(dump(t, r)), len(dump(t, s)); got != want {
			t.Errorf("%s: %d keys, want %d", dir, got, want)
		}
		r.Close()
	}
	if _, err := Restore("", bytes.NewReader(b), RestoreOptions{}); err == nil {
		t.Error("restore without a directory")
	}
	if _, err := s.Backup(io.Discard, BackupOptions{}); err == nil || !strings.Contains(err.Error(), "no creation time") {
		t.Errorf("backup without a time: %v", err)
	}
}

func TestIsLocked(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = Open(dir, Options{})
	if err == nil || !IsLocked(err) {
		t.Fatalf("second open: %v, want a lock error", err)
	}
	if IsLocked(errors.New("store: open x: permission denied")) || IsLocked(nil) {
		t.Error("IsLocked of another error")
	}
}

func TestAssessedSubjects(t *testing.T) {
	s := openTest(t)
	err := s.Update(func(tx *Tx) error {
		for _, a := range []struct {
			subject string
			at      string
		}{{"559", "2026-01-01"}, {"5591", "2026-01-02"}, {"5591", "2026-01-03"}, {"559", "2026-01-04"}, {"6000", "2026-01-01"}} {
			if err := tx.PutAssessment(StoredAssessment{Subject: a.subject, At: day(a.at), Ruleset: "r", Data: []byte(`{}`)}); err != nil {
				return err
			}
		}
		return tx.SetLastResult("7000", Result{Digest: "x"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.AssessedSubjects(); err != nil || fmt.Sprint(got) != "[559 5591 6000]" {
		t.Errorf("subjects %v %v", got, err)
	}
}
