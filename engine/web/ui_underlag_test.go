package web

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/review"
)

// The diarienummer is entered with a decision, in the API and in the
// form, by those who may decide; it is stored with the decision and
// refused, naming the field, when it is not one short line. Those who
// may not decide cannot set it either.
func TestDiarienummer(t *testing.T) {
	long := strings.Repeat("9", review.MaxDiarienummer+1)
	for _, c := range []struct {
		name, via, user, diarienummer string
		status                        int
		want                          string // stored, or the problem shown
	}{
		{"API, coordinator", "api", "anna", " KS 2026/123 ", http.StatusCreated, "KS 2026/123"},
		{"API, none", "api", "anna", "", http.StatusCreated, ""},
		{"API, too long", "api", "anna", long, http.StatusBadRequest, "diarienummer"},
		{"API, viewer", "api", "bo", "KS 2026/123", http.StatusForbidden, ""},
		{"API, approver", "api", "cecilia", "KS 2026/124", http.StatusCreated, "KS 2026/124"},
		{"API, viewer's token", "api", "token panel", "KS 2026/123", http.StatusForbidden, ""},
		{"form, coordinator", "ui", "anna", "SN 2026/77", http.StatusSeeOther, "SN 2026/77"},
		{"form, too long", "ui", "anna", long, http.StatusBadRequest, `<a href="#d-diarienummer">Diarienummer</a>: För lång text.`},
		{"form, viewer", "ui", "bo", "SN 2026/77", http.StatusForbidden, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			if c.via == "ui" && c.status == http.StatusSeeOther {
				// The field is on the form of those who may decide, not
				// on the viewer's page.
				wantContains(t, "coordinator's alert page", f.page(f.as(c.user), "/alerts/"+sampleAlert),
					`<input type="text" id="d-diarienummer" name="diarienummer" maxlength="64"`, "Ärendets nummer i nämndens diarium")
				wantNot(t, "viewer's alert page", f.page(f.as("bo"), "/alerts/"+sampleAlert), `id="d-diarienummer"`)
			}
			var w who
			if name, ok := strings.CutPrefix(c.user, "token "); ok {
				w = f.token(name)
			} else {
				w = f.as(c.user)
			}
			var code int
			var body string
			if c.via == "api" {
				rec := f.do(w, http.MethodPost, "/api/v1/alerts/"+sampleAlert+"/decisions",
					`{"kind":"avropsstopp","justification":"Näringsförbud för VD","ground":"LOU 13:1","diarienummer":"`+c.diarienummer+`"}`)
				code, body = rec.Code, rec.Body.String()
				if code == http.StatusBadRequest {
					if e := errorOf(t, rec); e.Field != c.want {
						t.Errorf("error %+v, want field %s", e, c.want)
					}
				}
			} else {
				form := decideForm(review.Avropsstopp)
				form.Set("diarienummer", c.diarienummer)
				rec := f.post(w, "/alerts/"+sampleAlert+"/decisions", form, true)
				code, body = rec.Code, rec.Body.String()
				if code == http.StatusBadRequest {
					wantContains(t, c.name, body, c.want, `id="d-diarienummer-error"`, `aria-invalid="true"`)
				}
			}
			if code != c.status {
				t.Fatalf("%d %s, want %d", code, body, c.status)
			}
			decs, err := f.desk.Decisions(sampleAlert)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case c.status == http.StatusCreated || c.status == http.StatusSeeOther:
				if len(decs) != 1 || decs[0].Diarienummer != c.want {
					t.Fatalf("decisions %+v, want one with diarienummer %q", decs, c.want)
				}
			case len(decs) != 0:
				t.Fatalf("decisions %+v, want none", decs)
			}
		})
	}
}

