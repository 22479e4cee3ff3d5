package screening_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/sanctions"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/watchlist"
	"github.com/vaksam/vaksam/rules"
	defaultpack "github.com/vaksam/vaksam/rules/default"
)

const samples = "../../connectors/formats/testdata"

var sampleFiles = []struct{ source, file, orgnr string }{
	{"bolagsverket", "bolagsverket-organisationer.json", ""},
	{"bolagsverket", "bolagsverket-organisationer-finns-ej.json", ""},
	{"bolagsverket-bulk", "bolagsverket-bulkfil.txt", ""},
	{"bolagsverket-dokument", "bolagsverket-dokumentlista.json", "5591234561"},
	{"scb", "scb-hamtaforetag.json", ""},
	{"scb-bulk", "scb-bulkfil.txt", ""},
	{"kronofogden", "kronofogden.jsonl", ""},
	{"ivo", "ivo-tillstand.csv", ""},
	{"ivo-beslut", "ivo-beslut.jsonl", ""},
	{"roles", "roles.jsonl", ""},
	{"huvudman", "huvudman.jsonl", ""},
	{"naringsforbud", "naringsforbud.jsonl", ""},
	{"arbetsmiljoverket", "arbetsmiljoverket.jsonl", ""},
	{"contracts", "avtal.csv", ""},
	{"invoices", "fakturor.csv", ""},
}

