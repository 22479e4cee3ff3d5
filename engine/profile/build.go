package profile

import (
	"fmt"
	"maps"
	"sort"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
)

// Config holds the profile builder's settings.
type Config struct {
	// SpendWindowMonths is the window of a category's spend shares
	// (Profile.Spend); default 12.
	SpendWindowMonths int `yaml:"spend_window_months"`
}

func (c Config) spendWindow() int {
	if c.SpendWindowMonths <= 0 {
		return 12
	}
	return c.SpendWindowMonths
}

// OwnerRole is the role of a sole trader's owner (innehavare), taken from
// the registry.
const OwnerRole = "innehavare"

// EvidenceNetwork names, in a rule's evidence, the registry records of the
// representatives' other organisations that the profile used.
const EvidenceNetwork = "network"

// boardRoles are the roles that count as board or CEO.
var boardRoles = map[string]bool{"ordforande": true, "styrelseledamot": true, "suppleant": true, "vd": true, "extern_vd": true}

// day returns the calendar date of t in Sweden, as midnight UTC like the
// dates records carry.
func day(t time.Time) time.Time {
	y, m, d := t.In(record.Stockholm).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Active reports whether a contract runs at time at (on its Swedish
// date).
func Active(c record.Contract, at time.Time) bool { return active(c, day(at)) }

// active reports whether a contract runs on day d; a contract without an
// end date runs until further notice.
func active(c record.Contract, d time.Time) bool {
	return !c.Start.After(d) && (c.End.IsZero() || !c.End.Before(d))
}

func current(r record.Role, d time.Time) bool {
	return !r.From.After(d) && (r.To.IsZero() || r.To.After(d))
}

// CurrentRole reports whether a role is held on the (Swedish) day of at,
// as Build sets Role.Current.
func CurrentRole(r record.Role, at time.Time) bool { return current(r, day(at)) }

// Build makes the Profile of subject s as of at.
func Build(s *Subject, net Network, at time.Time) *Profile {
	d := day(at)
	p := &Profile{Orgnr: s.ID, At: at, Sources: s.Sources}
	if o, err := ident.ParseOrg(s.ID); err == nil {
		p.Personal = o.Personal()
	}
	buildRegistry(p, s, net)
	if t := s.Tax; t != nil {
		p.Tax = &Tax{FSkatt: t.FSkatt, Moms: t.Moms, Employer: t.Employer, SizeClass: t.SizeClass, SNI: t.SNI}
		p.SNI = mergeSNI(p.SNI, t.SNI)
		if p.Name == "" {
			p.Name = t.Name
		}
		for field, why := range t.Unknown {
			p.unknown("tax."+field, record.SCB, why)
		}
	}
	if c := s.Company; c != nil && c.Unknown["sni"] != "" && len(p.SNI) == 0 {
		// SNI comes from SCB through the registry, or from SCB itself.
		p.unknown("sni", record.Bolagsverket, c.Unknown["sni"])
	}
	if e := s.Enforcement; e != nil {
		p.Enforcement = &Enforcement{AsOf: e.AsOf, PublicCount: e.Public.Count, PublicSEK: e.Public.AmountSEK,
			PrivateCount: e.Private.Count, PrivateSEK: e.Private.AmountSEK, PaymentOrders12m: e.PaymentOrders12m,
			BankruptcyPetition: e.BankruptcyPetition, Reconstruction: e.Reconstruction}
	}
	for _, pm := range s.Permits {
		p.Permits = append(p.Permits, &Permit{Type: pm.Type, Name: pm.Name, Places: pm.Places, Address: pm.Address,
			Normalized: record.NormalizeOneLineAddress(pm.Address), Status: pm.Status, Valid: pm.Status == "giltigt" && !pm.Date.After(d), Date: pm.Date})
	}
	p.IVO = decisions(s.IVO, d)
	p.AV = decisions(s.AV, d)
	buildRoles(p, s, net, d)
	if o := s.Owners; o != nil {
		p.Owners = &Owners{AsOf: o.AsOf, Count: len(o.Owners)}
		for _, ow := range o.Owners {
			p.Owners.Names = append(p.Owners.Names, ow.Person.Name)
		}
	}
	if s.Docs != nil {
		p.Reports = &Reports{}
		for _, doc := range s.Docs.Documents {
			if !doc.Registered.IsZero() && doc.Registered.After(d) {
				continue
			}
			p.Reports.Count++
			if doc.PeriodTo.After(p.Reports.LatestPeriodEnd) {
				p.Reports.LatestPeriodEnd = doc.PeriodTo
			}
		}
	}
	buildContracts(p, s, net, d)
	return p
}

func buildRegistry(p *Profile, s *Subject, net Network) {
	c := s.Company
	if c == nil {
		return
	}
	p.Known = !c.NotFound
	p.NotFound = c.NotFound
	p.Name = c.Name
	p.Form = c.Form
	p.Registered = c.Registered
	p.Deregistered = c.Deregistered
	p.DeregisteredReason = c.DeregisteredReason
	for _, pr := range c.Proceedings {
		if !pr.Ended {
			p.Proceedings = append(p.Proceedings, &Proceeding{Code: pr.Code, From: pr.From})
		}
	}
	p.SNI = mergeSNI(nil, c.SNI)
	for field, why := range c.Unknown {
		if path, ok := registryPaths[field]; ok {
			p.unknown(path, record.Bolagsverket, why)
		}
	}
	a := c.Address
	p.Address = Address{Street: a.Street, CO: a.CO, PostalCode: a.PostalCode, City: a.City, Normalized: a.Normalized(),
		BoxOrCO: a.CO != "" || record.IsBoxOrCO(a.Street)}
	if p.Address.Normalized != "" {
		p.Address.OrgsHere = net.OrgsAt(p.Address.Normalized)
	}
	prev := ""
	for i, v := range s.CompanyHistory {
		n := v.Value.Address.Normalized()
		if i > 0 && n != prev {
			p.AddressChanges = append(p.AddressChanges, &Change{At: v.At, From: prev, To: n})
		}
		prev = n
	}
}

// registryPaths maps record.Company's fields to the profile paths rules
// read them at; the SNI codes are handled with SCB's (Build).
var registryPaths = map[string]string{"form": "form", "registered": "registered", "deregistered": "deregistered",
	"deregistered_reason": "deregistered_reason", "proceedings": "proceedings", "address": "address"}

// unknown records a fact the source could not give.
func (p *Profile) unknown(path, source, reason string) {
	if p.Unknown == nil {
		p.Unknown = map[string]UnknownFact{}
	}
	p.Unknown[path] = UnknownFact{Source: source, Reason: reason}
}

func mergeSNI(dst, src []string) []string {
	for _, code := range src {
		code = strings.TrimSpace(code)
		if code == "" {
			continue
		}
		dup := false
		for _, have := range dst {
			dup = dup || have == code
		}
		if !dup {
			dst = append(dst, code)
		}
	}
	return dst
}

func decisions(ds []record.Decision, d time.Time) []*Decision {
	var out []*Decision
	for _, x := range ds {
		if x.Date.After(d) {
			continue
		}
		out = append(out, &Decision{Date: x.Date, Type: x.Type, Diarienummer: x.Diarienummer, AmountSEK: x.AmountSEK})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date.Before(out[j].Date) })
	return out
}

func buildRoles(p *Profile, s *Subject, net Network, d time.Time) {
	if len(s.Roles) == 0 {
		return
	}
	others := map[string][]*OtherOrg{}
	seats := map[string]int{}
	bans := map[string][]*Ban{}
	lookedUp := map[string]time.Time{} // newest trading-ban look-up per person
	for _, r := range s.Roles {
		id := r.Person.ID
		if _, done := others[id]; done {
			continue
		}
		elsewhere := []*OtherOrg{}
		seatOrgs := map[string]bool{}
		seen := map[string]bool{}
		for _, pr := range net.PersonRoles(id) {
			if boardRoles[pr.Role] && current(pr, d) {
				seatOrgs[pr.Orgnr] = true
			}
			if pr.Orgnr == s.ID || seen[pr.Orgnr] {
				continue
			}
			seen[pr.Orgnr] = true
			o := &OtherOrg{Orgnr: pr.Orgnr}
			if f := net.Org(pr.Orgnr); f != nil {
				o.Name, o.Bankruptcy, o.Deregistered, o.DeregisteredReason = f.Name, f.Bankruptcy, f.Deregistered, f.DeregisteredReason
				if !f.Bankruptcy.IsZero() {
					p.link(EvidenceNetwork, f.Refs)
				}
			}
			elsewhere = append(elsewhere, o)
		}
		sort.Slice(elsewhere, func(i, j int) bool { return elsewhere[i].Orgnr < elsewhere[j].Orgnr })
		others[id] = elsewhere
		seats[id] = len(seatOrgs)
		bs, refs := net.Bans(id)
		for _, b := range bs {
			if b.Type != record.NoBan {
				bans[id] = append(bans[id], &Ban{From: b.From, To: b.To, Type: b.Type})
			}
		}
		for _, r := range refs {
			if r.Observed.After(lookedUp[id]) {
				lookedUp[id] = r.Observed
			}
		}
		p.link(record.Naringsforbud, refs)
	}
	for _, r := range s.Roles {
		id := r.Person.ID
		p.Roles = append(p.Roles, &Role{Person: id, Name: r.Person.Name, Role: r.Role, From: r.From, To: r.To,
			Current: current(r, d), Ended: !r.To.IsZero(), Board: boardRoles[r.Role], Coordination: r.Person.Coordination, BirthYear: r.Person.BirthYear,
			Seats: seats[id], Elsewhere: others[id], Bans: bans[id]})
	}
	sort.SliceStable(p.Roles, func(i, j int) bool { return p.Roles[i].From.Before(p.Roles[j].From) })
	p.DeriveRoles()
	banRegister(p, s, lookedUp, d)
}

// DeriveRoles sets Board, CurrentBoard and CurrentRoles from Roles. Build
// calls it; a profile made otherwise with roles calls it before rules
// read the derived fields.
func (p *Profile) DeriveRoles() {
	board, cur, curBoard := 0, 0, 0
	for _, r := range p.Roles {
		if r.Board {
			board++
		}
		if r.Current {
			cur++
			if r.Board {
				curBoard++
			}
		}
	}
	// One array holds the three lists.
	all := make([]*Role, board+cur+curBoard)
	p.Board, p.CurrentRoles, p.CurrentBoard = all[:0:board], all[board:board:board+cur], all[board+cur:board+cur]
	for _, r := range p.Roles {
		if r.Board {
			p.Board = append(p.Board, r)
		}
		if r.Current {
			p.CurrentRoles = append(p.CurrentRoles, r)
			if r.Board {
				p.CurrentBoard = append(p.CurrentBoard, r)
			}
		}
	}
}

// banRegister derives what the trading-ban register says for this
// organisation: the register is looked up per person, so it is present
// when every current representative (auditors aside) was looked up, as
// of the oldest of those look-ups. A representative never looked up is
// unknown, not "no ban".
func banRegister(p *Profile, s *Subject, lookedUp map[string]time.Time, d time.Time) {
	st := &SourceState{}
	reps, missing := map[string]bool{}, 0
	for _, r := range p.Roles {
		if !r.Current || r.Role == "revisor" || reps[r.Person] {
			continue
		}
		reps[r.Person] = true
		t, ok := lookedUp[r.Person]
		if !ok {
			missing++
			continue
		}
		st.Records++
		if st.LastObserved.IsZero() || t.Before(st.LastObserved) {
			st.LastObserved = t
		}
	}
	switch {
	case len(reps) == 0:
		// Nobody to look up: the roles say so.
		if roles := s.Sources[record.Roles]; roles != nil && roles.Present {
			st.Present, st.LastObserved = true, roles.LastObserved
		}
	case missing > 0:
		st.Gap = fmt.Sprintf("%d of %d current representatives never looked up in the trading-ban register", missing, len(reps))
	default:
		st.Present = true
	}
	p.Sources = maps.Clone(p.Sources)
	p.Sources[record.Naringsforbud] = st
}

func buildContracts(p *Profile, s *Subject, net Network, d time.Time) {
	if len(s.Contracts) == 0 && len(s.Invoices) == 0 {
		return
	}
	// The statistics of the categories it has contracts or invoices in:
	// no other category's are read.
	cats := make([]string, 0, len(s.Contracts)+len(s.Invoices))
	for _, c := range s.Contracts {
		cats = append(cats, c.Category)
	}
	for _, inv := range s.Invoices {
		cats = append(cats, inv.Category)
	}
	market := net.Market(cats)
	ends := map[string]time.Time{}
	categoryPlaces := map[string]int{}
	for _, c := range s.Contracts {
		ends[c.ID] = c.End
		if active(c, d) {
			categoryPlaces[c.Category] += c.Places
		}
	}
	invoiced := map[string]int64{}
	careDays := map[string]map[time.Time]int{}
	for _, inv := range s.Invoices {
		if inv.Date.After(d) {
			continue
		}
		p.Invoices = append(p.Invoices, &Invoice{ID: inv.ID, Date: inv.Date, AmountSEK: inv.AmountSEK, ContractID: inv.ContractID,
			Category: inv.Category, CareDays: inv.CareDays, ContractEnd: ends[inv.ContractID]})
		if inv.ContractID == "" {
			continue
		}
		invoiced[inv.ContractID] += inv.AmountSEK
		if inv.CareDays > 0 {
			m := careDays[inv.ContractID]
			if m == nil {
				m = map[time.Time]int{}
				careDays[inv.ContractID] = m
			}
			m[time.Date(inv.Date.Year(), inv.Date.Month(), 1, 0, 0, 0, 0, time.UTC)] += inv.CareDays
		}
	}
	for _, c := range s.Contracts {
		pc := &Contract{ID: c.ID, Category: c.Category, Owner: c.Owner, Start: c.Start, End: c.End, Active: active(c, d),
			EstimatedSEK: c.EstimatedSEK, Places: c.Places, DailyPrice: c.DailyPrice, Address: c.Address,
			Normalized: record.NormalizeOneLineAddress(c.Address), InvoicedSEK: invoiced[c.ID], CategoryPlaces: categoryPlaces[c.Category]}
		for _, pm := range p.Permits {
			if pm.Valid && pm.Type == c.Category {
				pc.ValidPermits++
				pc.PermitPlaces += pm.Places
				pc.AddressPermitted = pc.AddressPermitted || pm.Normalized == pc.Normalized
			}
		}
		if q, ok := market.Prices[c.Category]; ok {
			pc.Peers, pc.PriceQ1, pc.PriceQ3 = q.N, q.Q1, q.Q3
		}
		for month, days := range careDays[c.ID] {
			if c.Places > 0 && days > c.Places*daysIn(month) {
				pc.OverbilledMonths = append(pc.OverbilledMonths, month)
			}
		}
		sort.Slice(pc.OverbilledMonths, func(i, j int) bool { return pc.OverbilledMonths[i].Before(pc.OverbilledMonths[j]) })
		p.Contracts = append(p.Contracts, pc)
	}
	for cat, cs := range market.Spend {
		mine := cs.BySupplier[s.ID]
		if mine == 0 {
			continue
		}
		p.Spend = append(p.Spend, &Spend{Category: cat, SupplierSEK: mine, TotalSEK: cs.Total, Suppliers: len(cs.BySupplier),
			Share: float64(mine) / float64(cs.Total)})
	}
	sort.Slice(p.Spend, func(i, j int) bool { return p.Spend[i].Category < p.Spend[j].Category })
}

func daysIn(month time.Time) int {
	return month.AddDate(0, 1, -1).Day()
}

// link records other subjects' record versions the profile used.
func (p *Profile) link(name string, refs []Ref) {
	if len(refs) == 0 {
		return
	}
	if p.Linked == nil {
		p.Linked = map[string][]Ref{}
	}
	p.Linked[name] = append(p.Linked[name], refs...)
}
