package logging_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/logging"
)

// Person numbers of the tests: valid dates and check digits.
const (
	p10      = "8112189876"    // 10 digits
	p10h     = "811218-9876"   // 10 digits with '-'
	p12      = "198112189876"  // 12 digits
	p12h     = "19811218-9876" // 12 digits with '-'
	pPlus    = "121212+1212"   // 100 years or older: '+'
	pSamord  = "811278-9873"   // samordningsnummer: day 18 + 60
	p2000s   = "20010203-4568" // born in this century
	orgAB    = "5591234561"    // an aktiebolag: stays
	orgABh   = "559123-4561"
	orgMuni  = "2120000142" // a municipality
	org16    = "165591234561"
	masked81 = "81XXXX-XXXX"
)

// jsonLogger logs JSON into a buffer, from debug on.
func jsonLogger(t *testing.T) (*slog.Logger, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	l, err := logging.New(&buf, "json", "debug", false)
	if err != nil {
		t.Fatal(err)
	}
	return l, &buf
}

// lines parses every JSON line logged.
func lines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

// withCheck completes nine digits with their Luhn check digit.
func withCheck(d9 string) string { return d9 + string(ident.LuhnDigit(d9)) }

func TestMaskPersons(t *testing.T) {
	badDate := withCheck("811318987")   // month 13, valid check digit
	badDay := withCheck("811232987")    // day 32
	badSamord := withCheck("811292987") // day 32 + 60
	for _, tc := range []struct{ name, in, want string }{
		{"10 digits", "owner " + p10 + " ok", "owner " + masked81 + " ok"},
		{"10 digits with hyphen", "owner " + p10h, "owner " + masked81},
		{"12 digits", p12 + " at start", masked81 + " at start"},
		{"12 digits with hyphen", "(" + p12h + ")", "(" + masked81 + ")"},
		{"plus separator", "aged " + pPlus, "aged 12XXXX-XXXX"},
		{"samordningsnummer", "id=" + pSamord, "id=" + masked81},
		{"samordningsnummer, unknown month", "id=191500722390", "id=15XXXX-XXXX"},
		{"samordningsnummer, unknown day", "id=171160+2399", "id=17XXXX-XXXX"},
		{"this century", p2000s, "01XXXX-XXXX"},
		{"several", p10 + "," + p12h + " and " + orgAB, masked81 + "," + masked81 + " and " + orgAB},
		{"aktiebolag kept", "orgnr " + orgAB + " / " + orgABh, "orgnr " + orgAB + " / " + orgABh},
		{"municipality kept", orgMuni, orgMuni},
		{"16-prefixed org kept", org16, org16},
		{"alert id of an aktiebolag kept", orgAB + "-1", orgAB + "-1"},
		{"bad check digit kept", "811218-9875", "811218-9875"},
		{"bad month kept", badDate, badDate},
		{"bad day kept", badDay, badDay},
		{"bad samordning day kept", badSamord, badSamord},
		{"inside a longer number kept", "9" + p12 + "9", "9" + p12 + "9"},
		{"11 digits kept", "0" + p10, "0" + p10},
		{"separator not before last four", "8112-189876", "8112-189876"},
		{"letters around", "x" + p10 + "y", "x" + masked81 + "y"},
		{"nothing", "no numbers here", "no numbers here"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := logging.MaskPersons(tc.in); got != tc.want {
				t.Errorf("MaskPersons(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestSecretKey(t *testing.T) {
	for key, want := range map[string]bool{
		"password": true, "Password": true, "db_password": true, "passwd": true, "nats_pass": true,
		"token": true, "access_token": true, "accessToken": true, "bearer": true,
		"secret": true, "client_secret": true, "clientSecret": true, "CLIENT_SECRET": true,
		"authorization": true, "Authorization": true, "proxy-authorization": true,
		"cookie": true, "Set-Cookie": true, "session.cookie": true,
		"key": true, "api_key": true, "apiKey": true, "APIKey": true, "x-api-key": true, "hmac_key": true,
		"credentials": true, "credential": true,

		"keys": false, "key_id": false, "keyword": false, "monkey": false, "pseudonym_key_file": false,
		"token_id": false, "tokens": false, "token_count": false, "secret_file": false,
		"passed": false, "password_file": false, "cookie_name": false, "err": false, "orgnr": false,
		"request_id": false, "": false, "_": false,
	} {
		if got := logging.SecretKey(key); got != want {
			t.Errorf("SecretKey(%q) = %v, want %v", key, got, want)
		}
	}
}

func TestRedactTextMasksCredentials(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Authorization: Bearer abc.def-ghi_jkl0123456789", "Authorization: " + logging.Masked},
		{"sent bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", "sent bearer " + logging.Masked},
		{"missing bearer token", "missing bearer token"},
		{"dial nats://vaksam:hemligt@nats:4222: refused", "dial nats://vaksam:" + logging.Masked + "@nats:4222: refused"},
		{"POST /token grant_type=client_credentials&client_secret=s3cr3t&scope=x",
			"POST /token grant_type=client_credentials&client_secret=" + logging.Masked + "&scope=x"},
		{`{"access_token":"eyJ0","token_type":"Bearer","expires_in":3600}`,
			`{"access_token":"` + logging.Masked + `","token_type":"Bearer","expires_in":3600}`},
		{"tokens=3 keys=4 key_id=k1", "tokens=3 keys=4 key_id=k1"},
		{"https://example.se/a?b=c", "https://example.se/a?b=c"},
	} {
		if got := logging.RedactText(tc.in); got != tc.want {
			t.Errorf("RedactText(%q)\n = %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

// stringer shows a person number only through String.
type stringer struct{ n string }

func (s stringer) String() string { return "person " + s.n }

// holder shows one only in its JSON.
type holder struct {
	Orgnr string `json:"orgnr"`
}

func TestLoggedRecordsAreRedacted(t *testing.T) {
	person, err := ident.ParsePerson(p12)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		log  func(l *slog.Logger)
		// path to the value in the JSON record, and what it must be
		path []string
		want any
	}{
		{"in the message", func(l *slog.Logger) { l.Info("screening " + p12h + " failed") },
			[]string{"msg"}, "screening " + masked81 + " failed"},
		{"in an error", func(l *slog.Logger) {
			l.Warn("fetch", "err", fmt.Errorf("bolagsverket: %w", errors.New("HTTP 400: Ogiltig "+p10)))
		}, []string{"err"}, "bolagsverket: HTTP 400: Ogiltig " + masked81},
		{"in a nested group", func(l *slog.Logger) {
			l.Info("owner", slog.Group("board", slog.Group("chair", slog.String("id", p12))))
		}, []string{"board", "chair", "id"}, masked81},
		{"10 digits with plus", func(l *slog.Logger) { l.Info("x", "who", pPlus) }, []string{"who"}, "12XXXX-XXXX"},
		{"samordningsnummer", func(l *slog.Logger) { l.Info("x", "who", pSamord) }, []string{"who"}, masked81},
		{"an organisation number kept", func(l *slog.Logger) { l.Info("x", "orgnr", orgABh) }, []string{"orgnr"}, orgABh},
		{"a number", func(l *slog.Logger) { l.Info("x", "n", int64(198112189876)) }, []string{"n"}, masked81},
		{"an org number as a number kept", func(l *slog.Logger) { l.Info("x", "n", 5591234561) }, []string{"n"}, float64(5591234561)},
		{"a Stringer", func(l *slog.Logger) { l.Info("x", "p", stringer{p10h}) }, []string{"p"}, "person " + masked81},
		{"an ident.Person", func(l *slog.Logger) { l.Info("x", "p", person) }, []string{"p"}, masked81},
		{"a struct", func(l *slog.Logger) { l.Info("x", "h", holder{p12}) }, []string{"h"}, "{Orgnr:" + masked81 + "}"},
		{"a slice", func(l *slog.Logger) { l.Info("x", "ids", []string{orgAB, p10}) }, []string{"ids"}, "[" + orgAB + " " + masked81 + "]"},
		{"a LogValuer", func(l *slog.Logger) { l.Info("x", "v", valuer{}) }, []string{"v"}, masked81},
		{"given to With", func(l *slog.Logger) { l.With("owner", p10h).Info("x") }, []string{"owner"}, masked81},
		{"given to With in a group", func(l *slog.Logger) { l.WithGroup("g").With("owner", p10h).Info("x") }, []string{"g", "owner"}, masked81},
		{"a secret key", func(l *slog.Logger) { l.Info("x", "client_secret", "s3cr3t") }, []string{"client_secret"}, logging.Masked},
		{"a secret group", func(l *slog.Logger) { l.Info("x", slog.Group("credentials", "user", "u", "password", "p")) },
			[]string{"credentials"}, logging.Masked},
		{"a secret in a group", func(l *slog.Logger) { l.Info("x", slog.Group("nats", "user", "u", "password", "p")) },
			[]string{"nats", "password"}, logging.Masked},
		{"not a secret: keys", func(l *slog.Logger) { l.Info("x", "keys", 3) }, []string{"keys"}, float64(3)},
		{"a secret in an error", func(l *slog.Logger) {
			l.Error("x", "err", errors.New(`connect nats://u:pw@h:4222`))
		}, []string{"err"}, "connect nats://u:" + logging.Masked + "@h:4222"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, buf := jsonLogger(t)
			tc.log(l)
			recs := lines(t, buf)
			if len(recs) != 1 {
				t.Fatalf("%d records: %s", len(recs), buf)
			}
			var v any = recs[0]
			for _, k := range tc.path {
				m, ok := v.(map[string]any)
				if !ok {
					t.Fatalf("no %v in %s", tc.path, buf)
				}
				v = m[k]
			}
			if v != tc.want {
				t.Errorf("%v = %#v, want %#v\n%s", tc.path, v, tc.want, buf)
			}
			for _, p := range []string{p10, p12, p10h, p12h, "s3cr3t"} {
				if strings.Contains(buf.String(), p) {
					t.Errorf("output holds %q: %s", p, buf)
				}
			}
		})
	}
}

type valuer struct{}

func (valuer) LogValue() slog.Value { return slog.StringValue(p12h) }

func TestRequestIDOnEveryContextRecord(t *testing.T) {
	l, buf := jsonLogger(t)
	id := logging.NewRequestID()
	ctx := logging.WithRequestID(context.Background(), id)
	l.InfoContext(ctx, "plain")
	l.WithGroup("g").With("a", 1).WarnContext(ctx, "grouped", "b", 2)
	l.ErrorContext(ctx, "own id", "request_id", "upstream-1")
	l.With("request_id", "given").InfoContext(ctx, "own id by With")
	l.Info("no context")
	l.DebugContext(context.Background(), "context without an id")

	recs := lines(t, buf)
	if len(recs) != 6 {
		t.Fatalf("%d records: %s", len(recs), buf)
	}
	want := []any{id, id, "upstream-1", "given", nil, nil}
	for i, r := range recs {
		if r["request_id"] != want[i] {
			t.Errorf("record %q: request_id %v, want %v", r["msg"], r["request_id"], want[i])
		}
	}
	g, _ := recs[1]["g"].(map[string]any)
	if g["a"] != float64(1) || g["b"] != float64(2) {
		t.Errorf("group g = %v, want a and b in it", recs[1]["g"])
	}
	if n := strings.Count(buf.String(), `"request_id"`); n != 4 {
		t.Errorf("%d request_id keys, want 4 (none twice): %s", n, buf)
	}
}

func TestRequestIDs(t *testing.T) {
	a, b := logging.NewRequestID(), logging.NewRequestID()
	if len(a) != 32 || a == b || !logging.ValidRequestID(a) {
		t.Errorf("NewRequestID gave %q and %q", a, b)
	}
	if got := logging.RequestID(context.Background()); got != "" {
		t.Errorf("RequestID of a bare context = %q", got)
	}
	for id, want := range map[string]bool{
		"abc":                                  true,
		"0f9e-8d7c.6b5a_4:3":                   true,
		"550e8400-e29b-41d4-a716-446655440000": true,
		strings.Repeat("a", 64):                true,
		strings.Repeat("a", 65):                false,
		"":                                     false,
		"a b":                                  false,
		"a\r\nX-Evil: 1":                       false,
		"åäö":                                  false,
		"id/1":                                 false,
		"req-" + p12h:                          false, // a person number must not travel as an id
		"req-" + orgABh:                        true,
	} {
		if got := logging.ValidRequestID(id); got != want {
			t.Errorf("ValidRequestID(%q) = %v, want %v", id, got, want)
		}
	}
	if got := logging.AcceptRequestID("caller-7"); got != "caller-7" {
		t.Errorf("AcceptRequestID kept %q", got)
	}
	if got := logging.AcceptRequestID("bad id"); got == "bad id" || !logging.ValidRequestID(got) {
		t.Errorf("AcceptRequestID of a bad id = %q, want a new one", got)
	}
}

func TestNewFormatsAndLevels(t *testing.T) {
	for _, tc := range []struct {
		format, level string
		terminal      bool
		wantJSON      bool
		wantDebug     bool
		wantInfo      bool
	}{
		{"auto", "info", false, true, false, true},
		{"auto", "info", true, false, false, true},
		{"", "", false, true, false, true},
		{"json", "debug", true, true, true, true},
		{"TEXT", "Warn", false, false, false, false},
		{"text", "error", false, false, false, false},
	} {
		var buf bytes.Buffer
		l, err := logging.New(&buf, tc.format, tc.level, tc.terminal)
		if err != nil {
			t.Fatalf("%q %q: %v", tc.format, tc.level, err)
		}
		l.Debug("d")
		l.Info("i")
		l.Error("e")
		out := buf.String()
		if isJSON := strings.HasPrefix(out, "{"); isJSON != tc.wantJSON {
			t.Errorf("%q on terminal %v: JSON %v, want %v: %s", tc.format, tc.terminal, isJSON, tc.wantJSON, out)
		}
		hasDebug, hasInfo := strings.Contains(out, "DEBUG"), strings.Contains(out, "INFO")
		if hasDebug != tc.wantDebug || hasInfo != tc.wantInfo || !strings.Contains(out, "ERROR") {
			t.Errorf("level %q: %s", tc.level, out)
		}
	}
	for _, tc := range []struct{ format, level, bad string }{
		{"yaml", "info", `"yaml"`},
		{"json", "verbose", `"verbose"`},
		{"json", "warning", `"warning"`},
	} {
		_, err := logging.New(&bytes.Buffer{}, tc.format, tc.level, false)
		if err == nil || !strings.Contains(err.Error(), tc.bad) {
			t.Errorf("New(%q, %q): %v, want an error naming %s", tc.format, tc.level, err, tc.bad)
		}
	}
}

func TestMaskPersonsNotIssuable(t *testing.T) {
	// Numbers Skatteverket would never issue are still somebody's
	// mistyped number: masked by shape and check digit, not by validity.
	num := func(d9 string) string { return d9 + string(ident.LuhnDigit(d9)) }
	wrong := func(d9 string) string { return d9 + string('0'+(ident.LuhnDigit(d9)-'0'+1)%10) }
	feb30 := num("510230123")
	for _, tc := range []struct{ in, want string }{
		{"pnr " + feb30, "pnr 51XXXX-XXXX"},                        // 30 February
		{"pnr " + feb30[:6] + "-" + feb30[6:], "pnr 51XXXX-XXXX"},  // with its separator
		{"pnr 19" + num("850101000"), "pnr 85XXXX-XXXX"},           // serial 000
		{"pnr " + num("310060239"), "pnr 31XXXX-XXXX"},             // samordningsnummer, unknown day
		{"org 5560021361", "org 5560021361"},                       // an organisation number stays
		{"ref " + wrong("510230123"), "ref " + wrong("510230123")}, // no check digit: not a person number
	} {
		if got := logging.MaskPersons(tc.in); got != tc.want {
			t.Errorf("MaskPersons(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
