package excerpt

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestQuote(t *testing.T) {
	long := strings.Repeat("a", 7<<20)
	tests := []struct {
		name, in, want string
	}{
		{"short", "abc", `"abc"`},
		{"control characters escaped", "a\nb", `"a\nb"`},
		{"exactly Short", strings.Repeat("x", Short), `"` + strings.Repeat("x", Short) + `"`},
		{"one over", strings.Repeat("x", Short+1), `"` + strings.Repeat("x", Short) + `"… (65 bytes)`},
		{"7 MiB", long, `"` + strings.Repeat("a", Short) + `"… (7340032 bytes)`},
		// 'å' is two bytes: 63 a's and then å would end at byte 65.
		{"cut at a character boundary", strings.Repeat("a", Short-1) + "åå", `"` + strings.Repeat("a", Short-1) + `"… (67 bytes)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Quote(tt.in); got != tt.want {
				t.Errorf("Quote = %.100s, want %.100s", got, tt.want)
			}
		})
	}
}

func TestBytes(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 10, "abc"},
		{"abcdef", 3, "abc"},
		{"aåb", 2, "a"},                 // å is bytes 1-2
		{"aåb", 3, "aå"},                // ends right after å
		{"€uro", 2, ""},                 // € is three bytes
		{"\xff\xfe\xfd", 2, "\xff\xfe"}, // invalid UTF-8 is cut where it is
	}
	for _, tt := range tests {
		got := Bytes([]byte(tt.in), tt.n)
		if string(got) != tt.want {
			t.Errorf("Bytes(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
		if Cut(tt.in, tt.n) != tt.want {
			t.Errorf("Cut(%q, %d) = %q, want %q", tt.in, tt.n, Cut(tt.in, tt.n), tt.want)
		}
		if utf8.ValidString(tt.in) && !utf8.Valid(got) {
			t.Errorf("Bytes(%q, %d) = %q: not valid UTF-8", tt.in, tt.n, got)
		}
	}
}

func TestName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"purpose", "purpose"},
		{"dokument[0].id", "dokument[0].id"},
		{"Fskattstatus, kod", `"Fskattstatus, kod"`},
		{"a\nb", `"a\nb"`},
		{strings.Repeat("k", 1000), `"` + strings.Repeat("k", Short) + `"… (1000 bytes)`},
	}
	for _, tt := range tests {
		if got := Name(tt.in); got != tt.want {
			t.Errorf("Name(%.20q) = %.80s, want %.80s", tt.in, got, tt.want)
		}
	}
}
