package review

import (
	"strconv"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/store"
)

// Every change the desk makes appends one entry to the audit trail in the
// transaction that makes it: the engine's changes of an alert
// (audit.AlertOpen, AlertUpdate, AlertReopen, by System), a user's
// (AlertAssign, AlertClose, and AuditComment for a comment: its number
// and length, never its text) and the decisions (DecisionCreate,
// DecisionApprove, DecisionReject). The object is the alert's or the
// decision's id. The details are codes and numbers, never a user's text
// (justifications, reasons for closing stay in the documents):
//
//	state, revision, step, score    the alert after the change (decisions: alert_state, alert_revision)
//	hits_added, hits_removed        indicator ids, comma-separated, when the hits changed
//	reason                          why a snoozed alert was reopened
//	assignee                        whom an alert was assigned to
//	kind, status, ground            the decision's kind, status and ground (its code)
//	outcome, wrong_hits             on a close: what the coordinator found, and for falsklarm the wrong hits (comma-separated)
//	supersedes                      the avropsstopp a hav_avropsstopp lifts, as <alert seq>-d<seq>
//
// An operation that fails writes nothing, its audit entry included; one
// that changes nothing (assigning an alert to whom it is assigned) appends
// nothing either.

// audited appends the audit entry of a change made in tx.
func audited(tx *store.Tx, at time.Time, actor, action, object string, detail map[string]string) error {
	_, err := audit.Append(tx, audit.Entry{At: at, Actor: actor, Action: action, Object: object, Detail: detail})
	return err
}

// alertDetail is what an audit entry says of an alert after a change.
func alertDetail(al *Alert, more ...string) map[string]string {
	d := map[string]string{"state": string(al.State), "revision": strconv.Itoa(al.Revision), "step": string(al.Step),
		"score": strconv.FormatFloat(al.Score, 'g', -1, 64)}
	addPairs(d, more...)
	return d
}

// decisionDetail is what an audit entry says of a decision and its alert
// after a change.
func decisionDetail(dec *Decision, al *Alert, more ...string) map[string]string {
	d := map[string]string{"kind": string(dec.Kind), "status": dec.Status, "alert_state": string(al.State),
		"alert_revision": strconv.Itoa(al.Revision)}
	if dec.Ground != "" {
		d["ground"] = dec.Ground
	}
	addPairs(d, more...)
	return d
}

// addPairs adds key, value pairs whose value is not empty.
func addPairs(d map[string]string, kv ...string) {
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			d[kv[i]] = kv[i+1]
		}
	}
}

// localID is a decision id without the organisation number it starts
// with (<alert seq>-d<seq>), for a detail: a sole trader's organisation
// number is a personnummer.
func localID(id, orgnr string) string { return strings.TrimPrefix(id, orgnr+"-") }
