package review

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/store"
)

// Desk keeps the alerts and decisions in the store.
type Desk struct {
	Store *store.Store
	Log   *slog.Logger // may be nil
	// HearingDays is the least number of days, in Sweden's calendar,
	// between the time a supplier is informed of an intended termination
	// or exclusion and its deadline to answer (Inform, Approve); 0 is
	// DefaultHearingDays.
	HearingDays int
	// SLA is the deadline of the work at each step, in working days
	// (sla.go); nil is DefaultSLA.
	SLA SLA
}

// Errors callers test with errors.Is.
var (
	// ErrNotFound: no alert or decision with that id (it wraps
	// store.ErrNotFound).
	ErrNotFound = fmt.Errorf("%w", store.ErrNotFound)
	// ErrInvalid: bad input; every *FieldError is one.
	ErrInvalid = errors.New("invalid input")
	// ErrForbidden: the user may not do this (approving their own decision).
	ErrForbidden = errors.New("forbidden")
	// ErrState: the alert or decision is not in a state that allows it.
	ErrState = errors.New("not allowed in this state")
)

// Refusal is the desk refusing an action: in the state the alert or
// decision is in (errors.Is(err, ErrState)) or to this user
// (ErrForbidden). Code names the reason for a caller to translate; the
// text is in English, as the API answers it.
type Refusal struct {
	Code string
	msg  string
	kind error // ErrState or ErrForbidden
}

func (e *Refusal) Error() string { return e.msg + ": " + e.kind.Error() }

// Is reports whether target is the refusal's kind.
func (e *Refusal) Is(target error) bool { return target == e.kind }

// Codes of a Refusal.
const (
	CodeFourEyes        = "four_eyes"        // ErrForbidden: the decider may not approve or reject their own decision
	CodeInvalidState    = "invalid_state"    // the alert or decision is not in a state that allows it
	CodeAwaitsApproval  = "awaits_approval"  // a decision on the alert awaits approval
	CodeHaltInForce     = "halt_in_force"    // an avropsstopp is in force
	CodeNoHalt          = "no_halt"          // no avropsstopp is in force to lift
	CodeHearingRequired = "hearing_required" // the supplier has not been informed
	CodeHearingInvalid  = "hearing_invalid"  // the notice in force does not meet the rules
	CodeHearingAwaiting = "hearing_awaiting" // the supplier's response or the deadline is awaited
	CodeNotInformed     = "not_informed"     // a response before the supplier was informed
	CodeNoHearing       = "no_hearing"       // the decision's kind has no hearing
)

// refused is a Refusal of the kind.
func refused(kind error, code, format string, args ...any) error {
	return &Refusal{Code: code, msg: fmt.Sprintf(format, args...), kind: kind}
}

// FieldError is one problem with one field of a request; errors.Is(err,
// ErrInvalid) holds for it. Field is the JSON name of the field.
type FieldError struct {
	Op      string // decision, assign, close, comment, approve, reject, inform, respond
	Field   string
	Problem string // in English, as the API answers it
	// Code names the problem for a caller to translate (one of the Code
	// constants; "" for one without), Args its values in the order the
	// code's text uses them.
	Code string
	Args []any
}

// Codes of a FieldError's problem.
const (
	CodeRequired               = "required"
	CodeBlank                  = "blank"
	CodeInvalid                = "invalid" // not one of the allowed values
	CodeTwice                  = "twice"
	CodeTooLong                = "too_long"
	CodeNotUTF8                = "not_utf8"
	CodeOnlyClauseGround       = "only_clause_ground"
	CodeOnlyOtherGround        = "only_other_ground"
	CodeOnlyIngenAtgard        = "only_ingen_atgard"
	CodeAfterDecision          = "after_decision"
	CodeBeforeDecision         = "before_decision"
	CodeNotAfterDecision       = "not_after_decision"
	CodeInFuture               = "in_future"
	CodeDeadlineTooSoon        = "deadline_too_soon"        // Args: the least days, the earliest deadline (a date)
	CodeInformedBeforeDecision = "informed_before_decision" // Args: the day the decision was taken
	CodeBeforeInformed         = "before_informed"
	CodeTextOrFile             = "text_or_file"
	CodeFileName               = "file_name"
	CodeFileType               = "file_type"
	CodeFileContent            = "file_content"
	CodeFileEmpty              = "file_empty"
	CodeFileSize               = "file_size"
	CodeNotAHit                = "not_a_hit" // a wrong hit that is not one of the alert's hits; Args: the id
)

