// Package review is where people take over from the engine: the alert a
// coordinator works on and the decisions taken on it.
//
// An assessment of the continuous follow-up that reaches step L2 or more
// opens an alert for its organisation (Desk.OnSave, the engine's save
// hook, which every screening.Screener that saves is made with:
// screening.NewScreener); later ones update it. A pre-award check's
// assessment is stored too but moves no alert: its verdict is its
// caller's answer. An alert moves through the states the users know:
//
//	ny ──Assign──► utreds ──Decide──► beslutad ──Close──► stangd
//	 └──────────────┴──── Decide (ingen_atgard) / Close ──────┘
//
// A decision records who decided what, when, why (a justification and a
// legal or contractual ground), on which contracts and on what evidence
// (the assessment's time, rule set and record versions). Halting call-offs
// (avropsstopp) and lifting the halt (hav_avropsstopp) take effect at once;
// terminating (havning) and excluding (uteslutning) wait for a second
// person's approval (four eyes). "No action" (ingen_atgard) closes the
// alert and may snooze it until a date or until new evidence: a later
// assessment with a hit the alert did not have, or one made after the
// date, reopens it.
//
// Before a termination or exclusion is approved the supplier is heard
// (kontradiktion, hearing.go): Desk.Inform records that it was informed
// of the intended decision (when, how, until when it may answer) and
// Desk.Respond its response (its text and a file it sent, kept as a
// document of its own whose SHA-256 the decision records). The supplier
// is informed between the decision and the time that is recorded, and
// given at least Desk.HearingDays (DefaultHearingDays, 10) to answer; a
// new notice corrects the one in force and is audited as a correction.
// Approve refuses until the supplier was informed by such a notice and
// either answered or let the deadline pass. The hearing publishes
// nothing and does not change the alert; the audit trail records it.
//
// Besides its state, an alert has a status (Alert.Status, status.go): where
// the work stands as the users follow it, read from the alert alone —
// closed, a decision awaiting approval, halted (an avropsstopp in force),
// decided, under investigation or new. A deadline per step (SLA, sla.go)
// counts working days in Sweden's calendar from when the alert reached
// its step, while it is new or under investigation.
//
// Users may comment on an alert (Desk.Comment): a note kept with the
// alert that changes nothing about it and publishes nothing.
//
// Every change is one store transaction that writes the documents, emits
// the events it causes (vaksam.alert.<event>.<orgnr> and, for a confirmed
// decision, vaksam.action.<kind>.<orgnr>) and appends its entry to the
// audit trail (engine/audit), so neither the bus nor the trail ever hears
// of a change that was not stored, nor misses one that was. Message
// ids are the alert's id and revision, or the decision's id, so they are
// deterministic. A change that publishes nothing (a decision awaiting
// approval) still takes a revision, so an alert's events may skip one;
// their order is the per-organisation sequence. An alert event's reason is
// a code, never a user's text (that stays in the store): "reopened";
// "rejected" (a pending decision); the decision's kind on "decided";
// "ingen_atgard" on the "closed" that follows such a decision. A decision
// on an alert nobody has makes its decider the handler: the decision's
// change carries the assignee (its event, history entry and audit entry,
// "assigned"); an alert that has a handler keeps it. Nothing
// reads the clock: every operation is given its time.
//
// Users are plain ids here; roles are the HTTP layer's business. The one
// rule enforced here is four eyes: nobody approves (or rejects) their own
// decision.
package review
