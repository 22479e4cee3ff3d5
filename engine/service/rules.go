package service

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
)

// rulesDoc remembers the rule set ("version") and the digest of the
// thresholds ("thresholds") the last serve ran, so that a change of
// either, between runs or at a reload, is written to the audit trail.
const rulesDoc = "rules-running"

// AuditRules appends a rules.reload entry, at at, when the screener's
// running rule set or thresholds are not those recorded before (the first
// start records them too), in the same transaction as the new record.
func AuditRules(sc *screening.Screener, at time.Time) error {
	version, thresholds := sc.Rules().Version(), thresholdsDigest(sc.Settings())
	return sc.Store.Update(func(tx *store.Tx) error {
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
		if _, err := audit.Append(tx, audit.Entry{At: at, Actor: audit.System, Action: audit.RulesReload,
			Object: version, Detail: detail}); err != nil {
			return err
		}
		if err := tx.Put(rulesDoc, "version", []byte(version)); err != nil {
			return err
		}
		return tx.Put(rulesDoc, "thresholds", []byte(thresholds))
	})
}

// thresholdsDigest identifies a set of thresholds in the audit trail.
func thresholdsDigest(c screening.Config) string {
	b, _ := json.Marshal(c) // maps marshal in key order: stable
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:6])
}
