package review

import (
	"errors"
	"strings"
	"testing"
)

// Every field problem of the desk carries a code, so that a page can
// translate it without reading the English.
func TestFieldErrorCodes(t *testing.T) {
	ok := DecisionRequest{AlertID: "5591234561-1", Kind: Avropsstopp, Ground: GroundLOU133, Justification: "skäl", DecidedBy: "anna",
		Evidence: Evidence{AssessmentAt: day(4), Ruleset: "default@1"}}
	for _, c := range []struct {
		name  string
		edit  func(*DecisionRequest)
		field string
		code  string
	}{
		{"no kind", func(r *DecisionRequest) { r.Kind = "" }, "kind", CodeRequired},
		{"an unknown kind", func(r *DecisionRequest) { r.Kind = "stopp" }, "kind", CodeInvalid},
		{"an unknown ground", func(r *DecisionRequest) { r.Ground = "LOU 99" }, "ground", CodeInvalid},
		{"no justification", func(r *DecisionRequest) { r.Justification = " " }, "justification", CodeRequired},
		{"a clause without its ground", func(r *DecisionRequest) { r.ContractClause = "§ 4" }, "contract_clause", CodeOnlyClauseGround},
		{"another ground's text without it", func(r *DecisionRequest) { r.GroundOther = "x" }, "ground_other", CodeOnlyOtherGround},
		{"a blank contract", func(r *DecisionRequest) { r.Contracts = []string{" "} }, "contracts[0]", CodeBlank},
		{"a contract twice", func(r *DecisionRequest) { r.Contracts = []string{"K1", "K1"} }, "contracts[1]", CodeTwice},
		{"a snooze on a halt", func(r *DecisionRequest) { r.Snooze = true }, "snooze", CodeOnlyIngenAtgard},
		{"a diarienummer too long", func(r *DecisionRequest) { r.Diarienummer = strings.Repeat("9", MaxDiarienummer+1) }, "diarienummer", CodeTooLong},
		{"a diarienummer on two lines", func(r *DecisionRequest) { r.Diarienummer = "KS 2026/1\n2" }, "diarienummer", CodeInvalid},
		{"a diarienummer not UTF-8", func(r *DecisionRequest) { r.Diarienummer = "KS \xff" }, "diarienummer", CodeNotUTF8},
		{"evidence after the decision", func(r *DecisionRequest) { r.Evidence.AssessmentAt = day(9) }, "evidence.assessment_at", CodeAfterDecision},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := ok
			c.edit(&r)
			err := validate(r, day(5))
			var fe *FieldError
			if !errors.As(err, &fe) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("%v: want a field error", err)
			}
			if fe.Field != c.field || fe.Code != c.code {
				t.Errorf("field %q code %q (%s), want %q %q", fe.Field, fe.Code, fe.Problem, c.field, c.code)
			}
		})
	}
	if err := validate(ok, day(5)); err != nil {
		t.Fatalf("a valid request: %v", err)
	}
}

func TestAttachmentCodes(t *testing.T) {
	for _, c := range []struct {
		a    Attachment
		code string
	}{
		{Attachment{Name: "", ContentType: "text/plain", Data: []byte("x")}, CodeFileName},
		{Attachment{Name: "a\x01.txt", ContentType: "text/plain", Data: []byte("x")}, CodeFileName},
		{Attachment{Name: "a.txt", ContentType: "", Data: []byte("x")}, CodeFileType},
		{Attachment{Name: "a.exe", ContentType: "application/x-msdownload", Data: []byte("x")}, CodeFileType},
		{Attachment{Name: "a.txt", ContentType: "text/plain"}, CodeFileEmpty},
		{Attachment{Name: "a.txt", ContentType: "text/plain", Data: make([]byte, MaxAttachment+1)}, CodeFileSize},
		{Attachment{Name: "a.pdf", ContentType: "application/pdf", Data: []byte("not a pdf")}, CodeFileContent},
	} {
		_, p := checkAttachment(&c.a)
		if p == nil || p.code != c.code || p.field != "file" {
			t.Errorf("%q %q: %+v, want code %s", c.a.Name, c.a.ContentType, p, c.code)
		}
	}
	if _, p := checkAttachment(&Attachment{Name: "svar.txt", ContentType: "text/plain", Data: []byte(strings.Repeat("svar ", 3))}); p != nil {
		t.Errorf("a valid file: %+v", p)
	}
}
