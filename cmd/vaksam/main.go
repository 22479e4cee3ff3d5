// Command vaksam screens the suppliers of a municipality for welfare-crime
// risk: it ingests registry and own data into a record store, evaluates the
// rule pack on each supplier's profile and reports the assessments.
//
// Usage:
//
//	vaksam <command> [flags] [arguments]
//
// Commands: ingest, screen, assessments, sources, fetch, serve, check, watch,
// rules check, rules test, rules diff, sanctions search, report, demo, audit, config, backup, restore, version.
// Every command takes --help; vaksam --version is vaksam version.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
	_ "time/tzdata" // Swedish time without relying on the host's zoneinfo

	"golang.org/x/term"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/logging"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/service"
)

// Exit codes.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitQuarantined = 3
)

// errUsage marks an error as a usage error (exit 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// app carries what commands share: streams, logger and the clock. Only
// this package reads the wall clock.
type app struct {
	stdout, stderr io.Writer
	log            *slog.Logger
	now            func() time.Time
	// clock is what connectors wait on; now reads the same time.
	clock connectors.Clock
	// newLog, if set, makes the process logger from a configuration's log
	// section (serve does; tests keep the logger they give).
	newLog func(format, level string) (*slog.Logger, error)
	// http is the base HTTP client of connectors (nil: the default); tests
	// give one that trusts their fake authorities.
	http *http.Client
}

type command struct {
	name, summary string
	run           func(ctx context.Context, a *app, args []string) (int, error)
}

