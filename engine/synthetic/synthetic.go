package synthetic

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/sanctions/match"
)

// Config selects the population.
type Config struct {
	Seed int64
	Orgs int       // 100 .. 1_000_000 organisations
	Now  time.Time // the reference "now"; all dates are relative to it; generator never reads the wall clock
}

// Step is one file to ingest, in order: the files are in the real formats so the importers load them.
type Step struct {
	Source   string    `json:"source"`          // record source name, e.g. "bolagsverket", "scb", "roles", "contracts"
	File     string    `json:"file"`            // path relative to the output dir
	Observed time.Time `json:"observed"`        // the observation time to ingest it with
	Orgnr    string    `json:"orgnr,omitempty"` // the organisation asked for, for answers that do not name it: bolagsverket-dokument, and a bolagsverket answer without organisationsidentitet
}

// Planted is an organisation built to trigger given indicators.
type Planted struct {
	Orgnr      string   `json:"orgnr"`
	Name       string   `json:"name"`
	Indicators []string `json:"indicators"` // the indicator ids this organisation was built to trigger (exactly these among S01-S20,C01-C05,P01-P04, as of Config.Now; S18 by the sanctions list, sanctions.go)
}

// Manifest describes a generated population.
type Manifest struct {
	Seed    int64
	Orgs    int
	Now     time.Time
	Steps   []Step    `json:"steps"`
	Planted []Planted `json:"planted"`
	Clean   []string  `json:"clean"` // some organisations built to trigger no indicator at all (with complete, fresh data)
	// Incomplete are organisations built like the clean ones except that
	// SCB's row withholds tax statuses the account has not ordered: their
	// assessments must be incomplete (S01 not checked), never clear.
	Incomplete []Incomplete `json:"incomplete"`
	// RealFormat are organisations whose sources answer as the real
	// services were seen to (shared/formats/README.md, "Corrections from
	// the real services"), each with what the rules must conclude.
	RealFormat []RealCase `json:"real_format"`
}

// Incomplete is an organisation whose SCB row leaves facts unknown.
type Incomplete struct {
	Orgnr string `json:"orgnr"`
	Name  string `json:"name"`
	// Unknown are the record.TaxStatus facts SCB withholds ("fskatt",
	// "moms", "employer") and how: "*" (not ordered) or the column left out.
	Unknown map[string]string `json:"unknown"`
}

// Kinds of RealCase.
const (
	// KindSCBOnly: Bolagsverket answers with its own facts (an ongoing
	// bankruptcy among them) and ORGANISATION_FINNS_EJ on the wrappers SCB
	// produces; SCB has no row for the company.
	KindSCBOnly = "scb-only-answer"
	// KindBulkModifiers: a bankrupt company known only from its row in
	// Bolagsverket's bulk file: ended proceedings with modifier codes
	// (FRUHOR-AVSLAVOMFO, KKAVOV-AVSLAVOMFO) and null dates, deregistered
	// with reason KKAV.
	KindBulkModifiers = "bulk-modifier-codes"
	// KindModifierBankruptcy: an S13 case whose board member sat on a
	// KindBulkModifiers company: its bankruptcy is one of the two.
	KindModifierBankruptcy = "modifier-code-bankruptcy"
	// KindTaxWithheld: SCB's row withholds tax statuses ("*" or no
	// column); also listed in Manifest.Incomplete.
	KindTaxWithheld = "tax-status-withheld"
	// KindUnknownBirthDate: the only board member has a samordningsnummer
	// with month 00 and day 60 (birth date unknown, year known).
	KindUnknownBirthDate = "unknown-birth-date"
	// KindUnknownBirthDateMember: an ordinary board member (beside a
	// chair) has a samordningsnummer with month 00 and/or day 60; nothing
	// to find.
	KindUnknownBirthDateMember = "unknown-birth-date-member"
	// KindWithoutIdentity: after good answers, Bolagsverket's newest
	// answer has "organisationsidentitet": null and
	// OTILLGANGLIG_UPPGIFTSKALLA on the fields it produces (Step.Orgnr
	// names the organisation asked for).
	KindWithoutIdentity = "answer-without-identity"
)

