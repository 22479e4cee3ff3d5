package web

import (
	"bytes"
	"cmp"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/workplace"
)

// maxColocated bounds the companies at the same address a page lists.
const maxColocated = 50

// supplierPage is the data of the supplier page.
type supplierPage struct {
	Orgnr    string
	Name     string
	Personal bool // a sole trader: the number is a personnummer
	// ShowPersonal: the page may show what is about a person (a sole
	// trader's address, say): view_persons, or not a sole trader.
	ShowPersonal bool
	Profile      *profile.Profile
	Latest       *screening.Assessment // the newest follow-up assessment
	Check        *screening.Assessment // the newest pre-award check, when newer than Latest
	Hits         []hitView             // Latest's, else Check's
	Withheld     bool
	Chart        *scoreChart
	History      []workplace.HistoryRun
	Alerts       []*review.Alert
	Halt         *review.Decision
	Timeline     []timelineEntry
	Network      *networkView // nil when withheld
	Contracts    []*profile.Contract
	Invoices     []*profile.Invoice
	// The dossier's summary and parts (ui_dossier.go).
	OrgnrShown string        // NNNNNN-NNNN, or masked
	OpenAlert  *review.Alert // the alert not closed, if any
	Spend      spendSummary
	Decisions  []openDecision
	Graph      *networkPanel // nil when nothing is known of the network
	Sanctions  *sanctionsSection
	// Suppressions of known false positives, with the form (decide).
	Suppressions *suppressionsSection
}

// networkView is the supplier's people and neighbours (view_persons).
type networkView struct {
	Reps      []*profile.Role
	Elsewhere []elsewhere
	Owners    []string
	Colocated []colocated
	More      int // co-located companies not listed
	Address   profile.Address
}

type elsewhere struct {
	Person, Role string
	Org          *profile.OtherOrg
}

type colocated struct {
	Orgnr string
	Facts *profile.OrgFacts // nil when nothing is known
}

// timelineEntry is one change the sources recorded.
type timelineEntry struct {
	At      time.Time
	Source  string
	Key     string
	Version uint32
	Lines   []string // what changed, translated
}

