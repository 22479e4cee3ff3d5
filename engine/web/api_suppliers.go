package web

import (
	"cmp"
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/workplace"
)

// supplierHit is an organisation found by a search: its newest result.
type supplierHit struct {
	Orgnr      string         `json:"orgnr"`
	OrgnrRef   string         `json:"orgnr_ref,omitempty"` // a sole trader's, in place of its masked number (personal.go)
	Name       string         `json:"name"`
	AssessedAt time.Time      `json:"assessed_at,omitzero"` // zero: never screened
	Step       ladder.Step    `json:"step,omitempty"`
	Verdict    ladder.Verdict `json:"verdict,omitempty"`
	Score      float64        `json:"score"`
	Incomplete bool           `json:"incomplete"`
	Hits       []string       `json:"hits"`
	OpenAlert  string         `json:"open_alert,omitempty"`
	// Match is how the search found it: name, number, address or person
	// ("" without q); Address the normalised address it is registered at.
	Match   string `json:"match,omitempty"`
	Address string `json:"address,omitempty"`
}

type supplierList struct {
	Suppliers []supplierHit `json:"suppliers"`
	pageInfo
	// Truncated: an address or a person had more organisations than
	// one search reads (workplace.SearchLimit).
	Truncated bool `json:"truncated,omitempty"`
}