// RealCase is an organisation whose sources answer as the real services
// do, and the assessment the default rules must give it as of Now.
type RealCase struct {
	Kind  string `json:"kind"`
	Orgnr string `json:"orgnr"`
	Name  string `json:"name"` // Bolagsverket's name for it
	What  string `json:"what"` // what its sources say, in a line
	// BirthYear is, for the unknown-birth-date kinds, the year of birth
	// the samordningsnummer encodes (month and day may be unknown, the
	// year never is).
	BirthYear int     `json:"birth_year,omitempty"`
	Expect    Outcome `json:"expect"`
}

// Outcome is what an assessment concluded about an organisation, in the
// terms RealCase.Expect states it.
type Outcome struct {
	Step       ladder.Step    `json:"step"`
	Verdict    ladder.Verdict `json:"verdict"`
	Incomplete bool           `json:"incomplete"`
	// Hits are the indicators that fire: exactly these.
	Hits []string `json:"hits"`
	// NotChecked are rules that cannot be checked: at least these.
	NotChecked []string `json:"not_checked"`
	// Missing are the data-quality findings: exactly one per source
	// listed, its reason containing Reason.
	Missing []Missing `json:"missing"`
}

// Missing is a data-quality finding (D01 missing or stale, D02 source
// error) about one source.
type Missing struct {
	ID     string `json:"id"`
	Source string `json:"source"`
	Reason string `json:"reason"`
}

// Diff lists how got differs from the outcome c expects, nothing when it
// is as expected.
func (c RealCase) Diff(got Outcome) []string {
	want := c.Expect
	var out []string
	if got.Step != want.Step || got.Verdict != want.Verdict || got.Incomplete != want.Incomplete {
		out = append(out, fmt.Sprintf("step %s, verdict %s, incomplete %v; want %s, %s, %v",
			got.Step, got.Verdict, got.Incomplete, want.Step, want.Verdict, want.Incomplete))
	}
	if g, w := sortedSet(got.Hits), sortedSet(want.Hits); !slices.Equal(g, w) {
		out = append(out, fmt.Sprintf("hits %v, want %v", g, w))
	}
	for _, id := range want.NotChecked {
		if !slices.Contains(got.NotChecked, id) {
			out = append(out, fmt.Sprintf("%s was checked, want it not checked (not checked: %v)", id, got.NotChecked))
		}
	}
	if len(got.Missing) != len(want.Missing) {
		out = append(out, fmt.Sprintf("missing %v, want %v", got.Missing, want.Missing))
		return out
	}
	for _, m := range want.Missing {
		if !slices.ContainsFunc(got.Missing, func(g Missing) bool {
			return g.ID == m.ID && g.Source == m.Source && strings.Contains(g.Reason, m.Reason)
		}) {
			out = append(out, fmt.Sprintf("missing %v, want %s %s: …%s…", got.Missing, m.ID, m.Source, m.Reason))
		}
	}
	return out
}

func sortedSet(l []string) []string {
	s := slices.Clone(l)
	slices.Sort(s)
	return slices.Compact(s)
}

// ReadManifest reads the manifest Generate wrote into dir.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("synthetic: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("synthetic: %s: %w", filepath.Join(dir, "manifest.json"), err)
	}
	return &m, nil
}

