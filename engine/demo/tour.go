package demo

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sort"
	"strings"
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

// Tour is `vaksam demo`, the README's tour: a synthetic population
// generated as files in the sources' formats (Generate), ingested through
// the importers into a store of its own (Ingest), and screened with the
// built-in rule pack (Screen). Close closes its store.
type Tour struct {
	Dir      string // the files (Dir/files) and the store (Dir/store)
	Manifest *synthetic.Manifest
	st       *store.Store
}

// Generate writes the population of orgs organisations from seed, as of at,
// below dir.
func Generate(dir string, seed int64, orgs int, at time.Time) (*Tour, error) {
	man, err := synthetic.Generate(filepath.Join(dir, "files"), synthetic.Config{Seed: seed, Orgs: orgs, Now: at})
	if err != nil {
		return nil, err
	}
	return &Tour{Dir: dir, Manifest: man}, nil
}

// Ingest opens the tour's store and ingests the files into it, with a
// pseudonym key that is no deployment's.
func (t *Tour) Ingest(ctx context.Context) (ingest.Counts, error) {
	st, err := store.Open(filepath.Join(t.Dir, "store"), store.Options{})
	if err != nil {
		return ingest.Counts{}, err
	}
	t.st = st
	persons, err := record.NewHMACPseudonymizer([]byte("vaksam demo: not a deployment secret"))
	if err != nil {
		return ingest.Counts{}, err
	}
	return t.Manifest.Ingest(ctx, &ingest.Ingester{Store: st, BatchSize: 2048}, filepath.Join(t.Dir, "files"), persons)
}

// Close closes the store.
func (t *Tour) Close() error {
	if t.st == nil {
		return nil
	}
	return t.st.Close()
}

// Result is what the tour's screening found.
type Result struct {
	Stats   screening.Stats
	Ruleset string
	// Rows are every assessment as row made it, for the ranked table.
	Rows []*screening.Assessment
	// Recall is, per indicator in id order, how many organisations
	// planted to trigger it did.
	Recall []Recall
	// Clean counts the organisations built to trigger nothing that have
	// no hit and complete data, of CleanTotal.
	Clean, CleanTotal int
	// RealFormat are the organisations whose sources answer as the real
	// services do, in the manifest's order, with what was concluded.
	RealFormat []RealRow
	// AsRulesSay counts the real-format cases assessed as the rules say.
	AsRulesSay int
}

// Recall is an indicator's planted cases and how many it caught.
type Recall struct {
	ID              string
	Caught, Planted int
}

// RealRow is a real-format case and its assessment (nil: not screened).
type RealRow struct {
	Case       synthetic.RealCase
	Assessment *screening.Assessment
	Hits       []string // the hits' ids
	Wrong      []string // how the assessment differs from what the rules say
}

// Screen screens every organisation as of at with the built-in rule pack
// and saves; row makes each assessment's row in Result.Rows (what the
// ranked table needs of it).
func (t *Tour) Screen(ctx context.Context, at time.Time, log *slog.Logger, row func(*screening.Assessment) *screening.Assessment) (*Result, error) {
	set, err := defaultpack.Load(rules.Overrides{})
	if err != nil {
		return nil, err
	}
	sc, err := screening.NewScreener(t.st, func() *rules.Set { return set }, screening.DefaultConfig(), (&review.Desk{Store: t.st, Log: log}).OnSave)
	if err != nil {
		return nil, err
	}
	r := &Result{Ruleset: set.Version()}
	real := map[string]*screening.Assessment{}
	for _, c := range t.Manifest.RealFormat {
		real[c.Orgnr] = nil
	}
	r.Stats, err = sc.ScreenAll(ctx, screening.Options{At: at, Save: true}, 0, func(x *screening.Assessment) error {
		r.Rows = append(r.Rows, row(x))
		if _, ok := real[x.Orgnr]; ok {
			real[x.Orgnr] = x
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	r.recall(t.Manifest)
	r.realFormat(t.Manifest, real)
	return r, nil
}

// recall counts, per indicator, the organisations planted to trigger it
// that did, and the clean organisations that stayed clean.
func (r *Result) recall(man *synthetic.Manifest) {
	byOrg := map[string]*screening.Assessment{}
	for _, x := range r.Rows {
		byOrg[x.Orgnr] = x
	}
	planted, caught := map[string]int{}, map[string]int{}
	for _, p := range man.Planted {
		x := byOrg[p.Orgnr]
		for _, id := range p.Indicators {
			planted[id]++
			if x != nil && slices.ContainsFunc(x.Hits, func(h screening.Hit) bool { return h.ID == id }) {
				caught[id]++
			}
		}
	}
	ids := make([]string, 0, len(planted))
	for id := range planted {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		r.Recall = append(r.Recall, Recall{ID: id, Caught: caught[id], Planted: planted[id]})
	}
	r.CleanTotal = len(man.Clean)
	for _, o := range man.Clean {
		if x := byOrg[o]; x != nil && len(x.Hits) == 0 && !x.Incomplete {
			r.Clean++
		}
	}
}

// realFormat compares what was concluded about each real-format case with
// what the rules say it must be.
func (r *Result) realFormat(man *synthetic.Manifest, byOrg map[string]*screening.Assessment) {
	for _, c := range man.RealFormat {
		row := RealRow{Case: c, Assessment: byOrg[c.Orgnr]}
		if row.Assessment == nil {
			row.Wrong = []string{"not screened"}
		} else {
			got := outcomeOf(row.Assessment)
			row.Hits, row.Wrong = got.Hits, c.Diff(got)
		}
		if len(row.Wrong) == 0 {
			r.AsRulesSay++
		}
		r.RealFormat = append(r.RealFormat, row)
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

// KeyNotChecked shows the rules not checked that the case is about (five at
// most), and how many others were not checked.
func (row RealRow) KeyNotChecked() []string {
	var shown []string
	for _, id := range row.Assessment.NotChecked {
		if slices.Contains(row.Case.Expect.NotChecked, id) && len(shown) < 5 {
			shown = append(shown, id)
		}
	}
	if rest := len(row.Assessment.NotChecked) - len(shown); rest > 0 {
		shown = append(shown, fmt.Sprintf("+%d other", rest))
	}
	return shown
}

// Data says whether the case's data was complete, or what was missing.
func (row RealRow) Data() string {
	x := row.Assessment
	if !x.Incomplete {
		return "complete"
	}
	var ms []string
	for _, m := range x.Missing {
		ms = append(ms, m.ID+" "+m.Source)
	}
	return "incomplete: " + strings.Join(ms, ", ")
}
