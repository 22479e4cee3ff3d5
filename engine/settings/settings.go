package settings

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/vaksam/vaksam/connectors/formats"
	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/sign"
	"github.com/vaksam/vaksam/rules"
	defaultpack "github.com/vaksam/vaksam/rules/default"
)

// Config is the configuration file (docs/vaksam.example.yaml describes
// every key). Every key is optional; absent ones keep the defaults. Every
// scalar key can be overridden by the environment variable VAKSAM_<PATH>,
// the yaml keys upper-cased and joined by '_' (config.go).
type Config struct {
	// DataDir holds the store, the embedded NATS server's files and the
	// pseudonym key; --data overrides it.
	DataDir   string            `yaml:"data_dir"`
	Log       Log               `yaml:"log"`
	Serve     Serve             `yaml:"serve"`
	Rules     rules.Overrides   `yaml:"rules"`
	Screening *screening.Config `yaml:"screening"`
	RulePath  string            `yaml:"rule_path"` // a pack file or directory instead of the built-in pack
	Sources   Sources           `yaml:"sources"`
	NATS      NATS              `yaml:"nats"`
	Signing   Signing           `yaml:"signing"`
	HTTP      HTTP              `yaml:"http"`
	Review    Review            `yaml:"review"`
	// Municipality names who the service works for on printed pages.
	Municipality Municipality `yaml:"municipality"`
	Retention    Retention    `yaml:"retention"`
	OIDC         *OIDC        `yaml:"oidc"` // single sign-on; nil: none
	// Footer: the web UI's contact and accessibility statement.
	Footer Footer `yaml:"footer"`
	// Users sign in to the web UI and the API; tokens are for machines.
	Users  []access.User  `yaml:"users"`
	Tokens []access.Token `yaml:"tokens"`
}

// Log is the configuration file's log section.
type Log struct {
	Level  string `yaml:"level"`  // debug, info (default), warn, error
	Format string `yaml:"format"` // auto (default: JSON unless stderr is a terminal), json, text
}

// Serve holds the schedules and limits of vaksam serve; its flags
// override them.
type Serve struct {
	ScreenEvery     time.Duration `yaml:"screen_every"`     // whole-store screening (default 6h; 0 keeps the default)
	CheckTimeout    time.Duration `yaml:"check_timeout"`    // default time a pre-award check may take (2s)
	StatusEvery     time.Duration `yaml:"status_every"`     // source freshness for metrics and readiness (1m)
	GCEvery         time.Duration `yaml:"gc_every"`         // Badger value-log garbage collection (10m)
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"` // longest graceful stop before giving up (30s)
	// ScreenScope is what the schedule screens: ScopeWatched, ScopeAll,
	// or unset: the watched organisations when there are any (Scope).
	ScreenScope string `yaml:"screen_scope,omitempty"`
}

// What serve's schedule screens (serve.screen_scope).
const (
	// ScopeWatched: the watched organisations (screening.Watched: the
	// municipality's suppliers and those screened before award lately);
	// the rest of the store is the network they are screened against.
	ScopeWatched = "watched"
	// ScopeAll: every organisation of the store.
	ScopeAll = "all"
)

// Scope returns what the schedule screens given whether any organisation
// is watched: the configured scope, or, unset, ScopeWatched when some
// organisation is watched and ScopeAll when none is (a store without the
// municipality's own registers yet).
func (s Serve) Scope(anyWatched bool) string {
	if s.ScreenScope != "" {
		return s.ScreenScope
	}
	if anyWatched {
		return ScopeWatched
	}
	return ScopeAll
}

// EnvNATSPassword is the environment variable of serve's NATS password
// when the configuration names none.
const EnvNATSPassword = "VAKSAM_NATS_PASSWORD"

// Flags returns every and timeout, the values of serve's --screen-every
// and --check-timeout, with the serve section's over those no flag gave
// (given names the flags given).
func (s Serve) Flags(given map[string]bool, every, timeout time.Duration) (time.Duration, time.Duration) {
	if !given["screen-every"] && s.ScreenEvery != 0 {
		every = s.ScreenEvery
	}
	if !given["check-timeout"] && s.CheckTimeout != 0 {
		timeout = s.CheckTimeout
	}
	return every, timeout
}