// Codes lists every code a FieldError of the desk's carries.
var Codes = []string{CodeRequired, CodeBlank, CodeInvalid, CodeTwice, CodeTooLong, CodeNotUTF8, CodeOnlyClauseGround,
	CodeOnlyOtherGround, CodeOnlyIngenAtgard, CodeAfterDecision, CodeBeforeDecision, CodeNotAfterDecision, CodeInFuture,
	CodeDeadlineTooSoon, CodeInformedBeforeDecision, CodeBeforeInformed, CodeTextOrFile, CodeFileName, CodeFileType,
	CodeFileContent, CodeFileEmpty, CodeFileSize, CodeNotAHit}

func (e *FieldError) Error() string {
	return "review: " + e.Op + ": " + e.Field + ": " + e.Problem
}

// Is reports whether target is ErrInvalid.
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }

// System is who the engine's own changes are made by.
const System = "vaksam"

// Alert states.
const (
	Ny       = ladder.Ny       // new, nobody has it yet
	Utreds   = ladder.Utreds   // assigned to a coordinator, being investigated
	Beslutad = ladder.Beslutad // a decision took effect
	Stangd   = ladder.Stangd   // closed (perhaps snoozed)
)

// What an alert's history entry records, besides the alert events
// (event.AlertOpened, AlertUpdated, AlertAssigned, AlertDecided,
// AlertClosed).
const (
	Reopened = "reopened" // a snoozed alert came back (event "updated")
	Pending  = "pending"  // a decision awaits approval (no event)
	Rejected = "rejected" // the pending decision was rejected (event "updated")
)

// Alert is the case a coordinator works on for one organisation. An
// organisation has at most one alert that is not closed.
type Alert struct {
	ID       string            `json:"id"`  // <orgnr>-<seq>
	Seq      int               `json:"seq"` // counts the organisation's alerts from 1
	Orgnr    string            `json:"orgnr"`
	Name     string            `json:"name"`
	State    ladder.AlertState `json:"state"`
	Revision int               `json:"revision"` // incremented on every change

	// The latest assessment that changed the alert.
	Step       ladder.Step `json:"step"`
	Score      float64     `json:"score"`
	Hits       []string    `json:"hits"` // indicator ids, sorted
	AssessedAt time.Time   `json:"assessed_at"`
	Ruleset    string      `json:"ruleset"`

	Assignee  string    `json:"assignee,omitempty"`
	OpenedAt  time.Time `json:"opened_at"`
	UpdatedAt time.Time `json:"updated_at"`

	ClosedAt    time.Time `json:"closed_at,omitzero"`
	ClosedBy    string    `json:"closed_by,omitempty"`
	CloseReason string    `json:"close_reason,omitempty"`
	// Outcome is what the coordinator who closed the alert found
	// (OutcomeConfirmed, OutcomeJustified, OutcomeFalseAlarm); "" for an
	// alert closed before outcomes were recorded, or still open.
	// WrongHits are, for a false alarm, the indicators that were wrong.
	Outcome   string   `json:"outcome,omitempty"`
	WrongHits []string `json:"wrong_hits,omitempty"`
	// Snoozed: closed with "no action" until SnoozeUntil (zero: until new
	// evidence). A hit not in SnoozedHits, or an assessment at or after
	// SnoozeUntil, reopens it.
	Snoozed     bool      `json:"snoozed,omitempty"`
	SnoozeUntil time.Time `json:"snooze_until,omitzero"`
	SnoozedHits []string  `json:"snoozed_hits,omitempty"`

	Pending   string   `json:"pending,omitempty"`   // the decision awaiting approval
	Decision  string   `json:"decision,omitempty"`  // the latest decision that took effect
	Decisions []string `json:"decisions,omitempty"` // every decision, oldest first

	History []Entry `json:"history"`
}

// Outcomes of a closed alert: what the case showed (issue 17). The words
// are the coordinators' own.
const (
	OutcomeConfirmed  = "bekraftad_risk" // bekräftad risk: the risk was real
	OutcomeJustified  = "befogat_larm"   // befogat larm: worth looking at, no risk found
	OutcomeFalseAlarm = "falsklarm"      // falsklarm: the hits were wrong
)

// Outcomes lists them in the order people are offered them.
var Outcomes = []string{OutcomeConfirmed, OutcomeJustified, OutcomeFalseAlarm}

