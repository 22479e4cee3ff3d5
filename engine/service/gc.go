package service

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/vaksam/vaksam/engine/settings"
	"github.com/vaksam/vaksam/engine/store"
)

// Collected is what GC did to a stopped store: what Prune removed (or
// would), and the store's size before and after.
type Collected struct {
	store.Pruned
	Before, After int64
}

// GC applies the retention policy to the stopped store in storeDir (Prune),
// then, unless dryRun, compacts it and closes it so that the space comes
// back (vaksam gc). A store in use is refused.
func GC(ctx context.Context, storeDir string, cfg *settings.Config, now time.Time, dryRun bool, log *slog.Logger) (Collected, error) {
	var c Collected
	var err error
	if c.Before, err = store.Size(storeDir); err != nil { // closed: no file preallocated
		return c, err
	}
	st, err := store.Open(storeDir, store.Options{Logger: log})
	if err != nil {
		if store.IsLocked(err) {
			return c, fmt.Errorf("gc: the store is in use (a running vaksam serve prunes on its own schedule): %w", err)
		}
		return c, err
	}
	closed := false
	defer func() {
		if !closed {
			st.Close()
		}
	}()
	if c.Pruned, err = Prune(ctx, NewDesk(cfg.Review, st, log), cfg.Retention, now, dryRun); err != nil || dryRun {
		return c, err
	}
	if err := st.Compact(2); err != nil {
		return c, err
	}
	closed = true
	if err := st.Close(); err != nil {
		return c, fmt.Errorf("gc: close the store: %w", err)
	}
	c.After, err = store.Size(storeDir)
	return c, err
}
