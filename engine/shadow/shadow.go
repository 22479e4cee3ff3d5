// Package shadow runs a candidate rule pack in shadow beside the live one
// (issue 17, point 3): every screening serve does is repeated with the
// candidate over the same store, at the same time, for the same
// organisations; each result is stored in its own documents with the
// candidate's ruleset id and compared with the live result (step,
// verdict, hits added and removed). The shadow never saves an
// assessment, so it never opens an alert, never writes to the outbox
// (nothing is published on NATS) and never changes what a caller is
// answered: its screener has no save hook but one that refuses.
//
// An admin promotes the candidate with four eyes: one requests, a second,
// different admin approves; both are audited. Then the candidate becomes
// the live set (rules.Manager.Reload: the previous set is kept when
// anything fails), its files are kept in the data directory so that a
// restart runs it (Runner.Dir), and the shadow is cleared.
package shadow

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/rules"
)

// Errors of the shadow's administration; the API answers them 409 (and
// ErrSameAdmin 403).
var (
	ErrNoShadow    = errors.New("shadow: no candidate rule pack runs in shadow")
	ErrNoRequest   = errors.New("shadow: nobody has requested the promotion of the candidate that runs")
	ErrSameAdmin   = errors.New("shadow: the promotion must be approved by another admin than the one who requested it (four eyes)")
	ErrRequested   = errors.New("shadow: the promotion of this candidate is already requested")
	errRefuseSaves = errors.New("shadow: the shadow screener never saves an assessment")
)

// ResultKind is the document kind of the shadow's results, one per
// candidate and organisation ("<ruleset>|<orgnr>"): the newest.
const ResultKind = "shadow-result"

// Runner holds the candidate that runs in shadow, if any.
type Runner struct {
	Store *store.Store
	// Live is the live screener: the shadow screens with its thresholds
	// and sanctions lists.
	Live *screening.Screener
	// Rules holds the live set; a promotion reloads it.
	Rules *rules.Manager
	// Overrides are the configuration's rules.params and rules.lists,
	// which a candidate loaded by path is compiled with, as the live one.
	Overrides rules.Overrides
	// Dir, when set, is where a promoted pack's files are kept (the data
	// directory's PromotedDir) so that a restart runs it.
	Dir string
	// Promoted, if set, runs after a promotion replaced the live set (the
	// service writes the change of the running rules to the audit trail).
	Promoted func(at time.Time) error
	Log      *slog.Logger

	mu  sync.Mutex
	cur *candidate // nil: no shadow
}

// candidate is the pack that runs in shadow.
type candidate struct {
	set     *rules.Set
	sc      *screening.Screener
	path    string
	by      string
	since   time.Time
	request *Promotion
	// person is who requested the promotion: four eyes compares persons
	// (access.Principal.Person), so that a person's token and session
	// are one.
	person string
}

// Promotion is a request to make the candidate the live set.
type Promotion struct {
	Ruleset     string    `json:"ruleset"`
	RequestedBy string    `json:"requested_by"`
	RequestedAt time.Time `json:"requested_at"`
}

func (r *Runner) log() *slog.Logger {
	if r.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Log
}

// Load compiles the pack at path (a file or a directory, strictly, as the
// live pack is) with the configuration's overrides and runs it in shadow
// (Start). A pack that does not load changes nothing.
func (r *Runner) Load(path, actor string, at time.Time) (*rules.Set, error) {
	// Only pack files are read: an admin's path names no other file of
	// the server, whose lines a parse error would quote.
	if info, err := os.Stat(path); err == nil && !info.IsDir() && !strings.HasSuffix(path, ".yaml") && !strings.HasSuffix(path, ".yml") {
		return nil, fmt.Errorf("shadow rule pack %s: not a directory nor a *.yaml file", path)
	}
	set, err := rules.LoadPath(path, r.Overrides)
	if err != nil {
		return nil, fmt.Errorf("shadow rule pack %s: %w", path, err)
	}
	return set, r.Start(set, path, actor, at)
}

// Start runs set in shadow, in place of any candidate before it (whose
// promotion request lapses), and audits it.
func (r *Runner) Start(set *rules.Set, path, actor string, at time.Time) error {
	next, err := r.candidate(set, path, actor, at)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.record(audit.Entry{At: at, Actor: actor, Action: audit.RulesShadowSet, Object: set.Version(),
		Detail: map[string]string{"live": r.Rules.Set().Version()}}, next); err != nil {
		return err
	}
	r.cur = next
	r.log().Info("rule pack runs in shadow", "ruleset", set.Version(), "live", r.Rules.Set().Version(), "by", actor)
	return nil
}

