package profile

import (
	"fmt"
	json "github.com/goccy/go-json"
	"sort"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
)

// Ref points at the stored record version a fact came from.
type Ref struct {
	Source   string    `json:"source"`
	Key      string    `json:"key"`
	Version  uint32    `json:"version"`
	Observed time.Time `json:"observed"`
}

// Subject is the decoded records of one subject (an organisation or a
// person) as of a time: the input to Build and to a Population.
type Subject struct {
	ID string

	Company        *record.Company
	companySource  string
	CompanyHistory []Dated[record.Company] // versions of the chosen registry record, oldest first

	Tax         *record.TaxStatus
	Enforcement *record.Enforcement
	Permits     []record.Permit
	IVO         []record.Decision
	AV          []record.Decision
	Roles       []record.Role
	Owners      *record.Owners
	Docs        *record.Documents
	Contracts   []record.Contract
	Invoices    []record.Invoice
	Bans        []record.Ban

	Sources  map[string]*SourceState
	Evidence map[string][]Ref
}

// Dated is a value with the time its version was first observed.
type Dated[T any] struct {
	At    time.Time
	Value T
}

// HistorySources are the sources whose version history a profile uses.
var HistorySources = map[string]bool{record.Bolagsverket: true, record.BolagsverketBulk: true}

// Roles and IVO permits are snapshot sources: every import for a subject
// is its whole current list, so a record the newest import no longer
// carried has ended.

// Decode turns resolved records into a Subject.
func Decode(id string, recs []store.Resolved) (*Subject, error) {
	return decode(id, recs, false)
}

// NetworkReads says whether a Population needs a record: those of the
// registries (other organisations' facts, addresses, sole traders'
// owners), roles, trading bans, contracts and invoices (the market). A
// source not in the registry is read too, so that decoding it fails as
// Decode does.
func NetworkReads(id store.RecordID) bool { return networkSource(id.Source) }

func networkSource(source string) bool {
	return factSource(source) || source == record.Contracts || source == record.Invoices
}

// factSource says whether a StoreNetwork reads a source of another subject:
// what OrgFacts, PersonRoles and Bans come from (the registries, roles,
// trading bans), and a source not in the registry, so that decoding it
// fails as Decode does. The rest of a neighbour's records (its contracts
// and invoices above all, many for a supplier) are stepped over.
func factSource(source string) bool {
	switch source {
	case record.Bolagsverket, record.BolagsverketBulk, record.SCBBulk, record.Roles, record.Naringsforbud:
		return true
	}
	return !record.KnownSource(source)
}

// DecodeNetwork decodes what a Population reads of a subject
// (NetworkReads): its other sources are left out, and of the registry
// record's history only the current version unless an earlier one is
// needed (a bankruptcy without a start date, dated by when the registry
// first showed it). The Subject is enough for PopulationBuilder.Add, not
// for Build.
func DecodeNetwork(id string, recs []store.Resolved) (*Subject, error) {
	return decode(id, recs, true)
}

func decode(id string, recs []store.Resolved, network bool) (*Subject, error) {
	s := &Subject{ID: id, Sources: map[string]*SourceState{}, Evidence: map[string][]Ref{}}
	// The newest import of each snapshot source, to tell ended records.
	var newestRoles, newestIVO time.Time
	for i := range recs {
		switch t := recs[i].LastSuccess; recs[i].ID.Source {
		case record.Roles:
			if t.After(newestRoles) {
				newestRoles = t
			}
		case record.IVO:
			if t.After(newestIVO) {
				newestIVO = t
			}
		}
	}
	var registry *store.Resolved
	for i := range recs {
		r := &recs[i]
		src := r.ID.Source
		if !record.KnownSource(src) {
			// Written by another version of Vaksam (a restored backup):
			// the record stays stored, but nothing of it can be read.
			return nil, fmt.Errorf("profile: record %s: source %q is not in the source registry (engine/record.Registry; known: %s)",
				r.ID, src, strings.Join(record.Sources, ", "))
		}
		if network && !networkSource(src) {
			continue
		}
		st := s.Sources[src]
		if st == nil {
			st = &SourceState{}
			s.Sources[src] = st
		}
		if r.LastSuccess.After(st.LastObserved) {
			st.LastObserved = r.LastSuccess
		}
		if r.Error != "" && r.LastObserved.After(st.ErrorAt) {
			st.Error, st.ErrorAt = r.Error, r.LastObserved
		}
		if r.Current == nil {
			continue
		}
		st.Present = true
		st.Records++
		s.Evidence[src] = append(s.Evidence[src], Ref{Source: src, Key: r.ID.Subject + keySuffix(r.ID.Key), Version: r.Current.N, Observed: r.LastSuccess})
		ended := src == record.Roles && r.LastSuccess.Before(newestRoles) || src == record.IVO && r.LastSuccess.Before(newestIVO)
		if err := s.add(r, ended); err != nil {
			return nil, fmt.Errorf("profile: %s: %w", r.ID, err)
		}
		switch src {
		case record.Bolagsverket, record.BolagsverketBulk, record.SCBBulk:
			// The freshest registry record wins; on the same day the
			// Bolagsverket API before its bulk file before SCB's.
			if registry == nil || newerRegistry(r.ID.Source, r.LastSuccess, registry.ID.Source, registry.LastSuccess) {
				registry = r
			}
		}
	}
	if registry != nil {
		history := registry.History
		if network {
			// The current version first: the others only if it needs them.
			history = history[len(history)-1:]
		}
		if err := s.decodeCompany(registry, history); err != nil {
			return nil, err
		}
		if network && len(registry.History) > 1 && undatedBankruptcy(s.Company) {
			s.CompanyHistory = nil
			if err := s.decodeCompany(registry, registry.History); err != nil {
				return nil, err
			}
		}
		s.companySource = registry.ID.Source
		if c := s.Company; c.Owner != nil {
			// A sole trader's owner is its representative.
			owner := *c.Owner
			if owner.Name == "" {
				owner.Name = c.Name
			}
			s.Roles = append(s.Roles, record.Role{Orgnr: id, Person: owner, Role: OwnerRole, From: c.Registered, To: c.Deregistered})
		}
	}
	for _, st := range s.Sources {
		// An error counts until a later success.
		if !st.ErrorAt.After(st.LastObserved) {
			st.Error, st.ErrorAt = "", time.Time{}
		}
	}
	sort.Slice(s.Invoices, func(i, j int) bool { return s.Invoices[i].Date.Before(s.Invoices[j].Date) })
	return s, nil
}

