package web

import (
	"net/http"
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