func instant(t testing.TB, s string) time.Time {
	t.Helper()
	at, err := record.ParseInstant(s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

type fixture struct {
	st      *store.Store
	desk    *review.Desk
	sc      *screening.Screener
	in      *ingest.Ingester
	persons record.Pseudonymizer
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	return newFixtureIn(t, t.TempDir())
}

// newFixtureIn opens the store in dir (a restart when it was open before).
func newFixtureIn(t testing.TB, dir string) *fixture {
	t.Helper()
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	set, err := defaultpack.Load(rules.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	persons, _ := record.NewHMACPseudonymizer([]byte("engine tests: not a deployment secret"))
	desk := &review.Desk{Store: st}
	sc, err := screening.NewScreener(st, func() *rules.Set { return set }, screening.DefaultConfig(), desk.OnSave)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{st: st, desk: desk, in: &ingest.Ingester{Store: st}, persons: persons, sc: sc}
}

func (f *fixture) ingestFile(t testing.TB, source, path, orgnr string, observed time.Time) ingest.Counts {
	t.Helper()
	job := ingest.Job{Source: source, Observed: observed, Persons: f.persons}
	if orgnr != "" {
		job.Orgnr = ident.MustOrg(orgnr)
	}
	c, err := f.in.File(context.Background(), path, job)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fixture) ingestString(t testing.TB, source, data string, observed time.Time) {
	t.Helper()
	c, err := f.in.Reader(context.Background(), strings.NewReader(data), ingest.Job{Source: source, Name: source, Observed: observed, Persons: f.persons})
	if err != nil || c.Quarantined > 0 {
		t.Fatalf("ingest %s: %v, %+v", source, err, c)
	}
}

func (f *fixture) ingestSamples(t testing.TB, observed time.Time) {
	t.Helper()
	for _, s := range sampleFiles {
		if c := f.ingestFile(t, s.source, filepath.Join(samples, s.file), s.orgnr, observed); c.Quarantined > 0 {
			t.Fatalf("%s: %d quarantined", s.file, c.Quarantined)
		}
	}
	putList(t, f.st, observed)
}

// putList stores an import of the EU sanctions list observed at
// observed that lists nobody the samples or the synthetic population name:
// the sanctions source is then present and S18 checked (and quiet).
func putList(t testing.TB, st *store.Store, observed time.Time) {
	t.Helper()
	nobody := sanctions.Entity{List: sanctions.EU, ID: "EU.9999.1", Kind: sanctions.Person,
		Names: []sanctions.Name{{Full: "Quetzalcoatl Xylander-Vhoorn"}}, BirthDates: []string{"1931"}}
	v := record.ListVersion{SHA256: "00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee", File: "eu-test.xml"}
	if _, err := st.Put(watchlist.Snapshot(record.SanctionsEU, v, []sanctions.Entity{nobody}, observed)); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) screen(t testing.TB, orgnr string, at time.Time, save bool) *screening.Assessment {
	t.Helper()
	as, err := f.sc.Screen(context.Background(), []ident.Org{ident.MustOrg(orgnr)}, screening.Options{At: at, Save: save})
	if err != nil {
		t.Fatal(err)
	}
	return as[0]
}

func hitIDs(a *screening.Assessment) string {
	var ids []string
	for _, h := range a.Hits {
		ids = append(ids, h.ID)
	}
	sort.Strings(ids)
	return strings.Join(ids, " ")
}

// The acceptance case of the screening core: every sample ingested, the
// sample supplier screened the day after.
func TestSampleSupplier(t *testing.T) {
	f := newFixture(t)
	f.ingestSamples(t, instant(t, "2026-11-20"))
	a := f.screen(t, "559123-4561", instant(t, "2026-11-21"), false)
	if got, want := hitIDs(a), "C03 C04 S04 S05 S06 S15 S17 S20"; got != want {
		t.Errorf("hits %s, want %s", got, want)
	}
	if a.Verdict != screening.Block || a.Step != screening.L3 || a.Incomplete {
		t.Errorf("verdict %s step %s incomplete %v, want block L3 complete (missing %v)", a.Verdict, a.Step, a.Incomplete, a.Missing)
	}
	for _, h := range a.Hits {
		if len(h.Evidence) == 0 || h.Message.SV == "" || h.Message.EN == "" {
			t.Errorf("%s: evidence %v, message %+v", h.ID, h.Evidence, h.Message)
		}
	}
	// The trading ban is cited by its own record, which is stored under
	// the person, not the organisation.
	for _, h := range a.Hits {
		if h.ID != "S15" {
			continue
		}
		cited := false
		for _, e := range h.Evidence {
			cited = cited || e.Source == "naringsforbud" && e.Version == 1
		}
		if !cited {
			t.Errorf("S15 does not cite the trading-ban record: %+v", h.Evidence)
		}
	}
	if a.Name != "Omsorgshuset Norr AB" || !strings.HasPrefix(a.Ruleset, "default@") || len(a.Records) == 0 {
		t.Errorf("name %q ruleset %q records %d", a.Name, a.Ruleset, len(a.Records))
	}
}

// A screening as of a past time gives what it gave then, whatever arrived
// later; the stored assessment is the same document.
func TestPastScreeningIsReproducible(t *testing.T) {
	f := newFixture(t)
	f.ingestSamples(t, instant(t, "2026-11-20"))
	then := instant(t, "2026-11-21")
	first := f.screen(t, "5591234561", then, true)

	// The debts are paid and the ban is lifted a week later.
	f.ingestString(t, "kronofogden", `{"orgnr":"5591234561","per_datum":"2026-11-27","allmanna_mal":{"antal":0,"belopp_sek":0},"enskilda_mal":{"antal":0,"belopp_sek":0},"betalningsforelagganden_12m":0,"konkursansokan":false,"foretagsrekonstruktion":false,"dokument":"kfm.pdf"}`, instant(t, "2026-11-28"))

	again := f.screen(t, "5591234561", then, false)
	a, _ := json.Marshal(first)
	b, _ := json.Marshal(again)
	if string(a) != string(b) {
		t.Errorf("screening as of %s changed after later data:\nfirst %s\nagain %s", then, a, b)
	}
	later := f.screen(t, "5591234561", instant(t, "2026-11-29"), false)
	if strings.Contains(hitIDs(later), "S04") {
		t.Errorf("S04 still fires after the debt was paid: %s", hitIDs(later))
	}
	stored, err := f.sc.Assessments("5591234561")
	if err != nil || len(stored) != 1 {
		t.Fatalf("stored assessments: %d, %v", len(stored), err)
	}
	s, _ := json.Marshal(stored[0])
	if string(s) != string(a) {
		t.Errorf("stored assessment differs from the one returned:\n%s\n%s", s, a)
	}
}

func TestNoDataIsNeverClear(t *testing.T) {
	f := newFixture(t)
	a := f.screen(t, "5560021361", instant(t, "2026-11-21"), false)
	if a.Verdict != screening.Review || !a.Incomplete || len(a.Hits) != 0 {
		t.Fatalf("verdict %s incomplete %v hits %v, want review, incomplete", a.Verdict, a.Incomplete, a.Hits)
	}
	var sources []string
	for _, m := range a.Missing {
		if m.ID != "D01" {
			t.Errorf("missing %+v, want D01", m)
		}
		sources = append(sources, m.Source)
	}
	// No sanctions list imported: S18, critical, is not checked.
	if got := strings.Join(sources, " "); got != "bolagsverket kronofogden roles scb sanctions-eu" {
		t.Errorf("missing sources %q", got)
	}
	if len(a.NotChecked) == 0 {
		t.Error("no rule listed as not checked")
	}
}

func TestStaleAndFailingSources(t *testing.T) {
	f := newFixture(t)
	f.ingestSamples(t, instant(t, "2026-11-01"))
	a := f.screen(t, "5591234561", instant(t, "2026-11-21"), false)
	var got []string
	for _, m := range a.Missing {
		got = append(got, m.ID+":"+m.Source)
	}
	// Bolagsverket's window is 7 days, the sanctions lists' 2; SCB's,
	// roles' and Kronofogden's are longer.
	if strings.Join(got, " ") != "D01:bolagsverket D01:sanctions-eu" || !a.Incomplete {
		t.Errorf("missing %v, want D01:bolagsverket D01:sanctions-eu", a.Missing)
	}
	failed := `{"organisationer":[{"organisationsidentitet":{"identitetsbeteckning":"5591234561","typ":{"kod":"ORGNR","klartext":"Organisationsnummer"}},"namnskyddslopnummer":null,"organisationsnamn":{"organisationsnamnLista":null,"dataproducent":"Bolagsverket","fel":{"typ":"OTILLGANGLIG_UPPGIFTSKALLA","felBeskrivning":"Uppgiftskällan är inte tillgänglig."}},"registreringsland":null,"reklamsparr":null,"organisationsform":null,"avregistreradOrganisation":null,"avregistreringsorsak":null,"pagaendeAvvecklingsEllerOmstruktureringsforfarande":null,"juridiskForm":null,"verksamOrganisation":null,"organisationsdatum":null,"verksamhetsbeskrivning":null,"naringsgrenOrganisation":null,"postadressOrganisation":null}]}`
	f.ingestString(t, "bolagsverket", failed, instant(t, "2026-11-20"))
	a = f.screen(t, "5591234561", instant(t, "2026-11-21"), false)
	found := false
	for _, m := range a.Missing {
		found = found || m.ID == "D02" && m.Source == "bolagsverket"
	}
	if !found || a.Verdict == screening.Clear {
		t.Errorf("after a source error: missing %v verdict %s, want D02 bolagsverket", a.Missing, a.Verdict)
	}
}

// A whole-store screening that saves stores every assessment.
func TestScreenAllSaves(t *testing.T) {
	f := newFixture(t)
	f.ingestSamples(t, instant(t, "2026-11-20"))
	n := 0
	if _, err := f.sc.ScreenAll(context.Background(), screening.Options{At: instant(t, "2026-11-21"), Save: true}, 2, func(*screening.Assessment) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	for _, orgnr := range []string{"5591234561", "5560021361"} {
		got, err := f.sc.Assessments(orgnr)
		if err != nil || len(got) != 1 {
			t.Errorf("%s: %d stored assessments, %v", orgnr, len(got), err)
		}
	}
	if n < 3 {
		t.Errorf("%d assessments, want the sample organisations", n)
	}
}

// The freshest registry record is the one used: an old API record that
// shows an active company does not hide the bankruptcy a newer bulk file
// shows.
func TestFreshestRegistryRecordWins(t *testing.T) {
	f := newFixture(t)
	api, err := os.ReadFile(filepath.Join(samples, "bolagsverket-organisationer.json"))
	if err != nil {
		t.Fatal(err)
	}
	noKK := strings.Replace(string(api), `[{"kod":"KK","klartext":"Konkurs","fromDatum":"2025-11-03"}]`, `[]`, 1)
	if noKK == string(api) {
		t.Fatal("sample changed: no KK proceeding to remove")
	}
	f.ingestString(t, "bolagsverket", noKK, instant(t, "2026-01-10"))
	if a := f.screen(t, "5591234561", instant(t, "2026-01-11"), false); strings.Contains(hitIDs(a), "S06") {
		t.Fatalf("S06 fires before any record shows a bankruptcy: %s", hitIDs(a))
	}
	f.ingestFile(t, "bolagsverket-bulk", filepath.Join(samples, "bolagsverket-bulkfil.txt"), "", instant(t, "2026-06-01"))
	a := f.screen(t, "5591234561", instant(t, "2026-06-03"), false)
	if !strings.Contains(hitIDs(a), "S06") || a.Verdict != screening.Block {
		t.Errorf("after a newer bulk record with KK: hits %s verdict %s", hitIDs(a), a.Verdict)
	}
	for _, m := range a.Missing {
		if m.Source == "bolagsverket" {
			t.Errorf("bolagsverket reported missing although the bulk record is fresh: %+v", m)
		}
	}
}
