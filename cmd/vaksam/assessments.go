package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/vaksam/vaksam/engine"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
)

func runAssessments(ctx context.Context, a *app, args []string) (int, error) {
	fs := a.newFlags("assessments", "assessments --data DIR [--json] [--verify] ORGNR...",
		"Shows the stored assessments of organisations, oldest first. With --verify each\n"+
			"is screened again as of its own time, with the rules it names (the built-in\n"+
			"pack or --rules, with --config), and compared with what was stored: a past\n"+
			"screening must give the result it gave then. Exit status 1 if any differs.")
	data := fs.String("data", "", "data directory")
	asJSON := fs.Bool("json", false, "print the stored assessments as JSON, one per line")
	verify := fs.Bool("verify", false, "screen each again as of its time and compare")
	cfgPath := fs.String("config", "", "configuration file (rule overrides, thresholds)")
	rulePath := fs.String("rules", "", "rule pack file or directory (default: the built-in pack)")
	if err := a.parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	if fs.NArg() == 0 {
		return exitUsage, usagef("no ORGNR given")
	}
	var orgs []ident.Org
	for _, s := range fs.Args() {
		o, err := ident.ParseOrg(s)
		if err != nil {
			return exitUsage, usagef("organisation number %v", err)
		}
		orgs = append(orgs, o)
	}
	sc, set, err := a.screener(*data, *cfgPath, *rulePath)
	if err != nil {
		return failure(err)
	}
	defer sc.Store.Close()
	differ := 0
	for _, o := range orgs {
		stored, err := sc.Assessments(o.String())
		if err != nil {
			return exitFailure, err
		}
		if len(stored) == 0 {
			fmt.Fprintf(a.stderr, "%s: no stored assessment\n", o.Hyphenated())
		}
		for _, x := range stored {
			if *asJSON {
				if err := printJSON(a.stdout, []*engine.Assessment{x}); err != nil {
					return exitFailure, err
				}
			} else {
				fmt.Fprintf(a.stdout, "%s  %s  as of %s  step %s  verdict %s  score %g  hits %s  ruleset %s\n",
					o.Hyphenated(), x.Name, x.At.In(record.Stockholm).Format("2006-01-02 15:04"), x.Step, x.Verdict, x.Score, hitList(x), x.Ruleset)
			}
			if !*verify {
				continue
			}
			if x.Ruleset != set.Version() {
				fmt.Fprintf(a.stdout, "  not verified: stored with ruleset %s, loaded %s\n", x.Ruleset, set.Version())
				continue
			}
			again, err := sc.Screen(ctx, []ident.Org{o}, engine.Options{At: x.At, Purpose: x.Purpose})
			if err != nil {
				return exitFailure, err
			}
			was, _ := json.Marshal(x)
			now, _ := json.Marshal(again[0])
			if string(was) == string(now) {
				fmt.Fprintln(a.stdout, "  verified: screening again as of that time gives the same assessment")
			} else {
				differ++
				fmt.Fprintf(a.stdout, "  DIFFERS: screening again gives step %s verdict %s score %g hits %s\n", again[0].Step, again[0].Verdict, again[0].Score, hitList(again[0]))
			}
		}
	}
	if differ > 0 {
		return exitFailure, fmt.Errorf("%d assessment(s) differ when screened again", differ)
	}
	return exitOK, nil
}

func hitList(x *engine.Assessment) string {
	if len(x.Hits) == 0 {
		return "-"
	}
	s := ""
	for i, h := range x.Hits {
		if i > 0 {
			s += ","
		}
		s += h.ID
	}
	return s
}
