package review

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/store"
)

// fieldsOf lists the fields a refusal names, each an ErrInvalid.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("error %v, want ErrInvalid", err)
	}
	var out []string
	var walk func(error)
	walk = func(e error) {
		switch x := e.(type) {
		case *FieldError:
			out = append(out, x.Field)
		case interface{ Unwrap() []error }:
			for _, c := range x.Unwrap() {
				walk(c)
			}
		case interface{ Unwrap() error }:
			walk(x.Unwrap())
		}
	}
	walk(err)
	slices.Sort(out)
	return out
}

var (
	pdf  = []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
	png  = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	jpeg = []byte("\xff\xd8\xff\xe0\x00\x10JFIF")
	docx = []byte("PK\x03\x04\x14\x00\x06\x00")
)

// pendingTermination opens an alert and requests its termination on
// day(3).
func (e *env) pendingTermination() *Decision {
	e.t.Helper()
	al := e.opened(org1)
	return e.decide(request(al.ID, Havning, "anna"), day(3))
}

func TestInformValidation(t *testing.T) {
	e := newEnv(t)
	dec := e.pendingTermination()
	e.trail()
	for _, tc := range []struct {
		name                 string
		by                   string
		informed, deadline   time.Time
		channel              string
		at                   time.Time
		want                 []string
		wantProblemSubstring string
	}{
		{"nothing", "", time.Time{}, time.Time{}, "", time.Time{}, []string{"at", "by", "channel", "deadline", "informed_at"}, ""},
		{"unknown channel", "anna", day(3), day(13), "brevduva", day(3), []string{"channel"}, `"brevduva" is not one of`},
		{"informed in the future", "anna", day(5), day(20), ChannelBrev, day(4), []string{"informed_at"}, "in the future"},
		{"informed before the decision", "anna", day(2), day(16), ChannelBrev, day(3), []string{"informed_at"}, "before the decision (2026-11-03 13:00)"},
		{"informed an hour before the decision", "anna", day(3).Add(-time.Hour), day(16), ChannelBrev, day(4), []string{"informed_at"}, "before the decision"},
		{"informed years before the decision, deadline tomorrow", "anna", time.Date(2020, 3, 1, 9, 0, 0, 0, time.UTC), day(4), ChannelBrev, day(3),
			[]string{"informed_at"}, "before the decision"},
		{"informed years before the decision, deadline the next day", "anna", time.Date(2020, 3, 1, 9, 0, 0, 0, time.UTC), time.Date(2020, 3, 2, 9, 0, 0, 0, time.UTC), ChannelBrev, day(3),
			[]string{"deadline", "informed_at"}, "informed_at: before the decision"},
		{"deadline at the notice", "anna", day(3), day(3), ChannelBrev, day(4), []string{"deadline"}, "less than 10 days after informed_at: at the earliest 2026-11-13 13:00"},
		{"deadline before the notice", "anna", day(3), day(2), ChannelEpost, day(4), []string{"deadline"}, "less than 10 days after informed_at"},
		{"deadline the next day", "anna", day(3), day(4), ChannelEpost, day(4), []string{"deadline"}, "less than 10 days after informed_at"},
		{"deadline a second short of 10 days", "anna", day(3), day(13).Add(-time.Second), ChannelEpost, day(4), []string{"deadline"}, "less than 10 days"},
		{"several", "anna", day(6), day(5), "fax", day(4), []string{"channel", "deadline", "informed_at"}, ""},
		{"recorded before the decision", "anna", day(1), day(12), ChannelBrev, day(2), []string{"informed_at"}, "before the decision"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.desk.Inform(dec.ID, tc.by, tc.informed, tc.deadline, tc.channel, tc.at)
			if got := fieldsOf(t, err); !slices.Equal(got, tc.want) {
				t.Errorf("fields %v, want %v (%v)", got, tc.want, err)
			}
			if !strings.Contains(err.Error(), tc.wantProblemSubstring) {
				t.Errorf("message %q lacks %q", err, tc.wantProblemSubstring)
			}
		})
	}
	e.wantTrail()
	// Informed at the decision, given exactly the minimum: accepted.
	if _, err := e.desk.Inform(dec.ID, "anna", day(3), day(13), ChannelRekommenderat, day(3)); err != nil {
		t.Fatal(err)
	}
	e.wantTrail("hearing.inform anna " + dec.ID)
}

