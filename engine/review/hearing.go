package review

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vaksam/vaksam/engine/audit"
	records "github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
)

// The hearing of the supplier (kontradiktion). Before a termination
// (havning) or an exclusion (uteslutning) is approved the supplier must
// have been told what is intended and have had the chance to answer:
// Inform records that it was informed (when, how, and the deadline it
// was given), Respond records its response (when it came, its text, and
// a file it sent). Approve refuses a decision whose supplier has not been
// heard (Desk.Heard): informed by a valid notice, and either a response
// to the notice in force was recorded or that notice's deadline has
// passed.
//
// A notice is valid when the supplier was informed between the decision
// it is informed of and the time the notice is recorded (not before the
// proposal existed, not in the future), and its deadline is at least the
// desk's minimum (Desk.HearingDays, DefaultHearingDays) after the time it
// was informed: the time a supplier is normally given to answer. Inform
// refuses a notice that is not, naming the field; Approve refuses a
// notice in force that is not under the desk's rules now (one recorded
// before them, or under a shorter minimum): a new notice is needed.
//
// A new notice (a corrected date, a later deadline) may be recorded at
// any time while the decision waits; the latest one is in force and the
// earlier ones are kept. Its audit entry is a correction
// (audit.HearingCorrect) that names the notice it replaces and holds the
// old and the new dates and channel. The hearing is kept in the decision
// document; a response's file is a document of its own (kind
// "attachment", id <decision id>-<n>) whose SHA-256 the decision records,
// so that the decision basis cites exactly the file that was sent. The
// audit entries (audit.HearingInform, audit.HearingCorrect,
// audit.HearingRespond) hold codes and numbers only: dates, the channel,
// whether a file came, its type, size and the start of its hash, never
// the response's text or the file's name.

// DefaultHearingDays is the least number of days between the time a
// supplier is informed and its deadline, when the desk sets none: the
// time a supplier is normally given to answer.
const DefaultHearingDays = 10

// MaxAttachment is the largest file a response may carry: 10 MiB.
const MaxAttachment = 10 << 20

// MaxResponseText is the longest response text, in characters.
const MaxResponseText = 20000

// maxAttachmentName is the longest file name kept, in bytes.
const maxAttachmentName = 255

// How the supplier was informed.
const (
	ChannelBrev          = "brev"               // a letter
	ChannelRekommenderat = "rekommenderat brev" // a registered letter
	ChannelEpost         = "e-post"             // e-mail
	ChannelDigital       = "digital brevlåda"   // a digital mailbox
	ChannelBud           = "bud"                // by courier
	ChannelPersonligen   = "personligen"        // handed over in person
)

// Channels lists every channel.
var Channels = []string{ChannelBrev, ChannelRekommenderat, ChannelEpost, ChannelDigital, ChannelBud, ChannelPersonligen}

// DocxType is the content type of a Word document (.docx).
const DocxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

// AttachmentTypes lists the content types a response's file may have.
var AttachmentTypes = []string{"application/pdf", "image/png", "image/jpeg", "text/plain", DocxType}

// Where a hearing stands at a time (Decision.HearingStatus).
const (
	HearingNotInformed = "ej_underrattad" // the supplier has not been informed
	HearingAwaiting    = "vantar_svar"    // informed; no response, and the deadline has not passed
	HearingAnswered    = "besvarad"       // a response to the notice in force was recorded
	HearingLapsed      = "frist_utgangen" // the deadline passed without a response
	// HearingInvalid: the notice in force does not satisfy the desk's
	// rules (Desk.HearingStatus): a new notice is needed.
	HearingInvalid = "underrattelse_ogiltig"
)

// Hearing is what was recorded of a supplier's hearing on a decision.
type Hearing struct {
	Notices   []Notice   `json:"notices"`   // oldest first; the last one is in force
	Responses []Response `json:"responses"` // oldest first
}