// Generate writes the population's files into dir and returns the manifest (also written as dir/manifest.json).
func Generate(dir string, cfg Config) (*Manifest, error) {
	if cfg.Orgs < 1 || cfg.Orgs > 1_000_000 {
		return nil, fmt.Errorf("synthetic: Orgs %d out of range 1..1000000", cfg.Orgs)
	}
	if cfg.Now.IsZero() {
		return nil, fmt.Errorf("synthetic: Config.Now is required (the generator never reads the clock)")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	g := newGen(dir, cfg)
	g.plan()
	if err := g.planContracts(); err != nil {
		return nil, err
	}
	g.pickSanctionCandidates()
	if err := g.writeAll(); err != nil {
		return nil, err
	}
	m := &Manifest{Seed: cfg.Seed, Orgs: g.n, Now: cfg.Now}
	sort.SliceStable(g.steps, func(a, b int) bool {
		if !g.steps[a].Observed.Equal(g.steps[b].Observed) {
			return g.steps[a].Observed.Before(g.steps[b].Observed)
		}
		return sourceRank(g.steps[a].Source) < sourceRank(g.steps[b].Source)
	})
	m.Steps = g.steps
	m.Planted = g.planted
	m.Clean = g.clean
	m.Incomplete = g.incomplete
	sortReal(g.real)
	m.RealFormat = g.real
	b, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), append(b, '\n'), 0o644); err != nil {
		return nil, err
	}
	return m, nil
}

func sourceRank(s string) int {
	for i, n := range record.Sources {
		if n == s {
			return i
		}
	}
	return len(record.Sources)
}

// Salts separate the hash streams.
const (
	saltOrgOff uint64 = iota + 1
	saltPnrOff
	saltAddrOff
	saltPersonName
	saltBox
	saltBus
	saltForm
	saltContract
	saltCluster
	saltMove
	saltSample
	saltNoContract
	saltOldDecision
	saltBulk
	saltContractRNG
	saltMonth
	saltSupp
	saltUnknownBirth
	saltSanctions
)

// Snapshots of the Bolagsverket API, in days before now. The last is the
// fresh one that holds every organisation.
var snapDays = []int{400, 300, 200, 110, 30, 2}

const lastSnap = 5

type gen struct {
	cfg   Config
	dir   string
	seed  uint64
	today time.Time // calendar date of Now (UTC midnight)
	n     int       // total organisations
	per   int       // planted organisations per indicator

	specs  []spec
	specAt []int32 // org index -> spec index, -1 for background
	specIx []int   // spec index -> org index

	clusterBase int // person index bases
	specialBase int
	groupBase   int

	pcg *rand.PCG
	rng *rand.Rand

	contracts []*contract
	extraInv  []extraInvoice
	bigCat    int

	io       *asyncIO
	bulkRows int // ordinary rows of the bulk file written so far
	months   []month
	dates    []string // date string cache by day

	steps      []Step
	planted    []Planted
	clean      []string
	incomplete []Incomplete
	real       []RealCase
	bans       []ban

	// The sanctions list's candidates (sanctions.go).
	sancCands []*sanctionCand
	sancIx    *match.Index
}

func newGen(dir string, cfg Config) *gen {
	y, m, d := cfg.Now.UTC().Date()
	g := &gen{cfg: cfg, dir: dir, seed: uint64(cfg.Seed), today: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
	g.pcg = rand.NewPCG(g.seed, 0)
	g.rng = rand.New(g.pcg)
	return g
}

// mix is SplitMix64's finaliser over two words.
func mix(a, b uint64) uint64 {
	z := a*0x9E3779B97F4A7C15 + b*0xD1B54A32D192ED03 + 0x632BE59BD9B4E019
	z ^= z >> 30
	z *= 0xBF58476D1CE4E5B9
	z ^= z >> 27
	z *= 0x94D049BB133111EB
	z ^= z >> 31
	return z
}

func (g *gen) h(i int, salt uint64) uint64 { return mix(g.seed^(salt*0xA24BAED4963EE407), uint64(i)) }

func (g *gen) u(i int, salt uint64) float64 { return float64(g.h(i, salt)>>11) / (1 << 53) }

// rngFor reseeds the shared PCG for one organisation's (or contract's)
// private stream.
func (g *gen) rngFor(i int, salt uint64) *rand.Rand {
	g.pcg.Seed(g.seed^salt, uint64(i))
	return g.rng
}

func (g *gen) daysAgo(d int) time.Time { return g.today.AddDate(0, 0, -d) }

func (g *gen) observed(days int) time.Time {
	return g.cfg.Now.Add(-time.Duration(days) * 24 * time.Hour)
}

func (g *gen) snapDate(s int) time.Time { return g.daysAgo(snapDays[s]) }
