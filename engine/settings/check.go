package settings

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/vaksam/vaksam/connectors/formats"
	"github.com/vaksam/vaksam/connectors/scb"
	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/excerpt"
	"github.com/vaksam/vaksam/engine/logging"
	"github.com/vaksam/vaksam/rules"
)

// CheckValues finds the problems of a decoded configuration's values that
// do not depend on the machine: log level and format, addresses and URLs,
// a certificate without its key, a secret given twice, negative day
// counts, serve's screen scope, the screening thresholds, the hearing's
// minimum, users and tokens. Every command refuses a configuration with
// such a problem (Load).
func CheckValues(c *Config, src *Source) Problems {
	var ps Problems
	add := func(path, format string, a ...any) { ps = append(ps, src.at(path, format, a...)) }

	if _, err := logging.ParseLevel(c.Log.Level); err != nil {
		add("log.level", "want debug, info, warn or error, got %s", excerpt.Quote(c.Log.Level))
	}
	if _, err := logging.ParseFormat(c.Log.Format); err != nil {
		add("log.format", "want auto, json or text, got %s", excerpt.Quote(c.Log.Format))
	}

	if err := checkListen(c.HTTP.Listen); err != nil {
		add("http.listen", "%v", err)
	}
	pair(add, "http", "tls_cert", c.HTTP.TLSCert, "tls_key", c.HTTP.TLSKey)
	for i, p := range c.HTTP.TrustedProxies {
		if _, err := access.NewProxies([]string{p}, ""); err != nil {
			add(fmt.Sprintf("http.trusted_proxies[%d]", i), "want an address or a network such as 10.0.0.0/8, got %q", p)
		}
	}
	if _, err := access.NewProxies(nil, c.HTTP.ForwardedHeader); err != nil {
		add("http.forwarded_header", "want %s or %s, got %q", access.HeaderXForwardedFor, access.HeaderForwarded, c.HTTP.ForwardedHeader)
	}
	for i, o := range c.HTTP.TrustedOrigins {
		if err := http.NewCrossOriginProtection().AddTrustedOrigin(o); err != nil {
			add(fmt.Sprintf("http.trusted_origins[%d]", i), "want an origin such as https://vaksam.example.se (scheme and host, no path), got %s", excerpt.Quote(o))
		}
	}

	if err := checkListen(c.NATS.Listen); err != nil {
		add("nats.listen", "%v", err)
	}
	if c.NATS.URL != "" {
		for u := range strings.SplitSeq(c.NATS.URL, ",") {
			if err := checkNATSURL(strings.TrimSpace(u)); err != nil {
				add("nats.url", "%v", err)
			}
		}
	}
	pair(add, "nats", "cert_file", c.NATS.CertFile, "key_file", c.NATS.KeyFile)
	oneWay(add, "nats.password", c.NATS.Password)
	oneWay(add, "nats.token", c.NATS.Token)
	checkTrustedKeys(c.Signing, add)
	checkNATSAuth(c.NATS, add)

	if sc := c.Serve.ScreenScope; sc != "" && sc != ScopeWatched && sc != ScopeAll {
		add("serve.screen_scope", "want %s or %s, got %s", ScopeWatched, ScopeAll, excerpt.Quote(sc))
	}

	s := c.Sources
	checkLimits(add, s.Limits)
	if b := s.Bolagsverket; b != nil {
		for _, u := range []struct{ key, val string }{{"base_url", b.BaseURL}, {"token_url", b.TokenURL}} {
			if u.val == "" {
				add("sources.bolagsverket."+u.key, "missing: Bolagsverket's API needs base_url and token_url")
			} else if err := checkHTTPURL(u.val); err != nil {
				add("sources.bolagsverket."+u.key, "%v", err)
			}
		}
		for _, sec := range []struct {
			key string
			s   Secret
		}{{"client_id", b.ClientID}, {"client_secret", b.ClientSecret}} {
			if !sec.s.IsSet() {
				add("sources.bolagsverket."+sec.key, "missing: give {file: PATH} or {env: VARIABLE}")
			}
			oneWay(add, "sources.bolagsverket."+sec.key, sec.s)
		}
	}
	if sc := s.SCB; sc != nil {
		if sc.BaseURL != "" {
			if err := checkHTTPURL(sc.BaseURL); err != nil {
				add("sources.scb.base_url", "%v", err)
			}
		}
		pem := sc.CertFile != "" || sc.KeyFile != ""
		switch {
		case pem && sc.PKCS12File != "":
			add("sources.scb.pkcs12_file", "give cert_file and key_file (PEM) or pkcs12_file, not both")
		case pem:
			pair(add, "sources.scb", "cert_file", sc.CertFile, "key_file", sc.KeyFile)
		case sc.PKCS12File == "":
			add("sources.scb", "no client certificate: SCB's API needs cert_file and key_file, or pkcs12_file")
		}
		if sc.PKCS12Password.IsSet() && sc.PKCS12File == "" {
			add("sources.scb.pkcs12_password", "given without pkcs12_file")
		}
		oneWay(add, "sources.scb.pkcs12_password", sc.PKCS12Password)
		if sc.BatchSize < 0 || sc.BatchSize > scb.MaxBatch {
			add("sources.scb.batch_size", "want 1 to %d organisations a call (0 or unset: the default, %d), got %d", scb.MaxBatch, scb.DefaultBatchSize, sc.BatchSize)
		}
	}
	if b := s.BolagsverketBulk; b != nil && b.URL != "" {
		if err := checkHTTPURL(b.URL); err != nil {
			add("sources.bolagsverket_bulk.url", "%v", err)
		}
	}
	checkSanctions(s.Sanctions, add)
	if s.PreAwardDays < 0 {
		add("sources.pre_award_days", "must not be negative, got %d", s.PreAwardDays)
	}
	if s.DocumentDays < 0 {
		add("sources.document_days", "must not be negative, got %d", s.DocumentDays)
	}

	for _, err := range c.MergedScreening().Validate() {
		// Validate names the key first: "freshness.ivo: 0 days, ...".
		key, msg, ok := strings.Cut(err.Error(), ": ")
		if !ok {
			key, msg = "", err.Error()
		}
		ps = append(ps, src.at(joinPath("screening", key), "%s", msg))
	}

	ps = append(ps, checkReview(c, src)...)
	ps = append(ps, checkMunicipality(c, src)...)
	ps = append(ps, checkRetention(c, src)...)
	ps = append(ps, checkAccess(c, src)...)
	ps = append(ps, checkOIDC(c, src)...)
	ps = append(ps, checkFooter(c, src)...)
	return ps
}