// uiSupplier: GET /suppliers/{orgnr}.
func (s *Server) uiSupplier(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	o, err := orgParam(r)
	if err != nil {
		return err
	}
	orgnr, now := o.String(), s.now()
	lang := uiLang(w, r)
	// The chart follows the follow-up's score; the checks are in the
	// history table.
	var points []chartPoint
	sv, err := s.supplier(o, func(a *screening.Assessment) {
		if a.Purpose == screening.Monitor {
			points = append(points, chartPoint{At: a.At, Score: a.Score, Step: a.Step})
		}
	})
	if err != nil {
		return err
	}
	prof := sv.Profile
	data := supplierPage{Orgnr: orgnr, Name: nameFor(p, orgnr, sv.Name), Personal: o.Personal(), Profile: prof,
		Contracts: prof.Contracts, Invoices: prof.Invoices, History: sv.History}
	data.ShowPersonal = !data.Personal || p.Can(access.ViewPersons)
	data.OrgnrShown, data.Spend = orgnrShown(p, o.String(), now), spendOf(prof, now)
	if data.Decisions, err = s.openDecisions(p, orgnr, now); err != nil {
		return err
	}
	graph, netPersons, err := s.buildNetwork(p, o, defaultNetworkDepth)
	if err != nil {
		return err
	}
	if graph != nil {
		if data.Graph, err = newNetworkPanel(lang, graph); err != nil {
			return err
		}
	}
	var shown, checkWithheld, checkShown bool
	data.Latest, data.Withheld, shown = s.forPrincipal(sv.Latest, p)
	data.Check, checkWithheld, checkShown = s.forPrincipal(sv.Check, p)
	data.Hits = hitViews(cmp.Or(data.Latest, data.Check), p)
	if data.Latest != nil {
		checkWithheld, checkShown = false, false // its hits are not shown
	}
	data.Withheld, shown = data.Withheld || checkWithheld, shown || checkShown
	data.Chart = s.newChart(lang, points)
	if data.Suppressions, err = s.suppressionsOf(p, orgnr, data.Latest, true); err != nil {
		return err
	}
	if data.Sanctions, err = s.sanctionsOf(p, orgnr, cmp.Or(data.Latest, data.Check), "/suppliers/"+ref(p, orgnr, orgnr), false); err != nil {
		return err
	}
	for _, a := range sv.Alerts {
		data.Alerts = append(data.Alerts, alertFor(p, a, false))
		if a.Open() && data.OpenAlert == nil {
			data.OpenAlert = data.Alerts[len(data.Alerts)-1]
		}
	}
	data.Halt = decisionFor(p, sv.Halt, false)
	data.Timeline = timeline(lang, sv.Records, data.ShowPersonal, p.Can(access.ViewPersons))

	if p.Can(access.ViewPersons) {
		nw := &networkView{Reps: prof.Roles, Address: prof.Address}
		for _, role := range prof.Roles {
			for _, oo := range role.Elsewhere {
				if !slices.ContainsFunc(nw.Elsewhere, func(e elsewhere) bool { return e.Person == role.Name && e.Org.Orgnr == oo.Orgnr }) {
					nw.Elsewhere = append(nw.Elsewhere, elsewhere{Person: role.Name, Role: role.Role, Org: oo})
				}
			}
		}
		if prof.Owners != nil {
			nw.Owners = prof.Owners.Names
		}
		if addr := prof.Address.Normalized; addr != "" {
			orgs, err := s.Store.AddressOrgs(addr)
			if err != nil {
				return err
			}
			net := profile.NewStoreNetwork(s.Store, now, s.workplace().ProfileConfig())
			for _, other := range orgs {
				if other == orgnr {
					continue
				}
				if len(nw.Colocated) == maxColocated {
					nw.More++
					continue
				}
				nw.Colocated = append(nw.Colocated, colocated{Orgnr: other, Facts: net.Org(other)})
			}
			if err := net.Err(); err != nil {
				return err
			}
		}
		data.Network = nw
		detail := []string{"view", "supplier", "representatives", strconv.Itoa(len(prof.Roles)),
			"beneficial_owners", strconv.Itoa(len(nw.Owners)), "network_persons", strconv.Itoa(netPersons)}
		if shown {
			detail = append(detail, "hit_messages", "shown")
		}
		if err := s.auditWeb(p, audit.ViewPersons, orgnr, detail...); err != nil {
			return err
		}
	}
	v := s.newView(w, r, "queue", &data)
	v.Title = data.Name
	if v.Title == "" {
		v.Title = orgnr
	}
	v.Self = "/suppliers/" + ref(p, orgnr, orgnr)
	s.render(w, r, http.StatusOK, "supplier", v)
	return nil
}

// The score chart: an inline SVG drawn here, and the same as a table.
// An assessment a critical hit placed on L3 is drawn as a diamond in a
// band "Kritisk" above the scores: its score (critical hits add none)
// would put it at the bottom, below the threshold, as if all were well.
const (
	chartW, chartH                               = 720, 240
	chartLeft, chartRight, chartTop, chartBottom = 64, 16, 12, 32
	chartBandH                                   = 36 // the height of the band of critical assessments
)

type chartPoint struct {
	At       time.Time
	Score    float64
	Step     ladder.Step
	X, Y     float64
	Label    string // for the point's <title>
	Critical bool   // drawn as a diamond in the band (Diamond its path)
	Diamond  string
}

type scoreChart struct {
	W, H      int
	Points    []chartPoint
	Line      string // the polyline's points
	YTicks    []chartTick
	XTicks    []chartTick
	Threshold *chartTick // the score at which an in-depth control starts
	Left      float64
	Right     float64
	Top       float64
	Bottom    float64
	Desc      string
	YLabelX   float64 // where the score labels end
	XLabelY   float64 // the baseline of the date labels
	// Band is the row of the critical assessments, nil when there is none.
	Band *chartBand
}

