package report

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/store"
)

// Agreement owners (avtalsagare) as the contracts name them.
const (
	OwnerCity = "stad" // the city-wide agreements: "k.ö. avtal"
)

// PIndicators are the purchasing indicators the report counts.
var PIndicators = []string{"P01", "P02", "P03", "P04"}

// NoOutcome is the outcome of an alert closed before outcomes were
// recorded (Alert.Outcome ""), and of the alerts still open.
const NoOutcome = "ej_angivet"

// Options say what the report covers.
type Options struct {
	// From and To are the period's first and last day (inclusive); only
	// their dates in Sweden count, and the days are Sweden's.
	From, To time.Time
	// Municipality is the name the report is made for.
	Municipality string
	// Now is when the report is made.
	Now time.Time
}

// Spend is what was invoiced in one row: on the city-wide agreements
// (k.ö. avtal), on other agreements (the committee's own, Skånes
// kommuners, Adda's), and without contract; Loyalty (avtalstrohet) is on
// contract / total, 0 when nothing was invoiced.
type Spend struct {
	CitySEK    int64   `json:"ko_avtal_sek"`
	OtherSEK   int64   `json:"annat_avtal_sek"`
	NoneSEK    int64   `json:"utan_avtal_sek"`
	TotalSEK   int64   `json:"totalt_sek"`
	Loyalty    float64 `json:"avtalstrohet"`
	Invoices   int     `json:"fakturor"`
	Category   string  `json:"kategori,omitempty"`
	Orgnr      string  `json:"orgnr,omitempty"`
	Supplier   string  `json:"leverantor,omitempty"`
	categories map[string]bool
}

func (s *Spend) add(amount int64, owner string, onContract bool) {
	switch {
	case !onContract:
		s.NoneSEK += amount
	case owner == OwnerCity:
		s.CitySEK += amount
	default:
		s.OtherSEK += amount
	}
	s.TotalSEK += amount
	s.Invoices++
}

func (s *Spend) finish() {
	s.Loyalty = 0
	if s.TotalSEK != 0 {
		s.Loyalty = float64(s.CitySEK+s.OtherSEK) / float64(s.TotalSEK)
	}
}

// Count is a number of something named.
type Count struct {
	Key   string `json:"nyckel"`
	Count int    `json:"antal"`
}

// Finding is one P-indicator's findings in the period: the suppliers an
// assessment in the period hit with it.
type Finding struct {
	Indicator string   `json:"indikator"`
	Suppliers int      `json:"leverantorer"`
	Orgnrs    []string `json:"orgnr"`
}

// DecisionCount is the confirmed decisions of one kind on one ground.
type DecisionCount struct {
	Kind   string `json:"beslut"`
	Ground string `json:"grund"`
	Count  int    `json:"antal"`
}

// Hearing is one hearing (kommunicering) whose notice was given in the
// period, and where it stood at the period's end.
type Hearing struct {
	Decision   string    `json:"beslut_id"`
	Orgnr      string    `json:"orgnr"`
	Kind       string    `json:"beslut"`
	InformedAt time.Time `json:"informerad"`
	Deadline   time.Time `json:"svarsfrist"`
	AnsweredAt time.Time `json:"besvarad,omitzero"`
	// Status: review's hearing status at the period's end (besvarad,
	// frist_utgangen, vantar_svar, underrattelse_ogiltig).
	Status string `json:"status"`
	// Kept: the decision waited for the time limit: it took effect after
	// the answer or the deadline, or has not taken effect.
	Kept bool `json:"frist_respekterad"`
}

// Halt is a call-off halt (avropsstopp) in force at the period's end.
type Halt struct {
	Decision    string    `json:"beslut_id"`
	Orgnr       string    `json:"orgnr"`
	Name        string    `json:"namn"`
	Since       time.Time `json:"sedan"`
	Contracts   []string  `json:"avtal"`
	ContractSEK int64     `json:"avtalsvarde_sek"`
}

// Durations are the days from an alert's opening to its first confirmed
// decision, for the decisions taken in the period.
type Durations struct {
	Count      int     `json:"antal"`
	MedianDays float64 `json:"median_dagar"`
	P90Days    float64 `json:"p90_dagar"`
}

