package screening_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/synthetic"
)

// marketSubjects counts the subjects with contracts or invoices: what
// computing the market statistics by decoding suppliers reads.
func marketSubjects(t *testing.T, f *fixture) int {
	t.Helper()
	seen := map[string]bool{}
	for _, src := range record.OwnSources {
		ids, err := f.st.SourceSubjects(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			seen[id] = true
		}
	}
	return len(seen)
}

// checkDeadline is serve's default deadline of a pre-award check
// (settings.DefaultCheckTimeout).
const checkDeadline = 2 * time.Second

// preAward checks one organisation as a pre-award check does, under the
// deadline serve gives a check, and returns the assessment and how many
// subjects it read.
func preAward(t *testing.T, f *fixture, org ident.Org, at time.Time) (*screening.Assessment, uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), checkDeadline)
	defer cancel()
	before := f.st.SubjectReads()
	as, err := f.sc.Screen(ctx, []ident.Org{org}, screening.Options{At: at, Purpose: screening.Award, Current: true, Trigger: screening.TriggerPreAward})
	if err != nil {
		t.Fatalf("pre-award check of %s within %s: %v", org.Redacted(), checkDeadline, err)
	}
	return as[0], f.st.SubjectReads() - before
}

// The first pre-award check after a contract is written, on a new day and
// after a restart reads the market statistics from the store's market
// index: it reads a handful of subjects (its own, its representatives'
// other organisations, their bans), never the hundreds of suppliers with
// contracts or invoices, and it sees the new contract.
func TestFirstPreAwardCheckDoesNotRebuildTheMarket(t *testing.T) {
	dir := t.TempDir()
	f := newFixtureIn(t, dir)
	gen := t.TempDir()
	now := instant(t, "2026-11-21")
	man, err := synthetic.Generate(gen, synthetic.Config{Seed: 7, Orgs: 3000, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := man.Ingest(context.Background(), f.in, gen, f.persons); err != nil || c.Quarantined > 0 {
		t.Fatalf("ingest: %v, %+v", err, c)
	}
	suppliers := marketSubjects(t, f)
	if suppliers < 300 {
		t.Fatalf("only %d suppliers with contracts or invoices: too few to show a rebuild", suppliers)
	}
	// The bound: what the check itself needs, far below a rebuild.
	const most = 60
	var c05 ident.Org
	for _, p := range man.Planted {
		if slices.Contains(p.Indicators, "C05") {
			c05 = ident.MustOrg(p.Orgnr)
			break
		}
	}
	if c05.IsZero() {
		t.Fatal("no planted C05 (a price outside its category's fences)")
	}
	clean := ident.MustOrg(man.Clean[0])
	at := now.Add(10 * time.Hour)

	// maxIndex bounds the market index entries the next check reads: all
	// of them once, to load the market book, then only those of the
	// records written since.
	maxIndex := uint64(1 << 62)
	check := func(when string, org ident.Org, at time.Time, hit bool) {
		t.Helper()
		indexBefore := f.st.MarketIndexReads()
		a, reads := preAward(t, f, org, at)
		if n := f.st.MarketIndexReads() - indexBefore; n > maxIndex {
			t.Errorf("%s: the check read %d entries of the market index, want at most %d", when, n, maxIndex)
		}
		if reads > most {
			t.Errorf("%s: the check read %d subjects (of %d suppliers with contracts or invoices), want at most %d", when, reads, suppliers, most)
		}
		if got := slices.ContainsFunc(a.Hits, func(h screening.Hit) bool { return h.ID == "C05" }); got != hit {
			t.Errorf("%s: %s C05 %v, want %v (hits %s, not checked %v)", when, org.Redacted(), got, hit, hitIDs(a), a.NotChecked)
		}
		if slices.Contains(a.NotChecked, "C05") {
			t.Errorf("%s: C05 not checked", when)
		}
	}
	check("first check", c05, at, true)
	if f.st.MarketIndexReads() < uint64(suppliers) {
		t.Fatalf("the first check read %d entries of the market index, fewer than the %d suppliers: no book loaded?", f.st.MarketIndexReads(), suppliers)
	}
	maxIndex = 0
	check("warm check", clean, at.Add(time.Minute), false)
	// What the contract write below adds: its one entry.
	maxIndex = 1

	// A contract far above its category's prices: the clean supplier now
	// stands out, and the check after the write sees it.
	f.ingestString(t, "contracts", "avtal_id;orgnr;leverantor;kategori;avtalsagare;startdatum;slutdatum;uppskattat_varde_sek;platser;dygnspris_sek;adress\n"+
		"ASN-X-1;"+clean.String()+";Test AB;hvb_barn;skanes_kommuner;2026-01-01;2027-12-31;1000000;4;99999;Storgatan 1, 21111 Malmö\n", at.Add(2*time.Minute))
	check("after a contract was written", clean, at.Add(3*time.Minute), true)

	// Registry records written (a pre-award refresh) leave the statistics
	// valid; a new day does not.
	maxIndex = 0
	check("the next day", c05, at.Add(24*time.Hour), true)

	// A restart: the store is opened again, the screener is new. Serve
	// loads the market book at its start (WarmMarket): the first check
	// reads no entry of the index.
	f.st.Close()
	f = newFixtureIn(t, dir)
	if err := f.st.WarmMarket(context.Background()); err != nil {
		t.Fatal(err)
	}
	check("after a restart", c05, at.Add(25*time.Hour), true)
	check("after a restart, the new contract", clean, at.Add(25*time.Hour), true)
}

// countdown is a context whose deadline passes after a number of
// questions: deterministic, whatever the machine's speed.
type countdown struct {
	context.Context
	left atomic.Int64
}

func (c *countdown) Err() error {
	if c.left.Add(-1) < 0 {
		return context.DeadlineExceeded
	}
	return nil
}

// A check whose deadline passes while its profile is built stops reading
// the store at once and answers with the deadline's error.
func TestPreAwardCheckStopsAtItsDeadline(t *testing.T) {
	f, man := syntheticFixture(t, 300)
	org := ident.MustOrg(man.Clean[0])
	at := instant(t, "2026-11-21")
	// A whole check asks its context a dozen times: the deadline passes
	// at each of them in turn.
	for n := int64(1); n < 12; n++ {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			ctx := &countdown{Context: context.Background()}
			ctx.left.Store(n)
			_, err := f.sc.Screen(ctx, []ident.Org{org}, screening.Options{At: at.Add(time.Duration(n) * time.Hour), Purpose: screening.Award, Current: true})
			if !errors.Is(err, context.DeadlineExceeded) || err != context.DeadlineExceeded {
				t.Fatalf("a check past its deadline: %v, want %v", err, context.DeadlineExceeded)
			}
			// Once past it, nothing more is read.
			before := f.st.SubjectReads()
			ctx.left.Store(-1 << 30)
			if _, err := f.sc.Screen(ctx, []ident.Org{org}, screening.Options{At: at, Purpose: screening.Award, Current: true}); err != context.DeadlineExceeded {
				t.Fatalf("a check begun past its deadline: %v", err)
			}
			if reads := f.st.SubjectReads() - before; reads > 0 {
				t.Errorf("a check past its deadline read %d subjects", reads)
			}
		})
	}
}
