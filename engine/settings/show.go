package settings

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/screening"
	"gopkg.in/yaml.v3"
)

// OtherEnv are the VAKSAM_* variables that are not configuration keys.
var OtherEnv = []string{EnvConfig, "VAKSAM_PSEUDONYM_KEY_FILE", "VAKSAM_NATS_PASSWORD"}

// StrayEnv lists the set VAKSAM_* variables that override no
// configuration key, are not one of otherEnv and are not named by a
// secret: likely misspelt overrides.
func StrayEnv(c *Config, env map[string]string) []string {
	known := map[string]bool{}
	for _, n := range OtherEnv {
		known[n] = true
	}
	for _, k := range envOverrides(env) {
		known[k.Name] = true
	}
	for _, s := range Secrets(c) {
		if s.s.Env != "" {
			known[s.s.Env] = true
		}
	}
	var out []string
	for name, v := range env {
		if strings.HasPrefix(name, EnvPrefix) && v != "" && !known[name] {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// hidden replaces password and token hashes in config show.
const hidden = "(hidden)"

// Show renders a configuration as YAML, the serve, screening, retention and
// review sections with their defaults, hashes hidden, and each value from
// the environment marked with its variable.
func Show(c *Config, src *Source) ([]byte, error) {
	v := *c
	v.NATS.URL = bus.RedactURL(c.NATS.URL) // a URL may carry a password or token
	v.Sources.Sanctions = redactedSanctions(c.Sources.Sanctions)
	v.Serve = c.Serve.WithDefaults()
	v.Review.HearingDays = screening.Days(c.Review.HearingDaysInForce())
	v.Review.SLADays = map[string]screening.Days{}
	for st, n := range c.Review.SLAInForce() {
		v.Review.SLADays[string(st)] = screening.Days(n)
	}
	v.Retention = c.Retention.WithDefaults()
	ec := c.MergedScreening() // Load has validated it
	v.Screening = &ec
	v.Users = make([]access.User, len(c.Users))
	for i, u := range c.Users {
		if u.PasswordHash != "" {
			u.PasswordHash = hidden
		}
		v.Users[i] = u
	}
	v.Tokens = make([]access.Token, len(c.Tokens))
	for i, t := range c.Tokens {
		if t.Hash != "" {
			t.Hash = hidden
		}
		v.Tokens[i] = t
	}
	var root yaml.Node
	if err := root.Encode(&v); err != nil {
		return nil, fmt.Errorf("config show: %w", err)
	}
	for _, e := range src.FromEnv {
		if n := lookupNode(&root, strings.Split(e.Path, ".")); n != nil {
			n.LineComment = "$" + e.Var
		}
	}
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&root); err != nil {
		return nil, fmt.Errorf("config show: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("config show: %w", err)
	}
	return []byte(b.String()), nil
}

// lookupNode finds the value at a key path in a mapping tree.
func lookupNode(n *yaml.Node, path []string) *yaml.Node {
	for _, seg := range path {
		if n.Kind != yaml.MappingNode {
			return nil
		}
		i := valueIndex(n, seg)
		if i < 0 {
			return nil
		}
		n = n.Content[i]
	}
	return n
}