// Open reports whether the alert is not closed (ny, utreds or beslutad).
func (a *Alert) Open() bool { return a.State != Stangd }

// Entry is one change of an alert.
type Entry struct {
	Revision int       `json:"revision"`
	At       time.Time `json:"at"`
	By       string    `json:"by"`    // a user id, or System
	What     string    `json:"what"`  // an alert event, Reopened, Pending or Rejected
	Event    string    `json:"event"` // the alert event emitted, "" for none
	// The alert after the change.
	State ladder.AlertState `json:"state"`
	Step  ladder.Step       `json:"step"`
	Score float64           `json:"score"`
	// The indicators the change added and removed.
	HitsAdded   []string `json:"hits_added,omitempty"`
	HitsRemoved []string `json:"hits_removed,omitempty"`
	Assignee    string   `json:"assignee,omitempty"`
	Decision    string   `json:"decision,omitempty"`
	Reason      string   `json:"reason,omitempty"`
	// Outcome and WrongHits: on a close, what the coordinator found
	// (Finding); empty on every other change and on closes before
	// outcomes were recorded.
	Outcome   string   `json:"outcome,omitempty"`
	WrongHits []string `json:"wrong_hits,omitempty"`
}

// Decision kinds.
const (
	Avropsstopp    = ladder.Avropsstopp    // halt call-offs: action halt
	HavAvropsstopp = ladder.HavAvropsstopp // lift the halt: action resume
	Havning        = ladder.Havning        // terminate the contract: action terminate, four eyes
	Uteslutning    = ladder.Uteslutning    // exclude before award: action exclude, four eyes
	IngenAtgard    = ladder.IngenAtgard    // no action: closes (and may snooze) the alert
)

// Kinds lists every decision kind.
var Kinds = ladder.DecisionKinds

// Grounds of a decision.
const (
	GroundLOU131        = "LOU 13:1"      // mandatory exclusion (crimes)
	GroundLOU132        = "LOU 13:2"      // unpaid taxes and social security contributions
	GroundLOU133        = "LOU 13:3"      // discretionary exclusion
	GroundAvtalsvillkor = "avtalsvillkor" // a contract clause, named in ContractClause
	GroundAnnat         = "annat"         // another ground, described in GroundOther
)

// Grounds lists every ground.
var Grounds = []string{GroundLOU131, GroundLOU132, GroundLOU133, GroundAvtalsvillkor, GroundAnnat}

// Decision statuses.
const (
	Bekraftad         = "bekraftad"          // confirmed: it took effect
	VantarGodkannande = "vantar_godkannande" // awaiting a second person's approval
	Avslagen          = "avslagen"           // rejected by the second person
)

// Evidence is what a decision rested on: the assessment the decider saw.
type Evidence struct {
	AssessmentAt time.Time     `json:"assessment_at"`
	Ruleset      string        `json:"ruleset"`
	Records      []profile.Ref `json:"records"`
}

// DecisionRequest is a decision as a user takes it.
type DecisionRequest struct {
	AlertID   string              `json:"alert_id"`
	Kind      ladder.DecisionKind `json:"kind"`
	DecidedBy string              `json:"decided_by"`
	// DecidedByPerson is the person behind DecidedBy when that is not a
	// person's own id (a token's owner); empty: DecidedBy. Four eyes
	// compares persons.
	DecidedByPerson string   `json:"decided_by_person,omitempty"`
	Justification   string   `json:"justification"`
	Ground          string   `json:"ground"` // optional for ingen_atgard
	ContractClause  string   `json:"contract_clause,omitempty"`
	GroundOther     string   `json:"ground_other,omitempty"`
	Contracts       []string `json:"contracts,omitempty"`
	Evidence        Evidence `json:"evidence"`
	// For ingen_atgard: Snooze keeps the alert until new evidence,
	// SnoozeUntil (which implies Snooze) at most until that time.
	Snooze      bool      `json:"snooze,omitempty"`
	SnoozeUntil time.Time `json:"snooze_until,omitzero"`
	// Diarienummer is the number the municipality's registry gave the
	// case (e.g. "KS 2026/123"), entered with the decision; optional, at
	// most MaxDiarienummer characters, no control characters.
	Diarienummer string `json:"diarienummer,omitempty"`
}

// MaxDiarienummer is the longest diarienummer a decision takes, in
// characters.
const MaxDiarienummer = 64

