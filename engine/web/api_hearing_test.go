package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/store"
)

// part is one part of a multipart body: a value, or a file when file is
// set (ctype its Content-Type, "" for none).
type part struct {
	name, value string
	file, ctype string
	data        []byte
}

// multipartBody builds a multipart/form-data body; it returns the body
// and its Content-Type.
func multipartBody(t testing.TB, parts ...part) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		if p.file == "" && p.data == nil {
			if err := mw.WriteField(p.name, p.value); err != nil {
				t.Fatal(err)
			}
			continue
		}
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="`+p.name+`"; filename="`+p.file+`"`)
		if p.ctype != "" {
			h.Set("Content-Type", p.ctype)
		}
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(p.data)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String(), mw.FormDataContentType()
}

var testPDF = []byte("%PDF-1.4\n% Yttrande från leverantören\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")

func TestHearingAPI(t *testing.T) {
	f := newFixture(t)
	anna, bo, cecilia := f.as("anna"), f.as("bo"), f.as("cecilia")
	base := "/api/v1/alerts/" + sampleAlert
	var halt, term review.Decision
	f.ok(http.StatusCreated, anna, http.MethodPost, base+"/decisions", `{"kind":"avropsstopp","justification":"Skulder","ground":"LOU 13:2"}`, &halt)
	f.ok(http.StatusCreated, anna, http.MethodPost, base+"/decisions", `{"kind":"havning","justification":"Väsentligt avtalsbrott","ground":"LOU 13:3"}`, &term)
	f.trail()
	hearing := "/api/v1/decisions/" + term.ID + "/hearing"
	response := hearing + "/response"
	informed := `{"informed_at":"2026-11-22","deadline":"2026-12-06","channel":"rekommenderat brev"}`

	// 401, 403: nobody, a viewer, a viewer's token; the CSRF token.
	for _, tc := range []struct {
		who    who
		csrf   bool
		status int
	}{{anon, true, http.StatusUnauthorized}, {bo, true, http.StatusForbidden}, {f.token("panel"), true, http.StatusForbidden},
		{anna, false, http.StatusForbidden}} {
		if rec := f.send(tc.who, tc.csrf, http.MethodPost, hearing, informed); rec.Code != tc.status {
			t.Errorf("inform as %s (csrf %v): %d %s, want %d", tc.who.name, tc.csrf, rec.Code, rec.Body, tc.status)
		}
		body, ct := multipartBody(t, part{name: "text", value: "svar"}, part{name: "received_at", value: "2026-11-22"})
		if rec := f.send(tc.who, tc.csrf, http.MethodPost, response, body, "Content-Type", ct); rec.Code != tc.status {
			t.Errorf("respond as %s (csrf %v): %d %s, want %d", tc.who.name, tc.csrf, rec.Code, rec.Body, tc.status)
		}
	}
	f.wantTrail()

	// 409: no response before the notice; no hearing of a halt; no
	// approval before the hearing.
	body, ct := multipartBody(t, part{name: "text", value: "svar"}, part{name: "received_at", value: "2026-11-22"})
	rec := f.do(anna, http.MethodPost, response, body, "Content-Type", ct)
	if rec.Code != http.StatusConflict || !strings.Contains(errorOf(t, rec).Error, "has not been informed") {
		t.Errorf("respond before informed: %d %s", rec.Code, rec.Body)
	}
	if rec := f.do(anna, http.MethodPost, "/api/v1/decisions/"+halt.ID+"/hearing", informed); rec.Code != http.StatusConflict {
		t.Errorf("hearing of a halt: %d %s", rec.Code, rec.Body)
	}
	rec = f.do(cecilia, http.MethodPost, "/api/v1/decisions/"+term.ID+"/approve", ``)
	if rec.Code != http.StatusConflict || !strings.Contains(errorOf(t, rec).Error, "the supplier has not been heard") {
		t.Errorf("approve before the hearing: %d %s", rec.Code, rec.Body)
	}
	if rec := f.do(anna, http.MethodPost, "/api/v1/decisions/"+sampleAlert+"-d9/hearing", informed); rec.Code != http.StatusNotFound {
		t.Errorf("hearing of no decision: %d", rec.Code)
	}

	// 400, naming the field.
	for _, tc := range []struct{ body, field string }{
		{`{"informed_at":"i går","deadline":"2026-12-06","channel":"brev"}`, "informed_at"},
		{`{"informed_at":"2026-11-22","deadline":"6/12","channel":"brev"}`, "deadline"},
		{`{"informed_at":"2026-11-22","deadline":"2026-11-21","channel":"brev"}`, "deadline"},
		{`{"informed_at":"2026-11-25","deadline":"2026-12-06","channel":"brev"}`, "informed_at"},
		{`{"informed_at":"2026-11-22","deadline":"2026-12-06","channel":"fax"}`, "channel"},
		{`{"informed_at":"2026-11-22","deadline":"2026-12-06"}`, "channel"},
		{`{"deadline":"2026-12-06","channel":"brev"}`, "informed_at"},
		{`{"informed_at":"2026-11-22","deadline":"2026-12-06","channel":"brev","text":"x"}`, "text"},
		{`{"informed_at":1}`, "informed_at"},
	} {
		rec := f.do(anna, http.MethodPost, hearing, tc.body)
		if e := errorOf(t, rec); rec.Code != http.StatusBadRequest || e.Field != tc.field {
			t.Errorf("%s: %d %+v, want 400 naming %s", tc.body, rec.Code, e, tc.field)
		}
	}
	if rec := f.do(anna, http.MethodPost, hearing, `informed_at=2026-11-22`, "Content-Type", "application/x-www-form-urlencoded"); rec.Code != http.StatusUnsupportedMediaType {
		t.Errorf("a form to the JSON endpoint: %d", rec.Code)
	}
	f.wantTrail()

	// Informed: the deadline is the whole day in Sweden; informed on the
	// decision's own day is informed at the decision's time.
	var d review.Decision
	f.ok(http.StatusOK, anna, http.MethodPost, hearing, informed, &d)
	if d.Hearing == nil || len(d.Hearing.Notices) != 1 || len(d.Hearing.Responses) != 0 {
		t.Fatalf("hearing %+v", d.Hearing)
	}
	n := d.Hearing.Notices[0]
	if n.Channel != review.ChannelRekommenderat || n.RecordedBy != "anna" || !n.InformedAt.Equal(term.DecidedAt) ||
		n.Deadline.UTC().Format(time.RFC3339) != "2026-12-06T22:59:59Z" {
		t.Errorf("notice %+v", n)
	}
	x := f.wantTrail(audit.HearingInform + " anna " + term.ID)
	if x[0].Detail["deadline"] != "2026-12-06" || x[0].Detail["channel"] != review.ChannelRekommenderat {
		t.Errorf("detail %v", x[0].Detail)
	}
	// Still not approvable: awaiting the response.
	rec = f.do(cecilia, http.MethodPost, "/api/v1/decisions/"+term.ID+"/approve", ``)
	if rec.Code != http.StatusConflict || !strings.Contains(errorOf(t, rec).Error, "2026-12-06") {
		t.Errorf("approve while awaiting the response: %d %s", rec.Code, rec.Body)
	}

	// The response's refusals, each naming its field.
	zip := []byte("PK\x03\x04 not a document")
	for _, tc := range []struct {
		name   string
		parts  []part
		ctype  string
		status int
		field  string
	}{
		{"nothing", []part{{name: "received_at", value: "2026-11-22"}}, "", 400, "text"},
		{"no date", []part{{name: "text", value: "svar"}}, "", 400, "received_at"},
		{"bad date", []part{{name: "text", value: "svar"}, {name: "received_at", value: "22/11"}}, "", 400, "received_at"},
		{"future date", []part{{name: "text", value: "svar"}, {name: "received_at", value: "2026-11-30"}}, "", 400, "received_at"},
		{"before informed", []part{{name: "text", value: "svar"}, {name: "received_at", value: "2026-11-20"}}, "", 400, "received_at"},
		{"zip", []part{{name: "received_at", value: "2026-11-22"}, {name: "file", file: "svar.zip", ctype: "application/zip", data: zip}}, "", 400, "file"},
		{"html", []part{{name: "received_at", value: "2026-11-22"}, {name: "file", file: "svar.html", ctype: "text/html", data: []byte("<p>")}}, "", 400, "file"},
		{"pdf that is not", []part{{name: "received_at", value: "2026-11-22"}, {name: "file", file: "svar.pdf", ctype: "application/pdf", data: []byte("<p>")}}, "", 400, "file"},
		{"empty file", []part{{name: "received_at", value: "2026-11-22"}, {name: "file", file: "svar.pdf", ctype: "application/pdf", data: []byte{}}}, "", 400, "file"},
		{"unknown field", []part{{name: "received_at", value: "2026-11-22"}, {name: "texts", value: "svar"}}, "", 400, "texts"},
		{"twice", []part{{name: "received_at", value: "2026-11-22"}, {name: "text", value: "a"}, {name: "text", value: "b"}}, "", 400, "text"},
		{"two files", []part{{name: "received_at", value: "2026-11-22"}, {name: "file", file: "a.pdf", ctype: "application/pdf", data: testPDF},
			{name: "file", file: "b.pdf", ctype: "application/pdf", data: testPDF}}, "", 400, "file"},
		{"file under another name", []part{{name: "received_at", value: "2026-11-22"}, {name: "bilaga", file: "a.pdf", ctype: "application/pdf", data: testPDF}}, "", 400, "bilaga"},
		{"file as a value", []part{{name: "received_at", value: "2026-11-22"}, {name: "file", value: "svar.pdf"}}, "", 400, "file"},
		{"JSON", nil, "application/json", 415, "Content-Type"},
		{"a multipart without a boundary", nil, "multipart/form-data", 400, "body"},
	} {
		body, ct := multipartBody(t, tc.parts...)
		if tc.ctype != "" {
			body, ct = `{"text":"svar"}`, tc.ctype
		}
		rec := f.do(anna, http.MethodPost, response, body, "Content-Type", ct)
		if e := errorOf(t, rec); rec.Code != tc.status || e.Field != tc.field {
			t.Errorf("%s: %d %+v, want %d naming %s", tc.name, rec.Code, e, tc.status, tc.field)
		}
	}
	// Over the limit: 413, before anything reads the body.
	big := bytes.Repeat([]byte("a"), MaxHearingBody+1)
	body, ct = multipartBody(t, part{name: "received_at", value: "2026-11-22"}, part{name: "file", file: "svar.txt", ctype: "text/plain", data: big})
	rec = f.do(anna, http.MethodPost, response, body, "Content-Type", ct)
	if e := errorOf(t, rec); rec.Code != http.StatusRequestEntityTooLarge || e.Field != "body" {
		t.Errorf("too large: %d %+v", rec.Code, e)
	}
	// A file just over 10 MiB fits the body but not the file's limit.
	big = bytes.Repeat([]byte("a"), review.MaxAttachment+1)
	body, ct = multipartBody(t, part{name: "received_at", value: "2026-11-22"}, part{name: "file", file: "svar.txt", ctype: "text/plain", data: big})
	rec = f.do(anna, http.MethodPost, response, body, "Content-Type", ct)
	if e := errorOf(t, rec); rec.Code != http.StatusBadRequest || e.Field != "file" || !strings.Contains(e.Error, "at most 10485760") {
		t.Errorf("file too large: %d %+v", rec.Code, e)
	}
	f.wantTrail()

	// The response, its file sent as application/octet-stream (its type
	// from its name) and the CSRF token as a form field, as a browser's
	// form sends it.
	body, ct = multipartBody(t, part{name: access.CSRFField, value: anna.csrf}, part{name: "received_at", value: "2026-11-22"},
		part{name: "text", value: "Vi bestrider uppgifterna; se yttrandet."},
		part{name: "file", file: "Yttrande Omsorgshuset Norr.pdf", ctype: "application/octet-stream", data: testPDF})
	rec = f.send(anna, false, http.MethodPost, response, body, "Content-Type", ct)
	if rec.Code != http.StatusOK {
		t.Fatalf("respond: %d %s", rec.Code, rec.Body)
	}
	decode(t, rec, &d)
	sum := sha256.Sum256(testPDF)
	want := review.AttachmentInfo{N: 1, Name: "Yttrande Omsorgshuset Norr.pdf", ContentType: "application/pdf", Size: len(testPDF), SHA256: hex.EncodeToString(sum[:])}
	if len(d.Hearing.Responses) != 1 || d.Hearing.Responses[0].Attachment == nil || *d.Hearing.Responses[0].Attachment != want ||
		d.Hearing.Responses[0].Text != "Vi bestrider uppgifterna; se yttrandet." || d.Hearing.Responses[0].RecordedBy != "anna" {
		t.Fatalf("response %+v", d.Hearing.Responses)
	}
	x = f.wantTrail(audit.HearingRespond + " anna " + term.ID)
	if x[0].Detail["has_attachment"] != "true" || x[0].Detail["sha256"] != want.SHA256[:16] {
		t.Errorf("detail %v", x[0].Detail)
	}
	// The decision, as anyone who sees alerts reads it, has the hearing.
	var got review.Decision
	f.ok(http.StatusOK, bo, http.MethodGet, "/api/v1/decisions/"+term.ID, "", &got)
	if got.Hearing == nil || len(got.Hearing.Responses) != 1 {
		t.Errorf("GET decision %+v", got.Hearing)
	}

	// The file: view_persons, audited, for download.
	file := "/api/v1/decisions/" + term.ID + "/attachments/1"
	for _, tc := range []struct {
		who    who
		status int
	}{{anon, http.StatusUnauthorized}, {bo, http.StatusForbidden}, {f.token("panel"), http.StatusForbidden}} {
		if rec := f.do(tc.who, http.MethodGet, file, ""); rec.Code != tc.status {
			t.Errorf("file as %s: %d, want %d", tc.who.name, rec.Code, tc.status)
		}
	}
	f.wantTrail()
	rec = f.do(cecilia, http.MethodGet, file, "")
	if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), testPDF) {
		t.Fatalf("file: %d %q", rec.Code, rec.Body)
	}
	h := rec.Header()
	if h.Get("Content-Type") != "application/pdf" || h.Get("X-Content-Type-Options") != "nosniff" ||
		h.Get("Content-Disposition") != `attachment; filename="Yttrande Omsorgshuset Norr.pdf"` ||
		h.Get("Content-Length") != strconv.Itoa(len(testPDF)) || h.Get("Cache-Control") != "no-store" ||
		!strings.HasPrefix(h.Get("Repr-Digest"), "sha-256=:") {
		t.Errorf("headers %v", h)
	}
	x = f.wantTrail(audit.ViewRaw + " cecilia " + term.ID)
	if x[0].Detail["view"] != "attachment" || x[0].Detail["attachment"] != "1" || x[0].Detail["via"] != "api" {
		t.Errorf("detail %v", x[0].Detail)
	}
	// A token with view_persons may fetch it too.
	if rec := f.do(f.token("robot"), http.MethodGet, file, ""); rec.Code != http.StatusOK {
		t.Errorf("robot: %d", rec.Code)
	}
	f.trail()
	for path, status := range map[string]int{
		"/api/v1/decisions/" + term.ID + "/attachments/2":          http.StatusNotFound,
		"/api/v1/decisions/" + term.ID + "/attachments/x":          http.StatusBadRequest,
		"/api/v1/decisions/" + term.ID + "/attachments/0":          http.StatusBadRequest,
		"/api/v1/decisions/" + halt.ID + "/attachments/1":          http.StatusNotFound,
		"/api/v1/decisions/" + term.ID + "/attachments/1?inline=1": http.StatusBadRequest,
	} {
		if rec := f.do(cecilia, http.MethodGet, path, ""); rec.Code != status {
			t.Errorf("%s: %d, want %d", path, rec.Code, status)
		}
	}
	f.wantTrail()

	// A text file is served as UTF-8 text; a name beyond ASCII is encoded.
	body, ct = multipartBody(t, part{name: "received_at", value: "2026-11-22"},
		part{name: "file", file: "Svar på begäran.txt", ctype: "text/plain", data: []byte("Vi har betalat skulden.\n")})
	rec = f.do(anna, http.MethodPost, response, body, "Content-Type", ct)
	if rec.Code != http.StatusOK {
		t.Fatalf("second response: %d %s", rec.Code, rec.Body)
	}
	f.trail()
	rec = f.do(cecilia, http.MethodGet, "/api/v1/decisions/"+term.ID+"/attachments/2", "")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "text/plain; charset=utf-8" ||
		rec.Header().Get("Content-Disposition") != `attachment; filename*=utf-8''Svar%20p%C3%A5%20beg%C3%A4ran.txt` {
		t.Errorf("text file: %d %v", rec.Code, rec.Header())
	}

	// Heard: the approver approves.
	f.ok(http.StatusOK, cecilia, http.MethodPost, "/api/v1/decisions/"+term.ID+"/approve", `{}`, &d)
	if d.Status != review.Bekraftad || d.Hearing == nil || len(d.Hearing.Responses) != 2 {
		t.Errorf("approved %+v", d)
	}
	// Once approved, no more hearing.
	if rec := f.do(anna, http.MethodPost, hearing, informed); rec.Code != http.StatusConflict {
		t.Errorf("inform after approval: %d %s", rec.Code, rec.Body)
	}
}

// The notice's dates: informed between the decision and now, the
// deadline at least the desk's minimum (10 days) after; refusals name
// the field, a new notice is audited as a correction, and a notice that
// does not hold cannot be approved on.
func TestHearingAPIDates(t *testing.T) {
	f := newFixture(t)
	anna, cecilia := f.as("anna"), f.as("cecilia")
	var term review.Decision
	f.ok(http.StatusCreated, anna, http.MethodPost, "/api/v1/alerts/"+sampleAlert+"/decisions",
		`{"kind":"havning","justification":"Väsentligt avtalsbrott","ground":"LOU 13:3"}`, &term)
	f.trail()
	hearing := "/api/v1/decisions/" + term.ID + "/hearing"
	approve := "/api/v1/decisions/" + term.ID + "/approve"
	at := func(t time.Time) string { return t.Format(time.RFC3339Nano) }
	tenDays := term.DecidedAt.AddDate(0, 0, 10)

	// The report of issue 11: informed in 2020 of a termination proposed
	// today, the deadline the next day; the approver approves at once.
	rec := f.do(anna, http.MethodPost, hearing, `{"informed_at":"2020-03-02","deadline":"2020-03-03","channel":"brev"}`)
	if e := errorOf(t, rec); rec.Code != http.StatusBadRequest || len(e.Problems) != 2 ||
		e.Problems[0] != (fieldProblem{"deadline", "less than 10 days after informed_at: at the earliest 2020-03-12 00:00"}) ||
		e.Problems[1] != (fieldProblem{"informed_at", "before the decision (2026-11-22 09:00)"}) {
		t.Errorf("informed in 2020: %d %s", rec.Code, rec.Body)
	}
	if rec := f.do(cecilia, http.MethodPost, approve, ``); rec.Code != http.StatusConflict {
		t.Errorf("approve after the refused notice: %d %s", rec.Code, rec.Body)
	}

	for _, tc := range []struct {
		name, informed, deadline string
		field, problem           string // "" for accepted
	}{
		{"informed years before, the deadline tomorrow", "2020-03-02", "2026-11-23", "informed_at", "before the decision (2026-11-22 09:00)"},
		{"informed the day before", "2026-11-21", "2026-12-06", "informed_at", "before the decision"},
		{"informed an hour before", "2026-11-22T07:00:00Z", "2026-12-06", "informed_at", "before the decision"},
		{"informed tomorrow", "2026-11-23", "2026-12-06", "informed_at", "in the future"},
		{"informed in an hour", "2026-11-22T09:00:00Z", "2026-12-06", "informed_at", "in the future"},
		{"deadline tomorrow", "2026-11-22", "2026-11-23", "deadline", "less than 10 days after informed_at"},
		{"deadline in 9 days", "2026-11-22", "2026-12-01", "deadline", "less than 10 days after informed_at: at the earliest 2026-12-02 09:00"},
		{"a second short of 10 days", at(term.DecidedAt), at(tenDays.Add(-time.Second)), "deadline", "less than 10 days"},
		{"exactly 10 days", at(term.DecidedAt), at(tenDays), "", ""},
	} {
		rec := f.do(anna, http.MethodPost, hearing, `{"informed_at":"`+tc.informed+`","deadline":"`+tc.deadline+`","channel":"brev"}`)
		if tc.field == "" {
			if rec.Code != http.StatusOK {
				t.Errorf("%s: %d %s", tc.name, rec.Code, rec.Body)
			}
			continue
		}
		if e := errorOf(t, rec); rec.Code != http.StatusBadRequest || e.Field != tc.field || !strings.Contains(e.Error, tc.field+": "+tc.problem) {
			t.Errorf("%s: %d %+v, want 400 naming %s: %s", tc.name, rec.Code, e, tc.field, tc.problem)
		}
	}
	x := f.wantTrail(audit.HearingInform + " anna " + term.ID)
	if x[0].Detail["informed"] != "2026-11-22" || x[0].Detail["deadline"] != "2026-12-02" {
		t.Errorf("detail %v", x[0].Detail)
	}

	// A correction: a new notice, audited with the old and new dates.
	var d review.Decision
	f.ok(http.StatusOK, anna, http.MethodPost, hearing, `{"informed_at":"2026-11-22","deadline":"2026-12-10","channel":"e-post"}`, &d)
	if len(d.Hearing.Notices) != 2 || !d.Hearing.Notices[0].Deadline.Equal(tenDays) {
		t.Errorf("notices %+v", d.Hearing.Notices)
	}
	x = f.wantTrail(audit.HearingCorrect + " anna " + term.ID)
	for k, v := range map[string]string{"notice": "2", "replaces": "1", "informed_was": "2026-11-22", "informed": "2026-11-22",
		"deadline_was": "2026-12-02", "deadline": "2026-12-10", "channel_was": "brev", "channel": "e-post"} {
		if x[0].Detail[k] != v {
			t.Errorf("correction: detail %s = %q, want %q (%v)", k, x[0].Detail[k], v, x[0].Detail)
		}
	}

	// A notice stored before these rules (informed in 2020, the deadline
	// long passed) is not one to approve on.
	err := f.st.Update(func(tx *store.Tx) error {
		raw, err := tx.Get("decision", term.ID)
		if err != nil {
			return err
		}
		var dec review.Decision
		if err := json.Unmarshal(raw, &dec); err != nil {
			return err
		}
		dec.Hearing.Notices = append(dec.Hearing.Notices, review.Notice{N: 3, InformedAt: instant(t, "2020-03-02"),
			Deadline: instant(t, "2020-03-03"), Channel: review.ChannelBrev, RecordedBy: "anna", RecordedAt: f.clk.Now()})
		b, err := json.Marshal(dec)
		if err != nil {
			return err
		}
		return tx.Put("decision", term.ID, b)
	})
	if err != nil {
		t.Fatal(err)
	}
	f.events()
	rec = f.do(cecilia, http.MethodPost, approve, ``)
	if rec.Code != http.StatusConflict || !strings.Contains(errorOf(t, rec).Error, "notice 3 is not valid (informed_at: before the decision") {
		t.Errorf("approve on a notice stored in 2020: %d %s", rec.Code, rec.Body)
	}
	if evs := f.events(); len(evs) != 0 {
		t.Errorf("events %v", evs)
	}
	f.wantTrail()
}