// chartBand is the row of the critical assessments above the scores.
type chartBand struct {
	Top, Height, Width float64 // its rectangle, from Left
	Mid                float64 // where its points and label sit
	Label              string
}

type chartTick struct {
	Pos    float64
	Label  string
	Anchor string // text-anchor of an x label
}

// newChart lays the assessments out: time across, score up.
func (s *Server) newChart(lang string, pts []chartPoint) *scoreChart {
	if len(pts) == 0 {
		return nil
	}
	maxScore, l2 := 100.0, 30.0
	if s.Screener != nil {
		maxScore = cmp.Or(s.Screener.Settings().Scoring.MaxScore, maxScore)
		l2 = cmp.Or(s.Screener.Settings().Scoring.L2Score, l2)
	}
	c := &scoreChart{W: chartW, H: chartH, Left: chartLeft, Right: chartW - chartRight, Top: chartTop, Bottom: chartH - chartBottom,
		YLabelX: chartLeft - 6, XLabelY: chartH - chartBottom + 20}
	if slices.ContainsFunc(pts, func(p chartPoint) bool { return p.Step.Critical() }) {
		c.H += chartBandH
		c.Bottom += chartBandH
		c.XLabelY += chartBandH
		c.Band = &chartBand{Top: chartTop, Height: chartBandH - 8, Width: c.Right - c.Left, Mid: chartTop + (chartBandH-8)/2,
			Label: uiT(lang, "chart.critical")}
		c.Top += chartBandH
	}
	y := func(score float64) float64 {
		return round1(c.Bottom - min(max(score, 0), maxScore)/maxScore*(c.Bottom-c.Top))
	}
	first, last := pts[0].At, pts[len(pts)-1].At
	span := last.Sub(first)
	x := func(t time.Time) float64 {
		if span <= 0 {
			return round1((c.Left + c.Right) / 2)
		}
		return round1(c.Left + float64(t.Sub(first))/float64(span)*(c.Right-c.Left))
	}
	var line []string
	for _, p := range pts {
		p.X, p.Y = x(p.At), y(p.Score)
		if p.Critical = p.Step.Critical(); p.Critical {
			p.Y = c.Band.Mid
			p.Diamond = diamond(p.X, p.Y, 7)
		}
		p.Label = p.At.In(record.Stockholm).Format(time.DateOnly) + ": " + scoreText(lang, p.Step, p.Score) + " (" + string(p.Step) + ")"
		c.Points = append(c.Points, p)
		line = append(line, strconv.FormatFloat(p.X, 'f', -1, 64)+","+strconv.FormatFloat(p.Y, 'f', -1, 64))
	}
	c.Line = strings.Join(line, " ")
	for _, f := range []float64{0, .25, .5, .75, 1} {
		c.YTicks = append(c.YTicks, chartTick{Pos: y(f * maxScore), Label: uiDecimal(lang, f*maxScore)})
	}
	c.Threshold = &chartTick{Pos: y(l2), Label: uiDecimal(lang, l2)}
	day := func(t time.Time) string { return t.In(record.Stockholm).Format(time.DateOnly) }
	c.XTicks = append(c.XTicks, chartTick{Pos: x(first), Label: day(first), Anchor: "middle"})
	if span > 0 {
		c.XTicks[0].Anchor = "start"
		c.XTicks = append(c.XTicks, chartTick{Pos: c.Right, Label: day(last), Anchor: "end"})
	}
	lp := pts[len(pts)-1]
	c.Desc = uiT(lang, "chart.desc", day(first), day(last), scoreText(lang, lp.Step, lp.Score), lp.Step)
	return c
}

