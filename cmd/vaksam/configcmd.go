package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/settings"
)

func runConfig(ctx context.Context, a *app, args []string) (int, error) {
	return a.subcommand(args, map[string]func([]string) (int, error){"check": a.configCheck, "show": a.configShow,
		"hash-password": a.configHashPassword, "signing-key": a.configSigningKey, "nkey": a.configNKey},
		configUsage, "want a subcommand: config check, config show, config hash-password, config signing-key or config nkey")
}

const configUsage = `Usage: vaksam config check|show|hash-password|signing-key|nkey [flags]

  check          report every problem of the configuration, each with FILE:LINE:COL
                 and its key; exit 1 if there is any, else print a summary
  show           print the configuration in force (the file with the environment's
                 overrides) as YAML; secrets as their references, never their values
  hash-password  read a password from standard input and print its argon2id hash
                 for users[].password_hash
  signing-key    make Vaksam's signing key (--out FILE, for signing.key_file) and
                 print its public key, which consumers verify with
  nkey           make a NATS user key: the seed for the client, the public key for
                 nats.users or the NATS server's configuration

The configuration file is --config FILE, or else $VAKSAM_CONFIG. Every scalar key
can be overridden by VAKSAM_<PATH>: the keys upper-cased and joined by '_', as
VAKSAM_DATA_DIR, VAKSAM_HTTP_LISTEN or VAKSAM_SERVE_SCREEN_EVERY. See
docs/vaksam.example.yaml.`

func (a *app) configCheck(args []string) (int, error) {
	fs := a.newFlags("config check", "config check [--config FILE]",
		"Reports every problem of a configuration at once, each with FILE:LINE:COL and\n"+
			"its key path: YAML syntax, unknown keys, wrong types, bad durations, addresses\n"+
			"and URLs, files that do not exist, secrets whose file or environment variable\n"+
			"is missing, screening thresholds, users and tokens, and the rule pack. It checks\n"+
			"the configuration in force: the file with the environment's VAKSAM_* overrides,\n"+
			"and says which values came from the environment.\n\n"+
			"Exit status: 0 no problem, 1 problems, 2 usage error.")
	cfgPath := fs.String("config", "", "configuration file (default $VAKSAM_CONFIG)")
	if err := a.parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	if fs.NArg() > 0 {
		return exitUsage, usagef("unexpected argument %q (give the file with --config)", fs.Arg(0))
	}
	path := settings.Path(*cfgPath)
	if path == "" {
		return exitUsage, usagef("no configuration file: give --config FILE or set $%s", settings.EnvConfig)
	}
	r := settings.CheckFile(path)
	for _, p := range r.Problems {
		fmt.Fprintln(a.stdout, p.String())
	}
	if len(r.Problems) == 0 {
		fmt.Fprintf(a.stdout, "ok: %s\n", path)
		for _, line := range r.Summary() {
			fmt.Fprintln(a.stdout, line)
		}
	}
	if len(r.FromEnv) > 0 {
		fmt.Fprintf(a.stdout, "from the environment: %s\n", strings.Join(r.FromEnv, ", "))
	}
	for _, name := range r.Stray {
		fmt.Fprintf(a.stdout, "note: $%s is set but is no configuration key\n", name)
	}
	if len(r.Problems) > 0 {
		return exitFailure, fmt.Errorf("%s in %s", count(len(r.Problems), "problem"), path)
	}
	return exitOK, nil
}

// count writes n things, in the plural unless n is 1.
var count = settings.Count

func (a *app) configShow(args []string) (int, error) {
	fs := a.newFlags("config show", "config show [--config FILE]",
		"Prints the configuration in force as YAML: the file with the environment's\n"+
			"VAKSAM_* overrides (each marked with its variable), the serve and screening\n"+
			"sections with their defaults filled in. Secrets appear as their references\n"+
			"(file or env), password and token hashes not at all.")
	cfgPath := fs.String("config", "", "configuration file (default $VAKSAM_CONFIG)")
	if err := a.parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	path := settings.Path(*cfgPath)
	c, src, err := settings.LoadSource(path)
	if err != nil {
		return exitFailure, err
	}
	out, err := settings.Show(c, src)
	if err != nil {
		return exitFailure, err
	}
	from := path
	if from == "" {
		from = "no file"
	}
	fmt.Fprintf(a.stdout, "# vaksam configuration in force: %s, with the environment's overrides (marked).\n", from)
	fmt.Fprintln(a.stdout, "# Empty values take the defaults of docs/vaksam.example.yaml.")
	a.stdout.Write(out)
	return exitOK, nil
}

func (a *app) configHashPassword(args []string) (int, error) {
	fs := a.newFlags("config hash-password", "config hash-password < PASSWORD",
		"Reads a password from standard input (asked for twice, without echo, on a\n"+
			"terminal; else the first line) and prints its argon2id hash in PHC form, to\n"+
			"paste into users[].password_hash. The password must have at least 12\n"+
			"characters.")
	if err := a.parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	var (
		pw  string
		err error
	)
	if fd := int(os.Stdin.Fd()); term.IsTerminal(fd) {
		pw, err = access.ReadPasswordTerminal(fd, a.stderr)
	} else {
		pw, err = access.ReadPasswordLine(os.Stdin)
	}
	if err != nil {
		return exitFailure, err
	}
	hash, err := access.HashNewPassword(pw)
	if err != nil {
		return exitFailure, err
	}
	fmt.Fprintln(a.stdout, hash)
	return exitOK, nil
}
