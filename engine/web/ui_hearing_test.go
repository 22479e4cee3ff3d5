package web

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/review"
)

// upload submits a multipart form as a browser does: the CSRF token (when
// csrf) in the csrf_token field, as the page's form sends it.
func (f *fixture) upload(w who, path string, csrf bool, parts ...part) *httptest.ResponseRecorder {
	f.t.Helper()
	if csrf {
		parts = append([]part{{name: access.CSRFField, value: w.csrf}}, parts...)
	}
	body, ct := multipartBody(f.t, parts...)
	return f.rawUpload(w, path, body, ct, int64(len(body)))
}

func (f *fixture) rawUpload(w who, path, body, ct string, length int64) *httptest.ResponseRecorder {
	f.t.Helper()
	f.clk.Add(time.Second)
	r := httptest.NewRequest(http.MethodPost, "http://vaksam.test"+path, strings.NewReader(body))
	r.ContentLength = length
	r.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	r.Header.Set("Origin", "http://vaksam.test")
	r.Header.Set("Content-Type", ct)
	if w.cookie != nil {
		r.AddCookie(&http.Cookie{Name: w.cookie.Name, Value: w.cookie.Value})
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, r)
	return rec
}

// The hearing on the alert page: the approval button waits for it; the
// coordinator records that the supplier was informed and its response
// with a file (a multipart form whose CSRF token is a form field); the
// file is downloaded; the decision basis cites it.
func TestUIHearing(t *testing.T) {
	f := newFixture(t)
	anna, bo, cecilia := f.as("anna"), f.as("bo"), f.as("cecilia")
	wantRedirect(t, "havning", f.post(anna, "/alerts/"+sampleAlert+"/decisions", decideForm(review.Havning), true), "/alerts/"+sampleAlert+"?ok=pending")
	dec := sampleAlert + "-d1"
	page := "/alerts/" + sampleAlert

	// Nothing recorded: the approver's button is disabled, and says why.
	body := f.page(cecilia, page)
	wantContains(t, "approver, unheard", body, `id="hearing-h">Kontradiktion</h2>`, "Leverantören har inte underrättats ännu.",
		`<button type="submit" class="primary" disabled aria-describedby="approve-help">Godkänn</button>`,
		`id="approve-help">Beslutet kan inte godkännas förrän leverantören har hörts`, `href="#hearing"`)
	body = f.page(anna, page)
	wantContains(t, "coordinator, unheard", body, `action="/decisions/`+dec+`/hearing"`, `name="informed_at" required value="2026-11-22"`,
		"Sista dag för leverantören att svara, minst 10 dagar efter att leverantören underrättades.",
		`name="deadline" required value="2026-12-06"`, `<option value="rekommenderat brev">Rekommenderat brev</option>`)
	wantNot(t, "coordinator, unheard", body, `action="/decisions/`+dec+`/hearing/response"`)
	body = f.page(bo, page)
	wantContains(t, "viewer", body, "Kontradiktion", "Leverantören har inte underrättats ännu.")
	wantNot(t, "viewer", body, `action="/decisions/`+dec+`/hearing"`)
	// Approving anyway: refused.
	if rec := f.post(cecilia, "/decisions/"+dec+"/approve", nil, true); rec.Code != http.StatusConflict {
		t.Fatalf("approve before the hearing: %d", rec.Code)
	}

	// The notice's refusals, shown beside their fields.
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"informed_at": {"2026-11-22"}, "deadline": {"2026-11-20"}, "channel": {"brev"}},
			`id="h-deadline-error">Svarsfristen måste vara minst 10 dagar efter att leverantören underrättades: tidigast 2026-12-02.</p>`},
		{url.Values{"informed_at": {"2026-11-22"}, "deadline": {"2026-12-01"}, "channel": {"brev"}},
			`id="h-deadline-error">Svarsfristen måste vara minst 10 dagar efter att leverantören underrättades: tidigast 2026-12-02.</p>`},
		{url.Values{"informed_at": {"2026-11-21"}, "deadline": {"2026-12-06"}, "channel": {"brev"}},
			`id="h-informed_at-error">Får inte vara före beslutet som leverantören underrättas om (2026-11-22).</p>`},
		{url.Values{"informed_at": {"2020-03-02"}, "deadline": {"2026-11-23"}, "channel": {"brev"}},
			`id="h-informed_at-error">Får inte vara före beslutet som leverantören underrättas om (2026-11-22).</p>`},
		{url.Values{"informed_at": {"2026-11-22"}, "deadline": {"6/12"}, "channel": {"brev"}},
			`id="h-deadline-error">Ange ett datum som 2027-01-31.</p>`},
		{url.Values{"informed_at": {"2026-11-30"}, "deadline": {"2026-12-06"}, "channel": {"brev"}},
			`id="h-informed_at-error">Får inte vara ett datum i framtiden.</p>`},
		{url.Values{"informed_at": {"2026-11-22"}, "deadline": {"2026-12-06"}, "channel": {"fax"}},
			`id="h-channel-error">Ogiltigt värde.</p>`},
		{url.Values{"deadline": {"2026-12-06"}, "channel": {"brev"}},
			`id="h-informed_at-error">Måste fyllas i.</p>`},
	} {
		rec := f.post(anna, "/decisions/"+dec+"/hearing", tc.form, true)
		if rec.Code != http.StatusBadRequest {
			t.Fatalf("%v: %d", tc.form, rec.Code)
		}
		checkHTML(t, "refused notice", rec)
		wantContains(t, "refused notice", rec.Body.String(), tc.want)
	}
	if rec := f.post(anna, "/decisions/"+dec+"/hearing", url.Values{"informed_at": {"2026-11-22"}}, false); rec.Code != http.StatusForbidden {
		t.Fatalf("notice without the CSRF token: %d", rec.Code)
	}
	if rec := f.post(bo, "/decisions/"+dec+"/hearing", url.Values{"informed_at": {"2026-11-22"}}, true); rec.Code != http.StatusForbidden {
		t.Fatalf("notice by a viewer: %d", rec.Code)
	}
	f.trail()

	// Informed.
	wantRedirect(t, "inform", f.post(anna, "/decisions/"+dec+"/hearing",
		url.Values{"informed_at": {"2026-11-22"}, "deadline": {"2026-12-06"}, "channel": {"rekommenderat brev"}}, true),
		page+"?ok=informed#hearing")
	f.wantTrail(audit.HearingInform + " anna " + dec)
	body = f.page(anna, page+"?ok=informed")
	wantContains(t, "informed", body, "Underrättelsen till leverantören registrerades.",
		"Leverantören är underrättad och har till och med 2026-12-06 på sig att svara.", `<td data-label="Sätt">Rekommenderat brev</td>`,
		`action="/decisions/`+dec+`/hearing/response" enctype="multipart/form-data"`, `type="file" id="r-file" name="file"`,
		"Registrera en ny underrättelse", "Inget svar registrerat.")
	body = f.page(cecilia, page)
	wantContains(t, "approver, awaiting", body, `disabled aria-describedby="approve-help"`,
		"Beslutet kan godkännas när leverantörens svar har registrerats eller svarsfristen (2026-12-06) har gått ut.")

	// The response's refusals.
	response := "/decisions/" + dec + "/hearing/response"
	for _, tc := range []struct {
		parts []part
		want  string
	}{
		{[]part{{name: "received_at", value: "2026-11-22"}, {name: "text", value: " "}, {name: "file", file: "", data: []byte{}}},
			`id="r-text-error">Skriv svaret eller bifoga en fil.</p>`},
		{[]part{{name: "received_at", value: "2026-11-22"}, {name: "file", file: "svar.zip", ctype: "application/zip", data: []byte("PK\x03\x04")}},
			`id="r-file-error">Filtypen tillåts inte: bifoga PDF, PNG, JPEG, text eller Word (.docx).</p>`},
		{[]part{{name: "received_at", value: "2026-11-22"}, {name: "file", file: "svar.pdf", ctype: "application/pdf", data: []byte("<html>")}},
			`id="r-file-error">Filens innehåll stämmer inte med filtypen.</p>`},
		{[]part{{name: "received_at", value: "i dag"}, {name: "text", value: "Vi bestrider."}},
			`id="r-received_at-error">Ange ett datum som 2027-01-31.</p>`},
		{[]part{{name: "received_at", value: "2026-11-21"}, {name: "text", value: "Vi bestrider."}},
			`id="r-received_at-error">Får inte vara före dagen då leverantören underrättades.</p>`},
	} {
		rec := f.upload(anna, response, true, tc.parts...)
		if rec.Code != http.StatusBadRequest {
			t.Fatalf("%v: %d %s", tc.parts, rec.Code, rec.Body)
		}
		checkHTML(t, "refused response", rec)
		wantContains(t, "refused response", rec.Body.String(), tc.want)
	}
	// The text entered is shown again, not the CSRF token.
	rec := f.upload(anna, response, true, part{name: "received_at", value: "i dag"}, part{name: "text", value: "Vi <bestrider>."})
	wantContains(t, "shown again", rec.Body.String(), `>Vi &lt;bestrider&gt;.</textarea>`, `value="i dag"`)
	// Without the token, by a viewer: 403; too large: 413, not a CSRF
	// failure.
	if rec := f.upload(anna, response, false, part{name: "received_at", value: "2026-11-22"}, part{name: "text", value: "x"}); rec.Code != http.StatusForbidden {
		t.Fatalf("response without the CSRF token: %d", rec.Code)
	}
	if rec := f.upload(bo, response, true, part{name: "received_at", value: "2026-11-22"}, part{name: "text", value: "x"}); rec.Code != http.StatusForbidden {
		t.Fatalf("response by a viewer: %d", rec.Code)
	}
	rec = f.rawUpload(anna, response, "x", "multipart/form-data; boundary=x", MaxHearingBody+1)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("too large: %d", rec.Code)
	}
	checkHTML(t, "too large", rec)
	wantContains(t, "too large", rec.Body.String(), "Formuläret innehöll för mycket data.")
	for _, e := range f.trail() {
		if strings.HasPrefix(e.Action, "hearing.") {
			t.Errorf("a refused response in the trail: %+v", e)
		}
	}

	// The response, with a text file.
	file := []byte("Vi bestrider uppgifterna om skulder; skulden är betald, se bifogat kvitto.\n")
	sum := sha256.Sum256(file)
	wantRedirect(t, "respond", f.upload(anna, response, true, part{name: "received_at", value: "2026-11-22"},
		part{name: "text", value: "Leverantören bestrider uppgifterna."},
		part{name: "file", file: "Svar från leverantören.txt", ctype: "text/plain", data: file}), page+"?ok=responded#hearing")
	x := f.wantTrail(audit.HearingRespond + " anna " + dec)
	if x[0].Detail["has_attachment"] != "true" || x[0].Detail["content_type"] != "text/plain" {
		t.Errorf("detail %v", x[0].Detail)
	}
	d, _ := f.desk.Decision(dec)
	if r := d.Hearing.Responses; len(r) != 1 || r[0].Attachment == nil || r[0].Attachment.SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("responses %+v", r)
	}
	body = f.page(anna, page+"?ok=responded")
	wantContains(t, "responded", body, "Leverantörens svar registrerades.", "Leverantören har svarat. Beslutet kan godkännas.",
		"Leverantören bestrider uppgifterna.", `href="/decisions/`+dec+`/attachments/1" download`, "Svar från leverantören.txt",
		hex.EncodeToString(sum[:]), strconv.Itoa(len(file))+" byte, text/plain")
	// English, and the viewer: the file's name, no link.
	body = f.page(anna, page+"?lang=en")
	wantContains(t, "in English", body, "Hearing the supplier (kontradiktion)", "The supplier has responded.", "Registered letter")
	body = f.page(bo, page+"?lang=sv")
	wantContains(t, "viewer, answered", body, "Svar från leverantören.txt")
	wantNot(t, "viewer, answered", body, `/attachments/1"`)

	// The file, for download: view_persons, audited.
	f.trail()
	if rec := f.get(bo, "/decisions/"+dec+"/attachments/1"); rec.Code != http.StatusForbidden {
		t.Fatalf("viewer downloading: %d", rec.Code)
	}
	rec = f.get(anna, "/decisions/"+dec+"/attachments/1")
	if rec.Code != http.StatusOK || rec.Body.String() != string(file) || rec.Header().Get("Content-Type") != "text/plain; charset=utf-8" ||
		!strings.HasPrefix(rec.Header().Get("Content-Disposition"), "attachment; ") || rec.Header().Get("X-Content-Type-Options") != "nosniff" ||
		rec.Header().Get("Content-Security-Policy") != "default-src 'none'; sandbox" {
		t.Fatalf("download: %d %v", rec.Code, rec.Header())
	}
	x = f.wantTrail(audit.ViewRaw + " anna " + dec)
	if x[0].Detail["via"] != "web" || x[0].Detail["view"] != "attachment" {
		t.Errorf("detail %v", x[0].Detail)
	}
	if rec := f.get(anna, "/decisions/"+dec+"/attachments/2"); rec.Code != http.StatusNotFound {
		t.Fatalf("no such file: %d", rec.Code)
	}

	// The decision basis cites the hearing and the file.
	body = f.page(anna, "/decisions/"+dec+"/underlag")
	wantContains(t, "underlag", body, `id="ul-hearing-h">Kontradiktion</h2>`, "Rekommenderat brev", "2026-12-06",
		"Leverantören bestrider uppgifterna.", "Svar från leverantören.txt", hex.EncodeToString(sum[:]))

	// Approved.
	body = f.page(cecilia, page)
	wantNot(t, "approver, heard", body, "disabled")
	wantRedirect(t, "approve", f.post(cecilia, "/decisions/"+dec+"/approve", nil, true), page+"?ok=approved")
	body = f.page(anna, page)
	wantNot(t, "approved", body, `id="hearing-h"`)
	wantContains(t, "approved underlag", f.page(anna, "/decisions/"+dec+"/underlag"), "Svar från leverantören.txt", "Trädde i kraft")

	// An exclusion not yet heard: its basis says so.
	wantRedirect(t, "uteslutning", f.post(anna, "/alerts/"+soleTraderAlert+"/decisions", decideForm(review.Uteslutning), true), "/alerts/")
	wantContains(t, "unheard underlag", f.page(anna, "/decisions/"+soleTraderAlert+"-d1/underlag"), "Ingen kontradiktion registrerad.")
}

