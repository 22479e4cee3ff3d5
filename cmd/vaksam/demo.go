package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vaksam/vaksam/engine/demo"
	"github.com/vaksam/vaksam/engine/screening"
)

func runDemo(ctx context.Context, a *app, args []string) (int, error) {
	fs := a.newFlags("demo", "demo [--orgs N] [--seed S] [--at TIME] [--keep DIR]",
		"Generates a synthetic population of suppliers in Skåne (valid numbers, networks\n"+
			"of shared board members, mass addresses, bankrupt predecessors, contracts and\n"+
			"invoices, and planted cases of every indicator) as files in the sources' real\n"+
			"formats, ingests them through the importers into a temporary store, screens\n"+
			"every organisation and prints a ranked table, the count per step, and how many\n"+
			"planted cases each indicator caught.")
	orgs := fs.Int("orgs", 2000, "organisations to generate (100 to 1000000)")
	seed := fs.Int64("seed", 1, "generator seed: the same seed gives the same population")
	atFlag := fs.String("at", "", "screen as of (default: now)")
	keep := fs.String("keep", "", "keep the generated files and store in DIR instead of a temporary directory")
	limit := fs.Int("limit", 25, "rows of the ranked table")
	if err := a.parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	if *orgs < 100 || *orgs > 1_000_000 {
		return exitUsage, usagef("--orgs %d: want 100 to 1000000", *orgs)
	}
	at, err := a.instant("--at", *atFlag)
	if err != nil {
		return exitUsage, err
	}
	dir := *keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "vaksam-demo-")
		if err != nil {
			return exitFailure, err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	t0 := time.Now()
	tour, err := demo.Generate(dir, *seed, *orgs, at)
	if err != nil {
		return exitFailure, err
	}
	defer tour.Close()
	fmt.Fprintf(a.stdout, "generated %d organisations (seed %d) in %s: %d files\n", *orgs, *seed, since(t0), len(tour.Manifest.Steps))
	t0 = time.Now()
	total, err := tour.Ingest(ctx)
	if err != nil {
		return exitFailure, err
	}
	fmt.Fprintf(a.stdout, "ingested %d records in %s: %d new versions, %d unchanged, %d quarantined\n",
		total.Records(), since(t0), total.New, total.Unchanged, total.Quarantined)
	t0 = time.Now()
	r, err := tour.Screen(ctx, at, a.log, screening.RankingRow)
	if err != nil {
		return exitFailure, err
	}
	st := r.Stats
	network := "a scan of the records"
	if st.Indexed {
		network = "the store's indexes"
	}
	fmt.Fprintf(a.stdout, "screened %d organisations in %s (network from %s %s, screening scan %s), ruleset %s\n\n",
		st.Screened, since(t0), network, st.ScanDecode.Round(time.Millisecond), st.Evaluate.Round(time.Millisecond), r.Ruleset)
	screening.Rank(r.Rows)
	screening.WriteRanking(a.stdout, r.Rows, *limit, a.now())
	printTour(a.stdout, r, a.now())
	return exitOK, nil
}

// printTour shows how many planted cases each indicator caught, and what
// Vaksam concluded about the organisations whose sources answer as the
// real services do, and whether that is what the rules say it must be.
func printTour(w io.Writer, r *demo.Result, now time.Time) {
	var parts []string
	for _, c := range r.Recall {
		parts = append(parts, fmt.Sprintf("%s %d/%d", c.ID, c.Caught, c.Planted))
	}
	fmt.Fprintf(w, "planted cases caught: %s\n", strings.Join(parts, ", "))
	fmt.Fprintf(w, "clean organisations with no hit and complete data: %d/%d\n", r.Clean, r.CleanTotal)
	if len(r.RealFormat) == 0 {
		return
	}
	fmt.Fprintln(w, "\nsources answering as the real services do:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tCASE\tORGNR\tNAME\tSTEP\tVERDICT\tHITS\tNOT CHECKED\tDATA")
	for i, row := range r.RealFormat {
		x := row.Assessment
		if x == nil {
			continue
		}
		name := x.Name
		if len([]rune(name)) > 28 {
			name = string([]rune(name)[:27]) + "…"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", i+1, row.Case.Kind, screening.DisplayOrg(x.Orgnr, now), name, x.Step, x.Verdict,
			orNone(row.Hits), orNone(row.KeyNotChecked()), row.Data())
	}
	tw.Flush()
	for i, row := range r.RealFormat {
		fmt.Fprintf(w, "%-3d%s\n", i+1, row.Case.What)
	}
	fmt.Fprintf(w, "assessed as the rules say: %d/%d\n", r.AsRulesSay, len(r.RealFormat))
	for i, row := range r.RealFormat {
		for _, d := range row.Wrong {
			fmt.Fprintf(w, "  %d %s: %s\n", i+1, row.Case.Kind, d)
		}
	}
}

// orNone joins ids, "-" for none.
func orNone(ids []string) string {
	if len(ids) == 0 {
		return "-"
	}
	return strings.Join(ids, " ")
}

func since(t time.Time) time.Duration { return time.Since(t).Round(time.Millisecond) }
