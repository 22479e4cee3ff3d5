package settings

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// Secret is a credential given in configuration by reference, never by
// value: a file (as container secrets are mounted) or an environment
// variable. Its String never shows the value, so it is safe to log.
type Secret struct {
	File string `yaml:"file"`
	Env  string `yaml:"env"`
}

func (s Secret) String() string {
	switch {
	case s.File != "":
		return "file " + s.File
	case s.Env != "":
		return "$" + s.Env
	}
	return "unset"
}

// IsSet reports whether the secret names a source.
func (s Secret) IsSet() bool { return s.File != "" || s.Env != "" }

// Value reads the secret; field names it in errors.
func (s Secret) Value(field string) (string, error) {
	switch {
	case s.File != "" && s.Env != "":
		return "", fmt.Errorf("%s: give file or env, not both", field)
	case s.File != "":
		b, err := os.ReadFile(s.File)
		if err != nil {
			return "", fmt.Errorf("%s: %w", field, err)
		}
		v := strings.TrimSpace(string(b))
		if v == "" {
			return "", fmt.Errorf("%s: file %s is empty", field, s.File)
		}
		return v, nil
	case s.Env != "":
		v, ok := os.LookupEnv(s.Env)
		if !ok || strings.TrimSpace(v) == "" {
			return "", fmt.Errorf("%s: environment variable %s is not set", field, s.Env)
		}
		return strings.TrimSpace(v), nil
	}
	return "", errors.New(field + ": not configured (give file or env)")
}
