package synthetic

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Special organisations: the planted cases, the clean controls, the
// bankrupt predecessors of S13 and an accounting firm with its clients.
const (
	kPlanted = iota
	kPred    // bankrupt predecessor of an S13 case
	kClean
	kAcct // accounting firm (v 0) and its clients (v 1)
	// kChain: a company of the front men's chain that goes on from the
	// first bankrupt predecessor of S13 network chainGroup (chain.go).
	kChain
)

// What an organisation's SCB row withholds (spec.withheld, org.withheld):
// tax statuses the account has not ordered.
const (
	withheldNone       = iota
	withheldFskattStar // "*" in Fskattstatus (supplement not ordered)
	withheldTaxColumns // no Fskattstatus, Momsstatus or Arbetsgivarstatus columns
)

// Real-format cases (spec.real): organisations whose sources answer as
// the real services do (Manifest.RealFormat). Each is an existing special
// organisation given that answer, so that adding them moved no other.
const (
	realNone          = iota
	realSCBOnly       // S06 (v 0): FINNS_EJ on SCB's wrappers, no SCB row
	realNoIdentity    // S04 (v 0): the newest Bolagsverket answer has no identity and OTILLGANGLIG
	realBulkOnly      // kPred (v 1, every third network): only a bulk-file row, modifier codes, null dates
	realModifierS13   // the S13 case of a realBulkOnly predecessor's network
	realUnknownBirth  // S14 (the first with a coordination number): month 00, day 60
	realMemberNoDate  // clean (first): a board member with month 00, day 60
	realMemberNoDay   // clean (second): a board member with day 60
	realMemberNoMonth // clean (third): a board member with month 00
)

// modifierGroup reports whether S13 network gr has a realBulkOnly
// predecessor: every third, beginning with the third.
func modifierGroup(gr int) bool { return gr%3 == 2 }

// S12 variants.
const (
	s12Mass = iota
	s12Box
	s12CO
)

type spec struct {
	kind int
	ind  string   // the indicator planted (kPlanted)
	inds []string // what it is expected to trigger
	v    int      // variant
	grp  int      // group: mass address, S13 network, straw man
	cat  int      // category of its (first) contract, -1 none
	bus  int
	high bool // C05: outlier above (true) or below
	tiny bool // kClean: one of the two small "ovrigt" suppliers beside P03
	// withheld (kClean): the SCB row withholds tax statuses, so the
	// assessment must be incomplete; listed in Manifest.Incomplete, not
	// Manifest.Clean.
	withheld int
	real     int // realNone, …: how its sources answer, as the real services do
}

