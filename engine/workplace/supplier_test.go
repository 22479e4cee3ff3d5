package workplace

import (
	"errors"
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/screening"
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
