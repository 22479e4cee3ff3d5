package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/settings"
)

func TestSecrets(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "secret")
	os.WriteFile(p, []byte("s3cret\n"), 0o600)
	t.Setenv("VAKSAM_TEST_SECRET", "from-env")
	tests := []struct {
		s    settings.Secret
		want string
		err  string
	}{
		{settings.Secret{File: p}, "s3cret", ""},
		{settings.Secret{Env: "VAKSAM_TEST_SECRET"}, "from-env", ""},
		{settings.Secret{Env: "VAKSAM_TEST_NOPE"}, "", "VAKSAM_TEST_NOPE is not set"},
		{settings.Secret{File: filepath.Join(dir, "missing")}, "", "no such file"},
		{settings.Secret{File: p, Env: "X"}, "", "not both"},
		{settings.Secret{}, "", "not configured"},
	}
	for _, tc := range tests {
		got, err := tc.s.Value("sources.x.secret")
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