// diamond is the SVG path of a diamond of half-width r around (x, y).
func diamond(x, y, r float64) string {
	f := func(v float64) string { return strconv.FormatFloat(round1(v), 'f', -1, 64) }
	return "M" + f(x) + "," + f(y-r) + " L" + f(x+r) + "," + f(y) + " L" + f(x) + "," + f(y+r) + " L" + f(x-r) + "," + f(y) + " Z"
}

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }

// timeline describes every version of every record, newest first: what
// the source said then, and what changed from the version before (the
// page shows the source, not the record's key, which may be a pseudonym).
// personal says whether the page may show what is about a person (a
// sole trader's registry data); persons whether it may name persons.
func timeline(lang string, recs []store.Resolved, personal, persons bool) []timelineEntry {
	var out []timelineEntry
	for _, rec := range recs {
		var prev []byte
		for _, v := range rec.History {
			e := timelineEntry{At: v.FirstObserved, Source: rec.ID.Source, Key: rec.ID.Key, Version: v.N}
			if slices.ContainsFunc(out, func(x timelineEntry) bool {
				return x.Source == e.Source && x.Key == e.Key && x.Version == e.Version && x.At.Equal(e.At)
			}) {
				continue
			}
			e.Lines = describe(lang, rec.ID.Source, v.Parsed, prev, personal, persons)
			if len(e.Lines) == 0 {
				e.Lines = []string{uiT(lang, "tl.version", v.N)}
			}
			prev = v.Parsed
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b timelineEntry) int {
		return cmp.Or(b.At.Compare(a.At), cmp.Compare(a.Source, b.Source), cmp.Compare(a.Key, b.Key), cmp.Compare(b.Version, a.Version))
	})
	return out
}

