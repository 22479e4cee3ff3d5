package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/rules"
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
	now := a.now()
	var orgs []ident.Org
	for _, s := range fs.Args() {
		o, err := ident.ParseOrgAt(s, now.In(record.Stockholm))
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
			fmt.Fprintf(a.stderr, "%s: no stored assessment\n", o.Separated(now.In(record.Stockholm)))
		}
		for _, x := range stored {
			if *asJSON {
				if err := printJSON(a.stdout, []*screening.Assessment{x}); err != nil {
					return exitFailure, err
				}
			} else {
				fmt.Fprintln(a.stdout, assessmentLine(o, x, now))
			}
			if !*verify {
				continue
			}
			outcome, line, err := verifyStored(ctx, sc, set, o, x)
			if err != nil {
				return exitFailure, err
			}
			fmt.Fprintln(a.stdout, line)
			if outcome == storedDiffers {
				differ++
			}
		}
	}
	if differ > 0 {
		return exitFailure, fmt.Errorf("%d assessment(s) differ when screened again", differ)
	}
	return exitOK, nil
}

// assessmentLine is how assessments prints a stored assessment of o, the
// number shown with its separator as of now.
func assessmentLine(o ident.Org, x *screening.Assessment, now time.Time) string {
	return fmt.Sprintf("%s  %s  as of %s  step %s  verdict %s  score %g  hits %s  ruleset %s",
		o.Separated(now.In(record.Stockholm)), x.Name, x.At.In(record.Stockholm).Format("2006-01-02 15:04"), x.Step, x.Verdict, x.Score, hitList(x), x.Ruleset)
}

// What screening a stored assessment again shows (verifyStored).
type verifyOutcome int

const (
	storedVerified    verifyOutcome = iota // the same assessment again
	storedDiffers                          // another assessment
	storedNotVerified                      // stored with another rule set than the one loaded
)

// verifyStored screens o again as of the stored assessment x's time with
// the rules loaded (set) and compares: it returns the outcome and the line
// that says it, as assessments --verify prints it.
func verifyStored(ctx context.Context, sc *screening.Screener, set *rules.Set, o ident.Org, x *screening.Assessment) (verifyOutcome, string, error) {
	if x.Ruleset != set.Version() {
		return storedNotVerified, fmt.Sprintf("  not verified: stored with ruleset %s, loaded %s", x.Ruleset, set.Version()), nil
	}
	again, err := sc.Screen(ctx, []ident.Org{o}, screening.Options{At: x.At, Purpose: x.Purpose})
	if err != nil {
		return 0, "", err
	}
	was, _ := json.Marshal(x)
	now, _ := json.Marshal(again[0])
	if string(was) == string(now) {
		return storedVerified, "  verified: screening again as of that time gives the same assessment", nil
	}
	return storedDiffers, fmt.Sprintf("  DIFFERS: screening again gives step %s verdict %s score %g hits %s", again[0].Step, again[0].Verdict, again[0].Score, hitList(again[0])), nil
}

func hitList(x *screening.Assessment) string {
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