// The deadline is at least the desk's minimum of days after the time
// informed (10 by default, or as configured), counted in Sweden's
// calendar: exactly the minimum is accepted, a second less refused.
func TestHearingMinimum(t *testing.T) {
	for _, tc := range []struct {
		name    string
		days    int // the desk's HearingDays
		deadl   time.Time
		refused string // "" when accepted
	}{
		{"default, exactly 10 days", 0, day(13), ""},
		{"default, a second less", 0, day(13).Add(-time.Second), "less than 10 days after informed_at: at the earliest 2026-11-13 13:00"},
		{"default, 9 days", 0, day(12), "less than 10 days"},
		{"configured 14, exactly", 14, day(17), ""},
		{"configured 14, 13 days", 14, day(16), "less than 14 days after informed_at: at the earliest 2026-11-17 13:00"},
		{"configured 14, a second less", 14, day(17).Add(-time.Second), "less than 14 days"},
		{"configured 1, the next day", 1, day(4), ""},
		{"configured 1, the same day", 1, day(3).Add(time.Hour), "less than 1 days"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.desk.HearingDays = tc.days
			dec := e.pendingTermination()
			e.trail()
			if want := cmp.Or(tc.days, DefaultHearingDays); e.desk.HearingMinimum() != want {
				t.Errorf("minimum %d, want %d", e.desk.HearingMinimum(), want)
			}
			d, err := e.desk.Inform(dec.ID, "anna", day(3), tc.deadl, ChannelBrev, day(3))
			if tc.refused == "" {
				if err != nil || d.Hearing.Notice().Deadline != tc.deadl {
					t.Fatalf("refused: %v", err)
				}
				e.wantTrail("hearing.inform anna " + dec.ID)
				return
			}
			if got := fieldsOf(t, err); !slices.Equal(got, []string{"deadline"}) || !strings.Contains(err.Error(), tc.refused) {
				t.Errorf("error %v, want deadline: %s", err, tc.refused)
			}
			e.wantTrail()
		})
	}
}

// The minimum counts days of Sweden's calendar, not 24-hour periods: a
// notice across the end of summer time is given the same dates.
func TestHearingMinimumIsCalendarDays(t *testing.T) {
	cest := time.FixedZone("CEST", 2*3600)
	cet := time.FixedZone("CET", 3600)
	informed := time.Date(2026, 10, 20, 0, 0, 0, 0, cest) // summer time ends on 25 October
	d := &Desk{}
	for _, tc := range []struct {
		deadline time.Time
		ok       bool
	}{
		{time.Date(2026, 10, 30, 0, 0, 0, 0, cet), true},
		{time.Date(2026, 10, 29, 23, 59, 59, 0, cet), false},
		{time.Date(2026, 10, 29, 23, 30, 0, 0, cet), false}, // 240 hours and 30 minutes after informed
	} {
		if p := d.deadlineProblem(informed, tc.deadline); (p == nil) != tc.ok {
			t.Errorf("deadline %s: problem %v, want ok %v", tc.deadline, p, tc.ok)
		}
	}
}

// A new notice corrects the one in force: both are kept, and the trail
// records a correction with the old and new dates and channel, not a
// second first notice.
func TestHearingCorrectionAudited(t *testing.T) {
	e := newEnv(t)
	dec := e.pendingTermination()
	e.inform(dec.ID, day(3), day(17), day(3))
	e.trail()
	d, err := e.desk.Inform(dec.ID, "bertil", day(4), day(20), ChannelRekommenderat, day(5))
	if err != nil {
		t.Fatal(err)
	}
	if ns := d.Hearing.Notices; len(ns) != 2 || !ns[0].InformedAt.Equal(day(3)) || !ns[0].Deadline.Equal(day(17)) ||
		ns[1].N != 2 || !ns[1].InformedAt.Equal(day(4)) || !ns[1].Deadline.Equal(day(20)) || d.Hearing.Notice() != &ns[1] {
		t.Fatalf("notices %+v", d.Hearing.Notices)
	}
	x := e.wantTrail("hearing.correct bertil " + dec.ID)
	wantDetail(t, x[0], "notice", "2", "replaces", "1",
		"informed_was", "2026-11-03", "informed", "2026-11-04",
		"deadline_was", "2026-11-17", "deadline", "2026-11-20",
		"channel_was", ChannelEpost, "channel", ChannelRekommenderat)
	// A correction is held to the same rules: refused, nothing recorded.
	wantErr(t, mustErr(e.desk.Inform(dec.ID, "bertil", day(2), day(20), ChannelBrev, day(5))), ErrInvalid)
	wantErr(t, mustErr(e.desk.Inform(dec.ID, "bertil", day(4), day(10), ChannelBrev, day(5))), ErrInvalid)
	e.wantTrail()
	if got, _ := e.desk.Decision(dec.ID); len(got.Hearing.Notices) != 2 {
		t.Errorf("notices %+v", got.Hearing.Notices)
	}
}

