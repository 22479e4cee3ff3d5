package main

import (
	"context"
	"fmt"

	"github.com/vaksam/vaksam/engine/ruletest"
	"github.com/vaksam/vaksam/engine/settings"
	defaultpack "github.com/vaksam/vaksam/rules/default"
)

func runRules(ctx context.Context, a *app, args []string) (int, error) {
	if len(args) == 0 || (args[0] != "check" && args[0] != "test") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(a.stdout, "Usage: vaksam rules check [PATH]\n       vaksam rules test [PATH]\n\n"+
				"check compiles a rule pack (a file or a directory of *.yaml) and reports every\n"+
				"error with file:line:col; test runs the rule tests (*_test.yaml) beside it.\n"+
				"Without PATH both use the built-in default pack.")
			return exitOK, nil
		}
		return exitUsage, usagef("want 'rules check [PATH]' or 'rules test [PATH]'")
	}
	sub := args[0]
	fl := a.newFlags("rules "+sub, "rules "+sub+" [--config FILE] [PATH]", map[string]string{
		"check": "Compiles a rule pack (a file or a directory of *.yaml packs) and reports\nevery error of every file with file:line:col. Without PATH: the built-in pack.",
		"test":  "Runs the rule tests (*_test.yaml) beside a pack: each ingests its records\nthrough the real parsers and screens with the pack. Without PATH: the built-in pack.",
	}[sub])
	cfgPath := fl.String("config", "", "configuration file with rule overrides")
	if err := a.parseFlags(fl, args[1:]); err != nil {
		return exitUsage, err
	}
	if fl.NArg() > 1 {
		return exitUsage, usagef("at most one PATH")
	}
	cfg, err := settings.Load(*cfgPath)
	if err != nil {
		return exitFailure, err
	}
	path := fl.Arg(0)
	set, err := cfg.RuleSet(path)
	if err != nil {
		return exitFailure, err
	}
	if sub == "check" {
		fmt.Fprintf(a.stdout, "ok: %d rules, ruleset %s\n", len(set.Rules), set.Version())
		return exitOK, nil
	}
	ec, err := cfg.EngineConfig()
	if err != nil {
		return exitFailure, err
	}
	results, prefix, err := ruletest.RunPack(ctx, set, ec, path, defaultpack.FS())
	if err != nil {
		return exitFailure, err
	}
	failed := 0
	for _, res := range results {
		if !res.Passed() {
			failed++
			fmt.Fprintln(a.stdout, res)
		}
	}
	fmt.Fprintf(a.stdout, "rule tests: %d passed, %d failed\n", len(results)-failed, failed)
	if len(results) == 0 {
		return exitFailure, fmt.Errorf("no rule tests found beside %s", prefix)
	}
	if failed > 0 {
		return exitFailure, fmt.Errorf("%d rule test(s) failed", failed)
	}
	return exitOK, nil
}