// The printed decision basis of a termination: the municipality's
// letterhead and the diarienummer, the decision and its ground, the
// hearing with the file's SHA-256, every record version with its
// SHA-256, the history, and a signature block whose approver part is
// left to fill in until the approval, then names the approver. A
// decision without a diarienummer shows "–". The approved basis is
// held to testdata/underlag-approved.golden (-update rewrites it).
func TestUnderlagPrint(t *testing.T) {
	f := newFixture(t)
	f.srv.Municipality = Municipality{Name: "Exempelby kommun", LogoText: "EXEMPELBY KOMMUN · Socialnämnden"}
	f.h = f.srv.Handler()
	anna, cecilia := f.as("anna"), f.as("cecilia")
	page := "/alerts/" + sampleAlert

	// A halt without a diarienummer, then a termination with one.
	wantRedirect(t, "halt", f.post(anna, page+"/decisions", decideForm(review.Avropsstopp), true), page+"?ok=decided")
	body := f.page(anna, "/decisions/"+sampleAlert+"-d1/underlag")
	wantContains(t, "halt", body, `<dd class="diarienummer">–</dd>`, "Beslutande", "Anna (anna)", "Samordnare")
	wantNot(t, "halt", body, "Godkännande (fyra ögon)")
	form := decideForm(review.Havning)
	form.Set("diarienummer", "SN 2026/417")
	wantRedirect(t, "havning", f.post(anna, page+"/decisions", form, true), page+"?ok=pending")
	dec := sampleAlert + "-d2"
	underlag := "/decisions/" + dec + "/underlag"
	body = f.page(anna, underlag)
	wantContains(t, "pending", body, "Godkännande (fyra ögon)", `<span class="fill">fylls i för hand</span>`)

	wantRedirect(t, "inform", f.post(anna, "/decisions/"+dec+"/hearing",
		url.Values{"informed_at": {"2026-11-22"}, "deadline": {"2026-12-06"}, "channel": {"rekommenderat brev"}}, true), page)
	file := []byte("Yttrande: skulden är betald.\n")
	sum := sha256.Sum256(file)
	wantRedirect(t, "respond", f.upload(anna, "/decisions/"+dec+"/hearing/response", true, part{name: "received_at", value: "2026-11-22"},
		part{name: "text", value: "Leverantören bestrider."}, part{name: "file", file: "yttrande.txt", ctype: "text/plain", data: file}), page)
	wantRedirect(t, "approve", f.post(cecilia, "/decisions/"+dec+"/approve", nil, true), page+"?ok=approved")

	body = f.page(anna, underlag)
	wantContains(t, "approved", body,
		`<p class="logo">EXEMPELBY KOMMUN · Socialnämnden</p>`, `<dd class="municipality">Exempelby kommun</dd>`,
		`<dd class="diarienummer">SN 2026/417</dd>`, "Hävning", "LOU 13 kap. 1 §", "Rekommenderat brev", "2026-12-06",
		"Leverantören bestrider.", "yttrande.txt", hex.EncodeToString(sum[:]),
		"Beslutande", "Anna (anna)", "Samordnare", "Godkännande (fyra ögon)", "Cecilia (cecilia)", "Godkännare")
	wantNot(t, "approved", body, `class="fill"`)
	d, err := f.desk.Decision(dec)
	if err != nil {
		t.Fatal(err)
	}
	hashes := regexp.MustCompile(`<span class="key hash">[0-9a-f]{64}</span>`).FindAllString(body, -1)
	if len(d.Evidence.Records) == 0 || len(hashes) != len(d.Evidence.Records) {
		t.Errorf("%d hashes for %d record versions", len(hashes), len(d.Evidence.Records))
	}
	al, err := f.desk.Alert(sampleAlert)
	if err != nil {
		t.Fatal(err)
	}
	if rows := strings.Count(body, `<td class="num">`); rows < len(al.History) {
		t.Errorf("%d numbered cells for %d history entries", rows, len(al.History))
	}
	golden(t, "underlag-approved", body)

	// In English.
	wantContains(t, "in English", f.page(anna, underlag+"?lang=en"), `<html lang="en">`, "Case number (diarienummer)",
		"Decided by", "Approved by (four eyes)", "Signature")
}