// Decision is a recorded decision.
type Decision struct {
	ID        string              `json:"id"`  // <alert id>-d<seq>
	Seq       int                 `json:"seq"` // counts the alert's decisions from 1
	AlertID   string              `json:"alert_id"`
	Orgnr     string              `json:"orgnr"`
	Name      string              `json:"name"`
	Kind      ladder.DecisionKind `json:"kind"`
	DecidedBy string              `json:"decided_by"`
	// DecidedByPerson is the person behind DecidedBy when it differs (a
	// token's owner); see Decider.
	DecidedByPerson string    `json:"decided_by_person,omitempty"`
	DecidedAt       time.Time `json:"decided_at"`
	Justification   string    `json:"justification"`
	// Diarienummer is the registry's number of the case, as entered with
	// the decision; empty for a decision taken without one (and every
	// decision recorded before it was asked for).
	Diarienummer   string   `json:"diarienummer,omitempty"`
	Ground         string   `json:"ground,omitempty"`
	ContractClause string   `json:"contract_clause,omitempty"`
	GroundOther    string   `json:"ground_other,omitempty"`
	Contracts      []string `json:"contracts"`
	Evidence       Evidence `json:"evidence"`
	Status         string   `json:"status"`

	ApprovedBy      string    `json:"approved_by,omitempty"`
	ApprovedAt      time.Time `json:"approved_at,omitzero"`
	RejectedBy      string    `json:"rejected_by,omitempty"`
	RejectedAt      time.Time `json:"rejected_at,omitzero"`
	RejectionReason string    `json:"rejection_reason,omitempty"`

	Snooze      bool      `json:"snooze,omitempty"`
	SnoozeUntil time.Time `json:"snooze_until,omitzero"`

	Supersedes string    `json:"supersedes,omitempty"` // hav_avropsstopp: the halt it lifts
	LiftedBy   string    `json:"lifted_by,omitempty"`  // avropsstopp: the resume that lifted it
	LiftedAt   time.Time `json:"lifted_at,omitzero"`

	// Hearing: havning and uteslutning, what was recorded of the
	// supplier's hearing (Inform, Respond); nil until it was informed.
	Hearing *Hearing `json:"hearing,omitempty"`
}

// Decider is the person who took the decision: DecidedByPerson, or
// DecidedBy when it was a person's own id.
func (d *Decision) Decider() string {
	if d.DecidedByPerson != "" {
		return d.DecidedByPerson
	}
	return d.DecidedBy
}

// Actor is who does something: ID is recorded as the actor (a user's or
// a token's id), Person is the person behind it (empty: ID itself). Four
// eyes compares persons.
type Actor struct {
	ID, Person string
}

// PersonID is the person: Person, or ID when Person is empty.
func (a Actor) PersonID() string {
	if p := strings.TrimSpace(a.Person); p != "" {
		return p
	}
	return strings.TrimSpace(a.ID)
}

// EffectiveAt is when a confirmed decision took effect: its approval, or
// its own time when it needed none.
func (d *Decision) EffectiveAt() time.Time {
	if !d.ApprovedAt.IsZero() {
		return d.ApprovedAt
	}
	return d.DecidedAt
}

// GroundText is the ground as the action event states it.
func (d *Decision) GroundText() string {
	switch d.Ground {
	case GroundAvtalsvillkor:
		return GroundAvtalsvillkor + ": " + d.ContractClause
	case GroundAnnat:
		return GroundAnnat + ": " + d.GroundOther
	}
	return d.Ground
}

// Document kinds in the store.
const (
	alertKind    = "alert"
	decisionKind = "decision"
	orgKind      = "alert-org"
)

// orgDoc is the review state of one organisation.
type orgDoc struct {
	Alert  string `json:"alert,omitempty"` // the current (newest) alert
	Alerts int    `json:"alerts"`          // alerts opened so far
	Halt   string `json:"halt,omitempty"`  // the avropsstopp in force
}

