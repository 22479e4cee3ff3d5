package main

import (
	"errors"

	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/store"
)

// rulesDoc remembers the rule set ("version") and the digest of the
// thresholds ("thresholds") the last serve ran, so that a change of
// either, between runs or at a reload, is written to the audit trail.
const rulesDoc = "rules-running"

// auditRules appends a rules.reload entry when the running rule set or
// thresholds are not those recorded before (the first start records them
// too), in the same transaction as the new record.
func (s *server) auditRules() error {
	version, thresholds := s.sc.Rules().Version(), thresholdsDigest(s.sc.Settings())
	return s.sc.Store.Update(func(tx *store.Tx) error {
		get := func(id string) (string, error) {
			b, err := tx.Get(rulesDoc, id)
			if errors.Is(err, store.ErrNotFound) {
				return "", nil
			}
			return string(b), err
		}
		prevVersion, err := get("version")
		if err != nil {
			return err
		}
		prevThresholds, err := get("thresholds")
		if err != nil {
			return err
		}
		if prevVersion == version && prevThresholds == thresholds {
			return nil
		}
		detail := map[string]string{"to": version, "thresholds": thresholds}
		if prevVersion != "" {
			detail["from"] = prevVersion
		}
		if prevThresholds != "" { // a store from before thresholds were recorded has none
			detail["from_thresholds"] = prevThresholds
		}
		if _, err := audit.Append(tx, audit.Entry{At: s.a.now(), Actor: audit.System, Action: audit.RulesReload,
			Object: version, Detail: detail}); err != nil {
			return err
		}
		if err := tx.Put(rulesDoc, "version", []byte(version)); err != nil {
			return err
		}
		return tx.Put(rulesDoc, "thresholds", []byte(thresholds))
	})
}