// The hearing's dates on the alert page: a configured minimum sets the
// form's default deadline and its help and refusals; a correction is
// audited as one; a notice in force that does not meet the rules (stored
// before them, or under a smaller minimum) says so and blocks approval.
func TestUIHearingDates(t *testing.T) {
	f := newFixture(t)
	anna, cecilia := f.as("anna"), f.as("cecilia")
	f.desk.HearingDays = 20
	wantRedirect(t, "havning", f.post(anna, "/alerts/"+sampleAlert+"/decisions", decideForm(review.Havning), true), "/alerts/"+sampleAlert+"?ok=pending")
	dec := sampleAlert + "-d1"
	page := "/alerts/" + sampleAlert
	body := f.page(anna, page)
	wantContains(t, "minimum 20", body, `name="deadline" required value="2026-12-12"`,
		"Sista dag för leverantören att svara, minst 20 dagar efter att leverantören underrättades.")
	body = f.page(anna, page+"?lang=en")
	wantContains(t, "minimum 20, in English", body, "The last day for the supplier to respond, at least 20 days after it was informed.")
	f.trail()
	rec := f.post(anna, "/decisions/"+dec+"/hearing", url.Values{"informed_at": {"2026-11-22"}, "deadline": {"2026-12-06"}, "channel": {"brev"}}, true)
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("14 days under a minimum of 20: %d", rec.Code)
	}
	wantContains(t, "14 days under a minimum of 20", rec.Body.String(),
		`id="h-deadline-error">Svarsfristen måste vara minst 20 dagar efter att leverantören underrättades: tidigast 2026-12-12.</p>`)
	for _, e := range f.trail() {
		if strings.HasPrefix(e.Action, "hearing.") {
			t.Errorf("a refused notice in the trail: %+v", e)
		}
	}

	// Informed under the minimum of 20 days, then corrected.
	wantRedirect(t, "inform", f.post(anna, "/decisions/"+dec+"/hearing",
		url.Values{"informed_at": {"2026-11-22"}, "deadline": {"2026-12-12"}, "channel": {"brev"}}, true), page+"?ok=informed#hearing")
	f.wantTrail(audit.HearingInform + " anna " + dec)
	wantRedirect(t, "correct", f.post(anna, "/decisions/"+dec+"/hearing",
		url.Values{"informed_at": {"2026-11-22"}, "deadline": {"2026-12-14"}, "channel": {"e-post"}}, true), page+"?ok=informed#hearing")
	x := f.wantTrail(audit.HearingCorrect + " anna " + dec)
	if x[0].Detail["deadline_was"] != "2026-12-12" || x[0].Detail["deadline"] != "2026-12-14" || x[0].Detail["replaces"] != "1" {
		t.Errorf("correction detail %v", x[0].Detail)
	}
	wantRedirect(t, "respond", f.upload(anna, "/decisions/"+dec+"/hearing/response", true,
		part{name: "received_at", value: "2026-11-22"}, part{name: "text", value: "Vi bestrider."}), page+"?ok=responded#hearing")
	wantNot(t, "answered, heard", f.page(cecilia, page), "disabled")

	// The minimum raised to 30 days: the notice in force no longer holds.
	f.desk.HearingDays = 30
	body = f.page(cecilia, page)
	wantContains(t, "notice under a smaller minimum", body,
		"Underrättelsen uppfyller inte kraven, och beslutet kan inte godkännas på den: Svarsfrist: Svarsfristen måste vara minst 30 dagar efter att leverantören underrättades: tidigast 2026-12-22. Registrera en ny underrättelse.",
		`disabled aria-describedby="approve-help"`, `id="approve-help">Beslutet kan inte godkännas: underrättelsen till leverantören uppfyller inte kraven.`)
	if rec := f.post(cecilia, "/decisions/"+dec+"/approve", nil, true); rec.Code != http.StatusConflict {
		t.Fatalf("approve on a notice under a smaller minimum: %d", rec.Code)
	}
	wantContains(t, "in English", f.page(cecilia, page+"?lang=en"),
		"The notice does not meet the requirements, and the decision cannot be approved on it: Deadline: The deadline must be at least 30 days after the supplier was informed: 2026-12-22 at the earliest. Record a new notice.")
}
