package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/store"
)

// Entry is one line of the audit trail.
type Entry struct {
	Seq    uint64    `json:"seq"`    // position in the chain, from 1; assigned by Append
	At     time.Time `json:"at"`     // when it happened (given, never read from the clock); stored in UTC
	Actor  string    `json:"actor"`  // a user id, or System
	Action string    `json:"action"` // what was done: one of the Action constants, or another dotted code
	Object string    `json:"object"` // what it was done to: an alert id, a decision id, an organisation number
	// Detail is a few codes and ids that say more; never a user's text,
	// never a personnummer.
	Detail map[string]string `json:"detail,omitempty"`
	Prev   string            `json:"prev"` // the previous entry's Hash; Genesis for the first
	Hash   string            `json:"hash"` // hex SHA-256 of the canonical encoding (see the package doc)
}

// System is the actor of the engine's own changes.
const System = "vaksam"

// Genesis is the Prev of the first entry.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Actions. Others may be recorded; these are the ones Vaksam uses.
const (
	AlertOpen       = "alert.open"       // the engine opened an alert
	AlertUpdate     = "alert.update"     // the engine brought an open alert up to a new assessment
	AlertReopen     = "alert.reopen"     // the engine reopened a snoozed alert
	AlertAssign     = "alert.assign"     // a user assigned an alert
	AlertClose      = "alert.close"      // a user closed an alert without a decision
	DecisionCreate  = "decision.create"  // a user took a decision (in force, or awaiting approval)
	DecisionApprove = "decision.approve" // the second person approved a decision
	DecisionReject  = "decision.reject"  // the second person rejected a decision
	HearingInform   = "hearing.inform"   // a user recorded that the supplier was informed of a pending decision (kontradiktion)
	HearingCorrect  = "hearing.correct"  // a user replaced the notice in force by a new one: the old and new dates and channel
	HearingRespond  = "hearing.respond"  // a user recorded the supplier's response to a pending decision
	Login           = "login"            // a user logged in
	LoginFailed     = "login.failed"     // a login was refused
	Logout          = "logout"           // a user logged out
	RulesReload     = "rules.reload"     // the rule set was reloaded or changed
	ViewPersons     = "view.persons"     // a user viewed an organisation's representatives
	ViewRaw         = "view.raw"         // a user viewed raw source records
)

// The actions of shadow mode (engine/shadow).
const (
	RulesShadowSet      = "rules.shadow.set"      // an admin (or the configuration's rules.shadow) ran a candidate rule pack in shadow
	RulesShadowClear    = "rules.shadow.clear"    // an admin stopped the candidate that ran in shadow
	RulesPromoteRequest = "rules.promote.request" // an admin asked that the candidate become the live rule pack
	RulesPromoteApprove = "rules.promote.approve" // a second admin approved: the candidate became the live rule pack
)

// Limits of an entry: it is a line of a log, not a document.
const (
	MaxField       = 256  // bytes of Actor, Action or Object
	MaxDetail      = 32   // Detail pairs
	MaxDetailKey   = 64   // bytes of a Detail key
	MaxDetailValue = 1024 // bytes of a Detail value
)

// ErrInvalid is returned by Append for an entry it refuses to write.
var ErrInvalid = errors.New("audit: invalid entry")

// Document kinds and the head's id in the store.
const (
	entryKind = "audit"
	headKind  = "audit-head"
	headID    = "head"
)

// head is the chain head document.
type head struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"`
}

// ID is the document id of an entry: its sequence number as 16 zero-padded
// decimal digits.
func ID(seq uint64) string { return fmt.Sprintf("%016d", seq) }

const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// Canonical returns the bytes an entry's hash is computed over: netstrings
// of the version tag, Seq, At, Actor, Action, Object, the number of Detail
// pairs, each pair (keys in byte order) and Prev. Hash is not included.
func Canonical(e Entry) []byte {
	var b []byte
	ns := func(s string) {
		b = strconv.AppendInt(b, int64(len(s)), 10)
		b = append(b, ':')
		b = append(b, s...)
		b = append(b, ',')
	}
	ns("vaksam-audit-v1")
	ns(strconv.FormatUint(e.Seq, 10))
	ns(e.At.UTC().Format(timeLayout))
	ns(e.Actor)
	ns(e.Action)
	ns(e.Object)
	ns(strconv.Itoa(len(e.Detail)))
	keys := make([]string, 0, len(e.Detail))
	for k := range e.Detail {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		ns(k)
		ns(e.Detail[k])
	}
	ns(e.Prev)
	return b
}

// HashOf returns the hash an entry should carry: the lowercase hex
// SHA-256 of Canonical(e).
func HashOf(e Entry) string {
	sum := sha256.Sum256(Canonical(e))
	return hex.EncodeToString(sum[:])
}