// storeNotice writes a notice into a pending decision's hearing as it
// is stored, bypassing Inform: a notice recorded before its rules were.
func (e *env) storeNotice(id string, n Notice) {
	e.t.Helper()
	err := e.st.Update(func(tx *store.Tx) error {
		dec, err := get[Decision](tx, decisionKind, id)
		if err != nil {
			return err
		}
		if dec.Hearing == nil {
			dec.Hearing = &Hearing{Notices: []Notice{}, Responses: []Response{}}
		}
		n.N = len(dec.Hearing.Notices) + 1
		dec.Hearing.Notices = append(dec.Hearing.Notices, n)
		return put(tx, decisionKind, id, dec)
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// The approver cannot approve on a notice in force that does not satisfy
// the rules now: one stored before them (informed years before the
// decision, a deadline the next day), or one recorded under a smaller
// minimum than the desk's. A valid new notice makes it approvable.
func TestApprovalNeedsValidNotice(t *testing.T) {
	for _, tc := range []struct {
		name   string
		notice func(e *env, id string)
		want   []string // parts of the refusal
	}{
		{"informed in 2020, deadline the next day", func(e *env, id string) {
			e.storeNotice(id, Notice{InformedAt: time.Date(2020, 3, 1, 9, 0, 0, 0, time.UTC), Deadline: time.Date(2020, 3, 2, 9, 0, 0, 0, time.UTC),
				Channel: ChannelBrev, RecordedBy: "anna", RecordedAt: day(3)})
		}, []string{"notice 1 is not valid", "informed_at: before the decision (2026-11-03 13:00)", "deadline: less than 10 days", "record a new notice"}},
		{"informed at the decision, deadline the next day", func(e *env, id string) {
			e.storeNotice(id, Notice{InformedAt: day(3), Deadline: day(4), Channel: ChannelBrev, RecordedBy: "anna", RecordedAt: day(3)})
		}, []string{"notice 1 is not valid (deadline: less than 10 days after informed_at"}},
		{"recorded under a minimum of 5 days", func(e *env, id string) {
			e.desk.HearingDays = 5
			e.inform(id, day(3), day(8), day(3))
			e.desk.HearingDays = 0
		}, []string{"notice 1 is not valid (deadline: less than 10 days after informed_at"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			dec := e.pendingTermination()
			tc.notice(e, dec.ID)
			e.respond(dec.ID, day(9), day(9))
			got, _ := e.desk.Decision(dec.ID)
			if got.HearingStatus(day(20)) != HearingAnswered || e.desk.HearingStatus(got, day(20)) != HearingInvalid || e.desk.Heard(got, day(20)) {
				t.Errorf("status %s, desk %s, heard %v", got.HearingStatus(day(20)), e.desk.HearingStatus(got, day(20)), e.desk.Heard(got, day(20)))
			}
			e.events()
			e.trail()
			_, err := e.desk.Approve(dec.ID, "bertil", day(20))
			wantErr(t, err, ErrState)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message %q lacks %q", err, w)
				}
			}
			if evs := e.reviewEvents(); len(evs) != 0 {
				t.Errorf("events %q", subjects(evs))
			}
			e.wantTrail()
			if got, _ := e.desk.Decision(dec.ID); got.Status != VantarGodkannande {
				t.Fatalf("status %s", got.Status)
			}
			// A valid new notice, answered: approved.
			e.inform(dec.ID, day(10), day(20), day(10))
			e.respond(dec.ID, day(11), day(11))
			if ok, err := e.desk.Approve(dec.ID, "bertil", day(12)); err != nil || ok.Status != Bekraftad {
				t.Fatalf("approve after a valid notice: %v", err)
			}
		})
	}
}

func TestRespondValidation(t *testing.T) {
	e := newEnv(t)
	dec := e.pendingTermination()
	if _, err := e.desk.Inform(dec.ID, "anna", day(3), day(17), ChannelBrev, day(3)); err != nil {
		t.Fatal(err)
	}
	e.trail()
	big := append(bytes.Clone(pdf), make([]byte, MaxAttachment)...)
	for _, tc := range []struct {
		name     string
		received time.Time
		text     string
		file     *Attachment
		at       time.Time
		want     []string
		problem  string
	}{
		{"nothing", time.Time{}, " ", nil, time.Time{}, []string{"at", "received_at", "text"}, "text: required without a file"},
		{"received in the future", day(6), "svar", nil, day(5), []string{"received_at"}, "in the future"},
		{"received before the notice", day(2), "svar", nil, day(5), []string{"received_at"}, "before the supplier was informed"},
		{"text not UTF-8", day(4), "svar \xff", nil, day(5), []string{"text"}, "not UTF-8"},
		{"text too long", day(4), strings.Repeat("å", MaxResponseText+1), nil, day(5), []string{"text"}, "at most 20000"},
		{"type not allowed", day(4), "", &Attachment{"svar.zip", "application/zip", docx}, day(5), []string{"file"}, `content type "application/zip" is not one of`},
		{"html", day(4), "", &Attachment{"svar.html", "text/html", []byte("<script>")}, day(5), []string{"file"}, "is not one of"},
		{"no type", day(4), "", &Attachment{"svar.pdf", "", pdf}, day(5), []string{"file"}, "no content type"},
		{"bad type", day(4), "", &Attachment{"svar.pdf", "pdf;;", pdf}, day(5), []string{"file"}, "is not one of"},
		{"empty", day(4), "", &Attachment{"svar.pdf", "application/pdf", nil}, day(5), []string{"file"}, "empty"},
		{"too large", day(4), "", &Attachment{"svar.pdf", "application/pdf", big}, day(5), []string{"file"}, "at most 10485760"},
		{"not a pdf", day(4), "", &Attachment{"svar.pdf", "application/pdf", []byte("<html>")}, day(5), []string{"file"}, "does not look like application/pdf"},
		{"not a png", day(4), "", &Attachment{"bild.png", "image/png", jpeg}, day(5), []string{"file"}, "does not look like image/png"},
		{"not a jpeg", day(4), "", &Attachment{"bild.jpg", "image/jpeg", png}, day(5), []string{"file"}, "does not look like image/jpeg"},
		{"not a docx", day(4), "", &Attachment{"svar.docx", DocxType, pdf}, day(5), []string{"file"}, "does not look like"},
		{"binary text", day(4), "", &Attachment{"svar.txt", "text/plain", []byte("a\x00b")}, day(5), []string{"file"}, "does not look like text/plain"},
		{"no name", day(4), "", &Attachment{" ", "application/pdf", pdf}, day(5), []string{"file"}, "no file name"},
		{"control in the name", day(4), "", &Attachment{"svar\n.pdf", "application/pdf", pdf}, day(5), []string{"file"}, "control character"},
		{"long name", day(4), "", &Attachment{strings.Repeat("x", 300) + ".pdf", "application/pdf", pdf}, day(5), []string{"file"}, "at most 255"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.desk.Respond(dec.ID, "anna", tc.received, tc.text, tc.file, tc.at)
			if got := fieldsOf(t, err); !slices.Equal(got, tc.want) {
				t.Errorf("fields %v, want %v (%v)", got, tc.want, err)
			}
			if !strings.Contains(err.Error(), tc.problem) {
				t.Errorf("message %q lacks %q", err, tc.problem)
			}
		})
	}
	e.wantTrail()
	if got, _ := e.desk.Decision(dec.ID); len(got.Hearing.Responses) != 0 {
		t.Fatalf("responses %+v", got.Hearing.Responses)
	}
	// What is accepted: every type, a name with a directory, a type
	// with parameters; text alone, a file alone.
	for i, a := range []*Attachment{
		{`C:\Users\anna\Svar från leverantören.pdf`, "application/pdf", pdf},
		{"bild.png", "image/png", png},
		{"bild.jpeg", "IMAGE/JPEG", jpeg},
		{"svar.docx", DocxType, docx},
		{"/tmp/svar.txt", "text/plain; charset=utf-8", []byte("Vi bestrider.\n")},
		nil,
	} {
		text := ""
		if a == nil {
			text = "Bara text."
		}
		d, err := e.desk.Respond(dec.ID, "anna", day(4), text, a, day(5))
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		r := d.Hearing.Responses[len(d.Hearing.Responses)-1]
		if r.N != i+1 || r.Notice != 1 || r.Text != text || r.RecordedBy != "anna" || !r.RecordedAt.Equal(day(5)) || !r.ReceivedAt.Equal(day(4)) {
			t.Errorf("%d: response %+v", i, r)
		}
		if a == nil {
			if r.Attachment != nil {
				t.Errorf("%d: attachment %+v", i, r.Attachment)
			}
			continue
		}
		if r.Attachment == nil || r.Attachment.N != i+1 {
			t.Fatalf("%d: attachment %+v", i, r.Attachment)
		}
	}
	d, _ := e.desk.Decision(dec.ID)
	names, types := []string{}, []string{}
	for _, r := range d.Hearing.Responses[:5] {
		names, types = append(names, r.Attachment.Name), append(types, r.Attachment.ContentType)
	}
	if want := []string{"Svar från leverantören.pdf", "bild.png", "bild.jpeg", "svar.docx", "svar.txt"}; !slices.Equal(names, want) {
		t.Errorf("names %q, want %q", names, want)
	}
	if want := []string{"application/pdf", "image/png", "image/jpeg", DocxType, "text/plain"}; !slices.Equal(types, want) {
		t.Errorf("types %q, want %q", types, want)
	}
}

