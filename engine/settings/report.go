package settings

import (
	"fmt"
	"strings"

	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/rules"
)

// Report is what `vaksam config check` finds of a configuration file in
// force (the file with the environment's VAKSAM_* overrides).
type Report struct {
	Config   *Config
	Problems Problems   // every problem, sorted
	Rules    *rules.Set // the rule set it loads; nil when it does not or the file was unread
	// FromEnv are the values the environment set, as "path ($VAR)".
	FromEnv []string
	// Stray are the VAKSAM_* variables that are set but no configuration
	// key.
	Stray []string
}

// CheckFile reads the configuration file at path with the process's
// environment and checks everything at once: the file, the values, and
// what they name on this host (files, secrets, the rule pack).
func CheckFile(path string) Report {
	env := Environment()
	c, src, ps := Read(path, env)
	r := Report{Config: c}
	if !src.Unread {
		var hostPs Problems
		hostPs, r.Rules = CheckHost(c, src, env)
		ps = append(ps, WithoutEchoes(ps, append(CheckValues(c, src), hostPs...))...)
	}
	r.Problems = ps.Sorted(path)
	for _, v := range src.FromEnv {
		r.FromEnv = append(r.FromEnv, fmt.Sprintf("%s ($%s)", v.Path, v.Var))
	}
	r.Stray = StrayEnv(c, env)
	return r
}

// Summary is what a valid configuration sets up, one line each: data
// directory, NATS, web, access, signing, sources and rules.
func (r Report) Summary() []string {
	c := r.Config
	lines := []string{fmt.Sprintf("  data:     %s", c.DataDir)}
	switch {
	case c.NATS.URL != "":
		lines = append(lines, fmt.Sprintf("  NATS:     %s", bus.RedactURL(c.NATS.URL)))
	case c.NATS.Listen != "":
		lines = append(lines, fmt.Sprintf("  NATS:     embedded, listening on %s", c.NATS.Listen))
	default:
		lines = append(lines, "  NATS:     embedded, listening on 127.0.0.1:4222")
	}
	scheme, listen := "http", c.HTTP.Listen
	if c.HTTP.TLSCert != "" {
		scheme = "https"
	}
	if listen == "" {
		listen = "127.0.0.1:8080"
	}
	lines = append(lines, fmt.Sprintf("  web:      %s on %s", scheme, listen),
		fmt.Sprintf("  access:   %s, %s", Count(len(c.Users), "user"), Count(len(c.Tokens), "token")),
		fmt.Sprintf("  signing:  %s", c.Signing.Summary()))
	var srcs []string
	if c.Sources.Bolagsverket != nil {
		srcs = append(srcs, "bolagsverket")
	}
	if c.Sources.SCB != nil {
		srcs = append(srcs, "scb")
	}
	if b := c.Sources.BolagsverketBulk; b != nil && b.URL != "" {
		srcs = append(srcs, "bolagsverket_bulk")
	}
	for _, l := range c.Sources.Sanctions.Enabled() {
		srcs = append(srcs, l+" download")
	}
	if c.Sources.Inbox != "" {
		srcs = append(srcs, "inbox "+c.Sources.Inbox)
	}
	if len(srcs) == 0 {
		srcs = []string{"none (no fetching)"}
	}
	lines = append(lines, fmt.Sprintf("  sources:  %s", strings.Join(srcs, ", ")))
	pack := "built-in pack"
	if c.RulePath != "" {
		pack = c.RulePath
	}
	if r.Rules != nil {
		lines = append(lines, fmt.Sprintf("  rules:    %s, %d rules, ruleset %s", pack, len(r.Rules.Rules), r.Rules.Version()))
	}
	return lines
}

// Count writes n things, in the plural unless n is 1 ("1 user", "2 users").
func Count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
