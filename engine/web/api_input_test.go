package web

import (
	"net/http"
	"strings"
	"testing"
)

// A member name given twice in a request body is refused, naming it, on
// every endpoint that reads a body (before, the last one won); nothing is
// changed. An invalid value is quoted in the answer as a short excerpt.
func TestBodiesRefuseDuplicateKeysAndQuoteExcerpts(t *testing.T) {
	f := newFixture(t)
	dora := f.as("dora") // admin: every permission
	alert := "/api/v1/alerts/" + sampleAlert
	dec := "/api/v1/decisions/" + sampleAlert + "-d1"
	big := strings.Repeat("x", 900<<10) // within MaxBody
	for _, tc := range []struct {
		name, method, path, body string
		field                    string
		msg                      string // a substring of the error
	}{
		{"assign twice", "POST", alert + "/assign", `{"assignee":"nobody","assignee":"anna"}`, "assignee", "given twice"},
		{"close reason twice", "POST", alert + "/close", `{"reason":"a","reason":"b"}`, "reason", "given twice"},
		{"comment text twice", "POST", alert + "/comments", `{"text":"a","text":"b"}`, "text", "given twice"},
		{"decision kind twice", "POST", alert + "/decisions", `{"kind":"ingen_atgard","kind":"avropsstopp","justification":"j","ground":"LOU 13:1"}`, "kind", "given twice"},
		{"contracts twice", "POST", alert + "/decisions", `{"kind":"avropsstopp","justification":"j","ground":"LOU 13:1","contracts":["A"],"contracts":["B"]}`, "contracts", "given twice"},
		{"reject reason twice", "POST", dec + "/reject", `{"reason":"a","reason":"b"}`, "reason", "given twice"},
		{"screen purpose twice", "POST", "/api/v1/screen", `{"orgnr":"5591234561","purpose":"direct","purpose":"award"}`, "purpose", "given twice"},
		{"duplicate by escape", "POST", "/api/v1/screen", `{"orgnr":"5591234561","purpose":"award","p\u0075rpose":"direct"}`, "purpose", "given twice"},
		{"login twice", "POST", "/api/v1/login", `{"username":"anna","username":"dora","password":"x"}`, "username", "given twice"},
		{"900 KiB purpose", "POST", "/api/v1/screen", `{"orgnr":"5591234561","purpose":"` + big + `"}`, "purpose", `"xxxxxxxx`},
		{"900 KiB orgnr", "POST", "/api/v1/screen", `{"orgnr":"` + big + `","purpose":"award"}`, "orgnr", `"xxxxxxxx`},
		{"900 KiB unknown key", "POST", "/api/v1/screen", `{"orgnr":"5591234561","purpose":"award","` + big + `":1}`, `"` + strings.Repeat("x", 64) + `"… (921600 bytes)`, "unknown field"},
		{"900 KiB category", "POST", "/api/v1/screen", `{"orgnr":"5591234561","purpose":"award","category":"` + big + `"}`, "category", "(921600 bytes)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.trail()
			f.events()
			rec := f.do(dora, tc.method, tc.path, tc.body)
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("%d %.300s, want 400", rec.Code, rec.Body)
			}
			e := errorOf(t, rec)
			if e.Field != tc.field || !strings.HasPrefix(e.Error, tc.field+": ") || !strings.Contains(e.Error, tc.msg) {
				t.Errorf("field %.100q, error %.300q; want field %.100q and %q", e.Field, e.Error, tc.field, tc.msg)
			}
			if n := rec.Body.Len(); n > 1000 {
				t.Errorf("answer of %d bytes: %.300s", n, rec.Body)
			}
			if es := f.trail(); len(es) > 0 {
				t.Errorf("%d audit entries", len(es))
			}
			if evs := f.events(); len(evs) > 0 {
				t.Errorf("%d events", len(evs))
			}
		})
	}
}