func (g *gen) plan() {
	o := g.cfg.Orgs
	g.per = 3 + min(7, o/100_000)
	per := g.per
	general := []int{catHVBBarn, catIT, catStodboende, catTolk, catLarm, catHVBVuxna, catLivsmedel,
		catOppenvard, catHandledning, catFamiljehem, catArbetskoop, catSkyddat}
	rot := 0
	next := func() int { c := general[rot%len(general)]; rot++; return c }
	add := func(s spec) {
		if s.bus == 0 && s.cat >= 0 {
			s.bus = businessFor(s.cat)
		}
		if s.inds == nil && s.kind == kPlanted {
			s.inds = []string{s.ind}
		}
		g.specs = append(g.specs, s)
	}
	pick := func(list []int, v int) int { return list[v%len(list)] }
	staffed := []int{catTolk, catHVBBarn, catHandledning, catOppenvard, catArbetskoop, catStodboende}

	for _, ind := range []string{"S01", "S02", "S03", "S04", "S05", "S06", "S07", "S08", "S09", "S10", "S11"} {
		for v := 0; v < per; v++ {
			s := spec{kind: kPlanted, ind: ind, v: v}
			switch ind {
			case "S02", "S03":
				s.cat = pick(staffed, v)
			case "S08":
				s.cat = pick([]int{catIT, catTolk, catLarm, catLivsmedel, catHandledning}, v)
			default:
				s.cat = next()
			}
			switch {
			case ind == "S06" && v == 0:
				// The company SCB does not know: a care supplier (S19
				// wants the SNI SCB does not give).
				s.real = realSCBOnly
				if !categories[s.cat].care {
					s.cat = catHVBBarn
				}
			case ind == "S04" && v == 0:
				s.real = realNoIdentity
			}
			add(s)
		}
	}
	groups := 1 + min(5, o/200_000)
	for gi := 0; gi < groups; gi++ {
		for k := 0; k < 10+gi%3; k++ {
			add(spec{kind: kPlanted, ind: "S12", v: s12Mass, grp: gi, cat: next()})
		}
	}
	for v := 0; v < per; v++ {
		add(spec{kind: kPlanted, ind: "S12", v: s12Box, grp: v, cat: next()})
		add(spec{kind: kPlanted, ind: "S12", v: s12CO, grp: v, cat: next()})
	}
	for gi := 0; gi < per; gi++ {
		s13, pred := realNone, realNone
		if modifierGroup(gi) {
			s13, pred = realModifierS13, realBulkOnly
		}
		add(spec{kind: kPlanted, ind: "S13", grp: gi, cat: next(), real: s13})
		add(spec{kind: kPred, inds: []string{"S01", "S06"}, grp: gi, v: 0, cat: -1, bus: businessFor(catHVBBarn)})
		add(spec{kind: kPred, inds: []string{"S01", "S06"}, grp: gi, v: 1, cat: -1, bus: businessFor(catStodboende), real: pred})
	}
	g.planChain(add)
	straw := 1 + o/500_000
	for m := 0; m < straw; m++ {
		for k := 0; k < 10; k++ {
			add(spec{kind: kPlanted, ind: "S14", v: 0, grp: m, cat: next()})
		}
	}
	for v := 0; v < per; v++ {
		s := spec{kind: kPlanted, ind: "S14", v: 1, cat: next()}
		if v == 0 {
			s.real = realUnknownBirth
		}
		add(s)
	}
	for _, ind := range []string{"S15", "S16", "S17", "S19", "S20"} {
		for v := 0; v < per; v++ {
			s := spec{kind: kPlanted, ind: ind, v: v, cat: next()}
			if ind == "S19" {
				s.cat = pick([]int{catHVBVuxna, catStodboende, catOppenvard, catHVBBarn}, v)
			}
			add(s)
		}
	}
	for v := 0; v < per; v++ {
		add(spec{kind: kPlanted, ind: "C01", v: v, cat: pick([]int{catHVBBarn, catStodboende, catHVBBarn}, v)})
	}
	for v := 0; v < per; v++ {
		add(spec{kind: kPlanted, ind: "C02", v: v, cat: pick([]int{catHVBBarn, catHVBVuxna, catStodboende}, v)})
	}
	for v := 0; v < per; v++ {
		add(spec{kind: kPlanted, ind: "C03", v: v, cat: pick([]int{catHVBBarn, catStodboende, catHVBVuxna, catSkyddat, catFamiljehem}, v)})
	}
	for v := 0; v < per; v++ {
		c := pick([]int{catIT, catLarm}, v/2)
		if v%2 == 1 {
			c = pick([]int{catHVBBarn, catStodboende, catHVBVuxna}, v/2)
		}
		add(spec{kind: kPlanted, ind: "C04", v: v, cat: c})
	}
	c05 := []int{catHVBBarn, catHVBVuxna, catStodboende, catSkyddat, catOppenvard}
	for v := 0; v < per; v++ {
		add(spec{kind: kPlanted, ind: "C05", v: v, cat: pick(c05, v), high: v%5 != 1 && v%5 != 3})
	}
	for v := 0; v < per; v++ {
		add(spec{kind: kPlanted, ind: "P01", v: v, cat: pick([]int{catIT, catLarm, catLivsmedel, catTolk}, v)})
	}
	for v := 0; v < per; v++ {
		add(spec{kind: kPlanted, ind: "P02", inds: []string{"P01", "P02"}, v: v, cat: pick([]int{catLivsmedel, catIT, catTolk, catLarm}, v)})
	}
	for v := 0; v < 3; v++ {
		add(spec{kind: kPlanted, ind: "P03", v: v, cat: catOvrigt})
	}
	for v := 0; v < per; v++ {
		add(spec{kind: kPlanted, ind: "P04", v: v, cat: pick([]int{catIT, catLivsmedel, catLarm}, v)})
	}
	add(spec{kind: kClean, cat: catOvrigt, tiny: true})
	add(spec{kind: kClean, cat: catOvrigt, tiny: true, v: 1})
	cleanRot := []int{catHVBBarn, catHVBVuxna, catStodboende, catOppenvard, catSkyddat, catFamiljehem, catTolk,
		catIT, catHVBBarn, catStodboende, catHVBVuxna, catLarm, catLivsmedel, catHandledning, catArbetskoop}
	nClean := 20 + min(180, o/2000)
	for v := 0; v < nClean; v++ {
		s := spec{kind: kClean, v: v + 2, cat: pick(cleanRot, v)}
		// The last two are built clean but their SCB rows withhold tax
		// statuses: "*" for F-skatt, and no tax status columns.
		switch v {
		case nClean - 2:
			s.withheld = withheldFskattStar
		case nClean - 1:
			s.withheld = withheldTaxColumns
		case 0:
			s.real = realMemberNoDate
		case 1:
			s.real = realMemberNoDay
		case 2:
			s.real = realMemberNoMonth
		}
		add(s)
	}
	add(spec{kind: kAcct, v: 0, cat: -1, bus: busKonsult})
	clientBus := []int{13, 14, 15, 19, 18, 16}
	for v := 0; v < 8; v++ {
		add(spec{kind: kAcct, v: 1, cat: -1, bus: clientBus[v%len(clientBus)]})
	}

	k := len(g.specs)
	bg := max(o-k, o/2)
	g.n = k + bg
	g.specAt = make([]int32, g.n)
	for i := range g.specAt {
		g.specAt[i] = -1
	}
	g.specIx = make([]int, k)
	for j := range g.specs {
		i := int(int64(j) * int64(g.n) / int64(k))
		g.specIx[j] = i
		g.specAt[i] = int32(j)
	}
	g.clusterBase = 5 * g.n
	g.specialBase = g.clusterBase + g.n/3 + 1
	g.groupBase = g.specialBase + 8*k
}