// Append adds an entry to the trail within a store transaction: it reads
// the chain head, numbers the entry after it, links it to it, computes its
// hash and writes the entry and the new head. Seq, Prev and Hash of e are
// ignored; At is stored in UTC. It returns the entry as written.
//
// Append refuses (ErrInvalid) an entry without At, Actor or Action, a
// string that is not UTF-8, and fields over the limits. It masks any
// personnummer in Detail (keys and values) rather than refuse the change
// it records: the trail can never be cleaned afterwards, since removing
// anything breaks the chain. An error leaves the transaction to be
// discarded by the caller's failure, like any other.
func Append(tx *store.Tx, e Entry) (Entry, error) {
	if err := check(e); err != nil {
		return Entry{}, err
	}
	h, err := readHead(tx)
	if err != nil {
		return Entry{}, err
	}
	e.Seq = h.Seq + 1
	e.Prev = h.Hash
	if h.Seq == 0 {
		e.Prev = Genesis
	}
	e.At = e.At.UTC()
	if len(e.Detail) == 0 {
		e.Detail = nil
	} else {
		e.Detail = masked(e.Detail)
	}
	e.Hash = HashOf(e)
	data, err := json.Marshal(e)
	if err != nil {
		return Entry{}, fmt.Errorf("audit: entry %d: %w", e.Seq, err)
	}
	if err := tx.Put(entryKind, ID(e.Seq), data); err != nil {
		return Entry{}, fmt.Errorf("audit: entry %d: %w", e.Seq, err)
	}
	hd, err := json.Marshal(head{Seq: e.Seq, Hash: e.Hash})
	if err != nil {
		return Entry{}, fmt.Errorf("audit: head: %w", err)
	}
	if err := tx.Put(headKind, headID, hd); err != nil {
		return Entry{}, fmt.Errorf("audit: head: %w", err)
	}
	return e, nil
}

func readHead(tx *store.Tx) (head, error) {
	data, err := tx.Get(headKind, headID)
	if errors.Is(err, store.ErrNotFound) {
		return head{}, nil
	}
	if err != nil {
		return head{}, fmt.Errorf("audit: head: %w", err)
	}
	var h head
	if err := json.Unmarshal(data, &h); err != nil {
		return head{}, fmt.Errorf("audit: head: %w", err)
	}
	if h.Seq == 0 || len(h.Hash) != len(Genesis) {
		return head{}, fmt.Errorf("audit: head: damaged (seq %d, hash %q)", h.Seq, h.Hash)
	}
	return h, nil
}

// masked copies a Detail with every personnummer in it masked.
func masked(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[maskPersons(k)] = maskPersons(v)
	}
	return out
}

// check refuses what must not be written.
func check(e Entry) error {
	var ps []string
	if e.At.IsZero() {
		ps = append(ps, "at: required")
	} else if y := e.At.UTC().Year(); y < 1 || y > 9999 {
		ps = append(ps, "at: year out of range")
	}
	for _, f := range []struct{ name, v string }{{"actor", e.Actor}, {"action", e.Action}, {"object", e.Object}} {
		switch {
		case f.name != "object" && strings.TrimSpace(f.v) == "":
			ps = append(ps, f.name+": required")
		case len(f.v) > MaxField:
			ps = append(ps, fmt.Sprintf("%s: over %d bytes", f.name, MaxField))
		case !utf8.ValidString(f.v):
			ps = append(ps, f.name+": not UTF-8")
		}
	}
	if len(e.Detail) > MaxDetail {
		ps = append(ps, fmt.Sprintf("detail: over %d pairs", MaxDetail))
	}
	keys := make([]string, 0, len(e.Detail))
	for k := range e.Detail {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := e.Detail[k]
		name := "detail"
		if utf8.ValidString(k) && len(k) <= MaxDetailKey {
			name = "detail." + k
		}
		switch {
		case k == "" || len(k) > MaxDetailKey:
			ps = append(ps, fmt.Sprintf("detail: key empty or over %d bytes", MaxDetailKey))
		case len(v) > MaxDetailValue:
			ps = append(ps, fmt.Sprintf("%s: over %d bytes", name, MaxDetailValue))
		case !utf8.ValidString(k) || !utf8.ValidString(v):
			ps = append(ps, name+": not UTF-8")
		}
	}
	if len(ps) > 0 {
		return fmt.Errorf("%w: %s", ErrInvalid, strings.Join(ps, "; "))
	}
	return nil
}

// maskPersons masks every personnummer (or samordningsnummer) in s: a run
// of 10 or 12 digits, or of 6 or 8 digits, '-' or '+' and 4 digits, that
// is a valid one keeps its first two digits and has the others replaced by
// X, as ident redacts for logs. Organisation numbers of legal persons are
// left as they are.
func maskPersons(s string) string {
	var b []byte
	mask := func(from, to int) {
		if b == nil {
			b = []byte(s)
		}
		for k, n := from, 0; k < to; k++ {
			if isDigit(b[k]) {
				if n >= 2 {
					b[k] = 'X'
				}
				n++
			}
		}
	}
	person := ident.MayBePerson
	// run returns the end of the run of digits starting at i.
	run := func(i int) int {
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		return i
	}
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		j := run(i)
		switch n := j - i; {
		case n == 10 || n == 12:
			if person(s[i:j]) {
				mask(i, j)
			}
		case (n == 6 || n == 8) && j+1 < len(s) && (s[j] == '-' || s[j] == '+'):
			if k := run(j + 1); k-(j+1) == 4 && person(s[i:j]+s[j+1:k]) {
				mask(i, k)
				j = k
			}
		}
		i = j
	}
	if b == nil {
		return s
	}
	return string(b)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
