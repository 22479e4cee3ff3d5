package access

import (
	"strings"
	"testing"
)

// A password read from a line is set through the policy, and its hash
// verifies.
func TestReadAndHashNewPassword(t *testing.T) {
	tests := []struct {
		name, in, err string
	}{
		{"a line", "correct horse battery\n", ""},
		{"CRLF and no more lines read", "correct horse battery\r\nsecond line\n", ""},
		{"no newline", "correct horse battery", ""},
		{"too short", "short\n", "fewer than 12 characters"},
		{"empty", "", "no password on standard input"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pw, err := ReadPasswordLine(strings.NewReader(tc.in))
			var hash string
			if err == nil {
				hash, err = HashNewPassword(pw)
			}
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := CheckPassword(hash, "correct horse battery"); !ok || err != nil {
				t.Errorf("hash %q does not verify: %v", hash, err)
			}
		})
	}
}