func (g *gen) spec(i int) (*spec, int) {
	j := g.specAt[i]
	if j < 0 {
		return nil, -1
	}
	return &g.specs[j], int(j)
}

// Person indices.
func (g *gen) own(i, s int) int     { return 5*i + s }
func (g *gen) special(j, k int) int { return g.specialBase + 8*j + k }
func (g *gen) s13Person(gr int) int { return g.groupBase + gr }
func (g *gen) strawMan(m int) int   { return g.groupBase + 1000 + m }
func (g *gen) loner(b int) int      { return g.groupBase + 2000 + b }
func (g *gen) chainMan(k int) int   { return g.groupBase + 3000 + k }

// siteAddr is the k-th care site (visiting address) of organisation i.
func (g *gen) siteAddr(i, k int) address {
	if _, j := g.spec(i); j >= 0 {
		return g.addrFor(6*g.n + 16*j + k)
	}
	return g.addrFor(4*g.n + 2*i + k%2)
}

// Background organisation properties decided by hash, so that the contract
// plan can pick suppliers without building every organisation.
func (g *gen) busOf(i int) int {
	total := 0
	for _, b := range businesses {
		total += b.weight
	}
	x := int(g.h(i, saltBus) % uint64(total))
	for k, b := range businesses {
		if x < b.weight {
			return k
		}
		x -= b.weight
	}
	return 0
}

