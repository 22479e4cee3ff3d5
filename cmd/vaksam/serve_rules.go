package main

import (
	"errors"

	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/store"
)

// rulesDoc remembers the rule set the last serve ran, so that a change of
// rules between runs is written to the audit trail.
const rulesDoc = "rules-running"

// auditRules appends a rules.reload entry when the running rule set is not
// the one recorded before (the first start records it too), in the same
// transaction as the new record.
func (s *server) auditRules() error {
	version := s.sc.Rules().Version()
	return s.sc.Store.Update(func(tx *store.Tx) error {
		prev, err := tx.Get(rulesDoc, "version")
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if string(prev) == version {
			return nil
		}
		detail := map[string]string{"to": version}
		if len(prev) > 0 {
			detail["from"] = string(prev)
		}
		if _, err := audit.Append(tx, audit.Entry{At: s.a.now(), Actor: audit.System, Action: audit.RulesReload,
			Object: version, Detail: detail}); err != nil {
			return err
		}
		return tx.Put(rulesDoc, "version", []byte(version))
	})
}