func commands() []command {
	return []command{
		{"ingest", "import source files into the record store", runIngest},
		{"screen", "screen organisations as of a time", runScreen},
		{"assessments", "show stored assessments, and verify them by screening again", runAssessments},
		{"sources", "show how fresh each source's data is for the watched organisations", runSources},
		{"fetch", "keep the watched organisations' data fresh from the configured sources", runFetch},
		{"sanctions", "search the stored sanctions lists for a name (sanctions search)", runSanctions},
		{"report", "the committee's report for a period: purchasing, contract loyalty, alerts, decisions (pdf, csv, json)", runReport},
		{"rules", "check, test or backtest rule packs (rules check, test, diff)", runRules},
		{"serve", "run Vaksam: screening, alerts, events on NATS, the pre-award service", runServe},
		{"check", "ask a running serve for a pre-award check over NATS", runCheck},
		{"watch", "print Vaksam's events as they arrive on NATS", runWatch},
		{"demo", "generate a synthetic population, screen it and rank it", runDemo},
		{"audit", "verify or list the audit trail (audit verify, audit list)", runAudit},
		{"backup", "back up the store, from a running serve or a stopped store", runBackup},
		{"restore", "restore a backup into a data directory and verify it", runRestore},
		{"bench", "measure screening, pre-award checks and bulk import against their floors on a synthetic store", runBench},
		{"gc", "prune superseded confirmations and old assessments as the retention policy says, and compact the store", runGC},
		{"config", "check or show the configuration, hash a password, make the signing key or a NATS key (config check, show, hash-password, signing-key, nkey)", runConfig},
		{"version", "print the version, the VCS commit and the Go version (also --version)", runVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log, err := stderrLogger(envOr("VAKSAM_LOG_FORMAT", logging.FormatAuto), envOr("VAKSAM_LOG_LEVEL", "warn"))
	if err != nil {
		fmt.Fprintf(os.Stderr, "vaksam: $VAKSAM_LOG_FORMAT or $VAKSAM_LOG_LEVEL: %v\n", err)
		os.Exit(exitUsage)
	}
	a := &app{stdout: os.Stdout, stderr: os.Stderr, now: time.Now, clock: wallClock{}, log: log, newLog: stderrLogger}
	os.Exit(a.main(ctx, os.Args[1:]))
}

// stderrLogger is the logger on standard error: format auto (text on a
// terminal, JSON otherwise), json or text; level debug, info, warn or
// error. It adds request ids and masks person numbers and secrets.
func stderrLogger(format, level string) (*slog.Logger, error) {
	return logging.New(os.Stderr, format, level, term.IsTerminal(int(os.Stderr.Fd())))
}

// envOr returns the environment variable, or def when it is unset or empty.
func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func (a *app) main(ctx context.Context, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		a.usage(a.stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	if args[0] == "--version" || args[0] == "-version" {
		args = append([]string{"version"}, args[1:]...)
	}
	for _, c := range commands() {
		if c.name == args[0] {
			code, err := c.run(ctx, a, args[1:])
			if errors.Is(err, flag.ErrHelp) {
				return exitOK
			}
			var ue usageError
			if errors.As(err, &ue) {
				fmt.Fprintf(a.stderr, "vaksam %s: %s\n", c.name, ue.msg)
				fmt.Fprintf(a.stderr, "Run 'vaksam %s --help' for usage.\n", c.name)
				return exitUsage
			}
			if err != nil {
				fmt.Fprintf(a.stderr, "vaksam %s: %v\n", c.name, err)
				if code == exitOK {
					code = exitFailure
				}
			}
			return code
		}
	}
	fmt.Fprintf(a.stderr, "vaksam: unknown command %q\n\n", args[0])
	a.usage(a.stderr)
	return exitUsage
}

func (a *app) usage(w io.Writer) {
	fmt.Fprintln(w, "Vaksam screens a municipality's suppliers for welfare-crime risk.")
	fmt.Fprintln(w, "\nUsage: vaksam <command> [flags] [arguments]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nFlags may come before or after the arguments; -- ends them.")
	fmt.Fprintln(w, "Run 'vaksam <command> --help' for a command's flags.")
}

// subcommand runs the subcommand args[0] names, prints usage for a
// request of help, and else fails with the usage error want.
func (a *app) subcommand(args []string, subs map[string]func([]string) (int, error), usage, want string) (int, error) {
	if len(args) > 0 {
		if run, ok := subs[args[0]]; ok {
			return run(args[1:])
		}
		switch args[0] {
		case "-h", "--help", "-help", "help":
			fmt.Fprintln(a.stdout, usage)
			return exitOK, nil
		}
	}
	return exitUsage, usagef("%s", want)
}

// newFlags returns a FlagSet whose --help prints the command's usage.
func (a *app) newFlags(name, usage, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: vaksam %s\n\n%s\n\nFlags:\n", usage, about)
		fs.PrintDefaults()
	}
	return fs
}

// runEngine runs a command whose flags and work are in an engine package
// (define): a *service.ParamError is a usage error.
func (a *app) runEngine(define func(*flag.FlagSet, func() time.Time) func(io.Writer, []string) error, args []string, name, usage, about string) (int, error) {
	fs := a.newFlags(name, usage, about)
	run := define(fs, a.now)
	if err := a.parseFlags(fs, args); err != nil {
		return exitUsage, err
	} else if err := run(a.stdout, fs.Args()); errors.As(err, new(*service.ParamError)) {
		return exitUsage, usagef("%v", err)
	} else {
		return exitOK, err // main exits 1 on an error
	}
}

// parseFlags parses args, routing --help to stdout and errors to usage.
// Every command parses its arguments here, so that all read them alike:
// flags may come before, between or after the positional arguments
// (vaksam screen 5591234561 --data DIR), and "--" ends the flags, what
// follows it being arguments even when it starts with "-". fs.Args() are
// the positional arguments in order.
func (a *app) parseFlags(fs *flag.FlagSet, args []string) error {
	flags, positional := service.SplitFlags(fs, args)
	for _, arg := range flags {
		if arg == "-h" || arg == "--help" || arg == "-help" {
			fs.SetOutput(a.stdout)
			fs.Usage()
			return flag.ErrHelp
		}
	}
	fs.SetOutput(io.Discard)
	if err := fs.Parse(flags); err != nil {
		return usagef("%v", err)
	}
	// Parsing again sets no flag and leaves the arguments as fs.Args().
	return fs.Parse(append([]string{"--"}, positional...))
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// instant parses a time flag (RFC 3339, or YYYY-MM-DD for the end of that
// day in Swedish time); empty means now.
func (a *app) instant(flagName, value string) (time.Time, error) {
	if value == "" {
		return a.now(), nil
	}
	t, err := record.ParseInstant(value)
	if err != nil {
		return time.Time{}, usagef("%s: %v", flagName, err)
	}
	return t, nil
}

// failure returns the exit code for an error: 2 for a usage error, else 1.
func failure(err error) (int, error) {
	var ue usageError
	if errors.As(err, &ue) {
		return exitUsage, err
	}
	return exitFailure, err
}
