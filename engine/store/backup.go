package store

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Backups
//
// A backup is one consistent snapshot of the whole store: every key of
// every kind (records, indexes, quarantine, assessments, last results,
// documents with the audit trail, the outbox and the per-organisation
// event counters), read in a single Badger read transaction while writers
// go on. Badger's own DB.Backup is not used: outside managed mode its
// stream reads with one transaction per goroutine, which is not one
// snapshot, and DB.Load trusts the lengths inside the stream before any
// checksum has been seen.
//
// The file is
//
//	VAKSAM-BACKUP 1\n                 magic and format version, plain text
//	a gzip member (RFC 1952) holding records, each
//	    kind (1 byte), payload length (uvarint), payload
//	  'H'  the header, JSON (BackupHeader): format, created, store_format,
//	       keys, files (name → bytes, base64)
//	  'K'  one key and its value: key length (uvarint), key, value;
//	       one record per key, in key order
//	  'E'  the end, JSON: {"keys": N, "sha256": "<hex>"}
//
// The sha256 of the end record is the digest of the snapshot: SHA-256
// over, for each key in key order, uvarint(len key), key, uvarint(len
// value), value. gzip's CRC-32 and length catch a corrupt or truncated
// file; a file cut at a record boundary and closed cleanly lacks the end
// record. Restore reads the store back after loading and checks the key
// count and the digest again.
//
// Nothing in the store is a Badger Sequence (a leased counter that could
// hand out a number twice after a restore): the outbox position is the
// highest waiting event's plus one, found when the store opens, and each
// organisation's event counter (c 0 <org>) is a key of the snapshot. A
// restored store goes on numbering from the snapshot's values.
//
// Files are small files kept beside the store that a restore needs, such
// as the pseudonym key: a backup holding them is as sensitive as the data
// directory itself.

// BackupMagic starts every backup file.
const BackupMagic = "VAKSAM-BACKUP"

// BackupFormat is the version of the backup file format.
const BackupFormat = 1

// magicLine is the plain-text first line of a backup.
var magicLine = fmt.Sprintf("%s %d\n", BackupMagic, BackupFormat)

// StoreFormat is the version of the store's key layout (doc.go). A
// backup of a newer layout is refused.
const StoreFormat = 1

// Record kinds of a backup.
const (
	recHeader = 'H'
	recKV     = 'K'
	recEnd    = 'E'
)

// maxRecord bounds one record: a corrupt length must not make a reader
// allocate without end. Badger's own limit on a value is below it.
const maxRecord = 1 << 30

var errRecordSize = errors.New("record longer than a backup record can be")

// BackupOptions configure Backup.
type BackupOptions struct {
	// Created is when the backup was made; required (nothing here reads
	// the clock).
	Created time.Time
	// Files are kept in the backup beside the store (the pseudonym key).
	Files map[string][]byte
}

// BackupHeader is the header record of a backup.
type BackupHeader struct {
	Format      int               `json:"format"`
	Created     time.Time         `json:"created"`
	StoreFormat int               `json:"store_format"`
	Keys        int64             `json:"keys"`
	Files       map[string][]byte `json:"files,omitempty"`
}

type backupEnd struct {
	Keys   int64  `json:"keys"`
	SHA256 string `json:"sha256"`
}

// BackupInfo describes a backup written, read or restored.
type BackupInfo struct {
	BackupHeader
	// Digest is the snapshot's SHA-256 (hex), as the end record gives it.
	Digest string
	// Bytes is the size of the backup file: written by Backup, read by
	// ReadBackup and Restore.
	Bytes int64
}

// ErrNotEmpty reports a restore into a directory that holds something.
var ErrNotEmpty = errors.New("target directory is not empty")

// ErrDamaged reports a backup that is truncated or corrupt.
var ErrDamaged = errors.New("the backup is damaged")

