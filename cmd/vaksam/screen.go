package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/screening"
)

func runScreen(ctx context.Context, a *app, args []string) (int, error) {
	fs := a.newFlags("screen", "screen --data DIR [--at TIME] [--json] ORGNR...\n       vaksam screen --data DIR --all [--at TIME] [--limit N] [--json]",
		"Screens organisations as of a time and stores the assessments. Without --json it\n"+
			"prints a summary per organisation; with --json one assessment object per line.\n"+
			"--all screens every organisation in the store and prints a ranked table.")
	data := fs.String("data", "", "data directory")
	atFlag := fs.String("at", "", "screen as of: RFC 3339, or YYYY-MM-DD for the end of that day in Swedish time (default: now)")
	asJSON := fs.Bool("json", false, "print one JSON assessment per line")
	all := fs.Bool("all", false, "screen every organisation in the store")
	limit := fs.Int("limit", 50, "with --all: rows of the ranked table (0: all)")
	purpose := fs.String("purpose", "", "award, calloff or direct for a pre-award check (default: follow-up)")
	cfgPath := fs.String("config", "", "configuration file (rule overrides, thresholds)")
	rulePath := fs.String("rules", "", "rule pack file or directory (default: the built-in pack)")
	noSave := fs.Bool("no-save", false, "do not store the assessments")
	if err := a.parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	switch *purpose {
	case screening.Monitor, screening.Award, screening.Calloff, screening.Direct:
	default:
		return exitUsage, usagef("--purpose %q: want award, calloff or direct", *purpose)
	}
	if *all == (fs.NArg() > 0) {
		return exitUsage, usagef("give ORGNR arguments or --all")
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
	at, err := a.instant("--at", *atFlag)
	if err != nil {
		return exitUsage, err
	}
	sc, _, err := a.screener(*data, *cfgPath, *rulePath)
	if err != nil {
		return failure(err)
	}
	defer sc.Store.Close()
	opt := screening.Options{At: at, Purpose: *purpose, Save: !*noSave}
	if *all {
		// Keep a small row per organisation for the ranking; with --json,
		// stream each assessment as it is made.
		var rows []*screening.Assessment
		enc := json.NewEncoder(a.stdout)
		enc.SetEscapeHTML(false)
		if _, err := sc.ScreenAll(ctx, opt, 0, func(x *screening.Assessment) error {
			if *asJSON {
				return enc.Encode(x)
			}
			rows = append(rows, rankingRow(x))
			return nil
		}); err != nil {
			return exitFailure, err
		}
		if !*asJSON {
			Rank(rows)
			printRanking(a.stdout, rows, *limit, now)
		}
		return exitOK, nil
	}
	as, err := sc.Screen(ctx, orgs, opt)
	if err != nil {
		return exitFailure, err
	}
	if *asJSON {
		return exitOK, printJSON(a.stdout, as)
	}
	for _, x := range as {
		printAssessment(a.stdout, x, now, orgs...)
	}
	return exitOK, nil
}

func printJSON(w io.Writer, as []*screening.Assessment) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, x := range as {
		if err := enc.Encode(x); err != nil {
			return err
		}
	}
	return nil
}

// rankingRow keeps what the ranked table shows of an assessment.
func rankingRow(x *screening.Assessment) *screening.Assessment {
	r := &screening.Assessment{Orgnr: x.Orgnr, Name: x.Name, Score: x.Score, Step: x.Step, Verdict: x.Verdict, Incomplete: x.Incomplete, Missing: x.Missing}
	r.Hits = make([]screening.Hit, len(x.Hits))
	for i, h := range x.Hits {
		r.Hits[i] = screening.Hit{ID: h.ID, Severity: h.Severity}
	}
	return r
}

// Rank orders assessments as a coordinator's queue: highest step, then
// score, then incomplete before complete, then organisation number.
func Rank(as []*screening.Assessment) {
	sort.Slice(as, func(i, j int) bool {
		a, b := as[i], as[j]
		if a.Step != b.Step {
			return a.Step > b.Step
		}
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		if len(a.Hits) != len(b.Hits) {
			return len(a.Hits) > len(b.Hits)
		}
		return a.Orgnr < b.Orgnr
	})
}

