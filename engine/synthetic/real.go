package synthetic

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/record"
)

// Bolagsverket's fel texts, as its services write them.
const (
	finnsEjSCB = "Begärd organisation finns inte registrerad i sökbar form hos aktuell dataproducent. " +
		"Observera att en organisation ändå kan existera och eventuellt också finnas registrerad i sökbar form hos en annan dataproducent trots detta fel."
	otillgangligText = "Uppkoppling mot Bolagsverket misslyckades. Efterfrågade uppgifter kunde inte hämtas."
)

// UnavailableFields are the fields Bolagsverket produces that carry
// OTILLGANGLIG_UPPGIFTSKALLA in the answer without identity
// (KindWithoutIdentity); a fake serving that organisation must fail the
// same fields.
var UnavailableFields = []string{"organisationsnamn", "organisationsform", "avregistreradOrganisation",
	"pagaendeAvvecklingsEllerOmstruktureringsforfarande"}

// scbFinnsEj is an SCB-produced wrapper of a company SCB does not know:
// its content null, ORGANISATION_FINNS_EJ.
func scbFinnsEj(content string) string {
	return `{` + content + `,"dataproducent":"SCB","fel":{"typ":"ORGANISATION_FINNS_EJ","felBeskrivning":"` + finnsEjSCB + `"}}`
}

// unavailable is a Bolagsverket-produced wrapper that could not be read.
func unavailable(content string) string {
	return `{` + content + `,"dataproducent":"Bolagsverket","fel":{"typ":"OTILLGANGLIG_UPPGIFTSKALLA","felBeskrivning":"` + otillgangligText + `"}}`
}

// withoutIdentity is Bolagsverket's answer about o whose source failed,
// as in its own example: no organisationsidentitet, its own fields
// (UnavailableFields) OTILLGANGLIG_UPPGIFTSKALLA, SCB's filled.
func (g *gen) withoutIdentity(o *org) []byte {
	fi := forms[o.form]
	a := o.cur()
	b := []byte(`{"organisationer":[{"organisationsidentitet":null,"namnskyddslopnummer":null`)
	b = append(b, `,"organisationsnamn":`+unavailable(`"organisationsnamnLista":null`)...)
	b = append(b, `,"registreringsland":null,"reklamsparr":null`...)
	b = append(b, `,"organisationsform":`+unavailable(`"kod":null,"klartext":null`)...)
	b = append(b, `,"avregistreradOrganisation":`+unavailable(`"avregistreringsdatum":null`)...)
	b = append(b, `,"avregistreringsorsak":null`...)
	b = append(b, `,"pagaendeAvvecklingsEllerOmstruktureringsforfarande":`+unavailable(`"pagaendeAvvecklingsEllerOmstruktureringsforfarandeLista":null`)...)
	b = append(b, `,"juridiskForm":{"kod":`...)
	b = appendStr(b, fi.jur)
	b = append(b, `,"klartext":`...)
	b = appendStr(b, fi.jurText)
	b = append(b, scbProd...)
	b = append(b, `,"verksamOrganisation":{"kod":"JA","klartext":"Ja"`+scbProd...)
	b = append(b, `,"organisationsdatum":{"registreringsdatum":null,"infortHosScb":`...)
	b = appendStr(b, g.date(o.scbIn))
	b = append(b, scbProd...)
	b = append(b, `,"verksamhetsbeskrivning":null,"naringsgrenOrganisation":{"sni":[`...)
	for k := 0; k < 5; k++ {
		if k > 0 {
			b = append(b, ',')
		}
		code := "     "
		if k < len(o.sni) {
			code = o.sni[k]
		}
		b = append(b, `{"kod":`...)
		b = appendStr(b, code)
		b = append(b, `,"klartext":`...)
		b = appendStr(b, sniTexts[code])
		b = append(b, '}')
	}
	b = append(b, ']')
	b = append(b, scbProd...)
	b = append(b, `,"postadressOrganisation":{"postadress":{"utdelningsadress":`...)
	b = appendStr(b, a.street)
	b = append(b, `,"coAdress":null,"postnummer":`...)
	b = appendStr(b, a.postcode)
	b = append(b, `,"postort":`...)
	b = appendStr(b, towns[a.town].upper)
	b = append(b, `,"land":null}`+scbProd+"}]}\n"...)
	return b
}

// writeWithoutIdentity writes o's answer without identity as a step of
// its own, observed a day after the last snapshot that answered well.
func (g *gen) writeWithoutIdentity(o *org) error {
	rel := "bolagsverket-utan-identitet/" + o.orgnr + ".json"
	if err := os.MkdirAll(filepath.Join(g.dir, "bolagsverket-utan-identitet"), 0o755); err != nil {
		return err
	}
	g.steps = append(g.steps, Step{Source: record.Bolagsverket, File: rel, Observed: g.observed(1), Orgnr: o.orgnr})
	g.io.jobs <- ioJob{path: filepath.Join(g.dir, filepath.FromSlash(rel)), data: g.io.copyOf(g.withoutIdentity(o))}
	return nil
}

// kindOrder is the order of Manifest.RealFormat.
var kindOrder = []string{KindSCBOnly, KindBulkModifiers, KindModifierBankruptcy, KindTaxWithheld,
	KindUnknownBirthDate, KindUnknownBirthDateMember, KindWithoutIdentity, KindSanctionsIdentifier, KindSanctionsNearName}