func get[T any](tx *store.Tx, kind, id string) (*T, error) {
	data, err := tx.Get(kind, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	return &v, nil
}

func put(tx *store.Tx, kind, id string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	return tx.Put(kind, id, data)
}

func getOrg(tx *store.Tx, orgnr string) (*orgDoc, error) {
	o, err := get[orgDoc](tx, orgKind, orgnr)
	if errors.Is(err, ErrNotFound) {
		return &orgDoc{}, nil
	}
	return o, err
}

func doc[T any](s *store.Store, kind, id string) (*T, error) {
	data, err := s.Doc(kind, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	return &v, nil
}

// docs decodes every document of a kind whose id starts with prefix and
// keeps those keep (nil: all) accepts, in id order.
func docs[T any](s *store.Store, kind, prefix string, keep func(*T) bool) ([]*T, error) {
	var out []*T
	err := s.Docs(kind, prefix, func(id string, data []byte) error {
		var v T
		if err := json.Unmarshal(data, &v); err != nil {
			return fmt.Errorf("%s %s: decode: %w", kind, redactID(id), err)
		}
		if keep == nil || keep(&v) {
			out = append(out, &v)
		}
		return nil
	})
	return out, err
}

// orgOf reads the organisation's document, nil when there is none.
func (d *Desk) orgOf(orgnr string) (*orgDoc, error) {
	o, err := doc[orgDoc](d.Store, orgKind, orgnr)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("review: organisation %s: %w", redactID(orgnr), err)
	}
	return o, nil
}

// Alert reads one alert.
func (d *Desk) Alert(id string) (*Alert, error) {
	a, err := doc[Alert](d.Store, alertKind, id)
	if err != nil {
		return nil, fmt.Errorf("review: alert %s: %w", redactID(id), err)
	}
	return a, nil
}

// OpenAlert returns the organisation's alert that is not closed, or nil
// when it has none.
func (d *Desk) OpenAlert(orgnr string) (*Alert, error) {
	o, err := d.orgOf(orgnr)
	if err != nil || o == nil || o.Alert == "" {
		return nil, err
	}
	a, err := d.Alert(o.Alert)
	if err != nil || !a.Open() {
		return nil, err
	}
	return a, nil
}

// Alerts returns every alert for which filter (nil: every alert) is true,
// by organisation and then oldest first.
func (d *Desk) Alerts(filter func(*Alert) bool) ([]*Alert, error) {
	out, err := docs(d.Store, alertKind, "", filter)
	if err != nil {
		return nil, fmt.Errorf("review: alerts: %w", err)
	}
	slices.SortFunc(out, func(a, b *Alert) int { return cmp.Or(cmp.Compare(a.Orgnr, b.Orgnr), cmp.Compare(a.Seq, b.Seq)) })
	return out, nil
}

// Decision reads one decision.
func (d *Desk) Decision(id string) (*Decision, error) {
	dec, err := doc[Decision](d.Store, decisionKind, id)
	if err != nil {
		return nil, fmt.Errorf("review: decision %s: %w", redactID(id), err)
	}
	return dec, nil
}

// Decisions returns an alert's decisions, oldest first.
func (d *Desk) Decisions(alertID string) ([]*Decision, error) {
	out, err := docs(d.Store, decisionKind, alertID+"-d", func(dec *Decision) bool { return dec.AlertID == alertID })
	if err != nil {
		return nil, fmt.Errorf("review: alert %s: decisions: %w", redactID(alertID), err)
	}
	if len(out) == 0 {
		if _, err := d.Alert(alertID); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b *Decision) int { return cmp.Compare(a.Seq, b.Seq) })
	return out, nil
}

// HaltInForce returns the avropsstopp in force for the organisation, or
// nil when there is none.
func (d *Desk) HaltInForce(orgnr string) (*Decision, error) {
	o, err := d.orgOf(orgnr)
	if err != nil || o == nil || o.Halt == "" {
		return nil, err
	}
	return d.Decision(o.Halt)
}

func (d *Desk) log() *slog.Logger {
	if d.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Log
}

// redactID masks a sole trader's personnummer at the start of an
// organisation number, an alert id or a decision id, for errors and logs.
func redactID(id string) string {
	org, rest, _ := strings.Cut(id, "-")
	o, err := ident.ParseOrg(org)
	if err != nil || !o.Personal() {
		return id
	}
	if rest == "" {
		return o.Redacted()
	}
	return o.Redacted() + "-" + rest
}

// hitsDiff returns the ids in after and not in before, and those in before
// and not in after.
func hitsDiff(before, after []string) (added, removed []string) {
	for _, h := range after {
		if !slices.Contains(before, h) {
			added = append(added, h)
		}
	}
	for _, h := range before {
		if !slices.Contains(after, h) {
			removed = append(removed, h)
		}
	}
	return added, removed
}

// stepRank is a step's digit (L3 → 3), -1 for what is not a step.
func stepRank(step ladder.Step) int { return step.Rank() }

func blank(s string) bool { return strings.TrimSpace(s) == "" }
