package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/synthetic"
	"github.com/vaksam/vaksam/rules"
	defaultpack "github.com/vaksam/vaksam/rules/default"
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
	filesDir := filepath.Join(dir, "files")
	t0 := time.Now()
	man, err := synthetic.Generate(filesDir, synthetic.Config{Seed: *seed, Orgs: *orgs, Now: at})
	if err != nil {
		return exitFailure, err
	}
	fmt.Fprintf(a.stdout, "generated %d organisations (seed %d) in %s: %d files\n", *orgs, *seed, since(t0), len(man.Steps))

	t0 = time.Now()
	st, err := store.Open(filepath.Join(dir, "store"), store.Options{})
	if err != nil {
		return exitFailure, err
	}
	defer st.Close()
	persons, err := record.NewHMACPseudonymizer([]byte("vaksam demo: not a deployment secret"))
	if err != nil {
		return exitFailure, err
	}
	total, err := man.Ingest(ctx, &ingest.Ingester{Store: st, BatchSize: 2048}, filesDir, persons)
	if err != nil {
		return exitFailure, err
	}
	fmt.Fprintf(a.stdout, "ingested %d records in %s: %d new versions, %d unchanged, %d quarantined\n",
		total.Records(), since(t0), total.New, total.Unchanged, total.Quarantined)

	set, err := defaultpack.Load(rules.Overrides{})
	if err != nil {
		return exitFailure, err
	}
	sc, err := screening.NewScreener(st, func() *rules.Set { return set }, screening.DefaultConfig(), (&review.Desk{Store: st, Log: a.log}).OnSave)
	if err != nil {
		return exitFailure, err
	}
	t0 = time.Now()
	var as []*screening.Assessment
	real := map[string]*screening.Assessment{}
	for _, c := range man.RealFormat {
		real[c.Orgnr] = nil
	}
	stats, err := sc.ScreenAll(ctx, screening.Options{At: at, Save: true}, 0, func(x *screening.Assessment) error {
		as = append(as, screening.RankingRow(x))
		if _, ok := real[x.Orgnr]; ok {
			real[x.Orgnr] = x
		}
		return nil
	})
	if err != nil {
		return exitFailure, err
	}
	fmt.Fprintf(a.stdout, "screened %d organisations in %s (scan and decode %s, network %s, evaluate %s), ruleset %s\n\n",
		stats.Screened, since(t0), stats.ScanDecode.Round(time.Millisecond), stats.Index.Round(time.Millisecond), stats.Evaluate.Round(time.Millisecond), set.Version())
	screening.Rank(as)
	screening.WriteRanking(a.stdout, as, *limit, a.now())
	printRecall(a.stdout, man, as)
	printRealFormat(a.stdout, man, real, a.now())
	return exitOK, nil
}

// printRealFormat shows what Vaksam concluded about the organisations
// whose sources answer as the real services do, and whether that is what
// the rules say it must be.
func printRealFormat(w io.Writer, man *synthetic.Manifest, byOrg map[string]*screening.Assessment, now time.Time) {
	if len(man.RealFormat) == 0 {
		return
	}
	fmt.Fprintln(w, "\nsources answering as the real services do:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tCASE\tORGNR\tNAME\tSTEP\tVERDICT\tHITS\tNOT CHECKED\tDATA")
	var wrong []string
	for i, c := range man.RealFormat {
		x := byOrg[c.Orgnr]
		if x == nil {
			wrong = append(wrong, fmt.Sprintf("%d %s: not screened", i+1, c.Kind))
			continue
		}
		got := outcomeOf(x)
		for _, d := range c.Diff(got) {
			wrong = append(wrong, fmt.Sprintf("%d %s: %s", i+1, c.Kind, d))
		}
		data := "complete"
		if x.Incomplete {
			var ms []string
			for _, m := range x.Missing {
				ms = append(ms, m.ID+" "+m.Source)
			}
			data = "incomplete: " + strings.Join(ms, ", ")
		}
		name := x.Name
		if len([]rune(name)) > 28 {
			name = string([]rune(name)[:27]) + "…"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", i+1, c.Kind, screening.DisplayOrg(x.Orgnr, now), name, x.Step, x.Verdict,
			orNone(got.Hits), keyNotChecked(x.NotChecked, c.Expect.NotChecked), data)
	}
	tw.Flush()
	for i, c := range man.RealFormat {
		fmt.Fprintf(w, "%-3d%s\n", i+1, c.What)
	}
	fmt.Fprintf(w, "assessed as the rules say: %d/%d\n", len(man.RealFormat)-countCases(wrong), len(man.RealFormat))
	for _, d := range wrong {
		fmt.Fprintf(w, "  %s\n", d)
	}
}

// outcomeOf is what an assessment concluded, as a synthetic.RealCase
// states it.
func outcomeOf(x *screening.Assessment) synthetic.Outcome {
	o := synthetic.Outcome{Step: x.Step, Verdict: x.Verdict, Incomplete: x.Incomplete, Hits: []string{}, NotChecked: x.NotChecked}
	for _, h := range x.Hits {
		o.Hits = append(o.Hits, h.ID)
	}
	for _, m := range x.Missing {
		o.Missing = append(o.Missing, synthetic.Missing{ID: m.ID, Source: m.Source, Reason: m.Reason})
	}
	return o
}

// orNone joins ids, "-" for none.
func orNone(ids []string) string {
	if len(ids) == 0 {
		return "-"
	}
	return strings.Join(ids, " ")
}

// keyNotChecked shows the rules not checked that the case is about, and
// how many others were not checked.
func keyNotChecked(got, key []string) string {
	var shown []string
	for _, id := range got {
		if slices.Contains(key, id) && len(shown) < 5 {
			shown = append(shown, id)
		}
	}
	if rest := len(got) - len(shown); rest > 0 {
		shown = append(shown, fmt.Sprintf("+%d other", rest))
	}
	return orNone(shown)
}

// countCases counts the distinct cases among lines "<n> <kind>: …".
func countCases(lines []string) int {
	seen := map[string]bool{}
	for _, l := range lines {
		n, _, _ := strings.Cut(l, " ")
		seen[n] = true
	}
	return len(seen)
}

func since(t time.Time) time.Duration { return time.Since(t).Round(time.Millisecond) }

// printRecall shows, per indicator, how many of the organisations planted
// to trigger it did.
func printRecall(w io.Writer, man *synthetic.Manifest, as []*screening.Assessment) {
	byOrg := map[string]*screening.Assessment{}
	for _, x := range as {
		byOrg[x.Orgnr] = x
	}
	planted, caught := map[string]int{}, map[string]int{}
	for _, p := range man.Planted {
		x := byOrg[p.Orgnr]
		for _, id := range p.Indicators {
			planted[id]++
			if x == nil {
				continue
			}
			for _, h := range x.Hits {
				if h.ID == id {
					caught[id]++
					break
				}
			}
		}
	}
	ids := make([]string, 0, len(planted))
	for id := range planted {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var parts []string
	for _, id := range ids {
		parts = append(parts, fmt.Sprintf("%s %d/%d", id, caught[id], planted[id]))
	}
	clean := 0
	for _, o := range man.Clean {
		if x := byOrg[o]; x != nil && len(x.Hits) == 0 && !x.Incomplete {
			clean++
		}
	}
	fmt.Fprintf(w, "planted cases caught: %s\n", strings.Join(parts, ", "))
	fmt.Fprintf(w, "clean organisations with no hit and complete data: %d/%d\n", clean, len(man.Clean))
}
