package bus

import (
	"strings"
	"testing"
	"time"
)

// A pre-award request with a member name given twice is refused naming
// it (before, the last one won: a request could say direct to one reader
// and award to another), and an invalid value comes back in the error
// header as a short excerpt, not whole.
func TestScreenServiceRefusesDuplicateKeysAndQuotesExcerpts(t *testing.T) {
	h := newServiceHarness(t, testNow, false)
	big := strings.Repeat("9", 900<<10) // within NATS's default 1 MiB payload
	for _, tt := range []struct {
		name, body, field, msg string
	}{
		{"purpose twice", `{"orgnr":"5591234561","purpose":"direct","purpose":"award"}`, "purpose", "given twice"},
		{"orgnr twice", `{"orgnr":"5591234561","orgnr":"5560021361","purpose":"award"}`, "orgnr", "given twice"},
		{"by escape", `{"orgnr":"5591234561","purpose":"award","\u0070urpose":"direct"}`, "purpose", "given twice"},
		{"900 KiB orgnr", `{"orgnr":"` + big + `","purpose":"award"}`, "orgnr", "(921600 bytes)"},
		{"900 KiB purpose", `{"orgnr":"5591234561","purpose":"` + big + `"}`, "purpose", "(921600 bytes)"},
		{"900 KiB max_age", `{"orgnr":"5591234561","purpose":"award","max_age":"` + big + `"}`, "max_age", "(921600 bytes)"},
		{"900 KiB unknown key", `{"orgnr":"5591234561","purpose":"award","` + big + `":1}`, `"` + strings.Repeat("9", 64) + `"… (921600 bytes)`, "unknown field"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, code, desc, _ := h.check(t, tt.body, 5*time.Second)
			if code != "400" || !strings.HasPrefix(desc, tt.field+": ") || !strings.Contains(desc, tt.msg) {
				t.Errorf("got %q %.300q, want 400 naming %.100s with %q", code, desc, tt.field, tt.msg)
			}
			if len(desc) > 300 {
				t.Errorf("error header of %d bytes", len(desc))
			}
		})
	}
}