// WithoutEchoes drops the problems found after decoding at a key whose
// value, or an ancestor's, could not be decoded: they only repeat it.
func WithoutEchoes(decoded, checked Problems) Problems {
	var out Problems
	for _, c := range checked {
		echo := slices.ContainsFunc(decoded, func(d Problem) bool {
			return within(c.Path, d.Path) || within(c.about, d.Path)
		})
		if !echo {
			out = append(out, c)
		}
	}
	return out
}

// within reports whether the key path is key or below it; an empty path
// or key is within nothing.
func within(path, key string) bool {
	return path != "" && key != "" &&
		(path == key || strings.HasPrefix(path, key+".") || strings.HasPrefix(path, key+"["))
}

// checkAccess checks users and tokens with access.NewDirectory, placing
// each problem at its entry: the problems an entry adds to those of the
// entries before it are its own.
func checkAccess(c *Config, src *Source) Problems {
	var ps Problems
	before := map[string]bool{}
	report := func(path string, users []access.User, tokens []access.Token) {
		_, err := access.NewDirectory(users, tokens)
		now := map[string]bool{}
		for _, e := range splitErrors(err) {
			msg := strings.TrimPrefix(e.Error(), "access: ")
			now[msg] = true
			if before[msg] {
				continue
			}
			p := src.at(path, "%s", msg)
			// "user \"bo\": roles: …" is about users[i].roles.
			if _, rest, ok := strings.Cut(msg, ": "); ok {
				if field, _, ok := strings.Cut(rest, ": "); ok {
					p.about = path + "." + field
				}
			}
			ps = append(ps, p)
		}
		before = now
	}
	for i := range c.Users {
		report(fmt.Sprintf("users[%d]", i), c.Users[:i+1], nil)
	}
	for i := range c.Tokens {
		report(fmt.Sprintf("tokens[%d]", i), c.Users, c.Tokens[:i+1])
	}
	return ps
}

// splitErrors returns the errors joined in err.
func splitErrors(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, splitErrors(e)...)
		}
		return out
	}
	return []error{err}
}