// Notice records that the supplier was informed of the intended decision.
type Notice struct {
	N          int       `json:"n"`           // counts the decision's notices from 1
	InformedAt time.Time `json:"informed_at"` // when the supplier was informed
	Deadline   time.Time `json:"deadline"`    // the last moment it may answer
	Channel    string    `json:"channel"`     // one of Channels
	RecordedBy string    `json:"recorded_by"`
	RecordedAt time.Time `json:"recorded_at"`
}

// Response is the supplier's answer.
type Response struct {
	N          int             `json:"n"`      // counts the decision's responses from 1
	Notice     int             `json:"notice"` // the notice in force when it was recorded
	ReceivedAt time.Time       `json:"received_at"`
	Text       string          `json:"text,omitempty"`
	Attachment *AttachmentInfo `json:"attachment,omitempty"`
	RecordedBy string          `json:"recorded_by"`
	RecordedAt time.Time       `json:"recorded_at"`
}

// Attachment is a file the supplier sent with its response.
type Attachment struct {
	Name        string // the file's name, without a directory
	ContentType string // one of AttachmentTypes
	Data        []byte // at most MaxAttachment bytes
}

// AttachmentInfo is what the decision records of a file: Desk.Attachment
// reads it back.
type AttachmentInfo struct {
	N           int    `json:"n"` // counts the decision's files from 1
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`   // bytes
	SHA256      string `json:"sha256"` // lowercase hex of the file's SHA-256
}

// attachmentKind is the document kind of the files; the id is
// <decision id>-<n>.
const attachmentKind = "attachment"

// attachmentDoc is a file as stored.
type attachmentDoc struct {
	DecisionID string `json:"decision_id"`
	AttachmentInfo
	Data []byte `json:"data"`
}

// Notice returns the notice in force, nil when the supplier has not been
// informed.
func (h *Hearing) Notice() *Notice {
	if h == nil || len(h.Notices) == 0 {
		return nil
	}
	return &h.Notices[len(h.Notices)-1]
}

// Answered reports whether a response to the notice in force was
// recorded.
func (h *Hearing) Answered() bool {
	n := h.Notice()
	return n != nil && slices.ContainsFunc(h.Responses, func(r Response) bool { return r.Notice == n.N })
}

// HearingStatus is where the decision's hearing stands at a time, on
// the record alone: one of HearingNotInformed, HearingAwaiting,
// HearingAnswered, HearingLapsed. Whether the notice in force satisfies
// the rules is Desk.HearingStatus's question.
func (d *Decision) HearingStatus(at time.Time) string {
	n := d.Hearing.Notice()
	switch {
	case n == nil:
		return HearingNotInformed
	case d.Hearing.Answered():
		return HearingAnswered
	case at.After(n.Deadline):
		return HearingLapsed
	}
	return HearingAwaiting
}

// HearingStatus is where a decision's hearing stands at a time under the
// desk's rules: Decision.HearingStatus, or HearingInvalid when the
// supplier was informed by a notice in force that does not satisfy them.
func (d *Desk) HearingStatus(dec *Decision, at time.Time) string {
	if n := dec.Hearing.Notice(); n != nil && len(d.noticeProblems(dec, n)) > 0 {
		return HearingInvalid
	}
	return dec.HearingStatus(at)
}

// Heard reports whether the supplier has been heard at a time, as
// approving a termination or exclusion requires: it was informed by a
// valid notice, and it answered the notice in force or that notice's
// deadline has passed.
func (d *Desk) Heard(dec *Decision, at time.Time) bool {
	s := d.HearingStatus(dec, at)
	return s == HearingAnswered || s == HearingLapsed
}

// HearingProblems lists what is wrong with the notice in force of a
// decision under the desk's rules, each naming its field (informed_at,
// deadline); none when it is valid or there is none.
func (d *Desk) HearingProblems(dec *Decision) []*FieldError {
	n := dec.Hearing.Notice()
	if n == nil {
		return nil
	}
	var out []*FieldError
	for _, p := range d.noticeProblems(dec, n) {
		out = append(out, &FieldError{Op: "approve", Field: p.field, Problem: p.text, Code: p.code, Args: p.args})
	}
	return out
}

// HearingMinimum is the desk's least number of days from the time a
// supplier is informed to its deadline: HearingDays, or
// DefaultHearingDays when that is not set.
func (d *Desk) HearingMinimum() int {
	if d.HearingDays <= 0 {
		return DefaultHearingDays
	}
	return d.HearingDays
}

// heard refuses (ErrState) to approve a termination or exclusion whose
// supplier has not been heard at a time.
func (d *Desk) heard(dec *Decision, at time.Time) error {
	if !dec.Kind.FourEyes() {
		return nil
	}
	switch d.HearingStatus(dec, at) {
	case HearingNotInformed:
		return refused(ErrState, CodeHearingRequired, "approve: the supplier has not been heard: record that it was informed, "+
			"and its response or that the deadline passed")
	case HearingInvalid:
		var why []string
		for _, fe := range d.HearingProblems(dec) {
			why = append(why, fe.Field+": "+fe.Problem)
		}
		return refused(ErrState, CodeHearingInvalid, "approve: the supplier has not been heard: notice %d is not valid (%s): "+
			"record a new notice", dec.Hearing.Notice().N, strings.Join(why, "; "))
	case HearingAwaiting:
		return refused(ErrState, CodeHearingAwaiting, "approve: the supplier has not been heard: record its response, "+
			"or wait until its deadline (%s) has passed", dateOf(dec.Hearing.Notice().Deadline))
	}
	return nil
}

// noticeProblems lists what is wrong with a recorded notice of a decision
// under the desk's rules: informed before the decision, or a deadline
// too close to the time informed.
func (d *Desk) noticeProblems(dec *Decision, n *Notice) []*problem {
	var ps []*problem
	for _, p := range []*problem{informedBefore(dec, n.InformedAt), d.deadlineProblem(n.InformedAt, n.Deadline)} {
		if p != nil {
			ps = append(ps, p)
		}
	}
	return ps
}

// informedBefore is the problem of a time informed before the decision
// the supplier is informed of: it cannot have been told of a proposal
// that did not exist.
func informedBefore(dec *Decision, informedAt time.Time) *problem {
	if informedAt.Before(dec.DecidedAt) {
		return &problem{"informed_at", "before the decision (" + minuteOf(dec.DecidedAt) + ")", CodeInformedBeforeDecision, []any{dateOf(dec.DecidedAt)}}
	}
	return nil
}

// deadlineProblem is the problem of a deadline less than the desk's
// minimum of days (in Sweden's calendar) after the time informed.
func (d *Desk) deadlineProblem(informedAt, deadline time.Time) *problem {
	days := d.HearingMinimum()
	earliest := informedAt.In(records.Stockholm).AddDate(0, 0, days)
	if deadline.Before(earliest) {
		return &problem{"deadline", fmt.Sprintf("less than %d days after informed_at: at the earliest %s", days, minuteOf(earliest)), CodeDeadlineTooSoon, []any{days, dateOf(earliest)}}
	}
	return nil
}

// dateOf is a time's date in Sweden, for messages and audit details.
func dateOf(t time.Time) string { return t.In(records.Stockholm).Format(time.DateOnly) }

// minuteOf is a time to the minute in Sweden, for messages.
func minuteOf(t time.Time) string { return t.In(records.Stockholm).Format("2006-01-02 15:04") }

// Inform records that the supplier was informed at informedAt of a
// decision awaiting approval (a termination or exclusion), through a
// channel (one of Channels), and given until deadline to answer. Only a
// decision awaiting approval may be informed of (ErrState). informed_at
// must lie between the decision and at (the time it is recorded), and
// the deadline must be at least the desk's minimum of days after
// informed_at (ErrInvalid, naming the field).
//
// A later notice replaces the one in force, which is kept: it corrects
// the dates (or the channel) the decision's hearing rests on, and its
// audit entry is a correction (audit.HearingCorrect) that names the
// notice replaced and holds its dates and channel beside the new ones
// (informed_was, deadline_was, channel_was). The first notice's entry is
// audit.HearingInform. The entry is written in the same transaction.
func (d *Desk) Inform(decisionID, by string, informedAt, deadline time.Time, channel string, at time.Time) (*Decision, error) {
	by, channel = strings.TrimSpace(by), strings.TrimSpace(channel)
	ps := []*problem{req("decision_id", decisionID), req("by", by), reqTime("informed_at", informedAt),
		reqTime("deadline", deadline), req("channel", channel), reqTime("at", at)}
	if channel != "" && !slices.Contains(Channels, channel) {
		ps = append(ps, &problem{"channel", fmt.Sprintf("%q is not one of %s", channel, strings.Join(Channels, ", ")), CodeInvalid, nil})
	}
	if !informedAt.IsZero() && !at.IsZero() && informedAt.After(at) {
		ps = append(ps, &problem{"informed_at", "in the future", CodeInFuture, nil})
	}
	if !informedAt.IsZero() && !deadline.IsZero() {
		ps = append(ps, d.deadlineProblem(informedAt, deadline))
	}
	if !informedAt.IsZero() && decisionID != "" {
		// Read apart, to report every problem at once: a decision's
		// time never changes. hearingOf reads it again below.
		if dec, err := d.Decision(decisionID); err == nil {
			ps = append(ps, informedBefore(dec, informedAt))
		}
	}
	if err := check("inform", ps...); err != nil {
		return nil, err
	}
	var out *Decision
	err := d.Store.Update(func(tx *store.Tx) error {
		dec, al, err := hearingOf(tx, decisionID, at, "inform")
		if err != nil {
			return err
		}
		if dec.Hearing == nil {
			dec.Hearing = &Hearing{Notices: []Notice{}, Responses: []Response{}}
		}
		was := dec.Hearing.Notice()
		n := Notice{N: len(dec.Hearing.Notices) + 1, InformedAt: informedAt, Deadline: deadline, Channel: channel,
			RecordedBy: by, RecordedAt: at}
		action, more := audit.HearingInform, []string{"notice", strconv.Itoa(n.N),
			"informed", dateOf(informedAt), "deadline", dateOf(deadline), "channel", channel}
		if was != nil {
			action, more = audit.HearingCorrect, append(more, "replaces", strconv.Itoa(was.N),
				"informed_was", dateOf(was.InformedAt), "deadline_was", dateOf(was.Deadline), "channel_was", was.Channel)
		}
		dec.Hearing.Notices = append(dec.Hearing.Notices, n)
		if err := put(tx, decisionKind, dec.ID, dec); err != nil {
			return err
		}
		out = dec
		return audited(tx, at, by, action, dec.ID, decisionDetail(dec, al, more...))
	})
	if err != nil {
		return nil, wrap("decision", decisionID, err)
	}
	d.log().Info("review: hearing: supplier informed", "decision", redactID(out.ID), "by", by,
		"notice", len(out.Hearing.Notices))
	return out, nil
}

// Respond records the supplier's response to a decision awaiting
// approval whose supplier was informed (else ErrState): when it was
// received (not after at, nor before the notice in force), its text and
// a file it sent (nil for none); one of the two is required. The file
// (at most MaxAttachment bytes, of one of AttachmentTypes, whose content
// must look like its type) is stored as a document of its own, its
// SHA-256 in the decision. The audit entry (audit.HearingRespond) is
// written in the same transaction.
func (d *Desk) Respond(decisionID, by string, receivedAt time.Time, text string, attachment *Attachment, at time.Time) (*Decision, error) {
	by = strings.TrimSpace(by)
	ps := []*problem{req("decision_id", decisionID), req("by", by), reqTime("received_at", receivedAt), reqTime("at", at)}
	if !receivedAt.IsZero() && !at.IsZero() && receivedAt.After(at) {
		ps = append(ps, &problem{"received_at", "in the future", CodeInFuture, nil})
	}
	switch {
	case blank(text) && attachment == nil:
		ps = append(ps, &problem{"text", "required without a file", CodeTextOrFile, nil})
	case !utf8.ValidString(text):
		ps = append(ps, &problem{"text", "not UTF-8", CodeNotUTF8, nil})
	case utf8.RuneCountInString(text) > MaxResponseText:
		ps = append(ps, &problem{"text", fmt.Sprintf("%d characters, at most %d", utf8.RuneCountInString(text), MaxResponseText), CodeTooLong, nil})
	}
	var file *attachmentDoc
	if attachment != nil {
		var p *problem
		file, p = checkAttachment(attachment)
		ps = append(ps, p)
	}
	if err := check("respond", ps...); err != nil {
		return nil, err
	}
	var out *Decision
	err := d.Store.Update(func(tx *store.Tx) error {
		dec, al, err := hearingOf(tx, decisionID, at, "respond")
		if err != nil {
			return err
		}
		notice := dec.Hearing.Notice()
		if notice == nil {
			return refused(ErrState, CodeNotInformed, "respond: the supplier has not been informed: record that first")
		}
		if receivedAt.Before(notice.InformedAt) {
			return check("respond", &problem{"received_at", "before the supplier was informed", CodeBeforeInformed, nil})
		}
		r := Response{N: len(dec.Hearing.Responses) + 1, Notice: notice.N, ReceivedAt: receivedAt, Text: text,
			RecordedBy: by, RecordedAt: at}
		more := []string{"response", strconv.Itoa(r.N), "notice", strconv.Itoa(notice.N), "received", dateOf(receivedAt),
			"length", strconv.Itoa(utf8.RuneCountInString(text)), "has_attachment", strconv.FormatBool(file != nil)}
		if file != nil {
			n := 1
			for _, x := range dec.Hearing.Responses {
				if x.Attachment != nil && x.Attachment.N >= n {
					n = x.Attachment.N + 1
				}
			}
			file.DecisionID, file.N = dec.ID, n
			id := dec.ID + "-" + strconv.Itoa(n)
			if _, err := tx.Get(attachmentKind, id); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("attachment %s: already stored (%v)", redactID(id), err)
			}
			if err := put(tx, attachmentKind, id, file); err != nil {
				return err
			}
			info := file.AttachmentInfo
			r.Attachment = &info
			more = append(more, "attachment", strconv.Itoa(n), "content_type", info.ContentType,
				"size", strconv.Itoa(info.Size), "sha256", info.SHA256[:16])
		}
		dec.Hearing.Responses = append(dec.Hearing.Responses, r)
		if err := put(tx, decisionKind, dec.ID, dec); err != nil {
			return err
		}
		out = dec
		return audited(tx, at, by, audit.HearingRespond, dec.ID, decisionDetail(dec, al, more...))
	})
	if err != nil {
		return nil, wrap("decision", decisionID, err)
	}
	d.log().Info("review: hearing: response recorded", "decision", redactID(out.ID), "by", by,
		"attachment", file != nil)
	return out, nil
}

// hearingOf reads a decision whose hearing may be recorded at a time (a
// termination or exclusion awaiting approval) and its alert.
func hearingOf(tx *store.Tx, id string, at time.Time, op string) (*Decision, *Alert, error) {
	dec, err := get[Decision](tx, decisionKind, id)
	if err != nil {
		return nil, nil, err
	}
	if !dec.Kind.FourEyes() {
		return nil, nil, refused(ErrState, CodeNoHearing, "%s: a decision of kind %s has no hearing", op, dec.Kind)
	}
	if dec.Status != VantarGodkannande {
		return nil, nil, refused(ErrState, CodeInvalidState, "%s: decision is %s", op, dec.Status)
	}
	if at.Before(dec.DecidedAt) {
		return nil, nil, check(op, &problem{"at", "before the decision", CodeBeforeDecision, nil})
	}
	al, err := get[Alert](tx, alertKind, dec.AlertID)
	if err != nil {
		return nil, nil, fmt.Errorf("alert %s: %w", redactID(dec.AlertID), err)
	}
	if al.Pending != dec.ID || al.State == Stangd {
		return nil, nil, refused(ErrState, CodeInvalidState, "%s: alert %s does not await it", op, redactID(al.ID))
	}
	return dec, al, nil
}

// checkAttachment checks a response's file and returns it as it is
// stored (its name without a directory, its content type without
// parameters, its size and hash), or the problem with it (field "file").
func checkAttachment(a *Attachment) (*attachmentDoc, *problem) {
	bad := func(code, format string, args ...any) (*attachmentDoc, *problem) {
		return nil, &problem{"file", fmt.Sprintf(format, args...), code, nil}
	}
	name := strings.TrimSpace(path.Base(strings.ReplaceAll(a.Name, `\`, "/")))
	switch {
	case name == "" || name == "." || name == "/":
		return bad(CodeFileName, "no file name")
	case !utf8.ValidString(name):
		return bad(CodeFileName, "file name not UTF-8")
	case len(name) > maxAttachmentName:
		return bad(CodeFileName, "file name of %d bytes, at most %d", len(name), maxAttachmentName)
	case strings.ContainsFunc(name, unicode.IsControl):
		return bad(CodeFileName, "control character in the file name")
	}
	ct, _, err := mime.ParseMediaType(a.ContentType)
	switch {
	case strings.TrimSpace(a.ContentType) == "":
		return bad(CodeFileType, "no content type")
	case err != nil || !slices.Contains(AttachmentTypes, ct):
		return bad(CodeFileType, "content type %q is not one of %s", a.ContentType, strings.Join(AttachmentTypes, ", "))
	case len(a.Data) == 0:
		return bad(CodeFileEmpty, "empty")
	case len(a.Data) > MaxAttachment:
		return bad(CodeFileSize, "%d bytes, at most %d", len(a.Data), MaxAttachment)
	case !looksLike(ct, a.Data):
		return bad(CodeFileContent, "content does not look like %s", ct)
	}
	sum := sha256.Sum256(a.Data)
	return &attachmentDoc{AttachmentInfo: AttachmentInfo{Name: name, ContentType: ct, Size: len(a.Data),
		SHA256: hex.EncodeToString(sum[:])}, Data: bytes.Clone(a.Data)}, nil
}

// looksLike reports whether data starts as a file of the content type
// does (text: no NUL byte).
func looksLike(ct string, data []byte) bool {
	switch ct {
	case "application/pdf":
		return bytes.Contains(data[:min(len(data), 1024)], []byte("%PDF-"))
	case "image/png":
		return bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n"))
	case "image/jpeg":
		return bytes.HasPrefix(data, []byte("\xff\xd8\xff"))
	case DocxType:
		return bytes.HasPrefix(data, []byte("PK\x03\x04"))
	case "text/plain":
		return !bytes.Contains(data, []byte{0})
	}
	return false
}

// Attachment reads back the file n of a decision's hearing: what the
// decision records of it and its bytes. ErrNotFound when the decision has
// no such file; an error when the stored bytes do not have the SHA-256
// the decision records.
func (d *Desk) Attachment(decisionID string, n int) (*AttachmentInfo, []byte, error) {
	dec, err := d.Decision(decisionID)
	if err != nil {
		return nil, nil, err
	}
	var info *AttachmentInfo
	if dec.Hearing != nil {
		for _, r := range dec.Hearing.Responses {
			if r.Attachment != nil && r.Attachment.N == n {
				info = r.Attachment
			}
		}
	}
	id := decisionID + "-" + strconv.Itoa(n)
	if info == nil {
		return nil, nil, fmt.Errorf("review: attachment %s: %w", redactID(id), ErrNotFound)
	}
	file, err := doc[attachmentDoc](d.Store, attachmentKind, id)
	if err != nil {
		return nil, nil, fmt.Errorf("review: attachment %s: %w", redactID(id), err)
	}
	sum := sha256.Sum256(file.Data)
	if got := hex.EncodeToString(sum[:]); got != info.SHA256 || len(file.Data) != info.Size {
		return nil, nil, fmt.Errorf("review: attachment %s: stored bytes (SHA-256 %s, %d bytes) are not those the decision records (%s, %d bytes)",
			redactID(id), got, len(file.Data), info.SHA256, info.Size)
	}
	return info, file.Data, nil
}