// Only a termination or exclusion awaiting approval has a hearing.
func TestHearingState(t *testing.T) {
	e := newEnv(t)
	al := e.opened(org1)
	halt := e.decide(request(al.ID, Avropsstopp, "anna"), day(3))
	term := e.decide(request(al.ID, Havning, "anna"), day(3))
	e.trail()
	for _, tc := range []struct {
		name string
		err  error
		want error
	}{
		{"inform of a halt", mustErr(e.desk.Inform(halt.ID, "anna", day(3), day(14), ChannelBrev, day(4))), ErrState},
		{"respond to a halt", mustErr(e.desk.Respond(halt.ID, "anna", day(3), "svar", nil, day(4))), ErrState},
		{"respond before informed", mustErr(e.desk.Respond(term.ID, "anna", day(3), "svar", nil, day(4))), ErrState},
		{"inform of nothing", mustErr(e.desk.Inform(al.ID+"-d9", "anna", day(3), day(14), ChannelBrev, day(4))), ErrNotFound},
		{"respond to nothing", mustErr(e.desk.Respond(al.ID+"-d9", "anna", day(3), "svar", nil, day(4))), ErrNotFound},
	} {
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, tc.err, tc.want)
		}
	}
	e.wantTrail()
	// Rejected: no more hearing.
	if _, err := e.desk.Inform(term.ID, "anna", day(3), day(14), ChannelBrev, day(4)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.desk.Reject(term.ID, "bertil", "Underlaget räcker inte", day(5)); err != nil {
		t.Fatal(err)
	}
	wantErr(t, mustErr(e.desk.Respond(term.ID, "anna", day(4), "svar", nil, day(5))), ErrState)
	wantErr(t, mustErr(e.desk.Inform(term.ID, "anna", day(5), day(15), ChannelBrev, day(5))), ErrState)
}