// Report is the committee's report for a period.
type Report struct {
	Municipality string    `json:"kommun"`
	From         time.Time `json:"fran"`
	To           time.Time `json:"till"`
	Made         time.Time `json:"skapad"`

	Categories []Spend `json:"inkop_per_kategori"`
	Total      Spend   `json:"inkop_totalt"`
	Suppliers  []Spend `json:"inkop_per_leverantor"`

	Findings        []Finding       `json:"p_fynd"`
	Screened        int             `json:"screenade_leverantorer"`
	AlertsByStep    []Count         `json:"larm_per_steg"`
	AlertsByOutcome []Count         `json:"larm_per_utfall"`
	Decisions       []DecisionCount `json:"beslut"`
	Hearings        []Hearing       `json:"kommuniceringar"`
	HearingsKept    int             `json:"kommuniceringar_frist_respekterad"`
	HearingsOverdue int             `json:"kommuniceringar_frist_passerad"`
	Halts           []Halt          `json:"avropsstopp"`
	HaltedSEK       int64           `json:"avropsstopp_avtalsvarde_sek"`
	TimeToDecision  Durations       `json:"tid_till_beslut"`
}

// day is the start of t's day in Sweden.
func day(t time.Time) time.Time {
	y, m, d := t.In(record.Stockholm).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, record.Stockholm)
}

// Period is the period's bounds: from its first day's start to the start
// of the day after its last (exclusive).
func (o Options) Period() (from, end time.Time) {
	return day(o.From), day(o.To).AddDate(0, 0, 1)
}

// date is t's date in Sweden, ISO 8601.
func date(t time.Time) string { return t.In(record.Stockholm).Format(time.DateOnly) }

func in(t, from, end time.Time) bool { return !t.Before(from) && t.Before(end) }

// Compute makes the report for the period from the store and the desk's
// alerts and decisions.
func Compute(st *store.Store, desk *review.Desk, o Options) (*Report, error) {
	from, end := o.Period()
	if !from.Before(end) {
		return nil, fmt.Errorf("report: the period ends (%s) before it starts (%s)", date(o.To), date(from))
	}
	r := &Report{Municipality: o.Municipality, From: from, To: day(o.To), Made: o.Now.UTC(),
		Categories: []Spend{}, Suppliers: []Spend{}, Decisions: []DecisionCount{}, Hearings: []Hearing{}, Halts: []Halt{}}
	// The records as they are known when the report is made: an invoice
	// of the period that arrived after it counts.
	asOf := end
	if o.Now.After(asOf) {
		asOf = o.Now
	}
	contracts, err := r.purchasing(st, from, end, asOf)
	if err != nil {
		return nil, err
	}
	if err := r.screening(st, from, end); err != nil {
		return nil, err
	}
	if err := r.review(desk, contracts, from, end); err != nil {
		return nil, err
	}
	return r, nil
}

