package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/synthetic"
	"github.com/vaksam/vaksam/rules"
	defaultpack "github.com/vaksam/vaksam/rules/default"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var now = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)

// fixture is a synthetic population, screened as of now with the
// built-in pack (alerts opened), and a few decisions on its alerts: an
// avropsstopp on the whole supplier, one with ground LOU 13:2, an alert
// closed by ingen_atgard and one closed without a decision.
type fixture struct {
	st   *store.Store
	desk *review.Desk
}

func newFixture(t *testing.T, orgs int) *fixture {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{Small: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	dir := t.TempDir()
	man, err := synthetic.Generate(dir, synthetic.Config{Seed: 7, Orgs: orgs, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	persons, _ := record.NewHMACPseudonymizer([]byte("report tests: not a deployment secret"))
	if c, err := man.Ingest(context.Background(), &ingest.Ingester{Store: st}, dir, persons); err != nil || c.Quarantined > 0 {
		t.Fatalf("ingest: %v, %d quarantined", err, c.Quarantined)
	}
	desk := &review.Desk{Store: st}
	set, err := defaultpack.Load(rules.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := screening.NewScreener(st, func() *rules.Set { return set }, screening.DefaultConfig(), desk.OnSave)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.ScreenAll(context.Background(), screening.Options{At: now, Save: true}, 1, func(*screening.Assessment) error { return nil }); err != nil {
		t.Fatal(err)
	}
	alerts, err := desk.Alerts(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) < 4 {
		t.Fatalf("the population opened %d alerts, want at least 4", len(alerts))
	}
	decide := func(a *review.Alert, kind ladder.DecisionKind, ground string, at time.Time) {
		t.Helper()
		_, err := desk.Decide(review.DecisionRequest{AlertID: a.ID, Kind: kind, DecidedBy: "u-koord", Justification: "rapporttest",
			Ground: ground, Evidence: review.Evidence{AssessmentAt: a.AssessedAt, Ruleset: a.Ruleset}}, at)
		if err != nil {
			t.Fatalf("%s on %s: %v", kind, a.ID, err)
		}
	}
	decide(alerts[0], review.Avropsstopp, review.GroundLOU133, now.Add(26*time.Hour))
	// A termination of the halted supplier's contracts: the supplier is
	// informed, answers, and the decision is approved after the answer.
	decide(alerts[0], review.Havning, review.GroundLOU131, now.Add(27*time.Hour))
	havning := alerts[0].ID + "-d2"
	informed := now.Add(28 * time.Hour)
	if _, err := desk.Inform(havning, "u-koord", informed, informed.AddDate(0, 0, 14), review.ChannelBrev, informed); err != nil {
		t.Fatal(err)
	}
	if _, err := desk.Respond(havning, "u-koord", informed.AddDate(0, 0, 3), "Vi bestrider.", nil, informed.AddDate(0, 0, 3)); err != nil {
		t.Fatal(err)
	}
	if _, err := desk.Approve(havning, "u-godk", informed.AddDate(0, 0, 4)); err != nil {
		t.Fatal(err)
	}
	decide(alerts[1], review.Avropsstopp, review.GroundLOU132, now.Add(50*time.Hour))
	decide(alerts[2], review.IngenAtgard, "", now.Add(74*time.Hour))
	if _, err := desk.Close(alerts[3].ID, "u-koord", "rapporttest", review.Finding{Outcome: review.OutcomeJustified}, now.Add(98*time.Hour)); err != nil {
		t.Fatal(err)
	}
	return &fixture{st: st, desk: desk}
}

// The period: the synthetic population's last year, and the days after
// the screening when the decisions were taken.
var opts = Options{From: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC),
	Municipality: "Exempelby kommun", Now: now.Add(120 * time.Hour)}

// independent recomputes the key figures straight from the stored
// records and the alerts' documents, not through the package's code.
type independent struct {
	spend      map[string][3]int64 // category → k.ö., other, none
	total      [3]int64
	suppliers  int
	opened     map[string]int // step → alerts opened in the period
	halts      int
	haltedSEK  int64
	decisions  int
	decided    int // alerts with a decision
	hearings   int
	closedNone int
	closedWith map[string]int // closed alerts per outcome
}

func recompute(t *testing.T, f *fixture) independent {
	t.Helper()
	from, end := opts.From, opts.To.AddDate(0, 0, 1)
	x := independent{spend: map[string][3]int64{}, opened: map[string]int{}}
	owners := map[string]string{}
	type inv struct {
		Date     string `json:"fakturadatum"`
		Amount   int64  `json:"belopp_sek"`
		Contract string `json:"avtal_id"`
		Category string `json:"kategori"`
		Orgnr    string `json:"orgnr"`
	}
	var invoices []inv
	type contract struct {
		ID, Orgnr, Owner string
		Value            int64
		Start, End       time.Time
	}
	var contracts []contract
	err := f.st.Scan(store.ScanOptions{At: end}, func(_ string, recs []store.Resolved) error {
		for _, r := range recs {
			if r.Current == nil {
				continue
			}
			var m map[string]any
			if err := json.Unmarshal(r.Current.Parsed, &m); err != nil {
				return err
			}
			switch r.ID.Source {
			case "contracts":
				owners[m["avtal_id"].(string)] = m["avtalsagare"].(string)
				s, _ := time.Parse(time.RFC3339, m["startdatum"].(string))
				e, _ := time.Parse(time.RFC3339, m["slutdatum"].(string))
				contracts = append(contracts, contract{m["avtal_id"].(string), m["orgnr"].(string), m["avtalsagare"].(string), int64(m["uppskattat_varde_sek"].(float64)), s, e})
			case "invoices":
				var i inv
				if err := json.Unmarshal(r.Current.Parsed, &i); err != nil {
					return err
				}
				invoices = append(invoices, i)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sups := map[string]bool{}
	for _, i := range invoices {
		d, err := time.Parse(time.RFC3339, i.Date)
		if err != nil {
			t.Fatal(err)
		}
		if d.Before(from) || !d.Before(end) {
			continue
		}
		col := 2
		if o, ok := owners[i.Contract]; ok && i.Contract != "" {
			col = 1
			if o == "stad" {
				col = 0
			}
		}
		s := x.spend[i.Category]
		s[col] += i.Amount
		x.spend[i.Category] = s
		x.total[col] += i.Amount
		sups[i.Orgnr] = true
	}
	x.suppliers = len(sups)
	alerts, err := f.desk.Alerts(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range alerts {
		if !a.OpenedAt.Before(from) && a.OpenedAt.Before(end) {
			x.opened[string(a.Step)]++
		}
		if a.State == review.Stangd && a.Outcome != "" {
			if x.closedWith == nil {
				x.closedWith = map[string]int{}
			}
			x.closedWith[a.Outcome]++
		}
		if a.State == review.Stangd && a.Outcome == "" {
			x.closedNone++
		}
	}
	decs, err := f.desk.AllDecisions(nil)
	if err != nil {
		t.Fatal(err)
	}
	alertsDecided := map[string]bool{}
	for _, d := range decs {
		x.decisions++
		alertsDecided[d.AlertID] = true
		if d.Hearing != nil && len(d.Hearing.Notices) > 0 {
			x.hearings++
		}
		if d.Kind == review.Avropsstopp {
			x.halts++
			for _, c := range contracts {
				if c.Orgnr == d.Orgnr && !c.Start.After(opts.To) && !c.End.Before(opts.To) {
					x.haltedSEK += c.Value
				}
			}
		}
	}
	x.decided = len(alertsDecided)
	return x
}

func TestReportFiguresAgreeWithTheStore(t *testing.T) {
	f := newFixture(t, 120)
	r, err := Compute(f.st, f.desk, opts)
	if err != nil {
		t.Fatal(err)
	}
	x := recompute(t, f)
	if len(x.spend) < 3 || x.total[0] == 0 || x.total[1] == 0 || x.total[2] == 0 {
		t.Fatalf("the fixture's purchasing is too thin to test: %v", x.total)
	}

	// JSON: the figures, in the seed's shape.
	var js bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var j struct {
		Categories []map[string]any `json:"inkop_per_kategori"`
		Total      map[string]any   `json:"inkop_totalt"`
		Suppliers  []map[string]any `json:"inkop_per_leverantor"`
		Steps      []Count          `json:"larm_per_steg"`
		Outcomes   []Count          `json:"larm_per_utfall"`
		Halts      []map[string]any `json:"avropsstopp"`
		HaltedSEK  int64            `json:"avropsstopp_avtalsvarde_sek"`
		Decisions  []DecisionCount  `json:"beslut"`
		Time       Durations        `json:"tid_till_beslut"`
		Hearings   []Hearing        `json:"kommuniceringar"`
		Kept       int              `json:"kommuniceringar_frist_respekterad"`
		Overdue    int              `json:"kommuniceringar_frist_passerad"`
	}
	if err := json.Unmarshal(js.Bytes(), &j); err != nil {
		t.Fatal(err)
	}
	if len(j.Categories) != len(x.spend) {
		t.Errorf("JSON has %d categories, the store %d", len(j.Categories), len(x.spend))
	}
	for _, c := range j.Categories {
		want := x.spend[c["kategori"].(string)]
		got := [3]int64{int64(c["ko_avtal_sek"].(float64)), int64(c["annat_avtal_sek"].(float64)), int64(c["utan_avtal_sek"].(float64))}
		if got != want || int64(c["totalt_sek"].(float64)) != want[0]+want[1]+want[2] {
			t.Errorf("category %v: JSON %v, store %v", c["kategori"], c, want)
		}
		if l := c["avtalstrohet"].(float64); l < 0 || l > 1 || abs(l-float64(want[0]+want[1])/float64(want[0]+want[1]+want[2])) > 1e-9 {
			t.Errorf("category %v: loyalty %v", c["kategori"], l)
		}
	}
	if got := [3]int64{int64(j.Total["ko_avtal_sek"].(float64)), int64(j.Total["annat_avtal_sek"].(float64)), int64(j.Total["utan_avtal_sek"].(float64))}; got != x.total {
		t.Errorf("total: JSON %v, store %v", got, x.total)
	}
	if len(j.Suppliers) != x.suppliers {
		t.Errorf("JSON has %d suppliers, the store %d invoicing in the period", len(j.Suppliers), x.suppliers)
	}
	for _, c := range j.Steps {
		if c.Count != x.opened[c.Key] {
			t.Errorf("alerts opened on %s: JSON %d, store %d", c.Key, c.Count, x.opened[c.Key])
		}
	}
	// The no-action decision closes without an outcome; the plain close
	// recorded befogat larm.
	if i := slices.IndexFunc(j.Outcomes, func(c Count) bool { return c.Key == NoOutcome }); i < 0 || j.Outcomes[i].Count != x.closedNone || x.closedNone != 1 {
		t.Errorf("alerts closed without outcome: JSON %v, store %d (want 1)", j.Outcomes, x.closedNone)
	}
	for _, o := range review.Outcomes {
		if i := slices.IndexFunc(j.Outcomes, func(c Count) bool { return c.Key == o }); i < 0 || j.Outcomes[i].Count != x.closedWith[o] {
			t.Errorf("alerts closed %s: JSON %v, store %d", o, j.Outcomes, x.closedWith[o])
		}
	}
	if x.closedWith[review.OutcomeJustified] != 1 {
		t.Errorf("store: %v closed with an outcome, want one befogat larm", x.closedWith)
	}
	if len(j.Halts) != x.halts || j.HaltedSEK != x.haltedSEK || x.halts != 2 {
		t.Errorf("halts: JSON %d covering %d SEK, store %d covering %d", len(j.Halts), j.HaltedSEK, x.halts, x.haltedSEK)
	}
	n := 0
	for _, d := range j.Decisions {
		n += d.Count
	}
	if n != x.decisions || j.Time.Count != x.decided {
		t.Errorf("decisions: JSON %d (%d alerts timed), store %d (%d alerts)", n, j.Time.Count, x.decisions, x.decided)
	}
	if len(j.Hearings) != x.hearings || x.hearings != 1 || j.Kept != 1 || j.Overdue != 0 ||
		j.Hearings[0].Status != review.HearingAnswered || j.Hearings[0].AnsweredAt.IsZero() {
		t.Errorf("hearings: JSON %+v (kept %d, overdue %d), store %d", j.Hearings, j.Kept, j.Overdue, x.hearings)
	}
	if !slices.Contains(j.Decisions, DecisionCount{Kind: "avropsstopp", Ground: "LOU 13:2", Count: 1}) {
		t.Errorf("decisions %v: no avropsstopp on LOU 13:2", j.Decisions)
	}

	// CSV: the same figures, read as Swedish Excel reads them.
	var cs bytes.Buffer
	if err := r.WriteCSV(&cs); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(cs.Bytes(), []byte("\xEF\xBB\xBF"+CSVHeader+"\r\n")) {
		t.Fatalf("CSV does not start with the BOM and the header: %q", cs.String()[:40])
	}
	cr := csv.NewReader(bytes.NewReader(cs.Bytes()[3:]))
	cr.Comma = ';'
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	csvSpend := map[string][3]int64{}
	col := map[string]int{"ko_avtal_sek": 0, "annat_avtal_sek": 1, "utan_avtal_sek": 2}
	for _, rec := range recs[1:] {
		if i, ok := col[rec[3]]; ok && rec[0] == "inkop_kategori" {
			v, err := strconv.ParseInt(rec[4], 10, 64)
			if err != nil {
				t.Fatalf("CSV amount %q: %v", rec[4], err)
			}
			s := csvSpend[rec[1]]
			s[i] = v
			csvSpend[rec[1]] = s
		}
		if rec[0] == "avropsstopp_totalt" && rec[3] == "avtalsvarde_sek" && rec[4] != strconv.FormatInt(x.haltedSEK, 10) {
			t.Errorf("CSV halted contract value %s, store %d", rec[4], x.haltedSEK)
		}
	}
	if len(csvSpend) != len(x.spend) {
		t.Errorf("CSV has %d categories, the store %d", len(csvSpend), len(x.spend))
	}
	for k, v := range x.spend {
		if csvSpend[k] != v {
			t.Errorf("category %s: CSV %v, store %v", k, csvSpend[k], v)
		}
	}

	// PDF: the same figures in its text.
	var pdf bytes.Buffer
	if err := r.WritePDF(&pdf); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	text := pdfText(t, pdf.Bytes())
	if text == "" {
		return
	}
	// The committee's table: categories as rows; k.ö. avtal, annat avtal,
	// utan avtal, totalt and avtalstrohet as columns.
	for _, want := range []string{"Inköpsområde K.ö. avtal Annat avtal Utan avtal Totalt Avtalstrohet", "Exempelby kommun", "Inköp per inköpsområde", "Avtalstrohet per inköpsområde", "Larm per steg", "Sida 1 av ",
		"Totalt " + Kronor(x.total[0]) + " " + Kronor(x.total[1]) + " " + Kronor(x.total[2]) + " " + Kronor(x.total[0]+x.total[1]+x.total[2]),
		"avtalsvärde " + Kronor(x.haltedSEK) + " kr"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q", want)
		}
	}
	for k, v := range x.spend {
		row := CategoryLabel(k) + " " + Kronor(v[0]) + " " + Kronor(v[1]) + " " + Kronor(v[2])
		if !strings.Contains(text, row) {
			t.Errorf("the PDF's text lacks the row %q", row)
		}
	}
	if m := regexp.MustCompile(`Sida \d+ av (\d+)`).FindStringSubmatch(text); m == nil || m[1] == "1" {
		t.Errorf("the PDF's pages are not numbered, or it has one page: %v", m)
	}

	// Golden files: the CSV and JSON of this fixed store.
	golden(t, "report.csv", cs.Bytes())
	golden(t, "report.json", js.Bytes())
}

// pdfText is the PDF's text as pdftotext reads it, with runs of spaces
// made one; "" (and the test says so) when pdftotext is not installed.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Log("pdftotext is not installed: the PDF's text is not checked")
		return ""
	}
	p := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(p, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", p, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update and review the diff)", name)
	}
}

func abs(x float64) float64 { return max(x, -x) }