// sortReal orders real-format cases by kind, in kindOrder.
func sortReal(l []RealCase) {
	slices.SortStableFunc(l, func(a, b RealCase) int {
		return slices.Index(kindOrder, a.Kind) - slices.Index(kindOrder, b.Kind)
	})
}

// notCheckedWithoutBolagsverket are the rules that read Bolagsverket's
// facts: not checked while its newest answer is an error.
var notCheckedWithoutBolagsverket = []string{"S06", "S07", "S08", "S09", "S10", "S11", "S12", "S13", "S16", "S17", "S19"}

// realCase describes o for Manifest.RealFormat, with what the default
// rules conclude about it as of Now, or reports that it is none.
func (g *gen) realCase(o *org) (RealCase, bool) {
	sp := o.sp
	if sp == nil || sp.real == realNone && sp.withheld == withheldNone {
		return RealCase{}, false
	}
	c := RealCase{Orgnr: o.orgnr, Name: o.name}
	review := func(hits ...string) Outcome { return Outcome{Step: ladder.L2, Verdict: ladder.Review, Hits: hits} }
	switch {
	case sp.withheld != withheldNone:
		c.Kind = KindTaxWithheld
		c.Expect = Outcome{Step: ladder.L0, Verdict: ladder.Review, Incomplete: true, Hits: []string{}, NotChecked: []string{"S01"}}
		if sp.withheld == withheldFskattStar {
			c.What = `SCB: Fskattstatus "*" (not ordered)`
			c.Expect.Missing = []Missing{{"D01", record.SCB, "Fskattstatus: not ordered from SCB (*)"}}
		} else {
			c.What = "SCB: no Fskattstatus, Momsstatus or Arbetsgivarstatus columns"
			c.Expect.NotChecked = append(c.Expect.NotChecked, "S02")
			c.Expect.Missing = []Missing{{"D01", record.SCB, "not delivered by SCB (no such column)"}}
		}
	case sp.real == realSCBOnly:
		c.Kind = KindSCBOnly
		c.What = fmt.Sprintf("Bolagsverket: its own facts (KK since %s), ORGANISATION_FINNS_EJ on SCB's juridiskForm, "+
			"verksamOrganisation and naringsgrenOrganisation; SCB: no row", g.date(o.proc[0].from))
		c.Expect = Outcome{Step: ladder.L3, Verdict: ladder.Block, Incomplete: true, Hits: []string{"S06"},
			NotChecked: []string{"S01", "S02", "S03", "S19"},
			Missing: []Missing{
				{"D01", record.SCB, "no record for this organisation"},
				{"D01", record.Bolagsverket, "unknown sni: SCB: ORGANISATION_FINNS_EJ (naringsgrenOrganisation)"},
			}}
	case sp.real == realNoIdentity:
		c.Kind = KindWithoutIdentity
		c.What = fmt.Sprintf("Bolagsverket, %s: organisationsidentitet null, OTILLGANGLIG_UPPGIFTSKALLA on its own fields (after a good answer %s)",
			g.date(g.observed(1)), g.date(g.snapDate(lastSnap)))
		c.Expect = Outcome{Step: ladder.L2, Verdict: ladder.Review, Incomplete: true, Hits: slices.Clone(sp.inds),
			NotChecked: notCheckedWithoutBolagsverket,
			Missing:    []Missing{{"D02", record.Bolagsverket, "source error: OTILLGANGLIG_UPPGIFTSKALLA"}}}
	case sp.real == realBulkOnly:
		c.Kind = KindBulkModifiers
		c.What = fmt.Sprintf("only a bulk-file row: FRUHOR-AVSLAVOMFO$null, KKAVOV-AVSLAVOMFO$null, deregistered %s (KKAV)", g.date(o.dereg))
		c.Expect = Outcome{Step: ladder.L3, Verdict: ladder.Block, Incomplete: true, Hits: slices.Clone(sp.inds),
			Missing: []Missing{{"D01", record.Kronofogden, "no record for this organisation"}}}
	case sp.real == realModifierS13:
		c.Kind = KindModifierBankruptcy
		_, dereg := g.predDates(&spec{kind: kPred, v: 1, grp: sp.grp, real: realBulkOnly})
		c.What = fmt.Sprintf("a board member sat on two bankrupt companies, one known only from its bulk-file row (ended KK without date, deregistered %s)", g.date(dereg))
		c.Expect = review(sp.inds...)
	case sp.real == realUnknownBirth:
		c.Kind = KindUnknownBirthDate
		c.Expect = review(sp.inds...)
		c.BirthYear, c.What = birthOf(o, "styrelseledamot", "the only board member")
	default:
		c.Kind = KindUnknownBirthDateMember
		c.Expect = Outcome{Step: ladder.L0, Verdict: ladder.Clear, Hits: []string{}}
		c.BirthYear, c.What = birthOf(o, "styrelseledamot", "a board member beside the chair")
	}
	return c, true
}

// birthOf returns the birth year of o's representative in role, and a
// line saying what their samordningsnummer leaves unknown.
func birthOf(o *org, role, who string) (int, string) {
	for _, r := range o.roles {
		if r.roll != role {
			continue
		}
		y, _ := strconv.Atoi(r.p.pnr[:4])
		var unknown string
		switch m, d := r.p.pnr[4:6], r.p.pnr[6:8]; {
		case m == "00" && d == "60":
			unknown = "month 00 and day 60"
		case m == "00":
			unknown = "month 00"
		default:
			unknown = "day 60"
		}
		return y, fmt.Sprintf("%s (%s) has a samordningsnummer with %s: born %d", who, role, unknown, y)
	}
	return 0, ""
}