// Backup writes a consistent snapshot of the store to w while the store
// stays in use. Nothing is written to w after an error, but what was
// written is not a valid backup.
func (s *Store) Backup(w io.Writer, o BackupOptions) (BackupInfo, error) {
	if o.Created.IsZero() {
		return BackupInfo{}, errors.New("store: backup: no creation time given")
	}
	txn := s.db.NewTransaction(false)
	defer txn.Discard()
	// The key count for the header, from the same snapshot.
	var keys int64
	it := txn.NewIterator(badger.IteratorOptions{})
	for it.Rewind(); it.Valid(); it.Next() {
		keys++
	}
	it.Close()

	var size byteCount
	cw := io.MultiWriter(w, &size)
	if _, err := io.WriteString(cw, magicLine); err != nil {
		return BackupInfo{}, fmt.Errorf("store: backup: %w", err)
	}
	zw, err := gzip.NewWriterLevel(cw, gzip.BestSpeed)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("store: backup: %w", err)
	}
	bw := bufio.NewWriterSize(zw, 256<<10)
	info := BackupInfo{BackupHeader: BackupHeader{Format: BackupFormat, Created: o.Created.UTC(), StoreFormat: StoreFormat, Keys: keys, Files: o.Files}}
	hdr, err := json.Marshal(info.BackupHeader)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("store: backup: header: %w", err)
	}
	if err := writeRecord(bw, recHeader, hdr); err != nil {
		return BackupInfo{}, fmt.Errorf("store: backup: %w", err)
	}
	d := newDigest()
	var rec []byte
	n, err := eachKey(txn, func(k, v []byte) error {
		d.add(k, v)
		rec = binary.AppendUvarint(rec[:0], uint64(len(k)))
		rec = append(append(rec, k...), v...)
		return writeRecord(bw, recKV, rec)
	})
	if err != nil {
		return BackupInfo{}, fmt.Errorf("store: backup: %w", err)
	}
	if n != keys {
		return BackupInfo{}, fmt.Errorf("store: backup: the snapshot had %d keys, then %d", keys, n)
	}
	info.Digest = d.sum()
	end, err := json.Marshal(backupEnd{Keys: n, SHA256: info.Digest})
	if err == nil {
		err = writeRecord(bw, recEnd, end)
	}
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		return BackupInfo{}, fmt.Errorf("store: backup: %w", err)
	}
	info.Bytes = int64(size)
	return info, nil
}

// ReadBackup reads a whole backup and checks it (the header, every record,
// the end record, the digest and gzip's checksum) without restoring it.
func ReadBackup(r io.Reader) (BackupInfo, error) {
	info, err := readBackup(r, func([]byte, []byte) error { return nil })
	if err != nil {
		return BackupInfo{}, fmt.Errorf("store: backup: %w", err)
	}
	return info, nil
}

// RestoreOptions configure Restore.
type RestoreOptions struct {
	Logger *slog.Logger
}

// Restore loads a backup into a new store in dir, which must not exist or
// be empty. It loads into a temporary directory beside dir, reads the
// loaded store back to check the key count and digest, and only then
// renames it to dir: a truncated or corrupt backup leaves nothing behind.
// The backup's files (BackupInfo.Files) are returned, not written.
func Restore(dir string, r io.Reader, o RestoreOptions) (BackupInfo, error) {
	info, err := restore(dir, r, o)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("store: restore into %s: %w", dir, err)
	}
	return info, nil
}

func restore(dir string, r io.Reader, o RestoreOptions) (info BackupInfo, err error) {
	if dir == "" {
		return info, errors.New("no directory given")
	}
	empty, err := emptyOrAbsent(dir)
	if err != nil {
		return info, err
	}
	if !empty {
		return info, ErrNotEmpty
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o750); err != nil {
		return info, err
	}
	tmp, err := os.MkdirTemp(parent, filepath.Base(filepath.Clean(dir))+".tmp-")
	if err != nil {
		return info, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if info, err = load(tmp, r, o); err != nil {
		return info, err
	}
	if err := os.Remove(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		return info, err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return info, err
	}
	if err := syncDir(parent); err != nil {
		return info, err
	}
	return info, nil
}

// load fills a new store in dir with the backup r and reads the store
// back, checking that it holds the backup's keys and values, and closes
// it.
func load(dir string, r io.Reader, o RestoreOptions) (info BackupInfo, err error) {
	st, err := Open(dir, Options{Logger: o.Logger})
	if err != nil {
		return info, err
	}
	defer func() {
		if cerr := st.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close: %w", cerr)
		}
	}()
	wb := st.db.NewWriteBatch()
	info, err = readBackup(r, func(k, v []byte) error { return wb.Set(k, v) })
	if err != nil {
		wb.Cancel()
		return info, err
	}
	if err := wb.Flush(); err != nil {
		return info, fmt.Errorf("write: %w", err)
	}
	// Read back what was loaded: the same keys, values and order.
	keys, digest, err := st.digest()
	if err != nil {
		return info, fmt.Errorf("read back: %w", err)
	}
	if keys != info.Keys || digest != info.Digest {
		return info, fmt.Errorf("read back: %d keys with digest %s, the backup has %d keys with digest %s", keys, digest, info.Keys, info.Digest)
	}
	return info, nil
}

