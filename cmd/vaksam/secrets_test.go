package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecrets(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "secret")
	os.WriteFile(p, []byte("s3cret\n"), 0o600)
	t.Setenv("VAKSAM_TEST_SECRET", "from-env")
	tests := []struct {
		s    secret
		want string
		err  string
	}{
		{secret{File: p}, "s3cret", ""},
		{secret{Env: "VAKSAM_TEST_SECRET"}, "from-env", ""},
		{secret{Env: "VAKSAM_TEST_NOPE"}, "", "VAKSAM_TEST_NOPE is not set"},
		{secret{File: filepath.Join(dir, "missing")}, "", "no such file"},
		{secret{File: p, Env: "X"}, "", "not both"},
		{secret{}, "", "not configured"},
	}
	for _, tc := range tests {
		got, err := tc.s.value("sources.x.secret")
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "sources.x.secret") {
				t.Errorf("%v: %v, want error %q naming the field", tc.s, err, tc.err)
			}
			continue
		}
		if got != tc.want || err != nil {
			t.Errorf("%v: %q %v", tc.s, got, err)
		}
		if strings.Contains(tc.s.String(), tc.want) {
			t.Errorf("String() shows the value: %s", tc.s)
		}
	}
}
