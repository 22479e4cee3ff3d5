package screening

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
)

// WatchList returns the organisations Vaksam keeps fresh as of at: those
// with an active contract, and those screened before award in the last
// preAwardDays days. Sorted.
func WatchList(st *store.Store, at time.Time, preAwardDays int) ([]string, error) {
	set := map[string]bool{}
	contracted, err := st.SourceSubjects(record.Contracts)
	if err != nil {
		return nil, err
	}
	for _, id := range contracted {
		recs, err := st.Subject(id, store.ScanOptions{At: at})
		if err != nil {
			return nil, err
		}
		sub, err := profile.Decode(id, recs)
		if err != nil {
			return nil, err
		}
		for _, c := range sub.Contracts {
			if profile.Active(c, at) {
				set[id] = true
				break
			}
		}
	}
	screened, err := st.PreAwardSince(at.AddDate(0, 0, -preAwardDays), at)
	if err != nil {
		return nil, err
	}
	for _, id := range screened {
		set[id] = true
	}
	out := make([]string, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	sort.Strings(out)
	return out, nil
}

// Affected returns the organisations whose assessment new record versions
// may change: the organisations the records concern, and those linked to
// them through a shared representative or postal address. An
// organisation's representatives are those the record links and those
// the store holds for it as of at: a record without person links (a bulk
// file's row saying the company went bankrupt) reaches the organisations
// that share its board as well. Sorted.
func Affected(st *store.Store, items []record.Item, at time.Time) ([]string, error) {
	set := map[string]bool{}
	persons := map[string]bool{}
	addrs := map[string]bool{}
	for _, it := range items {
		if record.IsListSubject(it.Subject) {
			// A sanctions list's entity concerns no organisation by
			// itself: who it may be is the sanctions screening's question
			// over the whole population, not a neighbour's.
			continue
		}
		if p, ok := strings.CutPrefix(it.Subject, record.PersonSubjectPrefix); ok {
			persons[p] = true
		} else if !set[it.Subject] {
			set[it.Subject] = true
			if err := representatives(st, it.Subject, at, persons); err != nil {
				return nil, err
			}
		}
		for _, p := range it.Links.Persons {
			persons[p] = true
		}
		for _, a := range it.Links.Addresses {
			if a != "" {
				addrs[a] = true
			}
		}
	}
	for p := range persons {
		orgs, err := st.PersonOrgs(p)
		if err != nil {
			return nil, err
		}
		for _, o := range orgs {
			set[o] = true
		}
	}
	for a := range addrs {
		orgs, err := st.AddressOrgs(a)
		if err != nil {
			return nil, err
		}
		for _, o := range orgs {
			set[o] = true
		}
	}
	out := make([]string, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	sort.Strings(out)
	return out, nil
}

// representatives adds to persons the pseudonyms of org's representatives
// as the store holds them as of at.
func representatives(st *store.Store, org string, at time.Time, persons map[string]bool) error {
	recs, err := st.Subject(org, store.ScanOptions{At: at, Only: func(id store.RecordID) bool { return id.Source == record.Roles }})
	if err != nil {
		return fmt.Errorf("representatives of %s: %w", org, err)
	}
	sub, err := profile.DecodeNetwork(org, recs)
	if err != nil {
		return fmt.Errorf("representatives of %s: %w", org, err)
	}
	for _, r := range sub.Roles {
		if r.Person.ID != "" {
			persons[r.Person.ID] = true
		}
	}
	return nil
}
