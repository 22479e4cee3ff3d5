package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/vaksam/vaksam/engine"
	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/rules"
	defaultpack "github.com/vaksam/vaksam/rules/default"
)

// config is the configuration file (docs/vaksam.example.yaml describes
// every key). Every key is optional; absent ones keep the defaults. Every
// scalar key can be overridden by the environment variable VAKSAM_<PATH>,
// the yaml keys upper-cased and joined by '_' (config.go).
type config struct {
	// DataDir holds the store, the embedded NATS server's files and the
	// pseudonym key; --data overrides it.
	DataDir   string          `yaml:"data_dir"`
	Log       logConfig       `yaml:"log"`
	Serve     serveConfig     `yaml:"serve"`
	Rules     rules.Overrides `yaml:"rules"`
	Screening *engine.Config  `yaml:"screening"`
	RulePath  string          `yaml:"rule_path"` // a pack file or directory instead of the built-in pack
	Sources   sourcesConfig   `yaml:"sources"`
	NATS      natsConfig      `yaml:"nats"`
	Signing   signingConfig   `yaml:"signing"`
	HTTP      httpConfig      `yaml:"http"`
	Review    reviewConfig    `yaml:"review"`
	OIDC      *oidcConfig     `yaml:"oidc"` // single sign-on; nil: none
	// Users sign in to the web UI and the API; tokens are for machines.
	Users  []access.User  `yaml:"users"`
	Tokens []access.Token `yaml:"tokens"`
}

// logConfig is the configuration file's log section.
type logConfig struct {
	Level  string `yaml:"level"`  // debug, info (default), warn, error
	Format string `yaml:"format"` // auto (default: JSON unless stderr is a terminal), json, text
}

// serveConfig holds the schedules and limits of vaksam serve; its flags
// override them.
type serveConfig struct {
	ScreenEvery     time.Duration `yaml:"screen_every"`     // whole-store screening (default 6h; 0 keeps the default)
	CheckTimeout    time.Duration `yaml:"check_timeout"`    // default time a pre-award check may take (2s)
	StatusEvery     time.Duration `yaml:"status_every"`     // source freshness for metrics and readiness (1m)
	GCEvery         time.Duration `yaml:"gc_every"`         // Badger value-log garbage collection (10m)
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"` // longest graceful stop before giving up (30s)
}

// Defaults of the serve section; zero in the configuration keeps them.
const (
	defaultScreenEvery     = 6 * time.Hour
	defaultCheckTimeout    = 2 * time.Second
	defaultStatusEvery     = time.Minute
	defaultGCEvery         = 10 * time.Minute
	defaultShutdownTimeout = 30 * time.Second
)