// CheckHost finds the problems that depend on the machine the
// configuration runs on: the data directory, every file it names,
// secrets' files and environment variables, and the rule pack. Only
// `vaksam config check` looks for them; commands find them when they use
// what is missing.
func CheckHost(c *Config, src *Source, env map[string]string) (Problems, *rules.Set) {
	var ps Problems
	add := func(path, format string, a ...any) { ps = append(ps, src.at(path, format, a...)) }

	if c.DataDir == "" {
		add("data_dir", "not set: give data_dir (or $VAKSAM_DATA_DIR, or --data)")
	} else if err := checkDirectory(c.DataDir); err != nil {
		add("data_dir", "%v", err)
	}
	if c.Sources.Inbox != "" {
		if err := checkDirectory(c.Sources.Inbox); err != nil {
			add("sources.inbox", "%v", err)
		}
	}
	files := []fileRef{
		{"http.tls_cert", c.HTTP.TLSCert}, {"http.tls_key", c.HTTP.TLSKey},
		{"nats.creds_file", c.NATS.CredsFile}, {"nats.nkey_file", c.NATS.NKeyFile},
		{"nats.ca_file", c.NATS.CAFile}, {"nats.cert_file", c.NATS.CertFile}, {"nats.key_file", c.NATS.KeyFile},
	}
	if sc := c.Sources.SCB; sc != nil {
		files = append(files, fileRef{"sources.scb.cert_file", sc.CertFile}, fileRef{"sources.scb.key_file", sc.KeyFile},
			fileRef{"sources.scb.pkcs12_file", sc.PKCS12File}, fileRef{"sources.scb.ca_file", sc.CAFile})
	}
	checkSigningKey(c.Signing, add)
	for _, f := range files {
		if f.file != "" {
			if err := checkFile(f.file); err != nil {
				add(f.path, "%v", err)
			}
		}
	}
	for _, s := range Secrets(c) {
		if s.s.File != "" {
			if err := checkFile(s.s.File); err != nil {
				add(s.path+".file", "%v", err)
			} else if b, err := os.ReadFile(s.s.File); err == nil && strings.TrimSpace(string(b)) == "" {
				add(s.path+".file", "%s is empty", s.s.File)
			}
		}
		if s.s.Env != "" && strings.TrimSpace(env[s.s.Env]) == "" {
			add(s.path+".env", "environment variable %s is not set", s.s.Env)
		}
	}

	if c.RulePath != "" {
		if _, err := os.Stat(c.RulePath); err != nil {
			add("rule_path", "%s", fileError(c.RulePath, err))
			return ps, nil
		}
	}
	set, err := c.RuleSet("")
	if err != nil {
		ps = append(ps, ruleProblems(err, c, src)...)
	}
	if _, err := c.ShadowSet(); err != nil {
		add("rules.shadow", "%v", err)
	}
	return ps, set
}

// Secrets lists the secrets a configuration names, with their keys.
func Secrets(c *Config) []secretRef {
	secrets := []secretRef{{"nats.password", c.NATS.Password}, {"nats.token", c.NATS.Token}}
	if b := c.Sources.Bolagsverket; b != nil {
		secrets = append(secrets, secretRef{"sources.bolagsverket.client_id", b.ClientID},
			secretRef{"sources.bolagsverket.client_secret", b.ClientSecret})
	}
	if sc := c.Sources.SCB; sc != nil {
		secrets = append(secrets, secretRef{"sources.scb.pkcs12_password", sc.PKCS12Password})
	}
	return append(secrets, sanctionsSecrets(c.Sources.Sanctions)...)
}

// fileRef is a file a configuration key names.
type fileRef struct{ path, file string }

// secretRef is a secret a configuration key names.
type secretRef struct {
	path string
	s    Secret
}

// ruleProblems reports a rule pack's errors as they are (file:line:col),
// and those of the configuration's overrides at their keys.
func ruleProblems(err error, c *Config, src *Source) Problems {
	var re rules.Errors
	if !errors.As(err, &re) {
		path := "rule_path"
		if c.RulePath == "" {
			path = "rules"
		}
		return Problems{src.at(path, "%v", err)}
	}
	var ps Problems
	for _, e := range re {
		if e.File == "configuration" {
			key, msg, _ := strings.Cut(e.Msg, ": ")
			ps = append(ps, src.at(joinPath("rules", key), "%s", msg))
			continue
		}
		ps = append(ps, Problem{File: e.File, Line: e.Line, Column: e.Column, Msg: e.Msg})
	}
	return ps
}

