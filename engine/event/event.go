package event

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/store"
)

// Subject roots.
const (
	AssessmentRoot = "vaksam.assessment" // .<step>.<orgnr>
	AlertRoot      = "vaksam.alert"      // .<event>.<orgnr>
	ActionRoot     = "vaksam.action"     // .<kind>.<orgnr>
	IngestRoot     = "vaksam.ingest"     // .<source>
	ScreenSubject  = "vaksam.screen"     // the pre-award service endpoint
)

// Headers every published event carries besides Nats-Msg-Id.
const (
	HeaderSchema = "Vaksam-Schema" // e.g. "vaksam.assessment/1"
	HeaderOrgSeq = store.HeaderOrgSeq
)

// Schema versions of the payloads. A consumer accepts the major version it
// was written for; fields are only ever added within one.
const (
	AssessmentSchema = "vaksam.assessment/1"
	AlertSchema      = "vaksam.alert/1"
	ActionSchema     = "vaksam.action/1"
)

// Alert events.
const (
	AlertOpened   = "opened"
	AlertUpdated  = "updated"
	AlertAssigned = "assigned"
	AlertDecided  = "decided"
	AlertClosed   = "closed"
)

// AlertEvents lists every alert event.
var AlertEvents = []string{AlertOpened, AlertUpdated, AlertAssigned, AlertDecided, AlertClosed}

// Action kinds: the commands ordering and contract systems obey.
const (
	Halt      = "halt"      // stop call-offs (avropsstopp)
	Resume    = "resume"    // lift the avropsstopp
	Terminate = "terminate" // terminate the contract (hävning)
	Exclude   = "exclude"   // exclude from the procurement (uteslutning)
)

// ActionKinds lists every action kind.
var ActionKinds = []string{Halt, Resume, Terminate, Exclude}

// Result is the gist of an assessment: what changed when it changes.
type Result struct {
	Step       ladder.Step    `json:"step"`
	Verdict    ladder.Verdict `json:"verdict"`
	Score      float64        `json:"score"`
	Incomplete bool           `json:"incomplete"`
	Hits       []string       `json:"hits"`
	Missing    []string       `json:"missing"`
}

// Key is a stable string of the result; two results with the same key
// say the same thing.
func (r Result) Key() string {
	return fmt.Sprintf("%s|%s|%g|%t|%s|%s", r.Step, r.Verdict, r.Score, r.Incomplete,
		strings.Join(r.Hits, ","), strings.Join(r.Missing, ","))
}

// Assessment is the payload of vaksam.assessment.<step>.<orgnr>.
type Assessment struct {
	Orgnr    string    `json:"orgnr"`
	Name     string    `json:"name"`
	At       time.Time `json:"at"`
	Purpose  string    `json:"purpose,omitempty"`
	Result             // the new result
	Previous *Result   `json:"previous"` // null for the first assessment
	Ruleset  string    `json:"ruleset"`
	// Assessment is the whole assessment, as `vaksam screen --json` gives
	// it: JSON as json.Marshal writes it (compact, HTML escaped), which the
	// event holds as it is (NewAssessment). It stays the last member.
	Assessment json.RawMessage `json:"assessment"`
}

// Alert is the payload of vaksam.alert.<event>.<orgnr>.
type Alert struct {
	Event    string            `json:"event"`
	AlertID  string            `json:"alert_id"`
	Revision int               `json:"revision"`
	Orgnr    string            `json:"orgnr"`
	Name     string            `json:"name"`
	At       time.Time         `json:"at"`
	State    ladder.AlertState `json:"state"`
	Step     ladder.Step       `json:"step"`
	Score    float64           `json:"score"`
	Hits     []string          `json:"hits"`
	Assignee string            `json:"assignee,omitempty"`
	By       string            `json:"by,omitempty"`
	Decision string            `json:"decision_id,omitempty"`
	Reason   string            `json:"reason,omitempty"`
	// Outcome and WrongHits: on closed, what the coordinator found
	// (bekraftad_risk, befogat_larm, falsklarm) and, for falsklarm, the
	// hits that were wrong; absent when the close recorded none.
	Outcome   string   `json:"outcome,omitempty"`
	WrongHits []string `json:"wrong_hits,omitempty"`
}

// Action is the payload of vaksam.action.<kind>.<orgnr>.
type Action struct {
	ActionID   string    `json:"action_id"` // the decision's id: apply each once
	Kind       string    `json:"kind"`
	Orgnr      string    `json:"orgnr"`
	Name       string    `json:"name"`
	At         time.Time `json:"at"` // when the decision took effect
	DecidedBy  string    `json:"decided_by"`
	ApprovedBy string    `json:"approved_by,omitempty"`
	Ground     string    `json:"ground"`
	Contracts  []string  `json:"contracts"`
	Supersedes string    `json:"supersedes,omitempty"` // the halt a resume lifts
}

