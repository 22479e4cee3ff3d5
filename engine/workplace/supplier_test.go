package workplace

import (
	"errors"
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
)

func TestSupplier(t *testing.T) {
	w := desk(t)
	if _, err := w.Supplier("5566778899", day(6), nil); !errors.Is(err, ErrUnknown) {
		t.Fatalf("an organisation nothing is known of: %v, want ErrUnknown", err)
	}
	var seen int
	sv, err := w.Supplier("5560000004", day(6), func(*screening.Assessment) { seen++ })
	if err != nil {
		t.Fatal(err)
	}
	if sv.Name != "Delta Hemtjänst AB" || sv.Latest == nil || sv.Check != nil || seen != 1 {
		t.Errorf("name %q, latest %v, check %v, seen %d; want the assessment's name, one follow-up, no check", sv.Name, sv.Latest != nil, sv.Check != nil, seen)
	}
	if len(sv.Alerts) != 1 || sv.Alerts[0].ID != "5560000004-1" || sv.Halt != nil {
		t.Errorf("alerts %v, halt %v; want the closed alert and no halt", sv.Alerts, sv.Halt)
	}
	if len(sv.History) != 1 || sv.History[0].Step != "L2" || sv.History[0].Assessments != 1 {
		t.Errorf("history %+v; want one run at L2", sv.History)
	}
}

func TestRecordFilter(t *testing.T) {
	for _, c := range []struct {
		f     RecordFilter
		field string
	}{
		{RecordFilter{}, ""},
		{RecordFilter{Source: "kronofogden"}, ""},
		{RecordFilter{Source: "kronofogden", Key: "x", KeyGiven: true}, ""},
		{RecordFilter{Source: "nosuch"}, "source"},
		{RecordFilter{Key: "x", KeyGiven: true}, "key"},
		{RecordFilter{Source: "kronofogden", Key: strings.Repeat("k", 513), KeyGiven: true}, "key"},
		{RecordFilter{Source: "kronofogden", Key: "\xff", KeyGiven: true}, "key"},
	} {
		fe := c.f.Check()
		switch {
		case c.field == "" && fe != nil:
			t.Errorf("%+v: %v, want none", c.f, fe)
		case c.field != "" && (fe == nil || fe.Field != c.field):
			t.Errorf("%+v: %v, want a problem with %s", c.f, fe, c.field)
		}
	}
}

// TestRawVersion: a version's bytes are shown as JSON, as text, or in
// base64, decided once for the API and the UI.
func TestRawVersion(t *testing.T) {
	for _, c := range []struct {
		raw  string
		form RawForm
		text string
	}{
		{`{"a":1}`, RawJSON, `{"a":1}`},
		{"5560000001;Alfa AB", RawText, "5560000001;Alfa AB"},
		{"", RawText, ""},
		{"\xff\x00", RawBase64, "/wA="},
	} {
		v := rawVersion(store.Version{N: 1, Hash: [16]byte{0xab}, Raw: []byte(c.raw)})
		if v.Form != c.form || v.Text != c.text || v.Digest != "ab000000000000000000000000000000" {
			t.Errorf("%q: form %d, text %q, digest %s; want %d, %q", c.raw, v.Form, v.Text, v.Digest, c.form, c.text)
		}
	}
}
