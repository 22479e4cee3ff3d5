package bus

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/micro"

	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/strictjson"
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

// Pre-award checks of an organisation while other writers mark it too
// (other checks, on other instances or paths): the transactions that
// conflict are run again, so every check answers with its verdict, none
// with 503.
func TestChecksAnswerUnderConcurrentWrites(t *testing.T) {
	h := newServiceHarness(t, testNow, false)
	org := h.pop.manifest.Clean[0]
	// Enough checks to conflict with the writers; the retry itself is
	// proven deterministically in engine/store (TestUpdateRetriesConflicts).
	const checks, writers = 16, 4
	stop := make(chan struct{})
	var writing sync.WaitGroup
	for w := range writers {
		writing.Add(1)
		go func() {
			defer writing.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				// A concurrent writer of the key every check writes; its own
				// conflicts are not what this test is about.
				h.pop.st.MarkPreAward(org, testNow.Add(time.Duration(i*writers+w)*time.Microsecond))
				time.Sleep(100 * time.Microsecond)
			}
		}()
	}
	type answer struct{ code, desc string }
	answers := make(chan answer, checks)
	var wg sync.WaitGroup
	for i := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"orgnr":%q,"purpose":"award","value_sek":%d}`, org, 1000+i)
			// A bound only against a hang: under the race detector on a
			// busy machine a check can take seconds.
			msg, err := h.nc.Request(event.ScreenSubject, []byte(body), 2*time.Minute)
			if err != nil {
				answers <- answer{"no answer", err.Error()}
				return
			}
			answers <- answer{msg.Header.Get(micro.ErrorCodeHeader), msg.Header.Get(micro.ErrorHeader)}
		}()
	}
	wg.Wait()
	close(stop)
	writing.Wait()
	close(answers)
	for a := range answers {
		if a.code != "" {
			t.Errorf("a check answered %s %s", a.code, a.desc)
		}
	}
}

// A refused pre-award request is answered in plain words: the body is an
// event.ScreenError ({"error", "field"}, as the HTTP API answers), its
// error the same text as the micro error header, naming the field and
// JSON's types, never Go's (before: "must be a event.ScreenRequest").
func TestScreenServiceRefusalsAreJSON(t *testing.T) {
	h := newServiceHarness(t, testNow, false)
	for _, tt := range []struct {
		name, body, field, msg string
	}{
		{"malformed JSON", `{"orgnr":"5591234561",`, "body", "not valid JSON"},
		{"not JSON", `screen 5591234561`, "body", "not valid JSON"},
		{"not an object", `["5591234561","award"]`, "body", "must be a JSON object, not an array"},
		{"a string", `"5591234561"`, "body", "must be a JSON object, not a string"},
		{"unknown field", `{"orgnummer":"5591234561","purpose":"award"}`, "orgnummer", "unknown field"},
		{"wrong type", `{"orgnr":"5591234561","purpose":"award","value_sek":"4800000"}`, "value_sek", "must be an integer, not a string"},
		{"orgnr a number", `{"orgnr":5591234561,"purpose":"award"}`, "orgnr", "must be a string, not a number"},
		{"bad orgnr", `{"orgnr":"559123-4562","purpose":"award"}`, "orgnr", "check digit"},
		{"no orgnr", `{"purpose":"award"}`, "orgnr", "required"},
		{"bad purpose", `{"orgnr":"5591234561","purpose":"buy"}`, "purpose", "is not award, calloff or direct"},
		{"trailing data", `{"orgnr":"5591234561","purpose":"award"} {}`, "body", "more after the JSON object"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			msg, err := h.nc.Request(event.ScreenSubject, []byte(tt.body), 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := testKeys.Verify(event.ScreenSubject, msg.Header, msg.Data); err != nil {
				t.Errorf("the refusal is not signed: %v", err)
			}
			if code := msg.Header.Get(micro.ErrorCodeHeader); code != "400" {
				t.Errorf("code %q, want 400", code)
			}
			if got := msg.Header.Get(event.HeaderSchema); got != event.ScreenErrorSchema {
				t.Errorf("%s %q, want %q", event.HeaderSchema, got, event.ScreenErrorSchema)
			}
			var e event.ScreenError
			if err := strictjson.Decode(msg.Data, &e); err != nil {
				t.Fatalf("body %q: %v", msg.Data, err)
			}
			if e.Field != tt.field || !strings.HasPrefix(e.Error, tt.field+": ") || !strings.Contains(e.Error, tt.msg) {
				t.Errorf("body %+v, want field %q and an error %q… with %q", e, tt.field, tt.field+": ", tt.msg)
			}
			if hdr := msg.Header.Get(micro.ErrorHeader); hdr != e.Error {
				t.Errorf("header %s %q, body error %q: want the same", micro.ErrorHeader, hdr, e.Error)
			}
			for _, goWord := range []string{"event.", "ScreenRequest", "int64", "json:", "Go "} {
				if strings.Contains(e.Error, goWord) {
					t.Errorf("error %q speaks Go (%q)", e.Error, goWord)
				}
			}
		})
	}
	// AskScreen, as vaksam check asks, hands the field on.
	_, _, err := AskScreen(context.Background(), h.nc, testKeys, event.ScreenRequest{Orgnr: "559123-4562", Purpose: "award"}, "order-field", 5*time.Second)
	var ref *Refused
	if !errors.As(err, &ref) || !ref.BadRequest() || ref.Field != "orgnr" || !strings.HasPrefix(ref.Description, "orgnr: ") {
		t.Errorf("AskScreen of a bad orgnr: %#v, want a 400 Refused naming orgnr", err)
	}
}
