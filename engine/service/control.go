package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/vaksam/vaksam/engine/store"
)

// The control socket lets commands reach a running `vaksam serve` that
// holds the store open (Badger locks its directory against every other
// process). It is a Unix socket in the data directory, DATA/control.sock,
// mode 0600, so only the account that runs Vaksam (and root) can use it,
// and it is removed when serve stops. The protocol is HTTP/1.1:
//
//	GET /backup    200 and a backup of the store (engine/store, Backup) as
//	               the body, taken now; a failure part-way breaks the
//	               connection, so the client never sees a clean end
const ControlSocketName = "control.sock"

// maxUnixPath is the longest path a Unix socket may have on Linux (the
// 108 bytes of sun_path, less the terminating NUL).
const maxUnixPath = 107

// ControlSocketPath is the control socket of a data directory.
func ControlSocketPath(dataDir string) string { return filepath.Join(dataDir, ControlSocketName) }

// ServeControl listens on DATA/control.sock and answers backups of st,
// with the files extra returns beside the store, until ctx ends or stop
// is called. stop closes the socket, ends a backup
// in progress (its client sees an error) and returns once no handler runs,
// so the store can be closed after it. A socket file left by a process
// that died is replaced; one that another process answers on is an error.
func ServeControl(ctx context.Context, dataDir string, st *store.Store, now func() time.Time, log *slog.Logger, extra func() (map[string][]byte, error)) (stop func(), err error) {
	path := ControlSocketPath(dataDir)
	if len(path) > maxUnixPath {
		return nil, fmt.Errorf("control socket %s: the path is %d bytes, a Unix socket's may have at most %d: use a shorter data directory", path, len(path), maxUnixPath)
	}
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&fs.ModeSocket == 0 {
			return nil, fmt.Errorf("control socket %s: a file that is not a socket is in the way", path)
		}
		if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
			c.Close()
			return nil, fmt.Errorf("control socket %s: another process answers on it (another vaksam serve on the same data directory?)", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("control socket %s: remove the stale socket: %w", path, err)
		}
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	var (
		mu      sync.Mutex
		closed  bool
		running sync.WaitGroup // handlers using the store
	)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /backup", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if closed {
			mu.Unlock()
			http.Error(w, "vaksam serve is stopping", http.StatusServiceUnavailable)
			return
		}
		running.Add(1)
		mu.Unlock()
		defer running.Done()
		files, err := extra()
		if err != nil {
			log.Error("control: backup", "err", err)
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		started := now()
		info, err := st.Backup(w, store.BackupOptions{Created: started, Files: files})
		if err != nil {
			log.Error("control: backup failed part-way", "err", err)
			// Break the connection: a client must not take what it got
			// for a whole backup.
			panic(http.ErrAbortHandler)
		}
		log.Info("control: backup served", "keys", info.Keys, "bytes", info.Bytes, "took", now().Sub(started))
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	served := make(chan struct{})
	go func() {
		defer close(served)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("control socket", "err", err)
		}
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			mu.Lock()
			closed = true
			mu.Unlock()
			srv.Close()
			<-served
			running.Wait()
			if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				log.Warn("control socket: remove", "path", path, "err", err)
			}
		})
	}
	go func() {
		select {
		case <-ctx.Done():
			stop()
		case <-served:
		}
	}()
	return stop, nil
}

// ErrNoControl reports a store held open by a process that does not
// answer on the control socket.
var ErrNoControl = errors.New("no running vaksam serve answers on the control socket")

// ControlBackup asks the serve running on dataDir for a backup and copies
// it to w.
func ControlBackup(ctx context.Context, dataDir string, w io.Writer) error {
	path := ControlSocketPath(dataDir)
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", path)
	}}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://vaksam/backup", nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return fmt.Errorf("the store in %s is in use by another process, and %w (%s): %v", dataDir, ErrNoControl, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		return fmt.Errorf("control socket %s: backup: %s: %s", path, resp.Status, strings.TrimSpace(string(msg)))
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("control socket %s: backup broke off: %w", path, err)
	}
	return nil
}
