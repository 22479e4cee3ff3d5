package shadow

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/rules"
)

// The candidate that runs, and its promotion request, are kept in the
// store (one document, written with the audit entry of each change), so
// that a restart runs it again (Restore).
const (
	stateKind = "shadow-state"
	stateID   = "current"
)

// state is the stored candidate; zero: none runs.
type state struct {
	Path    string     `json:"path,omitempty"`
	Ruleset string     `json:"ruleset,omitempty"`
	By      string     `json:"by,omitempty"`
	Since   time.Time  `json:"since,omitzero"`
	Request *Promotion `json:"request,omitempty"`
	Person  string     `json:"person,omitempty"` // who requested the promotion
}

// candidate makes the candidate of set, with its screener: the live
// one's thresholds and lists, and a save hook that refuses.
func (r *Runner) candidate(set *rules.Set, path, by string, since time.Time) (*candidate, error) {
	sc, err := screening.NewScreener(r.Store, func() *rules.Set { return set }, r.Live.Settings(),
		func(*store.Tx, *screening.Assessment, screening.Change) error { return errRefuseSaves })
	if err != nil {
		return nil, fmt.Errorf("shadow screener: %w", err)
	}
	sc.Lists, sc.Log = r.Live.Lists, r.Live.Log
	return &candidate{set: set, sc: sc, path: path, by: by, since: since}, nil
}

// record appends e to the audit trail and stores next (nil: none runs)
// as the candidate, in one transaction.
func (r *Runner) record(e audit.Entry, next *candidate) error {
	var st state
	if next != nil {
		st = state{Path: next.path, Ruleset: next.set.Version(), By: next.by, Since: next.since, Request: next.request, Person: next.person}
	}
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	err = r.Store.Update(func(tx *store.Tx) error {
		if _, err := audit.Append(tx, e); err != nil {
			return err
		}
		return tx.Put(stateKind, stateID, b)
	})
	if err != nil {
		return fmt.Errorf("shadow: %s: %w", e.Action, err)
	}
	return nil
}

// Restore runs at start. The configuration's candidate set (from path),
// if any, runs; otherwise the stored one, loaded again from its files.
// When the stored candidate is the same pack (path and version), it runs
// on as it was: who set it, since when, and its promotion request;
// otherwise the configuration's starts anew (audited). A stored
// candidate whose files are gone or changed does not run (logged).
func (r *Runner) Restore(set *rules.Set, path string, at time.Time) error {
	var st state
	b, err := r.Store.Doc(stateKind, stateID)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return fmt.Errorf("shadow: the stored candidate: %w", err)
	default:
		if err := json.Unmarshal(b, &st); err != nil {
			return fmt.Errorf("shadow: the stored candidate: %w", err)
		}
	}
	stored := set == nil && st.Path != ""
	if stored {
		path = st.Path
		if set, err = rules.LoadPath(path, r.Overrides); err != nil {
			r.log().Error("shadow: the stored candidate does not load; it does not run", "path", path, "ruleset", st.Ruleset, "err", err)
			return nil
		}
	}
	if set == nil {
		return nil
	}
	if st.Path != path || st.Ruleset != set.Version() {
		if stored {
			r.log().Warn("shadow: the stored candidate's files changed; it does not run", "path", path, "was", st.Ruleset, "now", set.Version())
			return nil
		}
		return r.Start(set, path, audit.System, at)
	}
	c, err := r.candidate(set, path, st.By, st.Since)
	if err != nil {
		return err
	}
	c.request, c.person = st.Request, st.Person
	r.mu.Lock()
	r.cur = c
	r.mu.Unlock()
	r.log().Info("rule pack runs in shadow again", "ruleset", set.Version(), "since", st.Since, "promotion_requested", st.Request != nil)
	return nil
}