// pair reports a certificate given without its key, or a key without its
// certificate.
func pair(add func(path, format string, a ...any), section, certKey, cert, keyKey, key string) {
	switch {
	case cert != "" && key == "":
		add(joinPath(section, certKey), "given without %s", keyKey)
	case key != "" && cert == "":
		add(joinPath(section, keyKey), "given without %s", certKey)
	}
}

// oneWay reports a secret given both as a file and an environment variable.
func oneWay(add func(path, format string, a ...any), path string, s Secret) {
	if s.File != "" && s.Env != "" {
		add(path, "give file or env, not both")
	}
}

// checkListen checks a listen address: host:port with a numeric port; the
// host may be empty (every interface). Empty is the default.
func checkListen(addr string) error {
	if addr == "" {
		return nil
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("want host:port such as 127.0.0.1:8080, got %s", excerpt.Quote(addr))
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port %s: want a number from 0 to 65535", excerpt.Quote(port))
	}
	return nil
}

// checkNATSURL checks one NATS server URL: nats://, tls://, ws:// or
// wss:// with a host, or host:port.
func checkNATSURL(s string) error {
	if !strings.Contains(s, "://") {
		if err := checkListen(s); err != nil || strings.HasPrefix(s, ":") {
			return fmt.Errorf("want a URL such as nats://nats.example.se:4222, got %s", excerpt.Quote(bus.RedactURL(s)))
		}
		return nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("want a URL such as nats://nats.example.se:4222, got %s", excerpt.Quote(bus.RedactURL(s)))
	}
	switch u.Scheme {
	case "nats", "tls", "ws", "wss":
	default:
		return fmt.Errorf("%s: scheme %s, want nats, tls, ws or wss", excerpt.Quote(bus.RedactURL(s)), excerpt.Quote(u.Scheme))
	}
	if u.Hostname() == "" {
		return fmt.Errorf("%s: no host", excerpt.Quote(bus.RedactURL(s)))
	}
	return nil
}

// checkHTTPURL checks an http or https URL with a host.
func checkHTTPURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("want an http(s) URL such as https://api.example.se/, got %s", excerpt.Quote(bus.RedactURL(s)))
	}
	return nil
}

// checkFile checks that a named file exists, is a regular file and can be
// read.
func checkFile(name string) error {
	info, err := os.Stat(name)
	if err != nil {
		return errors.New(fileError(name, err))
	}
	if info.IsDir() {
		return fmt.Errorf("%s is a directory, want a file", name)
	}
	f, err := os.Open(name)
	if err != nil {
		return errors.New(fileError(name, err))
	}
	f.Close()
	return nil
}

// checkDirectory checks that a directory exists or can be made: the
// nearest existing ancestor is a directory.
func checkDirectory(dir string) error {
	info, err := os.Stat(dir)
	switch {
	case err == nil && !info.IsDir():
		return fmt.Errorf("%s is a file, want a directory", dir)
	case err == nil:
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return errors.New(fileError(dir, err))
	}
	for p := filepath.Dir(filepath.Clean(dir)); ; p = filepath.Dir(p) {
		info, err := os.Stat(p)
		if err == nil {
			if !info.IsDir() {
				return fmt.Errorf("%s cannot be made: %s is a file", dir, p)
			}
			return nil
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

// fileError says why a file cannot be used, naming it.
func fileError(name string, err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("%s does not exist", name)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Sprintf("%s cannot be read (permission denied)", name)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Sprintf("%s: %v", name, pe.Err)
	}
	return err.Error()
}

// checkLimits checks sources.limits: known sources, no negative bound.
func checkLimits(add func(path, format string, a ...any), limits map[string]ImportLimits) {
	for _, src := range slices.Sorted(maps.Keys(limits)) {
		l := limits[src]
		if _, err := formats.Lookup(src); err != nil {
			add("sources.limits."+excerpt.Name(src), "unknown source (known: %s)", strings.Join(formats.Names(), ", "))
			continue
		}
		path := "sources.limits." + src
		if l.RecordBytes < 0 {
			add(path+".record_bytes", "must not be negative (0 keeps the default), got %d", l.RecordBytes)
		}
		if l.FieldBytes < 0 {
			add(path+".field_bytes", "must not be negative (0 keeps the default), got %d", l.FieldBytes)
		}
	}
}
