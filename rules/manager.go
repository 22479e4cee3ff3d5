package rules

import (
	"log/slog"
	"sync"
	"time"
)

// Manager holds the running rule Set. A reload that fails keeps the
// previous Set running and records why.
type Manager struct {
	mu      sync.RWMutex
	set     *Set
	lastErr error
	loaded  time.Time
	log     *slog.Logger
}

// NewManager returns a Manager running set.
func NewManager(set *Set, log *slog.Logger) *Manager {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Manager{set: set, log: log}
}

// Set returns the running Set.
func (m *Manager) Set() *Set {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.set
}

// Reload replaces the running Set by what load returns, unless load fails:
// then the previous Set stays and the error is returned and kept.
func (m *Manager) Reload(load func() (*Set, error), at time.Time) error {
	set, err := load()
	m.mu.Lock()
	defer m.mu.Unlock()
	if err != nil {
		m.lastErr = err
		m.log.Error("rule pack reload failed; keeping the previous rules", "ruleset", m.set.Version(), "err", err)
		return err
	}
	m.log.Info("rule pack loaded", "ruleset", set.Version(), "previous", m.set.Version(), "rules", len(set.Rules))
	m.set, m.lastErr, m.loaded = set, nil, at
	return nil
}

// LastError returns why the last reload failed, or nil after a success.
func (m *Manager) LastError() error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.lastErr
}