func (g *gen) formOf(i, bus int) int {
	b := businesses[bus]
	u := g.u(i, saltForm)
	if b.foreningP > 0 && u < b.foreningP {
		return formIF
	}
	u = g.u(i, saltForm+100)
	switch {
	case u < 0.03 && b.cat < 0:
		return formE
	case u < 0.10:
		return formHB
	}
	return formAB
}

func (g *gen) bgHasContract(i int) bool {
	bus := g.busOf(i)
	b := businesses[bus]
	return b.cat >= 0 && g.formOf(i, bus) != formE && g.u(i, saltContract) < b.contractP
}

type addrVer struct {
	snap int // first snapshot showing it
	a    address
}

type role struct {
	p        person
	roll     string
	from, to time.Time // to zero while current
}

type owner struct {
	p     person
	share string
}

type proceeding struct {
	code, text string
	from       time.Time
}

type decision struct {
	date   time.Time
	typ    string
	dnr    string
	amount int64
	text   string
}

const (
	docNone = iota
	docRecent
	docStale
	docEmpty
)

type org struct {
	i     int
	sp    *spec
	j     int
	form  int
	bus   int
	orgnr string // canonical 10 digits
	apiID string // identitetsbeteckning: orgnr, or 12-digit personnummer
	pe12  string // 12-digit personnummer of a sole trader
	name  string
	bifa  string // bifirma
	desc  string
	reg   time.Time
	scbIn time.Time
	sni   []string
	addrs []addrVer

	proc                 []proceeding
	dereg                time.Time
	deregCode, deregText string
	procEmptyList        bool

	fskatt, moms, employer, stkl int
	withheld                     int // withheldNone, …: what the SCB row leaves unknown

	roles       []role
	owners      []owner
	ownersEmpty bool
	noOwners    bool
	docs        int

	kfmPublic, kfmPublicSEK   int64
	kfmPrivate, kfmPrivateSEK int64
	kfmOrders                 int

	ivoDec, avDec []decision
	bans          []ban
}

// realKind says how o's sources answer (realNone, …).
func (o *org) realKind() int {
	if o.sp == nil {
		return realNone
	}
	return o.sp.real
}

func (o *org) addrAt(s int) address {
	a := o.addrs[0].a
	for _, v := range o.addrs {
		if v.snap <= s {
			a = v.a
		}
	}
	return a
}

func (o *org) cur() address { return o.addrs[len(o.addrs)-1].a }

func (o *org) town() town { return towns[o.cur().town] }

func pickS(r *rand.Rand, l []string) string { return l[r.IntN(len(l))] }

func monthsAgo(t time.Time, m int) time.Time { return t.AddDate(0, -m, 0) }

func randDay(r *rand.Rand, from, to time.Time) time.Time {
	d := int(to.Sub(from).Hours() / 24)
	if d <= 0 {
		return from
	}
	return from.AddDate(0, 0, r.IntN(d+1))
}

