package screening_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/synthetic"
)

// outcome is what an assessment concluded, in the terms the manifest
// states its expectations.
func outcome(a *screening.Assessment) synthetic.Outcome {
	o := synthetic.Outcome{Step: a.Step, Verdict: a.Verdict, Incomplete: a.Incomplete, NotChecked: a.NotChecked}
	for _, h := range a.Hits {
		o.Hits = append(o.Hits, h.ID)
	}
	for _, m := range a.Missing {
		o.Missing = append(o.Missing, synthetic.Missing{ID: m.ID, Source: m.Source, Reason: m.Reason})
	}
	return o
}

// The organisations whose sources answer as the real services do
// (shared/formats "Corrections"), generated in the real formats and
// ingested through the importers, are assessed as the rules say: a
// company SCB does not know keeps Bolagsverket's facts and is blocked on
// its bankruptcy, incomplete; a bankruptcy known only from a bulk-file
// row with modifier codes and no dates counts for S13; tax statuses SCB
// withholds leave S01 unchecked; a samordningsnummer without a birth date
// is a coordination number with its birth year; an answer without
// identity is a source error for the organisation asked for, which keeps
// its earlier facts.
func TestRealFormatCasesAssessed(t *testing.T) {
	f, man, byOrg := screenedPopulation(t, 300)
	kinds := map[string]int{}
	for _, c := range man.RealFormat {
		kinds[c.Kind]++
		a := byOrg[c.Orgnr]
		if a == nil {
			t.Errorf("%s %s was not screened", c.Kind, c.Orgnr)
			continue
		}
		for _, d := range c.Diff(outcome(a)) {
			t.Errorf("%s %s %s: %s", c.Kind, c.Orgnr, c.Name, d)
		}
		recs, err := f.st.Subject(c.Orgnr, store.ScanOptions{At: man.Now, History: profile.HistorySources})
		if err != nil {
			t.Fatal(err)
		}
		sub, err := profile.Decode(c.Orgnr, recs)
		if err != nil {
			t.Fatal(err)
		}
		switch c.Kind {
		case synthetic.KindSCBOnly:
			if a.Name != c.Name || sub.Company == nil || sub.Company.Form != "AB" || sub.Company.NotFound {
				t.Errorf("%s: name %q, company %+v: want Bolagsverket's name %q and form AB", c.Orgnr, a.Name, sub.Company, c.Name)
			}
		case synthetic.KindBulkModifiers:
			var sources []string
			for _, r := range recs {
				sources = append(sources, r.ID.Source)
			}
			if slices.Contains(sources, record.Bolagsverket) || !slices.Contains(sources, record.BolagsverketBulk) {
				t.Errorf("%s: records from %v, want the bulk file's and no API answer", c.Orgnr, sources)
			}
		case synthetic.KindUnknownBirthDate, synthetic.KindUnknownBirthDateMember:
			i := slices.IndexFunc(sub.Roles, func(r record.Role) bool { return r.Role == "styrelseledamot" && r.Person.Coordination })
			if i < 0 || sub.Roles[i].Person.BirthYear != c.BirthYear {
				t.Errorf("%s: roles %+v, want a styrelseledamot with a coordination number, born %d", c.Orgnr, sub.Roles, c.BirthYear)
			}
		case synthetic.KindWithoutIdentity:
			st := sub.Sources[record.Bolagsverket]
			if st == nil || !strings.Contains(st.Error, "OTILLGANGLIG_UPPGIFTSKALLA") || sub.Company == nil || sub.Company.Name != c.Name || a.Name != c.Name {
				t.Errorf("%s: source state %+v, company %+v, name %q: want the error, and the earlier answer's name %q kept", c.Orgnr, st, sub.Company, a.Name, c.Name)
			}
		}
	}
	for _, kind := range []string{synthetic.KindSCBOnly, synthetic.KindBulkModifiers, synthetic.KindModifierBankruptcy, synthetic.KindTaxWithheld,
		synthetic.KindUnknownBirthDate, synthetic.KindUnknownBirthDateMember, synthetic.KindWithoutIdentity} {
		if kinds[kind] == 0 {
			t.Errorf("the population has no real-format case of kind %s", kind)
		}
	}
}