var (
	token = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	orgnr = regexp.MustCompile(`^[0-9]{10}$`)
)

// subject joins a root and tokens, refusing tokens that would change the
// subject's shape (dots, wildcards, spaces). The last token is the
// organisation number: ten digits, no hyphen, so that one organisation
// has one subject.
func subject(root string, tokens ...string) (string, error) {
	if n := len(tokens); n > 0 && !orgnr.MatchString(tokens[n-1]) {
		return "", fmt.Errorf("event: subject %s: organisation number %q is not ten digits", root, tokens[n-1])
	}
	for _, t := range tokens {
		if !token.MatchString(t) {
			return "", fmt.Errorf("event: subject %s: bad token %q", root, t)
		}
	}
	return root + "." + strings.Join(tokens, "."), nil
}

// NewAssessment builds the event of an assessment whose result changed.
func NewAssessment(p Assessment) (store.Event, error) {
	subj, err := subject(AssessmentRoot, string(p.Step), p.Orgnr)
	if err != nil {
		return store.Event{}, err
	}
	// Screening again as of the same time to the same result is the same
	// message.
	id := fmt.Sprintf("assessment.%s.%d.%s", p.Orgnr, p.At.UnixNano(), digest(p.Result.Key()))
	// The assessment is the payload's last field and most of its bytes:
	// the rest is encoded with it null, and its JSON put in place of the
	// null, which gives the bytes encoding it with the rest gives (it is
	// encoding/json's own output: compact and HTML-escaped already)
	// without encoding/json validating and copying it again.
	whole := p.Assessment
	p.Assessment = nil
	ev, err := build(subj, id, AssessmentSchema, p.Orgnr, p.At, p)
	if err != nil || whole == nil {
		return ev, err
	}
	rest, ok := bytes.CutSuffix(ev.Data, []byte(`"assessment":null}`))
	if !ok || !encoded(whole) {
		p.Assessment = whole
		return build(subj, id, AssessmentSchema, p.Orgnr, p.At, p)
	}
	data := make([]byte, 0, len(rest)+len(`"assessment":}`)+len(whole))
	data = append(append(append(append(data, rest...), `"assessment":`...), whole...), '}')
	ev.Data = data
	return ev, nil
}

// encoded reports whether JSON b reads as encoding/json writes it: no
// space outside strings, and none of the characters it escapes in strings
// (<, >, &, U+2028, U+2029). (It does not validate b: the assessment is
// encoding/json's output.)
func encoded(b []byte) bool {
	in, esc := false, false
	for i, c := range b {
		switch c {
		case '<', '>', '&':
			return false
		case 0xE2: // U+2028 and U+2029 are E2 80 A8 and E2 80 A9
			if i+2 < len(b) && b[i+1] == 0x80 && (b[i+2] == 0xA8 || b[i+2] == 0xA9) {
				return false
			}
		case ' ', '\n', '\t', '\r':
			if !in {
				return false
			}
		}
		switch {
		case esc:
			esc = false
		case in && c == '\\':
			esc = true
		case c == '"':
			in = !in
		}
	}
	return !in
}

// NewAlert builds an alert event; each revision of an alert is one message.
func NewAlert(p Alert) (store.Event, error) {
	subj, err := subject(AlertRoot, p.Event, p.Orgnr)
	if err != nil {
		return store.Event{}, err
	}
	if p.Hits == nil {
		p.Hits = []string{}
	}
	id := fmt.Sprintf("alert.%s.%d", p.AlertID, p.Revision)
	return build(subj, id, AlertSchema, p.Orgnr, p.At, p)
}

// NewAction builds the command of a confirmed decision; a decision has one
// action.
func NewAction(p Action) (store.Event, error) {
	subj, err := subject(ActionRoot, p.Kind, p.Orgnr)
	if err != nil {
		return store.Event{}, err
	}
	if p.Contracts == nil {
		p.Contracts = []string{}
	}
	id := "action." + p.ActionID
	return build(subj, id, ActionSchema, p.Orgnr, p.At, p)
}

func build(subj, id, schema, org string, at time.Time, payload any) (store.Event, error) {
	data, err := json.Marshal(payload)
	if err != nil {
		return store.Event{}, fmt.Errorf("event: %s: %w", subj, err)
	}
	return store.Event{Org: org, Subject: subj, MsgID: id, Data: data, Created: at,
		Header: map[string]string{HeaderSchema: schema}}, nil
}

// digest is a short stable hash of s for message ids.
func digest(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}