// Approval waits for the hearing: informed, and answered or the deadline
// passed, for the notice in force.
func TestApprovalNeedsHearing(t *testing.T) {
	deadline := day(17) // informed on day 3
	for _, tc := range []struct {
		name    string
		steps   func(e *env, id string)
		approve time.Time
		status  string
		want    string // "" for approved, else a part of the refusal
	}{
		{"not informed", func(*env, string) {}, day(20), HearingNotInformed, "record that it was informed"},
		{"awaiting the response", nil, day(10), HearingAwaiting, "wait until its deadline (2026-11-17)"},
		{"at the deadline", nil, deadline, HearingAwaiting, "wait until its deadline"},
		{"deadline passed", nil, deadline.Add(time.Second), HearingLapsed, ""},
		{"answered", func(e *env, id string) { e.respond(id, day(5), day(5)) }, day(6), HearingAnswered, ""},
		{"answered, then a new notice", func(e *env, id string) {
			e.respond(id, day(5), day(5))
			e.inform(id, day(6), day(25), day(6))
		}, day(20), HearingAwaiting, "wait until its deadline (2026-11-25)"},
		{"a new notice, answered", func(e *env, id string) {
			e.inform(id, day(6), day(25), day(6))
			e.respond(id, day(7), day(7))
		}, day(8), HearingAnswered, ""},
		{"a new notice, lapsed", func(e *env, id string) {
			e.inform(id, day(6), day(16), day(6))
		}, day(17), HearingLapsed, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			dec := e.pendingTermination()
			if tc.steps == nil {
				tc.steps = func(*env, string) {}
			}
			if tc.name != "not informed" {
				e.inform(dec.ID, day(3), deadline, day(3))
			}
			tc.steps(e, dec.ID)
			got, _ := e.desk.Decision(dec.ID)
			if s := got.HearingStatus(tc.approve); s != tc.status {
				t.Errorf("hearing status %s, want %s", s, tc.status)
			}
			if e.desk.Heard(got, tc.approve) != (tc.want == "") {
				t.Errorf("heard %v", e.desk.Heard(got, tc.approve))
			}
			e.events()
			ok, err := e.desk.Approve(dec.ID, "bertil", tc.approve)
			if tc.want == "" {
				if err != nil || ok.Status != Bekraftad {
					t.Fatalf("approve: %v", err)
				}
				e.wantSubjects(e.reviewEvents(), "vaksam.alert.decided."+org1, "vaksam.action.terminate."+org1)
				return
			}
			wantErr(t, err, ErrState)
			wantCode(t, err, map[string]string{HearingNotInformed: CodeHearingRequired, HearingAwaiting: CodeHearingAwaiting}[tc.status])
			if !strings.Contains(err.Error(), "the supplier has not been heard: ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("message %q, want %q", err, tc.want)
			}
			if evs := e.reviewEvents(); len(evs) != 0 {
				t.Errorf("events %q", subjects(evs))
			}
			// Rejecting needs no hearing.
			if _, err := e.desk.Reject(dec.ID, "bertil", "nej", tc.approve); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func (e *env) inform(id string, informed, deadline, at time.Time) {
	e.t.Helper()
	if _, err := e.desk.Inform(id, "anna", informed, deadline, ChannelEpost, at); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) respond(id string, received, at time.Time) {
	e.t.Helper()
	if _, err := e.desk.Respond(id, "anna", received, "Svar.", nil, at); err != nil {
		e.t.Fatal(err)
	}
}

// The hearing is in the decision; the file is stored apart, its SHA-256
// in the decision, and read back whole; the trail has codes only.
func TestHearingRecordAndAttachment(t *testing.T) {
	e := newEnv(t)
	dec := e.pendingTermination()
	e.trail()
	d, err := e.desk.Inform(dec.ID, " anna ", day(3), day(17), ChannelRekommenderat, day(3).Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := Notice{N: 1, InformedAt: day(3), Deadline: day(17), Channel: ChannelRekommenderat, RecordedBy: "anna", RecordedAt: day(3).Add(time.Hour)}
	if d.Hearing == nil || len(d.Hearing.Notices) != 1 || d.Hearing.Notices[0] != want || d.Hearing.Responses == nil {
		t.Fatalf("hearing %+v", d.Hearing)
	}
	if d.Status != VantarGodkannande || d.HearingStatus(day(4)) != HearingAwaiting {
		t.Errorf("decision %+v", d)
	}
	x := e.wantTrail("hearing.inform anna " + dec.ID)
	wantDetail(t, x[0], "kind", Havning, "status", VantarGodkannande, "notice", "1", "informed", "2026-11-03",
		"deadline", "2026-11-17", "channel", ChannelRekommenderat)

	d, err = e.desk.Respond(dec.ID, "bertil", day(5), "Vi bestrider uppgifterna; se bilagan.",
		&Attachment{Name: "Yttrande Omsorgshuset.pdf", ContentType: "application/pdf", Data: pdf}, day(6))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(pdf)
	wantInfo := AttachmentInfo{N: 1, Name: "Yttrande Omsorgshuset.pdf", ContentType: "application/pdf", Size: len(pdf), SHA256: hex.EncodeToString(sum[:])}
	r := d.Hearing.Responses[0]
	if r.Attachment == nil || *r.Attachment != wantInfo || r.Text != "Vi bestrider uppgifterna; se bilagan." || r.RecordedBy != "bertil" {
		t.Fatalf("response %+v", r)
	}
	if got, _ := e.desk.Decision(dec.ID); got.Hearing == nil || len(got.Hearing.Responses) != 1 || *got.Hearing.Responses[0].Attachment != wantInfo {
		t.Fatalf("stored decision %+v", got.Hearing)
	}
	x = e.wantTrail("hearing.respond bertil " + dec.ID)
	wantDetail(t, x[0], "response", "1", "notice", "1", "received", "2026-11-05", "has_attachment", "true", "attachment", "1",
		"content_type", "application/pdf", "size", strconv.Itoa(len(pdf)), "sha256", wantInfo.SHA256[:16], "length", "37")
	for k, v := range x[0].Detail {
		if strings.Contains(v, "bestrider") || strings.Contains(v, "Yttrande") {
			t.Errorf("user text in the trail: %s=%s", k, v)
		}
	}
	// Nothing is published, the alert does not change.
	if evs := e.reviewEvents(); len(evs) != 0 {
		t.Errorf("events %q", subjects(evs))
	}
	if al := e.alert(dec.AlertID); al.Revision != 2 || al.Pending != dec.ID {
		t.Errorf("alert %+v", al)
	}

	info, data, err := e.desk.Attachment(dec.ID, 1)
	if err != nil || *info != wantInfo || !bytes.Equal(data, pdf) {
		t.Fatalf("attachment %+v %q %v", info, data, err)
	}
	raw, err := e.st.Doc("attachment", dec.ID+"-1")
	if err != nil {
		t.Fatal(err)
	}
	var stored attachmentDoc
	if err := json.Unmarshal(raw, &stored); err != nil || stored.DecisionID != dec.ID || stored.AttachmentInfo != wantInfo {
		t.Fatalf("stored %+v %v", stored, err)
	}
	for _, n := range []int{0, 2, -1} {
		if _, _, err := e.desk.Attachment(dec.ID, n); !errors.Is(err, ErrNotFound) {
			t.Errorf("attachment %d: %v", n, err)
		}
	}
	if _, _, err := e.desk.Attachment(dec.AlertID+"-d9", 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("attachment of no decision: %v", err)
	}
	// A second file is number 2.
	d, err = e.desk.Respond(dec.ID, "anna", day(6), "", &Attachment{Name: "bild.png", ContentType: "image/png", Data: png}, day(6))
	if err != nil || d.Hearing.Responses[1].Attachment.N != 2 || d.Hearing.Responses[1].Text != "" {
		t.Fatalf("second response %+v %v", d, err)
	}
	e.trail()

	// Bytes altered in the store: refused, not served.
	stored.Data = []byte("%PDF-1.4 forged")
	if err := e.st.Update(func(tx *store.Tx) error { return put(tx, "attachment", dec.ID+"-1", stored) }); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.desk.Attachment(dec.ID, 1); err == nil || errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "not those the decision records") {
		t.Errorf("altered attachment: %v", err)
	}

	// The approved decision keeps its hearing.
	ok, err := e.desk.Approve(dec.ID, "cecilia", day(7))
	if err != nil || ok.Hearing == nil || len(ok.Hearing.Responses) != 2 {
		t.Fatalf("approved %+v %v", ok, err)
	}
}

// The largest file allowed is stored and read back whole.
func TestLargestAttachment(t *testing.T) {
	e := newEnv(t)
	dec := e.pendingTermination()
	e.inform(dec.ID, day(3), day(17), day(3))
	data := bytes.Repeat([]byte("Yttrande. "), MaxAttachment/10+1)[:MaxAttachment]
	d, err := e.desk.Respond(dec.ID, "anna", day(4), "", &Attachment{Name: "stor.txt", ContentType: "text/plain", Data: data}, day(4))
	if err != nil {
		t.Fatal(err)
	}
	if a := d.Hearing.Responses[0].Attachment; a == nil || a.Size != MaxAttachment {
		t.Fatalf("attachment %+v", a)
	}
	_, got, err := e.desk.Attachment(dec.ID, 1)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes, %v", len(got), err)
	}
}
