package main

import (
	"errors"
	"strings"

	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/store"
)

// rulesDoc remembers the rule set the last serve ran, so that a change of
// rules between runs is written to the audit trail.
const rulesDoc = "rules-running"

// auditRules appends a rules.reload entry when the running rule set or
// thresholds are not those recorded before (the first start records them
// too), in the same transaction as the new record.
func (s *server) auditRules() error {
	ruleset, thresholds := s.sc.Rules().Version(), thresholdsDigest(s.sc.Settings())
	version := ruleset + " thresholds@" + thresholds
	return s.sc.Store.Update(func(tx *store.Tx) error {
		prev, err := tx.Get(rulesDoc, "version")
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if string(prev) == version {
			return nil
		}
		detail := map[string]string{"to": ruleset, "thresholds": thresholds}
		if len(prev) > 0 {
			// Before thresholds were recorded, the document held the rule
			// set's version alone.
			from, fromThresholds, _ := strings.Cut(string(prev), " thresholds@")
			detail["from"] = from
			if fromThresholds != "" {
				detail["from_thresholds"] = fromThresholds
			}
		}
		if _, err := audit.Append(tx, audit.Entry{At: s.a.now(), Actor: audit.System, Action: audit.RulesReload,
			Object: ruleset, Detail: detail}); err != nil {
			return err
		}
		return tx.Put(rulesDoc, "version", []byte(version))
	})
}
