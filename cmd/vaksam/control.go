package main

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/vaksam/vaksam/engine/service"
	"github.com/vaksam/vaksam/engine/store"
)

// serveControl is service.ServeControl: DATA/control.sock answering
// backups of st, with the data directory's backup files.
func serveControl(ctx context.Context, dataDir string, st *store.Store, now func() time.Time, log *slog.Logger) (stop func(), err error) {
	return service.ServeControl(ctx, dataDir, st, now, log, func() (map[string][]byte, error) { return backupFiles(dataDir) })
}

// controlBackup asks the serve running on dataDir for a backup and copies
// it to w (service.ControlBackup).
func controlBackup(ctx context.Context, dataDir string, w io.Writer) error {
	return service.ControlBackup(ctx, dataDir, w)
}

func controlSocketPath(dataDir string) string { return service.ControlSocketPath(dataDir) }
