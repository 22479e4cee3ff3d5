package bulkfile

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
)

// makeZip writes a zip holding a bulk file of n rows (WriteSampleZip)
// and returns its path.
func makeZip(t testing.TB, dir string, n int) string {
	t.Helper()
	path := filepath.Join(dir, "bolagsverket_bulkfil.zip")
	if err := WriteSampleZip(path, n); err != nil {
		t.Fatal(err)
	}
	return path
}

// fakeServer serves a zip file with an ETag and a Last-Modified and
// answers conditional requests (http.ServeContent honours If-None-Match
// and If-Modified-Since).
type fakeServer struct {
	*httptest.Server
	mu       sync.Mutex
	path     string
	etag     string
	modified time.Time
	fail     int // answer this many requests with 503 first
	requests []http.Header
	statuses []int
}

func newFakeServer(t testing.TB, zipPath, etag string, modified time.Time) *fakeServer {
	fs := &fakeServer{path: zipPath, etag: etag, modified: modified}
	fs.Server = httptest.NewServer(http.HandlerFunc(fs.serve))
	t.Cleanup(fs.Close)
	return fs
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) { s.status = code; s.ResponseWriter.WriteHeader(code) }

func (fs *fakeServer) serve(w http.ResponseWriter, r *http.Request) {
	fs.mu.Lock()
	fs.requests = append(fs.requests, r.Header.Clone())
	path, etag, mod := fs.path, fs.etag, fs.modified
	fail := fs.fail > 0
	if fail {
		fs.fail--
	}
	fs.mu.Unlock()
	rec := &statusRecorder{ResponseWriter: w, status: 200}
	defer func() {
		fs.mu.Lock()
		fs.statuses = append(fs.statuses, rec.status)
		fs.mu.Unlock()
	}()
	if fail {
		http.Error(rec, "try later", http.StatusServiceUnavailable)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		http.Error(rec, err.Error(), 500)
		return
	}
	defer f.Close()
	if etag != "" {
		rec.Header().Set("ETag", etag)
	}
	rec.Header().Set("Content-Type", "application/zip")
	http.ServeContent(rec, r, "bolagsverket_bulkfil.zip", mod, f)
}

func (fs *fakeServer) log() ([]http.Header, []int) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]http.Header(nil), fs.requests...), append([]int(nil), fs.statuses...)
}

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }
func (wallClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func newFetcher(url, dir string) *Fetcher {
	return &Fetcher{
		Client: &connectors.Client{Source: record.BolagsverketBulk, HTTP: http.DefaultClient, Clock: wallClock{}, Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond},
		URL:    url,
		Dir:    dir,
	}
}

func persons(t testing.TB) record.Pseudonymizer {
	p, err := record.NewHMACPseudonymizer([]byte("bulkfile tests: not a secret"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func openStore(t testing.TB, dir string) *store.Store {
	t.Helper()
	s, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func writeField(h hash.Hash, b []byte) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(b)))
	h.Write(n[:])
	h.Write(b)
}

// kvDigest hashes every key and value in the store: two stores with the
// same digest hold the same records, versions, observations, indexes and
// quarantine entries, byte for byte.
func kvDigest(t testing.TB, s *store.Store) (string, int) {
	t.Helper()
	h := sha256.New()
	n := 0
	err := s.DB().View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.DefaultIteratorOptions)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			writeField(h, it.Item().Key())
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			writeField(h, v)
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil)), n
}

// scanDigest hashes every record as the engine reads it (Store.Scan with
// history and raw bytes): current version, content hash, first and last
// observation, error.
func scanDigest(t testing.TB, s *store.Store) (string, int) {
	t.Helper()
	h := sha256.New()
	n := 0
	opts := store.ScanOptions{At: time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC), History: map[string]bool{record.BolagsverketBulk: true}, Raw: true}
	err := s.Scan(opts, func(subject string, recs []store.Resolved) error {
		for _, r := range recs {
			n++
			writeField(h, []byte(r.ID.String()))
			writeField(h, []byte(r.LastObserved.UTC().Format(time.RFC3339Nano)))
			writeField(h, []byte(r.LastSuccess.UTC().Format(time.RFC3339Nano)))
			writeField(h, []byte(r.Error))
			for _, v := range r.History {
				writeField(h, []byte(fmt.Sprintf("%d %x %s %s", v.N, v.Hash, v.FirstObserved.UTC().Format(time.RFC3339Nano), v.Pos)))
				writeField(h, v.Raw)
				writeField(h, v.Parsed)
			}
			if c := r.Current; c != nil {
				writeField(h, []byte(fmt.Sprintf("current %d %x", c.N, c.Hash)))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil)), n
}

func writeZip(t testing.TB, path string, files map[string]string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, body := range files {
		w, _ := zw.Create(name)
		io.WriteString(w, body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}
