package service

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/vaksam/vaksam/engine/backtest"
	"github.com/vaksam/vaksam/engine/ruletest"
	"github.com/vaksam/vaksam/engine/settings"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/rules"
	defaultpack "github.com/vaksam/vaksam/rules/default"
)

// The command `vaksam rules` (check, test, diff): the flags and the work
// of each subcommand, kept here so that cmd/vaksam only dispatches.

// RulesRun runs a rules subcommand once its flags are parsed: args are
// its positional arguments. A parameter it cannot read is a *ParamError
// (a usage error).
type RulesRun func(ctx context.Context, w io.Writer, args []string) error

// RulesCommand is one subcommand: its usage line (after "vaksam "), what
// it does, and Define, which defines its flags on fs and returns what runs
// it.
type RulesCommand struct {
	Usage, About string
	Define       func(fs *flag.FlagSet, now func() time.Time) RulesRun
}

// RulesUsage is the usage of `vaksam rules`.
const RulesUsage = "Usage: vaksam rules check [PATH]\n       vaksam rules test [PATH]\n" +
	"       vaksam rules diff --rules CANDIDATE [--from DATE --to DATE --every 7d] [--json]\n\n" +
	"check compiles a rule pack (a file or a directory of *.yaml) and reports every\n" +
	"error with file:line:col; test runs the rule tests (*_test.yaml) beside it.\n" +
	"Without PATH both use the built-in default pack. diff backtests a candidate\n" +
	"pack against the running one on the stored population."

// MaxDiffDates bounds the dates of one `vaksam rules diff` (a typo in
// --every should not screen the store a million times).
const MaxDiffDates = 1000

// RulesCommands are the subcommands of `vaksam rules`.
var RulesCommands = map[string]RulesCommand{
	"check": {
		Usage:  "rules check [--config FILE] [PATH]",
		About:  "Compiles a rule pack (a file or a directory of *.yaml packs) and reports\nevery error of every file with file:line:col. Without PATH: the built-in pack.",
		Define: rulesCheck,
	},
	"test": {
		Usage:  "rules test [--config FILE] [PATH]",
		About:  "Runs the rule tests (*_test.yaml) beside a pack: each ingests its records\nthrough the real parsers and screens with the pack. Without PATH: the built-in pack.",
		Define: rulesTest,
	},
	"diff": {
		Usage: "rules diff --rules CANDIDATE [--data DIR] [--config FILE] [--from DATE] [--to DATE] [--every 7d] [--json]",
		About: "Backtests a candidate rule pack (a file or a directory, compiled strictly, the\n" +
			"configuration's overrides applied): screens the stored population as of each\n" +
			"date (from, from+every, … up to to, at most 1000; default one date, now) with\n" +
			"the running pack and with the candidate, nothing stored, and reports per date\n" +
			"and indicator which organisations newly fire or stop firing, whose step\n" +
			"changes, and the outcomes of their alerts opened by then (the estimated\n" +
			"precision of the change). It " +
			"opens the store read-only: stop a serve on DIR\nfirst, or use the admin page Regeltest.",
		Define: rulesDiff,
	},
}

// packArg defines --config on fs and returns what reads the one PATH of
// `rules check` and `rules test` and compiles the pack there with the
// configuration's overrides (the configuration's pack when PATH is
// absent).
func packArg(fs *flag.FlagSet) func(args []string) (*settings.Config, *rules.Set, string, error) {
	cfgPath := fs.String("config", "", "configuration file with rule overrides")
	return func(args []string) (*settings.Config, *rules.Set, string, error) {
		if len(args) > 1 {
			return nil, nil, "", &ParamError{Field: "PATH", Problem: "at most one"}
		}
		path := ""
		if len(args) == 1 {
			path = args[0]
		}
		cfg, err := settings.Load(*cfgPath)
		if err != nil {
			return nil, nil, "", err
		}
		set, err := cfg.RuleSet(path)
		return cfg, set, path, err
	}
}

func rulesCheck(fs *flag.FlagSet, _ func() time.Time) RulesRun {
	pack := packArg(fs)
	return func(_ context.Context, w io.Writer, args []string) error {
		_, set, _, err := pack(args)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "ok: %d rules, ruleset %s\n", len(set.Rules), set.Version())
		return nil
	}
}

func rulesTest(fs *flag.FlagSet, _ func() time.Time) RulesRun {
	pack := packArg(fs)
	return func(ctx context.Context, w io.Writer, args []string) error {
		cfg, set, path, err := pack(args)
		if err != nil {
			return err
		}
		ec, err := cfg.EngineConfig()
		if err != nil {
			return err
		}
		results, prefix, err := ruletest.RunPack(ctx, set, ec, path, defaultpack.FS())
		if err != nil {
			return err
		}
		failed := 0
		for _, res := range results {
			if !res.Passed() {
				failed++
				fmt.Fprintln(w, res)
			}
		}
		fmt.Fprintf(w, "rule tests: %d passed, %d failed\n", len(results)-failed, failed)
		if len(results) == 0 {
			return fmt.Errorf("no rule tests found beside %s", prefix)
		}
		if failed > 0 {
			return fmt.Errorf("%d rule test(s) failed", failed)
		}
		return nil
	}
}

func rulesDiff(fs *flag.FlagSet, now func() time.Time) RulesRun {
	cfgPath := fs.String("config", "", "configuration file: the running pack (rule_path or the built-in one), its overrides and thresholds")
	data := fs.String("data", "", "data directory (default: the configuration's data_dir)")
	candidate := fs.String("rules", "", "the candidate pack: a file or a directory of *.yaml packs (required)")
	from := fs.String("from", "", "first date (2026-11-20 or RFC 3339; default --to)")
	to := fs.String("to", "", "last date (default now)")
	every := fs.String("every", "7d", "interval between dates (7d, 36h)")
	asJSON := fs.Bool("json", false, "print the report as one JSON object")
	return func(ctx context.Context, w io.Writer, args []string) error {
		if len(args) > 0 {
			return &ParamError{Field: "arguments", Problem: "none expected; the candidate is --rules"}
		}
		if *candidate == "" {
			return &ParamError{Field: "--rules", Problem: "required: the candidate pack"}
		}
		dates, err := backtest.ParseRange(*from, *to, *every, now(), MaxDiffDates)
		var pe *ParamError
		if errors.As(err, &pe) {
			return &ParamError{Field: "--" + pe.Field, Problem: pe.Problem}
		} else if err != nil {
			return err
		}
		cfg, err := settings.Load(*cfgPath)
		if err != nil {
			return err
		}
		ec, running, err := cfg.ScreeningRules("")
		if err != nil {
			return fmt.Errorf("running pack: %w", err)
		}
		cand, err := rules.LoadPath(*candidate, cfg.Rules)
		if err != nil {
			return fmt.Errorf("candidate: %w", err)
		}
		dir := cfg.DataDirOr(*data)
		if dir == "" {
			return &ParamError{Field: "--data", Problem: "required: the data directory (or data_dir in the configuration)"}
		}
		if err := ExistingDataDir(dir); err != nil {
			return err
		}
		st, err := store.Open(filepath.Join(dir, "store"), store.Options{ReadOnly: true})
		if err != nil {
			return fmt.Errorf("rules diff: %w", err)
		}
		defer st.Close()
		rep, err := backtest.Run(ctx, backtest.Params{Store: st, Running: running, Candidate: cand, Config: ec, Dates: dates})
		if err != nil {
			return err
		}
		if *asJSON {
			return rep.WriteJSON(w)
		}
		return rep.WriteText(w)
	}
}
