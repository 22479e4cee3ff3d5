package profile

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
)

// IndexedPopulation builds the Population as of at from the store's
// network and market indexes (small keys kept current as records are
// written), without reading the records: the same Population a
// PopulationBuilder makes of every subject decoded with DecodeNetwork.
// ok is false when the indexes cannot answer as of at: a time before the
// newest success of some registry, role or trading-ban record
// (store.ErrNetworkNotCurrent), or a read-only store written without them;
// the caller then builds it from a scan. persons counts the person
// subjects met.
func IndexedPopulation(st *store.Store, at time.Time, cfg Config) (pop *Population, persons int, ok bool, err error) {
	b := NewPopulationBuilder(at, cfg)
	var (
		subject string
		recs    []store.NetworkRecord
		scratch indexedScratch
	)
	flush := func() {
		if len(recs) == 0 {
			return
		}
		if strings.HasPrefix(subject, record.PersonSubjectPrefix) {
			persons++
		}
		scratch.add(b, subject, recs)
		recs = recs[:0]
	}
	err = st.Network(at, func(r store.NetworkRecord) error {
		if r.ID.Subject != subject {
			flush()
			subject = r.ID.Subject
		}
		recs = append(recs, r)
		return nil
	})
	if err == nil {
		flush()
		err = st.Market(at, store.MarketFacts{Contract: b.mb.addContract, Invoice: b.mb.addInvoice})
	}
	switch {
	case errors.Is(err, store.ErrNetworkNotCurrent), errors.Is(err, store.ErrNoNetworkIndex), errors.Is(err, store.ErrNoMarketIndex):
		return nil, 0, false, nil
	case err != nil:
		return nil, 0, false, fmt.Errorf("network index: %w", err)
	}
	return b.Population(), persons, true, nil
}

// indexedScratch holds the slices add fills for one subject, reused for
// the next: the builder keeps copies.
type indexedScratch struct {
	roles         []record.Role
	bans          []record.Ban
	banRefs, refs []Ref
}

// add adds to b what Add adds of the subject DecodeNetwork makes, from
// the subject's records in the network index (in key order) instead of
// its records (indexedFacts). Contracts and invoices come from the market
// index.
func (sc *indexedScratch) add(b *PopulationBuilder, id string, recs []store.NetworkRecord) {
	roles, bans, banRefs, facts := sc.facts(id, recs)
	b.add(id, roles, bans, banRefs, facts)
	clear(roles)
	clear(bans)
	clear(banRefs)
	sc.roles, sc.bans, sc.banRefs = roles, bans, banRefs
}

// facts returns what the network reads of the subject DecodeNetwork
// makes, from the subject's records in the network index (in key order)
// instead of its records: its roles (those its newest import of roles no
// longer carried ended, and a sole trader's owner), its trading bans and
// their versions, its registry facts (nil for none). The slices are
// sc's: a zero indexedScratch gives new ones.
func (sc *indexedScratch) facts(id string, recs []store.NetworkRecord) (roles []record.Role, bans []record.Ban, banRefs []Ref, facts *OrgFacts) {
	var newestRoles time.Time
	for i := range recs {
		if t := recs[i].LastSuccess; recs[i].ID.Source == record.Roles && t.After(newestRoles) {
			newestRoles = t
		}
	}
	roles, bans, banRefs = sc.roles[:0], sc.bans[:0], sc.banRefs[:0]
	var registry *store.NetworkRecord
	for i := range recs {
		r := &recs[i]
		switch {
		case r.Role != nil:
			v := *r.Role
			if r.LastSuccess.Before(newestRoles) && v.To.IsZero() {
				v.To = r.LastSuccess.UTC().Truncate(24 * time.Hour)
			}
			roles = append(roles, v)
		case r.Ban != nil:
			bans = append(bans, *r.Ban)
			banRefs = append(banRefs, indexedRef(r))
		case r.Company != nil:
			if registry == nil || newerRegistry(r.ID.Source, r.LastSuccess, registry.ID.Source, registry.LastSuccess) {
				registry = r
			}
		}
	}
	if registry != nil {
		c := registry.Company
		// The evidence: every record of the registry chosen.
		refs := sc.refs[:0]
		for i := range recs {
			if recs[i].ID.Source == registry.ID.Source {
				refs = append(refs, indexedRef(&recs[i]))
			}
		}
		facts = factsFrom(c, refs, func() time.Time { return registry.BankruptcySeen })
		sc.refs = refs
		if c.Owner != nil {
			roles = append(roles, record.Role{Orgnr: id, Person: *c.Owner, Role: OwnerRole, From: c.Registered, To: c.Deregistered})
		}
	}
	return roles, bans, banRefs, facts
}

// indexedRef is the Ref Decode makes of a record's current version.
func indexedRef(r *store.NetworkRecord) Ref {
	return Ref{Source: r.ID.Source, Key: r.ID.Subject + keySuffix(r.ID.Key), Version: r.Version, Observed: r.LastSuccess}
}
