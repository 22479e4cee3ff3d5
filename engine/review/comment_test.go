package review

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestComment(t *testing.T) {
	e := newEnv(t)
	a := e.opened(org1)
	e.trail()
	c1, err := e.desk.Comment(a.ID, " anna ", "Ringde bolaget, ingen svarade.", day(3))
	if err != nil {
		t.Fatal(err)
	}
	if c1.ID != a.ID+"-c1" || c1.Seq != 1 || c1.AlertID != a.ID || c1.By != "anna" || !c1.At.Equal(day(3)) ||
		c1.Text != "Ringde bolaget, ingen svarade." {
		t.Errorf("comment %+v", c1)
	}
	x := e.wantTrail(AuditComment + " anna " + a.ID)[0]
	wantDetail(t, x, "comment", "1", "length", "30", "state", Ny, "revision", "1")
	for k, v := range x.Detail {
		if strings.Contains(v, "Ringde") {
			t.Errorf("detail %s carries the comment's text", k)
		}
	}
	// Nothing about the alert changes and nothing is published.
	if got := e.alert(a.ID); got.Revision != a.Revision || !got.UpdatedAt.Equal(a.UpdatedAt) {
		t.Errorf("alert changed: revision %d updated %s", got.Revision, got.UpdatedAt)
	}
	e.wantSubjects(e.events())

	// Comments are numbered per alert and kept in any state.
	for i := 2; i <= 11; i++ {
		if _, err := e.desk.Comment(a.ID, "cecilia", "anteckning", day(4)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.desk.Close(a.ID, "anna", "utrett", Finding{Outcome: OutcomeJustified}, day(5)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.desk.Comment(a.ID, "anna", "efter stängning", day(6)); err != nil {
		t.Fatalf("comment on a closed alert: %v", err)
	}
	cs, err := e.desk.Comments(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 12 {
		t.Fatalf("%d comments, want 12", len(cs))
	}
	for i, c := range cs {
		if c.Seq != i+1 {
			t.Errorf("comment %d has seq %d: not oldest first", i, c.Seq)
		}
	}
	if cs[11].Text != "efter stängning" || cs[0].Text != c1.Text {
		t.Errorf("texts %q ... %q", cs[0].Text, cs[11].Text)
	}
	e.wantIntact(1 + 12 + 1) // opened, 12 comments, closed

	// Another alert's comments are its own.
	b := e.opened(org2)
	if cs, err := e.desk.Comments(b.ID); err != nil || len(cs) != 0 || cs == nil {
		t.Errorf("comments of a new alert: %v %v, want an empty list", cs, err)
	}
}

func TestCommentRefused(t *testing.T) {
	e := newEnv(t)
	a := e.opened(org1)
	e.trail()
	for _, tc := range []struct {
		name, alert, by, text string
		field                 string
	}{
		{"blank text", a.ID, "anna", " \n", "text"},
		{"no author", a.ID, " ", "text", "by"},
		{"too long", a.ID, "anna", strings.Repeat("å", MaxComment+1), "text"},
		{"not UTF-8", a.ID, "anna", "\xff", "text"},
	} {
		_, err := e.desk.Comment(tc.alert, tc.by, tc.text, day(3))
		wantErr(t, err, ErrInvalid)
		if !strings.Contains(err.Error(), "comment: "+tc.field+": ") {
			t.Errorf("%s: %v, want it to name %s", tc.name, err, tc.field)
		}
	}
	if _, err := e.desk.Comment(a.ID, "anna", "x", time.Time{}); !strings.Contains(fmt.Sprint(err), "comment: at: required") {
		t.Errorf("no time: %v", err)
	}
	_, err := e.desk.Comment(org1+"-9", "anna", "x", day(3))
	wantErr(t, err, ErrNotFound)
	_, err = e.desk.Comments(org1 + "-9")
	wantErr(t, err, ErrNotFound)
	e.wantTrail() // refusals write nothing
	if _, err := e.desk.Comment(a.ID, "anna", strings.Repeat("å", MaxComment), day(3)); err != nil {
		t.Errorf("a comment of the longest length: %v", err)
	}
}

func TestAllDecisions(t *testing.T) {
	e := newEnv(t)
	a := e.opened(org1)
	b := e.opened(org2)
	halt := e.decide(request(a.ID, Avropsstopp, "anna"), day(3))
	term := e.decide(request(b.ID, Havning, "anna"), day(3))
	all, err := e.desk.AllDecisions(nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range all {
		ids = append(ids, d.ID)
	}
	// By organisation number: org2 (556…) before org1 (559…).
	if strings.Join(ids, " ") != term.ID+" "+halt.ID {
		t.Errorf("decisions %v", ids)
	}
	pending, err := e.desk.AllDecisions(func(d *Decision) bool { return d.Status == VantarGodkannande })
	if err != nil || len(pending) != 1 || pending[0].ID != term.ID {
		t.Errorf("pending %v %v", pending, err)
	}
}
