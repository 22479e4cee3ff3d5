package main

import (
	"fmt"
	"strings"

	"github.com/vaksam/vaksam/engine/settings"
	"github.com/vaksam/vaksam/engine/sign"
)

// trustedKeys returns the public keys check and watch verify with: those
// of --trust, and those of the configuration cfgPath (or $VAKSAM_CONFIG)
// names with the environment's overrides (settings.Signing.Trust).
func trustedKeys(cfgPath string, flagKeys []string) (*sign.Keys, error) {
	cfg, err := settings.Load(cfgPath)
	if err != nil {
		return nil, err
	}
	keys, err := sign.ParseKeys(flagKeys...)
	if err != nil {
		return nil, usagef("--trust: %v", err)
	}
	return keys, cfg.Signing.Trust(keys)
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
	s, made, err := sign.LoadOrWriteKeyFile(*out)
	if err != nil {
		return exitFailure, err
	}
	what := "exists, kept"
	if made {
		what = "made"
	}
	fmt.Fprintf(a.stderr, "signing key %s: %s; key id %s\n", *out, what, s.KeyID())
	fmt.Fprintln(a.stdout, sign.FormatPublicKey(s.PublicKey()))
	return exitOK, nil
}
