package main

import (
	"context"
	"errors"

	"github.com/vaksam/vaksam/engine/service"
)

// runRules dispatches `vaksam rules check|test|diff` to engine/service.
func runRules(ctx context.Context, a *app, args []string) (int, error) {
	subs := map[string]func([]string) (int, error){}
	for name, c := range service.RulesCommands {
		subs[name] = func(args []string) (int, error) {
			fs := a.newFlags("rules "+name, c.Usage, c.About)
			run := c.Define(fs, a.now)
			if err := a.parseFlags(fs, args); err != nil {
				return exitUsage, err
			} else if err := run(ctx, a.stdout, fs.Args()); errors.As(err, new(*service.ParamError)) {
				return exitUsage, usagef("%v", err)
			} else if err != nil {
				return exitFailure, err
			}
			return exitOK, nil
		}
	}
	return a.subcommand(args, subs, service.RulesUsage, "want 'rules check [PATH]', 'rules test [PATH]' or 'rules diff --rules CANDIDATE'")
}