// withDefaults returns s with the defaults in place of zero values.
func (s serveConfig) withDefaults() serveConfig {
	for _, d := range []struct {
		v   *time.Duration
		def time.Duration
	}{{&s.ScreenEvery, defaultScreenEvery}, {&s.CheckTimeout, defaultCheckTimeout}, {&s.StatusEvery, defaultStatusEvery},
		{&s.GCEvery, defaultGCEvery}, {&s.ShutdownTimeout, defaultShutdownTimeout}} {
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	return s
}

// loadConfig reads the configuration file at path, or the one
// $VAKSAM_CONFIG names when path is empty (neither: every key takes its
// default), with the environment's VAKSAM_* overrides over it. It refuses
// a configuration with an unknown key, a wrong type or a bad value,
// listing every problem with its line as `vaksam config check` does; the
// problems that depend on the machine (missing files, unset variables)
// only that command looks for.
func loadConfig(path string) (*config, error) {
	c, _, err := loadConfigSource(path)
	return c, err
}

// loadConfigSource is loadConfig, also returning where each value came
// from.
func loadConfigSource(path string) (*config, *configSource, error) {
	c, src, ps := readConfig(configPath(path), environment())
	if !src.unread {
		ps = append(ps, withoutEchoes(ps, checkValues(c, src))...)
	}
	if len(ps) > 0 {
		return nil, nil, ps.sorted(src.file)
	}
	return c, src, nil
}

// dataDir returns the data directory of a command: its --data flag, or
// else the configuration's data_dir ($VAKSAM_DATA_DIR over the file's).
func (c *config) dataDir(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	return c.DataDir
}

// resolveDataDir is dataDir for a command that has not read the
// configuration: with the flag empty, it reads the configuration cfgPath
// (or $VAKSAM_CONFIG) names.
func resolveDataDir(flagValue, cfgPath string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	c, err := loadConfig(cfgPath)
	if err != nil {
		return "", err
	}
	return c.DataDir, nil
}

// engineConfig is mergedScreening, validated.
func (c *config) engineConfig() (engine.Config, error) {
	ec := c.mergedScreening()
	if errs := ec.Validate(); len(errs) > 0 {
		return ec, fmt.Errorf("config: screening: %w", errors.Join(errs...))
	}
	return ec, nil
}

// mergedScreening merges the file's screening section over the defaults,
// key by key: a file that names one freshness window or one weight changes
// that one and keeps the others.
func (c *config) mergedScreening() engine.Config {
	ec := engine.DefaultConfig()
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

func (c *config) ruleSet(path string) (*rules.Set, error) {
	if path == "" {
		path = c.RulePath
	}
	if path == "" {
		return defaultpack.Load(c.Rules)
	}
	return rules.LoadPath(path, c.Rules)
}

// openStore opens the data directory's store. One named by --data (from
// fromFlag) must exist (existingDataDir); the configuration's data_dir
// (fromConfig) is made when missing. createStore is for the commands
// that make a store whatever named it.
func openStore(dir, from string) (*store.Store, error) { return openLoggedStore(dir, from, nil) }

// openLoggedStore is openStore with a store that logs to log.
func openLoggedStore(dir, from string, log *slog.Logger) (*store.Store, error) {
	if from != fromFlag {
		return createLoggedStore(dir, log)
	}
	if err := existingDataDir(dir); err != nil {
		return nil, err
	}
	return store.Open(filepath.Join(dir, "store"), store.Options{Logger: log})
}

// pseudonymizer returns the deployment's person pseudonymizer. The secret
// comes from VAKSAM_PSEUDONYM_KEY_FILE or, failing that, from the file
// pseudonym.key in the data directory, created on first use.
func pseudonymizer(dataDir string) (record.Pseudonymizer, error) {
	path, fromEnv := pseudonymKeyPath(dataDir)
	if !fromEnv {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			key := make([]byte, 32)
			if _, err := rand.Read(key); err != nil {
				return nil, err
			}
			if err := os.WriteFile(path, key, 0o600); err != nil {
				return nil, fmt.Errorf("pseudonym key: %w", err)
			}
		}
	}
	key, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("pseudonym key: %w", err)
	}
	return record.NewHMACPseudonymizer(key)
}

// screener opens the data directory's store and a Screener with the
// configuration and rules the flags name; an empty dataDir is the
// configuration's data_dir. The caller closes the store.
func (a *app) screener(dataDir, cfgPath, rulePath string) (*engine.Screener, *rules.Set, error) {
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		return nil, nil, err
	}
	return a.openScreener(cfg, dataDir, rulePath)
}

// screening returns the thresholds and the rule set the configuration
// names (rulePath, when given, instead of its rule_path).
func (c *config) screening(rulePath string) (engine.Config, *rules.Set, error) {
	ec, err := c.engineConfig()
	if err != nil {
		return ec, nil, err
	}
	set, err := c.ruleSet(rulePath)
	return ec, set, err
}

// openScreener is screener for a command that has read the configuration
// already. The Screener saves through the review desk of its store, so
// that the alerts follow every assessment a command stores.
func (a *app) openScreener(cfg *config, dataDir, rulePath string) (*engine.Screener, *rules.Set, error) {
	ec, set, err := cfg.screening(rulePath)
	if err != nil {
		return nil, nil, err
	}
	st, err := openLoggedStore(cfg.dataDir(dataDir), dataDirFrom(dataDir, cfg.DataDir), a.log)
	if err != nil {
		return nil, nil, err
	}
	sc, err := engine.NewScreener(st, func() *rules.Set { return set }, ec, (&review.Desk{Store: st, Log: a.log}).OnSave)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	sc.Log = a.log
	return sc, set, nil
}