// Defaults of the serve section; zero in the configuration keeps them.
const (
	DefaultScreenEvery     = 6 * time.Hour
	DefaultCheckTimeout    = 2 * time.Second
	DefaultStatusEvery     = time.Minute
	DefaultGCEvery         = 10 * time.Minute
	DefaultShutdownTimeout = 30 * time.Second
)

// WithDefaults returns s with the defaults in place of zero values.
func (s Serve) WithDefaults() Serve {
	for _, d := range []struct {
		v   *time.Duration
		def time.Duration
	}{{&s.ScreenEvery, DefaultScreenEvery}, {&s.CheckTimeout, DefaultCheckTimeout}, {&s.StatusEvery, DefaultStatusEvery},
		{&s.GCEvery, DefaultGCEvery}, {&s.ShutdownTimeout, DefaultShutdownTimeout}} {
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	return s
}

// Load reads the configuration file at path, or the one
// $VAKSAM_CONFIG names when path is empty (neither: every key takes its
// default), with the environment's VAKSAM_* overrides over it. It refuses
// a configuration with an unknown key, a wrong type or a bad value,
// listing every problem with its line as `vaksam config check` does; the
// problems that depend on the machine (missing files, unset variables)
// only that command looks for.
func Load(path string) (*Config, error) {
	c, _, err := LoadSource(path)
	return c, err
}

// LoadSource is Load, also returning where each value came
// from.
func LoadSource(path string) (*Config, *Source, error) {
	c, src, ps := Read(Path(path), Environment())
	if !src.Unread {
		ps = append(ps, WithoutEchoes(ps, CheckValues(c, src))...)
	}
	if len(ps) > 0 {
		return nil, nil, ps.Sorted(src.file)
	}
	return c, src, nil
}

// DataDirOr returns the data directory of a command: its --data flag, or
// else the configuration's data_dir ($VAKSAM_DATA_DIR over the file's).
func (c *Config) DataDirOr(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	return c.DataDir
}

// ResolveDataDir is dataDir for a command that has not read the
// configuration: with the flag empty, it reads the configuration cfgPath
// (or $VAKSAM_CONFIG) names.
func ResolveDataDir(flagValue, cfgPath string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	c, err := Load(cfgPath)
	if err != nil {
		return "", err
	}
	return c.DataDir, nil
}

// EngineConfig is mergedScreening, validated.
func (c *Config) EngineConfig() (screening.Config, error) {
	ec := c.MergedScreening()
	if errs := ec.Validate(); len(errs) > 0 {
		return ec, fmt.Errorf("config: screening: %w", errors.Join(errs...))
	}
	return ec, nil
}

// MergedScreening merges the file's screening section over the defaults,
// key by key: a file that names one freshness window or one weight changes
// that one and keeps the others.
func (c *Config) MergedScreening() screening.Config {
	ec := screening.DefaultConfig()
	if f := c.Screening; f != nil {
		for src, d := range f.Freshness {
			ec.Freshness[src] = d
		}
		for src, d := range f.Windows {
			ec.Windows[src] = d
		}
		for src, cats := range f.ConditionalSources {
			ec.ConditionalSources[src] = cats
		}
		if f.PersonalExempt != nil {
			ec.PersonalExempt = f.PersonalExempt
		}
		for sev, w := range f.Scoring.Weights {
			ec.Scoring.Weights[sev] = w
		}
		if f.Scoring.CategoryCap != 0 {
			ec.Scoring.CategoryCap = f.Scoring.CategoryCap
		}
		if f.Scoring.MaxScore != 0 {
			ec.Scoring.MaxScore = f.Scoring.MaxScore
		}
		if f.Scoring.L2Score != 0 {
			ec.Scoring.L2Score = f.Scoring.L2Score
		}
		if f.Profile.SpendWindowMonths != 0 {
			ec.Profile = f.Profile
		}
	}
	return ec
}

func (c *Config) RuleSet(path string) (*rules.Set, error) {
	if path == "" {
		path = c.RulePath
	}
	if path == "" {
		return defaultpack.Load(c.Rules)
	}
	return rules.LoadPath(path, c.Rules)
}

// ShadowSet returns the candidate pack rules.shadow names, compiled with
// the same overrides as the live pack, or nil when it names none.
func (c *Config) ShadowSet() (*rules.Set, error) {
	if c.Rules.Shadow == "" {
		return nil, nil
	}
	set, err := rules.LoadPath(c.Rules.Shadow, c.Rules)
	if err != nil {
		return nil, fmt.Errorf("rules.shadow: %w", err)
	}
	return set, nil
}

// ScreeningRules returns the thresholds and the rule set the configuration
// names (rulePath, when given, instead of its rule_path).
func (c *Config) ScreeningRules(rulePath string) (screening.Config, *rules.Set, error) {
	ec, err := c.EngineConfig()
	if err != nil {
		return ec, nil, err
	}
	set, err := c.RuleSet(rulePath)
	return ec, set, err
}

// Sources is the configuration file's sources section: where each
// authority is and how to authenticate, credentials by reference only.
type Sources struct {
	Bolagsverket *struct {
		BaseURL      string `yaml:"base_url"`
		TokenURL     string `yaml:"token_url"`
		ClientID     Secret `yaml:"client_id"`
		ClientSecret Secret `yaml:"client_secret"`
	} `yaml:"bolagsverket"`
	SCB *struct {
		BaseURL        string `yaml:"base_url"`
		CertFile       string `yaml:"cert_file"`
		KeyFile        string `yaml:"key_file"`
		PKCS12File     string `yaml:"pkcs12_file"`
		PKCS12Password Secret `yaml:"pkcs12_password"`
		CAFile         string `yaml:"ca_file"`
		// BatchSize is how many organisations one call asks for; 0: one
		// (see connectors/scb.DefaultBatchSize).
		BatchSize int `yaml:"batch_size"`
	} `yaml:"scb"`
	BolagsverketBulk *struct {
		URL string `yaml:"url"`
	} `yaml:"bolagsverket_bulk"`
	// Sanctions are the sanctions lists' scheduled downloads.
	Sanctions SanctionsLists `yaml:"sanctions"`
	// Inbox holds one directory per file-drop source (kronofogden, ivo, …).
	Inbox string `yaml:"inbox"`
	// PreAwardDays keeps an organisation screened before award watched.
	PreAwardDays int `yaml:"pre_award_days"`
	// DocumentDays is the refresh window of the annual-report list.
	DocumentDays int `yaml:"document_days"`
	// Limits bound one record and one field of a source's imports (by
	// fetch, the inbox, NATS or vaksam ingest); a source left out, or a
	// bound 0, keeps its default (formats.DefaultLimits).
	Limits map[string]ImportLimits `yaml:"limits"`
}

// ImportLimits are a source's formats.Limits in the configuration.
type ImportLimits struct {
	RecordBytes int `yaml:"record_bytes"`
	FieldBytes  int `yaml:"field_bytes"`
}

// FormatLimits returns the configured bounds per source.
func (s Sources) FormatLimits() map[string]formats.Limits {
	out := make(map[string]formats.Limits, len(s.Limits))
	for src, l := range s.Limits {
		out[src] = formats.Limits{Record: l.RecordBytes, Field: l.FieldBytes}
	}
	return out
}

// Configured reports whether any source is configured.
func (c Sources) Configured() bool {
	return c.Bolagsverket != nil || c.SCB != nil || c.BolagsverketBulk != nil || c.Inbox != "" || len(c.Sanctions.Enabled()) > 0
}

// NATS is the configuration file's nats section; flags override it.
type NATS struct {
	URL       string `yaml:"url"`    // an existing server or cluster; empty: embedded
	Listen    string `yaml:"listen"` // the embedded server's address (127.0.0.1:4222)
	CredsFile string `yaml:"creds_file"`
	NKeyFile  string `yaml:"nkey_file"`
	User      string `yaml:"user"`
	Password  Secret `yaml:"password"`
	Token     Secret `yaml:"token"`
	CAFile    string `yaml:"ca_file"`
	CertFile  string `yaml:"cert_file"`
	KeyFile   string `yaml:"key_file"`
	// The embedded server's clients besides Vaksam (natsauth.go), and
	// whether it takes clients without credentials (loopback only).
	Users     []NATSUser `yaml:"users"`
	Anonymous bool       `yaml:"anonymous"`
}

// Override returns c with the flags' non-empty values over it; with no
// password configured, $VAKSAM_NATS_PASSWORD is the password when set.
func (c NATS) Override(f NATS) NATS {
	for _, p := range []struct{ dst, src *string }{
		{&c.URL, &f.URL}, {&c.Listen, &f.Listen}, {&c.CredsFile, &f.CredsFile}, {&c.NKeyFile, &f.NKeyFile},
		{&c.User, &f.User}, {&c.CAFile, &f.CAFile}, {&c.CertFile, &f.CertFile}, {&c.KeyFile, &f.KeyFile},
	} {
		if *p.src != "" {
			*p.dst = *p.src
		}
	}
	if c.Password.Env == "" && c.Password.File == "" && os.Getenv(EnvNATSPassword) != "" {
		c.Password.Env = EnvNATSPassword
	}
	return c
}

// HTTP is the configuration file's http section.
type HTTP struct {
	Listen string `yaml:"listen"` // default 127.0.0.1:8080
	// TLSCert and TLSKey serve HTTPS; cookies are then always Secure.
	TLSCert string `yaml:"tls_cert"`
	TLSKey  string `yaml:"tls_key"`
	// SecureCookies marks cookies Secure behind a TLS-terminating proxy.
	SecureCookies  bool     `yaml:"secure_cookies"`
	TrustedOrigins []string `yaml:"trusted_origins"`
	// TrustedProxies are the reverse proxies (addresses or networks)
	// whose ForwardedHeader names the client, for login throttling and
	// the audit trail; ForwardedHeader is X-Forwarded-For (default) or
	// Forwarded.
	TrustedProxies  []string `yaml:"trusted_proxies"`
	ForwardedHeader string   `yaml:"forwarded_header"`
}

// Signing is the configuration file's signing section: the key serve
// signs its events and pre-award replies with, and the public keys check
// and watch verify with.
type Signing struct {
	// KeyFile is Vaksam's Ed25519 private key in PKCS#8 PEM. serve needs
	// it (the demo makes one in its data directory); check and watch
	// trust its public key.
	KeyFile string `yaml:"key_file"`
	// TrustedKeys are more public keys ("ed25519:BASE64") check and watch
	// accept: while a key is replaced, the other one.
	TrustedKeys []string `yaml:"trusted_keys"`
}

// checkTrustedKeys finds the trusted keys that do not parse.
func checkTrustedKeys(c Signing, add func(path, format string, a ...any)) {
	for i, t := range c.TrustedKeys {
		if _, err := sign.ParsePublicKey(t); err != nil {
			add(fmt.Sprintf("signing.trusted_keys[%d]", i), "%v", err)
		}
	}
}

// checkSigningKey finds a signing key that is not set, cannot be read or
// is not an Ed25519 private key.
func checkSigningKey(c Signing, add func(path, format string, a ...any)) {
	switch {
	case c.KeyFile == "":
		add("signing.key_file", "%s", strings.TrimPrefix(ErrNoSigningKey.Error(), "signing.key_file: "))
	case checkFile(c.KeyFile) != nil:
		add("signing.key_file", "%v", checkFile(c.KeyFile))
	default:
		if _, err := sign.LoadSigner(c.KeyFile); err != nil {
			add("signing.key_file", "%v", err)
		}
	}
}

// ErrNoSigningKey is serve's refusal to run without a key.
var ErrNoSigningKey = errors.New("signing.key_file: not set: Vaksam signs every event and pre-award answer, " +
	"so that consumers can tell them from forgeries; make a key with `vaksam config signing-key --out FILE` " +
	"and name it in signing.key_file (or $VAKSAM_SIGNING_KEY_FILE)")