// describe says what a record version holds, or what changed since the
// previous version (nil for the first).
func describe(lang, source string, cur, prev []byte, personal, persons bool) []string {
	t := func(key string, args ...any) string { return uiT(lang, key, args...) }
	day := func(tm time.Time) string {
		if tm.IsZero() {
			return t("value.ongoing")
		}
		return tm.In(record.Stockholm).Format(time.DateOnly)
	}
	label := func(kind, v string) string {
		if m, ok := uiText[kind+"."+v]; ok {
			return m.in(lang)
		}
		return v
	}
	switch source {
	case record.Bolagsverket, record.BolagsverketBulk, record.SCBBulk:
		if !personal {
			return []string{t("tl.withheld")}
		}
		var c, p record.Company
		if json.Unmarshal(cur, &c) != nil {
			return nil
		}
		first := prev == nil || json.Unmarshal(prev, &p) != nil
		var out []string
		addr := formatAddress(c.Address)
		switch {
		case first:
			out = append(out, t("tl.first")+": "+c.Name)
			if addr != "" {
				out = append(out, t("tl.address1", addr))
			}
		default:
			if c.Name != p.Name {
				out = append(out, t("tl.name", p.Name, c.Name))
			}
			if pa := formatAddress(p.Address); pa != addr {
				out = append(out, t("tl.address", pa, addr))
			}
		}
		for _, pr := range c.Proceedings {
			was := !first && slices.ContainsFunc(p.Proceedings, func(x record.Proceeding) bool { return x.Code == pr.Code && x.Ended == pr.Ended })
			switch {
			case was:
			case pr.Ended:
				out = append(out, t("tl.procended", pr.Code, label("proc", pr.Code)))
			default:
				out = append(out, t("tl.proceeding", pr.Code, label("proc", pr.Code), day(pr.From)))
			}
		}
		if !c.Deregistered.IsZero() && (first || p.Deregistered.IsZero()) {
			out = append(out, t("tl.dereg", day(c.Deregistered), c.DeregisteredReason))
		}
		return out
	case record.SCB:
		var ts record.TaxStatus
		if json.Unmarshal(cur, &ts) != nil {
			return nil
		}
		// A fact SCB did not deliver (not ordered, "*") is unknown, not 0.
		fact := func(key, known string) string {
			if _, ok := ts.Unknown[key]; ok {
				return t("value.unknown")
			}
			return known
		}
		var was record.TaxStatus
		if prev != nil && json.Unmarshal(prev, &was) == nil {
			// What changed, from what to what.
			wasFact := func(key, known string) string {
				if _, ok := was.Unknown[key]; ok {
					return t("value.unknown")
				}
				return known
			}
			var out []string
			for _, f := range []struct{ key, what, from, to string }{
				{"fskatt", "dos.tl.fskatt", label("fskatt", strconv.Itoa(was.FSkatt)), label("fskatt", strconv.Itoa(ts.FSkatt))},
				{"moms", "dos.tl.moms", label("regstatus", strconv.Itoa(was.Moms)), label("regstatus", strconv.Itoa(ts.Moms))},
				{"employer", "dos.tl.employer", label("regstatus", strconv.Itoa(was.Employer)), label("regstatus", strconv.Itoa(ts.Employer))},
				{"size_class", "dos.tl.size", strconv.Itoa(was.SizeClass), strconv.Itoa(ts.SizeClass)},
			} {
				if from, to := wasFact(f.key, f.from), fact(f.key, f.to); from != to {
					out = append(out, t(f.what, from, to))
				}
			}
			if len(out) > 0 {
				return out
			}
		}
		return []string{t("tl.tax", fact("fskatt", label("fskatt", strconv.Itoa(ts.FSkatt))), fact("moms", label("regstatus", strconv.Itoa(ts.Moms))),
			fact("employer", label("regstatus", strconv.Itoa(ts.Employer))), fact("size_class", strconv.Itoa(ts.SizeClass)))}
	case record.Kronofogden:
		var e record.Enforcement
		if json.Unmarshal(cur, &e) != nil {
			return nil
		}
		out := []string{t("tl.debt", day(e.AsOf), e.Public.Count, uiSEK(lang, e.Public.AmountSEK), e.Private.Count,
			uiSEK(lang, e.Private.AmountSEK), e.PaymentOrders12m)}
		var was record.Enforcement
		if prev != nil && json.Unmarshal(prev, &was) == nil {
			if was.Public != e.Public {
				out = append(out, t("dos.tl.public", was.Public.Count, uiSEK(lang, was.Public.AmountSEK), e.Public.Count, uiSEK(lang, e.Public.AmountSEK)))
			}
			if was.Private != e.Private {
				out = append(out, t("dos.tl.private", was.Private.Count, uiSEK(lang, was.Private.AmountSEK), e.Private.Count, uiSEK(lang, e.Private.AmountSEK)))
			}
		}
		if e.BankruptcyPetition {
			out = append(out, t("tl.petition"))
		}
		if e.Reconstruction {
			out = append(out, t("tl.recon"))
		}
		return out
	case record.IVO:
		var pm record.Permit
		if json.Unmarshal(cur, &pm) != nil {
			return nil
		}
		return []string{t("tl.permit", pm.Name, label("ccat", pm.Type), pm.Status, pm.Places)}
	case record.IVOBeslut, record.Arbetsmiljoverket:
		var d record.Decision
		if json.Unmarshal(cur, &d) != nil {
			return nil
		}
		return []string{t("tl.decision", label("dtype", d.Type), day(d.Date), d.Diarienummer)}
	case record.Roles:
		var ro, pr record.Role
		if json.Unmarshal(cur, &ro) != nil {
			return nil
		}
		who := t("tl.person")
		if persons && ro.Person.Name != "" {
			who = ro.Person.Name
		}
		role := label("rrole", ro.Role)
		first := prev == nil || json.Unmarshal(prev, &pr) != nil
		var out []string
		if first || !ro.From.Equal(pr.From) {
			out = append(out, t("tl.rolestart", who, role, day(ro.From)))
		}
		if !ro.To.IsZero() && (first || pr.To.IsZero()) {
			out = append(out, t("tl.roleend", who, role, day(ro.To)))
		}
		return out
	case record.Huvudman:
		var ow record.Owners
		if json.Unmarshal(cur, &ow) != nil {
			return nil
		}
		return []string{t("tl.owners", day(ow.AsOf), len(ow.Owners))}
	case record.Contracts:
		var c record.Contract
		if json.Unmarshal(cur, &c) != nil {
			return nil
		}
		return []string{t("tl.contract", c.ID, label("ccat", c.Category), day(c.Start), day(c.End))}
	case record.Invoices:
		var in record.Invoice
		if json.Unmarshal(cur, &in) != nil {
			return nil
		}
		return []string{t("tl.invoice", in.ID, day(in.Date), uiSEK(lang, in.AmountSEK))}
	case record.BolagsverketDokument:
		var d record.Documents
		if json.Unmarshal(cur, &d) != nil {
			return nil
		}
		var latest time.Time
		for _, doc := range d.Documents {
			if doc.PeriodTo.After(latest) {
				latest = doc.PeriodTo
			}
		}
		return []string{t("tl.docs", len(d.Documents), day(latest))}
	}
	return nil
}

