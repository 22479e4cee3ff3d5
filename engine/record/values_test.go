package record

import (
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/ident"
)

func TestParseDate(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"2016-08-24", "2016-08-24", ""},
		{" 2016-08-24 ", "2016-08-24", ""},
		{"2023-05-05T00:00:00.000+00:00", "2023-05-05", ""},
		{"20190405", "2019-04-05", ""},
		{"", "", "empty"},
		{"2026-13-01", "", "month out of range"},
		{"5 maj 2023", "", "want YYYY-MM-DD"},
	}
	for _, tc := range tests {
		got, err := ParseDate(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseDate(%q): %v, want error %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got.Format(time.DateOnly) != tc.want || got.Location() != time.UTC {
			t.Errorf("ParseDate(%q) = %v, %v; want %s UTC", tc.in, got, err, tc.want)
		}
	}
}

func TestParseInstantIsEndOfSwedishDay(t *testing.T) {
	got, err := ParseInstant("2026-11-20")
	if err != nil {
		t.Fatal(err)
	}
	if want := "2026-11-20T23:59:59.999999999+01:00"; got.In(Stockholm).Format(time.RFC3339Nano) != want {
		t.Errorf("got %s, want %s", got.In(Stockholm).Format(time.RFC3339Nano), want)
	}
	summer, _ := ParseInstant("2026-07-01")
	if summer.UTC().Hour() != 21 {
		t.Errorf("summer day ends at %s UTC, want 21:59", summer.UTC())
	}
	if _, err := ParseInstant("2026-11-20T10:00:00Z"); err != nil {
		t.Error(err)
	}
	if _, err := ParseInstant("igår"); err == nil {
		t.Error("no error for a non-time")
	}
}

func TestNormalizeAddress(t *testing.T) {
	same := [][2]string{{"Storgatan 12", "90326"}, {"STORGATAN  12,", "903 26"}, {"storgatan 12", "903-26"}}
	want := "STORGATAN 12|90326"
	for _, a := range same {
		if got := NormalizeAddress(a[0], a[1]); got != want {
			t.Errorf("NormalizeAddress(%q, %q) = %q, want %q", a[0], a[1], got, want)
		}
	}
	if got := NormalizeOneLineAddress("Storgatan 12, 90326 Umeå"); got != want {
		t.Errorf("one line: %q", got)
	}
	if NormalizeAddress("Storgatan 12", "90326") == NormalizeAddress("Storgatan 12", "90327") {
		t.Error("different postal codes normalise alike")
	}
	if NormalizeAddress("", "90326") != "" {
		t.Error("an empty street normalises to a key")
	}
	street, pc, city := SplitAddress("Västra Industrivägen 184B, 226 38 Lund")
	if street != "Västra Industrivägen 184B" || pc != "22638" || city != "Lund" {
		t.Errorf("SplitAddress: %q %q %q", street, pc, city)
	}
}

func TestIsBoxOrCO(t *testing.T) {
	for s, want := range map[string]bool{"Box 4": true, "c/o Redovisning AB": true, "Postbox 12": true, "Storgatan 12": false, "Boxholmsgatan 3": false} {
		if got := IsBoxOrCO(s); got != want {
			t.Errorf("IsBoxOrCO(%q) = %v", s, got)
		}
	}
}

func TestPseudonym(t *testing.T) {
	if _, err := NewHMACPseudonymizer([]byte("short")); err == nil {
		t.Error("a 5-byte secret was accepted")
	}
	a, _ := NewHMACPseudonymizer([]byte("deployment secret one"))
	b, _ := NewHMACPseudonymizer([]byte("deployment secret two"))
	p, err := ident.ParsePerson("19690726-4458")
	if err != nil {
		t.Fatal(err)
	}
	if first, again := a.Pseudonym(p), a.Pseudonym(p); first != again || first == b.Pseudonym(p) {
		t.Error("pseudonyms are not stable per key or not different across keys")
	}
	ref := Person(a, p, " Ali Noor ")
	if strings.Contains(ref.ID, "4458") || ref.Name != "Ali Noor" || ref.BirthYear != 1969 || ref.Coordination {
		t.Errorf("PersonRef %+v", ref)
	}
	co, _ := ident.ParsePerson("196907664459")
	if !Person(a, co, "").Coordination {
		t.Error("samordningsnummer not recognised")
	}
}