// build derives organisation i completely from the seed.
func (g *gen) build(i int) *org {
	sp, j := g.spec(i)
	r := g.rngFor(i, 0)
	o := &org{i: i, sp: sp, j: j}
	if sp != nil {
		o.bus = sp.bus
		o.form = formAB
	} else {
		o.bus = g.busOf(i)
		o.form = g.formOf(i, o.bus)
	}
	b := &businesses[o.bus]
	t := g.today

	// Number and registration.
	if o.form == formE {
		p := g.personFor(g.own(i, 0), false)
		o.pe12 = p.pnr
		o.orgnr = p.pnr[2:]
		o.apiID = p.pnr
	} else {
		o.orgnr, _ = g.orgnrFor(i, o.form)
		o.apiID = o.orgnr
	}
	newer := o.orgnr[2] == '9' && o.form == formAB
	latest := monthsAgo(t, 30)
	switch {
	case sp != nil:
		o.reg = t.AddDate(0, 0, -(1460 + r.IntN(2900)))
	case o.form == formAB && newer:
		from := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
		if !from.Before(latest) {
			from = latest.AddDate(-8, 0, 0)
		}
		o.reg = randDay(r, from, latest)
	case o.form == formAB:
		o.reg = randDay(r, time.Date(1985, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2014, 12, 31, 0, 0, 0, 0, time.UTC))
		if o.reg.After(latest) {
			o.reg = latest.AddDate(-5, 0, 0)
		}
	default:
		o.reg = randDay(r, t.AddDate(-25, 0, 0), latest)
	}
	if sp != nil {
		switch {
		case sp.kind == kPred:
			o.reg = g.predReg(sp)
		case sp.kind == kChain:
			o.reg = chainLinks[sp.v].reg(t)
		case sp.ind == "S08":
			o.reg = t.AddDate(0, 0, -(120 + (sp.v*37)%130))
		case sp.ind == "S13":
			o.reg = monthsAgo(t, 33)
		}
	}

	// Address.
	o.addrs = []addrVer{{0, g.addrFor(i)}}
	if sp == nil && g.u(i, saltMove) < 0.03 {
		o.addrs = []addrVer{{0, g.addrFor(g.n + 3*i)}, {2, g.addrFor(i)}}
	}

	// Name, activity.
	o.name = g.makeName(r, o)
	if sp == nil && o.form == formAB && r.IntN(50) == 0 {
		o.bifa = pickS(r, unitNames) + " " + pickS(r, b.words)
	}
	o.desc = pickS(r, b.descs)
	if r.IntN(3) == 0 {
		o.desc += " "
	}
	o.sni = []string{pickS(r, b.sni)}
	if len(b.sni2) > 0 && r.IntN(2) == 0 {
		o.sni = append(o.sni, pickS(r, b.sni2))
	}
	o.procEmptyList = r.IntN(4) == 0

	// SCB statuses.
	o.fskatt, o.moms, o.employer = 1, 1, 1
	o.stkl = 2 + r.IntN(5)
	if sp == nil && !g.bgHasContract(i) {
		if r.IntN(10) == 0 {
			o.moms = 0
		}
		if r.IntN(3) == 0 {
			o.employer = 0
		}
		o.stkl = 1 + r.IntN(5)
	}
	if o.form == formE {
		o.employer, o.stkl = 0, 1
	}

	// Board, CEO, owners.
	g.baseRoles(r, o)
	o.docs = docNone
	if o.form == formAB {
		o.docs = docRecent
	}

	if sp == nil {
		// Benign history on background organisations.
		if o.form == formAB && g.u(i, saltSupp) < 0.02 {
			for k := range o.roles {
				if o.roles[k].roll == "suppleant" {
					o.roles[k].to = t.AddDate(0, 0, -300)
					o.roles = append(o.roles, role{g.personFor(g.own(i, 4), false), "suppleant", t.AddDate(0, 0, -300), time.Time{}})
					break
				}
			}
		}
		if g.bgHasContract(i) {
			switch g.h(i, saltOldDecision) % 300 {
			case 0:
				o.ivoDec = append(o.ivoDec, decision{date: t.AddDate(0, 0, -(800 + r.IntN(600))), typ: "forelaggande",
					dnr: fmt.Sprintf("3.5.1-%05d/%d", r.IntN(99999), t.Year()-2), text: "Föreläggande om dokumentation av genomförandeplaner"})
			case 1:
				o.avDec = append(o.avDec, decision{date: t.AddDate(0, 0, -(800 + r.IntN(600))), typ: "forelaggande",
					dnr: fmt.Sprintf("%d/%06d", t.Year()-3, r.IntN(999999)), text: "Föreläggande om systematiskt arbetsmiljöarbete"})
			}
		}
	} else {
		g.applySpec(r, o, sp, j)
	}
	o.scbIn = o.reg.AddDate(0, 0, 1+r.IntN(5))
	return o
}

