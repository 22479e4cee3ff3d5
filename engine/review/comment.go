package review

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vaksam/vaksam/engine/store"
)

// AuditComment is the audit action of a comment on an alert.
const AuditComment = "alert.comment"

// MaxComment is the longest comment, in characters.
const MaxComment = 10000

// Comment is a note a user adds to an alert while working on it: what
// they found out, whom they called. It changes nothing about the alert
// (no revision, no event) and is kept, like a decision's justification,
// only in the store: the audit entry says that a comment was made, not
// what it says.
type Comment struct {
	ID      string    `json:"id"`  // <alert id>-c<seq>
	Seq     int       `json:"seq"` // counts the alert's comments from 1
	AlertID string    `json:"alert_id"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
	Text    string    `json:"text"`
}

// Document kinds of comments: the comments, and per alert how many it has.
const (
	commentKind      = "alert-comment"
	commentCountKind = "alert-comments"
)

type commentCount struct {
	N int `json:"n"`
}

// Comment adds a comment to an alert, in whatever state it is, and
// appends its audit entry (AuditComment, the alert as object, the
// comment's number and length as details) in the same transaction.
func (d *Desk) Comment(alertID, by, text string, at time.Time) (*Comment, error) {
	by = strings.TrimSpace(by)
	ps := []*problem{req("alert_id", alertID), req("by", by), req("text", text), reqTime("at", at)}
	if !utf8.ValidString(text) {
		ps = append(ps, &problem{"text", "not UTF-8", CodeNotUTF8, nil})
	} else if n := utf8.RuneCountInString(text); n > MaxComment {
		ps = append(ps, &problem{"text", fmt.Sprintf("%d characters, at most %d", n, MaxComment), CodeTooLong, nil})
	}
	if err := check("comment", ps...); err != nil {
		return nil, err
	}
	var out *Comment
	err := d.Store.Update(func(tx *store.Tx) error {
		al, err := get[Alert](tx, alertKind, alertID)
		if err != nil {
			return err
		}
		cnt, err := get[commentCount](tx, commentCountKind, al.ID)
		if errors.Is(err, ErrNotFound) {
			cnt, err = &commentCount{}, nil
		}
		if err != nil {
			return err
		}
		cnt.N++
		c := &Comment{ID: fmt.Sprintf("%s-c%d", al.ID, cnt.N), Seq: cnt.N, AlertID: al.ID, By: by, At: at, Text: text}
		if err := put(tx, commentKind, c.ID, c); err != nil {
			return err
		}
		if err := put(tx, commentCountKind, al.ID, cnt); err != nil {
			return err
		}
		out = c
		return audited(tx, at, by, AuditComment, al.ID, map[string]string{"comment": strconv.Itoa(c.Seq),
			"length": strconv.Itoa(utf8.RuneCountInString(text)), "state": string(al.State), "revision": strconv.Itoa(al.Revision)})
	})
	if err != nil {
		return nil, wrap("alert", alertID, err)
	}
	d.log().Debug("review: comment", "alert", redactID(alertID), "comment", out.Seq, "by", by)
	return out, nil
}

// Comments returns an alert's comments, oldest first.
func (d *Desk) Comments(alertID string) ([]*Comment, error) {
	if _, err := d.Alert(alertID); err != nil {
		return nil, err
	}
	out, err := docs(d.Store, commentKind, alertID+"-c", func(c *Comment) bool { return c.AlertID == alertID })
	if err != nil {
		return nil, fmt.Errorf("review: alert %s: comments: %w", redactID(alertID), err)
	}
	if out == nil {
		out = []*Comment{}
	}
	slices.SortFunc(out, func(a, b *Comment) int { return cmp.Compare(a.Seq, b.Seq) })
	return out, nil
}

// AllDecisions returns every decision for which filter (nil: every
// decision) is true, by alert and then oldest first.
func (d *Desk) AllDecisions(filter func(*Decision) bool) ([]*Decision, error) {
	out, err := docs(d.Store, decisionKind, "", filter)
	if err != nil {
		return nil, fmt.Errorf("review: decisions: %w", err)
	}
	slices.SortFunc(out, func(a, b *Decision) int {
		return cmp.Or(cmp.Compare(a.Orgnr, b.Orgnr), cmp.Compare(a.AlertID, b.AlertID), cmp.Compare(a.Seq, b.Seq))
	})
	return out, nil
}