// Clear stops the shadow, audited; ErrNoShadow when none runs.
func (r *Runner) Clear(actor string, at time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur == nil {
		return ErrNoShadow
	}
	if err := r.record(audit.Entry{At: at, Actor: actor, Action: audit.RulesShadowClear, Object: r.cur.set.Version()}, nil); err != nil {
		return err
	}
	r.cur = nil
	return nil
}

// Set returns the candidate that runs in shadow, nil when none does.
func (r *Runner) Set() *rules.Set {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur == nil {
		return nil
	}
	return r.cur.set
}

// Request asks, as actor (the person person), that the candidate become
// the live set; another admin approves it (Approve).
func (r *Runner) Request(actor, person string, at time.Time) (Promotion, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur == nil {
		return Promotion{}, ErrNoShadow
	}
	if r.cur.request != nil {
		return *r.cur.request, ErrRequested
	}
	p := Promotion{Ruleset: r.cur.set.Version(), RequestedBy: actor, RequestedAt: at}
	next := *r.cur
	next.request, next.person = &p, person
	if err := r.record(audit.Entry{At: at, Actor: actor, Action: audit.RulesPromoteRequest, Object: p.Ruleset,
		Detail: map[string]string{"live": r.Rules.Set().Version(), "person": person}}, &next); err != nil {
		return Promotion{}, err
	}
	r.cur = &next
	return p, nil
}

// Approve, by actor, an admin who is another person than the one who
// requested it (ErrSameAdmin), makes the
// candidate the live set: its files are kept in Dir, the approval is
// audited (with who requested it) and the shadow cleared, the rules
// manager runs it, and Promoted runs. When keeping the files or the audit
// fails, the live set and the kept pack stay as they were. It returns the new live set's version.
func (r *Runner) Approve(actor, person string, at time.Time) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.cur == nil:
		return "", ErrNoShadow
	case r.cur.request == nil:
		return "", ErrNoRequest
	case r.cur.person == person || r.cur.request.RequestedBy == actor:
		return "", ErrSameAdmin
	}
	set, prev := r.cur.set, r.Rules.Set().Version()
	done, undo := func() error { return nil }, func() error { return nil }
	if r.Dir != "" {
		var err error
		if done, undo, err = keepPack(r.cur.path, r.Dir, set.Version(), r.Overrides); err != nil {
			return "", fmt.Errorf("promotion of %s: %w", set.Version(), err)
		}
	}
	if err := r.record(audit.Entry{At: at, Actor: actor, Action: audit.RulesPromoteApprove, Object: set.Version(),
		Detail: map[string]string{"from": prev, "requested_by": r.cur.request.RequestedBy, "person": person,
			"requested_by_person": r.cur.person}}, nil); err != nil {
		if uerr := undo(); uerr != nil { // a restart would run a pack nobody approved
			r.log().Error("shadow: the promoted pack could not be put back after a failed approval", "dir", r.Dir, "err", uerr)
		}
		return "", err
	}
	if err := done(); err != nil {
		r.log().Warn("shadow: the previous promoted pack was not removed", "dir", r.Dir+".old", "err", err)
	}
	r.cur = nil
	if err := r.Rules.Reload(func() (*rules.Set, error) { return set, nil }, at); err != nil {
		return "", fmt.Errorf("promotion of %s: %w", set.Version(), err)
	}
	if r.Promoted != nil {
		if err := r.Promoted(at); err != nil {
			return set.Version(), err
		}
	}
	r.log().Info("shadow rule pack promoted", "ruleset", set.Version(), "previous", prev, "by", actor)
	return set.Version(), nil
}

// Result is the shadow's result for one organisation beside the live
// one of the same screening.
type Result struct {
	Orgnr       string       `json:"orgnr"`
	At          time.Time    `json:"at"`
	Trigger     string       `json:"trigger"`
	Ruleset     string       `json:"ruleset"`      // the candidate's
	LiveRuleset string       `json:"live_ruleset"` // the live set's
	Live        event.Result `json:"live"`
	Shadow      event.Result `json:"shadow"`
	Added       []string     `json:"added"`   // indicators the candidate fires and the live set does not
	Removed     []string     `json:"removed"` // indicators the live set fires and the candidate does not
}

// Differs reports whether the candidate's result differs from the live
// one: another step or verdict, or other hits.
func (x Result) Differs() bool {
	return x.Live.Step != x.Shadow.Step || x.Live.Verdict != x.Shadow.Verdict || len(x.Added) > 0 || len(x.Removed) > 0
}

// compare makes the Result of one organisation.
func compare(live, sh event.Result) (added, removed []string) {
	added, removed = []string{}, []string{}
	for _, h := range sh.Hits {
		if !slices.Contains(live.Hits, h) {
			added = append(added, h)
		}
	}
	for _, h := range live.Hits {
		if !slices.Contains(sh.Hits, h) {
			removed = append(removed, h)
		}
	}
	return added, removed
}