func (g *gen) makeName(r *rand.Rand, o *org) string {
	b := &businesses[o.bus]
	core := pickS(r, b.words)
	if w := catWords[b.cat]; b.cat >= 0 && len(w) > 0 && r.IntN(5) < 2 && !strings.Contains(core, " ") {
		core += " " + pickS(r, w)
	}
	tn := o.town().name
	place := placeParts[r.IntN(len(placeParts))]
	if strings.Contains(place, "%s") {
		place = fmt.Sprintf(place, tn)
	}
	switch o.form {
	case formHB:
		w := core
		switch {
		case b.cat >= 0 && b.cat <= catHandledning:
			w = pickS(r, []string{"Bemanning", "Omsorg", "Konsult"})
		case b.cat == catTolk:
			w = "Tolk"
		case b.cat == catIT:
			w = "Data"
		}
		return pickS(r, lastNames) + " & " + pickS(r, lastNames) + " " + w + " HB"
	case formIF:
		if o.bus == len(businesses)-1 {
			return core + " " + tn
		}
		return core + " i " + tn + " ideell förening"
	case formE:
		p := g.personFor(g.own(o.i, 0), false)
		return p.name + " " + core
	}
	switch b.key {
	case "bygg", "transport", "konsult", "frisor":
		if r.IntN(2) == 0 {
			return pickS(r, lastNames) + "s " + core + " AB"
		}
	case "fastighet":
		return "Fastighets AB " + pickS(r, unitNames)
	case "restaurang":
		return core + " " + pickS(r, unitNames) + " i " + tn + " AB"
	}
	return core + place + " AB"
}

// baseRoles gives the organisation an ordinary board and owners.
func (g *gen) baseRoles(r *rand.Rand, o *org) {
	i := o.i
	pp := func(s int) person {
		if o.sp != nil {
			return g.personFor(g.special(o.j, s), false)
		}
		return g.personFor(g.own(i, s), false)
	}
	from := o.reg
	switch o.form {
	case formE:
		o.noOwners = true
		return
	case formHB:
		a, b := pp(0), pp(1)
		o.roles = []role{{a, "firmatecknare", from, time.Time{}}, {b, "firmatecknare", from, time.Time{}}}
		o.owners = []owner{{a, halfShare}, {b, halfShare}}
		return
	case formIF:
		a, b, c := pp(0), pp(1), pp(2)
		o.roles = []role{{a, "ordforande", from, time.Time{}}, {b, "styrelseledamot", from, time.Time{}}, {c, "styrelseledamot", from, time.Time{}}}
		o.owners = []owner{{a, "ingen ägarandel, styrelseordförande"}}
		return
	}
	chair := pp(0)
	member := pp(1)
	if o.sp == nil && g.u(i/3, saltCluster) < 0.2 {
		member = g.personFor(g.clusterBase+i/3, false)
	}
	o.roles = []role{{chair, "ordforande", from, time.Time{}}, {member, "styrelseledamot", from, time.Time{}}}
	if r.IntN(100) < 35 {
		o.roles = append(o.roles, role{chair, "vd", from, time.Time{}})
	} else {
		o.roles = append(o.roles, role{pp(2), "vd", from.AddDate(0, 0, r.IntN(60)), time.Time{}})
	}
	if r.IntN(2) == 0 {
		coord := o.sp == nil && r.IntN(12) == 0
		var s person
		if o.sp != nil {
			s = pp(3)
		} else {
			s = g.personFor(g.own(i, 3), coord)
		}
		o.roles = append(o.roles, role{s, "suppleant", from, time.Time{}})
	}
	if r.IntN(5) < 3 {
		o.owners = []owner{{chair, pickS(r, ownerShares)}}
	} else {
		o.owners = []owner{{chair, halfShare}, {member, halfShare}}
	}
}