// displayOrg shows an organisation number with its separator as of now:
// '+' for a sole trader who is 100 or older. The century of birth comes
// from the parsed input among known, if any: a stored 10-digit number has
// lost it, and reads as younger than 100.
func displayOrg(orgnr string, now time.Time, known ...ident.Org) string {
	now = now.In(record.Stockholm)
	for _, o := range known {
		if o.String() == orgnr {
			return o.Separated(now)
		}
	}
	if o, err := ident.ParseOrg(orgnr); err == nil {
		return o.Separated(now)
	}
	return orgnr
}

func printAssessment(w io.Writer, x *screening.Assessment, now time.Time, known ...ident.Org) {
	fmt.Fprintf(w, "%s  %s\n", displayOrg(x.Orgnr, now, known...), x.Name)
	fmt.Fprintf(w, "  as of %s  step %s  verdict %s  score %g", x.At.In(record.Stockholm).Format("2006-01-02 15:04"), x.Step, x.Verdict, x.Score)
	if x.Incomplete {
		fmt.Fprint(w, "  INCOMPLETE")
	}
	fmt.Fprintln(w)
	for _, h := range x.Hits {
		fmt.Fprintf(w, "  %-4s %-8s %s\n", h.ID, h.Severity, h.Message.SV)
	}
	for _, m := range x.Missing {
		fmt.Fprintf(w, "  %-4s %-8s %s: %s\n", m.ID, "data", m.Source, m.Reason)
	}
	if len(x.NotChecked) > 0 {
		fmt.Fprintf(w, "  not checked: %s\n", strings.Join(x.NotChecked, " "))
	}
	fmt.Fprintf(w, "  ruleset %s\n", x.Ruleset)
}

func printRanking(w io.Writer, as []*screening.Assessment, limit int, now time.Time) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tORGNR\tNAME\tSCORE\tSTEP\tVERDICT\tTOP HITS")
	for i, x := range as {
		if limit > 0 && i >= limit {
			break
		}
		var ids []string
		for j, h := range x.Hits {
			if j == 5 {
				ids = append(ids, fmt.Sprintf("+%d", len(x.Hits)-5))
				break
			}
			ids = append(ids, h.ID)
		}
		if x.Incomplete {
			ids = append(ids, "(incomplete)")
		}
		name := x.Name
		if len([]rune(name)) > 32 {
			name = string([]rune(name)[:31]) + "…"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%g\t%s\t%s\t%s\n", i+1, displayOrg(x.Orgnr, now), name, x.Score, x.Step, x.Verdict, strings.Join(ids, " "))
	}
	tw.Flush()
	if limit > 0 && len(as) > limit {
		fmt.Fprintf(w, "… %d more (use --limit 0 for all)\n", len(as)-limit)
	}
	printSteps(w, as)
}

func printSteps(w io.Writer, as []*screening.Assessment) {
	steps := map[ladder.Step]int{}
	incomplete := 0
	missing := map[string]int{}
	for _, x := range as {
		steps[x.Step]++
		if x.Incomplete {
			incomplete++
		}
		for _, m := range x.Missing {
			missing[m.ID+" "+m.Source]++
		}
	}
	fmt.Fprintf(w, "\n%d organisations screened:", len(as))
	for _, s := range []ladder.Step{screening.L0, screening.L1, screening.L2, screening.L3, screening.L5} {
		if steps[s] > 0 || s != screening.L5 {
			fmt.Fprintf(w, " %s %d", s, steps[s])
		}
	}
	fmt.Fprintf(w, "; %d incomplete\n", incomplete)
	if len(missing) > 0 {
		keys := make([]string, 0, len(missing))
		for k := range missing {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s %d", k, missing[k])
		}
		fmt.Fprintf(w, "missing or stale data: %s\n", strings.Join(parts, ", "))
	}
}
