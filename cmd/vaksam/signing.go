package main

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/vaksam/vaksam/engine/settings"
	"github.com/vaksam/vaksam/engine/sign"
)

// demoSigningKeyFile is the demo's signing key, in its data directory.
const demoSigningKeyFile = "signing.key"

// signer returns the key serve signs with: the configured one; for the
// demo without one, its data directory's, made at the first start.
func signer(c settings.Signing, demoData string) (*sign.Signer, error) {
	if c.KeyFile != "" {
		s, err := sign.LoadSigner(c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("signing.key_file: %w", err)
		}
		return s, nil
	}
	if demoData == "" {
		return nil, settings.ErrNoSigningKey
	}
	path := filepath.Join(demoData, demoSigningKeyFile)
	s, err := sign.LoadSigner(path)
	if errors.Is(err, fs.ErrNotExist) {
		return sign.WriteKeyFile(path)
	}
	return s, err
}

// trustedKeys returns the public keys check and watch verify with: those
// of --trust, and those of the configuration cfgPath (or $VAKSAM_CONFIG)
// names with the environment's overrides: key_file's and trusted_keys.
func trustedKeys(cfgPath string, flagKeys []string) (*sign.Keys, error) {
	cfg, err := settings.Load(cfgPath)
	if err != nil {
		return nil, err
	}
	return trusted(cfg.Signing, flagKeys)
}

func trusted(c settings.Signing, flagKeys []string) (*sign.Keys, error) {
	keys, err := sign.ParseKeys(flagKeys...)
	if err != nil {
		return nil, usagef("--trust: %v", err)
	}
	for i, t := range c.TrustedKeys {
		pub, err := sign.ParsePublicKey(t)
		if err != nil {
			return nil, fmt.Errorf("signing.trusted_keys[%d]: %w", i, err)
		}
		keys.Add(pub)
	}
	if c.KeyFile != "" {
		s, err := sign.LoadSigner(c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("signing.key_file: %w", err)
		}
		keys.Add(s.PublicKey())
	}
	return keys, nil
}

// keyList is a repeatable flag of public keys, each also comma separated.
type keyList []string

func (l *keyList) String() string { return strings.Join(*l, ",") }

func (l *keyList) Set(v string) error {
	for k := range strings.SplitSeq(v, ",") {
		if k = strings.TrimSpace(k); k != "" {
			*l = append(*l, k)
		}
	}
	return nil
}

// keyDescription says which key signs: its text and id.
func keyDescription(s *sign.Signer) string {
	return fmt.Sprintf("%s (key id %s)", sign.FormatPublicKey(s.PublicKey()), s.KeyID())
}

// configSigningKey is `vaksam config signing-key`.
func (a *app) configSigningKey(args []string) (int, error) {
	flags := a.newFlags("config signing-key", "config signing-key --out FILE",
		"Makes Vaksam's signing key in FILE: an Ed25519 private key in PKCS#8 PEM,\n"+
			"mode 0600, as `openssl genpkey -algorithm ed25519` writes it. Name FILE in\n"+
			"signing.key_file. An existing FILE is never overwritten: it is read instead.\n"+
			"Prints the public key (ed25519:BASE64) on standard output: give it to the\n"+
			"systems that consume Vaksam's events and pre-award answers, which verify\n"+
			"with it (`vaksam check --trust KEY`, `vaksam watch --trust KEY`).")
	out := flags.String("out", "", "the private key file")
	if err := a.parseFlags(flags, args); err != nil {
		return exitUsage, err
	}
	if *out == "" || flags.NArg() > 0 {
		return exitUsage, usagef("give the key file with --out FILE")
	}
	what := "exists, kept"
	s, err := sign.LoadSigner(*out)
	if errors.Is(err, fs.ErrNotExist) {
		s, err = sign.WriteKeyFile(*out)
		what = "made"
	}
	if err != nil {
		return exitFailure, err
	}
	fmt.Fprintf(a.stderr, "signing key %s: %s; key id %s\n", *out, what, s.KeyID())
	fmt.Fprintln(a.stdout, sign.FormatPublicKey(s.PublicKey()))
	return exitOK, nil
}

// signingSummary is config check's line about the signing keys.
func signingSummary(c settings.Signing) string {
	s, err := sign.LoadSigner(c.KeyFile)
	if err != nil {
		return err.Error()
	}
	line := keyDescription(s)
	if n := len(c.TrustedKeys); n > 0 {
		line += fmt.Sprintf("; check and watch also trust %s", count(n, "more key"))
	}
	return line
}
