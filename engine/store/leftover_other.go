//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package store

import "log/slog"

// removeEmptyLogs does nothing where the directory cannot be locked as
// Badger locks it: an empty write-ahead file is left for Badger.
func removeEmptyLogs(string, *slog.Logger) error { return nil }