// digest reads the whole store as Backup does and returns the key count
// and the snapshot digest.
func (s *Store) digest() (int64, string, error) {
	d := newDigest()
	var n int64
	err := s.db.View(func(txn *badger.Txn) (err error) {
		n, err = eachKey(txn, func(k, v []byte) error { d.add(k, v); return nil })
		return err
	})
	return n, d.sum(), err
}

// eachKey calls fn with every key and value of the transaction's
// snapshot, in key order (slices valid only during the call), and returns
// how many there were.
func eachKey(txn *badger.Txn, fn func(k, v []byte) error) (int64, error) {
	it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, PrefetchSize: 256})
	defer it.Close()
	var n int64
	for it.Rewind(); it.Valid(); it.Next() {
		k := it.Item().Key()
		if err := it.Item().Value(func(v []byte) error { return fn(k, v) }); err != nil {
			return n, fmt.Errorf("key %q: %w", k, err)
		}
		n++
	}
	return n, nil
}

// readBackup parses a backup, calling kv with each key and value (fresh
// slices the callee may keep), and checks it to the last byte.
func readBackup(r io.Reader, kv func(k, v []byte) error) (BackupInfo, error) {
	var info BackupInfo
	var size byteCount
	br := bufio.NewReader(io.TeeReader(r, &size))
	line, err := br.ReadString('\n')
	switch {
	case err != nil && line == "":
		return info, errors.New("empty file: not a Vaksam backup")
	case !strings.HasPrefix(line, BackupMagic+" "):
		return info, fmt.Errorf("not a Vaksam backup (it does not start with %q)", BackupMagic)
	case line != magicLine:
		return info, fmt.Errorf("backup format %q is not supported (this Vaksam reads format %d)", strings.TrimSpace(strings.TrimPrefix(line, BackupMagic)), BackupFormat)
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return info, readErr("compressed data", err)
	}
	zr.Multistream(false)
	zb := bufio.NewReaderSize(zr, 256<<10)
	kind, hdr, err := readRecord(zb)
	if err != nil {
		return info, readErr("header", err)
	}
	if kind != recHeader {
		return info, fmt.Errorf("%w: header: record %q where the header belongs", ErrDamaged, kind)
	}
	if err := json.Unmarshal(hdr, &info.BackupHeader); err != nil {
		return info, fmt.Errorf("%w: header: %v", ErrDamaged, err)
	}
	switch h := info.BackupHeader; {
	case h.Format != BackupFormat:
		return info, fmt.Errorf("header: format %d, want %d", h.Format, BackupFormat)
	case h.StoreFormat > StoreFormat || h.StoreFormat < 1:
		return info, fmt.Errorf("header: store format %d is not one this Vaksam knows (%d); restore with the Vaksam that made it or a newer one", h.StoreFormat, StoreFormat)
	case h.Keys < 0:
		return info, fmt.Errorf("header: %d keys", h.Keys)
	}
	d := newDigest()
	var (
		n    int64
		prev []byte
		end  *backupEnd
	)
	for end == nil {
		kind, p, err := readRecord(zb)
		if err != nil {
			return info, readErr(fmt.Sprintf("record %d", n+1), err)
		}
		switch kind {
		case recKV:
			kl, w := binary.Uvarint(p)
			if w <= 0 || kl == 0 || kl > uint64(len(p)-w) {
				return info, fmt.Errorf("%w: record %d: bad key length", ErrDamaged, n+1)
			}
			k, v := p[w:w+int(kl)], p[w+int(kl):]
			if prev != nil && bytes.Compare(prev, k) >= 0 {
				return info, fmt.Errorf("%w: record %d: key %q out of order", ErrDamaged, n+1, k)
			}
			prev = k
			n++
			d.add(k, v)
			if err := kv(k, v); err != nil {
				return info, fmt.Errorf("key %q: %w", k, err)
			}
		case recEnd:
			end = &backupEnd{}
			if err := json.Unmarshal(p, end); err != nil {
				return info, fmt.Errorf("%w: end record: %v", ErrDamaged, err)
			}
		default:
			return info, fmt.Errorf("%w: record %d: unknown kind %q", ErrDamaged, n+1, kind)
		}
	}
	// Read to the end of the gzip member, where its checksum is checked.
	if extra, err := io.Copy(io.Discard, zb); err != nil {
		return info, readErr("after the end record", err)
	} else if extra > 0 {
		return info, fmt.Errorf("%w: %d bytes after the end record", ErrDamaged, extra)
	}
	if extra, err := io.Copy(io.Discard, br); err != nil {
		return info, err
	} else if extra > 0 {
		return info, fmt.Errorf("%w: %d bytes after the compressed data", ErrDamaged, extra)
	}
	info.Digest = d.sum()
	switch {
	case end.Keys != n || info.Keys != n:
		return info, fmt.Errorf("%w: %d keys read, the header says %d and the end record %d", ErrDamaged, n, info.Keys, end.Keys)
	case end.SHA256 != info.Digest:
		return info, fmt.Errorf("%w: the keys and values read hash to %s, the end record says %s", ErrDamaged, info.Digest, end.SHA256)
	}
	info.Bytes = int64(size)
	return info, nil
}