// searchSuppliers: GET /suppliers?q= (findSuppliers), sorted by name.
// A q of digits (hyphens, spaces allowed) finds organisation numbers
// containing them (a 12-digit number loses its century); a street address
// the organisations ever registered at an address beginning with it; a
// person's pseudonym or personnummer, to a principal with view_persons,
// the organisations the person has or had a role in (audited); any other
// q names containing it, whatever the case. Without q: every screened
// organisation. A sole trader, to a principal without view_persons, is
// found only by its whole number and named SoleTrader (personal.go).
func (s *Server) searchSuppliers(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	q, err := queryParams(r, "q", "page", "per_page")
	if err != nil {
		return err
	}
	text, err := searchText(q)
	if err != nil {
		return err
	}
	page, perPage, err := paging(q)
	if err != nil {
		return err
	}
	res, err := s.findSuppliers(p, text, "api")
	if err != nil {
		return err
	}
	lo, hi, info := paginate(w, r, q, page, perPage, len(res.Found))
	out := supplierList{Suppliers: []supplierHit{}, pageInfo: info, Truncated: res.Truncated}
	for _, f := range res.Found[lo:hi] {
		h := supplierHit{Orgnr: orgnrFor(p, f.Orgnr), OrgnrRef: orgnrRef(p, f.Orgnr), Name: nameFor(p, f.Orgnr, f.Name),
			Match: string(f.By), Hits: []string{}}
		sum, err := s.foundFacts(p, f, &h.Address, &h.OpenAlert)
		if err != nil {
			return err
		}
		if f.Result != nil {
			h.AssessedAt = f.Result.At
			h.Step, h.Verdict, h.Score, h.Incomplete, h.Hits = sum.Step, sum.Verdict, sum.Score, sum.Incomplete, nonNil(sum.Hits)
		}
		out.Suppliers = append(out.Suppliers, h)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// recordOf is one record with its versions: for the timeline (recordInfo)
// or with their bytes (rawRecord).
type recordOf[V any] struct {
	Source       string    `json:"source"`
	Key          string    `json:"key"`
	LastObserved time.Time `json:"last_observed"`
	LastSuccess  time.Time `json:"last_success,omitzero"`
	Error        string    `json:"error,omitempty"`
	Versions     []V       `json:"versions"`
}

// newRecord is the record of rec, with no versions yet.
func newRecord[V any](rec store.Resolved) recordOf[V] {
	return recordOf[V]{Source: rec.ID.Source, Key: rec.ID.Key, LastObserved: rec.LastObserved, LastSuccess: rec.LastSuccess,
		Error: rec.Error, Versions: []V{}}
}

// recordInfo is one record with its versions, for the timeline.
type recordInfo = recordOf[versionInfo]

type versionInfo struct {
	Version       uint32    `json:"version"`
	FirstObserved time.Time `json:"first_observed"`
	Pos           string    `json:"pos,omitempty"`
}

// change is one entry of the timeline: a record got a version (its
// content changed, or came back) at a time.
type change struct {
	At      time.Time `json:"at"`
	Source  string    `json:"source"`
	Key     string    `json:"key"`
	Version uint32    `json:"version"`
}

// contract is an own contract as the supplier page shows it.
type contract struct {
	ID               string      `json:"id"`
	Category         string      `json:"category"`
	Owner            string      `json:"owner"`
	Start            time.Time   `json:"start"`
	End              time.Time   `json:"end,omitzero"`
	Active           bool        `json:"active"`
	EstimatedSEK     int64       `json:"estimated_sek"`
	Places           int         `json:"places"`
	DailyPrice       int64       `json:"daily_price"`
	Address          string      `json:"address,omitempty"`
	InvoicedSEK      int64       `json:"invoiced_sek"`
	ValidPermits     int         `json:"valid_permits"`
	PermitPlaces     int         `json:"permit_places"`
	AddressPermitted bool        `json:"address_permitted"`
	OverbilledMonths []time.Time `json:"overbilled_months"`
}

// supplierDetail is GET /suppliers/{orgnr}.
type supplierDetail struct {
	Orgnr    string `json:"orgnr"`
	Name     string `json:"name"`
	Personal bool   `json:"personal"` // a sole trader
	// Latest is the newest follow-up assessment, the current one (null
	// when the organisation was never screened in the follow-up).
	Latest *screening.Assessment `json:"latest"`
	// LatestCheck is the newest pre-award check when it is newer than
	// Latest: the answer its caller was given (its purpose says which
	// check), which does not replace the follow-up.
	LatestCheck *screening.Assessment  `json:"latest_check,omitempty"`
	History     []workplace.HistoryRun `json:"history"`
	// OpenAlert is the alert not closed, if any; Alerts every alert,
	// newest first; HaltInForce the avropsstopp in force, if any.
	OpenAlert   string             `json:"open_alert,omitempty"`
	Alerts      []alertSummary     `json:"alerts"`
	HaltInForce string             `json:"halt_in_force,omitempty"`
	Records     []recordInfo       `json:"records"`
	Timeline    []change           `json:"timeline"`
	Contracts   []contract         `json:"contracts"`
	Invoices    []*profile.Invoice `json:"invoices"`
	// Persons: with view_persons only.
	Persons         *persons `json:"persons,omitempty"`
	PersonsWithheld bool     `json:"persons_withheld,omitempty"`
}

func (s *Server) getSupplier(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	o, err := orgParam(r)
	if err != nil {
		return err
	}
	orgnr := o.String()
	sv, err := s.supplier(o, nil)
	if err != nil {
		return err
	}
	prof := sv.Profile
	out := supplierDetail{Orgnr: orgnrFor(p, orgnr), Name: nameFor(p, orgnr, sv.Name), Personal: o.Personal(), History: sv.History,
		Records: []recordInfo{}, Timeline: []change{}, Contracts: []contract{}, Invoices: nonNil(prof.Invoices), Alerts: []alertSummary{}}
	var shown, checkWithheld, checkShown bool
	out.Latest, out.PersonsWithheld, shown = s.forPrincipal(sv.Latest, p)
	out.LatestCheck, checkWithheld, checkShown = s.forPrincipal(sv.Check, p)
	out.PersonsWithheld = out.PersonsWithheld || checkWithheld
	shown = shown || checkShown

	for _, a := range sv.Alerts {
		out.Alerts = append(out.Alerts, s.summary(a, p))
		if a.Open() && out.OpenAlert == "" {
			out.OpenAlert = ref(p, orgnr, a.ID)
		}
	}
	if sv.Halt != nil {
		out.HaltInForce = ref(p, orgnr, sv.Halt.ID)
	}
	for _, rec := range sv.Records {
		ri := newRecord[versionInfo](rec)
		for _, v := range rec.History {
			out.Timeline = append(out.Timeline, change{At: v.FirstObserved, Source: rec.ID.Source, Key: rec.ID.Key, Version: v.N})
			if !slices.ContainsFunc(ri.Versions, func(x versionInfo) bool { return x.Version == v.N }) {
				ri.Versions = append(ri.Versions, versionInfo{Version: v.N, FirstObserved: v.FirstObserved, Pos: v.Pos})
			}
		}
		out.Records = append(out.Records, ri)
	}
	slices.SortStableFunc(out.Timeline, func(a, b change) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Source, b.Source), cmp.Compare(a.Key, b.Key))
	})
	for _, c := range prof.Contracts {
		out.Contracts = append(out.Contracts, contract{ID: c.ID, Category: c.Category, Owner: c.Owner, Start: c.Start, End: c.End,
			Active: c.Active, EstimatedSEK: c.EstimatedSEK, Places: c.Places, DailyPrice: c.DailyPrice, Address: c.Address,
			InvoicedSEK: c.InvoicedSEK, ValidPermits: c.ValidPermits, PermitPlaces: c.PermitPlaces,
			AddressPermitted: c.AddressPermitted, OverbilledMonths: nonNil(c.OverbilledMonths)})
	}
	if p.Can(access.ViewPersons) {
		out.Persons = personsOf(prof)
		if err := s.auditPersons(p, orgnr, "supplier", out.Persons, shown); err != nil {
			return err
		}
	} else {
		out.PersonsWithheld = true
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// rawRecord is a record with every stored version's bytes.
type rawRecord = recordOf[rawVersion]

// rawVersion is one version as the source sent it: raw when the bytes
// are JSON, else raw_text when they are UTF-8 (a CSV line), else
// raw_base64; parsed is the typed form Vaksam read from them.
type rawVersion struct {
	Version       uint32          `json:"version"`
	FirstObserved time.Time       `json:"first_observed"`
	Pos           string          `json:"pos,omitempty"`
	Hash          string          `json:"hash"`
	Raw           json.RawMessage `json:"raw,omitempty"`
	RawText       *string         `json:"raw_text,omitempty"`
	RawBase64     string          `json:"raw_base64,omitempty"`
	Parsed        json.RawMessage `json:"parsed"`
}

type rawList struct {
	Orgnr   string      `json:"orgnr"`
	Records []rawRecord `json:"records"`
}

// supplierRecords: GET /suppliers/{orgnr}/records?source=&key=. Raw
// records may hold personal data (names of representatives), so this
// needs view_persons and writes audit.ViewRaw before answering.
func (s *Server) supplierRecords(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	q, err := queryParams(r, "source", "key")
	if err != nil {
		return err
	}
	o, err := orgParam(r)
	if err != nil {
		return err
	}
	recs, err := s.rawRecords(p, "api", o, q)
	if err != nil {
		return err
	}
	out := rawList{Orgnr: o.String(), Records: []rawRecord{}}
	for _, rec := range recs {
		rr := newRecord[rawVersion](rec.Resolved)
		for _, v := range rec.Versions {
			rv := rawVersion{Version: v.N, FirstObserved: v.FirstObserved, Pos: v.Pos, Hash: v.Digest,
				Parsed: json.RawMessage(v.Parsed)}
			switch t := v.Text; v.Form {
			case workplace.RawJSON:
				rv.Raw = json.RawMessage(t)
			case workplace.RawText:
				rv.RawText = &t
			default:
				rv.RawBase64 = t
			}
			if !json.Valid(rv.Parsed) {
				rv.Parsed = json.RawMessage("null")
			}
			rr.Versions = append(rr.Versions, rv)
		}
		out.Records = append(out.Records, rr)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
