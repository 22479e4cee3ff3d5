package screening_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/screening"
)

// What the real services showed (shared/formats "Corrections"), screened
// end to end through the real parsers.

func TestCompanyUnknownAtSCB(t *testing.T) {
	f := newFixture(t)
	observed := instant(t, "2026-11-20T12:00:00+01:00")
	f.ingestFile(t, "bolagsverket", "../../connectors/formats/testdata/bolagsverket-scb-finns-ej.json", "", observed)
	f.ingestString(t, "contracts", "avtal_id;orgnr;leverantor;kategori;avtalsagare;startdatum;slutdatum;uppskattat_varde_sek;platser;dygnspris_sek;adress\n"+
		"SKK-2025-0301;5567223705;Vårdbolaget Syd AB;hvb_barn;skanes_kommuner;2025-05-01;2027-04-30;6000000;4;4200;Industrigatan 4, 21214 Malmö\n", observed)
	a := f.screen(t, "5567223705", instant(t, "2026-11-21T12:00:00+01:00"), false)

	if a.NotRegistered || a.Name != "Vårdbolaget Syd AB" {
		t.Errorf("not registered %v, name %q: Bolagsverket's facts were dropped", a.NotRegistered, a.Name)
	}
	if !strings.Contains(hitIDs(a), "S06") {
		t.Errorf("hits %s: the bankruptcy (KK) Bolagsverket reported does not count", hitIDs(a))
	}
	if !slices.Contains(a.NotChecked, "S19") {
		t.Errorf("not checked %v: S19 reads the SNI that SCB did not give", a.NotChecked)
	}
	var bv *screening.Missing
	for i := range a.Missing {
		if a.Missing[i].Source == "bolagsverket" {
			bv = &a.Missing[i]
		}
	}
	if bv == nil || !strings.Contains(bv.Reason, "unknown sni: SCB: ORGANISATION_FINNS_EJ") || !a.Incomplete {
		t.Errorf("missing %+v, incomplete %v: want the unknown SNI named", a.Missing, a.Incomplete)
	}
}

func TestBanFoundOnPartialLookups(t *testing.T) {
	// The sample extract looked up one representative, the banned one:
	// S15 fires although the others were never looked up.
	f := newFixture(t)
	f.ingestSamples(t, instant(t, "2026-11-20T12:00:00+01:00"))
	a := f.screen(t, "5591234561", instant(t, "2026-11-21T12:00:00+01:00"), false)
	if !strings.Contains(hitIDs(a), "S15") || slices.Contains(a.CriticalNotChecked, "S15") {
		t.Errorf("hits %s, critical not checked %v: want S15 to fire", hitIDs(a), a.CriticalNotChecked)
	}
}