// decodeCompany decodes versions of the registry record as the company's
// history, the last one current.
func (s *Subject) decodeCompany(registry *store.Resolved, history []store.Version) error {
	for _, v := range history {
		var c record.Company
		if err := json.Unmarshal(v.Parsed, &c); err != nil {
			return fmt.Errorf("profile: %s version %d: %w", registry.ID, v.N, err)
		}
		s.CompanyHistory = append(s.CompanyHistory, Dated[record.Company]{At: v.FirstObserved, Value: c})
	}
	s.Company = &s.CompanyHistory[len(s.CompanyHistory)-1].Value
	return nil
}

// newerRegistry reports whether a registry record of source srcA last
// fetched at a is fresher than one of srcB last fetched at b: a later
// calendar day of its last success, or the same day and a better source.
func newerRegistry(srcA string, a time.Time, srcB string, b time.Time) bool {
	da, db := a.Truncate(24*time.Hour), b.Truncate(24*time.Hour)
	if !da.Equal(db) {
		return da.After(db)
	}
	if ra, rb := registryRank(srcA), registryRank(srcB); ra != rb {
		return ra > rb
	}
	return a.After(b)
}

func keySuffix(k string) string {
	if k == "" {
		return ""
	}
	return "/" + k
}

// registryRank prefers the Bolagsverket API, then its bulk file, then SCB's.
func registryRank(src string) int {
	switch src {
	case record.Bolagsverket:
		return 3
	case record.BolagsverketBulk:
		return 2
	}
	return 1
}

func (s *Subject) add(r *store.Resolved, ended bool) error {
	raw := r.Current.Parsed
	switch r.ID.Source {
	case record.Bolagsverket, record.BolagsverketBulk, record.SCBBulk:
		// Decoded with its history once the registry record is chosen.
		return nil
	case record.SCB:
		var v record.TaxStatus
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		s.Tax = &v
	case record.Kronofogden:
		var v record.Enforcement
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		if s.Enforcement == nil || v.AsOf.After(s.Enforcement.AsOf) {
			s.Enforcement = &v
		}
	case record.IVO:
		var v record.Permit
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		if ended && v.Status == "giltigt" {
			v.Status = "upphort"
		}
		s.Permits = append(s.Permits, v)
	case record.IVOBeslut, record.Arbetsmiljoverket:
		var v record.Decision
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		if r.ID.Source == record.IVOBeslut {
			s.IVO = append(s.IVO, v)
		} else {
			s.AV = append(s.AV, v)
		}
	case record.Roles:
		var v record.Role
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		if ended && v.To.IsZero() {
			// No longer reported: ended at the latest when last confirmed.
			v.To = r.LastSuccess.UTC().Truncate(24 * time.Hour)
		}
		s.Roles = append(s.Roles, v)
	case record.Huvudman:
		var v record.Owners
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		s.Owners = &v
	case record.BolagsverketDokument:
		var v record.Documents
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		s.Docs = &v
	case record.Contracts:
		var v record.Contract
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		s.Contracts = append(s.Contracts, v)
	case record.Invoices:
		var v record.Invoice
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		s.Invoices = append(s.Invoices, v)
	case record.Naringsforbud:
		var v record.Ban
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		s.Bans = append(s.Bans, v)
	case record.SanctionsEU, record.SanctionsUN, record.SanctionsFtM:
		// A sanctions list's records live under its own subject
		// (record.ListSubject), never an organisation's, and are read by
		// engine/watchlist as a whole list: nothing of one record goes
		// into a Subject. Decoding the list's subject notes them in
		// Sources and Evidence only, and does not fail.
		return nil
	default:
		return fmt.Errorf("version %d: no decoder for source %q in engine/profile", r.Current.N, r.ID.Source)
	}
	return nil
}