// readErr names what a failed read of the compressed part means.
func readErr(what string, err error) error {
	var corrupt flate.CorruptInputError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return fmt.Errorf("%w: %s: truncated (the file ends early): %v", ErrDamaged, what, err)
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader), errors.As(err, &corrupt), errors.Is(err, errRecordSize):
		return fmt.Errorf("%w: %s: corrupt: %v", ErrDamaged, what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func writeRecord(w *bufio.Writer, kind byte, p []byte) error {
	var hdr [1 + binary.MaxVarintLen64]byte
	hdr[0] = kind
	n := binary.PutUvarint(hdr[1:], uint64(len(p)))
	if _, err := w.Write(hdr[:1+n]); err != nil {
		return err
	}
	_, err := w.Write(p)
	return err
}

// readRecord reads one record into a fresh slice. A record that ends
// early is io.ErrUnexpectedEOF, as is a missing one: a backup ends with
// its end record.
func readRecord(r *bufio.Reader) (kind byte, p []byte, err error) {
	defer func() {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
	}()
	if kind, err = r.ReadByte(); err != nil {
		return 0, nil, err
	}
	l, err := binary.ReadUvarint(r)
	if err != nil {
		return 0, nil, err
	}
	if l > maxRecord {
		return 0, nil, fmt.Errorf("%w: %d bytes", errRecordSize, l)
	}
	// Grow with what arrives rather than trusting the length up front.
	var b bytes.Buffer
	b.Grow(int(min(l, 1<<20)))
	// CopyN fails (io.EOF when r ends) unless it copied all l bytes.
	if _, err := io.CopyN(&b, r, int64(l)); err != nil {
		return 0, nil, err
	}
	return kind, b.Bytes(), nil
}

type snapshotDigest struct {
	h   hash.Hash
	buf []byte
}

func newDigest() *snapshotDigest { return &snapshotDigest{h: sha256.New()} }

func (d *snapshotDigest) add(k, v []byte) {
	d.buf = binary.AppendUvarint(d.buf[:0], uint64(len(k)))
	d.h.Write(d.buf)
	d.h.Write(k)
	d.buf = binary.AppendUvarint(d.buf[:0], uint64(len(v)))
	d.h.Write(d.buf)
	d.h.Write(v)
}

func (d *snapshotDigest) sum() string { return hex.EncodeToString(d.h.Sum(nil)) }

// byteCount counts the bytes written to it: the size of a backup as it
// is written (io.MultiWriter) or read (io.TeeReader).
type byteCount int64

func (c *byteCount) Write(p []byte) (int, error) {
	*c += byteCount(len(p))
	return len(p), nil
}

// emptyOrAbsent reports whether dir does not exist or is an empty
// directory.
func emptyOrAbsent(dir string) (bool, error) {
	f, err := os.Open(dir)
	if errors.Is(err, os.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	names, err := f.Readdirnames(1)
	if errors.Is(err, io.EOF) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s: %w", dir, err)
	}
	return len(names) == 0, nil
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// IsLocked reports whether err is Badger refusing to open a store that
// another process (a running vaksam serve) holds open. Badger does not
// wrap the cause, so its message is what tells.
func IsLocked(err error) bool {
	return err != nil && strings.Contains(err.Error(), "Cannot acquire directory lock")
}

// AssessedSubjects lists the subjects that have stored assessments, in
// order: what a check of a restored store screens again.
func (s *Store) AssessedSubjects() ([]string, error) {
	var out []string
	err := s.db.View(func(txn *badger.Txn) (err error) {
		out, err = assessedSubjects(txn)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: assessed subjects: %w", err)
	}
	return out, nil
}

func assessedSubjects(txn *badger.Txn) ([]string, error) {
	prefix := []byte{'a', sep}
	var out []string
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	defer it.Close()
	for it.Rewind(); it.Valid(); {
		k := it.Item().Key()[len(prefix):]
		i := bytes.IndexByte(k, sep)
		if i < 0 {
			it.Next()
			continue
		}
		subject := string(k[:i])
		out = append(out, subject)
		// Skip the subject's other assessments.
		it.Seek(append(append(append([]byte(nil), prefix...), subject...), sep+1))
	}
	return out, nil
}