// readRecords reads every contract and invoice as of a time.
func readRecords(st *store.Store, at time.Time) (map[string]record.Contract, []record.Invoice, error) {
	contracts := map[string]record.Contract{}
	var invoices []record.Invoice
	only := func(id store.RecordID) bool { return id.Source == record.Contracts || id.Source == record.Invoices }
	err := st.Scan(store.ScanOptions{At: at, Only: only}, func(_ string, recs []store.Resolved) error {
		for _, r := range recs {
			if r.Current == nil {
				continue
			}
			switch r.ID.Source {
			case record.Contracts:
				var c record.Contract
				if err := json.Unmarshal(r.Current.Parsed, &c); err != nil {
					return fmt.Errorf("contract %s: %w", r.ID, err)
				}
				contracts[c.ID] = c
			case record.Invoices:
				var inv record.Invoice
				if err := json.Unmarshal(r.Current.Parsed, &inv); err != nil {
					return fmt.Errorf("invoice %s: %w", r.ID, err)
				}
				invoices = append(invoices, inv)
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("report: reading contracts and invoices: %w", err)
	}
	return contracts, invoices, nil
}

// purchasing sums the invoices dated in the period, as known at asOf,
// per category and per supplier. An invoice is on contract when it names a stored contract;
// its category is its own, or its contract's when it names none.
func (r *Report) purchasing(st *store.Store, from, end, asOf time.Time) (map[string]record.Contract, error) {
	contracts, invoices, err := readRecords(st, asOf)
	if err != nil {
		return nil, err
	}
	cats := map[string]*Spend{}
	sups := map[string]*Spend{}
	for _, inv := range invoices {
		if !in(inv.Date, from, end) {
			continue
		}
		c, on := contracts[inv.ContractID]
		on = on && inv.ContractID != ""
		cat := inv.Category
		if cat == "" {
			cat = c.Category
		}
		cs := cats[cat]
		if cs == nil {
			cs = &Spend{Category: cat}
			cats[cat] = cs
		}
		cs.add(inv.AmountSEK, c.Owner, on)
		r.Total.add(inv.AmountSEK, c.Owner, on)
		ss := sups[inv.Orgnr]
		if ss == nil {
			ss = &Spend{Orgnr: inv.Orgnr, categories: map[string]bool{}}
			sups[inv.Orgnr] = ss
		}
		if ss.Supplier == "" {
			ss.Supplier = cmp.Or(inv.Supplier, c.Supplier)
		}
		ss.categories[cat] = true
		ss.add(inv.AmountSEK, c.Owner, on)
	}
	r.Total.finish()
	for _, s := range cats {
		s.finish()
		r.Categories = append(r.Categories, *s)
	}
	for _, s := range sups {
		s.finish()
		if len(s.categories) == 1 {
			for c := range s.categories {
				s.Category = c
			}
		}
		s.categories = nil
		r.Suppliers = append(r.Suppliers, *s)
	}
	// The largest first, as the committee's table lists them.
	byTotal := func(a, b Spend) int {
		return cmp.Or(cmp.Compare(b.TotalSEK, a.TotalSEK), cmp.Compare(a.Category, b.Category), cmp.Compare(a.Orgnr, b.Orgnr))
	}
	slices.SortFunc(r.Categories, byTotal)
	slices.SortFunc(r.Suppliers, byTotal)
	return contracts, nil
}

// screening counts the suppliers assessed in the period and those an
// assessment in the period hit with a P indicator.
func (r *Report) screening(st *store.Store, from, end time.Time) error {
	subjects, err := st.AssessedSubjects()
	if err != nil {
		return fmt.Errorf("report: assessed suppliers: %w", err)
	}
	found := map[string][]string{}
	for _, s := range subjects {
		screened := false
		hit := map[string]bool{}
		err := st.Assessments(s, func(at time.Time, data []byte) error {
			if !in(at, from, end) {
				return nil
			}
			screened = true
			var a struct {
				Hits []struct {
					ID string `json:"id"`
				} `json:"hits"`
			}
			if err := json.Unmarshal(data, &a); err != nil {
				return fmt.Errorf("assessment at %s: %w", at.Format(time.RFC3339), err)
			}
			for _, h := range a.Hits {
				hit[h.ID] = true
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("report: assessments of a supplier: %w", err)
		}
		if screened {
			r.Screened++
		}
		for _, p := range PIndicators {
			if hit[p] {
				found[p] = append(found[p], s)
			}
		}
	}
	for _, p := range PIndicators {
		r.Findings = append(r.Findings, Finding{Indicator: p, Suppliers: len(found[p]), Orgnrs: append([]string{}, found[p]...)})
	}
	return nil
}

// review counts the alerts opened in the period by step and those closed
// in it by outcome, the decisions that took effect in it, the hearings
// whose notice was given in it, the halts in force at its end and the
// time from alert to decision.
func (r *Report) review(desk *review.Desk, contracts map[string]record.Contract, from, end time.Time) error {
	alerts, err := desk.Alerts(nil)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	decisions, err := desk.AllDecisions(nil)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	steps := map[string]int{}
	outcomes := map[string]int{}
	opened := map[string]time.Time{}
	for _, a := range alerts {
		opened[a.ID] = a.OpenedAt
		if in(a.OpenedAt, from, end) {
			steps[string(a.Step)]++
		}
		if !a.Open() && in(a.ClosedAt, from, end) {
			outcomes[cmp.Or(a.Outcome, NoOutcome)]++
		}
	}
	r.AlertsByStep = counts(steps, stepOrder())
	r.AlertsByOutcome = counts(outcomes, append(slices.Clone(review.Outcomes), NoOutcome))

	kinds := map[[2]string]int{}
	first := map[string]time.Time{}
	last := end.Add(-time.Nanosecond)
	for _, d := range decisions {
		if d.Status == review.Bekraftad && in(d.EffectiveAt(), from, end) {
			kinds[[2]string{string(d.Kind), d.GroundText()}]++
			if f, ok := first[d.AlertID]; !ok || d.EffectiveAt().Before(f) {
				first[d.AlertID] = d.EffectiveAt()
			}
		}
		if n := d.Hearing.Notice(); n != nil && in(n.InformedAt, from, end) {
			h := Hearing{Decision: d.ID, Orgnr: d.Orgnr, Kind: string(d.Kind), InformedAt: n.InformedAt, Deadline: n.Deadline,
				Status: desk.HearingStatus(d, last)}
			for _, resp := range d.Hearing.Responses {
				if resp.Notice == n.N && (h.AnsweredAt.IsZero() || resp.ReceivedAt.Before(h.AnsweredAt)) {
					h.AnsweredAt = resp.ReceivedAt
				}
			}
			waitedUntil := n.Deadline
			if !h.AnsweredAt.IsZero() && h.AnsweredAt.Before(waitedUntil) {
				waitedUntil = h.AnsweredAt
			}
			h.Kept = d.Status != review.Bekraftad || !d.EffectiveAt().Before(waitedUntil)
			if h.Kept {
				r.HearingsKept++
			} else {
				r.HearingsOverdue++
			}
			r.Hearings = append(r.Hearings, h)
		}
		if d.Kind == review.Avropsstopp && d.Status == review.Bekraftad && d.EffectiveAt().Before(end) &&
			(d.LiftedAt.IsZero() || !d.LiftedAt.Before(end)) {
			h := Halt{Decision: d.ID, Orgnr: d.Orgnr, Name: d.Name, Since: d.EffectiveAt(), Contracts: haltedContracts(d, contracts, last)}
			for _, id := range h.Contracts {
				h.ContractSEK += contracts[id].EstimatedSEK
			}
			r.HaltedSEK += h.ContractSEK
			r.Halts = append(r.Halts, h)
		}
	}
	for k, n := range kinds {
		r.Decisions = append(r.Decisions, DecisionCount{Kind: k[0], Ground: k[1], Count: n})
	}
	slices.SortFunc(r.Decisions, func(a, b DecisionCount) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Ground, b.Ground))
	})
	var days []float64
	for id, t := range first {
		if o, ok := opened[id]; ok {
			days = append(days, t.Sub(o).Hours()/24)
		}
	}
	r.TimeToDecision = durations(days)
	return nil
}

// haltedContracts are the contracts a halt names, or when it names none
// every contract of the supplier in force at t.
func haltedContracts(d *review.Decision, contracts map[string]record.Contract, t time.Time) []string {
	if len(d.Contracts) > 0 {
		return slices.Clone(d.Contracts)
	}
	out := []string{}
	for id, c := range contracts {
		if c.Orgnr == d.Orgnr && !c.Start.After(t) && (c.End.IsZero() || !c.End.Before(day(t))) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// counts lists the counts in order, then any other key in key order.
func counts(m map[string]int, order []string) []Count {
	out := []Count{}
	for _, k := range order {
		out = append(out, Count{Key: k, Count: m[k]})
	}
	var rest []string
	for k := range m {
		if !slices.Contains(order, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	for _, k := range rest {
		out = append(out, Count{Key: k, Count: m[k]})
	}
	return out
}

// durations are the median and the 90th percentile (nearest rank) of
// days, rounded to tenths.
func durations(days []float64) Durations {
	if len(days) == 0 {
		return Durations{}
	}
	slices.Sort(days)
	rank := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(days)))) - 1
		return math.Round(days[max(i, 0)]*10) / 10
	}
	med := days[len(days)/2]
	if len(days)%2 == 0 {
		med = (days[len(days)/2-1] + days[len(days)/2]) / 2
	}
	return Durations{Count: len(days), MedianDays: math.Round(med*10) / 10, P90Days: rank(0.9)}
}

// WriteJSON writes the report as one indented JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	if err := e.Encode(r); err != nil {
		return fmt.Errorf("report: json: %w", err)
	}
	return nil
}

// stepOrder is the alert steps, from L2 (the lowest that opens an alert).
func stepOrder() []string {
	var out []string
	for _, s := range ladder.Steps {
		if s.Rank() >= ladder.L2.Rank() {
			out = append(out, string(s))
		}
	}
	return out
}

// Formats are the formats the report is written in.
var Formats = []string{"pdf", "csv", "json"}

// Write writes the report in format, one of Formats.
func (r *Report) Write(w io.Writer, format string) error {
	switch format {
	case "pdf":
		return r.WritePDF(w)
	case "csv":
		return r.WriteCSV(w)
	case "json":
		return r.WriteJSON(w)
	}
	return fmt.Errorf("report: format %q is not one of %v", format, Formats)
}