// formatAddress is a postal address on one line.
func formatAddress(a record.Address) string {
	var parts []string
	if a.CO != "" {
		parts = append(parts, "c/o "+a.CO)
	}
	if a.Street != "" {
		parts = append(parts, a.Street)
	}
	if pc := strings.TrimSpace(a.PostalCode + " " + a.City); pc != "" {
		parts = append(parts, pc)
	}
	return strings.Join(parts, ", ")
}

// recordsPage is the data of the raw records page.
type recordsPage struct {
	Orgnr   string
	Name    string
	Records []rawRecordView
}

type rawRecordView struct {
	Source, Key  string
	LastObserved time.Time
	Error        string
	Versions     []rawVersionView
}

type rawVersionView struct {
	Version       uint32
	FirstObserved time.Time
	Pos           string
	Hash          string
	Raw           string // the bytes as text (JSON indented), or base64
	Parsed        string // indented JSON
}

// uiRecords: GET /suppliers/{orgnr}/records?source=&key=, the records as
// the sources delivered them, every version. Raw records may name
// persons: view_persons only, and audit.ViewRaw is written first.
func (s *Server) uiRecords(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	o, err := orgParam(r)
	if err != nil {
		return err
	}
	recs, err := s.rawRecords(p, "web", o, r.URL.Query())
	if err != nil {
		return err
	}
	data := recordsPage{Orgnr: o.String()}
	for _, rec := range recs {
		rv := rawRecordView{Source: rec.ID.Source, Key: rec.ID.Key, LastObserved: rec.LastObserved, Error: rec.Error}
		for _, v := range rec.Versions {
			rv.Versions = append(rv.Versions, rawVersionView{Version: v.N, FirstObserved: v.FirstObserved, Pos: v.Pos,
				Hash: v.Digest, Raw: rawText(v), Parsed: indentJSON(v.Parsed)})
		}
		data.Records = append(data.Records, rv)
	}
	if prof, _, err := s.profileOf(o.String(), s.now()); err == nil {
		data.Name = prof.Name
	}
	v := s.newView(w, r, "queue", &data)
	v.Title = v.T("raw.title", cmp.Or(data.Name, data.Orgnr))
	s.render(w, r, http.StatusOK, "records", v)
	return nil
}

// rawText shows a version's bytes: JSON indented, other UTF-8 as it is,
// anything else in base64 (workplace.RawForm).
func rawText(v workplace.RawVersion) string {
	switch v.Form {
	case workplace.RawJSON:
		return indentJSON([]byte(v.Text))
	case workplace.RawBase64:
		return "base64:" + v.Text
	}
	return v.Text
}

func indentJSON(b []byte) string {
	var out bytes.Buffer
	if json.Indent(&out, b, "", "  ") != nil {
		return string(b)
	}
	return out.String()
}
